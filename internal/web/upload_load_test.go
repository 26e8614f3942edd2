package web

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"path"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/picup/picup/internal/archive"
	"github.com/picup/picup/internal/catalog"
	"github.com/picup/picup/internal/library"
	"github.com/picup/picup/internal/sharelink"
)

// Three devices send twenty files each at once against a quota that
// holds half of them: what is stored fits, usage matches what is owned,
// every refusal says so, and the library verifies. Five rounds, each on a
// new library.
func TestUploadQuotaUnderLoad(t *testing.T) {
	const devices, each, rounds = 3, 20, 5
	for round := range rounds {
		files := make([][]byte, devices*each)
		total := int64(0)
		for i := range files {
			files[i] = noisePNG(t, uint64(round*1000+i), 40, 40)
			total += int64(len(files[i]))
		}
		quota := total / 2
		s := newUploadSite(t, &quota, Options{NoRateLimits: true})
		link := s.link(t, sharelink.Spec{UploadAs: "mom"})
		clients := make([]*tusClient, devices)
		for d := range clients {
			clients[d] = s.client(t, link, fmt.Sprintf("device %d", d))
		}
		// Every file fits when it is created: nothing is used yet.
		locs := make([]string, len(files))
		for i, f := range files {
			loc, a := clients[i%devices].create(int64(len(f)), fmt.Sprintf("f%d.png", i))
			if a.status != http.StatusCreated {
				t.Fatalf("round %d: create %d: %v", round, i, a)
			}
			locs[i] = loc
		}
		results := make([]uploadResult, len(files))
		statuses := make([]int, len(files))
		var wg sync.WaitGroup
		for i := range files {
			wg.Go(func() {
				a := clients[i%devices].patch(locs[i], 0, files[i])
				statuses[i], results[i] = a.status, resultOf(t, a)
			})
		}
		wg.Wait()

		added, refused, sum := 0, 0, int64(0)
		for i, res := range results {
			switch {
			case statuses[i] != http.StatusNoContent:
				t.Errorf("round %d: upload %d: status %d", round, i, statuses[i])
			case res.Status == catalog.UploadAdded:
				added++
				sum += int64(len(files[i]))
			case res.Status == catalog.UploadRefused && res.Reason == archive.RefusedQuota && strings.HasPrefix(res.Message, "mom's space is full: "):
				refused++
			default:
				t.Errorf("round %d: upload %d: %+v; want added, or refused for the quota in words", round, i, res)
			}
		}
		mom := s.user(t, "mom")
		if mom.UsedBytes != sum || mom.UsedBytes > quota || mom.ReservedBytes != 0 {
			t.Errorf("round %d: mom uses %d (+%d reserved) of %d; the added files hold %d", round, mom.UsedBytes, mom.ReservedBytes, quota, sum)
		}
		if added == 0 || refused == 0 || added+refused != len(files) {
			t.Errorf("round %d: %d added, %d refused of %d", round, added, refused, len(files))
		}
		if n := len(s.albumPhotos(t)); n != added {
			t.Errorf("round %d: the album holds %d photos; %d were added", round, n, added)
		}
		if names := s.incoming(t); len(names) != 0 {
			t.Errorf("round %d: incoming/ holds %v", round, names)
		}
		s.checkWhole(t)
		t.Logf("round %d: %d added, %d refused; %d of %d bytes used", round, added, refused, mom.UsedBytes, quota)
	}
}

// One device on one link: four uploads sending at once, and new uploads
// at a pace; over either, 429 with Retry-After. Another link is not held
// back.
func TestUploadLimits(t *testing.T) {
	s := newUploadSite(t, nil, Options{})
	link, other := s.link(t, sharelink.Spec{UploadAs: "mom"}), s.link(t, sharelink.Spec{UploadAs: "mom"})
	c := s.client(t, link, "Aunt Sue")
	dir := filepath.Join(s.lib.Root, library.IncomingDir)

	// Four PATCHes that send a byte and then wait.
	var writers []*io.PipeWriter
	var wg sync.WaitGroup
	for range uploadsAtOnce {
		loc, a := c.create(100, "a.png")
		if a.status != http.StatusCreated {
			t.Fatalf("create: %v", a)
		}
		pr, pw := io.Pipe()
		writers = append(writers, pw)
		req, err := http.NewRequest("PATCH", s.srv.URL+loc, pr)
		if err != nil {
			t.Fatal(err)
		}
		req.ContentLength = 100
		req.Header.Set("Tus-Resumable", "1.0.0")
		req.Header.Set("Upload-Offset", "0")
		req.Header.Set("Content-Type", "application/offset+octet-stream")
		wg.Go(func() {
			if resp, err := c.http.Do(req); err == nil {
				resp.Body.Close()
			}
		})
		go func() { _, _ = pw.Write([]byte{1}) }()
		bin := filepath.Join(dir, path.Base(loc))
		waitUntil(t, "the PATCH is received", func() bool {
			fi, err := os.Stat(bin)
			return err == nil && fi.Size() == 1
		})
	}
	loc, _ := c.create(100, "b.png")
	a := c.patch(loc, 0, make([]byte, 100))
	var e apiError
	_ = json.Unmarshal([]byte(a.body), &e)
	if a.status != http.StatusTooManyRequests || a.h.Get("Retry-After") == "" || e.Code != codeRateLimited {
		t.Errorf("a fifth upload sending at once: %v, Retry-After %q; want 429", a, a.h.Get("Retry-After"))
	}
	o := s.client(t, other, "Aunt Sue")
	if a := o.upload(noisePNG(t, 11, 20, 20), "c.png"); resultOf(t, a).Status != catalog.UploadAdded {
		t.Errorf("an upload through another link: %v; want it added", a)
	}
	for _, pw := range writers {
		pw.CloseWithError(io.ErrUnexpectedEOF)
	}
	wg.Wait()

	// New uploads: the burst, then a refusal (the bucket refills one a
	// second, so a slow machine may see a few more pass).
	created := 0
	for range DefaultUploadLimit.Burst * 2 {
		_, a := o.create(1, "d.png")
		if a.status == http.StatusTooManyRequests {
			if a.h.Get("Retry-After") == "" {
				t.Errorf("429 without Retry-After: %v", a)
			}
			break
		}
		if a.status != http.StatusCreated {
			t.Fatalf("create: %v", a)
		}
		created++
	}
	if created < DefaultUploadLimit.Burst-1 || created >= DefaultUploadLimit.Burst*2 {
		t.Errorf("%d uploads created before a 429; want the burst of %d (this link made one already)", created, DefaultUploadLimit.Burst)
	}
	if _, a := c.create(1, "e.png"); a.status != http.StatusCreated {
		t.Errorf("the first link, meanwhile: %v; want 201", a)
	}
}
