// Package front serves Gantry's listener. It is the one HTTP/1.1 server in
// the process: the data plane answers on it directly, and the control plane,
// an ordinary net/http handler, through NetHTTP.
//
// The server is fasthttp's, not net/http's. On one core net/http's server
// alone answers about half the requests per second nginx does (bench/run.sh
// measures both), which leaves nothing for the gateway's own work within
// the data plane's performance targets; fasthttp's server reuses its
// request and response objects and reads each connection on one goroutine,
// and answers about as fast as nginx. Everything the data plane needs from
// net/http's model is kept: headers in canonical form, bodies bounded, and
// response header names written exactly as given (x-amzn-RequestId, not
// X-Amzn-Requestid).
package front

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"time"

	"github.com/valyala/fasthttp"
)

// Limits of the server. AWS's own quota for the request line and headers
// together is 10,240 bytes; MaxHeaderBytes leaves room above it, and a
// request whose head does not fit gets 431.
const (
	// MaxHeaderBytes bounds a request's line and headers.
	MaxHeaderBytes = 16 << 10
	// PrereadBodyBytes is how much of a request body the server reads
	// before calling the handler; a longer body (or one of unknown length)
	// streams, and handlers bound what they read (Body).
	PrereadBodyBytes = 1 << 20
	// ReadTimeout bounds reading a request's head, and IdleTimeout a
	// kept-alive connection waiting for its next request.
	ReadTimeout = 60 * time.Second
	IdleTimeout = 2 * time.Minute
)

// Server is Gantry's HTTP/1.1 server.
type Server struct {
	srv *fasthttp.Server
}

// New returns a server that answers with handler. errorHandler, when not
// nil, answers requests the server itself cannot parse or accept (a head
// over MaxHeaderBytes, a malformed request line); nil gives fasthttp's
// plain-text answers.
func New(handler fasthttp.RequestHandler, errorHandler func(*fasthttp.RequestCtx, error), logger *slog.Logger) *Server {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	return &Server{srv: &fasthttp.Server{
		Handler:                      handler,
		ErrorHandler:                 errorHandler,
		Logger:                       logAdapter{logger},
		ReadBufferSize:               MaxHeaderBytes,
		MaxRequestBodySize:           PrereadBodyBytes,
		StreamRequestBody:            true,
		DisablePreParseMultipartForm: true, // bodies are the handlers' to read, as they came
		ReadTimeout:                  ReadTimeout,
		IdleTimeout:                  IdleTimeout,
		NoDefaultServerHeader:        true,
		NoDefaultContentType:         true,
		CloseOnShutdown:              true,
	}}
}

// Serve answers connections accepted on ln until Shutdown. It returns nil
// after a shutdown.
func (s *Server) Serve(ln net.Listener) error {
	return s.srv.Serve(lingeringListener{ln})
}

// lingerTimeout is how long a connection the server closes keeps reading
// (and discarding) what the client still sends, net/http's
// rstAvoidanceDelay.
const lingerTimeout = 500 * time.Millisecond

// lingeringListener hands out connections that close as net/http's server
// closes them: the write side first, then, after the client had time to
// read the response, the socket. Closing a socket with unread data sends a
// reset, which can destroy a response the client has not read yet, such as
// the 413 answering a body over the payload limit while it is still being
// sent.
type lingeringListener struct{ net.Listener }

func (l lingeringListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if tc, ok := c.(*net.TCPConn); ok {
		return lingeringConn{tc}, nil
	}
	return c, err
}

type lingeringConn struct{ *net.TCPConn }

// Close shuts the write side at once and closes the socket once the client
// stops sending or lingerTimeout passes, without blocking the caller.
func (c lingeringConn) Close() error {
	if err := c.CloseWrite(); err != nil {
		return c.TCPConn.Close()
	}
	go func() {
		c.SetReadDeadline(time.Now().Add(lingerTimeout))
		var buf [4 << 10]byte
		for {
			if _, err := c.Read(buf[:]); err != nil {
				break
			}
		}
		c.TCPConn.Close()
	}()
	return nil
}

// Shutdown stops accepting connections, closes idle ones and waits until
// the requests in flight are answered or ctx ends.
func (s *Server) Shutdown(ctx context.Context) error {
	return s.srv.ShutdownWithContext(ctx)
}

// Body returns the request body to read. Past PrereadBodyBytes (and when
// the length is unknown) it streams from the connection, so the caller
// bounds what it reads.
func Body(ctx *fasthttp.RequestCtx) io.Reader {
	if r := ctx.RequestBodyStream(); r != nil {
		return r
	}
	return bytes.NewReader(ctx.PostBody())
}

// ContentLength is the request's declared body length: -1 when it is
// unknown (chunked), 0 when there is none.
func ContentLength(ctx *fasthttp.RequestCtx) int64 {
	n := ctx.Request.Header.ContentLength()
	switch {
	case n >= 0:
		return int64(n)
	case n == -1: // chunked
		return -1
	}
	return 0 // -2: no Content-Length and no Transfer-Encoding
}

type logAdapter struct{ l *slog.Logger }

func (a logAdapter) Printf(format string, args ...any) {
	a.l.Debug("http server", "message", fmt.Sprintf(format, args...))
}
