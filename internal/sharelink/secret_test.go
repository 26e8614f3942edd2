package sharelink

import (
	"bytes"
	"context"
	"encoding/hex"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/picup/picup/internal/catalog"
	"github.com/picup/picup/internal/library"
)

func TestCheckPassword(t *testing.T) {
	h, _ := HashPassword("pw")
	h2, _ := HashPassword("pw")
	if h == h2 {
		t.Error("two hashes of one password are equal: no random salt")
	}
	tests := []struct {
		hash, pw string
		want     bool
	}{
		{h, "pw", true}, {h, "pW", false}, {h, "", false},
		{"", "pw", false}, {"pbkdf2-sha256$1$$", "pw", false}, {"md5$1$a$b", "pw", false},
	}
	for _, tt := range tests {
		if got := CheckPassword(tt.hash, tt.pw); got != tt.want {
			t.Errorf("CheckPassword(%q, %q) = %v; want %v", tt.hash, tt.pw, got, tt.want)
		}
	}
}

func TestTokenStrength(t *testing.T) {
	tok := NewToken()
	if len(tok) < 22 || NewToken() == tok { // 22 base64 chars = 128 bits
		t.Errorf("NewToken() = %q: want at least 128 random bits", tok)
	}
}

// The signing key is made once and kept: a second call, or another
// process, gets the same key.
func TestSigningKeyIsMadeOnce(t *testing.T) {
	lib := openLibrary(t)
	ctx := context.Background()
	k1, err := SigningKey(ctx, lib)
	if err != nil || len(k1) < 16 {
		t.Fatalf("SigningKey = %x, %v; want a key of 16 bytes or more", k1, err)
	}
	k2, err := SigningKey(ctx, lib)
	if err != nil || !bytes.Equal(k1, k2) {
		t.Fatalf("second SigningKey = %x, %v; want the first, %x", k2, err, k1)
	}
}

// The key lives in a 0600 file of the library, never in the catalog (so
// never in a snapshot); an older library's key moves out of the catalog
// unchanged; a damaged file is an error that says what to do.
func TestSigningKeyFile(t *testing.T) {
	lib := openLibrary(t)
	ctx := context.Background()
	old := bytes.Repeat([]byte{0xab}, 32)
	err := lib.Catalog.Write(ctx, func(tx *catalog.Tx) error { return tx.SetSetting(ctx, SigningKeySetting, hex.EncodeToString(old)) })
	if err != nil {
		t.Fatal(err)
	}
	key, err := SigningKey(ctx, lib)
	if err != nil || !bytes.Equal(key, old) {
		t.Fatalf("SigningKey of an older library = %x, %v; want its key %x", key, err, old)
	}
	if v, err := lib.Catalog.Setting(ctx, SigningKeySetting); err != nil || v != "" {
		t.Errorf("the catalog still holds the key (%q, %v)", v, err)
	}
	path := filepath.Join(lib.Root, SigningKeyFile)
	fi, err := os.Stat(path)
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("key file: %v, %v; want mode 0600", fi, err)
	}
	fresh := filepath.Join(t.TempDir(), "new")
	nl, err := library.Open(ctx, fresh)
	if err != nil {
		t.Fatal(err)
	}
	nl.Close()
	if fi, err := os.Stat(fresh); err != nil || fi.Mode().Perm() != 0o700 {
		t.Errorf("a new library's directory: mode %v, %v; want 0700", fi.Mode().Perm(), err)
	}
	if err := os.WriteFile(path, []byte("not hex"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := SigningKey(ctx, lib); err == nil || !strings.Contains(err.Error(), "delete it") {
		t.Errorf("SigningKey of a damaged file = %v; want an error that says to delete it", err)
	}
	if err := os.Remove(path); err != nil {
		t.Fatal(err)
	}
	renewed, err := SigningKey(ctx, lib)
	if err != nil || len(renewed) != 32 || bytes.Equal(renewed, old) {
		t.Errorf("SigningKey after the file was deleted = %x, %v; want a new key", renewed, err)
	}
}

// Processes that make the key at once agree on one.
func TestSigningKeyConcurrent(t *testing.T) {
	lib := openLibrary(t)
	ctx := context.Background()
	keys := make([][]byte, 8)
	var wg sync.WaitGroup
	for i := range keys {
		wg.Go(func() {
			k, err := SigningKey(ctx, lib)
			if err != nil {
				t.Error(err)
			}
			keys[i] = k
		})
	}
	wg.Wait()
	for i, k := range keys {
		if !bytes.Equal(k, keys[0]) {
			t.Errorf("caller %d got %x, caller 0 %x", i, k, keys[0])
		}
	}
}
