// Package filetype recognises photo and video files by their content, not
// their name.
package filetype

// HeaderSize is how many leading bytes Detect needs to decide.
const HeaderSize = 512

// Kind says what a file is to a photo archive.
type Kind int

const (
	Unknown Kind = iota // not a photo or video
	Photo
	Video
)

func (k Kind) String() string {
	switch k {
	case Photo:
		return "photo"
	case Video:
		return "video"
	}
	return "unknown"
}

// Type is the result of Detect.
type Type struct {
	Kind   Kind
	Format string // short lower-case name: jpeg, png, gif, webp, tiff, heic, avif, dng, cr2, cr3, nef, arw, orf, rw2, raf, mp4, mov, m4v, 3gp, avi, mkv, webm, mts ...
	MIME   string
}

// Detect looks at the first bytes of a file (up to HeaderSize; fewer for a
// short file). name is used only to tell apart formats whose content is
// ambiguous (a TIFF container that is a camera RAW).
func Detect(header []byte, name string) Type {
	panic("not implemented")
}
