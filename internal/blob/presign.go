package blob

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"time"
)

// ResponseHeaders are the headers a presigned GET makes the server answer
// with (S3's response-* query parameters); "" leaves one as stored.
type ResponseHeaders struct {
	ContentType        string
	ContentDisposition string
	CacheControl       string
}

// MaxPresignLife is the longest a presigned URL may live (S3's limit).
const MaxPresignLife = 7 * 24 * time.Hour

// PresignGet returns a URL that lets whoever holds it GET the object
// under key, without credentials, for life (whole seconds, 1 s to 7
// days), with the response headers h. It contacts the server only the
// first time, to learn the bucket's region when none is configured.
func (s *S3) PresignGet(ctx context.Context, key string, life time.Duration, h ResponseHeaders) (*url.URL, error) {
	if err := checkKey(key); err != nil {
		return nil, err
	}
	life = life.Truncate(time.Second)
	if life < time.Second || life > MaxPresignLife {
		return nil, fmt.Errorf("presign %q: lifetime %s is not between 1s and 7 days", key, life)
	}
	params := url.Values{}
	for _, p := range [...]struct{ name, value string }{
		{"response-content-type", h.ContentType},
		{"response-content-disposition", h.ContentDisposition},
		{"response-cache-control", h.CacheControl},
	} {
		if p.value != "" {
			params.Set(p.name, p.value)
		}
	}
	u, err := s.client.PresignedGetObject(ctx, s.cfg.Bucket, s.prefix+key, life, params)
	if err != nil {
		return nil, s.mapErr("presign", key, err)
	}
	return u, nil
}

// Rebase returns u with its scheme and host replaced by base's: the same
// object through a CDN or another domain in front of the bucket, which
// must pass the path and query on to the bucket unchanged (and the
// bucket's Host, which the signature covers).
func Rebase(u *url.URL, base *url.URL) *url.URL {
	if base == nil {
		return u
	}
	out := *u
	out.Scheme, out.Host = base.Scheme, base.Host
	return &out
}

// ParseBaseURL checks a base URL for Rebase: http or https, a host, and
// nothing after it but an optional "/".
func ParseBaseURL(s string) (*url.URL, error) {
	u, err := url.Parse(s)
	switch {
	case err != nil:
		return nil, fmt.Errorf("%q is not a URL: %w", s, err)
	case u.Scheme != "https" && u.Scheme != "http", u.Host == "":
		return nil, fmt.Errorf("%q is not an http:// or https:// URL with a host (such as https://cdn.example.org)", s)
	case u.Path != "" && u.Path != "/", u.RawQuery != "", u.Fragment != "", u.User != nil:
		return nil, errors.New("give only the scheme and host (such as https://cdn.example.org): no path, query or user")
	}
	return &url.URL{Scheme: u.Scheme, Host: u.Host}, nil
}

// Origin is the scheme and host of u, as a Content-Security-Policy
// source.
func Origin(u *url.URL) string { return u.Scheme + "://" + u.Host }
