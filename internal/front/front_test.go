package front_test

import (
	"bufio"
	"bytes"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"

	"github.com/valyala/fasthttp"

	"github.com/gantryproject/gantry/internal/front"
	"github.com/gantryproject/gantry/internal/front/fronttest"
)

// TestNetHTTPRequest: a net/http handler behind NetHTTP sees the request as
// net/http's server would have built it.
func TestNetHTTPRequest(t *testing.T) {
	type seen struct {
		method, uri, path, rawQuery, host, proto string
		header                                   http.Header
		length                                   int64
		te                                       []string
		body                                     string
	}
	got := make(chan seen, 1)
	srv := fronttest.NewServer(t, front.NetHTTP(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, err := io.ReadAll(r.Body)
		if err != nil {
			t.Error(err)
		}
		got <- seen{r.Method, r.RequestURI, r.URL.Path, r.URL.RawQuery, r.Host, r.Proto, r.Header, r.ContentLength, r.TransferEncoding, string(b)}
		w.Header()["x-amzn-RequestId"] = []string{"id-1"}
		w.WriteHeader(http.StatusCreated)
		io.WriteString(w, "done")
	})))
	for _, tc := range []struct {
		name, raw string
		want      seen
	}{
		{"known length", "POST /restapis/a%2Fb?x=1&y=%20 HTTP/1.1\r\nHost: Example.com:4566\r\ncontent-type: application/json\r\nX-Multi: a\r\nx-multi: b\r\nContent-Length: 4\r\n\r\nbody",
			seen{"POST", "/restapis/a%2Fb?x=1&y=%20", "/restapis/a/b", "x=1&y=%20", "Example.com:4566", "HTTP/1.1",
				http.Header{"Content-Type": {"application/json"}, "X-Multi": {"a", "b"}, "Content-Length": {"4"}}, 4, nil, "body"}},
		{"chunked", "PUT /x HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n",
			seen{"PUT", "/x", "/x", "", "h", "HTTP/1.1", http.Header{}, -1, []string{"chunked"}, "abc"}},
		{"HTTP/1.0 without body", "GET /y HTTP/1.0\r\nHost: h\r\nUser-Agent: t/1\r\n\r\n",
			seen{"GET", "/y", "/y", "", "h", "HTTP/1.0", http.Header{"User-Agent": {"t/1"}}, 0, nil, ""}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			status, head, body := rawExchange(t, srv.URL, tc.raw)
			if status != "HTTP/1.1 201 Created" || body != "done" || !strings.Contains(head, "\r\nContent-Type: text/plain; charset=utf-8") {
				t.Errorf("response: %q %q", status, body)
			}
			if !strings.Contains(head+"\r\n", "\r\nx-amzn-RequestId: id-1\r\n") {
				t.Errorf("header name not sent as written:\n%s", head)
			}
			s := <-got
			h := s.header
			s.header, tc.want.header = nil, nil
			if s.method != tc.want.method || s.uri != tc.want.uri || s.path != tc.want.path || s.rawQuery != tc.want.rawQuery ||
				s.host != tc.want.host || s.proto != tc.want.proto || s.length != tc.want.length || s.body != tc.want.body ||
				strings.Join(s.te, ",") != strings.Join(tc.want.te, ",") {
				t.Errorf("got %+v\nwant %+v", s, tc.want)
			}
			want := map[string]string{}
			for _, l := range strings.Split(tc.raw[:strings.Index(tc.raw, "\r\n\r\n")], "\r\n")[1:] {
				k, _, _ := strings.Cut(l, ":")
				k = http.CanonicalHeaderKey(k)
				if k != "Host" && k != "Transfer-Encoding" {
					want[k] = strings.Join(h[k], ",")
				}
			}
			delete(h, "Connection") // fasthttp adds it to HTTP/1.0 requests
			if len(h) != len(want) {
				t.Errorf("header %v, want the names %v (Host and Transfer-Encoding left out)", h, want)
			}
		})
	}
}

// TestResponseWriter: names as written, sorted as net/http writes them,
// several values of one name, and Reset discarding a started response.
func TestResponseWriter(t *testing.T) {
	srv := fronttest.NewServer(t, func(ctx *fasthttp.RequestCtx) {
		w := front.NewResponseWriter(ctx)
		w.Header().Set("X-Discarded", "1")
		w.WriteHeader(http.StatusTeapot)
		w.Write([]byte("gone"))
		w.Reset(ctx)
		h := w.Header()
		h["x-amzn-ErrorType"] = []string{"E"}
		h["Set-Cookie"] = []string{"a=1; Path=/", "a=2; Path=/x"}
		h["B-Second"] = []string{"2"}
		h["A-First"] = []string{"1"}
		h["Content-Type"] = []string{"application/json"}
		w.WriteHeader(http.StatusBadGateway)
		w.WriteHeader(http.StatusOK) // ignored, as net/http does
		w.WriteString("{}")
	})
	status, head, body := rawExchange(t, srv.URL, "GET / HTTP/1.1\r\nHost: h\r\n\r\n")
	if status != "HTTP/1.1 502 Bad Gateway" || body != "{}" {
		t.Fatalf("got %q %q", status, body)
	}
	if strings.Contains(head, "X-Discarded") {
		t.Errorf("Reset kept a header:\n%s", head)
	}
	var order []string
	for _, l := range strings.Split(head, "\r\n") {
		if k, _, ok := strings.Cut(l, ":"); ok && (k == "A-First" || k == "B-Second" || k == "x-amzn-ErrorType") {
			order = append(order, k)
		}
	}
	if strings.Join(order, " ") != "A-First B-Second x-amzn-ErrorType" {
		t.Errorf("headers in order %v, want sorted as net/http writes them", order)
	}
	if strings.Count(head, "Set-Cookie: a=") != 2 {
		t.Errorf("two Set-Cookie values expected:\n%s", head)
	}
}

// TestOversizedHead: a request line and headers over MaxHeaderBytes get 431
// and nothing reaches the handler.
func TestOversizedHead(t *testing.T) {
	srv := fronttest.NewServer(t, func(ctx *fasthttp.RequestCtx) { t.Error("handler called") })
	status, _, _ := rawExchange(t, srv.URL, "GET / HTTP/1.1\r\nHost: h\r\nX-Big: "+strings.Repeat("a", front.MaxHeaderBytes)+"\r\n\r\n")
	if status != "HTTP/1.1 431 Request Header Fields Too Large" {
		t.Errorf("got %q", status)
	}
}

// rawExchange writes raw to the server and reads one response: its status
// line, head and body.
func rawExchange(t *testing.T, base, raw string) (status, head, body string) {
	t.Helper()
	conn, err := net.Dial("tcp", strings.TrimPrefix(base, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if _, err := io.WriteString(conn, raw); err != nil {
		t.Fatal(err)
	}
	br := bufio.NewReader(conn)
	var headBuf bytes.Buffer
	tee := io.TeeReader(br, &headBuf)
	resp, err := http.ReadResponse(bufio.NewReader(tee), nil)
	if err != nil {
		t.Fatal(err)
	}
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	h, _, _ := strings.Cut(headBuf.String(), "\r\n\r\n")
	return resp.Proto + " " + resp.Status, h, string(b)
}
