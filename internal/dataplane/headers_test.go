package dataplane_test

import (
	"net/http/httptest"
	"testing"

	"github.com/gantryproject/gantry/internal/model"
)

// TestHeaderSpelling: integration responses and gateway responses alike
// send API Gateway's headers spelled as AWS spells them (x-amzn-RequestId,
// x-amz-apigw-id, x-amzn-ErrorType), not in Go's canonical form.
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
		w := httptest.NewRecorder()
		f.dp.ServeHTTP(w, httptest.NewRequest("GET", "/restapis/spelling01/test/_user_request_"+tc.path, nil))
		for _, k := range tc.want {
			if len(w.Header()[k]) != 1 {
				t.Errorf("%s: no header spelled %q in %v", tc.path, k, w.Header())
			}
		}
	}
}
