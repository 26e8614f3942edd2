package importer

import (
	"fmt"
	"path"
	"path/filepath"
	"strings"
)

// Filter picks the files an import takes by glob patterns (path.Match:
// *, ?, [a-z]), compared without regard to case (IMG_1.JPG matches
// *.jpg). A pattern without a slash is matched against a file's or a
// directory's name, one with a slash against its path below the folder
// given to import (2019/*/IMG_*). An excluded directory is not walked
// into; sidecars travel with their photo unless excluded themselves.
type Filter struct {
	Include []string // when any: only the files one of them matches
	Exclude []string // never what one of them matches (it wins over Include)
}

// Check reports a malformed pattern.
func (f Filter) Check() error {
	for _, set := range []struct {
		flag string
		pats []string
	}{{"--include", f.Include}, {"--exclude", f.Exclude}} {
		for _, p := range set.pats {
			if p == "" {
				return fmt.Errorf("%s: the pattern is empty", set.flag)
			}
			if _, err := path.Match(strings.ToLower(p), ""); err != nil {
				return fmt.Errorf("%s %q: %w (patterns use *, ? and [a-z])", set.flag, p, err)
			}
		}
	}
	return nil
}

// excluded reports whether an Exclude pattern matches the entry named
// name at rel (slash-separated, below the folder given to import).
func (f Filter) excluded(rel, name string) bool { return matchAny(f.Exclude, rel, name) }

// takes reports whether a file is imported: not excluded, and matched by
// an Include pattern when there are any.
func (f Filter) takes(rel, name string) bool {
	return !f.excluded(rel, name) && (len(f.Include) == 0 || matchAny(f.Include, rel, name))
}

func matchAny(pats []string, rel, name string) bool {
	for _, p := range pats {
		p = strings.ToLower(p)
		subject := name
		if strings.Contains(p, "/") {
			subject = rel
		}
		if ok, _ := path.Match(p, strings.ToLower(filepath.ToSlash(subject))); ok {
			return true
		}
	}
	return false
}
