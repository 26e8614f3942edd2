// Package remote turns a remote recorded in the catalog into a blob store:
// it parses s3:// URLs and finds credentials in the environment or in a
// credentials file, never in the catalog.
package remote

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/picup/picup/internal/blob"
	"github.com/picup/picup/internal/catalog"
)

// ParseURL splits s3://BUCKET[/PREFIX] into bucket and prefix (without
// leading or trailing slashes).
func ParseURL(s string) (bucket, prefix string, err error) {
	u, err := url.Parse(s)
	if err != nil || u.Scheme != "s3" || u.Host == "" {
		return "", "", fmt.Errorf("invalid remote URL %q: use s3://BUCKET or s3://BUCKET/PREFIX", s)
	}
	return u.Host, strings.Trim(u.Path, "/"), nil
}

// Credentials are an S3 access key pair.
type Credentials struct {
	AccessKey, SecretKey string
}

// CredentialsFile is where credentials are read from when the environment
// has none: $PICUP_CREDENTIALS, else ~/.config/picup/credentials. It holds
// sections named after remotes (or [default]):
//
//	[b2]
//	access_key_id = ...
//	secret_access_key = ...
func CredentialsFile() string {
	if f := os.Getenv("PICUP_CREDENTIALS"); f != "" {
		return f
	}
	dir, err := os.UserConfigDir()
	if err != nil {
		return ""
	}
	return filepath.Join(dir, "picup", "credentials")
}

// LoadCredentials finds the credentials of a remote: PICUP_S3_ACCESS_KEY_ID
// and PICUP_S3_SECRET_ACCESS_KEY, then AWS_ACCESS_KEY_ID and
// AWS_SECRET_ACCESS_KEY, then the remote's (or the default) section of the
// credentials file, which must not be readable by others.
func LoadCredentials(name string) (Credentials, error) {
	for _, pair := range [][2]string{
		{"PICUP_S3_ACCESS_KEY_ID", "PICUP_S3_SECRET_ACCESS_KEY"},
		{"AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"},
	} {
		if a, s := os.Getenv(pair[0]), os.Getenv(pair[1]); a != "" && s != "" {
			return Credentials{AccessKey: a, SecretKey: s}, nil
		}
	}
	file := CredentialsFile()
	fi, err := os.Stat(file)
	if err != nil {
		return Credentials{}, fmt.Errorf("no credentials for remote %q: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or write them to %s (mode 0600) in a [%s] section", name, file, name)
	}
	if fi.Mode().Perm()&0o077 != 0 {
		return Credentials{}, fmt.Errorf("credentials file %s is readable by others (mode %o); run \"chmod 600 %s\"", file, fi.Mode().Perm(), file)
	}
	sections, err := readINI(file)
	if err != nil {
		return Credentials{}, fmt.Errorf("credentials file %s: %w", file, err)
	}
	for _, sec := range []string{strings.ToLower(name), "default"} {
		s := sections[sec]
		if s["access_key_id"] != "" && s["secret_access_key"] != "" {
			return Credentials{AccessKey: s["access_key_id"], SecretKey: s["secret_access_key"]}, nil
		}
	}
	return Credentials{}, fmt.Errorf("credentials file %s has no [%s] (or [default]) section with access_key_id and secret_access_key", file, name)
}

func readINI(path string) (map[string]map[string]string, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	out := map[string]map[string]string{}
	section := "default"
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		switch {
		case line == "" || strings.HasPrefix(line, "#") || strings.HasPrefix(line, ";"):
		case strings.HasPrefix(line, "[") && strings.HasSuffix(line, "]"):
			section = strings.ToLower(strings.TrimSpace(line[1 : len(line)-1]))
		default:
			k, v, ok := strings.Cut(line, "=")
			if !ok {
				return nil, fmt.Errorf("line %d: want key = value", n)
			}
			if out[section] == nil {
				out[section] = map[string]string{}
			}
			out[section][strings.ToLower(strings.TrimSpace(k))] = strings.TrimSpace(v)
		}
	}
	return out, sc.Err()
}

// Options tune the store Open returns.
type Options struct {
	BytesPerSec int64 // 0: unlimited
}

// DefaultRetry is how calls to a remote are retried: transient failures
// back off up to a minute; eight in a row open the circuit for a minute.
var DefaultRetry = blob.RetryPolicy{Attempts: 6, Base: 500 * time.Millisecond, Max: time.Minute, BreakAfter: 8, Cooldown: time.Minute}

// Open connects to a remote with retries, a circuit breaker and the
// optional bandwidth limit. It returns the raw S3 store too, for bucket
// creation and probes.
func Open(ctx context.Context, r catalog.Remote, o Options) (blob.Store, *blob.S3, error) {
	cred, err := LoadCredentials(r.Name)
	if err != nil {
		return nil, nil, err
	}
	s3, err := blob.NewS3(ctx, blob.S3Config{
		Endpoint: r.Endpoint, Secure: !r.Insecure, Region: r.Region, Bucket: r.Bucket, Prefix: r.Prefix,
		AccessKey: cred.AccessKey, SecretKey: cred.SecretKey,
	})
	if err != nil {
		return nil, nil, fmt.Errorf("remote %q: %w", r.Name, err)
	}
	// Retry goes outermost: it rewinds an upload's reader before trying
	// again, through the limit.
	var s blob.Store = s3
	if o.BytesPerSec > 0 {
		s = blob.WithLimit(s, o.BytesPerSec)
	}
	return blob.WithRetry(s, DefaultRetry), s3, nil
}

// ErrNoRemote is returned when a command needs a remote and none is set.
var ErrNoRemote = errors.New("no remote configured; add one with \"picup remote add NAME s3://BUCKET --endpoint HOST\"")
