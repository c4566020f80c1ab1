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
	h.DisableNormalizing() // reset with the response, so set per request
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
// none was.
func (w *ResponseWriter) Write(b []byte) (int, error) {
	if !w.wrote {
		w.WriteHeader(http.StatusOK)
	}
	return w.ctx.Write(b)
}

// WriteString is Write for a string, without converting it.
func (w *ResponseWriter) WriteString(s string) (int, error) {
	if !w.wrote {
		w.WriteHeader(http.StatusOK)
	}
	return w.ctx.WriteString(s)
}
