package cli

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/picup/picup/internal/archive"
	"github.com/picup/picup/internal/library"
	"github.com/picup/picup/internal/web"
)

type serveOptions struct {
	addr           string
	publicURL      string
	tlsCert        string
	tlsKey         string
	metricsAddr    string
	trustedProxies []string
	noRateLimit    bool
	jobEvery       time.Duration // web.RunConfig.JobEvery
	purgeEvery     time.Duration // web.RunConfig.PurgeEvery
	// tests: called with the bound addresses (metricsAddr "" without
	// --metrics-addr)
	ready func(addr, metricsAddr string)
}

func newServeCmd(e *env) *cobra.Command {
	o := &serveOptions{}
	cmd := &cobra.Command{
		Use:   "serve",
		Short: "Serve share links to browsers (the family viewer)",
		Long: `Serve the family viewer: the pages that "picup share" links open. It
listens on --addr (127.0.0.1:8080 by default: this machine only; use
0.0.0.0:8080 for the home network, or put a TLS reverse proxy in front).

--public-url is the address people reach the server at (such as
https://photos.example.org behind a proxy); it is saved in the library,
and the links "picup share" prints start with it.

--tls-cert and --tls-key serve HTTPS (TLS 1.2 or newer, HTTP/2) directly,
without a proxy; the files are read again when they change, so a renewed
certificate needs no restart.

Each client address may load 2,500 share pages, photo lists and
thumbnails at once and then 100 a second, and try 5 passwords a minute;
over that it gets 429 Too Many Requests with Retry-After. Behind a reverse
proxy every request comes from the proxy's address: name it with
--trusted-proxy so that its X-Forwarded-For header tells clients apart.

/metrics (Prometheus text format) answers only this machine, and not
through a proxy; --metrics-addr serves it on a listener of its own
instead, to whoever can reach that address.

While serving it runs queued jobs in the background (deletions, syncs to
remotes added with --auto, retries of failed ones) and purges the trash
every hour. It logs one line per request and per job to stderr, and stops
gracefully on Ctrl-C or SIGTERM, finishing requests in flight.`,
		Example: `  picup serve
  picup serve --addr 0.0.0.0:8080 --public-url http://192.168.1.20:8080
  picup serve --addr 0.0.0.0:8443 --tls-cert cert.pem --tls-key key.pem --public-url https://photos.example.org:8443
  picup serve --public-url https://photos.example.org --trusted-proxy 127.0.0.1 --metrics-addr 127.0.0.1:9090`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			return runServe(cmd.Context(), e, o)
		},
	}
	f := cmd.Flags()
	f.StringVar(&o.addr, "addr", "127.0.0.1:8080", "address to listen on")
	f.StringVar(&o.publicURL, "public-url", "", "URL the server is reached at; saved for the links \"picup share\" prints")
	f.StringVar(&o.tlsCert, "tls-cert", "", "serve HTTPS with this PEM certificate (chain) file; needs --tls-key")
	f.StringVar(&o.tlsKey, "tls-key", "", "PEM private key file of --tls-cert")
	f.StringVar(&o.metricsAddr, "metrics-addr", "", "serve /metrics on this address instead of to loopback clients of --addr")
	f.StringArrayVar(&o.trustedProxies, "trusted-proxy", nil, "address or CIDR of a reverse proxy whose X-Forwarded-For is believed (repeatable)")
	f.BoolVar(&o.noRateLimit, "no-rate-limit", false, "turn off the per-client rate limits (load tests)")
	return cmd
}

func runServe(ctx context.Context, e *env, o *serveOptions) error {
	public, trusted, err := checkServeFlags(o)
	if err != nil {
		return err
	}
	out := web.NewLog(e.stderr)
	defer out.Close()
	log := out.Logger()
	var tlsConf *tls.Config
	if o.tlsCert != "" {
		certs, err := web.LoadCertFiles(o.tlsCert, o.tlsKey, log)
		if err != nil {
			return certFlagError(o, err)
		}
		tlsConf = &tls.Config{GetCertificate: certs.GetCertificate}
	}
	return withLibrary(ctx, e, func(lib *library.Library) error {
		if public, err = savePublicURL(ctx, lib, public); err != nil {
			return err
		}
		scheme := "http"
		if tlsConf != nil {
			scheme = "https"
			if !strings.HasPrefix(public, "https://") {
				log.Warn("serving HTTPS, but the links \"picup share\" prints start with "+public+"; set the https:// address with --public-url", "public_url", public)
			}
		}
		ln, mln, err := listenServe(o)
		if err != nil {
			return err
		}
		log.Info("serving", "addr", ln.Addr().String(), "scheme", scheme, "public_url", public, "library", lib.Root)
		return web.Run(ctx, lib, web.RunConfig{
			Listener: ln, MetricsListener: mln, TLS: tlsConf, JobEvery: o.jobEvery, PurgeEvery: o.purgeEvery,
			Ready: o.ready,
			Options: web.Options{
				Logger:         log,
				SecureCookies:  tlsConf != nil || strings.HasPrefix(public, "https://"),
				NoRateLimits:   o.noRateLimit,
				TrustedProxies: trusted,
			},
		})
	})
}

// certFlagError names the flags of the files a certificate error is
// about.
func certFlagError(o *serveOptions, err error) error {
	var ce *web.CertError
	switch {
	case !errors.As(err, &ce):
		return err
	case ce.File == "":
		return fmt.Errorf("--tls-cert %s and --tls-key %s are not a certificate and its private key in PEM: %w", o.tlsCert, o.tlsKey, ce.Err)
	case ce.Key:
		return fmt.Errorf("read --tls-key %s: %w", ce.File, ce.Err)
	}
	return fmt.Errorf("read --tls-cert %s: %w", ce.File, ce.Err)
}

// listenServe opens the listeners of --addr and --metrics-addr (nil
// without it).
func listenServe(o *serveOptions) (ln, mln net.Listener, err error) {
	if ln, err = net.Listen("tcp", o.addr); err != nil {
		return nil, nil, fmt.Errorf("listen on %s: %w; pick another --addr", o.addr, err)
	}
	if o.metricsAddr != "" {
		if mln, err = net.Listen("tcp", o.metricsAddr); err != nil {
			ln.Close()
			return nil, nil, fmt.Errorf("listen on %s: %w; pick another --metrics-addr", o.metricsAddr, err)
		}
	}
	return ln, mln, nil
}

// checkServeFlags checks serve's flags; it returns --public-url without
// a trailing slash ("" when not given) and the --trusted-proxy prefixes.
func checkServeFlags(o *serveOptions) (public string, trusted []netip.Prefix, err error) {
	if o.publicURL != "" {
		if public, err = checkPublicURL(o.publicURL); err != nil {
			return "", nil, err
		}
	}
	if (o.tlsCert == "") != (o.tlsKey == "") {
		return "", nil, usageErrorf("--tls-cert and --tls-key go together: give both files or neither")
	}
	for _, s := range o.trustedProxies {
		p, err := web.ParseTrustedProxy(s)
		if err != nil {
			return "", nil, &UsageError{Err: fmt.Errorf("--trusted-proxy: %w", err)}
		}
		trusted = append(trusted, p)
	}
	return public, trusted, nil
}

// savePublicURL saves --public-url in the library for the links "picup
// share" prints, or, without one, returns the URL saved before.
func savePublicURL(ctx context.Context, lib *library.Library, public string) (string, error) {
	if public == "" {
		return publicURL(ctx, lib, "")
	}
	return public, archive.New(lib).SetPublicURL(ctx, public)
}
