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
