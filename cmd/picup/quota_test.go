package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	"io/fs"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/picup/picup/internal/importer"
	"github.com/picup/picup/internal/library"
)

// The quota tests import overlapping sets of generated photos into one
// library at the same time, from separate picup processes and from
// goroutines of the test process that use the Go API, for a user whose
// quota cannot hold them all, and check that the quota held, that no
// update to the usage was lost, that every content is stored once and that
// what each user owns is exactly what their imports accepted.
// PICUP_QUOTA_SEED=N replays the folder layouts of a run.

// qtProcTimeout bounds every process and in-process import the tests start.
const qtProcTimeout = 45 * time.Second

// qtContent is one generated JPEG.
type qtContent struct {
	data []byte
	sha  string
}

// qtJPEG makes a small JPEG whose colour and noise depend on seed, so that
// every seed gives different bytes (a few KB).
func qtJPEG(t testing.TB, seed int) qtContent {
	t.Helper()
	rng := rand.New(rand.NewPCG(uint64(seed), 0x5eed))
	img := image.NewRGBA(image.Rect(0, 0, 64, 48))
	base := color.RGBA{uint8(seed * 37), uint8(seed * 91), uint8(seed * 53), 255}
	for y := range 48 {
		for x := range 64 {
			n := uint8(rng.IntN(24))
			img.Set(x, y, color.RGBA{base.R + n + uint8(x), base.G + n + uint8(y), base.B + n, 255})
		}
	}
	var b bytes.Buffer
	if err := jpeg.Encode(&b, img, &jpeg.Options{Quality: 60}); err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(b.Bytes())
	return qtContent{data: b.Bytes(), sha: hex.EncodeToString(sum[:])}
}

// qtContents makes n distinct JPEGs, seeds from base.
func qtContents(t testing.TB, base, n int) []qtContent {
	t.Helper()
	out := make([]qtContent, n)
	seen := map[string]bool{}
	for i := range out {
		out[i] = qtJPEG(t, base+i)
		if seen[out[i].sha] {
			t.Fatalf("generated JPEG %d is not distinct", i)
		}
		seen[out[i].sha] = true
	}
	return out
}

// qtMtime is the modification time given to every input, which picup
// reads as the capture time: every original lands in one folder, so that
// names collide.
var qtMtime = time.Date(2021, 6, 5, 12, 0, 0, 0, time.UTC)

// qtWrite writes content i at root/rel and records it in inputs
// (absolute path -> sha256).
func qtWrite(t testing.TB, inputs map[string]string, root, rel string, c qtContent) {
	t.Helper()
	p := filepath.Join(root, rel)
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, c.data, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Chtimes(p, qtMtime, qtMtime); err != nil {
		t.Fatal(err)
	}
	inputs[p] = c.sha
}

// qtFolder writes the contents with the given indexes under root, each
// under a name drawn from a small pool (so that different contents share
// names across folders) in one of a few subfolders; dups of them are
// written a second time under another name.
func qtFolder(t testing.TB, rng *rand.Rand, root string, contents []qtContent, idx []int, dups int) map[string]string {
	t.Helper()
	inputs := map[string]string{}
	used := map[string]bool{}
	name := func() string {
		for {
			rel := filepath.Join(fmt.Sprintf("sub%d", rng.IntN(3)), fmt.Sprintf("IMG_%04d.jpg", rng.IntN(len(contents)*2)))
			if !used[rel] {
				used[rel] = true
				return rel
			}
		}
	}
	for _, i := range idx {
		qtWrite(t, inputs, root, name(), contents[i])
	}
	for range dups {
		qtWrite(t, inputs, root, name(), contents[idx[rng.IntN(len(idx))]])
	}
	return inputs
}

// qtSubset picks about frac of 0..n-1, in random order.
func qtSubset(rng *rand.Rand, n int, frac float64) []int {
	perm := rng.Perm(n)
	return perm[:max(1, int(float64(n)*frac))]
}

// qtCmd is the outcome of one picup command.
type qtCmd struct {
	args           []string
	code           int
	stdout, stderr []byte
}

func (c qtCmd) String() string {
	return fmt.Sprintf("picup %s: exit %d\nstdout:\n%s\nstderr:\n%s", strings.Join(c.args, " "), c.code, crashClip(c.stdout), crashClip(c.stderr))
}

// qtStart starts picup; wait returns its outcome.
func qtStart(ctx context.Context, t testing.TB, bin string, args ...string) (wait func() (qtCmd, error)) {
	t.Helper()
	cmd := exec.CommandContext(ctx, bin, args...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Start(); err != nil {
		t.Fatalf("start picup: %v", err)
	}
	return func() (qtCmd, error) {
		err := cmd.Wait()
		res := qtCmd{args: args, code: cmd.ProcessState.ExitCode(), stdout: stdout.Bytes(), stderr: stderr.Bytes()}
		var exitErr *exec.ExitError
		if ctx.Err() != nil {
			return res, fmt.Errorf("%s\ntimed out: %w", res, ctx.Err())
		}
		if err != nil && !errors.As(err, &exitErr) {
			return res, fmt.Errorf("%s\n%w", res, err)
		}
		return res, nil
	}
}

// qtRun runs picup to its end and fails the test unless it exits with one
// of codes.
func qtRun(t testing.TB, bin string, codes []int, args ...string) qtCmd {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), qtProcTimeout)
	defer cancel()
	res, err := qtStart(ctx, t, bin, args...)()
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Contains(codes, res.code) {
		t.Fatalf("%s\nwant exit %v", res, codes)
	}
	return res
}

// qtUser is the part of "user ls --json" the tests read.
type qtUser struct {
	Name          string `json:"name"`
	QuotaBytes    *int64 `json:"quota_bytes"`
	UsedBytes     int64  `json:"used_bytes"`
	TrashedBytes  int64  `json:"trashed_bytes"`
	ReservedBytes int64  `json:"reserved_bytes"`
	Photos        int    `json:"photos"`
	Videos        int    `json:"videos"`
}

// qtPhoto is the part of "ls --json" the tests read.
type qtPhoto struct {
	ID     int64             `json:"id"`
	SHA256 string            `json:"sha256"`
	Path   string            `json:"path"`
	Bytes  int64             `json:"bytes"`
	Owner  string            `json:"owner"`
	Owners []string          `json:"owners"`
	Thumbs map[string]string `json:"thumbs"`
}

type qtVerify struct {
	Photos   int               `json:"photos"`
	Problems []json.RawMessage `json:"problems"`
	OK       bool              `json:"ok"`
}

type qtJob struct {
	ID        int64  `json:"id"`
	Kind      string `json:"kind"`
	Target    string `json:"target"`
	State     string `json:"state"`
	Attempts  int    `json:"attempts"`
	LastError string `json:"last_error"`
}

// qtJSON runs a picup command that prints JSON and decodes it.
func qtJSON[T any](t testing.TB, bin string, codes []int, args ...string) (T, qtCmd) {
	t.Helper()
	res := qtRun(t, bin, codes, args...)
	v, err := crashDecode[T](res.stdout)
	if err != nil {
		t.Fatalf("%s\n%v", res, err)
	}
	return v, res
}

// qtImport is one import that ran during an iteration.
type qtImport struct {
	who     string            // "process 1", "goroutine 2" …
	user    string            // the importing user
	inputs  map[string]string // absolute path -> sha256
	summary importer.Summary
	err     error // the run itself failed (not some files)
	cmd     *qtCmd
}

func TestQuotaConcurrentImports(t *testing.T) {
	bin := picupBinary(t)
	seed := time.Now().UnixNano()
	if s := os.Getenv("PICUP_QUOTA_SEED"); s != "" {
		var err error
		if seed, err = strconv.ParseInt(s, 10, 64); err != nil {
			t.Fatalf("PICUP_QUOTA_SEED=%q: %v", s, err)
		}
	}
	t.Logf("seed %d (replay with PICUP_QUOTA_SEED=%d)", seed, seed)
	rng := rand.New(rand.NewPCG(uint64(seed), 0x9007a))
	contents := qtContents(t, 1, 32)
	iters := 5
	if testing.Short() {
		iters = 2
	}
	for _, shared := range []bool{false, true} {
		name := "kid-alone"
		if shared {
			name = "kid-and-unlimited-mom"
		}
		t.Run(name, func(t *testing.T) {
			for i := range iters {
				qtIteration(t, bin, rng, seed, i, contents, shared)
				if t.Failed() {
					return
				}
			}
		})
	}
}

// qtIteration imports concurrently into a fresh library and checks it.
func qtIteration(t *testing.T, bin string, rng *rand.Rand, seed int64, iter int, contents []qtContent, withMom bool) {
	dir := t.TempDir()
	lib := filepath.Join(dir, "lib")
	var total int64
	for _, c := range contents {
		total += int64(len(c.data))
	}
	quota := total * 6 / 10
	qtRun(t, bin, []int{0}, "--library", lib, "user", "add", "kid", "--quota", strconv.FormatInt(quota, 10)+"B")
	if withMom {
		qtRun(t, bin, []int{0}, "--library", lib, "user", "add", "mom")
	}

	// Folders for kid: together they hold every content; each overlaps
	// the others and repeats some of its own content under other names.
	var kidRoots [][]string
	var kidInputs []map[string]string
	covered := map[int]bool{}
	for k := range 4 {
		root := filepath.Join(dir, "in", fmt.Sprintf("kid%d", k))
		idx := qtSubset(rng, len(contents), 0.45+0.2*rng.Float64())
		if k == 3 { // the last one takes what the others left out
			for i := range contents {
				if !covered[i] {
					idx = append(idx, i)
				}
			}
		}
		for _, i := range idx {
			covered[i] = true
		}
		in := qtFolder(t, rng, root, contents, idx, 3)
		// The same folder under a second root gives the same bytes
		// under another path to the same import.
		if rng.IntN(2) == 0 {
			extra := filepath.Join(dir, "in", fmt.Sprintf("kid%d-copy", k))
			for p, sum := range qtFolder(t, rng, extra, contents, idx[:len(idx)/3], 0) {
				in[p] = sum
			}
			kidRoots = append(kidRoots, []string{root, extra})
		} else {
			kidRoots = append(kidRoots, []string{root})
		}
		kidInputs = append(kidInputs, in)
	}
	var momRoot string
	var momInputs map[string]string
	if withMom {
		momRoot = filepath.Join(dir, "in", "mom")
		momInputs = qtFolder(t, rng, momRoot, contents, qtSubset(rng, len(contents), 0.6), 4)
	}

	ctx, cancel := context.WithTimeout(context.Background(), qtProcTimeout)
	defer cancel()
	start := make(chan struct{})
	var wg sync.WaitGroup
	var imports []*qtImport
	// Goroutines import kid's last two folders, each opening the library
	// on its own, and processes 0 and 1 the first two. The goroutines
	// are let go first: a process takes a while to start.
	for k := 2; k < 4; k++ {
		im := &qtImport{who: fmt.Sprintf("goroutine %d", k), user: "kid", inputs: kidInputs[k]}
		imports = append(imports, im)
		roots := kidRoots[k]
		wg.Go(func() {
			<-start
			l, err := library.Open(ctx, lib)
			if err != nil {
				im.err = err
				return
			}
			defer l.Close()
			im.summary, im.err = importer.Run(ctx, l, roots, importer.Options{User: "kid", Jobs: 2})
		})
	}
	close(start)
	for k := range 2 {
		im := &qtImport{who: fmt.Sprintf("process %d", k), user: "kid", inputs: kidInputs[k]}
		imports = append(imports, im)
		args := append([]string{"--library", lib, "import", "--json", "--user", "kid", "--jobs", "4"}, kidRoots[k]...)
		wait := qtStart(ctx, t, bin, args...)
		wg.Go(func() { qtWaitCLI(im, wait) })
	}
	if withMom {
		im := &qtImport{who: "process mom", user: "mom", inputs: momInputs}
		imports = append(imports, im)
		wait := qtStart(ctx, t, bin, "--library", lib, "import", "--json", "--user", "mom", "--jobs", "4", momRoot)
		wg.Go(func() { qtWaitCLI(im, wait) })
	}
	wg.Wait()

	var problems []string
	add := func(format string, args ...any) { problems = append(problems, fmt.Sprintf(format, args...)) }
	for _, im := range imports {
		if im.err != nil {
			add("%s: %v", im.who, im.err)
		}
	}
	if len(problems) == 0 {
		problems = qtCheck(t, bin, lib, contents, quota, imports)
	}
	var hist strings.Builder
	for _, im := range imports {
		s := im.summary
		fmt.Fprintf(&hist, "\n  %s (--user %s, %d inputs): imported %d, duplicates %d, unchanged %d, failed %d, skipped %d",
			im.who, im.user, len(im.inputs), s.Imported, s.Duplicates, s.Unchanged, s.Failed, s.Skipped)
	}
	if len(problems) > 0 {
		t.Fatalf("iteration %d (replay with PICUP_QUOTA_SEED=%d), quota %d of %d bytes of distinct content:%s\n%d problems:\n  %s\nlibrary state:\n%s",
			iter, seed, quota, total, hist.String(), len(problems), strings.Join(problems, "\n  "), qtState(t, bin, lib))
	}
	t.Logf("iteration %d: quota %d of %d bytes:%s", iter, quota, total, hist.String())
}

func qtWaitCLI(im *qtImport, wait func() (qtCmd, error)) {
	res, err := wait()
	im.cmd = &res
	if err != nil {
		im.err = err
		return
	}
	if res.code != 0 && res.code != 3 {
		im.err = fmt.Errorf("%s\nwant exit 0 or 3", res)
		return
	}
	if err := json.Unmarshal(res.stdout, &im.summary); err != nil {
		im.err = fmt.Errorf("%s\ndecode summary: %w", res, err)
	}
	if (im.summary.Failed > 0) != (res.code == 3) {
		im.err = fmt.Errorf("%s\nexit %d with %d failures", res, res.code, im.summary.Failed)
	}
}

// qtQuotaFailure reports whether an import failure is the quota's refusal
// for user: its message, or a second input with the bytes of one that the
// quota refused in the same run.
func qtQuotaFailure(f importer.Failure, user string, quotaFailed map[string]bool) bool {
	if strings.Contains(f.Error, fmt.Sprintf("quota exceeded for %q", user)) {
		return true
	}
	if rest, ok := strings.CutPrefix(f.Error, "same content as "); ok {
		if p, ok := strings.CutSuffix(rest, ", which failed"); ok {
			return quotaFailed[p]
		}
	}
	return false
}

// qtCheck holds the library to the quota invariants.
func qtCheck(t *testing.T, bin, lib string, contents []qtContent, quota int64, imports []*qtImport) []string {
	t.Helper()
	var problems []string
	add := func(format string, args ...any) { problems = append(problems, fmt.Sprintf(format, args...)) }

	size := map[string]int64{}
	for _, c := range contents {
		size[c.sha] = int64(len(c.data))
	}
	// What each user's imports accepted, and what they refused.
	accepted := map[string]map[string]bool{} // user -> sha256 set
	refused := map[string]map[string]bool{}
	imported := 0
	for _, im := range imports {
		s := im.summary
		imported += s.Imported
		if accepted[im.user] == nil {
			accepted[im.user], refused[im.user] = map[string]bool{}, map[string]bool{}
		}
		if n := s.Imported + s.Duplicates + s.Unchanged + s.Failed; n != len(im.inputs) || s.Skipped != 0 {
			add("%s: imported %d + duplicates %d + unchanged %d + failed %d = %d, skipped %d; want %d inputs, none skipped",
				im.who, s.Imported, s.Duplicates, s.Unchanged, s.Failed, n, s.Skipped, len(im.inputs))
		}
		failed := map[string]bool{}
		quotaFailed := map[string]bool{}
		for _, f := range s.Failures {
			if strings.Contains(f.Error, "quota exceeded") {
				quotaFailed[f.Path] = true
			}
		}
		for _, f := range s.Failures {
			failed[f.Path] = true
			if _, ok := im.inputs[f.Path]; !ok {
				add("%s: failure of %s, which is not one of its inputs: %s", im.who, f.Path, f.Error)
			}
			if !qtQuotaFailure(f, im.user, quotaFailed) {
				add("%s: %s failed with something else than the quota: %s", im.who, f.Path, f.Error)
			}
		}
		for p, sum := range im.inputs {
			if failed[p] {
				refused[im.user][sum] = true
			} else {
				accepted[im.user][sum] = true
			}
		}
	}

	all, _ := qtJSON[[]qtPhoto](t, bin, []int{0}, "--library", lib, "ls", "--json")
	byID := map[int64]qtPhoto{}
	seen := map[string]int64{}
	for _, p := range all {
		byID[p.ID] = p
		if id, dup := seen[p.SHA256]; dup {
			add("content %.12s stored twice: photos %d and %d", p.SHA256, id, p.ID)
		}
		seen[p.SHA256] = p.ID
		if want, ok := size[p.SHA256]; !ok {
			add("photo %d %s has content %.12s that no input has", p.ID, p.Path, p.SHA256)
		} else if p.Bytes != want {
			add("photo %d %s: %d bytes, its content has %d", p.ID, p.Path, p.Bytes, want)
		}
		if len(p.Owners) == 0 {
			add("photo %d %s has no owner", p.ID, p.Path)
		}
		if sum, err := crashHashFile(filepath.Join(lib, filepath.FromSlash(p.Path))); err != nil || sum != p.SHA256 {
			add("photo %d: original %s: hash %.12s, %v; want %.12s", p.ID, p.Path, sum, err, p.SHA256)
		}
	}
	if imported != len(all) {
		add("the imports report %d imported in all, the library holds %d photos", imported, len(all))
	}

	users, _ := qtJSON[[]qtUser](t, bin, []int{0}, "--library", lib, "user", "ls", "--json")
	byName := map[string]qtUser{}
	for _, u := range users {
		byName[u.Name] = u
	}
	for user, acc := range accepted {
		u, ok := byName[user]
		if !ok {
			add("user %q is not in user ls", user)
			continue
		}
		owned, _ := qtJSON[[]qtPhoto](t, bin, []int{0}, "--library", lib, "ls", "--json", "--user", user)
		var sum int64
		ownedSHA := map[string]bool{}
		for _, p := range owned {
			sum += p.Bytes
			ownedSHA[p.SHA256] = true
			if !slices.Contains(byID[p.ID].Owners, user) {
				add("photo %d is listed for %q, whose name is not among its owners %v", p.ID, user, byID[p.ID].Owners)
			}
		}
		if u.UsedBytes != sum {
			add("user %q: used_bytes %d, but the photos they own sum to %d bytes (%d photos): lost update", user, u.UsedBytes, sum, len(owned))
		}
		if u.ReservedBytes != 0 {
			add("user %q: reserved_bytes %d after every import ended", user, u.ReservedBytes)
		}
		if u.TrashedBytes != 0 {
			add("user %q: trashed_bytes %d, nothing was trashed", user, u.TrashedBytes)
		}
		if u.QuotaBytes != nil && u.UsedBytes > *u.QuotaBytes {
			add("user %q: used_bytes %d exceeds the quota %d", user, u.UsedBytes, *u.QuotaBytes)
		}
		if u.Photos != len(owned) {
			add("user %q: user ls says %d photos, ls --user lists %d", user, u.Photos, len(owned))
		}
		for sha := range acc {
			if !ownedSHA[sha] {
				add("user %q: an import accepted content %.12s, but they do not own it", user, sha)
			}
		}
		for sha := range ownedSHA {
			if !acc[sha] {
				add("user %q owns content %.12s, which every import of theirs refused (or none had)", user, sha)
			}
		}
		if user == "kid" {
			if u.QuotaBytes == nil || *u.QuotaBytes != quota {
				add("kid's quota is %v, want %d", u.QuotaBytes, quota)
			}
			if len(refused[user]) == 0 {
				add("kid's imports refused nothing, though the distinct content exceeds the quota")
			}
			// Not an error (reservations of imports in flight count
			// while they last), but worth seeing.
			fit := 0
			for sha := range refused[user] {
				if !ownedSHA[sha] && u.UsedBytes+size[sha] <= quota {
					fit++
				}
			}
			if fit > 0 {
				t.Logf("kid: %d refused contents would fit in the quota left at the end (%d bytes)", fit, quota-u.UsedBytes)
			}
		} else if len(refused[user]) > 0 {
			add("user %q (unlimited) had %d contents refused", user, len(refused[user]))
		}
	}

	v, vres := qtJSON[qtVerify](t, bin, []int{0, 1}, "--library", lib, "verify", "--json")
	if !v.OK || vres.code != 0 || len(v.Problems) > 0 || v.Photos != len(all) {
		add("verify: ok=%v, exit %d, %d photos (ls: %d), problems:\n%s", v.OK, vres.code, v.Photos, len(all), vres.stdout)
	}
	entries, err := os.ReadDir(filepath.Join(lib, "tmp"))
	if err != nil {
		add("read tmp/: %v", err)
	}
	for _, e := range entries {
		add("tmp/%s left after every import ended", e.Name())
	}
	return problems
}

// qtState prints what the catalog and the library hold, for a failure.
func qtState(t *testing.T, bin, lib string) string {
	t.Helper()
	var b strings.Builder
	ctx, cancel := context.WithTimeout(context.Background(), qtProcTimeout)
	defer cancel()
	for _, args := range [][]string{{"user", "ls", "--json"}, {"jobs", "ls", "--json"}, {"trash", "ls", "--json"}} {
		res, err := qtStart(ctx, t, bin, append([]string{"--library", lib}, args...)...)()
		if err != nil {
			fmt.Fprintf(&b, "picup %s: %v\n", strings.Join(args, " "), err)
			continue
		}
		fmt.Fprintf(&b, "picup %s (exit %d):\n%s%s\n", strings.Join(args, " "), res.code, crashClip(res.stdout), res.stderr)
	}
	b.WriteString("files:\n")
	_ = filepath.WalkDir(lib, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return nil
		}
		rel, _ := filepath.Rel(lib, p)
		fi, _ := d.Info()
		if fi != nil {
			fmt.Fprintf(&b, "  %s (%d bytes)\n", rel, fi.Size())
		}
		return nil
	})
	return b.String()
}

// TestImportSameBytesAsOtherUser (named so that -run Quota leaves it out)
// imports one large photo for mom
// (unlimited) and, while that import runs, the same bytes for kid, whose
// quota holds the photo one and a half times and who owns nothing. Kid's
// import must never be refused: whatever the interleaving, the photo fits.
// (When mom commits first, kid's import finds the photo stored and takes
// ownership of it; its own reservation for the same bytes must not count
// against it then.)
func TestImportSameBytesAsOtherUser(t *testing.T) {
	bin := picupBinary(t)
	in := filepath.Join(t.TempDir(), "in")
	rng := rand.New(rand.NewPCG(7, 7))
	img := image.NewRGBA(image.Rect(0, 0, 3000, 2000))
	for i := range img.Pix {
		img.Pix[i] = uint8(rng.IntN(256))
	}
	var b bytes.Buffer
	if err := jpeg.Encode(&b, img, &jpeg.Options{Quality: 90}); err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(b.Bytes())
	big := qtContent{data: b.Bytes(), sha: hex.EncodeToString(sum[:])}
	qtWrite(t, map[string]string{}, in, "BIG.jpg", big)
	size := int64(len(big.data))

	delays := []time.Duration{0, 50 * time.Millisecond, 100 * time.Millisecond, 200 * time.Millisecond}
	if testing.Short() {
		delays = delays[1:3]
	}
	for _, d := range delays {
		lib := filepath.Join(t.TempDir(), "lib")
		qtRun(t, bin, []int{0}, "--library", lib, "user", "add", "kid", "--quota", strconv.FormatInt(size*3/2, 10)+"B")
		qtRun(t, bin, []int{0}, "--library", lib, "user", "add", "mom")
		ctx, cancel := context.WithTimeout(context.Background(), qtProcTimeout)
		waitMom := qtStart(ctx, t, bin, "--library", lib, "import", "--json", "--user", "mom", in)
		time.Sleep(d)
		kid, kerr := qtStart(ctx, t, bin, "--library", lib, "import", "--json", "--user", "kid", in)()
		mom, merr := waitMom()
		cancel()
		if kerr != nil || merr != nil {
			t.Fatalf("kid: %v\nmom: %v", kerr, merr)
		}
		if mom.code != 0 {
			t.Fatalf("mom's import: %s", mom)
		}
		users, ures := qtJSON[[]qtUser](t, bin, []int{0}, "--library", lib, "user", "ls", "--json")
		if kid.code != 0 {
			t.Errorf("kid started %v after mom: kid's import of a %d-byte photo, with a quota of %d and nothing owned, was refused:\n%s\nuser ls --json:\n%s",
				d, size, size*3/2, kid, ures.stdout)
			continue
		}
		for _, u := range users {
			if (u.Name == "kid" || u.Name == "mom") && (u.UsedBytes != size || u.ReservedBytes != 0) {
				t.Errorf("kid started %v after mom: user %q: used %d, reserved %d; want %d used, 0 reserved", d, u.Name, u.UsedBytes, u.ReservedBytes, size)
			}
		}
		if v, res := qtJSON[qtVerify](t, bin, []int{0, 1}, "--library", lib, "verify", "--json"); !v.OK {
			t.Errorf("verify: %s", res)
		}
	}
}
