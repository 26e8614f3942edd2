package cli

// Flag values that are checked when the command line is parsed, so that a
// bad value of any flag is a usage error (exit 2) whose message names the
// flag, before any work starts: pflag reports a Set error as
// `invalid argument "X" for "--flag" flag: REASON`.

import (
	"errors"
	"fmt"
	"net"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/picup/picup/pkg/bytesize"
	"github.com/picup/picup/pkg/period"
)

// sizeValue is a size flag (pkg/bytesize's grammar: 500MB, 20GiB), kept as
// typed once it is valid; with none, the words "none" and "unlimited" are
// valid too.
type sizeValue struct {
	p    *string
	none bool
}

func (v *sizeValue) String() string { return *v.p }
func (v *sizeValue) Type() string   { return "size" }
func (v *sizeValue) Set(s string) error {
	if !v.none || (s != "none" && s != "unlimited") {
		if _, err := bytesize.Parse(s); err != nil {
			if v.none {
				return fmt.Errorf("%w, or none for no limit", err)
			}
			return err
		}
	}
	*v.p = s
	return nil
}

// sizeVar defines a size flag stored as text in p.
func sizeVar(f *pflag.FlagSet, p *string, name, value, usage string) {
	*p = value
	f.Var(&sizeValue{p: p}, name, usage)
}

// quotaVar defines a flag that takes a size or "none".
func quotaVar(f *pflag.FlagSet, p *string, name, value, usage string) {
	*p = value
	f.Var(&sizeValue{p: p, none: true}, name, usage)
}

// durationValue is a duration flag (pkg/period's grammar: 30d, 12h).
type durationValue struct{ p *string }

func (v *durationValue) String() string { return *v.p }
func (v *durationValue) Type() string   { return "duration" }
func (v *durationValue) Set(s string) error {
	d, err := period.Parse(s)
	if err != nil {
		return err
	}
	if d <= 0 {
		return fmt.Errorf("invalid duration %q: it must be longer than 0", s)
	}
	*v.p = s
	return nil
}

// durationVar defines a duration flag stored as text in p.
func durationVar(f *pflag.FlagSet, p *string, name, usage string) {
	f.Var(&durationValue{p: p}, name, usage)
}

// choiceValue is a flag that takes one of a few words.
type choiceValue struct {
	p       *string
	choices []string
}

func (v *choiceValue) String() string { return *v.p }
func (v *choiceValue) Type() string   { return "choice" }
func (v *choiceValue) Set(s string) error {
	if !slices.Contains(v.choices, s) {
		return fmt.Errorf("%q is not one of %s", s, strings.Join(v.choices, ", "))
	}
	*v.p = s
	return nil
}

// choiceVar defines a flag that takes one of choices.
func choiceVar(f *pflag.FlagSet, p *string, name, value string, choices []string, usage string) {
	*p = value
	f.Var(&choiceValue{p: p, choices: choices}, name, usage)
}

// percentValue is a share of a whole, written 5% or 0.5%: more than 0,
// at most 100.
type percentValue struct{ p *string }

func (v *percentValue) String() string { return *v.p }
func (v *percentValue) Type() string   { return "percent" }
func (v *percentValue) Set(s string) error {
	if _, err := parsePercent(s); err != nil {
		return err
	}
	*v.p = s
	return nil
}

// parsePercent reads 5% as 0.05.
func parsePercent(s string) (float64, error) {
	num, ok := strings.CutSuffix(s, "%")
	f, err := strconv.ParseFloat(num, 64)
	if !ok || err != nil || !(f > 0 && f <= 100) {
		return 0, fmt.Errorf("want a percentage more than 0%% and at most 100%%, such as 5%%, not %q", s)
	}
	return f / 100, nil
}

// hostPortValue is a network endpoint written HOST or HOST:PORT, without
// a scheme or a path.
type hostPortValue struct{ p *string }

func (v *hostPortValue) String() string { return *v.p }
func (v *hostPortValue) Type() string   { return "host[:port]" }
func (v *hostPortValue) Set(s string) error {
	if err := checkHostPort(s); err != nil {
		return err
	}
	*v.p = s
	return nil
}

var hostName = regexp.MustCompile(`^[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?$`)

// checkHostPort accepts s3.amazonaws.com, 127.0.0.1:9000, [::1]:9000.
func checkHostPort(s string) error {
	if strings.Contains(s, "://") {
		return fmt.Errorf("%q: write HOST[:PORT] without a scheme (use --insecure-http for plain HTTP)", s)
	}
	host, port := s, ""
	if h, p, err := net.SplitHostPort(s); err == nil {
		host, port = h, p
	} else if strings.Count(s, ":") > 1 && net.ParseIP(s) != nil {
		host = s // a bare IPv6 address
	}
	if port != "" {
		if n, err := strconv.Atoi(port); err != nil || n < 1 || n > 65535 {
			return fmt.Errorf("%q: the port must be a number from 1 to 65535", s)
		}
	}
	if net.ParseIP(host) == nil && !hostName.MatchString(host) {
		return fmt.Errorf("%q is not HOST[:PORT] (such as s3.amazonaws.com or 127.0.0.1:9000)", s)
	}
	return nil
}

// hostPortVar defines a HOST[:PORT] flag.
func hostPortVar(f *pflag.FlagSet, p *string, name, usage string) {
	f.Var(&hostPortValue{p: p}, name, usage)
}

// numberValue wraps pflag's integer flags (int, int64, their slices) so
// that a bad value says so in words instead of strconv's "parsing "x":
// invalid syntax", and so that a negative number, which no picup flag has
// a use for, is refused.
type numberValue struct{ pflag.Value }

func (v numberValue) Set(s string) error {
	parts := []string{s}
	if strings.HasSuffix(v.Type(), "Slice") {
		parts = strings.Split(s, ",")
	}
	for _, part := range parts {
		n, err := strconv.ParseInt(strings.TrimSpace(part), 10, 64)
		var num *strconv.NumError
		switch {
		case errors.As(err, &num) && errors.Is(num.Err, strconv.ErrRange):
			return fmt.Errorf("%q is too large", part)
		case err != nil:
			return fmt.Errorf("%q is not a whole number", part)
		case n < 0:
			return fmt.Errorf("%q is negative; it must be 0 or more", part)
		}
	}
	return v.Value.Set(s)
}

// checkNumbers wraps every integer flag of c and its subcommands in a
// numberValue.
func checkNumbers(c *cobra.Command) {
	c.LocalFlags().VisitAll(func(f *pflag.Flag) {
		switch f.Value.Type() {
		case "int", "int8", "int16", "int32", "int64", "uint", "uint8", "uint16", "uint32", "uint64",
			"intSlice", "int32Slice", "int64Slice", "uintSlice":
			if sv, ok := f.Value.(pflag.SliceValue); ok {
				f.Value = numberSliceValue{numberValue{f.Value}, sv}
			} else {
				f.Value = numberValue{f.Value}
			}
		}
	})
	for _, sub := range c.Commands() {
		checkNumbers(sub)
	}
}

// numberSliceValue keeps a slice flag a pflag.SliceValue.
type numberSliceValue struct {
	numberValue
	pflag.SliceValue
}

func (v numberSliceValue) Set(s string) error { return v.numberValue.Set(s) }
func (v numberSliceValue) String() string     { return v.numberValue.String() }
func (v numberSliceValue) Type() string       { return v.numberValue.Type() }

// negativeArgument turns pflag's "unknown shorthand flag: '1' in -1",
// which a negative number given as an argument or a flag's value causes
// (picup user set-quota mom -1), into what it means.
var negativeArgument = regexp.MustCompile(`^unknown shorthand flag: '[0-9]' in (-[0-9][0-9.]*[A-Za-z%]*)$`)

func flagError(cmd *cobra.Command, err error) error {
	if m := negativeArgument.FindStringSubmatch(err.Error()); m != nil {
		err = fmt.Errorf("%s: negative values are not accepted (no size, count, id or duration is below 0)", m[1])
	}
	return &UsageError{Err: err, Command: cmd.CommandPath()}
}
