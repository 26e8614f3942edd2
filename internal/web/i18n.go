package web

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// strs are the viewer's few UI strings in one language.
type strs struct {
	Lang          string
	Photos        string
	Empty         string
	Loading       string
	PasswordTitle string
	PasswordHint  string
	PasswordLabel string
	Open          string
	WrongPassword string
	GoneTitle     string
	GoneBody      string
	UnknownDate   string
	Video         string
	Slideshow     string
	Stop          string
	Close         string
	Previous      string
	Next          string
	Download      string
	DownloadAll   string
	Photo         string // one tile's kind, for screen readers

	// Taking part: what the page says around hearts, comments and names.
	Heart        string // the heart button's name
	CommentsHead string
	CommentLabel string
	Send         string
	WhoTitle     string
	WhoHint      string
	NameLabel    string
	Save         string
	Cancel       string
	Change       string
	FeedTitle    string
	Part         partTexts // the rest, for the page's script
}

// partTexts are what the page's script says, sent with the page as JSON
// ({n} and {name} are filled in by the script).
type partTexts struct {
	Lang        string `json:"lang"`
	ItsMe       string `json:"its_me"`
	Hearts      string `json:"hearts"`   // "{n} hearts", for screen readers
	Comments    string `json:"comments"` // "{n} comments"
	Delete      string `json:"delete"`
	DeleteAsk   string `json:"delete_ask"`
	AddedPhotos string `json:"added_photos"`
	Hearted     string `json:"hearted"`
	Commented   string `json:"commented"`
	More        string `json:"more"`
	FeedEmpty   string `json:"feed_empty"`
	JustNow     string `json:"just_now"`
	Offline     string `json:"offline"`
	Ended       string `json:"ended"`
	NewPhotos   string `json:"new_photos"`
}

var english = strs{
	Lang:          "en",
	Photos:        "Photos",
	Empty:         "This album has no photos yet.",
	Loading:       "Loading…",
	PasswordTitle: "This album has a password",
	PasswordHint:  "Type the password you were given.",
	PasswordLabel: "Password",
	Open:          "Open",
	WrongPassword: "That password is not right. Please try again.",
	GoneTitle:     "This link has ended",
	GoneBody:      "The link has expired or was turned off. Ask the person who sent it for a new one.",
	UnknownDate:   "Date unknown",
	Video:         "Video",
	Slideshow:     "Slideshow",
	Stop:          "Stop",
	Close:         "Close",
	Previous:      "Previous",
	Next:          "Next",
	Download:      "Download",
	DownloadAll:   "Download all",
	Photo:         "Photo",
	Heart:         "Heart",
	CommentsHead:  "Comments",
	CommentLabel:  "Write a comment",
	Send:          "Send",
	WhoTitle:      "Who are you?",
	WhoHint:       "Type the name the family knows you by, such as Mom or Aunt Sue. This tablet remembers it for this album.",
	NameLabel:     "Your name",
	Save:          "Save",
	Cancel:        "Cancel",
	Change:        "change",
	FeedTitle:     "What's new",
	Part: partTexts{
		Lang: "en", ItsMe: "It's me, {name}", Hearts: "{n} hearts", Comments: "{n} comments",
		Delete: "Delete", DeleteAsk: "Delete your comment?", AddedPhotos: "{name} added {n} photos",
		Hearted: "{name} hearted a photo", Commented: "{name} commented", More: "More", FeedEmpty: "Nothing new yet.",
		JustNow: "just now", Offline: "No connection. Please try again.", Ended: "This link has ended.",
		NewPhotos: "New photos",
	},
}

var korean = strs{
	Lang:          "ko",
	Photos:        "사진",
	Empty:         "이 앨범에는 아직 사진이 없습니다.",
	Loading:       "불러오는 중…",
	PasswordTitle: "비밀번호가 있는 앨범입니다",
	PasswordHint:  "받으신 비밀번호를 입력하세요.",
	PasswordLabel: "비밀번호",
	Open:          "열기",
	WrongPassword: "비밀번호가 맞지 않습니다. 다시 입력해 주세요.",
	GoneTitle:     "링크가 만료되었습니다",
	GoneBody:      "링크의 기간이 끝났거나 사용이 중지되었습니다. 보내 주신 분께 새 링크를 부탁하세요.",
	UnknownDate:   "날짜 모름",
	Video:         "동영상",
	Slideshow:     "슬라이드쇼",
	Stop:          "멈추기",
	Close:         "닫기",
	Previous:      "이전",
	Next:          "다음",
	Download:      "내려받기",
	DownloadAll:   "모두 내려받기",
	Photo:         "사진",
	Heart:         "하트",
	CommentsHead:  "댓글",
	CommentLabel:  "댓글 쓰기",
	Send:          "보내기",
	WhoTitle:      "누구세요?",
	WhoHint:       "가족이 부르는 이름을 적어 주세요. 예: 엄마, 이모. 이 태블릿이 이 앨범에서 기억합니다.",
	NameLabel:     "이름",
	Save:          "저장",
	Cancel:        "취소",
	Change:        "바꾸기",
	FeedTitle:     "새 소식",
	Part: partTexts{
		Lang: "ko", ItsMe: "{name}(으)로 참여 중", Hearts: "하트 {n}개", Comments: "댓글 {n}개",
		Delete: "삭제", DeleteAsk: "댓글을 삭제할까요?", AddedPhotos: "{name} 님이 사진 {n}장을 올렸습니다",
		Hearted: "{name} 님이 하트를 눌렀습니다", Commented: "{name} 님의 댓글", More: "더 보기", FeedEmpty: "아직 새 소식이 없습니다.",
		JustNow: "방금", Offline: "연결이 끊겼습니다. 다시 해 주세요.", Ended: "링크가 만료되었습니다.",
		NewPhotos: "새 사진",
	},
}

// texts picks Korean or English from Accept-Language (highest q wins,
// English when neither is asked for).
func texts(r *http.Request) strs {
	if pickLang(r.Header.Get("Accept-Language")) == "ko" {
		return korean
	}
	return english
}

func pickLang(header string) string {
	best, bestQ := "en", -1.0
	for _, part := range strings.Split(header, ",") {
		tag, params, _ := strings.Cut(strings.TrimSpace(part), ";")
		q := 1.0
		if v, ok := strings.CutPrefix(strings.TrimSpace(params), "q="); ok {
			if f, err := strconv.ParseFloat(v, 64); err == nil {
				q = f
			}
		}
		primary, _, _ := strings.Cut(strings.ToLower(strings.TrimSpace(tag)), "-")
		if (primary == "ko" || primary == "en") && q > bestQ && q > 0 {
			best, bestQ = primary, q
		}
	}
	return best
}

var koWeekdays = [...]string{"일", "월", "화", "수", "목", "금", "토"}

// dayHeading is the readable heading of a capture date (YYYY-MM-DD):
// "2024년 5월 3일 (금)" in Korean, "Friday, May 3, 2024" in English, and
// the language's "date unknown" for anything else.
func (t strs) dayHeading(date string) string {
	// A photo dated by a month or a year alone (a scan dated by hand).
	if d, err := time.Parse("2006-01", date); err == nil {
		if t.Lang == "ko" {
			return fmt.Sprintf("%d년 %d월", d.Year(), d.Month())
		}
		return d.Format("January 2006")
	}
	if d, err := time.Parse("2006", date); err == nil {
		return t.year(d.Year())
	}
	d, err := time.Parse(time.DateOnly, date)
	if err != nil {
		return t.UnknownDate
	}
	if t.Lang == "ko" {
		return fmt.Sprintf("%d년 %d월 %d일 (%s)", d.Year(), d.Month(), d.Day(), koWeekdays[d.Weekday()])
	}
	return d.Format("Monday, January 2, 2006")
}

// year is the title of a share of one year: "2024" or "2024년".
func (t strs) year(y int) string {
	if t.Lang == "ko" {
		return fmt.Sprintf("%d년", y)
	}
	return strconv.Itoa(y)
}

// tileLabel is what a screen reader says of a tile: its day and kind
// ("Friday, May 3, 2024, Video").
func (t strs) tileLabel(date, typ string) string {
	kind := t.Photo
	if typ == "video" {
		kind = t.Video
	}
	return t.dayHeading(date) + ", " + kind
}

// TileAria is what a screen reader says of a tile (its aria-label): its
// day and kind, then its hearts and comments ("Friday, May 3, 2024,
// Photo, 3 hearts, 2 comments").
func (t strs) TileAria(tl tile) string {
	s := tl.Label
	if tl.Hearts > 0 {
		s += ", " + strings.ReplaceAll(t.Part.Hearts, "{n}", strconv.Itoa(tl.Hearts))
	}
	if tl.Comments > 0 {
		s += ", " + strings.ReplaceAll(t.Part.Comments, "{n}", strconv.Itoa(tl.Comments))
	}
	return s
}

// newSince is the banner of a return visit: "New since your last visit:
// 12 photos, 3 comments"; "" when nothing is new.
func (t strs) newSince(photos, comments int) string {
	if photos == 0 && comments == 0 {
		return ""
	}
	var parts []string
	if t.Lang == "ko" {
		if photos > 0 {
			parts = append(parts, fmt.Sprintf("사진 %d장", photos))
		}
		if comments > 0 {
			parts = append(parts, fmt.Sprintf("댓글 %d개", comments))
		}
		return "지난 방문 이후 새로 생긴 것: " + strings.Join(parts, ", ")
	}
	if photos > 0 {
		parts = append(parts, plural(photos, "photo"))
	}
	if comments > 0 {
		parts = append(parts, plural(comments, "comment"))
	}
	return "New since your last visit: " + strings.Join(parts, ", ")
}

func plural(n int, word string) string {
	if n == 1 {
		return "1 " + word
	}
	return strconv.Itoa(n) + " " + word + "s"
}

// Error codes of the guest actions' JSON errors, and what the page says
// for each.
const (
	codeNoName      = "no_name"
	codeNotAllowed  = "not_allowed"
	codeNotShared   = "not_shared"
	codeBadName     = "bad_name"
	codeBadComment  = "bad_comment"
	codeBadRequest  = "bad_request"
	codeTooLarge    = "too_large"
	codeBadType     = "bad_type"
	codeCrossSite   = "cross_site"
	codeRateLimited = "rate_limited"
	codeTooMany     = "too_many_streams"
	codeNotYours    = "not_yours"
	codeNotFound    = "not_found"
	codeGone        = "gone"
	codeLocked      = "locked"
	codeUnavailable = "unavailable"
)

var errorTexts = map[string][2]string{ // code: English, Korean
	codeNoName:      {"Please tell us your name first.", "먼저 이름을 알려 주세요."},
	codeNotAllowed:  {"This link does not allow that.", "이 링크에서는 할 수 없습니다."},
	codeNotShared:   {"This photo is not in this album.", "이 앨범에 없는 사진입니다."},
	codeBadName:     {"Please type a name of 1 to 40 characters.", "이름은 1~40자로 적어 주세요."},
	codeBadComment:  {"Please write a comment of 1 to 2,000 characters.", "댓글은 1~2,000자로 적어 주세요."},
	codeBadRequest:  {"Something was wrong with that request. Please reload the page.", "요청이 올바르지 않습니다. 페이지를 새로 고쳐 주세요."},
	codeTooLarge:    {"That is too long to send.", "보내기에 너무 깁니다."},
	codeBadType:     {"Something was wrong with that request. Please reload the page.", "요청이 올바르지 않습니다. 페이지를 새로 고쳐 주세요."},
	codeCrossSite:   {"This can only be done from the album's own page.", "앨범 페이지에서만 할 수 있습니다."},
	codeRateLimited: {"That was a lot at once. Please wait %d seconds and try again.", "너무 빨리 여러 번 했습니다. %d초 후에 다시 해 주세요."},
	codeTooMany:     {"Too many open pages of this album. Please close one and wait %d seconds.", "이 앨범이 너무 많이 열려 있습니다. 하나를 닫고 %d초 후에 다시 해 주세요."},
	codeNotYours:    {"You can only delete what you wrote on this tablet.", "이 태블릿에서 쓴 댓글만 지울 수 있습니다."},
	codeNotFound:    {"That is not here any more.", "이미 없어졌습니다."},
	codeGone:        {"This link has ended. Ask the person who sent it for a new one.", "링크가 만료되었습니다. 보내 주신 분께 새 링크를 부탁하세요."},
	codeLocked:      {"Please open the album with its password first.", "먼저 비밀번호로 앨범을 열어 주세요."},
	codeUnavailable: {"The server is restarting. Please try again in a moment.", "서버가 다시 시작하는 중입니다. 잠시 후 다시 해 주세요."},
}

// errorText is what the page says for an error code, in the page's
// language; wait fills in the seconds of a limit.
func (t strs) errorText(code string, wait int) string {
	pair, ok := errorTexts[code]
	if !ok {
		pair = errorTexts[codeBadRequest]
	}
	msg := pair[0]
	if t.Lang == "ko" {
		msg = pair[1]
	}
	if strings.Contains(msg, "%d") {
		msg = fmt.Sprintf(msg, wait)
	}
	return msg
}
