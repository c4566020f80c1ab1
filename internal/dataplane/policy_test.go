package dataplane_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/gantryproject/gantry/internal/model"
)

// TestResourcePolicy deploys APIs with resource policies and calls them
// from 127.0.0.1 without authorization: only an explicit Allow admits.
func TestResourcePolicy(t *testing.T) {
	f := newFixture(t)
	ok := mockMethod("200", `{"ok":true}`, nil)
	methods := map[string]map[string]model.Method{
		"/pets/{id}":    {"GET": ok, "DELETE": ok},
		"/files/{key+}": {"ANY": ok},
	}
	const allow = `{"Effect":"Allow","Principal":"*","Action":"execute-api:Invoke","Resource":"execute-api:/*"}`
	stmts := func(s ...string) string { return `{"Version":"2012-10-17","Statement":[` + strings.Join(s, ",") + `]}` }
	denyMsg := func(method, path, suffix string) string {
		return `{"Message":"User: anonymous is not authorized to perform: execute-api:Invoke on resource: arn:aws:execute-api:us-east-1:********0000:pol/test/` +
			method + path + suffix + `"}`
	}
	cases := []struct {
		name, policy, method, path string
		header                     []string
		status                     int
		body                       string
	}{
		{"allow all", stmts(allow), "GET", "/pets/5", nil, 200, `{"ok":true}`},
		{"abbreviated resource of one method", stmts(`{"Effect":"Allow","Principal":"*","Action":"execute-api:Invoke","Resource":"execute-api:/test/GET/pets/*"}`),
			"DELETE", "/pets/5", nil, 403, denyMsg("DELETE", "/pets/5", "")},
		{"full ARN", stmts(`{"Effect":"Allow","Principal":"*","Action":"execute-api:Invoke","Resource":"arn:aws:execute-api:us-east-1:000000000000:pol/test/GET/pets/5"}`),
			"GET", "/pets/5", nil, 200, `{"ok":true}`},
		{"ARN of another API", stmts(`{"Effect":"Allow","Principal":"*","Action":"execute-api:Invoke","Resource":"arn:aws:execute-api:us-east-1:000000000000:other/*"}`),
			"GET", "/pets/5", nil, 403, denyMsg("GET", "/pets/5", "")},
		{"not resource", stmts(allow, `{"Effect":"Deny","Principal":"*","Action":"execute-api:Invoke","NotResource":"execute-api:/*/GET/*"}`),
			"DELETE", "/pets/5", nil, 403, denyMsg("DELETE", "/pets/5", " with an explicit deny")},
		{"ANY method: the ARN names the request's method", stmts(allow, `{"Effect":"Deny","Principal":"*","Action":"execute-api:Invoke","Resource":"execute-api:/*/PUT/files/*"}`),
			"PUT", "/files/a/b.txt", nil, 403, denyMsg("PUT", "/files/a/b.txt", " with an explicit deny")},
		{"user agent condition", stmts(allow, `{"Effect":"Deny","Principal":"*","Action":"execute-api:Invoke","Resource":"execute-api:/*","Condition":{"StringLike":{"aws:UserAgent":"*bot*"}}}`),
			"GET", "/pets/5", []string{"User-Agent", "crawlbot/1.0"}, 403, denyMsg("GET", "/pets/5", " with an explicit deny")},
		{"referer condition", stmts(`{"Effect":"Allow","Principal":"*","Action":"execute-api:Invoke","Resource":"execute-api:/*","Condition":{"StringLike":{"aws:Referer":"https://example.com/*"}}}`),
			"GET", "/pets/5", []string{"Referer", "https://example.com/page"}, 200, `{"ok":true}`},
		{"plain HTTP is not secure transport", stmts(allow, `{"Effect":"Deny","Principal":"*","Action":"execute-api:Invoke","Resource":"execute-api:/*","Condition":{"Bool":{"aws:SecureTransport":"false"}}}`),
			"GET", "/pets/5", nil, 403, denyMsg("GET", "/pets/5", " with an explicit deny")},
		{"a principal an anonymous caller is not", stmts(`{"Effect":"Allow","Principal":{"AWS":"000000000000"},"Action":"execute-api:Invoke","Resource":"execute-api:/*"}`),
			"GET", "/pets/5", nil, 403, denyMsg("GET", "/pets/5", "")},
		// A policy the control plane would refuse (from an older store):
		// every call is denied.
		{"unreadable policy", `{"Statement":"everything"}`, "GET", "/pets/5", nil, 403, denyMsg("GET", "/pets/5", " with an explicit deny")},
		{"no policy", "", "DELETE", "/pets/5", nil, 200, `{"ok":true}`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f.deploy(api{id: "pol", methods: methods, policy: c.policy})
			req, _ := http.NewRequest(c.method, f.url("pol", "test", c.path), nil)
			for i := 0; i+1 < len(c.header); i += 2 {
				req.Header.Set(c.header[i], c.header[i+1])
			}
			r := f.do(req)
			errType := ""
			if c.status == 403 {
				errType = "AccessDeniedException"
			}
			wantError(t, r, c.status, errType, c.body)
		})
	}
}
