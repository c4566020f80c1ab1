package front

import (
	"net/http"
	"slices"

	"github.com/valyala/fasthttp"
)

// ResponseWriter is an http.ResponseWriter over a fasthttp response, for
// code written against net/http's model (gateway-response rendering, the
// control plane). The body is buffered and sent when the handler returns.
//
// Header names are written exactly as set, in the order net/http writes
// them (sorted): AWS spells some in mixed case (x-amzn-RequestId), and
// clients and recordings compare them byte for byte.
type ResponseWriter struct {
	ctx    *fasthttp.RequestCtx
	header http.Header
	wrote  bool
}

// NewResponseWriter returns a ResponseWriter for ctx's response.
func NewResponseWriter(ctx *fasthttp.RequestCtx) *ResponseWriter {
	w := new(ResponseWriter)
	w.Reset(ctx)
	return w
}

// Reset points w at ctx's response, discarding anything written so far:
// status, headers and body.
func (w *ResponseWriter) Reset(ctx *fasthttp.RequestCtx) {
	ctx.Response.Reset()
	w.ctx = ctx
	clear(w.header)
	w.wrote = false
}

// Header returns the header map that WriteHeader sends.
func (w *ResponseWriter) Header() http.Header {
	if w.header == nil {
		w.header = make(http.Header, 8)
	}
	return w.header
}

// Written reports whether the status line has been written.
func (w *ResponseWriter) Written() bool { return w.wrote }

// WriteHeader sets the response's status code and headers; later calls do
// nothing, as with net/http.
func (w *ResponseWriter) WriteHeader(code int) {
	if w.wrote {
		return
	}
	w.wrote = true
	resp := &w.ctx.Response
	resp.SetStatusCode(code)
	h := &resp.Header
	// Both reset with the response, so set per response.
	h.DisableNormalizing()
	h.SetNoDefaultContentType(true) // Write sniffs instead, as net/http

	var buf [16]string
	names := buf[:0]
	for k := range w.header {
		names = append(names, k)
	}
	slices.Sort(names)
	for _, k := range names {
		for _, v := range w.header[k] {
			h.Add(k, v)
		}
	}
}

// Write appends b to the response body, writing a 200 status first if
// none was. As net/http does, a response whose handler set no Content-Type
// (not even an empty one) gets the type http.DetectContentType sniffs from
// its first bytes.
func (w *ResponseWriter) Write(b []byte) (int, error) {
	if w.mustSniff(len(b)) {
		w.ctx.Response.Header.SetContentType(http.DetectContentType(b))
	}
	return w.ctx.Write(b)
}

// WriteString is Write for a string.
func (w *ResponseWriter) WriteString(s string) (int, error) {
	if w.mustSniff(len(s)) {
		w.ctx.Response.Header.SetContentType(http.DetectContentType([]byte(s[:min(len(s), 512)])))
	}
	return w.ctx.WriteString(s)
}

// mustSniff writes the status if it was not, and reports whether a write
// of n bytes is the first of the body and the handler set no Content-Type.
func (w *ResponseWriter) mustSniff(n int) bool {
	if !w.wrote {
		w.WriteHeader(http.StatusOK)
	}
	if n == 0 || len(w.ctx.Response.Body()) > 0 {
		return false
	}
	_, set := w.header["Content-Type"]
	return !set && len(w.ctx.Response.Header.ContentType()) == 0
}
