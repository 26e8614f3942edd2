package cli

// Checking and quoting arguments: names, lists of ids.

import (
	"strconv"
	"strings"
)

// checkName refuses empty names and names with surrounding spaces.
func checkName(what, name string) error {
	n := strings.TrimSpace(name)
	if n == "" {
		return usageErrorf("%s name cannot be empty", what)
	}
	if n != name {
		return usageErrorf("%s name %q has leading or trailing spaces", what, name)
	}
	return nil
}

// quoteArg quotes s for a shell when it needs it, for the commands picup
// prints for a person to run.
func quoteArg(s string) string {
	if strings.ContainsAny(s, " '\"\\$") {
		return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
	}
	return s
}

// idsOrAllOptions are those of a command that takes ids or --all (trash
// restore, jobs retry).
type idsOrAllOptions struct {
	ids []string
	all bool
}

// idsOrAll reads the numeric ids of what (photo, job), or nil for --all;
// exactly one of the two must be given. list is the command that lists
// the ids.
func idsOrAll(o *idsOrAllOptions, what, list string) ([]int64, error) {
	if (len(o.ids) == 0) == !o.all {
		return nil, usageErrorf("name %s ids or --all, not both or neither", what)
	}
	if o.all {
		return nil, nil
	}
	return parseIDs(o.ids, what, list)
}

// parseIDs reads numeric ids of what (comment, upload); list is the
// command that lists them.
func parseIDs(args []string, what, list string) ([]int64, error) {
	ids := make([]int64, 0, len(args))
	for _, a := range args {
		id, err := strconv.ParseInt(a, 10, 64)
		if err != nil || id <= 0 {
			return nil, usageErrorf("%q is not %s %s id; see \"%s\"", a, article(what), what, list)
		}
		ids = append(ids, id)
	}
	return ids, nil
}

// article is "an" before a word that starts with a vowel, else "a".
func article(word string) string {
	if word != "" && strings.ContainsRune("aeiou", rune(word[0])) {
		return "an"
	}
	return "a"
}
