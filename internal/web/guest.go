package web

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/picup/picup/internal/archive"
	"github.com/picup/picup/internal/catalog"
)

// A guest's device is remembered per link by a signed, HttpOnly cookie
// "picup_g<ID>" = PAYLOAD.MAC, where PAYLOAD is the base64 of the JSON of
// guestCookie and the MAC covers the share's id: a cookie of one link
// means nothing to another. It holds a random device id (the catalog
// stores only its SHA-256), the name the guest typed (empty until they
// type one) and the last feed row the device has seen.
type guestCookie struct {
	Device   string `json:"d"`
	Name     string `json:"n,omitempty"`
	LastSeen int64  `json:"s,omitempty"`
}

// guestCookieTTL is how long a device is remembered: a year, or until the
// link expires.
const guestCookieTTL = 365 * 24 * time.Hour

func guestCookieName(shareID int64) string { return "picup_g" + strconv.FormatInt(shareID, 10) }

// readGuest returns the device's cookie for the share; ok is false when
// there is none or it is not one this server signed for this share.
func (s *server) readGuest(r *http.Request, sh catalog.Share) (guestCookie, bool) {
	c, err := r.Cookie(guestCookieName(sh.ID))
	if err != nil || len(c.Value) > 2048 {
		return guestCookie{}, false
	}
	payload, sig, ok := strings.Cut(c.Value, ".")
	if !ok {
		return guestCookie{}, false
	}
	got, err := base64.RawURLEncoding.DecodeString(sig)
	if err != nil {
		return guestCookie{}, false
	}
	key, err := s.signingKey(r.Context())
	if err != nil || !hmac.Equal(got, mac(key, "guest", strconv.FormatInt(sh.ID, 10), payload)) {
		return guestCookie{}, false
	}
	raw, err := base64.RawURLEncoding.DecodeString(payload)
	if err != nil {
		return guestCookie{}, false
	}
	var g guestCookie
	if json.Unmarshal(raw, &g) != nil || len(g.Device) != 32 {
		return guestCookie{}, false
	}
	return g, true
}

// newDevice is a fresh device id.
func newDevice() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b) // never fails (crypto/rand)
	return hex.EncodeToString(b)
}

// writeGuest sets the device's cookie for the share.
func (s *server) writeGuest(w http.ResponseWriter, r *http.Request, sh catalog.Share, g guestCookie) error {
	key, err := s.signingKey(r.Context())
	if err != nil {
		return err
	}
	raw, err := json.Marshal(g)
	if err != nil {
		return err
	}
	payload := base64.RawURLEncoding.EncodeToString(raw)
	sig := base64.RawURLEncoding.EncodeToString(mac(key, "guest", strconv.FormatInt(sh.ID, 10), payload))
	expires := s.opts.Now().Add(guestCookieTTL)
	if !sh.ExpiresAt.IsZero() && sh.ExpiresAt.Before(expires) {
		expires = sh.ExpiresAt
	}
	http.SetCookie(w, &http.Cookie{
		Name: guestCookieName(sh.ID), Value: payload + "." + sig, Path: "/s/", Expires: expires,
		HttpOnly: true, SameSite: http.SameSiteLaxMode, Secure: r.TLS != nil || s.opts.SecureCookies,
	})
	return nil
}

// deviceHash is what the catalog stores of a device id.
func deviceHash(device string) string {
	sum := sha256.Sum256([]byte(device))
	return hex.EncodeToString(sum[:16])
}

// guest is who the request comes from, for the archive's guest actions:
// the link, the device and its name ("" until the guest types one, which
// the archive refuses with archive.ErrNoName).
func (s *server) guest(r *http.Request, sh catalog.Share) archive.Guest {
	g := archive.Guest{Share: sh}
	if c, ok := s.readGuest(r, sh); ok {
		g.Device, g.Name = deviceHash(c.Device), c.Name
	}
	return g
}
