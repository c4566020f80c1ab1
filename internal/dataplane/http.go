package dataplane

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"sync"
	"time"

	"github.com/gantryproject/gantry/internal/front"
	"github.com/gantryproject/gantry/internal/gatewayresponse"
)

// hopHeaders are the hop-by-hop headers a proxy never forwards (RFC 9110
// §7.6.1), plus those API Gateway drops from integration requests.
var hopHeaders = []string{
	"Connection", "Keep-Alive", "Proxy-Connection", "Proxy-Authenticate", "Proxy-Authorization",
	"Te", "Trailer", "Transfer-Encoding", "Upgrade", "Expect",
}

// isHopHeader reports whether the canonical header name k is one of
// hopHeaders.
func isHopHeader(k string) bool {
	switch k {
	case "Connection", "Keep-Alive", "Proxy-Connection", "Proxy-Authenticate", "Proxy-Authorization",
		"Te", "Trailer", "Transfer-Encoding", "Upgrade", "Expect":
		return true
	}
	return false
}

// cloneEndToEnd is Header.Clone without the hop-by-hop headers, in one
// pass: the keys of a received request's header are canonical, so they
// are compared as they are.
func cloneEndToEnd(h http.Header) http.Header {
	nv := 0
	for _, vv := range h {
		nv += len(vv)
	}
	sv := make([]string, nv) // one allocation for every value, as Clone
	h2 := make(http.Header, len(h))
	for k, vv := range h {
		if isHopHeader(k) {
			continue
		}
		if vv == nil {
			h2[k] = nil
			continue
		}
		n := copy(sv, vv)
		h2[k] = sv[:n:n]
		sv = sv[n:]
	}
	return h2
}

// remappedName returns the x-amzn-Remapped-<name> spelling of one of
// remappedResponseHeaders' names, and any other name as it is.
func remappedName(name string) string {
	for _, h := range remappedResponseHeaders {
		if h.name == name {
			return h.remapped
		}
	}
	return name
}

// remappedResponseHeaders are back-end response headers that API Gateway
// renames to x-amzn-Remapped-<name> because it sets its own.
//
// Reference: "Amazon API Gateway important notes for REST APIs", header
// handling of HTTP proxy integrations.
var remappedResponseHeaders = []struct{ name, remapped string }{
	{"Connection", "x-amzn-Remapped-Connection"},
	{"Date", "x-amzn-Remapped-Date"},
	{"Server", "x-amzn-Remapped-Server"},
}

// httpProxy serves an HTTP_PROXY integration: the method request passes
// through to the back end (method, path parameters substituted into the
// URI, query string, headers, body; the body streamed) and its response
// passes back untouched (buffered, as API Gateway buffers it).
func (q *request) httpProxy(in *integration) error {
	ir, err := q.mapRequest(in)
	if err != nil {
		return err
	}
	target, err := in.uri.expand(q.stage.variables, q.uriParams(ir))
	if err != nil {
		return configError(err)
	}
	query := joinQuery(target.RawQuery, q.rawQuery)
	if ir.query != nil {
		v, _ := url.ParseQuery(query)
		for k, vals := range ir.query {
			v[k] = vals
		}
		query = v.Encode()
	}
	target.RawQuery = query

	method := in.httpMethod
	if method == "" || method == "ANY" {
		method = q.httpMethod
	}
	// What the caller sent, unless a mapping replaced it. A caller
	// without a User-Agent gets API Gateway's own (as non-proxy HTTP
	// integrations send): AWS does not document what HTTP_PROXY sends
	// then, and this is the most plausible.
	userAgent, prior := q.headerValue("User-Agent"), q.headerValue("X-Forwarded-For")
	if v, ok := ir.header["User-Agent"]; ok && len(v) > 0 {
		userAgent = v[0]
	}
	if userAgent == "" {
		userAgent = q.stage.userAgent
	}
	if v, ok := ir.header["X-Forwarded-For"]; ok && len(v) > 0 {
		prior = v[0]
	}
	xff := q.sourceIP()
	if prior != "" {
		xff = prior + ", " + xff
	}
	body, length, err := q.proxyBody()
	if err != nil {
		return err
	}
	if length == 0 {
		if done, err := q.directProxy(in, method, target, ir.header, userAgent, xff); done {
			return err
		}
	}
	out, err := newOutboundRequest(method, target, body)
	if err != nil {
		return configError(err)
	}
	out.ContentLength = length
	if length == 0 {
		out.Body = http.NoBody
	}
	out.Header = q.endToEndHeader()
	for k, v := range ir.header {
		out.Header[k] = v
	}
	out.Header["User-Agent"] = []string{userAgent}
	out.Header["X-Forwarded-For"] = []string{xff}
	resp, call, err := q.h.send(q.context(), out, in)
	defer call.end()
	if err != nil {
		return integrationError(err, call.timedOut(err))
	}
	defer resp.Body.Close()

	copyProxyHeaders(q.w.Header(), resp.Header)
	q.setStandardHeaders()
	q.w.WriteHeader(resp.StatusCode)
	if err := copyResponse(&q.w, resp.Body); err != nil {
		// The response is buffered, so the caller gets the gateway
		// response instead (fail discards what was written).
		return integrationError(err, call.timedOut(err))
	}
	return nil
}

// copyProxyHeaders copies a proxy integration's response headers to the
// method response: hop-by-hop headers dropped, those API Gateway sets
// itself renamed to X-Amzn-Remapped-<name>.
func copyProxyHeaders(w, from http.Header) {
	if len(w) > 0 {
		for _, h := range hopHeaders {
			delete(w, h) // the names are canonical, as Header.Del would make them
		}
	}
	for k, v := range from {
		if !isHopHeader(k) {
			w[k] = v
		}
	}
	for _, h := range remappedResponseHeaders {
		if v, ok := from[h.name]; ok {
			delete(w, h.name)
			w[h.remapped] = v
		}
	}
}

// proxyBody returns the body to forward and its length (-1 if unknown). A
// body of known length within the payload limit streams through; one of
// unknown length is read first (up to the limit) so that an oversized
// payload gets its 413 before anything reaches the back end.
func (q *request) proxyBody() (io.Reader, int64, error) {
	if q.bodyRead {
		return bytes.NewReader(q.body), int64(len(q.body)), nil
	}
	n := front.ContentLength(q.ctx)
	if n == 0 {
		return nil, 0, nil
	}
	if n > 0 {
		return front.Body(q.ctx), n, nil
	}
	b, err := q.readBody()
	if err != nil {
		return nil, 0, err
	}
	return bytes.NewReader(b), int64(len(b)), nil
}

// http serves a non-proxy HTTP integration: only mapped parameters reach
// the back end, the body goes through the request template (or passes
// through as passthroughBehavior allows), and the back end's status code
// selects the integration response that shapes the method response.
func (q *request) http(in *integration) error {
	ir, err := q.mapRequest(in)
	if err != nil {
		return err
	}
	body, ov, err := q.transformRequest(in)
	if err != nil {
		return err
	}
	ir.applyOverrides(ov)
	target, err := in.uri.expand(q.stage.variables, q.uriParams(ir))
	if err != nil {
		return configError(err)
	}
	if ir.query != nil {
		v, _ := url.ParseQuery(target.RawQuery)
		for k, vals := range ir.query {
			v[k] = vals
		}
		target.RawQuery = v.Encode()
	}
	method := in.httpMethod
	if method == "" || method == "ANY" {
		method = q.httpMethod
	}
	out, err := newOutboundRequest(method, target, bytes.NewReader(body))
	if err != nil {
		return configError(err)
	}
	out.Header = http.Header{}
	// What API Gateway sends a non-proxy HTTP back end besides mapped
	// headers: its own User-Agent and the payload's content type.
	out.Header.Set("User-Agent", q.stage.userAgent)
	out.Header.Set("Content-Type", q.headerValue("Content-Type"))
	if out.Header.Get("Content-Type") == "" {
		out.Header.Set("Content-Type", "application/json")
	}
	out.Header.Set("Accept", "application/json")
	for k, v := range ir.header {
		out.Header[k] = v
	}
	resp, call, err := q.h.send(q.context(), out, in)
	defer call.end()
	if err != nil {
		return integrationError(err, call.timedOut(err))
	}
	defer resp.Body.Close()
	var respBody bytes.Buffer
	if err := copyResponse(&respBody, resp.Body); err != nil {
		return integrationError(err, call.timedOut(err))
	}
	return q.respond(in, resp.StatusCode, resp.Header, respBody.Bytes())
}

// integrationCall is a request sent to an HTTP back end, bounded by the
// integration's timeout.
type integrationCall struct {
	// ctx, when not nil, is the context bounding the call; otherwise a
	// connection deadline does (h1Transport.roundTripUntil).
	ctx    context.Context
	cancel context.CancelFunc
}

// timedOut reports whether err, an error of the call, is its timeout.
func (c integrationCall) timedOut(err error) bool {
	if c.ctx == nil {
		// A read or write cut by the connection deadline, or a dial
		// cut by the context carrying it.
		return errors.Is(err, os.ErrDeadlineExceeded) || errors.Is(err, context.DeadlineExceeded)
	}
	return errors.Is(context.Cause(c.ctx), errIntegrationTimeout)
}

// end releases the call's resources once its response is done with.
func (c integrationCall) end() {
	if c.cancel != nil {
		c.cancel()
	}
}

// send sends out, a request without a context, to an HTTP back end within
// the integration's timeout. A request the built-in keep-alive transport
// serves is bounded by a connection deadline, which costs no context or
// timer per request (and ctx, the caller's, is not watched); anything
// else by a context derived from ctx.
func (h *Handler) send(ctx context.Context, out *http.Request, in *integration) (*http.Response, integrationCall, error) {
	if t, ok := h.transport.(*h1Transport); ok && t.serves(out) {
		resp, err := t.roundTripUntil(out, time.Now().Add(in.timeout))
		return resp, integrationCall{}, err
	}
	ctx, cancel := context.WithTimeoutCause(ctx, in.timeout, errIntegrationTimeout)
	resp, err := h.transport.RoundTrip(out.WithContext(ctx))
	return resp, integrationCall{ctx: ctx, cancel: cancel}, err
}

// newOutboundRequest is http.NewRequest for an already parsed URL, which
// it takes as is instead of printing and parsing it again. The request has
// no context (send gives it one when it needs it) and, without a body, no
// header map either: the caller sets Header.
func newOutboundRequest(method string, target *url.URL, body io.Reader) (*http.Request, error) {
	if body == nil && validMethod(method) {
		// What NewRequest would build, without parsing a URL and making
		// a header map only for them to be replaced.
		return &http.Request{Method: method, URL: target, Host: target.Host,
			Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1}, nil
	}
	out, err := http.NewRequest(method, "", body)
	if err != nil {
		return nil, err
	}
	out.URL, out.Host = target, target.Host
	return out, nil
}

// validMethod reports whether method is a token, which NewRequest demands
// (it refuses anything else; an empty method is GET to it).
func validMethod(method string) bool {
	if method == "" {
		return false
	}
	for i := 0; i < len(method); i++ {
		if !isTokenByte(method[i]) {
			return false
		}
	}
	return true
}

// integrationError classifies a failed call to a back end: a timeout is
// INTEGRATION_TIMEOUT (504); anything else (refused, reset, DNS) is
// INTEGRATION_FAILURE with the error's own status, 500, which AWS sends
// unless the gateway response sets one (reference §4.3).
func integrationError(err error, timedOut bool) *gatewayresponse.Error {
	if timedOut {
		e := gatewayresponse.NewError(gatewayresponse.IntegrationTimeout)
		e.Err = err
		return e
	}
	e := gatewayresponse.NewError(gatewayresponse.IntegrationFailure)
	e.Status = http.StatusInternalServerError
	e.Err = fmt.Errorf("network error communicating with endpoint: %w", err)
	return e
}

// joinQuery joins two raw query strings.
func joinQuery(a, b string) string {
	switch {
	case a == "":
		return b
	case b == "":
		return a
	}
	return a + "&" + b
}

var copyBuffers = sync.Pool{New: func() any { b := make([]byte, 32<<10); return &b }}

// errResponseTooLarge is the failure of a back-end response over the
// payload limit.
var errResponseTooLarge = errors.New("integration response body exceeds 10 MiB")

// copyResponse copies a back-end body into the method response, bounded by
// the 10 MiB payload limit. API Gateway buffers REST API responses (its
// default response transfer mode), and so does Gantry: a back end that
// fails or overruns the limit midway gets its gateway response, never a
// truncated 200.
func copyResponse(w io.Writer, body io.Reader) error {
	bp := copyBuffers.Get().(*[]byte)
	defer copyBuffers.Put(bp)
	buf := *bp
	var total int
	for {
		n, err := body.Read(buf)
		if n > 0 {
			if total += n; total > MaxPayloadBytes {
				return errResponseTooLarge
			}
			w.Write(buf[:n])
		}
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
	}
}
