package web

import (
	"bytes"
	"io"
	"net"
	"net/http"
	"strconv"
	"testing"
)

// Answers written in coalesced arrive whole over TCP, whatever their
// size: those whose large part goes out in a writev with the headers
// gathered before it, those small enough to be gathered whole, and those
// too large to be gathered.
func TestCoalescedWritev(t *testing.T) {
	body := make([]byte, 200<<10)
	for i := range body {
		body[i] = byte(i * 7)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{ConnContext: ConnContext, Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n, _ := strconv.Atoi(r.URL.Query().Get("n"))
		data := body[:n]
		w.Header().Set("Content-Length", strconv.Itoa(n))
		coalesced(r, n, func() {
			w.WriteHeader(http.StatusOK)
			_, _ = w.Write(data)
		})
	})}
	go func() { _ = srv.Serve(Listener(ln)) }() // ends with Close
	defer func() { _ = srv.Close() }()
	client := &http.Client{Transport: &http.Transport{MaxConnsPerHost: 1}}
	defer client.CloseIdleConnections()
	for _, n := range []int{0, 1, 100, 2047, 2048, 3800, 4095, 4096, 4097, 6000, 8191, 8192, 13_412, 40_000, maxBatch - 4096, maxBatch - 4095, 100_000, 200 << 10} {
		resp, err := client.Get("http://" + ln.Addr().String() + "/?n=" + strconv.Itoa(n))
		if err != nil {
			t.Fatal(err)
		}
		got, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		if err != nil || resp.StatusCode != http.StatusOK || !bytes.Equal(got, body[:n]) {
			t.Errorf("%d bytes: %d, %d bytes back (%v)", n, resp.StatusCode, len(got), err)
		}
	}
}
