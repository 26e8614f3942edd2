package cli

import (
	"encoding/json"
	"fmt"
	"io"
	"sort"
	"strconv"
	"strings"
	"text/tabwriter"
)

// Writing results to stdout: JSON, tables and the words for empty values.

// writeJSON writes v as indented JSON, the form of every --json.
func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

// marshalIndented is v as JSON indented to stand in a JSON array.
func marshalIndented(v any) ([]byte, error) {
	b, err := json.MarshalIndent(v, "  ", "  ")
	return b, err
}

// optional is s, or nil (JSON null) when s is empty.
func optional(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

func orNever(s string) string {
	if s == "" {
		return "never"
	}
	return s
}

// dateOnly is the day of a catalog time, "-" when there is none.
func dateOnly(s string) string {
	if len(s) >= 10 {
		return s[:10]
	}
	return "-"
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// newTable starts a table on w with a row of column names; rows are
// tab-separated, and Flush aligns and writes them.
func newTable(w io.Writer, columns ...string) *tabwriter.Writer {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, strings.Join(columns, "\t"))
	return tw
}

// plural is "1 photo", "2 photos": n and the word, in the plural unless n is 1.
func plural(n int, word string) string {
	if n == 1 {
		return "1 " + word
	}
	return strconv.Itoa(n) + " " + word + "s"
}

// nWere is "1 was", "2 were".
func nWere(n int) string {
	if n == 1 {
		return "1 was"
	}
	return strconv.Itoa(n) + " were"
}

// aside is " (1 was already in it)", " (2 were …)", or "" for none.
func aside(n int, what string) string {
	if n == 0 {
		return ""
	}
	return " (" + nWere(n) + " " + what + ")"
}
