package gatewayresponse

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/gantryproject/gantry/internal/model"
)

// FuzzRender compiles and renders arbitrary templates, parameters, status
// codes, Accept headers and messages: nothing may panic, Content-Length must
// match the body, text without "$" must render as itself, and
// $context.error.messageString must be what encoding/json produces.
func FuzzRender(f *testing.F) {
	f.Add(`{"message":$context.error.messageString}`, "'*'", "application/json", "Missing Authentication Token", "404", "x-a")
	f.Add(`$context.stage. ${context.requestId} ${stageVariables.a} #if($x)$util.y#end`, "method.request.header.Origin", "text/html;q=1, */*", "a\"b\n\\", "", "Content-Type")
	f.Add(`${context.stage.}$$context$context.$stageVariables.a.b`, "context.error.messageString", "", "\xff\u2028", "599", "x-amzn-ErrorType")
	f.Add(`$context.error.validationErrorString$context.error.responseType`, "method.request.multivaluequerystring.q", "APPLICATION/JSON", "", "100", "WWW-Authenticate")
	f.Fuzz(func(t *testing.T, tmpl, param, accept, msg, status, name string) {
		gr := model.GatewayResponse{
			StatusCode:         status,
			ResponseParameters: map[string]string{"gatewayresponse.header." + name: param, "gatewayresponse.header.x-fixed": param},
			ResponseTemplates:  map[string]string{"application/json": tmpl, accept: tmpl + tmpl},
		}
		custom := map[string]model.GatewayResponse{"UNAUTHORIZED": gr, "DEFAULT_5XX": gr, status: gr}
		rs, err := Compile(custom)
		if err != nil {
			// Retry with what the control plane would have accepted.
			delete(custom, status)
			gr.StatusCode = ""
			gr.ResponseParameters = nil
			custom["UNAUTHORIZED"], custom["DEFAULT_5XX"] = gr, gr
			if rs, err = Compile(custom); err != nil {
				t.Fatalf("Compile of templates only: %v", err)
			}
		}
		req := testRequest()
		req.Accept = accept
		h := req.Header()
		h.Set("X-Fuzz", msg)
		req.Header = func() http.Header { return h }
		req.StageVariables[name] = msg
		for _, e := range []*Error{
			NewError(Unauthorized).WithMessage(msg),
			NewError(IntegrationFailure).WithStatus(len(msg)),
			{Type: Type(name), Status: len(tmpl), ValidationErrorString: msg},
			NewError(AccessDenied).WithMessage(msg),
			NewError(RequestTooLarge),
		} {
			rec := httptest.NewRecorder()
			rs.Write(rec, e, req)
			if got := rec.Header()["Content-Length"]; len(got) != 1 || got[0] != strconv.Itoa(rec.Body.Len()) {
				t.Fatalf("Content-Length %q for a %d-byte body", got, rec.Body.Len())
			}
			if rec.Code < 200 || rec.Code > 599 {
				t.Fatalf("status %d", rec.Code)
			}
			if rs.Status(e) != rec.Code {
				t.Fatalf("Status %d, Write %d", rs.Status(e), rec.Code)
			}
			for k, v := range rec.Header() {
				if len(v) != 1 || v[0] == "" {
					t.Fatalf("header %s = %q", k, v)
				}
			}
		}

		// Literal text renders as itself.
		if !strings.Contains(tmpl, "$") {
			rs, err := Compile(map[string]model.GatewayResponse{"THROTTLED": {ResponseTemplates: map[string]string{"text/plain": tmpl}}})
			if err != nil {
				t.Fatal(err)
			}
			rec := httptest.NewRecorder()
			rs.Write(rec, NewError(Throttled), nil)
			if rec.Body.String() != tmpl {
				t.Fatalf("literal template %q rendered as %q", tmpl, rec.Body.String())
			}
		}

		// messageString is encoding/json's encoding, and decodes back.
		var buf bytes.Buffer
		enc := json.NewEncoder(&buf)
		enc.SetEscapeHTML(false)
		if err := enc.Encode(msg); err != nil {
			t.Fatal(err)
		}
		got := NewError(Throttled).WithMessage(msg).MessageString()
		if want := strings.TrimSuffix(buf.String(), "\n"); got != want {
			t.Fatalf("messageString %s, encoding/json %s", got, want)
		}
		var back string
		if err := json.Unmarshal([]byte(got), &back); err != nil || (utf8.ValidString(msg) && back != msg) {
			t.Fatalf("messageString %s decodes to %q, %v", got, back, err)
		}
	})
}

// benchWriter is a ResponseWriter that discards the body and reuses its
// header map, so that benchmarks count the renderer's allocations only.
type benchWriter struct{ h http.Header }

func (w *benchWriter) Header() http.Header         { return w.h }
func (w *benchWriter) Write(p []byte) (int, error) { return len(p), nil }
func (w *benchWriter) WriteHeader(int)             {}

func BenchmarkWriteBuiltin(b *testing.B) {
	w := &benchWriter{h: make(http.Header, 8)}
	req := testRequest()
	var rs *Responses
	b.ReportAllocs()
	for b.Loop() {
		clear(w.h)
		rs.Write(w, NewError(MissingAuthenticationToken), req)
	}
}

func BenchmarkWriteCustomized(b *testing.B) {
	rs, err := Compile(map[string]model.GatewayResponse{"DEFAULT_4XX": {
		StatusCode: "404",
		ResponseParameters: map[string]string{
			"gatewayresponse.header.Access-Control-Allow-Origin":  "method.request.header.Origin",
			"gatewayresponse.header.Access-Control-Allow-Headers": "'Content-Type,Authorization'",
			"gatewayresponse.header.x-stage":                      "context.stage",
		},
		ResponseTemplates: map[string]string{"application/json": goldenTemplate},
	}})
	if err != nil {
		b.Fatal(err)
	}
	w := &benchWriter{h: make(http.Header, 16)}
	req := testRequest()
	b.ReportAllocs()
	for b.Loop() {
		clear(w.h)
		rs.Write(w, NewError(MissingAuthenticationToken), req)
	}
}
