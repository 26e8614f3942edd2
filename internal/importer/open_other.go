//go:build !linux

package importer

import "os"

// openSource opens a source read-only.
func openSource(path string) (*os.File, error) { return os.Open(path) }
