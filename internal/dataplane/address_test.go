package dataplane

import (
	"testing"
)

// TestParseAddressForms covers the edges of the three address forms: the
// stage and path are sliced from the escaped path, never rebuilt.
func TestParseAddressForms(t *testing.T) {
	const dom = "a1.execute-api.localhost"
	for _, tc := range []struct {
		host, path string
		want       address
		ok         bool
	}{
		{"a1.execute-api.localhost:4566", "/dev/pets/1", address{"a1", "dev", "/pets/1", dom}, true},
		{"A1.Execute-Api.localhost", "/dev", address{"a1", "dev", "/", dom}, true},
		{"a1.execute-api.localhost", "/dev/", address{"a1", "dev", "/", dom}, true},
		{"a1.execute-api.localhost", "/", address{"a1", "", "/", dom}, true},
		{"a1.execute-api.localhost", "//x", address{"a1", "", "/x", dom}, true},
		{"a1.execute-api.localhost.localstack.cloud", "/dev/x", address{"a1", "dev", "/x", "a1.execute-api.localhost.localstack.cloud"}, true},
		{"a.b.execute-api.localhost", "/dev/x", address{}, false},
		{"[::1]", "/dev/x", address{}, false},
		{"localhost", "/restapis/a1/dev/_user_request_/pets/1/", address{"a1", "dev", "/pets/1/", dom}, true},
		{"localhost:4566", "/restapis/a1/dev/_user_request_", address{"a1", "dev", "/", dom}, true},
		{"localhost", "/restapis/a1/dev/_user_request_/", address{"a1", "dev", "/", dom}, true},
		{"localhost", "/restapis/a1//_user_request_//x", address{"a1", "", "//x", dom}, true},
		{"localhost", "/restapis/a1/stages/dev", address{}, false},
		{"localhost", "/restapis/a1/dev", address{}, false},
		{"localhost", "/restapis//dev/_user_request_/x", address{}, false},
		{"localhost", "/_aws/execute-api/a1/dev/pets%2F1", address{"a1", "dev", "/pets%2F1", dom}, true},
		{"localhost", "/_aws/execute-api/a1", address{"a1", "", "/", dom}, true},
		{"localhost", "/_aws/execute-api/a1/", address{"a1", "", "/", dom}, true},
		{"localhost", "/_aws/execute-api/a1//dev", address{"a1", "", "/dev", dom}, true},
		{"localhost", "/_aws/execute-api//dev", address{}, false},
		{"localhost", "/pets", address{}, false},
	} {
		got, ok := parseAddress(tc.host, tc.path)
		if got != tc.want || ok != tc.ok {
			t.Errorf("host %q path %q: got %+v %v, want %+v %v", tc.host, tc.path, got, ok, tc.want, tc.ok)
		}
	}
}
