package archive

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"

	"github.com/picup/picup/internal/catalog"
)

// Guest is someone taking part through a share link: the name they typed
// once on their device, and that device (the hash of its random id).
type Guest struct {
	Share  catalog.Share
	Device string
	Name   string
}

// Limits of what a guest writes, in characters (runes) after cleaning.
const (
	MaxNameLen    = 40
	MaxCommentLen = 2000
)

var (
	// ErrNoName is returned when a guest who has not said who they are
	// hearts, comments or uploads.
	ErrNoName = errors.New("say who you are first: a name is needed")
	// ErrNotAllowed is returned when the link does not allow the action.
	ErrNotAllowed = errors.New("this link does not allow that")
	// ErrNotShared is returned when a photo is not one the link opens.
	ErrNotShared = errors.New("the link does not show that photo")
)

// InputError is a name or text that cannot be used, and why, in words a
// guest can act on.
type InputError struct {
	What   string // "name" or "comment"
	Reason string
}

func (e *InputError) Error() string { return e.What + ": " + e.Reason }

// CleanName makes a typed name safe to store and show: NFC, control and
// bidirectional-override characters removed, spaces collapsed and trimmed,
// 1 to MaxNameLen characters.
func CleanName(s string) (string, error) {
	s = strings.Join(strings.Fields(cleanText(s, false)), " ")
	switch n := utf8.RuneCountInString(s); {
	case n == 0:
		return "", &InputError{What: "name", Reason: "it is empty; type the name the family knows you by"}
	case n > MaxNameLen:
		return "", &InputError{What: "name", Reason: fmt.Sprintf("it has %d characters; %d at most", n, MaxNameLen)}
	}
	return s, nil
}

// CleanComment makes a comment safe to store and show as plain text:
// NFC, line breaks kept (at most two in a row), other control and
// bidirectional-override characters removed, trimmed, 1 to MaxCommentLen
// characters.
func CleanComment(s string) (string, error) {
	s = cleanText(s, true)
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		lines[i] = strings.TrimRightFunc(l, unicode.IsSpace)
	}
	s = strings.TrimSpace(strings.Join(lines, "\n"))
	for strings.Contains(s, "\n\n\n") {
		s = strings.ReplaceAll(s, "\n\n\n", "\n\n")
	}
	switch n := utf8.RuneCountInString(s); {
	case n == 0:
		return "", &InputError{What: "comment", Reason: "it is empty"}
	case n > MaxCommentLen:
		return "", &InputError{What: "comment", Reason: fmt.Sprintf("it has %d characters; %d at most", n, MaxCommentLen)}
	}
	return s, nil
}

// cleanText drops invalid UTF-8, control characters (but line breaks when
// keepLines) and the characters that reorder text around them (bidi
// overrides, isolates and marks), then normalises to NFC.
func cleanText(s string, keepLines bool) string {
	s = strings.ReplaceAll(s, "\r\n", "\n")
	var b strings.Builder
	for _, r := range strings.ToValidUTF8(s, "") {
		switch {
		case r == '\n' || r == '\r':
			if keepLines {
				b.WriteRune('\n')
			} else {
				b.WriteRune(' ')
			}
		case r == '\t':
			b.WriteRune(' ')
		case unicode.IsControl(r), bidiControl(r), r == '\uFEFF', r == '\u2028', r == '\u2029':
		default:
			b.WriteRune(r)
		}
	}
	return norm.NFC.String(b.String())
}

// bidiControl reports the characters that change the direction of the
// text around them: LRM, RLM, ALM, the embeddings and overrides, the
// isolates.
func bidiControl(r rune) bool {
	return r == '\u200E' || r == '\u200F' || r == '\u061C' || (r >= '\u202A' && r <= '\u202E') || (r >= '\u2066' && r <= '\u2069')
}

// checkGuest checks that the guest has a name and the link shows the
// photo.
func (a *Archive) checkGuest(ctx context.Context, g Guest, photoID int64) error {
	if g.Name == "" || g.Device == "" {
		return ErrNoName
	}
	if _, err := a.lib.Catalog.SharedFile(ctx, g.Share, photoID); err != nil {
		if errors.Is(err, catalog.ErrNotFound) {
			return ErrNotShared
		}
		return err
	}
	return nil
}

// Comment adds a guest's comment under a photo the link shows.
func (a *Archive) Comment(ctx context.Context, g Guest, photoID int64, text string) (catalog.Comment, error) {
	if g.Share.NoComments {
		return catalog.Comment{}, ErrNotAllowed
	}
	text, err := CleanComment(text)
	if err != nil {
		return catalog.Comment{}, err
	}
	if err := a.checkGuest(ctx, g, photoID); err != nil {
		return catalog.Comment{}, err
	}
	var c catalog.Comment
	err = a.lib.Catalog.Write(ctx, func(tx *catalog.Tx) error {
		var err error
		c, err = tx.AddComment(ctx, catalog.Comment{PhotoID: photoID, ShareID: g.Share.ID, Device: g.Device, Name: g.Name, Text: text})
		return err
	})
	return c, err
}

// DeleteOwnComment removes a comment the guest's device wrote
// (catalog.ErrNotYours for another's).
func (a *Archive) DeleteOwnComment(ctx context.Context, g Guest, id int64) (catalog.Comment, error) {
	if g.Device == "" {
		return catalog.Comment{}, catalog.ErrNotYours
	}
	var c catalog.Comment
	err := a.lib.Catalog.Write(ctx, func(tx *catalog.Tx) error {
		var err error
		c, err = tx.DeleteComment(ctx, id, g.Device)
		return err
	})
	return c, err
}

// RemoveComments removes comments, whoever wrote them (the library's
// owner moderating), and says how many went.
func (a *Archive) RemoveComments(ctx context.Context, ids []int64) (int, error) {
	return a.count(ctx, func(tx *catalog.Tx) (int, error) {
		for _, id := range ids {
			if _, err := tx.DeleteComment(ctx, id, ""); err != nil {
				return 0, err
			}
		}
		return len(ids), nil
	})
}

// HeartState is a photo's hearts as a device sees them.
type HeartState struct {
	Hearted bool     // by this device
	Count   int      // by everyone
	Names   []string // who, oldest first, each once
}

// ToggleHeart hearts a photo the link shows for the guest's device, or
// takes the heart back, and returns the photo's hearts.
func (a *Archive) ToggleHeart(ctx context.Context, g Guest, photoID int64) (HeartState, error) {
	if g.Share.NoHearts {
		return HeartState{}, ErrNotAllowed
	}
	if err := a.checkGuest(ctx, g, photoID); err != nil {
		return HeartState{}, err
	}
	err := a.lib.Catalog.Write(ctx, func(tx *catalog.Tx) error {
		_, err := tx.ToggleHeart(ctx, catalog.Heart{PhotoID: photoID, ShareID: g.Share.ID, Device: g.Device, Name: g.Name})
		return err
	})
	if err != nil {
		return HeartState{}, err
	}
	return a.Hearts(ctx, photoID, g.Device)
}

// Hearts returns a photo's hearts as device sees them ("" for no device).
func (a *Archive) Hearts(ctx context.Context, photoID int64, device string) (HeartState, error) {
	hs, err := a.lib.Catalog.Hearts(ctx, photoID)
	if err != nil {
		return HeartState{}, err
	}
	st := HeartState{Count: len(hs), Names: []string{}}
	seen := map[string]bool{}
	for _, h := range hs {
		if device != "" && h.Device == device {
			st.Hearted = true
		}
		if !seen[h.Name] {
			seen[h.Name] = true
			st.Names = append(st.Names, h.Name)
		}
	}
	return st, nil
}

// FollowActivity calls fn with each feed row newer than after, oldest
// first, as rows appear (looking every interval), until ctx ends or fn
// fails. Rows come from any process that writes the library.
func (a *Archive) FollowActivity(ctx context.Context, after int64, every time.Duration, fn func(catalog.Activity) error) error {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		rows, err := a.lib.Catalog.ActivityAfter(ctx, after, 500)
		if err != nil {
			return err
		}
		for _, r := range rows {
			if err := fn(r); err != nil {
				return err
			}
			after = r.ID
		}
		if len(rows) == 500 {
			continue
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-t.C:
		}
	}
}
