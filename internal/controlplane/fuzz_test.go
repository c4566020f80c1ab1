package controlplane_test

import (
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/gantryproject/gantry/internal/controlplane"
	"github.com/gantryproject/gantry/internal/store/sqlite"
)

// FuzzControlPlane feeds arbitrary bodies to the operations that decode JSON
// and interpret PATCH documents. No input may cause a panic or a 5xx.
func FuzzControlPlane(f *testing.F) {
	st, err := sqlite.OpenMemory()
	if err != nil {
		f.Fatal(err)
	}
	defer st.Close()
	h := controlplane.New(st, controlplane.Options{})
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("POST", "/restapis", strings.NewReader(`{"name":"fuzz","tags":{"_custom_id_":"fuzzapi"}}`)))
	if rec.Code != 201 {
		f.Fatalf("setup: %d %s", rec.Code, rec.Body)
	}
	targets := []struct{ method, path string }{
		{"POST", "/restapis"},
		{"PATCH", "/restapis/fuzzapi"},
		{"PUT", "/restapis/fuzzapi/gatewayresponses/DEFAULT_4XX"},
		{"PATCH", "/restapis/fuzzapi/gatewayresponses/UNAUTHORIZED"},
		{"PUT", "/tags/arn:aws:apigateway:us-east-1::%2Frestapis%2Ffuzzapi"},
	}
	seeds := []string{
		`{"name":"a","binaryMediaTypes":["image/png"],"endpointConfiguration":{"types":["REGIONAL"]}}`,
		`{"patchOperations":[{"op":"replace","path":"/name","value":"b"},{"op":"add","path":"/binaryMediaTypes/a~1b"}]}`,
		`{"statusCode":"418","responseParameters":{"gatewayresponse.header.x":"'y'"},"responseTemplates":{"application/json":"{}"}}`,
		`{"patchOperations":[{"op":"add","path":"/responseTemplates/application~1xml","value":"<a/>"},{"op":"replace","path":"/statusCode","value":"401"}]}`,
		`{"tags":{"k":"v"}}`,
		`{"patchOperations":[{"op":"remove","path":"/responseParameters/x~0y"}]}`,
	}
	for i, s := range seeds {
		f.Add(uint8(i), []byte(s))
	}
	f.Fuzz(func(t *testing.T, which uint8, body []byte) {
		tg := targets[int(which)%len(targets)]
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest(tg.method, tg.path, strings.NewReader(string(body))))
		if rec.Code >= 500 {
			t.Fatalf("%s %s %q: status %d %s", tg.method, tg.path, body, rec.Code, rec.Body)
		}
	})
}
