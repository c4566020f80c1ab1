package dataplane

import (
	"bufio"
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"net/textproto"
	"net/url"
	"strings"
	"sync"
	"syscall"
	"time"
)

// h1Transport sends the requests of plain-HTTP back ends over pooled
// HTTP/1.1 keep-alive connections, writing the request and reading the
// response on the calling goroutine. net/http's Transport hands every
// request to a connection's write and read goroutines and back; on a busy
// gateway core those hand-offs cost as much as the proxying itself.
//
// It takes the requests it can serve exactly as net/http's Transport would
// (the same bytes on the wire, written by http.Request.Write; the same
// response parsing, by http.ReadResponse): plain http:// URLs, without a
// request body, that may be sent twice (GET, HEAD, OPTIONS, TRACE, or an
// Idempotency-Key), as both send such a request again when a pooled
// connection turns out to have been closed by the back end. Everything
// else (https, request bodies, which a back end may answer before reading
// them in full, other methods) goes to fallback.
type h1Transport struct {
	fallback http.RoundTripper
	dialer   *net.Dialer
	// maxIdle bounds the idle connections kept per back end; idleTimeout
	// is how long one may stay idle before it is closed instead of used.
	maxIdle     int
	idleTimeout time.Duration

	mu   sync.Mutex
	idle map[string][]*h1Conn // by host:port, most recently used last
	// swept is when put last closed the connections idle for too long.
	swept time.Time
}

// h1Conn is one keep-alive connection to a back end.
type h1Conn struct {
	t     *h1Transport
	key   string
	conn  net.Conn
	br    *bufio.Reader
	bw    *bufio.Writer
	since time.Time // when it became idle
	// deadline is whether the connection may carry a deadline set by
	// roundTripUntil.
	deadline bool
}

// errH1Reused marks a failure on a pooled connection before any byte of a
// response arrived: the back end had closed it while it was idle, and the
// request is sent again on a new connection.
var errH1Reused = errors.New("pooled connection closed by the back end")

func newH1Transport(fallback http.RoundTripper, dialer *net.Dialer, maxIdle int, idleTimeout time.Duration) *h1Transport {
	return &h1Transport{fallback: fallback, dialer: dialer, maxIdle: maxIdle, idleTimeout: idleTimeout,
		idle: map[string][]*h1Conn{}}
}

// RoundTrip implements http.RoundTripper.
func (t *h1Transport) RoundTrip(req *http.Request) (*http.Response, error) {
	if !t.serves(req) {
		// The fallback also reports invalid header fields, as before.
		return t.fallback.RoundTrip(req)
	}
	return t.roundTrip(req, time.Time{})
}

// serves reports whether t sends req itself rather than through its
// fallback.
func (t *h1Transport) serves(req *http.Request) bool {
	return req.URL.Scheme == "http" && req.URL.Host != "" && (req.Body == nil || req.Body == http.NoBody) &&
		req.ContentLength == 0 && !req.Close && replayable(req) && validHeaders(req.Header)
}

// roundTripUntil sends req, which t serves, with the exchange (response
// body included) bounded by deadline instead of by req's context: a
// connection deadline costs no context, timer or callback per request.
// An exchange cut by the deadline fails with an error that is
// os.ErrDeadlineExceeded. req's context is not watched: a caller going
// away does not interrupt the exchange, which ends at the latest at the
// deadline.
func (t *h1Transport) roundTripUntil(req *http.Request, deadline time.Time) (*http.Response, error) {
	return t.roundTrip(req, deadline)
}

// roundTrip sends req, which t serves; a zero deadline means req's
// context bounds the exchange.
func (t *h1Transport) roundTrip(req *http.Request, deadline time.Time) (*http.Response, error) {
	pc, stop, err := t.send(req.Context(), hostKey(req.URL), deadline, func(w *bufio.Writer) error {
		return writeRequest(w, req)
	})
	if err != nil {
		return nil, err
	}
	return pc.readResponse(req, stop)
}

// hostKey is the pool key of a plain-HTTP URL: host:port.
func hostKey(u *url.URL) string {
	if u.Port() == "" {
		return net.JoinHostPort(u.Hostname(), "80")
	}
	return u.Host
}

// send writes a request (with write) on a pooled or new connection to
// key, and returns the connection, ready to read the response. A request
// written on a pooled connection that the back end had closed while it
// was idle is written again on another: send serves only requests that
// may be sent twice. A non-zero deadline bounds the exchange through the
// connection's deadline; otherwise ctx does, and stop must be called once
// the exchange is over (see h1Conn.start).
func (t *h1Transport) send(ctx context.Context, key string, deadline time.Time, write func(*bufio.Writer) error) (*h1Conn, func() bool, error) {
	for {
		pc, reused := t.take(key)
		if pc == nil {
			var err error
			dctx := ctx
			if !deadline.IsZero() {
				var cancel context.CancelFunc
				dctx, cancel = context.WithDeadline(ctx, deadline)
				defer cancel()
			}
			if pc, err = t.dial(dctx, key); err != nil {
				return nil, nil, err
			}
		}
		stop, err := pc.start(ctx, reused, deadline, write)
		if errors.Is(err, errH1Reused) {
			continue // a request that may be sent twice
		}
		if err != nil {
			return nil, nil, err
		}
		return pc, stop, nil
	}
}

// take returns an idle connection to key, or nil.
func (t *h1Transport) take(key string) (*h1Conn, bool) {
	t.mu.Lock()
	defer t.mu.Unlock()
	for {
		conns := t.idle[key]
		if len(conns) == 0 {
			return nil, false
		}
		pc := conns[len(conns)-1]
		conns[len(conns)-1] = nil
		t.idle[key] = conns[:len(conns)-1]
		if time.Since(pc.since) < t.idleTimeout {
			return pc, true
		}
		pc.conn.Close()
	}
}

// put keeps pc for reuse, or closes it when the pool is full. Once per
// idle timeout it also closes every connection idle for longer, so that
// back ends no longer called do not keep connections open.
func (t *h1Transport) put(pc *h1Conn) {
	now := time.Now()
	pc.since = now
	var expired []*h1Conn
	t.mu.Lock()
	conns := t.idle[pc.key]
	if len(conns) < t.maxIdle {
		t.idle[pc.key] = append(conns, pc)
		pc = nil
	}
	if now.Sub(t.swept) > t.idleTimeout {
		t.swept = now
		for key, conns := range t.idle {
			// Oldest first: the expired ones are a prefix.
			n := 0
			for n < len(conns) && now.Sub(conns[n].since) >= t.idleTimeout {
				n++
			}
			if n == 0 {
				continue
			}
			expired = append(expired, conns[:n]...)
			if n == len(conns) {
				delete(t.idle, key)
			} else {
				t.idle[key] = append(conns[:0:0], conns[n:]...)
			}
		}
	}
	t.mu.Unlock()
	if pc != nil {
		pc.conn.Close()
	}
	for _, c := range expired {
		c.conn.Close()
	}
}

// CloseIdleConnections closes the connections waiting for reuse, and
// those of the fallback transport.
func (t *h1Transport) CloseIdleConnections() {
	t.mu.Lock()
	idle := t.idle
	t.idle = map[string][]*h1Conn{}
	t.mu.Unlock()
	for _, conns := range idle {
		for _, pc := range conns {
			pc.conn.Close()
		}
	}
	if c, ok := t.fallback.(interface{ CloseIdleConnections() }); ok {
		c.CloseIdleConnections()
	}
}

func (t *h1Transport) dial(ctx context.Context, key string) (*h1Conn, error) {
	conn, err := t.dialer.DialContext(ctx, "tcp", key)
	if err != nil {
		return nil, err
	}
	return &h1Conn{t: t, key: key, conn: conn, br: bufio.NewReaderSize(conn, h1ReadBufferSize), bw: bufio.NewWriterSize(conn, 4096)}, nil
}

// start bounds the exchange (by deadline when it is not zero, otherwise by
// ctx) and writes the request with write. The connection then belongs to
// the exchange until its response is read. With ctx bounding it, stop
// releases ctx's watch: it reports false when ctx already ended, in which
// case the connection's deadline is not to be trusted.
func (pc *h1Conn) start(ctx context.Context, reused bool, deadline time.Time, write func(*bufio.Writer) error) (stop func() bool, err error) {
	if deadline.IsZero() {
		// The end of ctx (its deadline, or the caller going away)
		// interrupts the exchange at whatever point it is, body
		// included, as with net/http's Transport. It is watched through
		// ctx rather than by a connection deadline so that, when a read
		// fails for it, ctx already says why. A connection whose
		// exchange was interrupted is closed.
		if pc.deadline {
			// Left by an exchange bounded by a deadline (see below).
			pc.conn.SetDeadline(time.Time{})
			pc.deadline = false
		}
		stop = context.AfterFunc(ctx, func() { pc.conn.SetDeadline(time.Unix(1, 0)) })
	} else {
		// A pooled connection keeps the deadline of its last exchange
		// (clearing it would cost as much as setting it): whoever uses
		// it next sets its own, or clears it (above).
		pc.conn.SetDeadline(deadline)
		pc.deadline = true
	}
	err = write(pc.bw)
	if err == nil {
		err = pc.bw.Flush()
	}
	if err == nil && reused {
		// A back end that closed the idle connection answers the
		// first read with EOF (or a reset) and no byte.
		_, err = pc.br.Peek(1)
	}
	if err == nil {
		return stop, nil
	}
	err = pc.fail(ctx, stop, err)
	if reused && (errors.Is(err, io.EOF) || errors.Is(err, syscall.ECONNRESET) || errors.Is(err, syscall.EPIPE)) {
		return nil, errH1Reused // not ctx's end: that would be the error
	}
	return nil, err
}

// fail closes a connection whose exchange failed with err, and returns the
// error to report: ctx's, when ctx bounded the exchange and has ended.
func (pc *h1Conn) fail(ctx context.Context, stop func() bool, err error) error {
	if stop != nil {
		stop()
	}
	pc.conn.Close()
	if stop != nil {
		if cerr := ctx.Err(); cerr != nil {
			return cerr
		}
	}
	return err
}

// readResponse reads the response to req, written by start. The
// connection belongs to the response's body until it is closed.
func (pc *h1Conn) readResponse(req *http.Request, stop func() bool) (*http.Response, error) {
	var resp *http.Response
	for {
		var err error
		resp, err = http.ReadResponse(pc.br, req)
		if err != nil {
			return nil, pc.fail(req.Context(), stop, err)
		}
		// Informational answers (100 Continue, 103 Early Hints) precede
		// the response; the request asked for none of them.
		if resp.StatusCode >= 200 || resp.StatusCode == http.StatusSwitchingProtocols {
			break
		}
		resp.Body.Close()
	}
	// Not kept after a HEAD: some back ends answer it with a body all the
	// same, which would be read as the next response.
	keep := !resp.Close && resp.StatusCode != http.StatusSwitchingProtocols && req.Method != http.MethodHead
	resp.Body = &h1Body{rc: resp.Body, pc: pc, stop: stop, keep: keep}
	return resp, nil
}

// h1Body is a response body: once read to its end and closed, its
// connection goes back to the pool; closed earlier, or after an error, the
// connection is closed.
type h1Body struct {
	rc   io.ReadCloser
	pc   *h1Conn
	stop func() bool // nil when a connection deadline bounds the exchange
	keep bool
	eof  bool
	done bool
}

func (b *h1Body) Read(p []byte) (int, error) {
	if b.done {
		return 0, http.ErrBodyReadAfterClose
	}
	n, err := b.rc.Read(p)
	if err == io.EOF {
		b.eof = true
	} else if err != nil {
		b.keep = false
	}
	return n, err
}

func (b *h1Body) Close() error {
	if b.done {
		return nil
	}
	b.done = true
	b.rc.Close()
	// stop reports false when the context's callback already ran (or is
	// running): the connection's deadline is then not ours to trust.
	if (b.stop == nil || b.stop()) && b.eof && b.keep && b.pc.br.Buffered() == 0 {
		b.pc.t.put(b.pc)
		return nil
	}
	b.pc.conn.Close()
	return nil
}

// requestWriteExclude are the header fields http.Request.Write leaves out
// of the header block (it writes Host and User-Agent itself).
var requestWriteExclude = map[string]bool{
	"Host": true, "User-Agent": true, "Content-Length": true, "Transfer-Encoding": true, "Trailer": true,
}

// writeRequest writes req as http.Request.Write does, byte for byte,
// without its allocations (formatted printing, a transfer writer) for the
// common case: a GET or HEAD request without a body, to a plain host name
// or address. Anything else is written by http.Request.Write itself.
func writeRequest(w *bufio.Writer, req *http.Request) error {
	host := req.Host
	if host == "" {
		host = req.URL.Host
	}
	if req.Method != http.MethodGet && req.Method != http.MethodHead || !plainHost(host) ||
		req.TransferEncoding != nil || req.Trailer != nil {
		return req.Write(w)
	}
	ruri := req.URL.RequestURI()
	for i := 0; i < len(ruri); i++ {
		if c := ruri[i]; c < ' ' || c == 0x7f {
			return req.Write(w) // which refuses it
		}
	}
	userAgent := "Go-http-client/1.1" // net/http's default
	if vs, ok := req.Header["User-Agent"]; ok {
		userAgent = ""
		if len(vs) > 0 {
			// validHeaders has refused CR and LF, which Request.Write
			// would turn into spaces.
			userAgent = textproto.TrimString(vs[0])
		}
	}
	writeRequestHead(w, req.Method, ruri, host, userAgent)
	if err := req.Header.WriteSubset(w, requestWriteExclude); err != nil {
		return err
	}
	_, err := w.WriteString("\r\n")
	return err
}

// writeRequestHead writes an HTTP/1.1 request line, Host and, unless
// empty, User-Agent, as http.Request.Write begins a request.
func writeRequestHead(w *bufio.Writer, method, ruri, host, userAgent string) {
	w.WriteString(method)
	w.WriteByte(' ')
	w.WriteString(ruri)
	w.WriteString(" HTTP/1.1\r\nHost: ")
	w.WriteString(host)
	w.WriteString("\r\n")
	if userAgent != "" {
		w.WriteString("User-Agent: ")
		w.WriteString(userAgent)
		w.WriteString("\r\n")
	}
}

// plainHost reports whether host (with an optional port) is written to the
// Host header as it is: not empty, ASCII letters, digits and . - _ : [ ]
// only (no IPv6 zone, nothing for IDNA).
func plainHost(host string) bool {
	if host == "" {
		return false
	}
	for i := 0; i < len(host); i++ {
		switch c := host[i]; {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9':
		case c == '.' || c == '-' || c == '_' || c == ':' || c == '[' || c == ']':
		default:
			return false
		}
	}
	return true
}

// replayable reports whether req may be sent again after a failure on a
// pooled connection, by net/http's rule: a safe method, or an idempotency
// key.
func replayable(req *http.Request) bool {
	switch req.Method {
	case "", http.MethodGet, http.MethodHead, http.MethodOptions, http.MethodTrace:
		return true
	}
	_, key := req.Header["Idempotency-Key"]
	_, xkey := req.Header["X-Idempotency-Key"]
	return key || xkey
}

// validHeaders reports whether every header field is one net/http's
// Transport sends (it refuses the request otherwise): names are tokens,
// values hold no control character but tab.
func validHeaders(h http.Header) bool {
	for k, vs := range h {
		if !validName(k) {
			return false
		}
		for _, v := range vs {
			if !validValue(v) {
				return false
			}
		}
	}
	return true
}

// validName reports whether k is a header name net/http's Transport sends:
// a token (RFC 9110 §5.6.2).
func validName[T string | []byte](k T) bool {
	if len(k) == 0 {
		return false
	}
	for i := 0; i < len(k); i++ {
		if !isTokenByte(k[i]) {
			return false
		}
	}
	return true
}

// validValue reports whether v is a header value net/http's Transport
// sends: no control character but tab.
func validValue[T string | []byte](v T) bool {
	for i := 0; i < len(v); i++ {
		if c := v[i]; c < ' ' && c != '\t' || c == 0x7f {
			return false
		}
	}
	return true
}

// isTokenByte reports whether c may appear in an HTTP token (RFC 9110
// §5.6.2).
func isTokenByte(c byte) bool {
	switch {
	case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9':
		return true
	}
	return c < 0x80 && strings.IndexByte("!#$%&'*+-.^_`|~", c) >= 0
}
