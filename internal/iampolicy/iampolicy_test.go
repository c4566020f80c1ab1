package iampolicy

import (
	"errors"
	"regexp"
	"strings"
	"testing"
)

const arn = "arn:aws:execute-api:us-east-1:123456789012:abc123/prod/GET/pets/5"

func TestEvaluate(t *testing.T) {
	cases := []struct {
		name   string
		policy string
		action string
		res    string
		want   Decision
	}{
		{"allow exact", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"execute-api:Invoke","Resource":"` + arn + `"}]}`, "execute-api:Invoke", arn, Allow},
		{"statement as an object", `{"Statement":{"Effect":"Allow","Action":"execute-api:Invoke","Resource":"` + arn + `"}}`, "execute-api:Invoke", arn, Allow},
		{"lists", `{"Statement":[{"Effect":"Allow","Action":["s3:GetObject","execute-api:Invoke"],"Resource":["x","` + arn + `"]}]}`, "execute-api:Invoke", arn, Allow},
		{"other method", `{"Statement":[{"Effect":"Allow","Action":"execute-api:Invoke","Resource":"arn:aws:execute-api:us-east-1:123456789012:abc123/prod/POST/pets/5"}]}`, "execute-api:Invoke", arn, ImplicitDeny},
		{"star in path", `{"Statement":[{"Effect":"Allow","Action":"execute-api:*","Resource":"arn:aws:execute-api:us-east-1:123456789012:abc123/*/GET/*"}]}`, "execute-api:Invoke", arn, Allow},
		{"question mark", `{"Statement":[{"Effect":"Allow","Action":"execute-api:Invoke","Resource":"arn:aws:execute-api:us-east-1:123456789012:abc123/pro?/GET/pets/?"}]}`, "execute-api:Invoke", arn, Allow},
		{"question mark needs a character", `{"Statement":[{"Effect":"Allow","Action":"execute-api:Invoke","Resource":"arn:aws:execute-api:us-east-1:123456789012:abc123/prod/GET/pets/5?"}]}`, "execute-api:Invoke", arn, ImplicitDeny},
		{"action case", `{"Statement":[{"Effect":"allow","Action":"Execute-API:invoke","Resource":"*"}]}`, "execute-api:Invoke", arn, Allow},
		{"resource case matters", `{"Statement":[{"Effect":"Allow","Action":"*","Resource":"` + strings.ToUpper(arn) + `"}]}`, "execute-api:Invoke", arn, ImplicitDeny},
		{"deny wins", `{"Statement":[{"Effect":"Allow","Action":"*","Resource":"*"},{"Effect":"Deny","Action":"execute-api:Invoke","Resource":"arn:aws:execute-api:*:*:abc123/*/GET/pets/*"}]}`, "execute-api:Invoke", arn, ExplicitDeny},
		{"deny elsewhere", `{"Statement":[{"Effect":"Allow","Action":"*","Resource":"*"},{"Effect":"Deny","Action":"execute-api:Invoke","Resource":"arn:aws:execute-api:*:*:abc123/*/DELETE/*"}]}`, "execute-api:Invoke", arn, Allow},
		{"not resource", `{"Statement":[{"Effect":"Allow","Action":"*","NotResource":"*/DELETE/*"}]}`, "execute-api:Invoke", arn, Allow},
		{"not action", `{"Statement":[{"Effect":"Deny","NotAction":"execute-api:Invoke","Resource":"*"},{"Effect":"Allow","Action":"*","Resource":"*"}]}`, "execute-api:Invoke", arn, Allow},
		{"condition never matches", `{"Statement":[{"Effect":"Allow","Action":"*","Resource":"*","Condition":{"IpAddress":{"aws:SourceIp":"1.2.3.4"}}}]}`, "execute-api:Invoke", arn, ImplicitDeny},
		{"no statements", `{"Statement":[]}`, "execute-api:Invoke", arn, ImplicitDeny},
		{"empty action list", `{"Statement":[{"Effect":"Allow","Action":[],"Resource":"*"}]}`, "execute-api:Invoke", arn, ImplicitDeny},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p, err := Parse([]byte(c.policy))
			if err != nil {
				t.Fatal(err)
			}
			if got := p.Evaluate(c.action, c.res); got != c.want {
				t.Errorf("got %v, want %v", got, c.want)
			}
		})
	}
}

func TestParseErrors(t *testing.T) {
	for _, doc := range []string{
		``, `[]`, `{}`, `{"Statement":"x"}`,
		`{"Statement":[{"Effect":"Maybe","Action":"*","Resource":"*"}]}`,
		`{"Statement":[{"Action":"*","Resource":"*"}]}`,
		`{"Statement":[{"Effect":"Allow","Resource":"*"}]}`,
		`{"Statement":[{"Effect":"Allow","Action":"*"}]}`,
		`{"Statement":[{"Effect":"Allow","Action":"*","NotAction":"x","Resource":"*"}]}`,
		`{"Statement":[{"Effect":"Allow","Action":3,"Resource":"*"}]}`,
	} {
		if _, err := Parse([]byte(doc)); !errors.Is(err, ErrMalformed) {
			t.Errorf("%s: got %v, want ErrMalformed", doc, err)
		}
	}
}

// matchByRegexp is Match's reference: the wildcard pattern translated to a
// regular expression.
func matchByRegexp(pattern, value string) bool {
	var b strings.Builder
	b.WriteString(`^`)
	for i := 0; i < len(pattern); i++ {
		switch pattern[i] {
		case '*':
			b.WriteString(`(?s:.*)`)
		case '?':
			b.WriteString(`(?s:.)`)
		default:
			b.WriteString(regexp.QuoteMeta(pattern[i : i+1]))
		}
	}
	b.WriteString(`$`)
	return regexp.MustCompile(b.String()).MatchString(value)
}

func FuzzMatch(f *testing.F) {
	f.Add("arn:aws:execute-api:*:*:abc/*/GET/*", arn)
	f.Add("a*b?c**", "axxbyc")
	f.Add("*", "")
	f.Add("?", "")
	f.Fuzz(func(t *testing.T, pattern, value string) {
		// The reference works on characters; keep to ASCII so that ? means
		// one byte on both sides.
		for _, s := range []string{pattern, value} {
			for i := 0; i < len(s); i++ {
				if s[i] >= 0x80 {
					return
				}
			}
		}
		if got, want := Match(pattern, value), matchByRegexp(pattern, value); got != want {
			t.Errorf("Match(%q, %q) = %v, want %v", pattern, value, got, want)
		}
	})
}

func FuzzParseEvaluate(f *testing.F) {
	f.Add(`{"Statement":[{"Effect":"Allow","Action":"*","Resource":"*"},{"Effect":"Deny","Action":"execute-api:Invoke","Resource":"*/GET/*"}]}`, arn)
	f.Add(`{"Statement":{"Effect":"Allow","Action":["a"],"NotResource":["b"]}}`, "c")
	// Principals and conditions, which authorizer policies ignore.
	f.Add(`{"Statement":[{"Effect":"Allow","Principal":{"AWS":"1"},"Action":"*","Resource":"*"},{"Effect":"Deny","Principal":"*","Action":"*","Resource":"*","Condition":{"IpAddress":{"aws:SourceIp":"1.2.3.4"}}}]}`, arn)
	f.Fuzz(func(t *testing.T, doc, resource string) {
		p, err := Parse([]byte(doc))
		if err != nil {
			return
		}
		d := p.Evaluate("execute-api:Invoke", resource)
		// Adding a Deny of everything always denies; adding an Allow of
		// everything never turns an explicit Deny into an Allow.
		deny := *p
		deny.Statements = append(append([]Statement(nil), p.Statements...), Statement{Actions: []string{"*"}, Resources: []string{"*"}})
		if got := deny.Evaluate("execute-api:Invoke", resource); got != ExplicitDeny {
			t.Errorf("with a Deny of *: %v", got)
		}
		allow := *p
		allow.Statements = append(append([]Statement(nil), p.Statements...), Statement{Allow: true, Actions: []string{"*"}, Resources: []string{"*"}})
		got := allow.Evaluate("execute-api:Invoke", resource)
		if d == ExplicitDeny && got != ExplicitDeny || d != ExplicitDeny && got != Allow {
			t.Errorf("with an Allow of *: %v (was %v)", got, d)
		}
	})
}
