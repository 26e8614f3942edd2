package sharelink

import (
	"context"
	"crypto/pbkdf2"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/picup/picup/internal/catalog"
	"github.com/picup/picup/internal/library"
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

// SigningKeySetting is the catalog setting holding the library's random
// HMAC key, which signs media URLs and unlock cookies of share pages.
const SigningKeySetting = "web.signing_key"

// SigningKey returns the library's HMAC key for share pages, creating and
// storing it on first use.
func SigningKey(ctx context.Context, lib *library.Library) ([]byte, error) {
	v, err := lib.Catalog.Setting(ctx, SigningKeySetting)
	if err != nil {
		return nil, err
	}
	if v == "" {
		err = lib.Catalog.Write(ctx, func(tx *catalog.Tx) error {
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
	return key, nil
}
