package web

import (
	"net"
	"net/http"
	"syscall"
)

// corked runs write with the request's connection corked (TCP_CORK), so
// that what it writes leaves in full segments when it returns rather than
// as each write goes: a thumbnail's headers and bytes then travel as one
// segment, not two, which halves the packets both ends handle. Only for
// HTTP/1 over plain TCP, on connections that ConnContext recorded;
// otherwise write just runs.
func corked(r *http.Request, write func()) {
	c, ok := r.Context().Value(connKey{}).(*net.TCPConn)
	if !ok || r.ProtoMajor != 1 {
		write()
		return
	}
	rc, err := c.SyscallConn()
	if err != nil {
		write()
		return
	}
	setCork := func(on int) {
		rc.Control(func(fd uintptr) { syscall.SetsockoptInt(int(fd), syscall.IPPROTO_TCP, syscall.TCP_CORK, on) })
	}
	setCork(1)
	defer setCork(0)
	write()
}
