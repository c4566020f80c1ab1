package controlplane_test

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/apigateway"

	"github.com/gantryproject/gantry/internal/controlplane"
	"github.com/gantryproject/gantry/internal/store/sqlite"
)

type rawResponse struct {
	status int
	header http.Header
	body   []byte
}

func do(t testing.TB, srv *httptest.Server, method, path string, body []byte) rawResponse {
	t.Helper()
	req, err := http.NewRequest(method, srv.URL+path, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json")
	resp, err := srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return rawResponse{resp.StatusCode, resp.Header, b}
}

// snapshot captures everything the corpus could change.
func snapshot(t testing.TB, srv *httptest.Server, api string) string {
	t.Helper()
	a := do(t, srv, "GET", "/restapis", nil)
	b := do(t, srv, "GET", "/restapis/"+api+"/gatewayresponses", nil)
	c := do(t, srv, "GET", "/tags/arn:aws:apigateway:us-east-1::%2Frestapis%2F"+api, nil)
	return string(a.body) + string(b.body) + string(c.body)
}

// TestBadInputCorpus sends malformed, mistyped, oversized and misrouted
// requests: each gets an AWS-style 4xx (never a 5xx), the store does not
// change, and the server keeps serving.
func TestBadInputCorpus(t *testing.T) {
	c, srv := setup(t)
	api := createAPI(t, c, "victim")
	putGR(t, c, &apigateway.PutGatewayResponseInput{RestApiId: aws.String(api), ResponseType: "DEFAULT_4XX", StatusCode: aws.String("418")})
	gr := "/restapis/" + api + "/gatewayresponses/DEFAULT_4XX"
	huge := append([]byte(`{"name":"`), bytes.Repeat([]byte("a"), 11<<20)...)
	corpus := []struct {
		method, path string
		body         string
	}{
		{"POST", "/restapis", `{`},
		{"POST", "/restapis", `{"name": 5}`},
		{"POST", "/restapis", `[]`},
		{"POST", "/restapis", `"pets"`},
		{"POST", "/restapis", `{"name":"x"} trailing`},
		{"POST", "/restapis", "{\"name\":\"\xff\xfe\"}"},
		{"POST", "/restapis", `{"name":"x","tags":{"a":1}}`},
		{"POST", "/restapis", `{"name":"x","minimumCompressionSize":"big"}`},
		{"POST", "/restapis", `{"name":"x","minimumCompressionSize":1e99}`},
		{"POST", "/restapis", `{"name":"x","endpointConfiguration":{"types":"EDGE"}}`},
		{"POST", "/restapis", `{"name":"x","tags":{"_custom_id_":"../../etc"}}`},
		{"POST", "/restapis", `{"name":"x","cloneFrom":"nope"}`},
		{"POST", "/restapis", `{}`},
		{"POST", "/restapis", `null`},
		{"POST", "/restapis", string(huge)},
		{"PUT", gr, `{"statusCode": 404}`},
		{"PUT", gr, `{"statusCode": "4xx"}`},
		{"PUT", gr, `{"statusCode": ""}`},
		{"PUT", gr, `{"responseParameters": []}`},
		{"PUT", gr, `{"responseParameters": {"gatewayresponse.header.": "'x'"}}`},
		{"PUT", gr, `{"responseParameters": {"gatewayresponse.header.x y": "'x'"}}`},
		{"PUT", gr, `{"responseParameters": {"gatewayresponse.header.x": "context."}}`},
		{"PUT", gr, `{"responseTemplates": {"application/json": 1}}`},
		{"PUT", gr, `{"statusCode":"200",`},
		{"PATCH", gr, `{"patchOperations": {}}`},
		{"PATCH", gr, `{"patchOperations": [1]}`},
		{"PATCH", gr, `{"patchOperations": [{"op": 5}]}`},
		{"PATCH", gr, `{"patchOperations": [{"path": "/statusCode", "value": "400"}]}`},
		{"PATCH", gr, `{"patchOperations": [{"op": "replace", "path": "/statusCode", "value": "abc"}]}`},
		{"PATCH", gr, `{"patchOperations": [{"op": "replace", "path": "/statusCode"}]}`},
		{"PATCH", gr, `{"patchOperations": [{"op": "replace", "path": ""}]}`},
		{"PATCH", gr, `{"patchOperations": [{"op": "replace", "path": "/"}]}`},
		{"PATCH", gr, `{"patchOperations": [{"op": "add", "path": "/responseParameters/"}]}`},
		{"PATCH", gr, `{"patchOperations": [{"op": "add", "path": "/responseParameters/a/b", "value": "'x'"}]}`},
		{"PATCH", gr, `{"patchOperations": [{"op": "copy", "from": "/statusCode", "path": "/responseTemplates/x"}]}`},
		{"PATCH", gr, `{"patchOperations": [{"op": "test", "path": "/statusCode", "value": "418"}]}`},
		{"PATCH", gr, `{"patchOperations": [{"op": "replace", "path": "/statusCode", "value": "400"}, {"op": "bogus"}]}`},
		{"PATCH", "/restapis/" + api, `{"patchOperations": [{"op": "replace", "path": "/name", "value": ""}]}`},
		{"PATCH", "/restapis/" + api, `{"patchOperations": [{"op": "replace", "path": "/disableExecuteApiEndpoint", "value": "maybe"}]}`},
		{"PATCH", "/restapis/" + api, `{"patchOperations": [{"op": "replace", "path": "/endpointConfiguration/types/7", "value": "EDGE"}]}`},
		{"PATCH", "/restapis/" + api, `{"patchOperations": [{"op": "replace", "path": "/apiKeySource", "value": "BODY"}]}`},
		{"PATCH", "/restapis/" + api, `{"patchOperations": [{"op": "replace", "path": "/binaryMediaTypes/none", "value": "a/b"}]}`},
		{"PATCH", "/restapis/" + api, `not json`},
		{"PUT", "/tags/arn:aws:apigateway:us-east-1::%2Frestapis%2F" + api, `{"tags": {"k": 1}}`},
		{"PUT", "/tags/arn:aws:apigateway:us-east-1::%2Frestapis%2F" + api, `{}`},
		{"PUT", "/tags/not-an-arn", `{"tags": {"k": "v"}}`},
		{"PUT", "/tags/arn:aws:apigateway:eu-west-1::%2Frestapis%2F" + api, `{"tags": {"k": "v"}}`},
		{"DELETE", "/tags/arn:aws:apigateway:us-east-1::%2Frestapis%2F" + api, ``},
		{"GET", "/restapis?limit=abc", ``},
		{"GET", "/restapis?limit=0", ``},
		{"GET", "/restapis?position=zzzzzzzzzzzzzzzzzzzzzz", ``},
		{"GET", "/restapis?limit=%zz", ``},
		{"GET", "/nope", ``},
		{"DELETE", "/restapis", ``},
		{"GET", "/restapis/" + api + "/gatewayresponses/DEFAULT_4XX/extra", ``},
		{"GET", "/restapis//gatewayresponses", ``},
		{"BREW", "/restapis", ``},
		{"GET", "/restapis/" + api + "/gatewayresponses/default_4xx", ``},
		{"DELETE", "/restapis/nope", ``},
	}
	before := snapshot(t, srv, api)
	for _, tc := range corpus {
		name := tc.method + " " + tc.path + " " + tc.body
		if len(name) > 120 {
			name = name[:120]
		}
		r := do(t, srv, tc.method, tc.path, []byte(tc.body))
		if r.status < 400 || r.status >= 500 {
			t.Errorf("%s: status %d, want 4xx (body %s)", name, r.status, r.body)
		}
		if r.header.Get("x-amzn-RequestId") == "" || r.header.Get("x-amzn-ErrorType") == "" {
			t.Errorf("%s: missing x-amzn-RequestId or x-amzn-ErrorType", name)
		}
		var msg struct{ Message *string }
		if err := json.Unmarshal(r.body, &msg); err != nil || msg.Message == nil || *msg.Message == "" {
			t.Errorf("%s: body %q is not {\"message\": ...}", name, r.body)
		}
	}
	if after := snapshot(t, srv, api); after != before {
		t.Errorf("the corpus changed the store:\nbefore %s\nafter  %s", before, after)
	}
	if r := do(t, srv, "GET", "/restapis/"+api, nil); r.status != 200 {
		t.Errorf("server stopped serving: %d", r.status)
	}
}

func TestEveryResponseHasRequestID(t *testing.T) {
	c, srv := setup(t)
	api := createAPI(t, c, "ids")
	seen := map[string]bool{}
	for _, p := range []string{"/restapis", "/restapis/" + api, "/restapis/nope", "/nope", "/restapis/" + api + "/stages"} {
		r := do(t, srv, "GET", p, nil)
		id := r.header.Get("x-amzn-RequestId")
		if len(id) != 36 || seen[id] {
			t.Errorf("GET %s: request id %q", p, id)
		}
		seen[id] = true
	}
}

func TestUnimplementedOperationsAreNamed(t *testing.T) {
	c, srv := setup(t)
	api := createAPI(t, c, "x")
	r := do(t, srv, "GET", "/restapis/"+api+"/documentation/parts", nil)
	if r.status != 501 || r.header.Get("x-amzn-ErrorType") != "NotImplementedException" ||
		!strings.Contains(string(r.body), "GetDocumentationParts") {
		t.Errorf("got %d %s %s", r.status, r.header.Get("x-amzn-ErrorType"), r.body)
	}
	// The query selects ImportRestApi over CreateRestApi.
	r = do(t, srv, "POST", "/restapis?mode=import", []byte(`{}`))
	if !strings.Contains(string(r.body), "Errors found during import") {
		t.Errorf("POST /restapis?mode=import: %s", r.body)
	}
	r = do(t, srv, "GET", "/nope", nil)
	if r.status != 404 || r.header.Get("x-amzn-ErrorType") != "UnknownOperationException" {
		t.Errorf("unknown route: %d %s", r.status, r.header.Get("x-amzn-ErrorType"))
	}
}

// TestEveryOperationIsRouted sends each operation of the service model to
// its path and checks that it reaches its own handler (or the named
// not-implemented answer), never the unknown-operation answer.
func TestEveryOperationIsRouted(t *testing.T) {
	st, err := sqlite.OpenMemory()
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	h := controlplane.New(st, controlplane.Options{})
	for _, op := range controlplane.OperationList() {
		path := op.Path
		for strings.Contains(path, "{") {
			i, j := strings.Index(path, "{"), strings.Index(path, "}")
			path = path[:i] + "x" + path[j+1:]
		}
		if op.Query != "" {
			path += "?" + op.Query
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest(op.Method, path, strings.NewReader("{}")))
		if rec.Header().Get("x-amzn-ErrorType") == "UnknownOperationException" {
			t.Errorf("%s (%s %s) is not routed", op.Name, op.Method, path)
		}
		if rec.Code == 501 && !strings.Contains(rec.Body.String(), " "+op.Name+" ") {
			t.Errorf("%s routed to the wrong operation: %s", op.Name, rec.Body)
		}
		if rec.Code == 501 == h.Implemented(op.Name) {
			t.Errorf("%s: status %d but Implemented=%v", op.Name, rec.Code, h.Implemented(op.Name))
		}
	}
}

// TestHeaderSpelling: the control plane sends x-amzn-RequestId and
// x-amzn-ErrorType spelled as AWS spells them, not in Go's canonical form.
func TestHeaderSpelling(t *testing.T) {
	st, err := sqlite.OpenMemory()
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	w := httptest.NewRecorder()
	controlplane.New(st, controlplane.Options{}).ServeHTTP(w, httptest.NewRequest("GET", "/restapis/nope", nil))
	for _, k := range []string{"x-amzn-RequestId", "x-amzn-ErrorType"} {
		if len(w.Header()[k]) != 1 {
			t.Errorf("no header spelled %q in %v", k, w.Header())
		}
	}
}
