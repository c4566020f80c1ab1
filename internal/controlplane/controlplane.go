// Package controlplane serves the Amazon API Gateway control-plane API (the
// restjson protocol of the 2015-07-09 service model), so that the AWS CLI,
// boto3, aws-sdk-go-v2 and the tools built on them work unchanged.
//
// Every operation of the service model is routed; the ones Gantry does not
// serve yet answer 501 NotImplementedException naming the operation.
//
//go:generate sh -c "go run ./internal/genroutes -model $(python3 -c 'import botocore,os;print(os.path.dirname(botocore.__file__))')/data/apigateway/2015-07-09/service-2.json.gz -out operations_gen.go"
package controlplane

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/gantryproject/gantry/internal/awserr"
	"github.com/gantryproject/gantry/internal/ids"
	"github.com/gantryproject/gantry/internal/model"
	"github.com/gantryproject/gantry/internal/patch"
	"github.com/gantryproject/gantry/internal/sigv4"
	"github.com/gantryproject/gantry/internal/store"
)

// DefaultMaxBodyBytes bounds control-plane request bodies (10 MiB, API
// Gateway's payload limit; an OpenAPI import is the largest body expected).
const DefaultMaxBodyBytes = 10 << 20

// Options configure a Handler. The zero value is usable.
type Options struct {
	// Now returns the current time; nil means time.Now.
	Now func() time.Time
	// Logger receives one line per request; nil discards.
	Logger *slog.Logger
	// MaxBodyBytes bounds request bodies; zero means DefaultMaxBodyBytes.
	MaxBodyBytes int64
	// Deployed, if set, is called after a committed change that alters what
	// an API's stages serve: a stage created, updated or deleted, a
	// deployment created into a stage, or the API deleted. The data plane
	// uses it to recompile that API's stages.
	Deployed func(scope model.Scope, apiID string)
	// Usage connects GetUsage and UpdateUsage to the data plane's usage
	// meter, whose counts may not be in the store yet. Nil means the store
	// is read and written directly.
	Usage UsageMeter
	// UsageChanged, if set, is called after a committed change to a scope's
	// API keys, usage plans, usage-plan keys or account settings, so that
	// the data plane recompiles what it enforces.
	UsageChanged func(scope model.Scope)
	// Authorizers runs TestInvokeAuthorizer and FlushStageAuthorizersCache
	// in the data plane. Nil means TestInvokeAuthorizer answers 501 and a
	// flush has nothing to drop.
	Authorizers AuthorizerRunner
	// Credentials, when set, turn on strict mode: every request must carry
	// a SigV4 signature (service apigateway) that verifies against them,
	// and is placed in the account of the credentials that signed it.
	// Nil is the permissive default: signatures are read for the region
	// and account but not verified, as LocalStack does.
	Credentials sigv4.Keyring
}

// UsageMeter is the data plane's usage meter as the control plane sees it:
// the daily counts of API keys under usage plans that it keeps in memory
// before writing them to the store.
type UsageMeter interface {
	// FlushUsage writes every count still in memory to the store, so that
	// a read of the store that follows sees them.
	FlushUsage(ctx context.Context) error
	// GrantUsage adds n (negative: takes -n) to the remaining quota of the
	// API key keyID under the usage plan planID today (UTC), as
	// UpdateUsage does.
	GrantUsage(ctx context.Context, scope model.Scope, planID, keyID string, n int64) error
}

// operation is the generated table's element type.
type operation = Operation

// opFunc serves one operation. It returns the value to encode as the JSON
// body (nil for an empty body) or an error.
type opFunc func(c *call) (any, error)

// Handler is the control plane's http.Handler.
type Handler struct {
	store  store.Store
	opts   Options
	routes []route
	impl   map[string]opFunc
}

type route struct {
	op       *operation
	segments []string // literal segment, or "{name}" for a label
	literals int
}

// New returns a control plane serving st.
func New(st store.Store, opts Options) *Handler {
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	if opts.MaxBodyBytes <= 0 {
		opts.MaxBodyBytes = DefaultMaxBodyBytes
	}
	h := &Handler{store: st, opts: opts}
	h.impl = map[string]opFunc{}
	// Each file registers the operations it serves.
	for _, register := range []func(map[string]opFunc){
		h.restAPIOps, h.gatewayResponseOps, h.tagOps,
		h.resourceOps, h.methodOps, h.integrationOps,
		h.deploymentOps, h.stageOps,
		h.apiKeyOps, h.usagePlanOps, h.usagePlanKeyOps, h.usageOps, h.accountOps,
		h.modelOps, h.requestValidatorOps,
		h.authorizerOps,
		h.openAPIOps,
	} {
		register(h.impl)
	}
	for i := range operations {
		op := &operations[i]
		r := route{op: op, segments: strings.Split(strings.TrimPrefix(op.Path, "/"), "/")}
		for _, s := range r.segments {
			if !strings.HasPrefix(s, "{") {
				r.literals++
			}
		}
		h.routes = append(h.routes, r)
	}
	// Most specific first: more literal segments, then operations selected
	// by a query (POST /restapis?mode=import before POST /restapis).
	slices.SortStableFunc(h.routes, func(a, b route) int {
		if a.literals != b.literals {
			return b.literals - a.literals
		}
		return len(b.op.Query) - len(a.op.Query)
	})
	return h
}

// deployed tells the data plane, if it listens, that what apiID's stages
// serve has changed. Call it only after the change is committed.
func (h *Handler) deployed(scope model.Scope, apiID string) {
	if h.opts.Deployed != nil {
		h.opts.Deployed(scope, apiID)
	}
}

// usageChanged tells the data plane, if it listens, that what it enforces
// for scope's API keys and usage plans has changed. Call it only after the
// change is committed.
func (h *Handler) usageChanged(scope model.Scope) {
	if h.opts.UsageChanged != nil {
		h.opts.UsageChanged(scope)
	}
}

// usageTx runs fn in a read-write transaction and, once it is committed,
// tells the data plane that what it enforces for the scope's API keys and
// usage plans may have changed.
func (h *Handler) usageTx(c *call, fn func(tx store.Tx) error) error {
	if err := h.store.Update(c.r.Context(), c.scope, fn); err != nil {
		return err
	}
	h.usageChanged(c.scope)
	return nil
}

// usagePatch serves an Update* of API keys, usage plans or the account:
// it reads the PATCH document (input names the input shape in messages) and
// runs fn on its operations in usageTx, answering what fn returns.
func (h *Handler) usagePatch(c *call, input string, fn func(tx store.Tx, ops []patch.Operation) (any, error)) (any, error) {
	ops, _, err := c.patchOps(input, false)
	if err != nil {
		return nil, err
	}
	var out any
	err = h.usageTx(c, func(tx store.Tx) error {
		var err error
		out, err = fn(tx, ops)
		return err
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// Implemented reports whether Gantry serves the named operation.
func (h *Handler) Implemented(name string) bool { return h.impl[name] != nil }

// Operation describes one operation of the API Gateway service model and its
// HTTP binding.
type Operation struct {
	Name   string
	Method string
	Path   string // e.g. /restapis/{restapi_id}/gatewayresponses/{response_type}
	Query  string // a literal query that selects the operation, e.g. mode=import
	Status int    // success status
}

// OperationList returns every operation of the service model, by name.
func OperationList() []Operation {
	return append([]Operation(nil), operations[:]...)
}

// call is one request being served.
type call struct {
	h      *Handler
	r      *http.Request
	w      http.ResponseWriter
	op     *operation
	scope  model.Scope
	params map[string]string
	query  url.Values
}

// ServeHTTP implements http.Handler.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	w.Header()["x-amzn-RequestId"] = []string{ids.RequestID()} // AWS's spelling, not Go's canonical form
	c := &call{h: h, r: r, w: w, scope: ScopeOf(r)}
	status, err := h.serve(c)
	if err != nil {
		status = errorStatus(err)
		awserr.Write(w, err)
	}
	if h.opts.Logger.Enabled(r.Context(), slog.LevelInfo) {
		name := ""
		if c.op != nil {
			name = c.op.Name
		}
		attrs := []any{"op", name, "method", r.Method, "path", r.URL.Path, "status", status,
			"account", c.scope.Account, "region", c.scope.Region, "duration", time.Since(start)}
		if err != nil {
			attrs = append(attrs, "error", logText(err))
		}
		h.opts.Logger.Info("control plane", attrs...)
	}
}

func errorStatus(err error) int {
	var e *awserr.Error
	if errors.As(err, &e) {
		return e.Status
	}
	return http.StatusInternalServerError
}

func (h *Handler) serve(c *call) (int, error) {
	if err := c.verify(); err != nil {
		return 0, err
	}
	op, params, err := h.match(c.r)
	if err != nil {
		return 0, err
	}
	c.op, c.params = op, params
	fn := h.impl[op.Name]
	if fn == nil {
		return 0, awserr.NotImplemented(op.Name)
	}
	q, err := url.ParseQuery(c.r.URL.RawQuery)
	if err != nil {
		return 0, awserr.BadRequest("Invalid query string")
	}
	c.query = q
	out, err := fn(c)
	if err != nil {
		return 0, storeError(err)
	}
	return op.Status, c.writeJSON(op.Status, out)
}

// match finds the operation for the request's method and path.
func (h *Handler) match(r *http.Request) (*operation, map[string]string, error) {
	raw := r.URL.EscapedPath()
	segs := strings.Split(strings.TrimPrefix(raw, "/"), "/")
	for i, s := range segs {
		u, err := url.PathUnescape(s)
		if err != nil {
			return nil, nil, awserr.UnknownOperation(r.Method, raw)
		}
		segs[i] = u
	}
	query := r.URL.Query()
	for _, rt := range h.routes {
		if rt.op.Method != r.Method || len(rt.segments) != len(segs) {
			continue
		}
		if rt.op.Query != "" {
			k, v, _ := strings.Cut(rt.op.Query, "=")
			if query.Get(k) != v {
				continue
			}
		}
		params, ok := bind(rt.segments, segs)
		if ok {
			return rt.op, params, nil
		}
	}
	return nil, nil, awserr.UnknownOperation(r.Method, raw)
}

func bind(pattern, segs []string) (map[string]string, bool) {
	var params map[string]string
	for i, p := range pattern {
		if name, ok := strings.CutPrefix(p, "{"); ok {
			if segs[i] == "" {
				return nil, false
			}
			if params == nil {
				params = make(map[string]string, 4)
			}
			params[strings.TrimSuffix(name, "}")] = segs[i]
			continue
		}
		if p != segs[i] {
			return nil, false
		}
	}
	return params, true
}

// ScopeOf places a request in an account and region, as AWS scopes them: the
// region from the SigV4 credential scope (default us-east-1) and the account
// from the access key id when it is a 12-digit account number (otherwise
// 000000000000). Signatures are not verified here; in strict mode the
// account is that of the verified credentials.
func ScopeOf(r *http.Request) model.Scope {
	s := model.Scope{Account: model.DefaultAccount, Region: model.DefaultRegion}
	cred, ok := sigv4.ParseCredential(r)
	if !ok {
		return s
	}
	if validRegion(cred.Region) {
		s.Region = cred.Region
	}
	if len(cred.AccessKeyID) == 12 && allDigits(cred.AccessKeyID) {
		s.Account = cred.AccessKeyID
	}
	return s
}

func validRegion(s string) bool {
	if s == "" || len(s) > 32 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '-') {
			return false
		}
	}
	return true
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// body reads the request body, bounded by MaxBodyBytes.
func (c *call) body() ([]byte, error) {
	body, err := io.ReadAll(http.MaxBytesReader(c.w, c.r.Body, c.h.opts.MaxBodyBytes))
	if err != nil {
		var tooLarge *http.MaxBytesError
		if errors.As(err, &tooLarge) {
			return nil, awserr.TooLarge(c.h.opts.MaxBodyBytes)
		}
		return nil, awserr.BadRequest("Could not read request body")
	}
	return body, nil
}

// decode reads the JSON body into v. An empty body decodes as {}.
func (c *call) decode(v any) error {
	body, err := c.body()
	if err != nil {
		return err
	}
	if len(bytes.TrimSpace(body)) == 0 {
		return nil
	}
	if !utf8.Valid(body) {
		return awserr.BadRequest("Could not parse request body into json: invalid UTF-8")
	}
	if err := json.Unmarshal(body, v); err != nil {
		return awserr.BadRequest("Could not parse request body into json: %s", jsonProblem(err))
	}
	return nil
}

// jsonProblem describes a decoding error without echoing Go type names.
func jsonProblem(err error) string {
	var typeErr *json.UnmarshalTypeError
	if errors.As(err, &typeErr) {
		field := typeErr.Field
		if field == "" {
			return "unexpected JSON " + typeErr.Value
		}
		return "unexpected JSON " + typeErr.Value + " for member " + field
	}
	var syntaxErr *json.SyntaxError
	if errors.As(err, &syntaxErr) {
		return "malformed JSON at offset " + strconv.FormatInt(syntaxErr.Offset, 10)
	}
	return "malformed JSON"
}

// wantsHAL reports whether the client asked for API Gateway's HAL
// representation (Accept: application/hal+json). SDKs send
// Accept: application/json and get plain JSON.
func (c *call) wantsHAL() bool {
	return strings.Contains(c.r.Header.Get("Accept"), "application/hal+json")
}

func (c *call) writeJSON(status int, v any) error {
	h := c.w.Header()
	if v == nil {
		h.Set("Content-Length", "0")
		c.w.WriteHeader(status)
		return nil
	}
	if raw, ok := v.(rawBody); ok {
		h.Set("Content-Type", raw.contentType)
		if raw.disposition != "" {
			h.Set("Content-Disposition", raw.disposition)
		}
		h.Set("Content-Length", strconv.Itoa(len(raw.body)))
		c.w.WriteHeader(status)
		c.w.Write(raw.body)
		return nil
	}
	body, err := json.Marshal(v)
	if err != nil {
		return err
	}
	ct := "application/json"
	if c.wantsHAL() {
		ct = "application/hal+json"
	}
	h.Set("Content-Type", ct)
	h.Set("Content-Length", strconv.Itoa(len(body)))
	c.w.WriteHeader(status)
	c.w.Write(body)
	return nil
}

// storeError maps storage failures that escaped a handler to AWS errors.
// Handlers translate ErrNotFound themselves, with the resource's own text.
func storeError(err error) error {
	var e *awserr.Error
	if errors.As(err, &e) {
		return err
	}
	if errors.Is(err, store.ErrBadPosition) {
		return awserr.BadRequest("Invalid position parameter")
	}
	return err
}

// limit reads the optional limit query parameter (default 25, 1 to 500).
func (c *call) limit() (int, error) {
	s := c.query.Get("limit")
	if s == "" {
		return 25, nil
	}
	n, err := strconv.ParseInt(s, 10, 32)
	if err != nil {
		return 0, awserr.BadRequest("Invalid limit: %s", s)
	}
	var v awserr.Validation
	if n < 1 {
		v.Min("limit", n, 1)
	} else if n > 500 {
		v.Max("limit", n, 500)
	}
	return int(n), v.Err()
}

// now returns the current time as the control plane stores it: UTC, whole
// seconds (the wire form of dates is epoch seconds).
func (h *Handler) now() time.Time { return h.opts.Now().UTC().Truncate(time.Second) }

// boolQuery reads a boolean query parameter: "true" in any case is true,
// anything else (or nothing) false.
func (c *call) boolQuery(name string) bool { return strings.EqualFold(c.query.Get(name), "true") }

// deref returns *s, or "" for nil.
func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}
