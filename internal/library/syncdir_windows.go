//go:build windows

package library

// SyncDir is a no-op on Windows, where directories cannot be fsynced and
// NTFS journals renames.
func SyncDir(string) error { return nil }
