package sigv4_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/gantryproject/gantry/internal/sigv4"
	"github.com/gantryproject/gantry/internal/sigv4/sigv4test"
)

// TestBotocoreSigned checks that what botocore (the AWS CLI's and boto3's
// signer) signs verifies, in both forms, on the real clock.
func TestBotocoreSigned(t *testing.T) {
	keys, err := sigv4.NewCredentials(alice, sigv4.Identity{AccessKeyID: "ASIALIVE", SecretAccessKey: "live", SessionToken: "live-token"})
	if err != nil {
		t.Fatal(err)
	}
	ver := &sigv4.Verifier{Keys: keys, Service: "execute-api"}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		if _, err := ver.Verify(r, body, "us-east-1"); err != nil {
			w.WriteHeader(http.StatusForbidden)
			io.WriteString(w, err.(*sigv4.Error).Message)
		}
	}))
	defer srv.Close()
	key, secret := alice.AccessKeyID, alice.SecretAccessKey
	cases := []sigv4test.Case{
		{Name: "get", Method: "GET", Path: "/restapis/abc/dev/_user_request_/pets"},
		{Name: "query", Method: "GET", Path: "/dev/pets?q=a%20b&name=%C3%A9t%C3%A9&tag=2&tag=1&empty=&star=%2A"},
		{Name: "plus in query", Method: "GET", Path: "/dev/pets?q=a+b"},
		{Name: "special path", Method: "GET", Path: "/dev/pets/a%20b/%C3%A9/x%2Fy/%24%26%2B%2C%3A%3B%3D%40"},
		{Name: "dot segments", Method: "GET", Path: "/dev/./pets//1"},
		{Name: "post", Method: "POST", Path: "/dev/pets", Body: `{"name":"rex"}`, Headers: map[string]string{"Content-Type": "application/json", "X-Custom": "  a   b "}},
		{Name: "session token", Method: "PUT", Path: "/dev/pets/1", Body: "x", Key: "ASIALIVE", Secret: "live", Token: "live-token"},
		{Name: "presigned", Method: "GET", Path: "/dev/pets?q=a%20b&name=%C3%A9", Presign: true},
		{Name: "presigned special path", Method: "GET", Path: "/dev/pets/a%20b/%C3%A9", Presign: true},
		{Name: "presigned session token", Method: "GET", Path: "/dev/pets", Presign: true, Key: "ASIALIVE", Secret: "live", Token: "live-token"},
		{Name: "wrong secret", Method: "GET", Path: "/dev/pets", Secret: "wrong"},
	}
	for i := range cases {
		if cases[i].Key == "" {
			cases[i].Key = key
		}
		if cases[i].Secret == "" {
			cases[i].Secret = secret
		}
	}
	got := sigv4test.Botocore(t, srv.URL, cases)
	for _, c := range cases {
		want := http.StatusOK
		if c.Name == "wrong secret" {
			want = http.StatusForbidden
		}
		if r := got[c.Name]; r.Status != want {
			t.Errorf("%s: got %d %q, want %d", c.Name, r.Status, r.Body, want)
		}
	}
}
