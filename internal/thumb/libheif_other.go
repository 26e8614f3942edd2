//go:build !linux

package thumb

// libheifDir is only needed on Linux, where distributions name the runtime
// library libheif.so.1.
func libheifDir() string { return "" }
