package dataplane_test

import (
	"io"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/gantryproject/gantry/internal/model"
)

// countingBackend is a real back end on loopback that counts its calls and
// echoes the body it received.
func countingBackend(t *testing.T) (url string, calls *atomic.Int64) {
	calls = new(atomic.Int64)
	url = httptestServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		b, _ := io.ReadAll(r.Body)
		w.Write(append([]byte("backend:"), b...))
	}))
	return url, calls
}

const petSchema = `{"type":"object","required":["name","price"],"properties":{
	"name":{"type":"string","minLength":1},"price":{"type":"number","minimum":0},
	"owner":{"$ref":"https://apigateway.amazonaws.com/restapis/val/models/Owner"}}}`

func validationAPI(backend string) api {
	method := func(validator string, models map[string]string, params map[string]bool) model.Method {
		m := proxyMethod(backend+"/pets", 0)
		m.RequestValidatorID = validator
		m.RequestModels = models
		m.RequestParameters = params
		return m
	}
	required := map[string]bool{
		"method.request.querystring.q1":    true,
		"method.request.header.x-h":        true,
		"method.request.querystring.extra": false,
		"method.request.path.id":           true,
	}
	return api{
		id: "val",
		models: []model.Model{
			{ID: "m1", Name: "Pet", ContentType: "application/json", Schema: petSchema},
			{ID: "m2", Name: "Owner", ContentType: "application/json", Schema: `{"type":"object","required":["email"]}`},
			{ID: "m3", Name: "Text", ContentType: "text/plain", Schema: `{"type":"string"}`},
		},
		validators: []model.RequestValidator{
			{ID: "all", Name: "all", ValidateRequestBody: true, ValidateRequestParameters: true},
			{ID: "body", Name: "body", ValidateRequestBody: true},
			{ID: "params", Name: "params", ValidateRequestParameters: true},
			{ID: "none", Name: "none"},
		},
		methods: map[string]map[string]model.Method{
			"/all/{id}":    {"POST": method("all", map[string]string{"application/json": "Pet"}, required)},
			"/body":        {"POST": method("body", map[string]string{"application/json": "Pet"}, required)},
			"/params/{id}": {"POST": method("params", map[string]string{"application/json": "Pet"}, required)},
			"/none":        {"POST": method("none", map[string]string{"application/json": "Pet"}, required)},
			"/default":     {"POST": method("body", map[string]string{"$default": "Pet"}, nil)},
			"/typed":       {"POST": method("body", map[string]string{"application/json": "Pet", "text/plain": "Text"}, nil)},
			"/unchecked":   {"POST": method("", map[string]string{"application/json": "Pet"}, required)},
		},
	}
}

func TestRequestValidation(t *testing.T) {
	f := newFixture(t)
	backend, calls := countingBackend(t)
	f.deploy(validationAPI(backend))
	const (
		badBody   = `{"message":"Invalid request body"}`
		goodPet   = `{"name":"Rex","price":3}`
		badParams = `{"message":"Missing required request parameters: [x-h, q1]"}`
	)
	for _, tc := range []struct {
		name, path, contentType, body string
		header                        map[string]string
		status                        int // 0: passed to the back end
		errorType, want               string
	}{
		{name: "all valid", path: "/all/7?q1=a", header: map[string]string{"x-h": "v"}, body: goodPet},
		{name: "missing params in AWS's order", path: "/all/7", body: goodPet, status: 400, errorType: "BadRequestException", want: badParams},
		{name: "blank values are missing", path: "/all/7?q1=%20", header: map[string]string{"x-h": " "}, body: goodPet, status: 400, errorType: "BadRequestException", want: badParams},
		{name: "one missing", path: "/all/7?q1=a", body: goodPet, status: 400, errorType: "BadRequestException", want: `{"message":"Missing required request parameters: [x-h]"}`},
		{name: "parameters before body", path: "/all/7", body: `{}`, status: 400, errorType: "BadRequestException", want: badParams},
		{name: "invalid body", path: "/all/7?q1=a", header: map[string]string{"x-h": "v"}, body: `{"name":""}`, status: 400, errorType: "BadRequestException", want: badBody},
		{name: "referenced model", path: "/body", body: `{"name":"Rex","price":3,"owner":{}}`, status: 400, errorType: "BadRequestException", want: badBody},
		{name: "not json", path: "/body", body: `{"name":`, status: 400, errorType: "BadRequestException", want: badBody},
		{name: "empty body is {}", path: "/body", body: ``, status: 400, errorType: "BadRequestException", want: badBody},
		{name: "body validator ignores params", path: "/body", body: goodPet},
		{name: "params validator ignores body", path: "/params/7?q1=a", header: map[string]string{"x-h": "v"}, body: `[]`},
		{name: "path parameter missing from the route", path: "/body", body: goodPet},
		{name: "validator checking nothing", path: "/none", body: `[]`},
		{name: "no validator", path: "/unchecked", body: `[]`},
		{name: "no model for the content type", path: "/body", contentType: "text/plain", body: `[]`},
		{name: "content type parameters ignored", path: "/body", contentType: "Application/JSON; charset=utf-8", body: `[]`, status: 400, errorType: "BadRequestException", want: badBody},
		{name: "$default model", path: "/default", contentType: "text/csv", body: `[]`, status: 400, errorType: "BadRequestException", want: badBody},
		{name: "model by content type", path: "/typed", contentType: "text/plain", body: `"a string"`},
		{name: "model by content type, invalid", path: "/typed", contentType: "text/plain", body: `{}`, status: 400, errorType: "BadRequestException", want: badBody},
	} {
		t.Run(tc.name, func(t *testing.T) {
			req, err := http.NewRequest(http.MethodPost, f.url("val", "test", tc.path), strings.NewReader(tc.body))
			if err != nil {
				t.Fatal(err)
			}
			ct := tc.contentType
			if ct == "" {
				ct = "application/json"
			}
			req.Header.Set("Content-Type", ct)
			for k, v := range tc.header {
				req.Header.Set(k, v)
			}
			before := calls.Load()
			r := f.do(req)
			if tc.status == 0 {
				if r.status != 200 || r.body != "backend:"+tc.body || calls.Load() != before+1 {
					t.Errorf("got %d %s (back end calls %d), want the back end's answer", r.status, r.body, calls.Load()-before)
				}
				return
			}
			wantError(t, r, tc.status, tc.errorType, tc.want)
			if n := calls.Load() - before; n != 0 {
				t.Errorf("the back end was called %d times for an invalid request", n)
			}
		})
	}
}

// The validation detail reaches customized gateway responses through
// $context.error.validationErrorString; API-key checks come first.
func TestRequestValidationGatewayResponses(t *testing.T) {
	f := newFixture(t)
	backend, calls := countingBackend(t)
	a := validationAPI(backend)
	keyed := a.methods["/body"]["POST"]
	keyed.APIKeyRequired = true
	a.methods["/keyed"] = map[string]model.Method{"POST": keyed}
	a.gatewayResponses = map[string]model.GatewayResponse{
		"BAD_REQUEST_BODY": {Type: "BAD_REQUEST_BODY", StatusCode: "422",
			ResponseParameters: map[string]string{"gatewayresponse.header.x-detail": "'validation'"},
			ResponseTemplates:  map[string]string{"application/json": `{"error":"$context.error.message","detail":$context.error.validationErrorString,"type":"$context.error.responseType"}`}},
		"BAD_REQUEST_PARAMETERS": {Type: "BAD_REQUEST_PARAMETERS",
			ResponseTemplates: map[string]string{"application/json": `{"missing":$context.error.messageString}`}},
	}
	f.deploy(a)
	post := func(path, body string, header ...string) response {
		req, _ := http.NewRequest(http.MethodPost, f.url("val", "test", path), strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		for i := 0; i+1 < len(header); i += 2 {
			req.Header.Set(header[i], header[i+1])
		}
		return f.do(req)
	}
	r := post("/body", `{"price":"free"}`)
	// The validator stops at the first level with an error: the price's
	// type is not reported while the object misses a property.
	want := `{"error":"Invalid request body","detail":[object has missing required properties (["name"])],"type":"BAD_REQUEST_BODY"}`
	if r.status != 422 || r.header.Get("x-detail") != "validation" || r.body != want {
		t.Errorf("customized BAD_REQUEST_BODY: %d %v\n got %s\nwant %s", r.status, r.header, r.body, want)
	}
	r = post("/body", `{"name":"Rex","price":"free","owner":{}}`)
	// Members are checked in name order: owner before price.
	want = `{"error":"Invalid request body","detail":[object has missing required properties (["email"]), instance type (string) does not match any allowed primitive type (allowed: ["number"])],"type":"BAD_REQUEST_BODY"}`
	if r.status != 422 || r.body != want {
		t.Errorf("second level: %d\n got %s\nwant %s", r.status, r.body, want)
	}
	r = post("/all/1", goodPetBody)
	wantError(t, r, 400, "BadRequestException", `{"missing":"Missing required request parameters: [x-h, q1]"}`)
	r = post("/keyed", `[]`)
	wantError(t, r, 403, "ForbiddenException", `{"message":"Forbidden"}`)
	if calls.Load() != 0 {
		t.Errorf("the back end was called %d times", calls.Load())
	}
}

const goodPetBody = `{"name":"Rex","price":3}`
