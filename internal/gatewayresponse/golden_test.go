package gatewayresponse

import (
	"bytes"
	"flag"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/gantryproject/gantry/internal/model"
)

var update = flag.Bool("update", false, "rewrite golden files in testdata/")

// Fixed request ids: golden files mask nothing.
const (
	testRequestID  = "c0ffee00-1111-4222-8333-444455556666"
	testExtendedID = "N7SnfFYZjoEEolg="
)

// testContext is the $context of testRequest.
var testContext = map[string]string{
	"requestId":         testRequestID,
	"extendedRequestId": testExtendedID,
	"stage":             "custErr",
	"resourcePath":      "/pets/{petId}",
	"httpMethod":        "PATCH",
	"path":              "/custErr/pets/5",
	"apiId":             "a1b2c3d4e5",
	"identity.sourceIp": "192.0.2.7",
}

// testRequest is a PATCH /pets/5?q=1 on stage custErr with an Origin header.
func testRequest() *Request {
	return &Request{
		Accept: "application/json",
		Header: func() http.Header {
			return http.Header{"Origin": {"https://example.com"}, "Accept": {"application/json"}}
		},
		Query:          url.Values{"q": {"1"}},
		PathParams:     map[string]string{"petId": "5"},
		StageVariables: map[string]string{"a": "a"},
		Context: func(name string) (string, bool) {
			v, ok := testContext[name]
			return v, ok
		},
	}
}

// dump renders a recorded response readably: status line, headers sorted
// case-insensitively (one line per value), a blank line, the body.
func dump(rec *httptest.ResponseRecorder) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s\n", strings.TrimSpace(fmt.Sprintf("HTTP/1.1 %d %s", rec.Code, http.StatusText(rec.Code))))
	h := rec.Result().Header
	keys := make([]string, 0, len(h))
	for k := range h {
		keys = append(keys, k)
	}
	slices.SortFunc(keys, func(a, b string) int { return strings.Compare(strings.ToLower(a), strings.ToLower(b)) })
	for _, k := range keys {
		for _, v := range h[k] {
			fmt.Fprintf(&b, "%s: %s\n", k, v)
		}
	}
	b.WriteString("\n")
	b.Write(rec.Body.Bytes())
	b.WriteString("\n")
	return b.String()
}

// goldenTemplate uses several $context variables and a stage variable.
const goldenTemplate = `{"type":"$context.error.responseType","message":$context.error.messageString,"raw":"$context.error.message",` +
	`"stage":"$context.stage","resourcePath":"$context.resourcePath","requestId":"${context.requestId}",` +
	`"sourceIp":"$context.identity.sourceIp","a":"$stageVariables.a","validation":"$context.error.validationErrorString"}`

// goldenCustomization is the customization of type t in the "customized"
// state: its own statusCode, a literal header, a header from
// method.request.header, and goldenTemplate.
func goldenCustomization(t Type) model.GatewayResponse {
	status := "418"
	if t == Default5XX || t.Family() == Default5XX {
		status = "599"
	}
	return model.GatewayResponse{
		Type:       string(t),
		StatusCode: status,
		ResponseParameters: map[string]string{
			"gatewayresponse.header.Access-Control-Allow-Origin": "'*'",
			"gatewayresponse.header.x-origin":                    "method.request.header.Origin",
		},
		ResponseTemplates: map[string]string{"application/json": goldenTemplate},
	}
}

// familyCustomization is the DEFAULT_4XX or DEFAULT_5XX customization of the
// "fallback" state.
func familyCustomization(f Type) model.GatewayResponse {
	status := "444"
	if f == Default5XX {
		status = "555"
	}
	return model.GatewayResponse{
		Type:       string(f),
		StatusCode: status,
		ResponseParameters: map[string]string{
			"gatewayresponse.header.x-family":                    "'" + string(f) + "'",
			"gatewayresponse.header.Access-Control-Allow-Origin": "method.request.header.origin",
		},
		ResponseTemplates: map[string]string{
			"application/json": `{"family":"` + string(f) + `","type":"$context.error.responseType","message":$context.error.messageString}`,
		},
	}
}

// goldenError is the error rendered for type t in every state.
func goldenError(t Type) *Error {
	switch t {
	case BadRequestParameters:
		return MissingParameters("q1", "x-header-param")
	case BadRequestBody:
		e := NewError(t)
		e.ValidationErrorString = `[object has missing required properties (["body","subject","to"])]`
		return e
	}
	return NewError(t)
}

func render(t *testing.T, custom map[string]model.GatewayResponse, e *Error, req *Request) *httptest.ResponseRecorder {
	t.Helper()
	rs, err := Compile(custom)
	if err != nil {
		t.Fatal(err)
	}
	rec := httptest.NewRecorder()
	rs.Write(rec, e, req)
	return rec
}

// TestGolden renders every type in three states: built-in, customized, and
// governed by its DEFAULT_4XX/DEFAULT_5XX family.
func TestGolden(t *testing.T) {
	for _, ty := range ModelOrder {
		t.Run(string(ty), func(t *testing.T) {
			var b strings.Builder
			b.WriteString("=== built-in ===\n")
			b.WriteString(dump(render(t, nil, goldenError(ty), testRequest())))

			b.WriteString("\n=== customized ===\n")
			b.WriteString(dump(render(t, map[string]model.GatewayResponse{string(ty): goldenCustomization(ty)}, goldenError(ty), testRequest())))

			if f := ty.Family(); f != "" {
				fmt.Fprintf(&b, "\n=== fallback (%s customized, %s not) ===\n", f, ty)
				b.WriteString(dump(render(t, map[string]model.GatewayResponse{string(f): familyCustomization(f)}, goldenError(ty), testRequest())))
			} else {
				// DEFAULT_4XX and DEFAULT_5XX have no family: their fallback
				// state is the customized state above.
				fmt.Fprintf(&b, "\n=== fallback: none (%s has no family; see customized) ===\n", ty)
			}
			compareGolden(t, filepath.Join("testdata", string(ty)+".golden"), b.String())
		})
	}
}

func compareGolden(t *testing.T, path, got string) {
	t.Helper()
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if !bytes.Equal(want, []byte(got)) {
		t.Errorf("%s differs (run go test -update after checking):\n--- got\n%s\n--- want\n%s", path, got, want)
	}
}
