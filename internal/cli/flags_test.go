package cli

import (
	"bytes"
	"context"
	"errors"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

// badValues are values every flag of a type must refuse, by the type
// pflag reports (Value.Type()).
var badValues = map[string][]string{
	"int":         {"abc", "-3", "1.5", "99999999999999999999"},
	"int64":       {"abc", "-3", "1e3"},
	"int64Slice":  {"1,x", "-2", "1,,2"},
	"size":        {"50", "50 ", "0", "0MB", "-1", "50Gb", "2M", "lots"},
	"duration":    {"1m", "0d", "-1d", "1.5d", "soon", "30"},
	"choice":      {"bogus", ""},
	"percent":     {"5", "0%", "101%", "abc%"},
	"host[:port]": {"http://s3.example.com", "s3.example.com:99999", "a b", ""},
	"host:port":   {"nonsense", "127.0.0.1:99999", ":http", "a b:80", ""},
	"URL":         {"nonsense", "ftp://x", "photos.example.org", ""},
}

// stringFlags classifies every flag of type string (or stringArray) by
// "COMMAND --flag": free text (a name, a path, a title) that has no bad
// value, or a value checked when the command runs, with a bad value that
// must be a usage error naming the flag. A new string flag must be added
// here, so that nobody forgets to check its values.
var stringFlags = map[string]string{
	"picup --library":                 "", // a directory; a missing one is created
	"picup activity --after":          "zz",
	"picup album show --after":        "zz",
	"picup comments ls --after":       "zz",
	"picup ls --after":                "zz",
	"picup find --after":              "zz",
	"picup jobs ls --after":           "zz",
	"picup trash log --after":         "zz",
	"picup uploads ls --after":        "zz",
	"picup import --album":            "",
	"picup import --user":             "",
	"picup import --include":          "[",
	"picup import --exclude":          "a[b",
	"picup ls --user":                 "",
	"picup ls --album":                "",
	"picup ls --owner":                "",
	"picup ls --since":                "2019-13",
	"picup ls --until":                "someday",
	"picup ls --fields":               "nonsense",
	"picup offload --album":           "",
	"picup offload --remote":          "",
	"picup redate --at":               "14/07/1962",
	"picup remote add --region":       "",
	"picup restore --from":            "",
	"picup restore --name":            "",
	"picup restore --region":          "",
	"picup rm --album":                "",
	"picup share --name":              "",
	"picup share --search":            `"unclosed`,
	"picup share --upload-as":         "",
	"picup share --upload-max":        "50Gb",
	"picup share --expires":           "1m",
	"picup share extend --expires-at": "someday",
	"picup serve --trusted-proxy":     "nonsense",
	"picup serve --domain":            "",
	"picup serve --acme-email":        "",
	"picup serve --acme-directory":    "",
	"picup serve --acme-ca":           "",
	"picup serve --tls-cert":          "",
	"picup serve --tls-key":           "",
	"picup serve --media-from":        "nas",             // a remote of the library
	"picup serve --media-base-url":    "cdn.example.org", // a scheme and host
	"picup tui --log":                 "",
	"picup user rm --transfer-to":     "",
	"picup verify --remote":           "",
}

// TestEveryFlagRefusesBadValues walks the whole command tree and gives
// each flag that can hold a bad value a bad value: each must end the
// command with a usage error (exit 2) whose message names the flag and
// whose help line names the command.
func TestEveryFlagRefusesBadValues(t *testing.T) {
	root := NewRoot(context.Background(), nil, io.Discard, io.Discard)
	tried := 0
	var walk func(c *cobra.Command)
	walk = func(c *cobra.Command) {
		c.LocalFlags().VisitAll(func(f *pflag.Flag) {
			key := c.CommandPath() + " --" + f.Name
			typ := f.Value.Type()
			var bad []string
			switch typ {
			case "bool":
				return
			case "string", "stringArray":
				v, ok := stringFlags[key]
				if !ok {
					t.Errorf("%s (%s) is not in stringFlags: give it a type that checks its value, or say it is free text", key, typ)
					return
				}
				if v == "" {
					return
				}
				bad = []string{v}
			default:
				if bad = badValues[typ]; bad == nil {
					t.Errorf("%s: no bad values for flag type %q in badValues", key, typ)
					return
				}
			}
			for _, v := range bad {
				tried++
				checkBadFlag(t, c, f.Name, v)
			}
		})
		for _, sub := range c.Commands() {
			walk(sub)
		}
	}
	walk(root)
	if tried < 60 {
		t.Errorf("tried %d bad values; the walk missed commands", tried)
	}
}

// checkBadFlag runs the command c with --name=value in a new library.
func checkBadFlag(t *testing.T, c *cobra.Command, name, value string) {
	t.Helper()
	path := c.CommandPath()
	args := strings.Fields(path)[1:]
	args = append(args, "--"+name+"="+value, "--library", t.TempDir())
	args = append(args, exampleArgs[path]...)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	var stdout, stderr bytes.Buffer
	err := Execute(ctx, args, strings.NewReader(""), &stdout, &stderr)
	var usage *UsageError
	switch {
	case err == nil:
		t.Errorf("picup %s: no error; want a usage error naming --%s", strings.Join(args, " "), name)
	case !errors.As(err, &usage):
		t.Errorf("picup %s: %v (exit 1); want a usage error (exit 2)", strings.Join(args, " "), err)
	case !strings.Contains(err.Error(), "--"+name):
		t.Errorf("picup %s: %q does not name --%s", strings.Join(args, " "), err, name)
	case usage.Command != path:
		t.Errorf("picup %s: the help line names %q; want %q", strings.Join(args, " "), usage.Command, path)
	}
}

// exampleArgs are the arguments a command needs to get as far as
// checking its flags' values when they are checked as it runs.
var exampleArgs = map[string][]string{
	"picup share":        {"Family"},
	"picup album show":   {"Family"},
	"picup share extend": {"1"},
	"picup restore":      {"s3://bucket"},
	"picup import":       {"."},
	"picup find":         {"beach"},
}

// TestUsageErrors: usage errors that are not about a flag's value read
// right, and point at the help of the command that was run.
func TestUsageErrors(t *testing.T) {
	tests := []struct {
		args    []string
		err     string
		command string
	}{
		{[]string{"album", "show", "a", "b", "c"}, "album show: takes 1 argument, got 3", "picup album show"},
		{[]string{"album", "rename", "a"}, "album rename: takes 2 arguments, got 1", "picup album rename"},
		{[]string{"info"}, "info: takes 1 argument, got 0", "picup info"},
		{[]string{"user", "set-quota", "mom", "-1"}, "-1: negative values are not accepted (no size, count, id or duration is below 0)", "picup user set-quota"},
		{[]string{"user", "set-quota", "mom", "50Gb"}, `invalid size "50Gb": "Gb" is in bits (a small b); picup counts bytes: write 50GB, or none for no limit`, "picup user set-quota"},
		{[]string{"ls", "--limit", "-1"}, `invalid argument "-1" for "--limit" flag: "-1" is negative; it must be 0 or more`, "picup ls"},
		{[]string{"ls", "--limit", "ten"}, `invalid argument "ten" for "--limit" flag: "ten" is not a whole number`, "picup ls"},
		{[]string{"trash", "empty", "--older-than", "1m"}, `invalid argument "1m" for "--older-than" flag: invalid duration "1m": "m" could mean minutes or months; write 1min for minutes or 1mo for months`, "picup trash empty"},
		{[]string{"sync", "--bwlimit", "2M"}, `invalid argument "2M" for "--bwlimit" flag: invalid size "2M": "M" alone could mean powers of 1000 or of 1024: write 2MB or 2MiB`, "picup sync"},
		{[]string{"trash", "nonsense"}, `unknown command "nonsense" for "picup trash"`, "picup trash"},
		{[]string{"nonsense"}, `unknown command "nonsense" for "picup"`, "picup"},
	}
	for _, tt := range tests {
		args := append([]string{"--library", t.TempDir()}, tt.args...)
		err := Execute(context.Background(), args, strings.NewReader(""), io.Discard, io.Discard)
		var usage *UsageError
		if !errors.As(err, &usage) {
			t.Errorf("picup %s: %v; want a usage error", strings.Join(tt.args, " "), err)
			continue
		}
		if tt.err != "" && err.Error() != tt.err {
			t.Errorf("picup %s: %q; want %q", strings.Join(tt.args, " "), err, tt.err)
		}
		if want := `Run "` + tt.command + ` --help" for usage.`; usage.Help() != want {
			t.Errorf("picup %s: help line %q; want %q", strings.Join(tt.args, " "), usage.Help(), want)
		}
	}
}
