package importer

import (
	"errors"
	"sync"
	"sync/atomic"
	"time"
)

// Summary is what an import did. Its JSON form is a documented, stable
// interface (docs/cli.md).
type Summary struct {
	Imported     int         `json:"imported"`
	Duplicates   int         `json:"duplicates"`
	Unchanged    int         `json:"unchanged"`
	Skipped      int         `json:"skipped"`
	Excluded     int         `json:"excluded"` // files --include and --exclude left out
	Failed       int         `json:"failed"`
	NotTried     int         `json:"not_tried"` // left for a later run: the import stopped (a full disk)
	Stopped      string      `json:"stopped,omitempty"`
	Moved        int         `json:"moved,omitempty"`
	Bytes        int64       `json:"bytes"`
	Placeholders int         `json:"placeholders"`
	DryRun       bool        `json:"dry_run,omitempty"`
	Interrupted  bool        `json:"interrupted,omitempty"`
	Album        string      `json:"album,omitempty"`
	User         string      `json:"user"`
	Seconds      float64     `json:"seconds"`
	Failures     []Failure   `json:"failures"`
	DuplicateOf  []Duplicate `json:"duplicate_of"`
	SkippedFiles []Skip      `json:"skipped_files"`
	Notes        []string    `json:"notes"`
	// Stored lists the files whose content this run stored, with their
	// photo (for callers that import one file and want its id).
	Stored []Stored `json:"-"`
}

// Stored is an input whose content this run stored.
type Stored struct {
	Path    string
	PhotoID int64
}

// Failure is an input that could not be imported, and why.
type Failure struct {
	Path  string `json:"path"`
	Error string `json:"error"`
	Err   error  `json:"-"` // Error, for errors.Is (catalog.ErrQuota)
}

// ErrOwnedByOthers marks the failure of a file whose content is already
// in the library, owned by other users only, and that the importing user
// could not own too: their quota has no room for it (a photo counts in
// the quota of each of its owners).
var ErrOwnedByOthers = errors.New("already in the library, owned by another user")

// Duplicate is an input whose content was already stored.
type Duplicate struct {
	Path string `json:"path"`
	// The photo of the library it is a copy of, and its path there; null
	// in a --dry-run for a copy of a file of the same run (no photo yet),
	// which SameAs names instead.
	PhotoID   *int64  `json:"photo_id"`
	PhotoPath *string `json:"photo_path"`
	SameAs    string  `json:"same_as,omitempty"`
}

// Skip is an input that is not a photo or video.
type Skip struct {
	Path   string `json:"path"`
	Reason string `json:"reason"`
}

// Progress is read by a progress display while an import runs.
type Progress struct {
	TotalFiles atomic.Int64 // known once the counting walk ends
	TotalBytes atomic.Int64
	Counted    atomic.Bool
	DoneFiles  atomic.Int64
	DoneBytes  atomic.Int64
	Started    time.Time
}

// tally collects results from the workers.
type tally struct {
	mu sync.Mutex
	s  Summary
}

func (t *tally) add(fn func(s *Summary)) {
	t.mu.Lock()
	fn(&t.s)
	t.mu.Unlock()
}
