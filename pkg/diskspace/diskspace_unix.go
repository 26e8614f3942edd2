//go:build !windows

package diskspace

import (
	"errors"

	"golang.org/x/sys/unix"
)

func isFullErrno(err error) bool {
	return errors.Is(err, unix.ENOSPC) || errors.Is(err, unix.EDQUOT)
}

// Free is how many bytes an unprivileged user can still write on the disk
// holding path.
func Free(path string) (int64, error) {
	var st unix.Statfs_t
	if err := unix.Statfs(path, &st); err != nil {
		return 0, err
	}
	return int64(st.Bavail) * int64(st.Bsize), nil
}
