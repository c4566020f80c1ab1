// Package dataplane serves the deployed stages of REST APIs: it routes each
// invocation to a resource and method, runs the method's integration (MOCK,
// HTTP, HTTP_PROXY, and AWS or AWS_PROXY with Lambda functions) and answers
// every rejection with the API's gateway response, as Amazon API Gateway
// does.
//
// Each stage is compiled once, when it is deployed or changed, into an
// immutable snapshot (routes, parsed templates, parameter mappings,
// integration targets, gateway responses); snapshots are swapped in
// atomically, so the request path never reads the store and a redeployment
// never drops a request.
package dataplane

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gantryproject/gantry/internal/lambda"
	"github.com/gantryproject/gantry/internal/model"
	"github.com/gantryproject/gantry/internal/ratelimit"
	"github.com/gantryproject/gantry/internal/sigv4"
	"github.com/gantryproject/gantry/internal/store"
)

// MaxPayloadBytes is the largest request body API Gateway accepts: 10 MiB.
const MaxPayloadBytes = 10 << 20

// Options configure a Handler.
type Options struct {
	// Logger receives compile problems and failed integrations; nil
	// discards.
	Logger *slog.Logger
	// Transport sends HTTP and HTTP_PROXY integration requests; nil means
	// pooled keep-alive connections made for the purpose: requests without
	// a body to plain-HTTP back ends are sent and answered on the serving
	// goroutine (HTTP_PROXY's GETs and HEADs without building net/http's
	// request and response at all), everything else goes through
	// NewTransport's transport.
	Transport http.RoundTripper
	// Now returns the current time; nil means time.Now. Token buckets and
	// quota periods follow it, so tests can move time instead of sleeping.
	Now func() time.Time
	// Meter counts usage-plan quotas; nil means an in-process meter that
	// keeps its counts in the store (flushed every UsageFlushInterval and
	// by Close), so that quotas survive a restart.
	Meter ratelimit.Meter
	// Lambda invokes the functions of Lambda authorizers and of AWS and
	// AWS_PROXY (Lambda) integrations; nil means a lambda.Client with the
	// zero Config, which calls AWS Lambda in each function's region.
	Lambda lambda.Invoker
	// AuthorizerTimeout bounds one authorizer invocation or key fetch;
	// zero means DefaultAuthorizerTimeout.
	AuthorizerTimeout time.Duration
	// CognitoURL replaces DefaultCognitoURL as the base of user pool
	// issuers (and so of their key sets), e.g. http://127.0.0.1:9229 for a
	// local Cognito or OIDC provider; "{region}" in it is replaced by the
	// pool's region.
	CognitoURL string
	// HTTPClient fetches user pools' key sets; nil means a client over
	// the integrations' transport.
	HTTPClient *http.Client
	// Credentials are the AWS credentials that calls to AWS_IAM methods
	// are verified against; nil means the default test/test.
	Credentials sigv4.Keyring
}

// UsageFlushInterval is how often the default meter writes the usage it
// counted to the store. A crash loses at most this much counting.
const UsageFlushInterval = time.Second

// Handler is the data plane's http.Handler. Its zero value is not usable;
// call New.
type Handler struct {
	store     store.Store
	opts      Options
	transport http.RoundTripper
	lambda    lambda.Invoker

	mu   sync.Mutex // serializes writers of apis
	apis atomic.Pointer[map[string]*deployedAPI]

	meter    ratelimit.Meter
	limitsMu sync.Mutex // serializes writers of limits
	limits   atomic.Pointer[map[model.Scope]*scopeLimits]
	noLimits *scopeLimits // for a scope whose limits failed to compile

	authTimeout time.Duration
	cognitoURL  string
	jwks        *jwksCache
}

// deployedAPI is one API's compiled stages.
type deployedAPI struct {
	scope  model.Scope
	stages map[string]*stage
	// buckets are the stages' per-method token buckets.
	buckets *ratelimit.Buckets
}

// New returns a data plane serving the stages kept in st. Call Load before
// serving, and Reload whenever the control plane reports a change.
func New(st store.Store, opts Options) *Handler {
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	h := &Handler{store: st, opts: opts, transport: opts.Transport, meter: opts.Meter, lambda: lambdaInvoker(opts.Lambda)}
	if h.transport == nil {
		h.transport = newH1Transport(NewTransport(), newDialer(), maxIdlePerBackEnd, idleTimeout)
	}
	if h.meter == nil {
		h.meter = ratelimit.NewMemoryMeter(usageStore{st}, clockFunc(opts.Now), UsageFlushInterval)
	}
	empty := map[string]*deployedAPI{}
	h.apis.Store(&empty)
	noLimits := map[model.Scope]*scopeLimits{}
	h.limits.Store(&noLimits)
	h.noLimits = &scopeLimits{buckets: ratelimit.NewBuckets()}
	h.authTimeout = opts.AuthorizerTimeout
	if h.authTimeout <= 0 {
		h.authTimeout = DefaultAuthorizerTimeout
	}
	h.cognitoURL = opts.CognitoURL
	if h.cognitoURL == "" {
		h.cognitoURL = DefaultCognitoURL
	}
	client := opts.HTTPClient
	if client == nil {
		client = &http.Client{Transport: h.transport}
	}
	h.jwks = &jwksCache{client: client, sets: map[string]*jwks{}}
	return h
}

// NewTransport returns the transport integrations use by default: pooled
// keep-alive connections (many per back end, since a gateway multiplexes
// many callers onto few back ends), no proxy from the environment, and no
// transparent compression, so bodies pass through as the back end sent them.
func NewTransport() *http.Transport {
	return &http.Transport{
		Proxy:                 nil,
		DialContext:           newDialer().DialContext,
		MaxIdleConns:          1024,
		MaxIdleConnsPerHost:   maxIdlePerBackEnd,
		IdleConnTimeout:       idleTimeout,
		TLSHandshakeTimeout:   10 * time.Second,
		ExpectContinueTimeout: time.Second,
		DisableCompression:    true,
		ForceAttemptHTTP2:     true,
	}
}

// Connection pooling to back ends: idle connections kept per back end, and
// for how long.
const (
	maxIdlePerBackEnd = 256
	idleTimeout       = 90 * time.Second
)

func newDialer() *net.Dialer {
	return &net.Dialer{Timeout: 10 * time.Second, KeepAlive: 30 * time.Second}
}

// Load compiles every deployed stage in the store, replacing what the
// handler served before.
func (h *Handler) Load(ctx context.Context) error {
	scopes, err := h.store.Scopes(ctx)
	if err != nil {
		return err
	}
	next := map[string]*deployedAPI{}
	for _, sc := range scopes {
		if err := h.ReloadLimits(ctx, sc); err != nil {
			return err
		}
		err := h.store.View(ctx, sc, func(tx store.ReadTx) error {
			apis, _, err := tx.RestAPIs(store.Page{})
			if err != nil {
				return err
			}
			for _, api := range apis {
				d, err := h.compileAPI(tx, sc, api, nil)
				if err != nil {
					return err
				}
				if d != nil {
					next[api.ID] = d
				}
			}
			return nil
		})
		if err != nil {
			return err
		}
	}
	h.mu.Lock()
	h.apis.Store(&next)
	h.mu.Unlock()
	return nil
}

// Reload recompiles the stages of one API after a change, or forgets the
// API if it no longer exists. Requests already in flight finish on the
// snapshot they started with.
func (h *Handler) Reload(ctx context.Context, scope model.Scope, apiID string) error {
	if _, ok := (*h.limits.Load())[scope]; !ok {
		// The scope's first API: its account settings and keys were never
		// compiled.
		if err := h.ReloadLimits(ctx, scope); err != nil {
			return err
		}
	}
	var prev *ratelimit.Buckets
	var prevStages map[string]*stage
	if old := (*h.apis.Load())[apiID]; old != nil && old.scope == scope {
		prev, prevStages = old.buckets, old.stages
	}
	var d *deployedAPI
	err := h.store.View(ctx, scope, func(tx store.ReadTx) error {
		api, err := tx.RestAPI(apiID)
		if errors.Is(err, store.ErrNotFound) {
			return nil
		}
		if err != nil {
			return err
		}
		d, err = h.compileAPI(tx, scope, api, prev)
		if d != nil {
			keepAuthCaches(d.stages, prevStages)
		}
		return err
	})
	if err != nil {
		return err
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	cur := *h.apis.Load()
	next := make(map[string]*deployedAPI, len(cur)+1)
	for k, v := range cur {
		next[k] = v
	}
	if old, ok := next[apiID]; ok && old.scope != scope && d == nil {
		// Another account's API with the same id: not ours to remove.
		return nil
	}
	if d == nil {
		delete(next, apiID)
	} else {
		next[apiID] = d
	}
	h.apis.Store(&next)
	return nil
}

// keepAuthCaches carries each stage's cached authorizer results over a
// recompilation that left it on the same deployment (a change of another
// stage, or of its variables): only a new deployment, or
// FlushStageAuthorizersCache, empties the cache.
func keepAuthCaches(next, prev map[string]*stage) {
	for name, st := range next {
		if old := prev[name]; old != nil && old.deploymentID == st.deploymentID {
			st.authCache = old.authCache
		}
	}
}

// compileAPI compiles the stages of api; nil when it has none. Throttles
// whose settings did not change keep their state from prev (nil at start).
func (h *Handler) compileAPI(tx store.ReadTx, scope model.Scope, api model.RestAPI, prev *ratelimit.Buckets) (*deployedAPI, error) {
	stages, err := tx.Stages(api.ID)
	if err != nil {
		return nil, err
	}
	if len(stages) == 0 {
		return nil, nil
	}
	d := &deployedAPI{scope: scope, stages: make(map[string]*stage, len(stages)), buckets: ratelimit.NewBuckets()}
	if prev != nil {
		d.buckets = prev.Next()
	}
	deployments := map[string]model.Deployment{}
	for _, st := range stages {
		dep, ok := deployments[st.DeploymentID]
		if !ok {
			dep, err = tx.Deployment(api.ID, st.DeploymentID)
			if err != nil {
				return nil, fmt.Errorf("stage %s of %s: deployment %s: %w", st.Name, api.ID, st.DeploymentID, err)
			}
			deployments[st.DeploymentID] = dep
		}
		cs, err := compileStage(scope, st, dep, d.buckets)
		if err != nil {
			// Should not happen for configuration the control plane
			// accepted; the stage stays unserved rather than half-served.
			h.opts.Logger.Error("data plane: cannot compile stage", "api", api.ID, "stage", st.Name, "error", err)
			continue
		}
		d.stages[st.Name] = cs
	}
	return d, nil
}
