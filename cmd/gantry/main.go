// Command gantry runs Gantry: the Amazon API Gateway (REST API) control plane
// and data plane in one binary.
//
// Usage:
//
//	gantry [-listen 127.0.0.1:4566] [-data-dir DIR] [-memory] [-log-level info]
//	       [-credentials-file FILE] [-strict-sigv4] [-cognito-url URL]
//	       [-lambda-endpoint URL] [-lambda-endpoints fn=URL,...] [-lambda-region REGION]
//	       [-pprof-listen 127.0.0.1:6060]
//
// Every flag can also be set with an environment variable: GANTRY_LISTEN,
// GANTRY_DATA_DIR, GANTRY_MEMORY (true/false), GANTRY_LOG_LEVEL,
// GANTRY_CREDENTIALS_FILE, GANTRY_STRICT_SIGV4 (true/false),
// GANTRY_COGNITO_URL, GANTRY_LAMBDA_ENDPOINT, GANTRY_LAMBDA_ENDPOINTS,
// GANTRY_LAMBDA_REGION and GANTRY_PPROF_LISTEN. Flags win.
//
// -pprof-listen serves Go's profiler (net/http/pprof, under /debug/pprof/)
// on a second, loopback-only address, for profiling Gantry under load; it
// is off by default.
//
// The AWS credentials Gantry accepts (for AWS_IAM methods, and for the
// control plane in strict mode) are those of the credentials file, those
// in AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY (and AWS_SESSION_TOKEN), and,
// without a file, the default test/test.
//
// Lambda integrations and authorizers invoke their functions at
// -lambda-endpoint (for example the Lambda Runtime Interface Emulator,
// http://127.0.0.1:9000), or at the endpoint -lambda-endpoints gives the
// function (by name or ARN); with neither, at AWS Lambda in the function's
// region. Requests are signed with the credentials in AWS_ACCESS_KEY_ID,
// AWS_SECRET_ACCESS_KEY and AWS_SESSION_TOKEN, or with test credentials when
// those are not set.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/http/pprof"
	"net/url"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/aws/aws-sdk-go-v2/credentials"

	"github.com/gantryproject/gantry/internal/lambda"
	"github.com/gantryproject/gantry/internal/server"
	"github.com/gantryproject/gantry/internal/sigv4"
)

func main() {
	if err := run(os.Args[1:]); err != nil {
		if errors.Is(err, errUsage) {
			os.Exit(2) // the flag package has said what is wrong
		}
		fmt.Fprintln(os.Stderr, "gantry:", err)
		os.Exit(1)
	}
}

// errUsage is a command line the flag package refused (and reported).
var errUsage = errors.New("usage")

func env(name, def string) string {
	if v, ok := os.LookupEnv(name); ok {
		return v
	}
	return def
}

func run(args []string) error {
	fs := flag.NewFlagSet("gantry", flag.ContinueOnError)
	listen := fs.String("listen", env("GANTRY_LISTEN", server.DefaultAddr), "address to listen on (env GANTRY_LISTEN)")
	dataDir := fs.String("data-dir", env("GANTRY_DATA_DIR", server.DefaultDataDir()), "directory of the embedded database (env GANTRY_DATA_DIR)")
	memDefault, _ := strconv.ParseBool(env("GANTRY_MEMORY", "false"))
	memory := fs.Bool("memory", memDefault, "keep everything in memory, nothing on disk (env GANTRY_MEMORY)")
	logLevel := fs.String("log-level", env("GANTRY_LOG_LEVEL", "info"), "debug, info, warn or error (env GANTRY_LOG_LEVEL)")
	cognitoURL := fs.String("cognito-url", env("GANTRY_COGNITO_URL", ""), "base URL of Cognito user pool issuers, e.g. http://127.0.0.1:9229 for a local provider; {region} is replaced (env GANTRY_COGNITO_URL; default https://cognito-idp.{region}.amazonaws.com)")
	credsFile := fs.String("credentials-file", env("GANTRY_CREDENTIALS_FILE", ""), "JSON file of the AWS credentials to accept (env GANTRY_CREDENTIALS_FILE)")
	strictDefault, _ := strconv.ParseBool(env("GANTRY_STRICT_SIGV4", "false"))
	strict := fs.Bool("strict-sigv4", strictDefault, "verify the SigV4 signature of every control-plane request (env GANTRY_STRICT_SIGV4)")
	lambdaEndpoint := fs.String("lambda-endpoint", env("GANTRY_LAMBDA_ENDPOINT", ""), "default Lambda Invoke endpoint, e.g. http://127.0.0.1:9000; empty means AWS Lambda (env GANTRY_LAMBDA_ENDPOINT)")
	lambdaEndpoints := fs.String("lambda-endpoints", env("GANTRY_LAMBDA_ENDPOINTS", ""), "per-function Invoke endpoints: name-or-ARN=URL,... (env GANTRY_LAMBDA_ENDPOINTS)")
	lambdaRegion := fs.String("lambda-region", env("GANTRY_LAMBDA_REGION", env("AWS_REGION", lambda.DefaultRegion)), "region that signs invocations of functions given by name (env GANTRY_LAMBDA_REGION, AWS_REGION)")
	pprofListen := fs.String("pprof-listen", env("GANTRY_PPROF_LISTEN", ""), "loopback address to serve Go's profiler on (/debug/pprof/), e.g. 127.0.0.1:6060; off when empty (env GANTRY_PPROF_LISTEN)")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil
		}
		return errUsage
	}
	if *cognitoURL != "" {
		u, err := url.Parse(strings.ReplaceAll(*cognitoURL, "{region}", "us-east-1"))
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return fmt.Errorf("invalid -cognito-url %q: want an http or https URL such as http://127.0.0.1:9229", *cognitoURL)
		}
	}
	lambdaCfg, err := lambdaConfig(*lambdaEndpoint, *lambdaEndpoints, *lambdaRegion)
	if err != nil {
		return err
	}
	var level slog.Level
	if err := level.UnmarshalText([]byte(*logLevel)); err != nil {
		return fmt.Errorf("invalid log level %q", *logLevel)
	}
	logger := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: level}))

	creds, err := sigv4.LoadCredentials(*credsFile, os.Getenv)
	if err != nil {
		return err
	}
	// Before the store is opened: a bad address fails with nothing to undo.
	var pprofAddr net.Addr
	if *pprofListen != "" {
		if pprofAddr, err = servePprof(*pprofListen); err != nil {
			return err
		}
	}

	srv, err := server.New(server.Config{Addr: *listen, DataDir: *dataDir, InMemory: *memory, Logger: logger,
		CognitoURL: *cognitoURL, Credentials: creds, StrictSigV4: *strict, Lambda: lambdaCfg})
	if err != nil {
		return err
	}
	fmt.Fprintf(os.Stderr, "Gantry is listening on http://%s (store: %s)\n", srv.Addr(), srv.StoreLocation())
	mode := "signatures checked on AWS_IAM methods only"
	if *strict {
		mode = "strict: every control-plane request must be signed"
	}
	fmt.Fprintf(os.Stderr, "Accepting %d AWS credential(s); %s\n", creds.Len(), mode)
	endpoint := endpointURL(srv.Addr())
	fmt.Fprintf(os.Stderr, "Point your AWS tools at it: export AWS_ENDPOINT_URL=%s\n", endpoint)
	fmt.Fprintf(os.Stderr, "Call a deployed stage at any of:\n")
	for _, form := range invokeURLForms(endpoint) {
		fmt.Fprintf(os.Stderr, "  %s\n", form)
	}
	if pprofAddr != nil {
		fmt.Fprintf(os.Stderr, "Profiler at http://%s/debug/pprof/\n", pprofAddr)
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve() }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	logger.Info("shutting down")
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	return srv.Shutdown(shutdownCtx)
}

// servePprof serves net/http/pprof's handlers on addr, which must be a
// loopback address: profiles reveal request data and the profiler can be
// made to burn CPU, so it is never reachable from another machine.
func servePprof(addr string) (net.Addr, error) {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return nil, fmt.Errorf("invalid -pprof-listen %q: %v", addr, err)
	}
	if ip := net.ParseIP(host); host != "localhost" && (ip == nil || !ip.IsLoopback()) {
		return nil, fmt.Errorf("invalid -pprof-listen %q: the profiler listens on loopback only (127.0.0.1, ::1 or localhost)", addr)
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, err
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/debug/pprof/", pprof.Index)
	mux.HandleFunc("/debug/pprof/cmdline", pprof.Cmdline)
	mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
	mux.HandleFunc("/debug/pprof/symbol", pprof.Symbol)
	mux.HandleFunc("/debug/pprof/trace", pprof.Trace)
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	go srv.Serve(ln)
	return ln.Addr(), nil
}

// invokeURLForms lists the addresses of a deployed stage, with API-ID,
// STAGE and the path as placeholders.
func invokeURLForms(endpoint string) []string {
	scheme, hostport, _ := strings.Cut(endpoint, "://")
	_, port, _ := strings.Cut(hostport, ":")
	return []string{
		scheme + "://API-ID.execute-api.localhost:" + port + "/STAGE/PATH",
		endpoint + "/restapis/API-ID/STAGE/_user_request_/PATH",
		endpoint + "/_aws/execute-api/API-ID/STAGE/PATH",
	}
}

// endpointURL is the URL to give AWS tools: localhost for loopback addresses,
// since LocalStack-style host names (<id>.execute-api.localhost) resolve there.
func endpointURL(a net.Addr) string {
	tcp, ok := a.(*net.TCPAddr)
	if !ok {
		return "http://" + a.String()
	}
	host := tcp.IP.String()
	if tcp.IP.IsLoopback() {
		host = "localhost"
	} else if tcp.IP.IsUnspecified() {
		host = "localhost"
	} else if tcp.IP.To4() == nil {
		host = "[" + host + "]"
	}
	return "http://" + host + ":" + strconv.Itoa(tcp.Port)
}

// lambdaConfig builds the Lambda invocation settings from the flags and the
// standard AWS credential variables.
func lambdaConfig(endpoint, endpoints, region string) (lambda.Config, error) {
	cfg := lambda.Config{Endpoint: endpoint, Region: region}
	var err error
	if cfg.Endpoints, err = lambda.ParseEndpoints(endpoints); err != nil {
		return cfg, err
	}
	id, secret := os.Getenv("AWS_ACCESS_KEY_ID"), os.Getenv("AWS_SECRET_ACCESS_KEY")
	if id != "" && secret != "" {
		cfg.Credentials = credentials.NewStaticCredentialsProvider(id, secret, os.Getenv("AWS_SESSION_TOKEN"))
	}
	return cfg, nil
}
