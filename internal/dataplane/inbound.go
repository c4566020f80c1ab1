package dataplane

import (
	"context"
	"net/http"
	"net/url"
	"unsafe"

	"github.com/valyala/fasthttp"

	"github.com/gantryproject/gantry/internal/front"
)

// inbound is the caller's request as the pipeline reads it: the few fields
// every request needs are copied out once, the rest is read from the
// server's request on demand (the header map is built only for the steps
// that need all headers).
type inbound struct {
	// httpMethod, proto and rawQuery are as received; the common methods and
	// protocols are shared strings, not copies.
	httpMethod string
	proto      string
	rawQuery   string
	// hdr is the header map, once built (header).
	hdr http.Header
}

// init copies the per-request fields out of ctx.
func (q *request) init(ctx *fasthttp.RequestCtx) {
	q.ctx = ctx
	q.w.Reset(ctx)
	q.httpMethod = methodString(ctx.Method())
	q.proto = "HTTP/1.1"
	if !ctx.Request.Header.IsHTTP11() {
		q.proto = "HTTP/1.0"
	}
	if qs := ctx.URI().QueryString(); len(qs) > 0 {
		q.rawQuery = string(qs)
	}
}

// header returns the request's headers as net/http's server would have
// parsed them (canonical names; Host and Transfer-Encoding not in the map),
// built on first use.
func (q *request) header() http.Header {
	if q.hdr == nil {
		q.hdr = front.Header(&q.ctx.Request.Header)
	}
	return q.hdr
}

// endToEndHeader returns the header map without the hop-by-hop headers, a
// new map for a request to a back end.
func (q *request) endToEndHeader() http.Header {
	if q.hdr != nil {
		return cloneEndToEnd(q.hdr)
	}
	return front.HeaderExcept(&q.ctx.Request.Header, isHopHeader)
}

// joinedHeaders returns the request's headers with the values of each name
// joined by commas, as $input.params() reads them, without building the
// header map.
func (q *request) joinedHeaders() map[string]string {
	h := &q.ctx.Request.Header
	out := make(map[string]string, h.Len())
	for name, v := range front.Headers(h) {
		if prev, ok := out[name]; ok {
			out[name] = prev + "," + string(v)
		} else {
			out[name] = string(v)
		}
	}
	return out
}

// headerValue returns the first value of the header name, as
// q.header().Get(name) would, without building the map.
func (q *request) headerValue(name string) string {
	if q.hdr != nil {
		return q.hdr.Get(name)
	}
	switch http.CanonicalHeaderKey(name) {
	case "Host", "Transfer-Encoding":
		return "" // not request headers in net/http's model (header)
	}
	return string(q.ctx.Request.Header.Peek(name))
}

// host is the request's Host, as net/http's Request.Host.
func (q *request) host() string {
	return front.Host(q.ctx)
}

// sourceIP is the caller's address without its port.
func (q *request) sourceIP() string {
	return q.ctx.RemoteIP().String()
}

// context is the context of the calls the request makes (authorizers,
// Lambda functions, templates). The server does not tell when a caller
// goes away, so it is never canceled; each call has its own timeout.
func (q *request) context() context.Context {
	return context.Background()
}

// httpRequest returns the request as an *http.Request, for the steps
// written against net/http's (SigV4 verification).
func (q *request) httpRequest() *http.Request {
	u := &url.URL{RawQuery: q.rawQuery}
	raw := requestPath(q.ctx)
	if p, err := url.PathUnescape(raw); err == nil {
		u.Path, u.RawPath = p, raw
	} else {
		u.Path = raw
	}
	r := &http.Request{Method: q.httpMethod, URL: u, Host: q.host(), Header: q.header(), Proto: q.proto,
		ProtoMajor: 1, ProtoMinor: 1, RemoteAddr: q.ctx.RemoteAddr().String(), ContentLength: front.ContentLength(q.ctx)}
	if q.proto == "HTTP/1.0" {
		r.ProtoMinor = 0
	}
	return r
}

// requestPath returns the escaped path of the request target as net/http's
// URL.EscapedPath gives it.
func requestPath(ctx *fasthttp.RequestCtx) string {
	raw := b2s(ctx.URI().PathOriginal()) // copied below before it is kept
	if i := indexQueryOrFragment(raw); i >= 0 {
		raw = raw[:i]
	}
	if raw == "" {
		return "/"
	}
	for i := 0; i < len(raw); i++ {
		if !validPathByte(raw[i]) {
			// As net/http: a path with bytes that are not valid in an
			// escaped path is escaped again from its decoded form.
			u, err := url.ParseRequestURI(raw)
			if err != nil {
				return string(raw)
			}
			return u.EscapedPath()
		}
	}
	return string(raw)
}

// indexQueryOrFragment returns the index of the first '?' or '#' in s, or
// -1.
func indexQueryOrFragment(s string) int {
	for i := 0; i < len(s); i++ {
		if s[i] == '?' || s[i] == '#' {
			return i
		}
	}
	return -1
}

// validPathByte reports whether b may appear in an escaped path as
// net/url's EscapedPath keeps it (unreserved, sub-delimiters, ':', '@',
// '/', '%').
func validPathByte(b byte) bool {
	switch {
	case 'a' <= b && b <= 'z', 'A' <= b && b <= 'Z', '0' <= b && b <= '9':
		return true
	}
	switch b {
	case '-', '_', '.', '~', '!', '$', '&', '\'', '(', ')', '*', '+', ',', ';', '=', ':', '@', '/', '%', '[', ']':
		return true
	}
	return false
}

// methodString returns the method as a string, sharing the common ones.
func methodString(m []byte) string {
	switch string(m) { // compared in place, no allocation
	case "GET":
		return http.MethodGet
	case "POST":
		return http.MethodPost
	case "PUT":
		return http.MethodPut
	case "DELETE":
		return http.MethodDelete
	case "PATCH":
		return http.MethodPatch
	case "HEAD":
		return http.MethodHead
	case "OPTIONS":
		return http.MethodOptions
	}
	return string(m)
}

// b2s views b as a string without copying. The string is valid only while
// b is unchanged: use it to inspect, never keep it.
func b2s(b []byte) string {
	return unsafe.String(unsafe.SliceData(b), len(b))
}
