package library

import (
	"path"
	"testing"

	"github.com/picup/picup/internal/thumb"
)

// ThumbPath's concatenation for hex hashes is what path.Join makes.
func TestThumbPathAsJoin(t *testing.T) {
	for _, sha := range []string{"ab", "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef", "AB12", "ab/../cd", "a./b", ".."} {
		for _, size := range []thumb.SizeName{"grid", "screen", "x/../y", ""} {
			if got, want := ThumbPath(sha, size), path.Join(ThumbsDir, sha[:2], sha+"-"+string(size)+".jpg"); got != want {
				t.Errorf("ThumbPath(%q, %q) = %q; want %q", sha, size, got, want)
			}
		}
	}
}
