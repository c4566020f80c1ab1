package dataplane_test

import (
	"bufio"
	"bytes"
	"io"
	"log/slog"
	"net"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gantryproject/gantry/internal/dataplane"
	"github.com/gantryproject/gantry/internal/model"
)

// rawBackend is a loopback back end that records each request head it
// reads and answers it with the bytes respond returns (a whole response,
// written as it is, pausing at each NUL); when respond also reports close,
// the connection is closed after the answer.
type rawBackend struct {
	url   string
	mu    sync.Mutex
	heads []string
}

func newRawBackend(t *testing.T, respond func(head string) (answer string, close bool)) *rawBackend {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	b := &rawBackend{url: "http://" + ln.Addr().String()}
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				br := bufio.NewReader(c)
				for {
					var head strings.Builder
					for {
						line, err := br.ReadString('\n')
						if err != nil {
							return
						}
						head.WriteString(line)
						if line == "\r\n" {
							break
						}
					}
					b.mu.Lock()
					b.heads = append(b.heads, head.String())
					b.mu.Unlock()
					answer, closeAfter := respond(head.String())
					// A NUL in the answer is a pause: the parts reach the
					// connection apart.
					for i, part := range strings.Split(answer, "\x00") {
						if i > 0 {
							time.Sleep(20 * time.Millisecond)
						}
						if _, err := io.WriteString(c, part); err != nil {
							return
						}
					}
					if closeAfter {
						return
					}
				}
			}()
		}
	}()
	return b
}

// last returns the last request head the back end read.
func (b *rawBackend) last() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	if len(b.heads) == 0 {
		return ""
	}
	return b.heads[len(b.heads)-1]
}

// fields returns a request head's request line and its header fields,
// sorted (the relative order of same-name fields kept).
func fields(head string) (string, []string) {
	lines := strings.Split(strings.TrimSuffix(head, "\r\n\r\n"), "\r\n")
	f := lines[1:]
	slices.SortStableFunc(f, func(a, b string) int {
		an, _, _ := strings.Cut(a, ":")
		bn, _, _ := strings.Cut(b, ":")
		return strings.Compare(an, bn)
	})
	return lines[0], f
}

const okResponse = "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 2\r\n\r\nok"

// TestDirectProxyRequest checks what an HTTP_PROXY GET sends a plain-HTTP
// back end (the direct path: written from the server's request), and that
// it is what the net/http path sends for a method it does not serve.
func TestDirectProxyRequest(t *testing.T) {
	be := newRawBackend(t, func(string) (string, bool) { return okResponse, false })
	f := newFixture(t)
	m := proxyMethod(be.url+"/pets/{proxy}?fixed=1", 0)
	m.Integration.RequestParameters = map[string]string{
		"integration.request.path.proxy":   "method.request.path.proxy",
		"integration.request.header.X-Map": "'mapped'",
		"integration.request.header.X-Rep": "'replaced'",
	}
	f.deploy(api{id: "directapi1", methods: map[string]map[string]model.Method{"/{proxy+}": {"ANY": m}}})

	send := func(method, ua string) (string, []string) {
		t.Helper()
		req := mustRequest(t, method, f.url("directapi1", "test", "/42?q=a%20b&q=c"), nil)
		req.Header["X-Multi"] = []string{"one", "two"}
		req.Header.Set("X-Rep", "from the caller")
		req.Header.Set("X-Forwarded-For", "203.0.113.9")
		req.Header.Set("Keep-Alive", "timeout=5")
		req.Header.Set("Proxy-Authorization", "Basic Zm9vOmJhcg==")
		req.Header.Set("Te", "trailers")
		req.Header.Set("Cookie", "a=1; b=2")
		req.Header.Set("User-Agent", ua)
		if r := f.do(req); r.status != 200 || r.body != "ok" {
			t.Fatalf("%s: got %d %q", method, r.status, r.body)
		}
		return fields(be.last())
	}
	line, got := send("GET", "tester/1.0")
	if want := "GET /pets/42?fixed=1&q=a%20b&q=c HTTP/1.1"; line != want {
		t.Errorf("request line: got %q, want %q", line, want)
	}
	host := strings.TrimPrefix(be.url, "http://")
	want := []string{
		"Accept-Encoding: gzip", // Go's client adds it
		"Cookie: a=1; b=2",
		"Host: " + host,
		"User-Agent: tester/1.0",
		"X-Forwarded-For: 203.0.113.9, 127.0.0.1",
		"X-Map: mapped",
		"X-Multi: one",
		"X-Multi: two",
		"X-Rep: replaced",
	}
	if !slices.Equal(got, want) {
		t.Errorf("GET header fields:\n got %q\nwant %q", got, want)
	}

	// OPTIONS goes through net/http's transport: the same fields.
	line, got = send("OPTIONS", "tester/1.0")
	if !strings.HasPrefix(line, "OPTIONS /pets/42?") || !slices.Equal(got, want) {
		t.Errorf("OPTIONS: %q\n got %q\nwant %q", line, got, want)
	}

	// Without a User-Agent, API Gateway's own, on both paths.
	for _, method := range []string{"GET", "OPTIONS"} {
		_, got = send(method, "")
		if !slices.Contains(got, "User-Agent: AmazonAPIGateway_directapi1") {
			t.Errorf("%s without a User-Agent sent %q", method, got)
		}
	}
}

// TestDirectProxyResponse checks how the direct path passes back end
// responses on, and how it fails.
func TestDirectProxyResponse(t *testing.T) {
	big := strings.Repeat("x", 20<<10)
	huge := strings.Repeat("y", 1<<20)
	be := newRawBackend(t, func(head string) (string, bool) {
		path := strings.Fields(head)[1]
		switch path {
		case "/headers":
			return "HTTP/1.1 201 Created\r\nConnection: keep-alive\r\nKeep-Alive: timeout=5\r\n" +
				"Date: Mon, 07 Dec 2026 10:00:00 GMT\r\nServer: upstream/1\r\nX-Up: 1\r\n" +
				"Set-Cookie: a=1\r\nSet-Cookie: b=2\r\nContent-Type: application/json\r\nContent-Length: 7\r\n\r\n{\"a\":1}", false
		case "/chunked":
			return "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nTrailer: X-T\r\n\r\n" +
				"5\r\nhello\r\n6\r\n world\r\n0\r\nX-T: t\r\n\r\n", false
		case "/continue":
			return "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\nLink: </a>\r\n\r\n" + okResponse, false
		case "/big-header":
			return "HTTP/1.1 200 OK\r\nX-Big: " + big + "\r\nContent-Length: 2\r\n\r\nok", false
		case "/huge-header":
			return "HTTP/1.1 200 OK\r\nX-Huge: " + huge + "\r\nContent-Length: 2\r\n\r\nok", false
		case "/until-close":
			return "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n\r\nread until the end", true
		case "/closes":
			// Keep-alive as far as the response says, then closed.
			return okResponse, true
		case "/malformed":
			return "HTTP/1.1 2OO OK\r\nX-Secret: s3cr3t-value\r\n\r\n", true
		case "/head-with-body":
			// A HEAD answered with a body, which arrives a moment later.
			return "HTTP/1.1 200 OK\r\nContent-Length: 22\r\n\r\n\x00HTTP/1.1 500 Garbage\r\n", false
		case "/truncated":
			return "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nshort", true
		}
		return "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n", false
	})
	var logs bytes.Buffer
	var logMu sync.Mutex
	f := newFixtureWith(t, dataplane.Options{Logger: slog.New(slog.NewTextHandler(lockedWriter{&logMu, &logs}, nil))})
	f.deploy(api{id: "directapi2", methods: map[string]map[string]model.Method{
		"/{proxy+}": {"ANY": proxyMethod(be.url+"/{proxy}", 0)},
	}})

	r := f.get("directapi2", "test", "/headers")
	if r.status != 201 || r.body != `{"a":1}` {
		t.Fatalf("/headers: %d %q", r.status, r.body)
	}
	for name, want := range map[string]string{
		"X-Up": "1", "Content-Type": "application/json", "Content-Length": "7",
		"X-Amzn-Remapped-Connection": "keep-alive", "X-Amzn-Remapped-Date": "Mon, 07 Dec 2026 10:00:00 GMT",
		"X-Amzn-Remapped-Server": "upstream/1", "Keep-Alive": "", "Server": "",
	} {
		if got := r.header.Get(name); got != want {
			t.Errorf("/headers: %s = %q, want %q", name, got, want)
		}
	}
	if got := r.header.Values("Set-Cookie"); !slices.Equal(got, []string{"a=1", "b=2"}) {
		t.Errorf("/headers: Set-Cookie %q", got)
	}
	if r.header.Get("x-amzn-RequestId") == "" {
		t.Error("/headers: no x-amzn-RequestId")
	}

	for _, tc := range []struct{ path, body string }{
		{"/chunked", "hello world"},
		{"/continue", "ok"},
		{"/big-header", "ok"},
		{"/until-close", "read until the end"},
		// The back end closes each connection after answering: the next
		// request finds its pooled connection closed and is sent again.
		{"/closes", "ok"}, {"/closes", "ok"}, {"/closes", "ok"},
	} {
		r := f.get("directapi2", "test", tc.path)
		if r.status != 200 || r.body != tc.body {
			t.Errorf("%s: got %d %q, want 200 %q", tc.path, r.status, r.body, tc.body)
		}
		if tc.path == "/big-header" && r.header.Get("X-Big") != big {
			t.Errorf("/big-header: X-Big of %d bytes", len(r.header.Get("X-Big")))
		}
	}

	// HEAD: no body read, the back end's Content-Length passed on.
	resp, err := f.srv.Client().Head(f.url("directapi2", "test", "/headers"))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 201 || resp.ContentLength != 7 {
		t.Errorf("HEAD: %d, Content-Length %d", resp.StatusCode, resp.ContentLength)
	}
	// A HEAD answered with a body does not leave it to be read as the
	// next response on the same connection.
	for i := 0; i < 3; i++ {
		resp, err := f.srv.Client().Head(f.url("directapi2", "test", "/head-with-body"))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		time.Sleep(30 * time.Millisecond) // the body arrives, on whatever connection
		if r := f.get("directapi2", "test", "/chunked"); r.status != 200 || r.body != "hello world" {
			t.Fatalf("GET after a HEAD answered with a body: %d %q", r.status, r.body)
		}
	}

	for _, path := range []string{"/huge-header", "/malformed", "/truncated"} {
		r := f.get("directapi2", "test", path)
		wantError(t, r, 500, "InternalServerErrorException", `{"message":"Internal server error"}`)
	}
	logMu.Lock()
	defer logMu.Unlock()
	if strings.Contains(logs.String(), "s3cr3t") {
		t.Errorf("the logs quote a back end's response:\n%s", logs.String())
	}
	if !strings.Contains(logs.String(), "malformed HTTP response") {
		t.Errorf("no log of the malformed response:\n%s", logs.String())
	}
}

// lockedWriter serializes writes to w.
type lockedWriter struct {
	mu *sync.Mutex
	w  io.Writer
}

func (l lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}
