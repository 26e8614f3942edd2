package web

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	tusd "github.com/tus/tusd/v2/pkg/handler"

	"github.com/picup/picup/internal/archive"
	"github.com/picup/picup/internal/catalog"
)

// uploadResult is what became of a finished upload: the headers of the
// answer to its last PATCH, and the JSON of GET …/uploads/{id}/result.
type uploadResult struct {
	Status  string `json:"status"`   // catalog.UploadAdded, UploadPending, UploadDuplicate, UploadRefused, UploadRejected
	PhotoID int64  `json:"photo_id"` // the photo stored, or the one it duplicates; 0 when refused
	Reason  string `json:"reason"`   // when refused: archive.RefusedQuota or RefusedNotMedia
	Message string `json:"message"`  // in the page's language
}

// headers are the result as response headers. The message is
// percent-encoded (UTF-8), as decodeURIComponent reads it: a header's
// value is not read as UTF-8 by browsers.
func (res uploadResult) headers() map[string]string {
	h := map[string]string{"Picup-Upload": res.Status, "Picup-Message": url.PathEscape(res.Message)}
	if res.PhotoID != 0 {
		h["Picup-Photo-Id"] = strconv.FormatInt(res.PhotoID, 10)
	}
	if res.Reason != "" {
		h["Picup-Reason"] = res.Reason
	}
	return h
}

// beforeFinish is tusd's PreFinishResponseCallback, called while the
// upload's lock is held once its last byte is stored: it imports the
// file and puts the result in the answer.
func (u *uploads) beforeFinish(ev tusd.HookEvent) (tusd.HTTPResponse, error) {
	c := callOf(ev.Context)
	if c.over.Load() {
		u.remove(ev.Upload.ID)
		return tusd.HTTPResponse{}, tusError(http.StatusRequestEntityTooLarge, codeTooLarge, c.t.TooMuch)
	}
	res, err := u.finish(ev.Context, c, ev.Upload)
	if err != nil {
		return tusd.HTTPResponse{}, err
	}
	return tusd.HTTPResponse{Header: res.headers()}, nil
}

// finish imports a complete upload as its guest's, then removes its
// bytes from incoming/ (the library has its copy, or refused it). The
// caller holds the upload's lock. An import that fails for a reason other
// than the file (a full disk) records nothing and keeps the bytes: the
// client asks again (GET …/result) and the import is tried again.
func (u *uploads) finish(ctx context.Context, c *uploadCall, info tusd.FileInfo) (uploadResult, error) {
	// The import runs to its end even when the client goes away: its
	// result is recorded, and the client can ask for it.
	ctx = context.WithoutCancel(ctx)
	// The link may have ended while the bytes arrived.
	sh, err := u.s.lib.Catalog.ShareByID(ctx, c.sh.ID)
	if err != nil && !errors.Is(err, catalog.ErrNotFound) {
		return uploadResult{}, err
	}
	if err != nil || !sh.Active(u.s.opts.Now()) {
		u.remove(info.ID)
		return uploadResult{}, tusError(http.StatusGone, codeGone, c.t.Ended)
	}
	u.imports <- struct{}{}
	up, err := u.a.ImportUpload(ctx, c.guest, archive.UploadedFile{
		TusID: info.ID, Path: filepath.Join(u.dir, info.ID), FileName: info.MetaData[metaFileName],
	})
	<-u.imports
	if err != nil {
		u.s.log.ErrorContext(ctx, "import upload", "err", err)
		return uploadResult{}, tusError(http.StatusInternalServerError, codeImport, c.t.ImportFailed)
	}
	u.remove(info.ID)
	return u.describe(ctx, c, up), nil
}

// describe puts an upload's result in words.
func (u *uploads) describe(ctx context.Context, c *uploadCall, up catalog.Upload) uploadResult {
	res := uploadResult{Status: up.Status, PhotoID: up.PhotoID, Reason: up.Reason, Message: c.t.status(up.Status, up.Reason)}
	if up.Status == catalog.UploadRefused && up.Reason == archive.RefusedQuota {
		user := up.UserName
		if user == "" {
			user = c.sh.UploadUser
		}
		if qe, err := u.a.QuotaOf(ctx, user, up.Bytes); err != nil {
			u.s.log.ErrorContext(ctx, "upload: read the quota", "err", err)
		} else {
			res.Message = c.t.quotaFull(qe)
		}
	}
	return res
}

// writeDone answers HEAD or PATCH for an upload already imported: every
// byte is in, and what became of it.
func (u *uploads) writeDone(w http.ResponseWriter, r *http.Request, c *uploadCall, up catalog.Upload, status int) {
	h := w.Header()
	for k, v := range u.describe(r.Context(), c, up).headers() {
		h.Set(k, v)
	}
	n := strconv.FormatInt(up.Bytes, 10)
	h.Set("Tus-Resumable", "1.0.0")
	h.Set("Upload-Offset", n)
	h.Set("Upload-Length", n)
	h.Set("Cache-Control", "no-store")
	w.WriteHeader(status)
}

// result answers GET …/uploads/{id}/result: what became of an upload,
// for a client that lost the answer to its last PATCH. An upload whose
// bytes are all in but which was not imported (the server stopped in
// between) is imported now.
func (u *uploads) result(w http.ResponseWriter, r *http.Request, c *uploadCall) {
	id := r.PathValue("id")
	st := u.state(r.Context(), c, id)
	switch {
	case st.err != nil:
		u.s.internalError(w, r, st.err)
		return
	case st.done != nil:
	case st.complete:
		st = u.finishLate(r.Context(), c, id)
		if st.err != nil {
			var te tusd.Error
			if errors.As(st.err, &te) {
				refuse(w, te.HTTPResponse.StatusCode, te.ErrorCode, te.Message)
			} else {
				u.s.internalError(w, r, st.err)
			}
			return
		}
	case st.receiving:
		refuse(w, http.StatusConflict, codeNotFinished, c.t.NotFinished)
		return
	default:
		tusNotFound(w, r)
		return
	}
	writeJSON(w, http.StatusOK, u.describe(r.Context(), c, *st.done))
}

// finishLate imports a complete upload outside of a PATCH, under its
// lock.
func (u *uploads) finishLate(ctx context.Context, c *uploadCall, id string) uploadState {
	lock, err := u.locker.NewLock(id)
	if err != nil {
		return uploadState{err: err}
	}
	lctx, cancel := context.WithTimeout(ctx, 20*time.Second)
	defer cancel()
	if err := lock.Lock(lctx, func() {}); err != nil {
		return uploadState{err: err}
	}
	defer lock.Unlock() //nolint:errcheck // a memory lock's Unlock does not fail
	st := u.state(ctx, c, id)
	if !st.complete {
		return st // imported meanwhile, or gone
	}
	if _, err := u.finish(ctx, c, st.info); err != nil {
		return uploadState{err: err}
	}
	return u.state(ctx, c, id)
}

// remove deletes an upload's bytes, then its .info: a crash in between
// leaves a .info without bytes, which tusd does not serve and sweep
// removes.
func (u *uploads) remove(id string) {
	bin := filepath.Join(u.dir, id)
	for _, p := range []string{bin, bin + ".info"} {
		if err := os.Remove(p); err != nil && !errors.Is(err, os.ErrNotExist) {
			u.s.log.Error("remove an upload's bytes", "err", err)
		}
	}
}

// sweepNow sweeps when the last sweep is older than sweepEveryUploads.
func (u *uploads) sweepNow(ctx context.Context) {
	last := u.swept.Load()
	if time.Since(time.Unix(0, last)) >= sweepEveryUploads && u.swept.CompareAndSwap(last, time.Now().UnixNano()) {
		u.sweep(ctx, false)
	}
}

// sweep removes from incoming/ what no client will finish, so that it
// cannot grow without bound: uploads that received nothing for a day, the
// bytes of uploads already imported (which a crash between the import and
// their removal leaves), .info files without their bytes, and, on the
// endpoint's first request (no upload of this process is being created)
// or after a day, bytes without a .info and .info files that cannot be
// read.
func (u *uploads) sweep(ctx context.Context, startup bool) {
	now := time.Now()
	u.swept.Store(now.UnixNano())
	entries, err := os.ReadDir(u.dir)
	if err != nil {
		u.s.log.Error("look for abandoned uploads", "err", err)
		return
	}
	has := map[string]bool{}
	for _, e := range entries {
		has[e.Name()] = true
	}
	old := func(p string) bool {
		fi, err := os.Stat(p)
		return err == nil && now.Sub(fi.ModTime()) > abandonedAfter
	}
	for _, e := range entries {
		name := e.Name()
		p := filepath.Join(u.dir, name)
		id, isInfo := strings.CutSuffix(name, ".info")
		switch {
		case !tusID.MatchString(id) || e.IsDir():
			if old(p) {
				u.removeAll(p)
			}
		case !isInfo:
			if !has[name+".info"] && (startup || old(p)) {
				u.removeAll(p)
			}
		case !has[id]:
			u.removeAll(p)
		case old(filepath.Join(u.dir, id)):
			u.remove(id)
		default:
			if _, err := u.store.GetUpload(ctx, id); err != nil {
				if startup || old(p) {
					u.remove(id)
				}
				continue
			}
			if _, err := u.s.lib.Catalog.UploadByTusID(ctx, id); err == nil {
				u.remove(id)
			}
		}
	}
}

func (u *uploads) removeAll(p string) {
	if err := os.RemoveAll(p); err != nil {
		u.s.log.Error("remove an abandoned upload", "path", path.Base(p), "err", err)
	}
}

// locationWriter replaces the Location tusd writes for a new upload
// (its BasePath "/" on the request's host) by the upload's path under
// the link, base + id.
type locationWriter struct {
	http.ResponseWriter
	base string
}

func (w *locationWriter) WriteHeader(code int) {
	if loc := w.Header().Get("Location"); loc != "" {
		w.Header().Set("Location", w.base+path.Base(loc))
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *locationWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }
