package controlplane_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/gantryproject/gantry/internal/controlplane"
	"github.com/gantryproject/gantry/internal/store/sqlite"
)

// FuzzControlPlane feeds arbitrary bodies to the operations that decode JSON
// and interpret PATCH documents. No input may cause a panic or a 5xx.
func FuzzControlPlane(f *testing.F) {
	h := fuzzHandler(f)
	key, plan := fuzzCreate(f, h, "/apikeys", `{"name":"fuzz"}`), fuzzCreate(f, h, "/usageplans", `{"name":"fuzz"}`)
	fuzzCreate(f, h, "/usageplans/"+plan+"/keys", `{"keyId":"`+key+`","keyType":"API_KEY"}`)
	targets := []struct{ method, path string }{
		{"POST", "/restapis"},
		{"PATCH", "/restapis/fuzzapi"},
		{"PUT", "/restapis/fuzzapi/gatewayresponses/DEFAULT_4XX"},
		{"PATCH", "/restapis/fuzzapi/gatewayresponses/UNAUTHORIZED"},
		{"PUT", "/tags/arn:aws:apigateway:us-east-1::%2Frestapis%2Ffuzzapi"},
		{"POST", "/apikeys"},
		{"PATCH", "/apikeys/" + key},
		{"POST", "/apikeys?mode=import&format=csv"},
		{"POST", "/usageplans"},
		{"PATCH", "/usageplans/" + plan},
		{"POST", "/usageplans/" + plan + "/keys"},
		{"PATCH", "/usageplans/" + plan + "/keys/" + key + "/usage"},
		{"PATCH", "/account"},
	}
	seeds := []string{
		`{"name":"a","binaryMediaTypes":["image/png"],"endpointConfiguration":{"types":["REGIONAL"]}}`,
		`{"patchOperations":[{"op":"replace","path":"/name","value":"b"},{"op":"add","path":"/binaryMediaTypes/a~1b"}]}`,
		`{"statusCode":"418","responseParameters":{"gatewayresponse.header.x":"'y'"},"responseTemplates":{"application/json":"{}"}}`,
		`{"patchOperations":[{"op":"add","path":"/responseTemplates/application~1xml","value":"<a/>"},{"op":"replace","path":"/statusCode","value":"401"}]}`,
		`{"tags":{"k":"v"}}`,
		`{"name":"k","enabled":true,"value":"abcdefghij0123456789","stageKeys":[{"restApiId":"fuzzapi","stageName":"dev"}],"tags":{"a":"b"}}`,
		`{"patchOperations":[{"op":"replace","path":"/name","value":"n"},{"op":"add","path":"/stages","value":"fuzzapi/dev"},{"op":"replace","path":"/enabled","value":"true"}]}`,
		"Name,key,description,Enabled,usageplanIds\nk,apikey1234abcdefghij0123456789,d,TRUE,'" + plan + ",x'\n",
		`{"name":"p","apiStages":[{"apiId":"fuzzapi","stage":"dev","throttle":{"/GET":{"burstLimit":1,"rateLimit":1}}}],"throttle":{"burstLimit":2,"rateLimit":2},"quota":{"limit":10,"offset":1,"period":"WEEK"}}`,
		`{"patchOperations":[{"op":"add","path":"/quota/limit","value":"5"},{"op":"replace","path":"/quota/period","value":"DAY"},{"op":"replace","path":"/apiStages/a:b/throttle/~1x/GET/rateLimit","value":"1"}]}`,
		`{"keyId":"` + key + `","keyType":"API_KEY"}`,
		`{"patchOperations":[{"op":"replace","path":"/remaining","value":"100"}]}`,
		`{"patchOperations":[{"op":"replace","path":"/throttle/rateLimit","value":"1e3"},{"op":"add","path":"/features","value":"X"}]}`,
		`{"patchOperations":[{"op":"remove","path":"/responseParameters/x~0y"}]}`,
	}
	for i, s := range seeds {
		f.Add(uint8(i), []byte(s))
	}
	// Resource policies, on CreateRestApi (target 0) and UpdateRestApi (target 1).
	policy := `{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Deny\",\"Principal\":{\"AWS\":[\"123456789012\"]},\"Action\":\"execute-api:Invoke\",\"Resource\":\"execute-api:/*\",\"Condition\":{\"NotIpAddress\":{\"aws:SourceIp\":\"192.0.2.0/24\"}}}]}`
	f.Add(uint8(0), []byte(`{"name":"p","policy":"`+policy+`"}`))
	f.Add(uint8(1), []byte(`{"patchOperations":[{"op":"replace","path":"/policy","value":"`+policy+`"}]}`))
	f.Fuzz(func(t *testing.T, which uint8, body []byte) {
		tg := targets[int(which)%len(targets)]
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest(tg.method, tg.path, strings.NewReader(string(body))))
		if rec.Code >= 500 {
			t.Fatalf("%s %s %q: status %d %s", tg.method, tg.path, body, rec.Code, rec.Body)
		}
	})
}

// fuzzHandler returns a control plane over a fresh in-memory store holding
// one API, "fuzzapi".
func fuzzHandler(f *testing.F) http.Handler {
	st, err := sqlite.OpenMemory()
	if err != nil {
		f.Fatal(err)
	}
	f.Cleanup(func() { st.Close() })
	h := controlplane.New(st, controlplane.Options{})
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("POST", "/restapis", strings.NewReader(`{"name":"fuzz","tags":{"_custom_id_":"fuzzapi"}}`)))
	if rec.Code != 201 {
		f.Fatalf("setup: %d %s", rec.Code, rec.Body)
	}
	return h
}

// fuzzCreate POSTs body to path and returns the id it answers.
func fuzzCreate(f *testing.F, h http.Handler, path, body string) string {
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("POST", path, strings.NewReader(body)))
	var out struct {
		ID string `json:"id"`
	}
	if rec.Code != 201 || json.Unmarshal(rec.Body.Bytes(), &out) != nil {
		f.Fatalf("setup %s: %d %s", path, rec.Code, rec.Body)
	}
	return out.ID
}
