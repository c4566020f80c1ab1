package dataplane_test

import (
	"bufio"
	"net"
	"net/textproto"
	"strings"
	"testing"

	"github.com/gantryproject/gantry/internal/model"
)

// TestHeaderSpelling: integration responses and gateway responses alike
// send API Gateway's headers spelled as AWS spells them (x-amzn-RequestId,
// x-amz-apigw-id, x-amzn-ErrorType), not in Go's canonical form. Read off
// the wire, since Go's client canonicalizes what it parses.
func TestHeaderSpelling(t *testing.T) {
	f := newFixture(t)
	f.deploy(api{id: "spelling01", methods: map[string]map[string]model.Method{"/pets": {"GET": mockMethod("200", "{}", nil)}}})
	for _, tc := range []struct {
		path string
		want []string
	}{
		{"/pets", []string{"x-amzn-RequestId", "x-amz-apigw-id"}},
		{"/nothing", []string{"x-amzn-RequestId", "x-amz-apigw-id", "x-amzn-ErrorType"}},
	} {
		names := rawHeaderNames(t, f.srv.URL, "/restapis/spelling01/test/_user_request_"+tc.path)
		for _, k := range tc.want {
			if names[k] != 1 {
				t.Errorf("%s: header spelled %q sent %d times, want once (headers %v)", tc.path, k, names[k], names)
			}
		}
	}
}

// rawHeaderNames sends GET path to the server at base and counts the header
// names of the response as they were spelled on the wire.
func rawHeaderNames(t *testing.T, base, path string) map[string]int {
	t.Helper()
	conn, err := net.Dial("tcp", strings.TrimPrefix(base, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if _, err := conn.Write([]byte("GET " + path + " HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")); err != nil {
		t.Fatal(err)
	}
	tp := textproto.NewReader(bufio.NewReader(conn))
	if _, err := tp.ReadLine(); err != nil { // status line
		t.Fatal(err)
	}
	names := map[string]int{}
	for {
		line, err := tp.ReadLine()
		if err != nil {
			t.Fatal(err)
		}
		if line == "" {
			return names
		}
		name, _, _ := strings.Cut(line, ":")
		names[name]++
	}
}
