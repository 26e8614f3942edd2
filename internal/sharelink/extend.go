package sharelink

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/picup/picup/internal/catalog"
	"github.com/picup/picup/internal/library"
	"github.com/picup/picup/pkg/period"
)

// ExpiryChange says how a link's expiry changes: exactly one of Add,
// Never and At.
type ExpiryChange struct {
	Add     time.Duration // added to the current expiry (to now, when the link has expired)
	Never   bool          // the link never expires
	At      time.Time     // a new expiry, later than the current one unless Shorten
	Shorten bool          // with At: it may be earlier than the current expiry
}

// ErrShorten is returned when a change would make a link end sooner
// without saying so (ExpiryChange.Shorten).
var ErrShorten = errors.New("would shorten it")

// Expiry is a link's expiry before and after a change: the zero time for
// never.
type Expiry struct {
	ID            int64
	Before, After time.Time
}

// Extend changes when a link expires, never to sooner unless c.Shorten
// says so: a duration is added to the current expiry, and a new expiry
// (At) must be later than the current one. A revoked link cannot be
// extended, nor can one that never expires be given a duration (there is
// nothing to add to).
func Extend(ctx context.Context, lib *library.Library, id int64, c ExpiryChange, now time.Time) (Expiry, error) {
	if n := btoi(c.Add != 0) + btoi(c.Never) + btoi(!c.At.IsZero()); n != 1 {
		return Expiry{}, fmt.Errorf("say how to change the expiry, one of them: a duration to add, never, or a new expiry; got %d of them", n)
	}
	if c.Add < 0 {
		return Expiry{}, fmt.Errorf("a link is extended by a positive duration, not %s", c.Add)
	}
	ex := Expiry{ID: id}
	err := lib.Catalog.Write(ctx, func(tx *catalog.Tx) error {
		sh, err := tx.ShareByID(ctx, id)
		if err != nil {
			return err
		}
		if !sh.RevokedAt.IsZero() {
			return fmt.Errorf("share %d: %w; create a new one with \"picup share\"", id, catalog.ErrShareRevoked)
		}
		ex.Before = sh.ExpiresAt
		before := sh.ExpiresAt
		switch {
		case c.Never:
			ex.After = time.Time{}
		case c.Add != 0 && sh.ExpiresAt.IsZero():
			return fmt.Errorf("share %d never expires: adding %s changes nothing; to make it expire, give --expires-at DATE with --shorten",
				id, period.Words(c.Add))
		case c.Add != 0:
			ex.After = laterOf(before, now).Add(c.Add).UTC().Truncate(time.Second)
		default:
			if !c.At.After(now) {
				return fmt.Errorf("%s is not in the future; to close the link now, use \"picup share revoke %d\"", c.At.UTC().Format(time.RFC3339), id)
			}
			if !c.Shorten && (sh.ExpiresAt.IsZero() || c.At.Before(before)) {
				return fmt.Errorf("share %d %s, so an expiry of %s %w; add --shorten if that is what you want",
					id, ExpiryWords(sh.ExpiresAt, now), When(c.At), ErrShorten)
			}
			ex.After = c.At.UTC().Truncate(time.Second)
		}
		if ex.After.Equal(ex.Before) {
			return nil
		}
		return tx.ExtendShare(ctx, id, ex.After)
	})
	return ex, err
}

// Words says what changed, for people: "share 12 expired 2027-01-05 20:04
// UTC (2 days ago), now expires 2027-02-04 20:04 UTC (in 30 days)".
func (e Expiry) Words(now time.Time) string {
	if e.Before.Equal(e.After) {
		return fmt.Sprintf("share %d %s, unchanged", e.ID, ExpiryWords(e.Before, now))
	}
	before := ExpiryWords(e.Before, now)
	switch {
	case e.Before.IsZero():
		before = "had no expiry"
	case strings.HasPrefix(before, "expires "):
		before = "was to expire " + strings.TrimPrefix(before, "expires ")
	}
	return fmt.Sprintf("share %d %s, now %s", e.ID, before, ExpiryWords(e.After, now))
}

func btoi(b bool) int {
	if b {
		return 1
	}
	return 0
}

func laterOf(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

// When prints an expiry for people: "2027-02-04 20:04 UTC", or "never"
// for the zero time.
func When(expiresAt time.Time) string {
	if expiresAt.IsZero() {
		return "never"
	}
	return expiresAt.UTC().Format("2006-01-02 15:04 UTC")
}

// ExpiryWords says where a link's expiry stands at now: "expires
// 2027-02-04 20:04 UTC (in 30 days)", "expired 2027-01-05 20:04 UTC (3
// days ago)", "never expires".
func ExpiryWords(expiresAt, now time.Time) string {
	if expiresAt.IsZero() {
		return "never expires"
	}
	t := expiresAt
	if !now.Before(t) {
		return fmt.Sprintf("expired %s (%s ago)", When(expiresAt), period.About(now.Sub(t)))
	}
	return fmt.Sprintf("expires %s (in %s)", When(expiresAt), period.About(t.Sub(now)))
}
