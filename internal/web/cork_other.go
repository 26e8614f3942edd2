//go:build !linux

package web

import "net/http"

// corked runs write: only Linux has TCP_CORK.
func corked(_ *http.Request, write func()) { write() }
