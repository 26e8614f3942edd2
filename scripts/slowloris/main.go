// Command slowloris holds slow connections open against a server on
// this machine for a bounded time, as a slowloris attack does: each
// sends a request line, then one byte of a header every few seconds,
// and never finishes its headers. A connection the server closes is
// opened again (-reopen), so that -conns stay open until the end. It
// reports how many the server closed, when, and after how long. For
// scripts/bench-slowloris.
//
//	go run ./scripts/slowloris -addr 127.0.0.1:8080 -conns 2000 -duration 30s -every 3s
package main

import (
	"flag"
	"fmt"
	"io"
	"net"
	"net/netip"
	"os"
	"os/signal"
	"slices"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
)

func main() {
	addr := flag.String("addr", "", "server address, host:port on loopback (127.0.0.0/8 or ::1)")
	conns := flag.Int("conns", 2000, "slow connections held open at once")
	duration := flag.Duration("duration", 30*time.Second, "how long to hold them (at most 10 minutes)")
	every := flag.Duration("every", 3*time.Second, "time between two header bytes of a connection")
	reopen := flag.Bool("reopen", true, "open a connection again when the server closes it")
	ready := flag.String("ready", "", "file to create once the first -conns connections are open")
	flag.Parse()
	ap, err := netip.ParseAddrPort(*addr)
	switch {
	case err != nil || !ap.Addr().IsLoopback():
		fail("-addr must be a loopback address and port, such as 127.0.0.1:8080")
	case *conns < 1 || *conns > 20000:
		fail("-conns must be between 1 and 20000")
	case *duration <= 0 || *duration > 10*time.Minute:
		fail("-duration must be positive and at most 10m")
	case *every <= 0:
		fail("-every must be positive")
	}
	r := &run{addr: *addr, every: *every, reopen: *reopen, start: time.Now(), stop: make(chan struct{})}
	r.end = r.start.Add(*duration)
	// SIGINT or SIGTERM ends the run early, with the report.
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, os.Interrupt, syscall.SIGTERM)
	go func() {
		<-sig
		close(r.stop)
	}()
	var wg sync.WaitGroup
	var opened sync.WaitGroup
	opened.Add(*conns)
	for i := range *conns {
		wg.Go(func() { r.slot(i, *conns, &opened) })
	}
	opened.Wait()
	if r.failed.Load() > 0 {
		fmt.Fprintf(os.Stderr, "slowloris: %d of %d connections could not be opened\n", r.failed.Load(), *conns)
	}
	fmt.Fprintf(os.Stderr, "slowloris: %d connections open after %.1f s\n", int64(*conns)-r.failed.Load(), time.Since(r.start).Seconds())
	if *ready != "" {
		if err := os.WriteFile(*ready, nil, 0o644); err != nil {
			fail(err.Error())
		}
	}
	wg.Wait()
	r.report(os.Stdout, *conns, *duration)
}

func fail(msg string) {
	fmt.Fprintln(os.Stderr, "slowloris:", msg)
	os.Exit(2)
}

type run struct {
	addr       string
	every      time.Duration
	reopen     bool
	start, end time.Time
	stop       chan struct{} // closed to end the run before end

	opens, failed atomic.Int64
	mu            sync.Mutex
	closed        []closure // by the server
	heldToEnd     int       // closed by us at the end
}

// closure is a connection the server closed: when (since the start) and
// after how long open.
type closure struct{ at, life time.Duration }

// slot keeps one slow connection open until the end, opening it again
// when the server closes it (with -reopen). The first time, it spreads
// its header bytes over -every by its index i of n.
func (r *run) slot(i, n int, opened *sync.WaitGroup) {
	phase := r.every * time.Duration(i) / time.Duration(n)
	first := true
	for time.Now().Before(r.end) && !r.stopped() {
		c, err := net.DialTimeout("tcp", r.addr, 5*time.Second)
		if first {
			opened.Done()
			first = false
		}
		if err != nil {
			r.failed.Add(1)
			time.Sleep(100 * time.Millisecond)
			continue
		}
		r.opens.Add(1)
		byServer, life := r.hold(c, phase)
		r.mu.Lock()
		if byServer {
			r.closed = append(r.closed, closure{at: time.Since(r.start), life: life})
		} else {
			r.heldToEnd++
		}
		r.mu.Unlock()
		if !byServer || !r.reopen {
			return
		}
	}
}

func (r *run) stopped() bool {
	select {
	case <-r.stop:
		return true
	default:
		return false
	}
}

// hold sends the start of a request on c and then a header byte every
// r.every (the first after phase) until the server closes c, which it
// reports, with how long c was open, or the run ends.
func (r *run) hold(c net.Conn, phase time.Duration) (byServer bool, life time.Duration) {
	opened := time.Now()
	gone := make(chan struct{})
	go func() {
		_, _ = io.Copy(io.Discard, c) // returns when the server closes c (or we do)
		close(gone)
	}()
	defer func() {
		_ = c.Close()
		<-gone
	}()
	if _, err := io.WriteString(c, "GET /healthz HTTP/1.1\r\nHost: localhost\r\nX-Slow: "); err != nil {
		return true, time.Since(opened)
	}
	next := time.NewTimer(phase)
	defer next.Stop()
	end := time.NewTimer(time.Until(r.end))
	defer end.Stop()
	for {
		select {
		case <-gone:
			return true, time.Since(opened)
		case <-end.C:
			return false, time.Since(opened)
		case <-r.stop:
			return false, time.Since(opened)
		case <-next.C:
			if _, err := c.Write([]byte{'a'}); err != nil {
				<-gone
				return true, time.Since(opened)
			}
			next.Reset(r.every)
		}
	}
}

func (r *run) report(w io.Writer, conns int, d time.Duration) {
	r.mu.Lock()
	defer r.mu.Unlock()
	held := min(time.Since(r.start), d)
	fmt.Fprintf(w, "slow connections: %d at once for %.1f s, one header byte every %s each, from loopback\n", conns, held.Seconds(), r.every)
	fmt.Fprintf(w, "opened: %d (failed to connect: %d)\n", r.opens.Load(), r.failed.Load())
	fmt.Fprintf(w, "closed by the server: %d", len(r.closed))
	if len(r.closed) == 0 {
		fmt.Fprintf(w, "\nstill open at the end, closed by us: %d\n", r.heldToEnd)
		return
	}
	// When: how many in each second of the run, runs of empty seconds
	// left out.
	bySecond := map[int]int{}
	for _, c := range r.closed {
		bySecond[int(c.at/time.Second)]++
	}
	secs := make([]int, 0, len(bySecond))
	for s := range bySecond {
		secs = append(secs, s)
	}
	sort.Ints(secs)
	var when []string
	for _, s := range secs {
		when = append(when, fmt.Sprintf("%d in %d-%d s", bySecond[s], s, s+1))
	}
	fmt.Fprintf(w, "; when (seconds since the first was opened): %s\n", strings.Join(when, ", "))
	lives := make([]time.Duration, len(r.closed))
	for i, c := range r.closed {
		lives[i] = c.life
	}
	slices.Sort(lives)
	fmt.Fprintf(w, "open for, until the server closed them: min %.2f s, median %.2f s, max %.2f s\n",
		lives[0].Seconds(), lives[len(lives)/2].Seconds(), lives[len(lives)-1].Seconds())
	fmt.Fprintf(w, "still open at the end, closed by us: %d\n", r.heldToEnd)
}
