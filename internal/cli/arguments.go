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
	var ids []int64
	for _, a := range o.ids {
		id, err := strconv.ParseInt(a, 10, 64)
		if err != nil {
			return nil, usageErrorf("%q is not a %s id; see \"%s\"", a, what, list)
		}
		ids = append(ids, id)
	}
	return ids, nil
}
