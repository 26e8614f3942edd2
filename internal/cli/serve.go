package cli

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/picup/picup/internal/catalog"
	"github.com/picup/picup/internal/library"
	"github.com/picup/picup/internal/web"
)

type serveOptions struct {
	addr      string
	publicURL string
	ready     func(addr string) // tests: called with the bound address
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

It logs one line per request to stderr and stops gracefully on Ctrl-C or
SIGTERM, finishing requests in flight.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			return runServe(cmd.Context(), e, o)
		},
	}
	f := cmd.Flags()
	f.StringVar(&o.addr, "addr", "127.0.0.1:8080", "address to listen on")
	f.StringVar(&o.publicURL, "public-url", "", "URL the server is reached at; saved for the links \"picup share\" prints")
	return cmd
}

// shutdownGrace bounds how long in-flight requests may take after a stop
// signal.
const shutdownGrace = 10 * time.Second

func runServe(ctx context.Context, e *env, o *serveOptions) error {
	var public string
	if o.publicURL != "" {
		var err error
		if public, err = checkPublicURL(o.publicURL); err != nil {
			return err
		}
	}
	log := slog.New(slog.NewTextHandler(e.stderr, nil))
	return withLibrary(ctx, e, func(lib *library.Library) error {
		if public != "" {
			err := lib.Catalog.Write(ctx, func(tx *catalog.Tx) error { return tx.SetSetting(ctx, publicURLSetting, public) })
			if err != nil {
				return err
			}
		} else {
			var err error
			if public, err = publicURL(ctx, lib, ""); err != nil {
				return err
			}
		}
		ln, err := net.Listen("tcp", o.addr)
		if err != nil {
			return fmt.Errorf("listen on %s: %w; pick another --addr", o.addr, err)
		}
		srv := &http.Server{
			Handler: web.NewServer(lib, web.Options{
				Logger:        log,
				SecureCookies: strings.HasPrefix(public, "https://"),
			}),
			ReadHeaderTimeout: 10 * time.Second,
			IdleTimeout:       2 * time.Minute,
			ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
			BaseContext:       func(net.Listener) context.Context { return context.WithoutCancel(ctx) },
		}
		log.Info("serving", "addr", ln.Addr().String(), "public_url", public, "library", lib.Root)
		if o.ready != nil {
			o.ready(ln.Addr().String())
		}
		errc := make(chan error, 1)
		go func() { errc <- srv.Serve(ln) }()
		select {
		case err := <-errc:
			return fmt.Errorf("serve: %w", err)
		case <-ctx.Done():
		}
		log.Info("shutting down", "grace", shutdownGrace)
		sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), shutdownGrace)
		defer cancel()
		if err := srv.Shutdown(sctx); err != nil {
			srv.Close()
			return fmt.Errorf("shut down: %w", err)
		}
		if err := <-errc; err != nil && !errors.Is(err, http.ErrServerClosed) {
			return err
		}
		log.Info("stopped")
		return nil
	})
}
