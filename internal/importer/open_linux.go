package importer

import (
	"errors"
	"os"
	"syscall"
)

// openSource opens a source read-only without updating its access time
// (O_NOATIME, allowed to the file's owner), so that importing leaves every
// timestamp of the source as it was.
func openSource(path string) (*os.File, error) {
	f, err := os.OpenFile(path, os.O_RDONLY|syscall.O_NOATIME, 0)
	if errors.Is(err, syscall.EPERM) {
		return os.Open(path)
	}
	return f, err
}
