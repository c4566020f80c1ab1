// Package server assembles Gantry: it opens the store, builds the control
// plane, and serves them on one listener.
package server

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"os"
	"path/filepath"

	"github.com/gantryproject/gantry/internal/controlplane"
	"github.com/gantryproject/gantry/internal/dataplane"
	"github.com/gantryproject/gantry/internal/front"
	"github.com/gantryproject/gantry/internal/lambda"
	"github.com/gantryproject/gantry/internal/model"
	"github.com/gantryproject/gantry/internal/sigv4"
	"github.com/gantryproject/gantry/internal/store"
	"github.com/gantryproject/gantry/internal/store/sqlite"
)

// DefaultAddr is where Gantry listens by default: loopback only, on the port
// LocalStack users already point AWS_ENDPOINT_URL at.
const DefaultAddr = "127.0.0.1:4566"

// Config configures a Server.
type Config struct {
	// Addr is the TCP address to listen on; empty means DefaultAddr.
	Addr string
	// DataDir holds the embedded database (gantry.db). Ignored when InMemory.
	DataDir string
	// InMemory keeps everything in memory, for throwaway runs.
	InMemory bool
	// Logger receives request and lifecycle logs; nil discards.
	Logger *slog.Logger
	// CognitoURL is the base of Cognito user pool issuers that
	// COGNITO_USER_POOLS authorizers trust; "" means AWS's
	// (dataplane.DefaultCognitoURL).
	CognitoURL string
	// Lambda configures how Lambda authorizers and AWS and AWS_PROXY
	// (Lambda) integrations reach their functions: the default Invoke
	// endpoint, per-function overrides, region and credentials. The zero
	// value calls AWS Lambda in each function's region.
	Lambda lambda.Config
	// Credentials are the AWS credentials Gantry accepts: calls to AWS_IAM
	// methods are verified against them, and so is every control-plane
	// request in strict mode. Nil means the default test/test.
	Credentials *sigv4.Credentials
	// StrictSigV4 makes the control plane verify every request's SigV4
	// signature against Credentials and reject others as AWS does. The
	// default (false) is permissive: any signature, or none, is accepted.
	StrictSigV4 bool
}

// Server is a running Gantry.
type Server struct {
	store    store.Store
	data     *dataplane.Handler
	http     *front.Server
	listener net.Listener
	location string
}

// DefaultDataDir returns the default data directory:
// $XDG_DATA_HOME/gantry, else ~/.local/share/gantry, else ./gantry-data.
func DefaultDataDir() string {
	if d := os.Getenv("XDG_DATA_HOME"); d != "" {
		return filepath.Join(d, "gantry")
	}
	if home, err := os.UserHomeDir(); err == nil {
		return filepath.Join(home, ".local", "share", "gantry")
	}
	return "gantry-data"
}

// New opens the store and binds the listener; Serve starts answering.
func New(cfg Config) (*Server, error) {
	if cfg.Addr == "" {
		cfg.Addr = DefaultAddr
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	var (
		st       store.Store
		location string
		err      error
	)
	if cfg.InMemory {
		st, err = sqlite.OpenMemory()
		location = "in memory (nothing is kept after exit)"
	} else {
		if err := os.MkdirAll(cfg.DataDir, 0o700); err != nil {
			return nil, fmt.Errorf("data directory: %w", err)
		}
		location = filepath.Join(cfg.DataDir, "gantry.db")
		st, err = sqlite.Open(location)
	}
	if err != nil {
		return nil, err
	}
	invoker, err := lambda.New(cfg.Lambda)
	if err != nil {
		st.Close()
		return nil, err
	}
	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		st.Close()
		return nil, err
	}
	if cfg.Credentials == nil {
		if cfg.Credentials, err = sigv4.LoadCredentials("", nil); err != nil {
			ln.Close()
			st.Close()
			return nil, err
		}
	}
	dp := dataplane.New(st, dataplane.Options{Logger: cfg.Logger, CognitoURL: cfg.CognitoURL, Lambda: invoker,
		Credentials: cfg.Credentials})
	if err := dp.Load(context.Background()); err != nil {
		dp.Close(context.Background())
		ln.Close()
		st.Close()
		return nil, fmt.Errorf("loading deployed stages: %w", err)
	}
	var strict sigv4.Keyring
	if cfg.StrictSigV4 {
		strict = cfg.Credentials
	}
	cp := controlplane.New(st, controlplane.Options{
		Logger:      cfg.Logger,
		Credentials: strict,
		Deployed: func(scope model.Scope, apiID string) {
			// The change is committed; a failure here leaves the stage
			// on its previous snapshot until the next change or restart.
			if err := dp.Reload(context.Background(), scope, apiID); err != nil {
				cfg.Logger.Error("data plane: reload failed", "api", apiID, "error", err)
			}
		},
		UsageChanged: func(scope model.Scope) {
			if err := dp.ReloadLimits(context.Background(), scope); err != nil {
				cfg.Logger.Error("data plane: reloading API keys and usage plans failed", "account", scope.Account, "region", scope.Region, "error", err)
			}
		},
		Usage:       dp,
		Authorizers: dp,
	})
	return &Server{
		store:    st,
		data:     dp,
		listener: ln,
		location: location,
		// One listener: invocations of deployed stages go to the data
		// plane, everything else to the control plane.
		http: front.New(dp.Handler(front.NetHTTP(cp)), nil, cfg.Logger),
	}, nil
}

// Addr is the address the server listens on.
func (s *Server) Addr() net.Addr { return s.listener.Addr() }

// StoreLocation describes where the server keeps its data.
func (s *Server) StoreLocation() string { return s.location }

// Serve answers requests until Shutdown; it returns nil after a clean
// shutdown.
func (s *Server) Serve() error {
	return s.http.Serve(s.listener)
}

// Shutdown stops accepting requests, waits for those in flight (until ctx
// ends), writes the usage counted in memory, and closes the store.
func (s *Server) Shutdown(ctx context.Context) error {
	err := s.http.Shutdown(ctx)
	return errors.Join(err, s.data.Close(ctx), s.store.Close())
}
