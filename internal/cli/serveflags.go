package cli

import (
	"fmt"
	"net"
	"strconv"
	"strings"

	"github.com/picup/picup/internal/sharelink"
	"github.com/spf13/pflag"
)

// Values of the flags of serve and share, checked when the command line
// is read.

// listenAddrValue is an address to listen on, HOST:PORT or :PORT,
// checked when the command line is read: a malformed one is a usage error
// (exit 2) naming the flag; one that cannot be listened on (in use, a
// port that needs privileges) is found when listening.
type listenAddrValue struct{ p *string }

func (v *listenAddrValue) String() string { return *v.p }
func (v *listenAddrValue) Type() string   { return "host:port" }
func (v *listenAddrValue) Set(s string) error {
	host, port, err := net.SplitHostPort(s)
	if err != nil {
		return fmt.Errorf("want HOST:PORT such as 127.0.0.1:8080, or :PORT for every address (%v)", strings.TrimPrefix(err.Error(), "address "+s+": "))
	}
	if n, err := strconv.Atoi(port); err != nil || n < 0 || n > 65535 {
		return fmt.Errorf("port %q: want a number from 0 to 65535", port)
	}
	if strings.ContainsAny(host, " /") {
		return fmt.Errorf("host %q: want an IP address or a name of this machine", host)
	}
	*v.p = s
	return nil
}

// listenAddrVar defines a listen address flag with a default.
func listenAddrVar(f *pflag.FlagSet, p *string, name, value, usage string) {
	*p = value
	f.Var(&listenAddrValue{p: p}, name, usage)
}

// publicURLValue is a base URL of the links (--public-url), checked when
// the command line is read and kept without a trailing slash.
type publicURLValue struct{ p *string }

func (v *publicURLValue) String() string { return *v.p }
func (v *publicURLValue) Type() string   { return "URL" }
func (v *publicURLValue) Set(s string) error {
	u, err := sharelink.CheckPublicURL(s)
	if err != nil {
		return err
	}
	*v.p = u
	return nil
}

// publicURLVar defines a --public-url flag.
func publicURLVar(f *pflag.FlagSet, p *string, usage string) {
	f.Var(&publicURLValue{p: p}, "public-url", usage)
}
