package front

import (
	"io"
	"iter"
	"net/http"
	"net/url"

	"github.com/valyala/fasthttp"
)

// NetHTTP serves h, a net/http handler, on the server. Each request is
// copied into a fresh *http.Request, as net/http's server would have built
// it (canonical header names, Host and Transfer-Encoding out of the map,
// ContentLength -1 when unknown), so h may keep anything it reads beyond
// the request; the response is buffered and sent when h returns.
//
// It suits handlers whose speed matters less than the data plane's, such
// as the control plane.
func NetHTTP(h http.Handler) fasthttp.RequestHandler {
	return func(ctx *fasthttp.RequestCtx) {
		r, err := NewRequest(ctx)
		if err != nil {
			ctx.Error("400 Bad Request", http.StatusBadRequest)
			return
		}
		w := NewResponseWriter(ctx)
		h.ServeHTTP(w, r)
		if !w.wrote {
			w.WriteHeader(http.StatusOK)
		}
	}
}

// NewRequest copies ctx's request into an *http.Request with the fields
// net/http's server fills: method, request URI and parsed URL, protocol,
// host, headers, remote address, body and its length. Nothing in it refers
// to ctx's buffers except Body, which is readable until the handler
// returns.
func NewRequest(ctx *fasthttp.RequestCtx) (*http.Request, error) {
	uri := string(ctx.RequestURI())
	u, err := url.ParseRequestURI(uri)
	if err != nil {
		return nil, err
	}
	r := &http.Request{
		Method:     string(ctx.Method()),
		URL:        u,
		RequestURI: uri,
		Host:       Host(ctx),
		Header:     Header(&ctx.Request.Header),
		RemoteAddr: ctx.RemoteAddr().String(),
		Body:       io.NopCloser(Body(ctx)),
		Proto:      "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1,
	}
	if !ctx.Request.Header.IsHTTP11() {
		r.Proto, r.ProtoMinor = "HTTP/1.0", 0
	}
	r.ContentLength = ContentLength(ctx)
	if r.ContentLength == 0 {
		r.Body = http.NoBody
	}
	if r.ContentLength < 0 {
		r.TransferEncoding = []string{"chunked"}
	}
	return r, nil
}

// Host is the request's host as the client sent it, as net/http's
// Request.Host: the Host header, or the host of an absolute request target
// (fasthttp's ctx.Host lowercases).
func Host(ctx *fasthttp.RequestCtx) string {
	if h := ctx.Request.Header.Host(); len(h) > 0 {
		return string(h)
	}
	return string(ctx.Host())
}

// Header copies a request's headers into an http.Header as net/http's
// server makes it: names canonical (the server normalizes them as it
// reads), values in order, Host and Transfer-Encoding left out (net/http
// keeps them in Request.Host and Request.TransferEncoding). One difference:
// an HTTP/1.0 request without keep-alive has "Connection: close" even when
// it did not send it.
func Header(h *fasthttp.RequestHeader) http.Header {
	return HeaderExcept(h, nil)
}

// HeaderExcept is Header without the names skip reports (a proxy's
// hop-by-hop headers, say).
func HeaderExcept(h *fasthttp.RequestHeader, skip func(name string) bool) http.Header {
	n := h.Len()
	out := make(http.Header, n)
	vals := make([]string, 0, n) // one allocation for the value slices
	for name, v := range Headers(h) {
		if skip != nil && skip(name) {
			continue
		}
		if prior, ok := out[name]; ok {
			out[name] = append(prior, string(v)) // copies: capacity 1
			continue
		}
		vals = append(vals, string(v))
		out[name] = vals[len(vals)-1 : len(vals) : len(vals)]
	}
	return out
}

// Headers yields a request's headers as Header has them: canonical names
// (shared strings for the common ones) without Host and Transfer-Encoding,
// and each value, which is valid only until the handler returns.
func Headers(h *fasthttp.RequestHeader) iter.Seq2[string, []byte] {
	return func(yield func(string, []byte) bool) {
		for k, v := range h.All() {
			name := HeaderName(k)
			if name == "Host" || name == "Transfer-Encoding" {
				continue
			}
			if !yield(name, v) {
				return
			}
		}
	}
}

// HeaderName returns a header name, as fasthttp hands it out, as a string,
// sharing the common names of requests and responses instead of
// allocating them.
func HeaderName(k []byte) string {
	switch string(k) { // no allocation: the compiler compares in place
	case "Accept":
		return "Accept"
	case "Accept-Encoding":
		return "Accept-Encoding"
	case "Authorization":
		return "Authorization"
	case "Cache-Control":
		return "Cache-Control"
	case "Connection":
		return "Connection"
	case "Content-Encoding":
		return "Content-Encoding"
	case "Content-Length":
		return "Content-Length"
	case "Content-Type":
		return "Content-Type"
	case "Date":
		return "Date"
	case "Etag":
		return "Etag"
	case "Host":
		return "Host"
	case "Last-Modified":
		return "Last-Modified"
	case "Server":
		return "Server"
	case "Set-Cookie":
		return "Set-Cookie"
	case "Transfer-Encoding":
		return "Transfer-Encoding"
	case "User-Agent":
		return "User-Agent"
	case "Vary":
		return "Vary"
	case "X-Amz-Date":
		return "X-Amz-Date"
	case "X-Api-Key":
		return "X-Api-Key"
	}
	return string(k)
}
