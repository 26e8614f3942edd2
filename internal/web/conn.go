package web

import (
	"context"
	"io"
	"net"
	"net/http"
	"net/netip"
	"sync"
)

// Listener wraps the listener of a server of NewServer's handler: on its
// plain connections the media route sends a thumbnail's headers and
// bytes with one write, which leaves as one TCP segment, rather than as
// two writes and two segments (see coalesced). The server must also use
// ConnContext.
func Listener(ln net.Listener) net.Listener { return &listener{Listener: ln} }

type listener struct {
	net.Listener
	counts *connCounts // nil: any number of connections per address
}

// Accept closes at once, and does not return, a connection over its
// address's limit.
func (l *listener) Accept() (net.Conn, error) {
	for {
		c, err := l.Listener.Accept()
		if err != nil {
			return nil, err
		}
		_, tcp := c.(*net.TCPConn)
		cc := &coalescingConn{Conn: c, vectored: tcp}
		if l.counts != nil {
			var ok bool
			if cc.release, ok = l.counts.add(c.RemoteAddr()); !ok {
				_ = c.Close() // refused: nothing to tell whoever opened it
				continue
			}
		}
		return cc, nil
	}
}

// connCounts counts the open connections of each client address (by
// clientKey).
type connCounts struct {
	limit  int
	exempt func(netip.Addr) bool // addresses not counted; nil for none
	mu     sync.Mutex
	open   map[netip.Addr]int
}

func newConnCounts(limit int, exempt func(netip.Addr) bool) *connCounts {
	return &connCounts{limit: limit, exempt: exempt, open: map[netip.Addr]int{}}
}

// add counts a new connection from addr. It reports false when addr has
// its maximum open already; otherwise release uncounts the connection
// (once, however often it is called).
func (cs *connCounts) add(addr net.Addr) (release func(), ok bool) {
	ap, err := netip.ParseAddrPort(addr.String())
	if err != nil || (cs.exempt != nil && cs.exempt(ap.Addr().Unmap())) {
		return nil, true
	}
	key := clientKey(ap.Addr())
	cs.mu.Lock()
	defer cs.mu.Unlock()
	if cs.open[key] >= cs.limit {
		return nil, false
	}
	cs.open[key]++
	return sync.OnceFunc(func() {
		cs.mu.Lock()
		defer cs.mu.Unlock()
		if cs.open[key]--; cs.open[key] == 0 {
			delete(cs.open, key)
		}
	}), true
}

// connKey is where ConnContext keeps a request's connection.
type connKey struct{}

// ConnContext is the http.Server.ConnContext of a server of NewServer's
// handler: it lets a handler reach its request's connection (see
// Listener).
func ConnContext(ctx context.Context, c net.Conn) context.Context {
	return context.WithValue(ctx, connKey{}, c)
}

// coalescingConn is a connection whose writes can gather in memory and
// leave together. Only the goroutine serving its current request writes
// to it, and only that goroutine gathers.
type coalescingConn struct {
	net.Conn
	batch    *[]byte     // non-nil while writes gather
	vectored bool        // Conn writes net.Buffers with one writev (a TCP connection)
	iov      [2][]byte   // the batch and a large write, while Write sends them; empty between calls
	vec      net.Buffers // c.iov's, as WriteTo consumes it
	release  func()      // uncounts the connection (connCounts); nil when not counted
	pre      []byte      // read by the thumbnail path before it handed the connection on: what Read returns first
}

func (c *coalescingConn) Read(p []byte) (int, error) {
	if len(c.pre) > 0 {
		n := copy(p, c.pre)
		c.pre = c.pre[n:]
		return n, nil
	}
	return c.Conn.Read(p)
}

func (c *coalescingConn) Close() error {
	if c.release != nil {
		c.release()
	}
	return c.Conn.Close()
}

func (c *coalescingConn) Write(p []byte) (int, error) {
	switch {
	case c.batch == nil:
		return c.Conn.Write(p)
	case len(p) >= directWrite && len(*c.batch) > 0 && c.vectored:
		// A large write, such as the rest of a thumbnail that net/http
		// passes on from the handler without buffering it, leaves now
		// with what gathered before it, in one writev: p is not copied,
		// and is not kept past this call.
		c.iov = [2][]byte{*c.batch, p}
		c.vec = c.iov[:]
		n, err := c.vec.WriteTo(c.Conn) // consumes c.vec
		c.iov = [2][]byte{}
		held := int64(len(*c.batch))
		*c.batch = (*c.batch)[:0]
		if err != nil {
			// The connection is done (see coalesced): whatever part of p
			// went out, net/http closes it.
			return int(max(0, n-held)), err
		}
		return len(p), nil
	default:
		*c.batch = append(*c.batch, p...)
		return len(p), nil
	}
}

// directWrite is the size from which a write made while writes gather
// is sent at once with them rather than copied among them (see Write).
// net/http buffers less than 4 KB itself.
const directWrite = 4 << 10

// ReadFrom keeps the sendfile path of the TCP connection for files that
// http.ServeContent sends.
func (c *coalescingConn) ReadFrom(r io.Reader) (int64, error) {
	if rf, ok := c.Conn.(io.ReaderFrom); ok && c.batch == nil {
		return rf.ReadFrom(r)
	}
	return io.Copy(struct{ io.Writer }{c}, r)
}

// CloseWrite half-closes the TCP connection, as net/http does before
// closing one it answered with an error.
func (c *coalescingConn) CloseWrite() error {
	if cw, ok := c.Conn.(interface{ CloseWrite() error }); ok {
		return cw.CloseWrite()
	}
	return nil
}

// maxBatch is the largest response that coalesced gathers; larger ones
// are written as they come (a few writes matter less to them).
const maxBatch = 64 << 10

var batches = sync.Pool{New: func() any { b := make([]byte, 0, maxBatch); return &b }}

// coalesced runs write, which sends a response of about size bytes, with
// the request's connection gathering what it writes, and then writes it
// all at once: net/http writes the headers and the start of the body
// from one buffer and the rest from another. HTTP/1 on connections of
// Listener only; otherwise write just runs.
func coalesced(r *http.Request, size int, write func()) {
	c, ok := r.Context().Value(connKey{}).(*coalescingConn)
	if !ok || r.ProtoMajor != 1 || c.batch != nil || size > maxBatch-4096 {
		write()
		return
	}
	b := batches.Get().(*[]byte)
	c.batch = b
	defer func() {
		c.batch = nil
		if len(*b) > 0 {
			// A failed write fails the next one net/http makes, or its
			// read of the next request: the connection is done.
			_, _ = c.Conn.Write(*b)
		}
		*b = (*b)[:0]
		batches.Put(b)
	}()
	write()
}
