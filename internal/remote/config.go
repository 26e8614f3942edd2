package remote

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"

	"github.com/picup/picup/internal/catalog"
)

// ConfigFile is the user's list of remotes, kept outside any library so
// that "picup restore --from NAME" works on a machine whose library is
// gone: $PICUP_REMOTES, else ~/.config/picup/remotes. It holds no secrets.
func ConfigFile() string {
	if f := os.Getenv("PICUP_REMOTES"); f != "" {
		return f
	}
	dir, err := os.UserConfigDir()
	if err != nil {
		return ""
	}
	return filepath.Join(dir, "picup", "remotes")
}

// SaveConfig records a remote (how to reach it, no credentials) in the
// user's remotes file, replacing an entry of the same name.
func SaveConfig(r catalog.Remote) error {
	file := ConfigFile()
	if file == "" {
		return fmt.Errorf("no config directory for %s", file)
	}
	sections := map[string]map[string]string{}
	if _, err := os.Stat(file); err == nil {
		if sections, err = readINI(file); err != nil {
			return fmt.Errorf("%s: %w", file, err)
		}
	}
	sections[strings.ToLower(r.Name)] = map[string]string{
		"url":           "s3://" + strings.TrimSuffix(r.Bucket+"/"+r.Prefix, "/"),
		"endpoint":      r.Endpoint,
		"region":        r.Region,
		"insecure_http": strconv.FormatBool(r.Insecure),
	}
	names := make([]string, 0, len(sections))
	for n := range sections {
		names = append(names, n)
	}
	sort.Strings(names)
	var b strings.Builder
	b.WriteString("# picup remotes: how to reach them (credentials live elsewhere, see \"picup remote --help\")\n")
	for _, n := range names {
		fmt.Fprintf(&b, "\n[%s]\n", n)
		keys := make([]string, 0, len(sections[n]))
		for k := range sections[n] {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			fmt.Fprintf(&b, "%s = %s\n", k, sections[n][k])
		}
	}
	if err := os.MkdirAll(filepath.Dir(file), 0o700); err != nil {
		return err
	}
	tmp := file + ".tmp"
	if err := os.WriteFile(tmp, []byte(b.String()), 0o600); err != nil {
		return err
	}
	return os.Rename(tmp, file)
}

// LoadConfig reads a remote from the user's remotes file.
func LoadConfig(name string) (catalog.Remote, error) {
	file := ConfigFile()
	sections, err := readINI(file)
	if err != nil {
		return catalog.Remote{}, fmt.Errorf("no remote %q: cannot read %s (%v); give the bucket URL and --endpoint instead", name, file, err)
	}
	s, ok := sections[strings.ToLower(name)]
	if !ok {
		return catalog.Remote{}, fmt.Errorf("no remote %q in %s; give the bucket URL and --endpoint instead", name, file)
	}
	bucket, prefix, err := ParseURL(s["url"])
	if err != nil {
		return catalog.Remote{}, fmt.Errorf("%s [%s]: %w", file, name, err)
	}
	insecure, _ := strconv.ParseBool(s["insecure_http"])
	return catalog.Remote{Name: name, Bucket: bucket, Prefix: prefix, Endpoint: s["endpoint"], Region: s["region"], Insecure: insecure, KeepSnapshots: 7}, nil
}
