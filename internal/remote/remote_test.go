package remote

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/picup/picup/internal/catalog"
)

func TestParseURL(t *testing.T) {
	tests := []struct {
		in, bucket, prefix string
		ok                 bool
	}{
		{"s3://photos", "photos", "", true},
		{"s3://photos/picup", "photos", "picup", true},
		{"s3://photos/a/b/", "photos", "a/b", true},
		{"https://photos", "", "", false},
		{"s3://", "", "", false},
		{"photos", "", "", false},
	}
	for _, tt := range tests {
		b, p, err := ParseURL(tt.in)
		if (err == nil) != tt.ok || b != tt.bucket || p != tt.prefix {
			t.Errorf("ParseURL(%q) = %q, %q, %v; want %q, %q, ok=%v", tt.in, b, p, err, tt.bucket, tt.prefix, tt.ok)
		}
	}
}

func TestLoadCredentials(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "credentials")
	t.Setenv("PICUP_CREDENTIALS", file)
	for _, k := range []string{"PICUP_S3_ACCESS_KEY_ID", "PICUP_S3_SECRET_ACCESS_KEY", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"} {
		t.Setenv(k, "")
	}
	if _, err := LoadCredentials("b2"); err == nil || !strings.Contains(err.Error(), "AWS_ACCESS_KEY_ID") {
		t.Fatalf("no credentials anywhere: %v; want advice", err)
	}
	body := "# family backup\n[default]\naccess_key_id = D\nsecret_access_key = DS\n\n[B2]\naccess_key_id = K\nsecret_access_key = S\n"
	if err := os.WriteFile(file, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := LoadCredentials("b2"); err == nil || !strings.Contains(err.Error(), "chmod 600") {
		t.Fatalf("world-readable file: %v; want a refusal that says chmod 600", err)
	}
	if err := os.Chmod(file, 0o600); err != nil {
		t.Fatal(err)
	}
	if c, err := LoadCredentials("b2"); err != nil || c != (Credentials{"K", "S"}) {
		t.Fatalf("LoadCredentials(b2) = %+v, %v; want the [B2] section", c, err)
	}
	if c, err := LoadCredentials("nas"); err != nil || c != (Credentials{"D", "DS"}) {
		t.Fatalf("LoadCredentials(nas) = %+v, %v; want [default]", c, err)
	}
	t.Setenv("AWS_ACCESS_KEY_ID", "EK")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "ES")
	if c, _ := LoadCredentials("b2"); c != (Credentials{"EK", "ES"}) {
		t.Fatalf("environment does not win over the file: %+v", c)
	}
	t.Setenv("PICUP_S3_ACCESS_KEY_ID", "PK")
	t.Setenv("PICUP_S3_SECRET_ACCESS_KEY", "PS")
	if c, _ := LoadCredentials("b2"); c != (Credentials{"PK", "PS"}) {
		t.Fatalf("PICUP_S3_* do not win: %+v", c)
	}
}

func TestRemotesFile(t *testing.T) {
	t.Setenv("PICUP_REMOTES", filepath.Join(t.TempDir(), "sub", "remotes"))
	for _, r := range []catalog.Remote{
		{Name: "b2", Bucket: "family", Prefix: "picup", Endpoint: "s3.example.org", Region: "eu"},
		{Name: "nas", Bucket: "photos", Endpoint: "10.0.0.2:9000", Insecure: true},
		{Name: "B2", Bucket: "family2", Endpoint: "s3.example.org"}, // replaces b2
	} {
		if err := SaveConfig(r); err != nil {
			t.Fatal(err)
		}
	}
	got, err := LoadConfig("nas")
	if err != nil || got.Bucket != "photos" || got.Prefix != "" || !got.Insecure || got.Endpoint != "10.0.0.2:9000" {
		t.Fatalf("LoadConfig(nas) = %+v, %v", got, err)
	}
	if got, err := LoadConfig("b2"); err != nil || got.Bucket != "family2" {
		t.Fatalf("LoadConfig(b2) = %+v, %v; want the replaced entry", got, err)
	}
	if _, err := LoadConfig("other"); err == nil || !strings.Contains(err.Error(), "--endpoint") {
		t.Fatalf("LoadConfig(other) = %v; want advice", err)
	}
	fi, err := os.Stat(os.Getenv("PICUP_REMOTES"))
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("remotes file mode %v, %v; want 0600", fi.Mode(), err)
	}
}
