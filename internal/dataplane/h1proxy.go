package dataplane

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"net/textproto"
	"net/url"
	"os"
	"slices"
	"time"
	"unsafe"

	"github.com/valyala/fasthttp"

	"github.com/gantryproject/gantry/internal/front"
)

// directProxy serves the commonest HTTP_PROXY call, a GET or HEAD without
// a body to a plain-HTTP back end, on the built-in transport's pooled
// connections without net/http's request and response: the request is
// written straight from the server's request, and the response is read
// with fasthttp's parser into a pooled buffer and written to the method
// response. It sends what httpProxy would send through net/http (the same
// request line, Host, User-Agent and X-Forwarded-For, the caller's
// end-to-end headers with mapped ones in their place) and treats the
// response the same way (hop-by-hop headers dropped, Connection, Date and
// Server remapped, the body buffered and bounded by the payload limit),
// without a header map on either side. It reports false, having done
// nothing, for a call it does not serve.
//
// header holds the mapped integration request headers, with canonical
// names; xff is the X-Forwarded-For value to send.
func (q *request) directProxy(in *integration, method string, target *url.URL, header http.Header, userAgent, xff string) (bool, error) {
	t, ok := q.h.transport.(*h1Transport)
	if !ok || method != http.MethodGet && method != http.MethodHead ||
		target.Scheme != "http" || target.User != nil || target.Opaque != "" || !plainHost(target.Host) ||
		!validHeaders(header) || !validInbound(&q.ctx.Request.Header) || !validValue(userAgent) || !validValue(xff) {
		return false, nil
	}
	ruri := target.RequestURI()
	if !validValue(ruri) {
		return false, nil
	}
	deadline := time.Now().Add(in.timeout)
	pc, _, err := t.send(context.Background(), hostKey(target), deadline, func(w *bufio.Writer) error {
		q.writeDirect(w, method, ruri, target.Host, header, userAgent, xff)
		return nil // a failed write shows in the flush
	})
	if err != nil {
		return true, directError(err)
	}
	resp := fasthttp.AcquireResponse()
	defer fasthttp.ReleaseResponse(resp)
	if err := readDirect(pc, resp, method == http.MethodHead); err != nil {
		pc.conn.Close()
		return true, directError(err)
	}
	// A connection is kept only when nothing unread can follow: not after
	// a HEAD, which some back ends answer with a body all the same (the
	// next response read there would be that body).
	if resp.ConnectionClose() || resp.StatusCode() == http.StatusSwitchingProtocols || pc.br.Buffered() > 0 ||
		pc.br.Size() > h1ReadBufferSize || method == http.MethodHead {
		pc.conn.Close()
	} else {
		t.put(pc)
	}

	// The values are copied into one string, and their slices handed out
	// by q.hv.
	size := 0
	for _, v := range resp.Header.All() {
		size += len(v)
	}
	text := make([]byte, 0, size)
	for _, v := range resp.Header.All() {
		text = append(text, v...)
	}
	// text is never changed again.
	all := unsafe.String(unsafe.SliceData(text), len(text))
	// Empty: nothing before the integration sets headers.
	w := q.w.Header()
	for k, v := range resp.Header.All() {
		value := all[:len(v)]
		all = all[len(v):]
		name := front.HeaderName(k)
		if remapped := remappedName(name); remapped != name {
			name = remapped // Connection, Date, Server
		} else if isHopHeader(name) {
			continue
		}
		q.hv.add(w, name, value)
	}
	q.hv.setStandard(w, q)
	q.w.WriteHeader(resp.StatusCode())
	q.w.Write(resp.Body())
	return true, nil
}

// h1ReadBufferSize is the read buffer of a connection to a back end. A
// response whose header does not fit gets a larger one (up to
// maxResponseHeaderBytes), and its connection is not kept.
const (
	h1ReadBufferSize       = 4 << 10
	maxResponseHeaderBytes = 1 << 20
)

// readDirect reads a response from pc into resp: informational responses
// skipped, the body (none for a HEAD request) bounded by the payload limit.
func readDirect(pc *h1Conn, resp *fasthttp.Response, head bool) error {
	resp.Header.SetNoDefaultContentType(true) // what the back end sent, nothing more
	resp.SkipBody = head
	err := resp.ReadLimitBody(pc.br, MaxPayloadBytes)
	if _, small := errors.AsType[*fasthttp.ErrSmallBuffer](err); small {
		// fasthttp needs the whole header in the read buffer, and has
		// consumed nothing yet: read again through a larger one.
		pc.br = bufio.NewReaderSize(pc.br, maxResponseHeaderBytes)
		resp.Reset()
		resp.Header.SetNoDefaultContentType(true)
		resp.SkipBody = head
		err = resp.ReadLimitBody(pc.br, MaxPayloadBytes)
	}
	return err
}

// errMalformedResponse is the failure of a back end whose answer is not
// an HTTP response Gantry can read. (fasthttp's own errors quote the
// response, which is not for the logs.)
var errMalformedResponse = errors.New("malformed HTTP response from the back end")

// directError classifies an error of directProxy as integrationError
// does the errors of net/http's transport.
func directError(err error) error {
	timedOut := errors.Is(err, os.ErrDeadlineExceeded) || errors.Is(err, context.DeadlineExceeded) ||
		errors.Is(err, fasthttp.ErrTimeout)
	switch {
	case timedOut:
	case errors.Is(err, fasthttp.ErrBodyTooLarge):
		err = errResponseTooLarge
	case errors.Is(err, fasthttp.ErrConnectionClosed):
	default:
		if _, isNet := errors.AsType[net.Error](err); !isNet && !errors.Is(err, io.EOF) && !errors.Is(err, io.ErrUnexpectedEOF) {
			err = errMalformedResponse
		}
	}
	return integrationError(err, timedOut)
}

// writeDirect writes directProxy's request: the request line, Host,
// User-Agent, the caller's end-to-end headers (those header replaces left
// out), header's, and X-Forwarded-For.
func (q *request) writeDirect(w *bufio.Writer, method, ruri, host string, header http.Header, userAgent, xff string) {
	writeRequestHead(w, method, ruri, host, textproto.TrimString(userAgent))
	for k, v := range q.ctx.Request.Header.All() {
		if _, mapped := header[string(k)]; mapped || notForwarded(k) {
			continue
		}
		w.Write(k)
		w.WriteString(": ")
		w.Write(bytes.Trim(v, " \t"))
		w.WriteString("\r\n")
	}
	if len(header) > 0 {
		names := make([]string, 0, len(header))
		for k := range header {
			names = append(names, k)
		}
		slices.Sort(names)
		for _, k := range names {
			if notForwarded(k) {
				continue
			}
			for _, v := range header[k] {
				writeField(w, k, v)
			}
		}
	}
	writeField(w, "X-Forwarded-For", xff)
	w.WriteString("\r\n")
}

// notForwarded reports whether header k (canonical) is not passed on as it
// is: hop-by-hop, or one the gateway writes itself.
func notForwarded[T string | []byte](k T) bool {
	switch string(k) { // no allocation: compared in place
	case "Host", "User-Agent", "Content-Length", "X-Forwarded-For":
		return true
	}
	return isHopHeader(string(k))
}

// writeField writes one header field, its value trimmed as net/http trims
// it.
func writeField(w *bufio.Writer, name, value string) {
	w.WriteString(name)
	w.WriteString(": ")
	w.WriteString(textproto.TrimString(value))
	w.WriteString("\r\n")
}

// validInbound reports whether the caller's headers are all ones net/http's
// transport would send (see validHeaders).
func validInbound(h *fasthttp.RequestHeader) bool {
	for k, v := range h.All() {
		if !validName(k) || !validValue(v) {
			return false
		}
	}
	return true
}
