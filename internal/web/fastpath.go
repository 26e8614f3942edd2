package web

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/textproto"
	"net/url"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/picup/picup/internal/thumb"
)

// The thumbnail path: a share page's grid asks for dozens of thumbnails
// at once, each a small request on a kept-alive connection, and
// net/http's work around each (parsing every header into a map, a
// context and a goroutine that watches the connection while the
// handler runs, sorting the headers it writes) costs more than the
// handler's own. On plain HTTP, fastListener reads a connection's
// requests itself while they are thumbnail GETs of the plainest form
// (fastRequest) and runs the server's handler for each with a
// fastWriter; at the first request of any other form it hands the
// connection, with the bytes it has read, to net/http for good. The
// handler, and so every check, header, limit, metric and log line, is
// the same on both paths. Over TLS net/http serves every request.

// fastBuffer is the most a connection's request line and headers may
// take on the thumbnail path; a longer request goes to net/http, which
// holds it to the server's MaxHeaderBytes.
const fastBuffer = 4 << 10

// fastHeaders are the request headers the thumbnail path accepts, each
// at most once: what browsers send with an image. A request with any
// other header (a cookie, a range, a precondition, a proxy's
// X-Forwarded-For, a body's) is net/http's.
var fastHeaders = map[string]bool{
	"Host": true, "User-Agent": true, "Accept": true, "Accept-Encoding": true, "Accept-Language": true,
	"Connection": true, "Referer": true, "Cache-Control": true, "Pragma": true, "Dnt": true, "Priority": true,
	"Sec-Fetch-Dest": true, "Sec-Fetch-Mode": true, "Sec-Fetch-Site": true, "Sec-Fetch-Storage-Access": true,
	"Sec-Ch-Ua": true, "Sec-Ch-Ua-Mobile": true, "Sec-Ch-Ua-Platform": true, "Sec-Gpc": true,
}

// fastHeaderKeys maps the names of fastHeaders, as given and in lower
// case (as some browsers send them), to themselves.
var fastHeaderKeys = func() map[string]string {
	m := map[string]string{}
	for k := range fastHeaders {
		m[k], m[strings.ToLower(k)] = k, k
	}
	return m
}()

// fastListener serves the thumbnail path of the connections that
// inner accepts, and returns from Accept those it hands to net/http
// (and the errors of inner's Accept).
type fastListener struct {
	inner   *listener
	handler http.Handler
	limits  serverLimits
	ctx     context.Context // the requests' context
	log     *slog.Logger

	handed    chan accepted // to Accept
	done      chan struct{} // closed by Close
	closeOnce sync.Once
	closeErr  error

	mu    sync.Mutex
	conns map[*coalescingConn]struct{} // on the thumbnail path now
	wg    sync.WaitGroup               // the goroutines of conns, and acceptLoop
}

type accepted struct {
	c   net.Conn
	err error
}

// newFastListener serves the thumbnail path of inner's connections with
// h, holding them to limits, until Close. ctx is the requests' context.
func newFastListener(ctx context.Context, inner *listener, h http.Handler, limits serverLimits, log *slog.Logger) *fastListener {
	l := &fastListener{
		inner: inner, handler: h, limits: limits, ctx: ctx, log: log,
		handed: make(chan accepted), done: make(chan struct{}),
		conns: map[*coalescingConn]struct{}{},
	}
	l.wg.Add(1)
	go l.acceptLoop()
	return l
}

func (l *fastListener) Addr() net.Addr { return l.inner.Addr() }

// Accept returns the next connection handed to net/http, or the next
// error of the inner listener's Accept.
func (l *fastListener) Accept() (net.Conn, error) {
	select {
	case a := <-l.handed:
		return a.c, a.err
	case <-l.done:
		return nil, net.ErrClosed
	}
}

// Close closes the inner listener and has every thumbnail-path
// connection end once its request in flight, if any, is answered (see
// drain).
func (l *fastListener) Close() error {
	l.closeOnce.Do(func() {
		l.mu.Lock()
		close(l.done)
		for c := range l.conns {
			_ = c.Conn.SetReadDeadline(time.Now()) // wakes a connection waiting for a request
		}
		l.mu.Unlock()
		l.closeErr = l.inner.Close()
	})
	return l.closeErr
}

// drain closes l and waits for its connections to end; when ctx ends
// first, it closes those still open (their requests in flight fail),
// and waits for them.
func (l *fastListener) drain(ctx context.Context) {
	_ = l.Close()
	ended := make(chan struct{})
	go func() { l.wg.Wait(); close(ended) }()
	select {
	case <-ended:
		return
	case <-ctx.Done():
	}
	l.mu.Lock()
	for c := range l.conns {
		_ = c.Close()
	}
	l.mu.Unlock()
	<-ended
}

func (l *fastListener) closing() bool {
	select {
	case <-l.done:
		return true
	default:
		return false
	}
}

// acceptLoop passes inner's errors to Accept, which net/http sleeps
// after when they are temporary, and serves its connections.
func (l *fastListener) acceptLoop() {
	defer l.wg.Done()
	for {
		c, err := l.inner.Accept()
		if err != nil {
			select {
			case l.handed <- accepted{err: err}:
			case <-l.done:
				return
			}
			if errors.Is(err, net.ErrClosed) {
				return
			}
			continue
		}
		cc := c.(*coalescingConn)
		l.mu.Lock()
		if l.closing() {
			l.mu.Unlock()
			_ = cc.Close()
			continue
		}
		l.conns[cc] = struct{}{}
		l.wg.Add(1)
		l.mu.Unlock()
		go l.serve(cc)
	}
}

// serve answers c's thumbnail requests until it ends, or until a
// request of another form, when c goes to net/http with what was read.
func (l *fastListener) serve(c *coalescingConn) {
	defer l.wg.Done()
	handOff := false
	defer func() {
		l.mu.Lock()
		delete(l.conns, c)
		l.mu.Unlock()
		if !handOff {
			_ = c.Close()
		}
	}()
	fc := &fastConn{l: l, c: c, buf: make([]byte, 0, fastBuffer), remote: c.RemoteAddr().String()}
	fc.w.c = c
	fc.w.h = http.Header{}
	for first := true; ; first = false {
		if l.closing() {
			return
		}
		req, n, ok := fc.next(first)
		if !ok {
			return
		}
		if req == nil {
			c.pre = fc.buf
			handOff = true
			select {
			case l.handed <- accepted{c: c}:
			case <-l.done:
				handOff = false
			}
			return
		}
		if !fc.answer(req) {
			return
		}
		fc.buf = fc.buf[:copy(fc.buf, fc.buf[n:])]
	}
}

// fastConn is a connection on the thumbnail path.
type fastConn struct {
	l      *fastListener
	c      *coalescingConn
	buf    []byte // what was read and not yet answered
	remote string
	w      fastWriter
}

// next reads the connection's next request: a thumbnail request and
// its length in buf; or a nil request when the connection goes to
// net/http (buf holds what was read of it); or ok false when the
// connection is done (closed, timed out, broken, or the server stops).
func (fc *fastConn) next(first bool) (r *fastRequest, n int, ok bool) {
	wait := fc.l.limits.idle
	if first {
		wait = fc.l.limits.readHeader
	}
	if err := fc.c.Conn.SetReadDeadline(time.Now().Add(wait)); err != nil || fc.l.closing() {
		return nil, 0, false // closing: checked after the deadline, which Close may have set first
	}
	headerDeadline := first
	for {
		if line := bytes.IndexByte(fc.buf, '\n'); line >= 0 {
			if line == 0 || fc.buf[line-1] != '\r' || !fastRequestLine(fc.buf[:line-1]) || bareLF(fc.buf) {
				return nil, 0, true // net/http reads lines that end in a bare LF too
			}
			if end := bytes.Index(fc.buf, []byte("\r\n\r\n")); end >= 0 {
				r, ok := parseFastRequest(fc.buf[:end+4])
				if !ok {
					return nil, 0, true
				}
				return r, end + 4, true
			}
		}
		if len(fc.buf) == cap(fc.buf) {
			return nil, 0, true
		}
		if !headerDeadline && len(fc.buf) > 0 {
			// A request began: the rest of its headers gets what the
			// first request's get.
			headerDeadline = true
			if err := fc.c.Conn.SetReadDeadline(time.Now().Add(fc.l.limits.readHeader)); err != nil {
				return nil, 0, false
			}
		}
		m, err := fc.c.Conn.Read(fc.buf[len(fc.buf):cap(fc.buf)])
		fc.buf = fc.buf[:len(fc.buf)+m]
		if err != nil {
			return nil, 0, false
		}
	}
}

// answer runs the handler for r and sends its response; it reports
// whether the connection may carry another request.
func (fc *fastConn) answer(r *fastRequest) (keep bool) {
	req := (&http.Request{
		Method:     http.MethodGet,
		URL:        &url.URL{Path: r.target},
		Proto:      "HTTP/1.1",
		ProtoMajor: 1,
		ProtoMinor: 1,
		Header:     r.header,
		Body:       http.NoBody,
		Host:       r.host,
		RemoteAddr: fc.remote,
		RequestURI: r.target,
	}).WithContext(fc.l.ctx)
	w := &fc.w
	w.reset(fc.l.limits.write)
	defer func() {
		if v := recover(); v != nil {
			if v != http.ErrAbortHandler { //nolint:errorlint // net/http compares it the same way
				buf := make([]byte, 64<<10)
				buf = buf[:runtime.Stack(buf, false)]
				fc.l.log.Error("http: panic serving "+fc.remote, "panic", fmt.Sprint(v), "stack", string(buf))
			}
			keep = false
		}
	}()
	fc.l.handler.ServeHTTP(w, req)
	if err := w.finish(fc.l.closing()); err != nil {
		return false
	}
	return !w.close && !fc.l.closing()
}

// fastRequest is a request of the thumbnail path: GET of a thumbnail's
// media URL over HTTP/1.1, its target made only of characters that
// need no decoding, with headers of fastHeaders only (Host among them),
// each once, and no body.
type fastRequest struct {
	target string
	host   string
	header http.Header
}

// bareLF reports whether b has a line feed without a carriage return
// before it.
func bareLF(b []byte) bool {
	for i := bytes.IndexByte(b, '\n'); i >= 0; {
		if i == 0 || b[i-1] != '\r' {
			return true
		}
		j := bytes.IndexByte(b[i+1:], '\n')
		if j < 0 {
			return false
		}
		i += 1 + j
	}
	return false
}

// fastRequestLine reports whether line (without its CRLF) asks for a
// thumbnail in the form of the thumbnail path.
func fastRequestLine(line []byte) bool {
	rest, ok := bytes.CutPrefix(line, []byte("GET "))
	if !ok {
		return false
	}
	target, ok := bytes.CutSuffix(rest, []byte(" HTTP/1.1"))
	return ok && fastTarget(target)
}

// fastTarget reports whether target is /m/{sig}/{photo}/{size} with a
// thumbnail size, in unreserved characters (RFC 3986) only.
func fastTarget(target []byte) bool {
	if len(target) > 512 {
		return false
	}
	rest, ok := bytes.CutPrefix(target, []byte("/m/"))
	if !ok {
		return false
	}
	segments, start := 0, 0
	for i := 0; i <= len(rest); i++ {
		if i < len(rest) && rest[i] != '/' {
			if !unreserved(rest[i]) {
				return false
			}
			continue
		}
		if i == start || rest[start] == '.' {
			return false // an empty segment, or a dot one
		}
		segments++
		if i < len(rest) {
			start = i + 1
		}
	}
	if segments != 3 {
		return false
	}
	_, ok = thumb.SizeNamed(string(rest[start:]))
	return ok
}

func unreserved(b byte) bool {
	return 'a' <= b && b <= 'z' || 'A' <= b && b <= 'Z' || '0' <= b && b <= '9' || b == '-' || b == '.' || b == '_' || b == '~'
}

// parseFastRequest reads a request's line and headers, ending with the
// blank line, as a fastRequest; ok is false when it is not of that form.
func parseFastRequest(head []byte) (r *fastRequest, ok bool) {
	line, rest, _ := bytes.Cut(head, []byte("\r\n"))
	if !fastRequestLine(line) {
		return nil, false
	}
	r = &fastRequest{target: string(line[len("GET ") : len(line)-len(" HTTP/1.1")]), header: make(http.Header, 8)}
	for {
		var hl []byte
		hl, rest, _ = bytes.Cut(rest, []byte("\r\n"))
		if len(hl) == 0 {
			break
		}
		name, value, found := bytes.Cut(hl, []byte(":"))
		if !found || !fieldName(name) {
			return nil, false
		}
		key, known := fastHeaderKeys[string(name)]
		if !known {
			if key = textproto.CanonicalMIMEHeaderKey(string(name)); !fastHeaders[key] {
				return nil, false
			}
		}
		if _, dup := r.header[key]; dup {
			return nil, false
		}
		value = bytes.Trim(value, " \t")
		if !fieldValue(value) {
			return nil, false
		}
		v := string(value)
		switch key {
		case "Host":
			if r.host != "" || !fastHost(v) {
				return nil, false
			}
			r.host = v
			continue // net/http keeps the Host in Request.Host only
		case "Connection":
			if !strings.EqualFold(v, "keep-alive") {
				return nil, false
			}
		}
		r.header[key] = []string{v}
	}
	return r, r.host != ""
}

// fieldName reports whether b is a header name: a token (RFC 9110).
func fieldName(b []byte) bool {
	if len(b) == 0 {
		return false
	}
	for _, c := range b {
		if !unreserved(c) && !strings.ContainsRune("!#$%&'*+^`|", rune(c)) {
			return false
		}
	}
	return true
}

// fieldValue reports whether b is a header value of visible characters,
// spaces and tabs.
func fieldValue(b []byte) bool {
	for _, c := range b {
		if c < ' ' && c != '\t' || c == 0x7f {
			return false
		}
	}
	return true
}

// fastHost reports whether h is a host and port of the plain kind:
// letters, digits, dots, hyphens, a colon and brackets.
func fastHost(h string) bool {
	if h == "" || len(h) > 255 {
		return false
	}
	for i := 0; i < len(h); i++ {
		c := h[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || strings.IndexByte(".-:[]", c) >= 0) {
			return false
		}
	}
	return true
}

// fastWriter is the http.ResponseWriter of the thumbnail path. A
// response that declares its Content-Length is sent as the handler
// writes it, its headers with the first bytes in one writev; one that
// does not is held until the handler returns, and sent with its
// length, unless it grows past fastHeld: then it is sent as it comes
// and ends with the connection.
type fastWriter struct {
	c      *coalescingConn
	h      http.Header
	status int
	length int64 // the declared Content-Length; -1 for none
	sent   bool  // the headers went out
	wrote  int64 // body bytes written (or held)
	held   []byte
	close  bool // the connection ends after this response
	err    error
	head   []byte
}

// fastHeld is the most of an undeclared response that fastWriter holds.
const fastHeld = 64 << 10

func (w *fastWriter) reset(write time.Duration) {
	clear(w.h)
	w.status, w.length, w.sent, w.wrote, w.close, w.err = 0, -1, false, 0, false, nil
	w.held = w.held[:0]
	if err := w.c.Conn.SetWriteDeadline(time.Now().Add(write)); err != nil {
		w.err = err
	}
}

func (w *fastWriter) Header() http.Header { return w.h }

func (w *fastWriter) WriteHeader(code int) {
	if w.status != 0 || code < 200 {
		return // as net/http: the first status counts; no informational responses here
	}
	if code > 999 {
		panic(fmt.Sprintf("invalid WriteHeader code %v", code))
	}
	w.status = code
	w.length = -1
	if v := w.h.Get("Content-Length"); v != "" {
		if n, err := strconv.ParseInt(v, 10, 64); err == nil && n >= 0 {
			w.length = n
		} else {
			w.h.Del("Content-Length")
		}
	}
}

func (w *fastWriter) Write(p []byte) (int, error) {
	if w.status == 0 {
		w.WriteHeader(http.StatusOK)
	}
	if w.err != nil {
		return 0, w.err
	}
	if !bodyAllowed(w.status) {
		return 0, http.ErrBodyNotAllowed
	}
	if w.length >= 0 && w.wrote+int64(len(p)) > w.length {
		return 0, http.ErrContentLength
	}
	if w.length < 0 && !w.sent {
		if len(w.held)+len(p) <= fastHeld {
			w.held = append(w.held, p...)
			w.wrote += int64(len(p))
			return len(p), nil
		}
		w.close = true // sent without a length: the connection's end ends it
		if w.err = w.send(w.held); w.err != nil {
			return 0, w.err
		}
	}
	if !w.sent {
		w.err = w.send(p)
	} else {
		_, w.err = w.c.Conn.Write(p)
	}
	if w.err != nil {
		return 0, w.err
	}
	w.wrote += int64(len(p))
	return len(p), nil
}

// finish sends what the handler left: the headers of a response without
// a body, or a held response. closing says the server stops.
func (w *fastWriter) finish(closing bool) error {
	if w.status == 0 {
		w.WriteHeader(http.StatusOK)
	}
	if closing {
		w.close = true
	}
	if w.err != nil {
		return w.err
	}
	if !w.sent {
		if w.length < 0 && bodyAllowed(w.status) {
			w.h.Set("Content-Length", strconv.Itoa(len(w.held)))
			w.length = int64(len(w.held))
		}
		w.err = w.send(w.held)
	}
	if w.length >= 0 && w.wrote < w.length {
		w.close = true // the handler wrote less than it declared: as net/http, end the connection
	}
	return w.err
}

// send writes the status line and the headers with body, in one writev.
func (w *fastWriter) send(body []byte) error {
	w.sent = true
	if _, ok := w.h["Content-Type"]; !ok && bodyAllowed(w.status) && len(body) > 0 {
		w.h.Set("Content-Type", http.DetectContentType(body))
	}
	h := w.head[:0]
	h = append(h, "HTTP/1.1 "...)
	h = strconv.AppendInt(h, int64(w.status), 10)
	h = append(h, ' ')
	h = append(h, http.StatusText(w.status)...)
	h = append(h, "\r\n"...)
	for k, vs := range w.h {
		if !fieldName([]byte(k)) || k == "Connection" || k == "Transfer-Encoding" {
			continue
		}
		for _, v := range vs {
			h = append(h, k...)
			h = append(h, ": "...)
			h = appendHeaderValue(h, v)
			h = append(h, "\r\n"...)
		}
	}
	if _, ok := w.h["Date"]; !ok {
		h = append(h, "Date: "...)
		h = time.Now().UTC().AppendFormat(h, http.TimeFormat)
		h = append(h, "\r\n"...)
	}
	if w.close {
		h = append(h, "Connection: close\r\n"...)
	}
	h = append(h, "\r\n"...)
	w.head = h
	bufs := net.Buffers{h, body}
	_, err := bufs.WriteTo(w.c.Conn)
	return err
}

// appendHeaderValue appends v with its line breaks turned to spaces, as
// net/http writes header values.
func appendHeaderValue(h []byte, v string) []byte {
	if !strings.ContainsAny(v, "\r\n") {
		return append(h, v...)
	}
	for i := 0; i < len(v); i++ {
		c := v[i]
		if c == '\r' || c == '\n' {
			c = ' '
		}
		h = append(h, c)
	}
	return h
}

// bodyAllowed reports whether a response of status may have a body.
func bodyAllowed(status int) bool {
	return status != http.StatusNoContent && status != http.StatusNotModified && status >= 200
}
