package dataplane_test

import (
	"strings"
	"testing"

	"github.com/gantryproject/gantry/internal/model"
)

// TestTemplateOverridesAndSelection: response templates chosen by Accept
// (first media type, then application/json), $context.responseOverride
// applied, $context.requestOverride reaching the back end, and templates
// that fail answering 500 as AWS does.
func TestTemplateOverridesAndSelection(t *testing.T) {
	f := newFixture(t)
	be := echoBackend(t)

	override := mockMethod("200", `#set($context.responseOverride.status = 201)#set($context.responseOverride.header.X-Override = "yes")created`, nil)
	override.Integration.Responses["200"] = model.IntegrationResponse{StatusCode: "200", ResponseTemplates: map[string]string{
		"application/json": `#set($context.responseOverride.status = 201)#set($context.responseOverride.header.X-Override = "yes"){"created":true}`,
		"application/xml":  `<created/>`,
		"text/plain":       `created`,
	}}
	failing := mockMethod("200", `$input.json('$[')`, nil) // invalid JSONPath at run time
	bareDollar := mockMethod("200", `{"a":1}$`, nil)       // AWS: a trailing bare $ is a 500

	reqOverride := httpMethod(be.URL + "/pets/{id}")
	reqOverride.Integration.RequestTemplates["application/json"] = `#set($context.requestOverride.header.X-From-Template = "tmpl")#set($context.requestOverride.querystring.extra = "1"){}`
	reqOverride.Integration.Responses["200"] = model.IntegrationResponse{StatusCode: "200"}

	f.deploy(api{id: "tmplapi001", methods: map[string]map[string]model.Method{
		"/override":      {"GET": override},
		"/failing":       {"GET": failing},
		"/bare":          {"GET": bareDollar},
		"/reqov/{petId}": {"POST": reqOverride},
	}})

	for _, tc := range []struct {
		accept, wantBody, wantType string
		wantStatus                 int
	}{
		{"", `{"created":true}`, "application/json", 201},
		{"application/xml", `<created/>`, "application/xml", 200},
		{"text/plain;q=0.9, application/xml", `created`, "text/plain", 200},
		{"image/png", `{"created":true}`, "application/json", 201},
	} {
		r := f.get("tmplapi001", "test", "/override", "Accept", tc.accept)
		if r.status != tc.wantStatus || r.body != tc.wantBody || r.header.Get("Content-Type") != tc.wantType {
			t.Errorf("Accept %q: got %d %s %s, want %d %s %s", tc.accept, r.status, r.header.Get("Content-Type"), r.body, tc.wantStatus, tc.wantType, tc.wantBody)
		}
		if tc.wantStatus == 201 && r.header.Get("X-Override") != "yes" {
			t.Errorf("Accept %q: responseOverride header missing: %v", tc.accept, r.header)
		}
	}
	for _, path := range []string{"/failing", "/bare"} {
		wantError(t, f.get("tmplapi001", "test", path), 500, "InternalServerErrorException", `{"message":"Internal server error"}`)
	}

	r := f.do(mustRequest(t, "POST", f.url("tmplapi001", "test", "/reqov/3"), strings.NewReader(`{}`)))
	e := decodeEcho(t, r)
	if e.Header.Get("X-From-Template") != "tmpl" || !strings.Contains(e.Query, "extra=1") {
		t.Errorf("requestOverride not applied: %+v", e)
	}
}

func TestContextInTemplates(t *testing.T) {
	f := newFixture(t)
	f.deploy(api{id: "ctxapi0001", methods: map[string]map[string]model.Method{"/c/{id}": {"GET": mockMethod("200",
		`[$context.identity.caller][$context.identity.sourceIp][$context.isCanaryRequest][$context.resourcePath][$context.resourceId][$context.httpMethod][#if($context.requestTimeEpoch > 1000)epoch#end]`, nil)}}})
	r := f.get("ctxapi0001", "test", "/c/1")
	if want := "[][127.0.0.1][false][/c/{id}][res_c_id][GET][epoch]"; r.body != want {
		t.Errorf("got %s, want %s", r.body, want)
	}
}
