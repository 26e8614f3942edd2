package web

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/picup/picup/internal/sharelink"
)

// signingKey returns the library's HMAC key, creating and storing it on
// first use. After the first call it is an atomic load.
func (s *server) signingKey(ctx context.Context) ([]byte, error) {
	if k := s.key.Load(); k != nil {
		return *k, nil
	}
	s.keyMu.Lock()
	defer s.keyMu.Unlock()
	if k := s.key.Load(); k != nil {
		return *k, nil
	}
	key, err := sharelink.SigningKey(ctx, s.lib)
	if err != nil {
		return nil, err
	}
	s.key.Store(&key)
	return key, nil
}

// mac is the HMAC-SHA256 under key of parts, each followed by a zero
// byte.
func mac(key []byte, parts ...string) []byte {
	return macOf(key).sum(nil, parts...)
}

// mediaExpiry is when a media URL made now expires: the end of the next
// TTL-long window, so that URLs are stable (and cached) for a while and
// valid for at least one TTL.
func (s *server) mediaExpiry() int64 {
	ttl := s.opts.MediaTTL
	return s.opts.Now().Truncate(ttl).Add(2 * ttl).Unix()
}

// boundMark is the third part of the signature of a media URL pinned to
// the client's address: {share}.{expiry}.ip.{mac}.
const boundMark = "ip"

// mediaURL signs /m/{share.expiry.mac}/{photo}/{kind}. A non-empty ip pins
// the URL to that client address: the MAC covers it, and the URL says so
// (share.expiry.ip.mac) without revealing it.
func mediaURL(key []byte, shareID, photoID int64, kind string, exp int64, ip string) string {
	sid, pid, e := strconv.FormatInt(shareID, 10), strconv.FormatInt(photoID, 10), strconv.FormatInt(exp, 10)
	var sig string
	if ip == "" {
		sig = sid + "." + e + "." + base64.RawURLEncoding.EncodeToString(mac(key, "media", sid, pid, kind, e))
	} else {
		sig = sid + "." + e + "." + boundMark + "." + base64.RawURLEncoding.EncodeToString(mac(key, "media-ip", sid, pid, kind, e, ip))
	}
	return "/m/" + sig + "/" + pid + "/" + kind
}

var errBadSignature = errors.New("bad signature")

// checkMedia verifies a media signature for a request from addr and
// returns the share id and whether the URL was pinned to the address.
// The signature is {share}.{expiry}.{mac}, or {share}.{expiry}.ip.{mac}
// (see mediaURL). It allocates nothing: every thumbnail checks one.
func checkMedia(key []byte, sig, photo, kind, addr string, now time.Time) (shareID int64, bound bool, err error) {
	sid, rest, ok1 := strings.Cut(sig, ".")
	exp, rest, ok2 := strings.Cut(rest, ".")
	if !ok1 || !ok2 {
		return 0, false, errBadSignature
	}
	var want [sha256.Size]byte
	m := macOf(key)
	if mark, sum, ok := strings.Cut(rest, "."); !ok {
		m.sum(want[:0], "media", sid, photo, kind, exp)
	} else if mark == boundMark && addr != "" && !strings.Contains(sum, ".") {
		m.sum(want[:0], "media-ip", sid, photo, kind, exp, addr)
		bound, rest = true, sum
	} else {
		return 0, false, errBadSignature
	}
	// rest is the MAC in unpadded base64: 43 characters for 32 bytes.
	var enc [43]byte
	var got [sha256.Size + 1]byte
	if len(rest) != len(enc) {
		return 0, false, errBadSignature
	}
	copy(enc[:], rest)
	n, err := base64.RawURLEncoding.Decode(got[:], enc[:])
	if err != nil || !hmac.Equal(got[:n], want[:]) {
		return 0, false, errBadSignature
	}
	e, err1 := strconv.ParseInt(exp, 10, 64)
	id, err2 := strconv.ParseInt(sid, 10, 64)
	if err1 != nil || err2 != nil || now.Unix() >= e {
		return 0, false, errBadSignature
	}
	return id, bound, nil
}

// pinAddr is the address a pinned media URL is signed for: the client's
// (the peer, or the client a trusted proxy names), "" when unknown.
func (s *server) pinAddr(r *http.Request) string {
	ip := s.clientAddr(r)
	if !ip.IsValid() {
		return ""
	}
	return ip.String()
}
