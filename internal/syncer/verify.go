package syncer

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"math/rand/v2"
	"sort"
	"strings"

	"github.com/picup/picup/internal/blob"
	"github.com/picup/picup/internal/catalog"
	"github.com/picup/picup/internal/library"
)

// VerifyOptions says how to check a remote.
type VerifyOptions struct {
	Sample   float64 // fraction of objects whose checksum is checked (0 or 1: all)
	ReadData bool    // download and hash instead of trusting the recorded checksum
	Repair   bool    // forget what is missing or corrupt, so that the next sync uploads it
}

// RemoteProblem is one disagreement between the catalog and a remote.
type RemoteProblem struct {
	Kind   string `json:"kind"` // missing, corrupt, unknown
	Key    string `json:"key"`
	Detail string `json:"detail"`
}

// RemoteReport is what VerifyRemote found.
type RemoteReport struct {
	Remote   string          `json:"remote"`
	Checked  int             `json:"checked"`
	Problems []RemoteProblem `json:"problems"`
	Repaired bool            `json:"repaired"`
}

type expected struct {
	sha     string // "" when only the size is known
	size    int64
	photoID int64
}

// VerifyRemote checks that every object the catalog needs is in the remote
// with the right size and checksum (one listing, then HEAD per object, or
// a download with ReadData), and lists objects the catalog does not know.
func VerifyRemote(ctx context.Context, lib *library.Library, r catalog.Remote, store blob.Store, o VerifyOptions) (RemoteReport, error) {
	rep := RemoteReport{Remote: r.Name, Problems: []RemoteProblem{}}
	want, err := expectedObjects(ctx, lib)
	if err != nil {
		return rep, err
	}
	snaps, err := lib.Catalog.Snapshots(ctx, r.Name)
	if err != nil {
		return rep, err
	}
	have := map[string]blob.Info{}
	if err := store.List(ctx, "", func(i blob.Info) error { have[i.Key] = i; return nil }); err != nil {
		return rep, fmt.Errorf("list remote %q: %w", r.Name, err)
	}
	forget, err := compareObjects(ctx, store, want, have, o, &rep)
	if err != nil {
		return rep, err
	}
	rep.Problems = append(rep.Problems, unknownObjects(want, have, snaps)...)
	if o.Repair && len(forget) > 0 {
		if err := forgetObjects(ctx, lib, r.Name, forget, want); err != nil {
			return rep, err
		}
		rep.Repaired = true
	}
	return rep, nil
}

// expectedObjects is what the catalog needs in a remote, by key: each
// photo's original, its sidecars, the thumbnails the library has (their
// size only) and its meta/<sha256>.json.
func expectedObjects(ctx context.Context, lib *library.Library) (map[string]expected, error) {
	want := map[string]expected{}
	sidecars, err := lib.Catalog.AllSidecars(ctx)
	if err != nil {
		return nil, err
	}
	albums, err := lib.Catalog.AllAlbumNames(ctx)
	if err != nil {
		return nil, err
	}
	takingPart, err := lib.Catalog.AllTakingPart(ctx)
	if err != nil {
		return nil, err
	}
	err = lib.Catalog.EachPhoto(ctx, func(p catalog.Photo) error {
		objects, err := objectsOf(lib, p, sidecars[p.ID], albums[p.ID], takingPart[p.ID])
		for _, u := range objects {
			want[u.key] = expected{u.sha, u.size, p.ID}
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	return want, nil
}

// compareObjects checks each expected object, in key order, against the
// remote's listing and checksums, and adds what is missing or corrupt to
// rep. It returns those keys, for the catalog to forget.
func compareObjects(ctx context.Context, store blob.Store, want map[string]expected, have map[string]blob.Info, o VerifyOptions, rep *RemoteReport) ([]string, error) {
	keys := make([]string, 0, len(want))
	for k := range want {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var forget []string
	for _, k := range keys {
		w := want[k]
		info, ok := have[k]
		rep.Checked++
		switch {
		case !ok:
			rep.Problems = append(rep.Problems, RemoteProblem{Kind: "missing", Key: k, Detail: "not in the remote"})
			forget = append(forget, k)
		case info.Size != w.size && !strings.HasPrefix(k, "thumbs/"):
			rep.Problems = append(rep.Problems, RemoteProblem{Kind: "corrupt", Key: k,
				Detail: fmt.Sprintf("%d bytes in the remote, %d expected", info.Size, w.size)})
			forget = append(forget, k)
		case w.sha != "" && (o.Sample <= 0 || o.Sample >= 1 || rand.Float64() < o.Sample):
			got, err := remoteSHA(ctx, store, k, o.ReadData)
			if err != nil {
				return forget, fmt.Errorf("check %s: %w", k, err)
			}
			if got != w.sha {
				rep.Problems = append(rep.Problems, RemoteProblem{Kind: "corrupt", Key: k,
					Detail: fmt.Sprintf("SHA-256 %s in the remote, %s expected", short(got), short(w.sha))})
				forget = append(forget, k)
			}
		}
	}
	return forget, nil
}

// unknownObjects are the remote's objects that the catalog does not know:
// neither expected nor one of its snapshots (catalog/ is sync's own).
func unknownObjects(want map[string]expected, have map[string]blob.Info, snaps []catalog.Snapshot) []RemoteProblem {
	snapKeys := map[string]bool{}
	for _, s := range snaps {
		snapKeys[s.Key] = true
	}
	var unknown []string
	for k := range have {
		if _, ok := want[k]; !ok && !snapKeys[k] && !strings.HasPrefix(k, "catalog/") {
			unknown = append(unknown, k)
		}
	}
	sort.Strings(unknown)
	problems := make([]RemoteProblem, 0, len(unknown))
	for _, k := range unknown {
		problems = append(problems, RemoteProblem{Kind: "unknown", Key: k, Detail: "in the remote but not in the catalog"})
	}
	return problems
}

// forgetObjects makes the catalog forget that the remote holds keys, and
// marks their photos changed, so that the next sync uploads them again.
func forgetObjects(ctx context.Context, lib *library.Library, remote string, keys []string, want map[string]expected) error {
	return lib.Catalog.Write(ctx, func(tx *catalog.Tx) error {
		ids := make([]int64, 0, len(keys))
		for _, k := range keys {
			if err := tx.DeleteRemoteObject(ctx, remote, k); err != nil {
				return err
			}
			ids = append(ids, want[k].photoID)
		}
		return tx.MarkChanged(ctx, ids...)
	})
}

func short(s string) string {
	if len(s) > 12 {
		return s[:12]
	}
	if s == "" {
		return "(none)"
	}
	return s
}

// remoteSHA is an object's SHA-256: the one stored with it, or, with
// readData, the hash of its downloaded content.
func remoteSHA(ctx context.Context, store blob.Store, key string, readData bool) (string, error) {
	if !readData {
		info, err := store.Head(ctx, key)
		return info.SHA256, err
	}
	rc, _, err := store.Get(ctx, key)
	if err != nil {
		return "", err
	}
	defer rc.Close()
	h := sha256.New()
	if _, err := io.Copy(h, rc); err != nil {
		return "", err
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}
