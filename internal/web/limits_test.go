package web

import (
	"archive/zip"
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/picup/picup/internal/catalog"
	"github.com/picup/picup/internal/sharelink"
)

// limitedServer serves f's handler on 127.0.0.1 as Run does over plain
// HTTP (the thumbnail path first, then net/http), with
// viewerLimits but timeouts short enough for a test, and no address
// exempt from the limit on connections.
func limitedServer(t *testing.T, f *fixture) (string, *connCounts) {
	t.Helper()
	l := viewerLimits
	l.readHeader, l.read, l.write = time.Second, time.Second, time.Second
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	counted := l.listener(smallBuffers{ln}, nil)
	serveFast(t, l.server(f.h), counted, l)
	return ln.Addr().String(), counted.counts
}

// serveFast serves srv on counted as Run does over plain HTTP, the
// thumbnail path first, until the test ends.
func serveFast(t *testing.T, srv *http.Server, counted *listener, l serverLimits) *fastListener {
	t.Helper()
	fl := newFastListener(context.Background(), counted, srv.Handler, l, slog.New(slog.DiscardHandler))
	go func() { _ = srv.Serve(fl) }()
	t.Cleanup(func() {
		_ = srv.Close()
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		fl.drain(ctx)
	})
	return fl
}

// smallBuffers' connections have a small send buffer, so that a response
// of a few hundred KB waits for its client rather than for the kernel.
type smallBuffers struct{ net.Listener }

func (l smallBuffers) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if tc, ok := c.(*net.TCPConn); ok {
		_ = tc.SetWriteBuffer(16 << 10)
	}
	return c, err
}

// trickle sends req on c one byte every 300 ms and reports how many
// bytes went before the server answered or closed the connection, and
// what it answered ("" for nothing).
func trickle(c net.Conn, req string) (int, string) {
	done := make(chan string, 1)
	go func() {
		_ = c.SetReadDeadline(time.Now().Add(30 * time.Second)) // bounds the test, not the server
		b, err := io.ReadAll(c)
		var ne net.Error
		if errors.As(err, &ne) && ne.Timeout() {
			b = []byte("still open")
		}
		done <- string(b)
	}()
	for i := range len(req) {
		select {
		case got := <-done:
			return i, got
		case <-time.After(300 * time.Millisecond):
		}
		if _, err := c.Write([]byte{req[i]}); err != nil {
			return i, <-done
		}
	}
	return len(req), <-done
}

func TestServerLimits(t *testing.T) {
	f := newFixture(t)
	addr, counts := limitedServer(t, f)
	get := func(t *testing.T, c net.Conn, path string, header ...string) *http.Response {
		t.Helper()
		req := "GET " + path + " HTTP/1.1\r\nHost: " + addr + "\r\n" + strings.Join(header, "") + "\r\n"
		if _, err := io.WriteString(c, req); err != nil {
			t.Fatal(err)
		}
		_ = c.SetReadDeadline(time.Now().Add(10 * time.Second))
		resp, err := http.ReadResponse(bufio.NewReader(c), nil)
		if err != nil {
			t.Fatalf("GET %s: %v", path, err)
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		return resp
	}
	dial := func(t *testing.T) net.Conn {
		t.Helper()
		c, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { c.Close() })
		return c
	}

	// First, while no other test's connection is open.
	t.Run("connections per address", func(t *testing.T) {
		conns := make([]net.Conn, viewerLimits.perClient)
		for i := range conns {
			conns[i] = dial(t)
			if resp := get(t, conns[i], "/healthz"); resp.StatusCode != 200 {
				t.Fatalf("connection %d: %d", i+1, resp.StatusCode)
			}
		}
		over := dial(t)
		_, _ = io.WriteString(over, "GET /healthz HTTP/1.1\r\nHost: "+addr+"\r\n\r\n")
		_ = over.SetReadDeadline(time.Now().Add(10 * time.Second))
		b, err := io.ReadAll(over)
		var ne net.Error
		if len(b) > 0 || (errors.As(err, &ne) && ne.Timeout()) {
			t.Errorf("connection %d: read %q, %v; want it closed", len(conns)+1, b, err)
		}
		if resp := get(t, conns[0], "/healthz"); resp.StatusCode != 200 {
			t.Errorf("an open connection after the refused one: %d", resp.StatusCode)
		}
		conns[0].Close()
		// The server counts the closed one out once it reads its end.
		for deadline := time.Now().Add(10 * time.Second); ; {
			c := dial(t)
			_, _ = io.WriteString(c, "GET /healthz HTTP/1.1\r\nHost: "+addr+"\r\n\r\n")
			_ = c.SetReadDeadline(time.Now().Add(10 * time.Second))
			resp, err := http.ReadResponse(bufio.NewReader(c), nil)
			c.Close()
			if err == nil && resp.StatusCode == 200 {
				break
			}
			if time.Now().After(deadline) {
				t.Fatal("no new connection after one closed")
			}
			time.Sleep(50 * time.Millisecond)
		}
		for _, c := range append(conns, over) {
			c.Close()
		}
		// The next tests' connections must not meet this one's.
		for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(50 * time.Millisecond) {
			counts.mu.Lock()
			open := len(counts.open)
			counts.mu.Unlock()
			if open == 0 {
				break
			}
			if time.Now().After(deadline) {
				t.Fatal("the closed connections are still counted")
			}
		}
	})
	thumbToken, _ := f.share(t, catalog.Share{})
	thumbURL := f.firstMedia(t, thumbToken)
	t.Run("slow headers", func(t *testing.T) {
		for _, path := range []string{"/healthz", thumbURL} {
			req := "GET " + path + " HTTP/1.1\r\nHost: " + addr + "\r\nUser-Agent: slowloris\r\n\r\n"
			sent, got := trickle(dial(t), req)
			if sent == len(req) || strings.Contains(got, " 200 ") {
				t.Errorf("GET %s, headers sent a byte at a time: %d of %d bytes went, answer %q; want the connection closed before the end", path, sent, len(req), got)
			}
		}
	})
	t.Run("slow headers of a second request", func(t *testing.T) {
		c := dial(t)
		if resp := get(t, c, thumbURL); resp.StatusCode != 200 {
			t.Fatalf("thumbnail: %d", resp.StatusCode)
		}
		req := "GET " + thumbURL + " HTTP/1.1\r\nHost: " + addr + "\r\nUser-Agent: slowloris\r\n\r\n"
		sent, got := trickle(c, req)
		if sent == len(req) || strings.Contains(got, " 200 ") {
			t.Errorf("headers sent a byte at a time: %d of %d bytes went, answer %q; want the connection closed before the end", sent, len(req), got)
		}
	})
	t.Run("slow body", func(t *testing.T) {
		hash, err := sharelink.HashPassword("correct horse")
		if err != nil {
			t.Fatal(err)
		}
		token, _ := f.share(t, catalog.Share{PasswordHash: hash})
		body := "password=" + strings.Repeat("x", 40)
		req := fmt.Sprintf("POST /s/%s HTTP/1.1\r\nHost: %s\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: %d\r\n\r\n", token, addr, len(body))
		c := dial(t)
		if _, err := io.WriteString(c, req); err != nil {
			t.Fatal(err)
		}
		sent, got := trickle(c, body)
		if sent == len(body) || strings.Contains(got, " 303 ") || strings.Contains(got, " 401 ") {
			t.Errorf("body sent a byte at a time: %d of %d bytes went, answer %q; want the request cut off", sent, len(body), got)
		}
	})
	t.Run("a slow download outlasts the write timeout", func(t *testing.T) {
		token, _ := f.share(t, catalog.Share{Download: true})
		c := dial(t)
		_ = c.(*net.TCPConn).SetReadBuffer(16 << 10)
		if _, err := io.WriteString(c, "GET /s/"+token+"/download HTTP/1.1\r\nHost: "+addr+"\r\n\r\n"); err != nil {
			t.Fatal(err)
		}
		_ = c.SetReadDeadline(time.Now().Add(10 * time.Second))
		resp, err := http.ReadResponse(bufio.NewReader(c), nil)
		if err != nil || resp.StatusCode != 200 {
			t.Fatalf("GET download: %v %v", resp, err)
		}
		// The client takes nothing for longer than the server's
		// WriteTimeout of 1 s, then the rest: the zip arrives whole.
		time.Sleep(2 * time.Second)
		_ = c.SetReadDeadline(time.Now().Add(30 * time.Second))
		b, err := io.ReadAll(resp.Body)
		if err != nil {
			t.Fatalf("read the zip: %v after %d bytes", err, len(b))
		}
		zr, err := zip.NewReader(bytes.NewReader(b), int64(len(b)))
		if err != nil || len(zr.File) != len(f.inside) {
			t.Fatalf("zip of %d bytes: %v; want its %d files", len(b), err, len(f.inside))
		}
	})
	t.Run("header size", func(t *testing.T) {
		for _, path := range []string{"/healthz", thumbURL} {
			for _, name := range []string{"X-Big", "User-Agent"} {
				if resp := get(t, dial(t), path, name+": "+strings.Repeat("a", 14<<10)+"\r\n"); resp.StatusCode != 200 {
					t.Errorf("GET %s, 14 KB %s: %d; want 200", path, name, resp.StatusCode)
				}
				if resp := get(t, dial(t), path, name+": "+strings.Repeat("a", 17<<10)+"\r\n"); resp.StatusCode != http.StatusRequestHeaderFieldsTooLarge {
					t.Errorf("GET %s, 17 KB %s: %d; want 431", path, name, resp.StatusCode)
				}
			}
		}
	})
	t.Run("ranges", func(t *testing.T) {
		token, _ := f.share(t, catalog.Share{})
		u := f.firstMedia(t, token)
		ranges := func(n int) string {
			rs := make([]string, n)
			for i := range rs {
				rs[i] = fmt.Sprintf("%d-%d", 2*i, 2*i)
			}
			return "Range: bytes=" + strings.Join(rs, ",") + "\r\n"
		}
		if resp := get(t, dial(t), u, ranges(10)); resp.StatusCode != 206 {
			t.Errorf("10 ranges: %d; want 206", resp.StatusCode)
		}
		if resp := get(t, dial(t), u, ranges(11)); resp.StatusCode != 416 {
			t.Errorf("11 ranges: %d; want 416", resp.StatusCode)
		}
	})
}
