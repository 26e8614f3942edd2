package web

import (
	"crypto/pbkdf2"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"strconv"
	"strings"
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
