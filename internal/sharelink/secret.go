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
	"io/fs"
	"os"
	"path/filepath"
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

// SigningKeySetting is the catalog setting where libraries made before
// the key file kept the key; SigningKey moves it out.
const SigningKeySetting = "web.signing_key"

// SigningKeyFile is the file in the library holding its random HMAC key,
// which signs media URLs and the cookies of share pages. It is the
// library's own (0600) and stays on this machine: neither a sync nor a
// catalog snapshot carries it, so whoever reads the bucket cannot forge
// them. A library restored elsewhere makes a new key: links keep working
// (their tokens are only hashed), pages ask for passwords again.
const SigningKeyFile = "signing.key"

// SigningKey returns the library's HMAC key for share pages: from its key
// file, made on first use (or moved there from the catalog setting where
// older libraries kept it).
func SigningKey(ctx context.Context, lib *library.Library) ([]byte, error) {
	path := filepath.Join(lib.Root, SigningKeyFile)
	if key, err := readKey(path); err == nil || !errors.Is(err, fs.ErrNotExist) {
		return key, err
	}
	old, err := lib.Catalog.Setting(ctx, SigningKeySetting)
	if err != nil {
		return nil, err
	}
	v := old
	if v == "" {
		b := make([]byte, 32)
		_, _ = rand.Read(b) // never fails (crypto/rand)
		v = hex.EncodeToString(b)
	}
	if err := writeKey(path, v); err != nil && !errors.Is(err, fs.ErrExist) {
		return nil, fmt.Errorf("create the signing key %s: %w", path, err)
	}
	// Another process may have written one first: the file decides.
	key, err := readKey(path)
	if err != nil {
		return nil, err
	}
	if old != "" {
		err = lib.Catalog.Write(ctx, func(tx *catalog.Tx) error { return tx.SetSetting(ctx, SigningKeySetting, "") })
		if err != nil {
			return nil, fmt.Errorf("move the signing key out of the catalog: %w", err)
		}
	}
	return key, nil
}

// readKey reads a hex key of at least 16 bytes.
func readKey(path string) ([]byte, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	key, err := hex.DecodeString(strings.TrimSpace(string(b)))
	if err != nil || len(key) < 16 {
		return nil, fmt.Errorf("%s is not a hex key of at least 16 bytes; delete it and a new one is made (open share pages then reload)", path)
	}
	return key, nil
}

// writeKey creates the key file, 0600, whole or not at all: written
// beside it, synced, then linked into place, which fails with
// fs.ErrExist when another process made one first.
func writeKey(path, hexKey string) error {
	f, err := os.CreateTemp(filepath.Dir(path), ".signing-*")
	if err != nil {
		return err
	}
	tmp := f.Name()
	defer os.Remove(tmp)
	if err := f.Chmod(0o600); err != nil {
		f.Close()
		return err
	}
	_, err = f.WriteString(hexKey + "\n")
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return err
	}
	if err := os.Link(tmp, path); err != nil {
		return err
	}
	return library.SyncDir(filepath.Dir(path))
}
