//go:build !windows

package catalog

import (
	"sync"
	"sync/atomic"
	"unsafe"

	"golang.org/x/sys/unix"
)

// walIndex is a read-only view of the header of SQLite's WAL index: the
// file NAME-shm next to the database, which every connection to it, in
// any process, maps as shared memory. The header is two copies of 48
// bytes that every commit rewrites, with a change counter that grows by
// one (https://www.sqlite.org/walformat.html#the_wal_index_file_format).
//
// The file descriptor must stay open until every connection to the
// database in this process is closed: the locks SQLite holds on the file
// are POSIX locks, which belong to the process, and closing any
// descriptor of the file would drop them all. It is a raw descriptor, so
// that no finalizer closes it early.
type walIndex struct {
	fd int

	mu  sync.RWMutex
	mem []byte // the mapped header; nil once unmapped
}

// openWALIndex maps the WAL index of the database at dbPath. The error
// says why it cannot (no WAL index yet, or no shared memory here); the
// caller then reads the database instead.
func openWALIndex(dbPath string) (*walIndex, error) {
	fd, err := unix.Open(dbPath+"-shm", unix.O_RDONLY|unix.O_CLOEXEC, 0)
	if err != nil {
		return nil, err
	}
	w := &walIndex{fd: fd}
	var st unix.Stat_t
	if err := unix.Fstat(fd, &st); err != nil {
		return w, err
	}
	if st.Size < walHeaderSize {
		return w, errWALIndexTooSmall
	}
	mem, err := unix.Mmap(fd, 0, walHeaderSize, unix.PROT_READ, unix.MAP_SHARED)
	if err != nil {
		return w, err
	}
	w.mem = mem
	return w, nil
}

// header copies the header into h, one 32-bit word at a time as SQLite
// writes it; false when nothing is mapped.
func (w *walIndex) header(h *walHeader) bool {
	if w == nil {
		return false
	}
	w.mu.RLock()
	defer w.mu.RUnlock()
	if w.mem == nil {
		return false
	}
	for i := range h {
		h[i] = atomic.LoadUint32((*uint32)(unsafe.Pointer(&w.mem[4*i])))
	}
	return true
}

// unmap ends the view; header returns false from then on.
func (w *walIndex) unmap() error {
	if w == nil {
		return nil
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.mem == nil {
		return nil
	}
	err := unix.Munmap(w.mem)
	w.mem = nil
	return err
}

// closeFile closes the descriptor: only after every connection to the
// database in this process is closed.
func (w *walIndex) closeFile() error {
	if w == nil {
		return nil
	}
	return unix.Close(w.fd)
}
