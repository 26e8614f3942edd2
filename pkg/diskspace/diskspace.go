// Package diskspace tells a full disk from other write errors, and says
// where it is and how much room is left, in words that say what to do.
package diskspace

import (
	"errors"
	"fmt"

	"github.com/picup/picup/pkg/bytesize"
)

// ErrFull is wrapped by errors of a write that found no room, where the
// error does not say so by its errno (a database's "disk is full", say).
var ErrFull = errors.New("no space left on the disk")

// IsFull reports whether err comes from a disk (or a disk quota) that is
// full.
func IsFull(err error) bool {
	return err != nil && (errors.Is(err, ErrFull) || isFullErrno(err))
}

// FullError is a full disk: which directory's disk, and how much room it
// has now.
type FullError struct {
	Dir  string
	Free int64 // bytes; -1 when it could not be read
	Err  error // what the write said
}

// Full describes err, a write into dir that found the disk full.
func Full(dir string, err error) *FullError {
	free, ferr := Free(dir)
	if ferr != nil {
		free = -1
	}
	return &FullError{Dir: dir, Free: free, Err: err}
}

func (e *FullError) Error() string {
	free := "nothing free"
	switch {
	case e.Free < 0:
		free = "free space unknown"
	case e.Free > 0:
		free = bytesize.Format(e.Free) + " free"
	}
	return fmt.Sprintf("the disk holding %s is full (%s): free some space on it or move the library to a bigger disk (picup --library DIR)", e.Dir, free)
}

func (e *FullError) Unwrap() error { return e.Err }
