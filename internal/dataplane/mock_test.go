package dataplane

import (
	"encoding/json"
	"strconv"
	"testing"
)

// decodedStatusCode is how mock reads a statusCode with the JSON decoder.
func decodedStatusCode(b []byte) (int, bool) {
	var spec struct {
		StatusCode json.Number `json:"statusCode"`
	}
	if err := json.Unmarshal(b, &spec); err != nil || spec.StatusCode == "" {
		return 0, false
	}
	n, err := strconv.Atoi(spec.StatusCode.String())
	return n, err == nil
}

var statusCodeSeeds = []string{
	`{"statusCode": 200}`, `{"statusCode":404}`, " \n{ \"statusCode\"\t:\r 0 }\n", `{"statusCode": 007}`,
	`{"statusCode": -1}`, `{"statusCode": 2.5}`, `{"statusCode": "200"}`, `{"StatusCode": 200}`,
	`{"statusCode": 200, "x": 1}`, `{"statusCode": 200}x`, `{"statusCode": 1234567890}`, `{"statusCode": }`,
	`{"statusCode" 200}`, `{}`, ``, `[200]`, `{"statusCode": 200`,
}

// TestSimpleStatusCode checks the decoder-free reading of MOCK request
// template output: whatever it accepts, the JSON decoder reads the same.
func TestSimpleStatusCode(t *testing.T) {
	for _, s := range statusCodeSeeds {
		checkStatusCode(t, []byte(s))
	}
	for _, s := range []string{`{"statusCode": 200}`, " {\"statusCode\" : 0 } "} {
		if _, ok := simpleStatusCode([]byte(s)); !ok {
			t.Errorf("%q: not read without the decoder", s)
		}
	}
}

func checkStatusCode(t *testing.T, b []byte) {
	t.Helper()
	got, ok := simpleStatusCode(b)
	if !ok {
		return
	}
	if want, wantOK := decodedStatusCode(b); !wantOK || got != want {
		t.Errorf("%q: simpleStatusCode = %d, the decoder gives %d, %v", b, got, want, wantOK)
	}
}

func FuzzSimpleStatusCode(f *testing.F) {
	for _, s := range statusCodeSeeds {
		f.Add([]byte(s))
	}
	f.Fuzz(checkStatusCode)
}
