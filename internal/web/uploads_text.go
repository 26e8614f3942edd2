package web

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/picup/picup/internal/archive"
	"github.com/picup/picup/internal/catalog"
)

// uploadStrs are the words of guests' uploads in one language: the
// page's (its button and sheet read them from the button's data-
// attributes) and the answers of the endpoint.
type uploadStrs struct {
	lang string

	// The page.
	AddPhotos string // the button, and the sheet's heading
	Choose    string // the sheet's button that opens the picker
	Close     string
	Waiting   string // a file in line
	Sending   string
	Resuming  string // the connection dropped; the client tries again
	Failed    string // could not send, for a reason the server did not say
	Retry     string

	// What became of an upload.
	Added     string
	Pending   string
	Duplicate string
	Rejected  string
	NotMedia  string
	NoRoom    string // over quota, when the numbers cannot be read

	// Refusals.
	NeedName     string
	NotAllowed   string
	NotFinished  string
	Complete     string
	TooMuch      string // more bytes than the upload's length
	Ended        string // the link ended while the file was on its way
	ImportFailed string
	tooLargeF    string // the link's largest file
	quotaF       string // user, used, quota, keeper
}

var uploadEnglish = uploadStrs{
	lang:      "en",
	AddPhotos: "Add photos",
	Choose:    "Choose photos and videos",
	Close:     "Close",
	Waiting:   "Waiting…",
	Sending:   "Sending…",
	Resuming:  "The connection dropped. Picking up where it stopped…",
	Failed:    "Not sent. Check the connection and try again.",
	Retry:     "Try again",

	Added:     "Added to the album.",
	Pending:   "Sent. It joins the album once it is approved.",
	Duplicate: "Already in the album.",
	Rejected:  "Not added to the album.",
	NotMedia:  "This is not a photo or a video, so it was not added.",
	NoRoom:    "There was no room left for it, so it was not added.",

	NeedName:     "Please say who you are first.",
	NotAllowed:   "This link does not take photos.",
	NotFinished:  "This file has not been sent completely yet.",
	Complete:     "This file has been sent completely already.",
	TooMuch:      "More arrived than the file's size said, so it was not added.",
	Ended:        "This link has ended, so the file was not added.",
	ImportFailed: "The photo could not be stored just now. Please try again later.",
	tooLargeF:    "This file is too big: this link takes files of up to %s.",
	quotaF:       "%s's space is full: %s of %s. Ask %s to make room.",
}

var uploadKorean = uploadStrs{
	lang:      "ko",
	AddPhotos: "사진 보내기",
	Choose:    "사진·동영상 고르기",
	Close:     "닫기",
	Waiting:   "기다리는 중…",
	Sending:   "보내는 중…",
	Resuming:  "연결이 끊겼습니다. 끊긴 곳부터 다시 보내는 중…",
	Failed:    "보내지 못했습니다. 연결을 확인하고 다시 해 주세요.",
	Retry:     "다시 보내기",

	Added:     "앨범에 넣었습니다.",
	Pending:   "보냈습니다. 확인을 받으면 앨범에 들어갑니다.",
	Duplicate: "이미 앨범에 있습니다.",
	Rejected:  "앨범에 넣지 않았습니다.",
	NotMedia:  "사진이나 동영상이 아니어서 넣지 않았습니다.",
	NoRoom:    "저장 공간이 모자라 넣지 않았습니다.",

	NeedName:     "먼저 이름을 알려 주세요.",
	NotAllowed:   "이 링크로는 사진을 보낼 수 없습니다.",
	NotFinished:  "이 파일은 아직 다 보내지 않았습니다.",
	Complete:     "이 파일은 이미 다 보냈습니다.",
	TooMuch:      "파일 크기보다 많은 내용이 와서 넣지 않았습니다.",
	Ended:        "링크가 만료되어 파일을 넣지 않았습니다.",
	ImportFailed: "지금은 사진을 저장하지 못했습니다. 잠시 후 다시 해 주세요.",
	tooLargeF:    "파일이 너무 큽니다. 이 링크로는 %s까지 보낼 수 있습니다.",
	quotaF:       "%s의 저장 공간이 가득 찼습니다(%[3]s 중 %[2]s 사용). %[4]s에게 공간을 비워 달라고 부탁하세요.",
}

// uploadTexts are the upload words in the language of t.
func uploadTexts(t strs) uploadStrs {
	if t.Lang == "ko" {
		return uploadKorean
	}
	return uploadEnglish
}

// status says what became of an upload.
func (t uploadStrs) status(status, reason string) string {
	switch status {
	case catalog.UploadAdded:
		return t.Added
	case catalog.UploadPending:
		return t.Pending
	case catalog.UploadDuplicate:
		return t.Duplicate
	case catalog.UploadRejected:
		return t.Rejected
	}
	if reason == archive.RefusedQuota {
		return t.NoRoom
	}
	return t.NotMedia
}

func (t uploadStrs) tooLarge(maxSize int64) string {
	n, unit := inUnit(maxSize, maxSize)
	return fmt.Sprintf(t.tooLargeF, n+" "+unit)
}

// quotaFull is "Mom's space is full: 49.8 of 50 GB. Ask Jin to make
// room.", both sizes in the unit of the quota.
func (t uploadStrs) quotaFull(e *archive.QuotaFullError) string {
	used, unit := inUnit(e.Used, e.Quota)
	quota, _ := inUnit(e.Quota, e.Quota)
	if t.lang == "ko" {
		return fmt.Sprintf(t.quotaF, e.User, used+" "+unit, quota+" "+unit, e.Keeper)
	}
	return fmt.Sprintf(t.quotaF, e.User, used, quota+" "+unit, e.Keeper)
}

// inUnit writes n in the decimal unit of ref (B, kB, MB, GB, TB), with
// at most one decimal: inUnit(49_800_000_000, 50_000_000_000) is "49.8",
// "GB".
func inUnit(n, ref int64) (string, string) {
	units := []string{"B", "kB", "MB", "GB", "TB"}
	i, div := 0, 1.0
	for i < len(units)-1 && float64(ref) >= div*1000 {
		i, div = i+1, div*1000
	}
	s := strconv.FormatFloat(float64(n)/div, 'f', 1, 64)
	return strings.TrimSuffix(s, ".0"), units[i]
}

// uploadPage is what the share page needs to offer uploads: the
// endpoint and the words.
type uploadPage struct {
	URL string
	T   uploadStrs
}

// uploadPageOf returns what the share page's upload button needs, nil
// when the link takes no uploads.
func uploadPageOf(r *http.Request, sh catalog.Share) *uploadPage {
	if archive.UploadMax(sh) == 0 {
		return nil
	}
	return &uploadPage{URL: "/s/" + r.PathValue("token") + "/uploads/", T: uploadTexts(texts(r))}
}
