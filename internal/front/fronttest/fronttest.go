// Package fronttest runs Gantry's HTTP server on loopback for tests, as
// net/http/httptest does for net/http handlers.
package fronttest

import (
	"context"
	"net"
	"net/http"
	"testing"
	"time"

	"github.com/valyala/fasthttp"

	"github.com/gantryproject/gantry/internal/front"
)

// Server is a front.Server listening on a loopback port.
type Server struct {
	// URL is the server's base URL, http://127.0.0.1:port.
	URL string

	srv    *front.Server
	ln     net.Listener
	done   chan struct{}
	client *http.Client
}

// NewServer starts a server answering with h on 127.0.0.1 and stops it when
// the test ends.
func NewServer(t testing.TB, h fasthttp.RequestHandler) *Server {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s := &Server{
		URL:    "http://" + ln.Addr().String(),
		srv:    front.New(h, nil, nil),
		ln:     ln,
		done:   make(chan struct{}),
		client: &http.Client{Transport: &http.Transport{}},
	}
	go func() {
		defer close(s.done)
		if err := s.srv.Serve(ln); err != nil {
			t.Errorf("serving: %v", err)
		}
	}()
	t.Cleanup(s.Close)
	return s
}

// Client returns an HTTP client for the server, whose idle connections
// Close closes.
func (s *Server) Client() *http.Client { return s.client }

// Close stops the server and waits for it.
func (s *Server) Close() {
	select {
	case <-s.done:
		return
	default:
	}
	s.client.CloseIdleConnections()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	s.srv.Shutdown(ctx)
	<-s.done
}

// NewRequestCtx returns a request as the server hands it to a handler, for
// calling a handler without the network (in benchmarks, say): method and
// target (a path with its query, or an absolute URL), then header names
// and values in pairs. The caller's address is 127.0.0.1:40000; the host is
// localhost unless target or a Host header says otherwise.
func NewRequestCtx(method, target string, header ...string) *fasthttp.RequestCtx {
	var req fasthttp.Request
	req.Header.SetMethod(method)
	req.SetRequestURI(target)
	if len(req.Header.Host()) == 0 && len(req.URI().Host()) == 0 {
		req.Header.SetHost("localhost")
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Add(header[i], header[i+1])
	}
	ctx := new(fasthttp.RequestCtx)
	ctx.Init(&req, &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 40000}, nil)
	return ctx
}
