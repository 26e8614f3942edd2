package sharelink

import (
	"bytes"
	"context"
	"testing"
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
