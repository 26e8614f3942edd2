package catalog

import "errors"

// walIndex would map SQLite's WAL index; on Windows the catalog reads the
// database for its version every time instead.
type walIndex struct{}

func openWALIndex(string) (*walIndex, error) {
	return nil, errors.ErrUnsupported
}

func (w *walIndex) header(*walHeader) bool { return false }
func (w *walIndex) unmap() error           { return nil }
func (w *walIndex) closeFile() error       { return nil }
