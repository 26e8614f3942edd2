package web

import (
	"context"
	"crypto/hmac"
	"crypto/pbkdf2"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/picup/picup/internal/catalog"
)

// tokenBytes is the size of a share token: 192 random bits.
const tokenBytes = 24

// NewToken returns a fresh share token: random bytes from crypto/rand,
// base64url without padding. Only catalog.HashToken(token) is stored.
func NewToken() string {
	b := make([]byte, tokenBytes)
	rand.Read(b) // never returns an error; crashes the program if the OS source fails
	return base64.RawURLEncoding.EncodeToString(b)
}

// Password hashing: PBKDF2-HMAC-SHA256 (stdlib crypto/pbkdf2), as OWASP
// recommends for it: at least 600,000 iterations and a 16-byte random salt.
const (
	pbkdf2Iter   = 600_000
	pbkdf2Salt   = 16
	pbkdf2KeyLen = 32
	pbkdf2Prefix = "pbkdf2-sha256"
)

// HashPassword returns the stored form of a share password:
// pbkdf2-sha256$ITER$SALT$KEY (salt and key base64url).
func HashPassword(password string) (string, error) {
	if password == "" {
		return "", errors.New("the password is empty")
	}
	salt := make([]byte, pbkdf2Salt)
	rand.Read(salt)
	key, err := pbkdf2.Key(sha256.New, password, salt, pbkdf2Iter, pbkdf2KeyLen)
	if err != nil {
		return "", fmt.Errorf("hash password: %w", err)
	}
	enc := base64.RawURLEncoding
	return fmt.Sprintf("%s$%d$%s$%s", pbkdf2Prefix, pbkdf2Iter, enc.EncodeToString(salt), enc.EncodeToString(key)), nil
}

// CheckPassword reports whether password matches a HashPassword result, in
// constant time over the derived keys. A malformed hash matches nothing.
func CheckPassword(hash, password string) bool {
	parts := strings.Split(hash, "$")
	if len(parts) != 4 || parts[0] != pbkdf2Prefix {
		return false
	}
	iter, err := strconv.Atoi(parts[1])
	if err != nil || iter < 1 || iter > 50_000_000 {
		return false
	}
	enc := base64.RawURLEncoding
	salt, err1 := enc.DecodeString(parts[2])
	want, err2 := enc.DecodeString(parts[3])
	if err1 != nil || err2 != nil || len(want) == 0 {
		return false
	}
	got, err := pbkdf2.Key(sha256.New, password, salt, iter, len(want))
	if err != nil {
		return false
	}
	return subtle.ConstantTimeCompare(got, want) == 1
}

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
	v, err := s.lib.Catalog.Setting(ctx, SigningKeySetting)
	if err != nil {
		return nil, err
	}
	if v == "" {
		err = s.lib.Catalog.Write(ctx, func(tx *catalog.Tx) error {
			// Another process may have made one meanwhile: keep it.
			err := tx.QueryRowContext(ctx, `SELECT value FROM settings WHERE key = ?`, SigningKeySetting).Scan(&v)
			if err == nil && v != "" {
				return nil
			}
			b := make([]byte, 32)
			rand.Read(b)
			v = hex.EncodeToString(b)
			return tx.SetSetting(ctx, SigningKeySetting, v)
		})
		if err != nil {
			return nil, fmt.Errorf("create the signing key: %w", err)
		}
	}
	key, err := hex.DecodeString(v)
	if err != nil || len(key) < 16 {
		return nil, fmt.Errorf("setting %s is not a hex key of at least 16 bytes", SigningKeySetting)
	}
	s.key.Store(&key)
	return key, nil
}

func mac(key []byte, parts ...string) []byte {
	m := hmac.New(sha256.New, key)
	for _, p := range parts {
		m.Write([]byte(p))
		m.Write([]byte{0})
	}
	return m.Sum(nil)
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
func checkMedia(key []byte, sig, photo, kind, addr string, now time.Time) (shareID int64, bound bool, err error) {
	parts := strings.Split(sig, ".")
	var want []byte
	switch {
	case len(parts) == 3:
		want = mac(key, "media", parts[0], photo, kind, parts[1])
	case len(parts) == 4 && parts[2] == boundMark && addr != "":
		want = mac(key, "media-ip", parts[0], photo, kind, parts[1], addr)
		bound = true
	default:
		return 0, false, errBadSignature
	}
	got, err := base64.RawURLEncoding.DecodeString(parts[len(parts)-1])
	if err != nil || !hmac.Equal(got, want) {
		return 0, false, errBadSignature
	}
	exp, err1 := strconv.ParseInt(parts[1], 10, 64)
	id, err2 := strconv.ParseInt(parts[0], 10, 64)
	if err1 != nil || err2 != nil || now.Unix() >= exp {
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
