//go:build !windows

package library

import "os"

// SyncDir fsyncs a directory so that a rename in it survives a power cut.
func SyncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}
