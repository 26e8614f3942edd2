package archive

import (
	"context"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/picup/picup/internal/catalog"
)

// MaxCaptionLen is the most characters a caption may have.
const MaxCaptionLen = 1000

// CleanCaption is a caption as it is stored: NFC, without control or
// bidirectional-override characters (line breaks kept), trimmed, at most
// MaxCaptionLen characters; "" removes the caption.
func CleanCaption(s string) (string, error) {
	s = strings.TrimSpace(cleanText(s, true))
	if n := utf8.RuneCountInString(s); n > MaxCaptionLen {
		return "", &InputError{What: "caption", Reason: fmt.Sprintf("it has %d characters; %d at most", n, MaxCaptionLen)}
	}
	return s, nil
}

// SetCaption gives a photo a caption (the share page shows it under the
// photo, and the sidecar meta carries it), or removes it with "".
func (a *Archive) SetCaption(ctx context.Context, id int64, text string) (string, error) {
	c, err := CleanCaption(text)
	if err != nil {
		return "", err
	}
	return c, a.lib.Catalog.Write(ctx, func(tx *catalog.Tx) error { return tx.SetCaption(ctx, id, c) })
}
