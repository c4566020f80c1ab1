package dataplane

import (
	"bufio"
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// countingTransport counts the requests it passes on.
type countingTransport struct {
	rt http.RoundTripper
	n  atomic.Int32
}

func (c *countingTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	c.n.Add(1)
	return c.rt.RoundTrip(r)
}

func newTestH1(t *testing.T) (*h1Transport, *countingTransport) {
	fb := &countingTransport{rt: NewTransport()}
	tr := newH1Transport(fb, newDialer(), 4, time.Minute)
	t.Cleanup(tr.CloseIdleConnections)
	return tr, fb
}

func h1Get(t *testing.T, tr http.RoundTripper, ctx context.Context, url string) (*http.Response, string, error) {
	t.Helper()
	req, err := http.NewRequestWithContext(ctx, "GET", url, nil)
	if err != nil {
		t.Fatal(err)
	}
	return h1Do(tr, req)
}

// h1Do sends req and reads the whole response.
func h1Do(tr http.RoundTripper, req *http.Request) (*http.Response, string, error) {
	resp, err := tr.RoundTrip(req)
	if err != nil {
		return nil, "", err
	}
	b, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	return resp, string(b), err
}

// rawServer answers each connection with handle, on loopback.
func rawServer(t *testing.T, handle func(c net.Conn, br *bufio.Reader)) (string, *atomic.Int32) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	var conns atomic.Int32
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			conns.Add(1)
			go func() {
				defer c.Close()
				handle(c, bufio.NewReader(c))
			}()
		}
	}()
	return "http://" + ln.Addr().String(), &conns
}

// closedPortURL is the URL of a loopback port nothing listens on.
func closedPortURL(t *testing.T) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ln.Close()
	return "http://" + ln.Addr().String() + "/"
}

func TestH1Transport(t *testing.T) {
	ctx := context.Background()

	t.Run("keep-alive reuse", func(t *testing.T) {
		var conns atomic.Int32
		srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			io.WriteString(w, r.Method+" "+r.URL.RequestURI()+" "+r.Header.Get("User-Agent"))
		}))
		srv.Config.ConnState = func(_ net.Conn, s http.ConnState) {
			if s == http.StateNew {
				conns.Add(1)
			}
		}
		srv.Start()
		defer srv.Close()
		tr, fb := newTestH1(t)
		for i := range 3 {
			resp, body, err := h1Get(t, tr, ctx, srv.URL+"/a%2Fb?x=1")
			if err != nil || resp.StatusCode != 200 || body != "GET /a%2Fb?x=1 Go-http-client/1.1" {
				t.Fatalf("request %d: %v %v %q", i, resp, err, body)
			}
		}
		if conns.Load() != 1 || fb.n.Load() != 0 {
			t.Errorf("%d connections, %d fallback requests; want 1 and 0", conns.Load(), fb.n.Load())
		}
	})

	t.Run("no reuse after HEAD", func(t *testing.T) {
		// The back end answers HEAD with a body all the same, a moment
		// later: read on the same connection, it would be the next
		// response.
		url, conns := rawServer(t, func(c net.Conn, br *bufio.Reader) {
			for {
				req, err := http.ReadRequest(br)
				if err != nil {
					return
				}
				io.WriteString(c, "HTTP/1.1 200 OK\r\nContent-Length: 22\r\n\r\n")
				if req.Method == http.MethodHead {
					time.Sleep(20 * time.Millisecond)
					io.WriteString(c, "HTTP/1.1 500 Garbage\r\n")
				} else {
					io.WriteString(c, strings.Repeat("x", 22))
				}
			}
		})
		tr, _ := newTestH1(t)
		req, _ := http.NewRequest(http.MethodHead, url+"/", nil)
		if resp, _, err := h1Do(tr, req); err != nil || resp.StatusCode != 200 {
			t.Fatalf("HEAD: %v %v", resp, err)
		}
		time.Sleep(40 * time.Millisecond)
		if resp, body, err := h1Get(t, tr, ctx, url+"/"); err != nil || resp.StatusCode != 200 || len(body) != 22 {
			t.Fatalf("GET after HEAD: %v %v %q", resp, err, body)
		}
		if conns.Load() != 2 {
			t.Errorf("%d connections, want 2 (none reused after the HEAD)", conns.Load())
		}
	})

	t.Run("stale pooled connection is replaced", func(t *testing.T) {
		// Each connection answers one request, then closes without
		// saying so, as a back end whose idle timeout expired.
		url, conns := rawServer(t, func(c net.Conn, br *bufio.Reader) {
			if _, err := http.ReadRequest(br); err != nil {
				return
			}
			io.WriteString(c, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")
		})
		tr, _ := newTestH1(t)
		for i := range 3 {
			if i > 0 {
				time.Sleep(20 * time.Millisecond) // let the close arrive
			}
			resp, body, err := h1Get(t, tr, ctx, url+"/")
			if err != nil || resp.StatusCode != 200 || body != "ok" {
				t.Fatalf("request %d: %v %v %q", i, resp, err, body)
			}
		}
		if conns.Load() != 3 {
			t.Errorf("%d connections, want 3", conns.Load())
		}
	})

	t.Run("informational responses and chunked body", func(t *testing.T) {
		url, _ := rawServer(t, func(c net.Conn, br *bufio.Reader) {
			for {
				if _, err := http.ReadRequest(br); err != nil {
					return
				}
				io.WriteString(c, "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\nLink: </a>\r\n\r\n"+
					"HTTP/1.1 201 Created\r\nTransfer-Encoding: chunked\r\nX-A: 1\r\n\r\n3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n")
			}
		})
		tr, _ := newTestH1(t)
		for i := range 2 {
			resp, body, err := h1Get(t, tr, ctx, url+"/")
			if err != nil || resp.StatusCode != 201 || body != "abcde" || resp.Header.Get("X-A") != "1" || resp.Header.Get("Link") != "" {
				t.Fatalf("request %d: %v %v %q", i, resp, err, body)
			}
		}
	})

	t.Run("not reused", func(t *testing.T) {
		// "Connection: close" and a body closed before its end both end
		// the connection.
		url, conns := rawServer(t, func(c net.Conn, br *bufio.Reader) {
			for {
				r, err := http.ReadRequest(br)
				if err != nil {
					return
				}
				if r.URL.Path == "/close" {
					io.WriteString(c, "HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 2\r\n\r\nok")
					return
				}
				io.WriteString(c, "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n0123456789")
			}
		})
		tr, _ := newTestH1(t)
		if _, body, err := h1Get(t, tr, ctx, url+"/close"); err != nil || body != "ok" {
			t.Fatal(err, body)
		}
		req, _ := http.NewRequest("GET", url+"/partial", nil)
		resp, err := tr.RoundTrip(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Read(make([]byte, 3))
		resp.Body.Close()
		if _, body, err := h1Get(t, tr, ctx, url+"/full"); err != nil || body != "0123456789" {
			t.Fatal(err, body)
		}
		if conns.Load() != 3 {
			t.Errorf("%d connections, want 3", conns.Load())
		}
	})

	t.Run("idle connections expire", func(t *testing.T) {
		closed := make(chan struct{}, 1)
		serve := func(c net.Conn, br *bufio.Reader) {
			for {
				if _, err := http.ReadRequest(br); err != nil {
					return
				}
				io.WriteString(c, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")
			}
		}
		a, _ := rawServer(t, func(c net.Conn, br *bufio.Reader) { serve(c, br); closed <- struct{}{} })
		b, _ := rawServer(t, serve)
		tr := newH1Transport(NewTransport(), newDialer(), 4, 20*time.Millisecond)
		defer tr.CloseIdleConnections()
		h1Get(t, tr, ctx, a+"/")
		time.Sleep(50 * time.Millisecond)
		h1Get(t, tr, ctx, b+"/") // its return to the pool sweeps a's connection
		select {
		case <-closed:
		case <-time.After(2 * time.Second):
			t.Error("the connection idle past its timeout is still open")
		}
	})

	t.Run("deadline", func(t *testing.T) {
		url, _ := rawServer(t, func(c net.Conn, br *bufio.Reader) {
			http.ReadRequest(br)
			time.Sleep(2 * time.Second) // never answers in time
		})
		tr, _ := newTestH1(t)
		ctx, cancel := context.WithTimeout(ctx, 50*time.Millisecond)
		defer cancel()
		start := time.Now()
		_, _, err := h1Get(t, tr, ctx, url+"/")
		if !errors.Is(err, context.DeadlineExceeded) || time.Since(start) > time.Second {
			t.Errorf("error %v after %v, want the deadline after 50ms", err, time.Since(start))
		}
	})

	t.Run("connection deadline", func(t *testing.T) {
		// The first request on each connection is answered at once,
		// the second (the one to /slow) never in time.
		url, conns := rawServer(t, func(c net.Conn, br *bufio.Reader) {
			for {
				req, err := http.ReadRequest(br)
				if err != nil {
					return
				}
				if req.URL.Path == "/slow" {
					time.Sleep(2 * time.Second)
					return
				}
				io.WriteString(c, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")
			}
		})
		tr, _ := newTestH1(t)
		until := func(path string, d time.Duration) (*http.Response, error) {
			req, _ := http.NewRequestWithContext(ctx, "GET", url+path, nil)
			return tr.roundTripUntil(req, time.Now().Add(d))
		}
		// An answered exchange leaves its deadline on the pooled
		// connection; a later exchange bounded by its context, after
		// that deadline, is not cut by it.
		resp, err := until("/fast", 50*time.Millisecond)
		if err != nil {
			t.Fatal(err)
		}
		io.ReadAll(resp.Body)
		resp.Body.Close()
		time.Sleep(60 * time.Millisecond)
		if resp, body, err := h1Get(t, tr, ctx, url+"/fast"); err != nil || resp.StatusCode != 200 || body != "ok" {
			t.Fatalf("after a deadline exchange: %v %v %q", resp, err, body)
		}
		start := time.Now()
		_, err = until("/slow", 50*time.Millisecond)
		if !errors.Is(err, os.ErrDeadlineExceeded) || time.Since(start) > time.Second {
			t.Errorf("error %v after %v, want the deadline after 50ms", err, time.Since(start))
		}
		if conns.Load() != 1 {
			t.Errorf("%d connections, want 1", conns.Load())
		}
	})

	t.Run("fallback", func(t *testing.T) {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			b, _ := io.ReadAll(r.Body)
			w.Write(b)
		}))
		defer srv.Close()
		tr, fb := newTestH1(t)
		req, _ := http.NewRequest("POST", srv.URL+"/", strings.NewReader("payload"))
		resp, err := tr.RoundTrip(req)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if string(b) != "payload" || fb.n.Load() != 1 {
			t.Errorf("body %q, %d fallback requests; want the payload and 1", b, fb.n.Load())
		}
		// A method net/http would not send twice, even without a body;
		// with an idempotency key it may.
		req, _ = http.NewRequest("DELETE", srv.URL+"/", nil)
		if _, _, err := h1Do(tr, req); err != nil || fb.n.Load() != 2 {
			t.Errorf("DELETE: %v, %d fallback requests; want 2", err, fb.n.Load())
		}
		req, _ = http.NewRequest("DELETE", srv.URL+"/", nil)
		req.Header.Set("Idempotency-Key", "k1")
		if _, _, err := h1Do(tr, req); err != nil || fb.n.Load() != 2 {
			t.Errorf("DELETE with a key: %v, %d fallback requests; want 2", err, fb.n.Load())
		}
	})

	t.Run("header validation matches net/http", func(t *testing.T) {
		// Every byte in a header name and in a value: validHeaders must
		// accept exactly what net/http's Transport sends (it refuses the
		// others before dialing).
		url := closedPortURL(t)
		std := NewTransport()
		for c := 0; c < 256; c++ {
			b := string([]byte{byte(c)})
			for _, h := range []http.Header{{"X" + b + "Y": {"v"}}, {"X": {"a" + b + "b"}}} {
				req, _ := http.NewRequest("GET", url, nil)
				req.Header = h
				_, err := std.RoundTrip(req)
				refused := err != nil && strings.Contains(err.Error(), "invalid header field")
				if validHeaders(h) == refused {
					t.Errorf("byte %#x in %v: validHeaders %v, net/http refuses: %v", c, h, validHeaders(h), err)
				}
			}
		}
	})

	t.Run("refused", func(t *testing.T) {
		tr, _ := newTestH1(t)
		if _, _, err := h1Get(t, tr, ctx, closedPortURL(t)); err == nil {
			t.Error("no error from a closed port")
		}
	})
}

// TestWriteRequest checks that writeRequest writes the very bytes
// http.Request.Write does.
func TestWriteRequest(t *testing.T) {
	tests := []struct {
		name, method, url, host string
		header                  http.Header
	}{
		{name: "bare GET", method: "GET", url: "http://127.0.0.1:8080/pets"},
		{name: "HEAD, no path", method: "HEAD", url: "http://example.com"},
		{name: "escaped path and query", method: "GET", url: "http://h:1/a%2Fb/c%20d?x=1&y=%3D&x=2"},
		{name: "IPv6 host", method: "GET", url: "http://[::1]:8080/"},
		{name: "underscore host, host override", method: "GET", url: "http://my_host/p", host: "other-host:81"},
		{name: "headers sorted, multi-valued, trimmed", method: "GET", url: "http://h/", header: http.Header{
			"X-B": {"2", " padded\t"}, "X-A": {"1"}, "Accept": {"application/json"}, "X-Empty": {""}, "X-None": {},
			"X-Forwarded-For": {"1.2.3.4, 127.0.0.1"}, "lower-case": {"v"},
		}},
		{name: "user agent trimmed", method: "GET", url: "http://h/", header: http.Header{"User-Agent": {"  curl/8.0 \t"}}},
		{name: "empty user agent", method: "GET", url: "http://h/", header: http.Header{"User-Agent": {""}}},
		{name: "user agent without values", method: "GET", url: "http://h/", header: http.Header{"User-Agent": {}}},
		{name: "excluded headers", method: "GET", url: "http://h/", header: http.Header{
			"Host": {"x"}, "Content-Length": {"5"}, "Transfer-Encoding": {"chunked"}, "Trailer": {"X"}, "X-Kept": {"k"},
		}},
		{name: "other method (written by net/http)", method: "OPTIONS", url: "http://h/"},
		{name: "non-ASCII host (written by net/http)", method: "GET", url: "http://h/", host: "bücher.example"},
		{name: "IPv6 zone (written by net/http)", method: "GET", url: "http://h/", host: "[fe80::1%25eth0]:80"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			newReq := func() *http.Request {
				req, err := http.NewRequest(tt.method, tt.url, nil)
				if err != nil {
					t.Fatal(err)
				}
				if tt.host != "" {
					req.Host = tt.host
				}
				for k, v := range tt.header {
					req.Header[k] = v
				}
				return req
			}
			var want, got strings.Builder
			if err := newReq().Write(&want); err != nil {
				t.Fatal(err)
			}
			bw := bufio.NewWriter(&got)
			if err := writeRequest(bw, newReq()); err != nil {
				t.Fatal(err)
			}
			bw.Flush()
			if got.String() != want.String() {
				t.Errorf("writeRequest wrote\n%q\nhttp.Request.Write writes\n%q", got.String(), want.String())
			}
		})
	}
}

// TestIsHopHeader checks isHopHeader against hopHeaders, whose names must
// be canonical for cloneEndToEnd and copyProxyHeaders to compare them as
// they are.
func TestIsHopHeader(t *testing.T) {
	for _, h := range hopHeaders {
		if !isHopHeader(h) || http.CanonicalHeaderKey(h) != h {
			t.Errorf("%q: isHopHeader %v, canonical %q", h, isHopHeader(h), http.CanonicalHeaderKey(h))
		}
	}
	for _, h := range []string{"Accept", "X-Forwarded-For", "connection", "Host", ""} {
		if isHopHeader(h) {
			t.Errorf("isHopHeader(%q) = true", h)
		}
	}
}
