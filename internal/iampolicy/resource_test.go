package iampolicy

import (
	"errors"
	"strings"
	"testing"
)

const apiARN = "arn:aws:execute-api:us-east-1:123456789012:abc123/prod/GET/pets"

var (
	alice = &Principal{Account: "123456789012", ARN: "arn:aws:iam::123456789012:user/alice", UserID: "AIDAALICE"}
	bob   = &Principal{Account: "210987654321", ARN: "arn:aws:iam::210987654321:user/bob", UserID: "AIDABOB"}
	sess  = &Principal{Account: "123456789012", ARN: "arn:aws:sts::123456789012:assumed-role/dev/s1", UserID: "AROADEV:s1"}
)

// stmt builds a one-statement resource policy for execute-api:Invoke on
// everything: effect, the Principal element's JSON and the Condition's
// (empty for none).
func stmt(effect, principal, cond string) string {
	s := `{"Effect":"` + effect + `","Principal":` + principal + `,"Action":"execute-api:Invoke","Resource":"arn:aws:execute-api:*:*:abc123/*"`
	if cond != "" {
		s += `,"Condition":` + cond
	}
	return s + `}`
}

func doc(statements ...string) string {
	return `{"Version":"2012-10-17","Statement":[` + strings.Join(statements, ",") + `]}`
}

func TestEvaluateRequest(t *testing.T) {
	allowAll := stmt("Allow", `"*"`, "")
	cases := []struct {
		name   string
		policy string
		caller *Principal
		ip     string
		want   Decision
	}{
		{"anyone", doc(allowAll), nil, "192.0.2.1", Allow},
		{"AWS star admits anonymous", doc(stmt("Allow", `{"AWS":"*"}`, "")), nil, "192.0.2.1", Allow},
		{"other resource", doc(`{"Effect":"Allow","Principal":"*","Action":"execute-api:Invoke","Resource":"arn:aws:execute-api:*:*:other/*"}`), nil, "192.0.2.1", ImplicitDeny},
		{"ip allowed", doc(stmt("Allow", `"*"`, `{"IpAddress":{"aws:SourceIp":["198.51.100.0/24","192.0.2.0/24"]}}`)), nil, "192.0.2.7", Allow},
		{"ip not allowed", doc(stmt("Allow", `"*"`, `{"IpAddress":{"aws:SourceIp":["198.51.100.0/24"]}}`)), nil, "192.0.2.7", ImplicitDeny},
		{"single address", doc(stmt("Allow", `"*"`, `{"IpAddress":{"aws:SourceIp":"192.0.2.7"}}`)), nil, "192.0.2.7", Allow},
		{"ipv4-mapped caller", doc(stmt("Allow", `"*"`, `{"IpAddress":{"aws:SourceIp":"192.0.2.0/24"}}`)), nil, "::ffff:192.0.2.7", Allow},
		{"ipv6", doc(stmt("Allow", `"*"`, `{"IpAddress":{"aws:SourceIp":"2001:db8::/32"}}`)), nil, "2001:db8::1", Allow},
		{"deny ip", doc(allowAll, stmt("Deny", `"*"`, `{"IpAddress":{"aws:SourceIp":"192.0.2.0/24"}}`)), nil, "192.0.2.7", ExplicitDeny},
		{"deny other ip", doc(allowAll, stmt("Deny", `"*"`, `{"IpAddress":{"aws:SourceIp":"198.51.100.0/24"}}`)), nil, "192.0.2.7", Allow},
		{"deny all but listed", doc(allowAll, stmt("Deny", `"*"`, `{"NotIpAddress":{"aws:SourceIp":["198.51.100.0/24","192.0.2.7/32"]}}`)), nil, "192.0.2.7", Allow},
		{"deny all but listed, unlisted", doc(allowAll, stmt("Deny", `"*"`, `{"NotIpAddress":{"aws:SourceIp":["198.51.100.0/24"]}}`)), nil, "192.0.2.7", ExplicitDeny},
		{"account principal", doc(stmt("Allow", `{"AWS":"123456789012"}`, "")), alice, "192.0.2.1", Allow},
		{"account principal, anonymous", doc(stmt("Allow", `{"AWS":"123456789012"}`, "")), nil, "192.0.2.1", ImplicitDeny},
		{"root principal", doc(stmt("Allow", `{"AWS":["arn:aws:iam::123456789012:root"]}`, "")), alice, "192.0.2.1", Allow},
		{"root principal, other account", doc(stmt("Allow", `{"AWS":["arn:aws:iam::123456789012:root"]}`, "")), bob, "192.0.2.1", ImplicitDeny},
		{"user principal", doc(stmt("Allow", `{"AWS":["arn:aws:iam::210987654321:user/bob","arn:aws:iam::123456789012:user/carol"]}`, "")), bob, "192.0.2.1", Allow},
		{"user principal, other user", doc(stmt("Allow", `{"AWS":"arn:aws:iam::123456789012:user/carol"}`, "")), alice, "192.0.2.1", ImplicitDeny},
		{"role principal admits its sessions", doc(stmt("Allow", `{"AWS":"arn:aws:iam::123456789012:role/dev"}`, "")), sess, "192.0.2.1", Allow},
		{"role principal, other role", doc(stmt("Allow", `{"AWS":"arn:aws:iam::123456789012:role/ops"}`, "")), sess, "192.0.2.1", ImplicitDeny},
		{"service principal", doc(stmt("Allow", `{"Service":"lambda.amazonaws.com"}`, "")), alice, "192.0.2.1", ImplicitDeny},
		{"not principal", doc(`{"Effect":"Deny","NotPrincipal":{"AWS":"arn:aws:iam::123456789012:user/alice"},"Action":"*","Resource":"*"}`, allowAll), bob, "192.0.2.1", ExplicitDeny},
		{"not principal, listed", doc(`{"Effect":"Deny","NotPrincipal":{"AWS":"arn:aws:iam::123456789012:user/alice"},"Action":"*","Resource":"*"}`, allowAll), alice, "192.0.2.1", Allow},
		{"principal account condition", doc(stmt("Allow", `"*"`, `{"StringEquals":{"aws:PrincipalAccount":"123456789012"}}`)), alice, "192.0.2.1", Allow},
		{"principal account condition, anonymous", doc(stmt("Allow", `"*"`, `{"StringEquals":{"aws:PrincipalAccount":"123456789012"}}`)), nil, "192.0.2.1", ImplicitDeny},
		{"principal arn like", doc(stmt("Allow", `"*"`, `{"ArnLike":{"aws:PrincipalArn":"arn:aws:iam::*:user/a*"}}`)), alice, "192.0.2.1", Allow},
		{"arn like keeps fields apart", doc(stmt("Allow", `"*"`, `{"ArnLike":{"aws:PrincipalArn":"arn:aws:iam::*:user/b*"}}`)), alice, "192.0.2.1", ImplicitDeny},
		{"string like", doc(stmt("Allow", `"*"`, `{"StringLike":{"aws:PrincipalArn":"*:user/ali?e"}}`)), alice, "192.0.2.1", Allow},
		{"key names ignore case", doc(stmt("Allow", `"*"`, `{"StringEquals":{"AWS:principalaccount":"123456789012"}}`)), alice, "192.0.2.1", Allow},
		{"values keep case", doc(stmt("Allow", `"*"`, `{"StringEquals":{"aws:userid":"aidaalice"}}`)), alice, "192.0.2.1", ImplicitDeny},
		{"ignore case operator", doc(stmt("Allow", `"*"`, `{"StringEqualsIgnoreCase":{"aws:userid":"aidaalice"}}`)), alice, "192.0.2.1", Allow},
		{"userid of anonymous", doc(stmt("Allow", `"*"`, `{"StringEquals":{"aws:userid":"anonymous"}}`)), nil, "192.0.2.1", Allow},
		{"operators are ANDed", doc(stmt("Allow", `"*"`, `{"IpAddress":{"aws:SourceIp":"192.0.2.0/24"},"StringEquals":{"aws:PrincipalAccount":"123456789012"}}`)), nil, "192.0.2.7", ImplicitDeny},
		{"absent vpce: StringEquals is false", doc(stmt("Allow", `"*"`, `{"StringEquals":{"aws:SourceVpce":"vpce-1a2b3c4d"}}`)), nil, "192.0.2.1", ImplicitDeny},
		{"absent vpce: StringNotEquals is true", doc(allowAll, stmt("Deny", `"*"`, `{"StringNotEquals":{"aws:SourceVpce":"vpce-1a2b3c4d"}}`)), nil, "192.0.2.1", ExplicitDeny},
		{"absent vpc: IfExists is true", doc(stmt("Allow", `"*"`, `{"StringEqualsIfExists":{"aws:SourceVpc":"vpc-1"}}`)), nil, "192.0.2.1", Allow},
		{"null check", doc(stmt("Allow", `"*"`, `{"Null":{"aws:SourceVpc":"true"}}`)), nil, "192.0.2.1", Allow},
		{"null check false", doc(stmt("Allow", `"*"`, `{"Null":{"aws:SourceIp":true}}`)), nil, "192.0.2.1", ImplicitDeny},
		{"bool", doc(allowAll, stmt("Deny", `"*"`, `{"Bool":{"aws:SecureTransport":false}}`)), nil, "192.0.2.1", ExplicitDeny},
		// Conditions Gantry cannot evaluate: a Deny applies, an Allow does not.
		{"unknown operator on Allow", doc(stmt("Allow", `"*"`, `{"DateLessThan":{"aws:CurrentTime":"2030-01-01T00:00:00Z"}}`)), nil, "192.0.2.1", ImplicitDeny},
		{"unknown operator on Deny", doc(allowAll, stmt("Deny", `"*"`, `{"DateGreaterThan":{"aws:CurrentTime":"2030-01-01T00:00:00Z"}}`)), nil, "192.0.2.1", ExplicitDeny},
		{"unknown key on Deny", doc(allowAll, stmt("Deny", `"*"`, `{"StringNotEquals":{"aws:PrincipalOrgID":"o-1"}}`)), alice, "192.0.2.1", ExplicitDeny},
		{"unknown key on Allow", doc(stmt("Allow", `"*"`, `{"StringEquals":{"aws:PrincipalOrgID":"o-1"}}`)), alice, "192.0.2.1", ImplicitDeny},
		{"set qualifier", doc(allowAll, stmt("Deny", `"*"`, `{"ForAnyValue:StringEquals":{"aws:SourceVpce":"x"}}`)), nil, "192.0.2.1", ExplicitDeny},
		{"bad CIDR on Deny", doc(allowAll, stmt("Deny", `"*"`, `{"IpAddress":{"aws:SourceIp":"300.1.1.1/8"}}`)), nil, "192.0.2.1", ExplicitDeny},
		{"undecided Deny with a false condition", doc(allowAll, stmt("Deny", `"*"`, `{"DateLessThan":{"aws:CurrentTime":"2030-01-01T00:00:00Z"},"IpAddress":{"aws:SourceIp":"198.51.100.0/24"}}`)), nil, "192.0.2.1", Allow},
		{"undecided Deny for another principal", doc(allowAll, `{"Effect":"Deny","Principal":{"AWS":"210987654321"},"Action":"*","Resource":"*","Condition":{"DateLessThan":{"aws:CurrentTime":"x"}}}`), alice, "192.0.2.1", Allow},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p, err := ParseResource([]byte(c.policy))
			if err != nil {
				t.Fatal(err)
			}
			r := &Request{Action: "execute-api:Invoke", Resource: apiARN, Principal: c.caller,
				Context: map[string]string{"aws:sourceip": c.ip, "aws:securetransport": "false"}}
			if got := p.EvaluateRequest(r); got != c.want {
				t.Errorf("got %v, want %v", got, c.want)
			}
		})
	}
}

func TestParseResourceErrors(t *testing.T) {
	for _, d := range []string{
		`{}`,
		doc(`{"Effect":"Allow","Action":"*","Resource":"*"}`),                                                         // no principal
		doc(`{"Effect":"Allow","Principal":"*","NotPrincipal":"*","Action":"*","Resource":"*"}`),                      // both
		doc(`{"Effect":"Allow","Principal":"someone","Action":"*","Resource":"*"}`),                                   // a string other than *
		doc(`{"Effect":"Allow","Principal":{"AWS":"alice"},"Action":"*","Resource":"*"}`),                             // neither account nor ARN
		doc(`{"Effect":"Allow","Principal":{"Martian":"x"},"Action":"*","Resource":"*"}`),                             // kind
		doc(`{"Effect":"Allow","Principal":{},"Action":"*","Resource":"*"}`),                                          // empty
		doc(`{"Effect":"Allow","Principal":"*","Action":"*","Resource":"*","Condition":{"StringEquals":"x"}}`),        // not a map of keys
		doc(`{"Effect":"Allow","Principal":"*","Action":"*","Resource":"*","Condition":{"StringEquals":{"k":{}}}}`),   // object value
		doc(`{"Effect":"Allow","Principal":"*","Action":"*","Resource":"*","Condition":{"StringEquals":{"k":[[]]}}}`), // nested list
	} {
		if _, err := ParseResource([]byte(d)); !errors.Is(err, ErrMalformed) {
			t.Errorf("%s: got %v, want ErrMalformed", d, err)
		}
	}
}

// An authorizer's policy keeps its rules: principals are ignored and a
// statement with a condition never matches, even when ParseResource would
// evaluate it.
func TestEvaluateIgnoresPrincipalsAndConditions(t *testing.T) {
	p, err := Parse([]byte(doc(
		`{"Effect":"Allow","Principal":{"AWS":"210987654321"},"Action":"*","Resource":"*"}`,
		stmt("Deny", `"*"`, `{"NotIpAddress":{"aws:SourceIp":"192.0.2.0/24"}}`))))
	if err != nil {
		t.Fatal(err)
	}
	if got := p.Evaluate("execute-api:Invoke", apiARN); got != Allow {
		t.Errorf("got %v, want Allow", got)
	}
}

// FuzzParseResourceEvaluate feeds arbitrary resource policies and caller
// addresses to ParseResource and EvaluateRequest: nothing panics, a Deny of
// everything always wins, an Allow of everything admits whatever no Deny
// refuses, and a policy without Allow statements never allows.
func FuzzParseResourceEvaluate(f *testing.F) {
	f.Add(doc(stmt("Allow", `"*"`, `{"IpAddress":{"aws:SourceIp":["192.0.2.0/24"]}}`)), "192.0.2.1", true)
	f.Add(doc(stmt("Deny", `{"AWS":["123456789012","arn:aws:iam::123456789012:root"]}`, `{"StringNotEqualsIfExists":{"aws:SourceVpce":"v"},"Null":{"aws:userid":false}}`)), "::1", false)
	f.Add(doc(`{"Effect":"Allow","NotPrincipal":{"AWS":"arn:aws:iam::123456789012:role/r"},"Action":"*","NotResource":"x","Condition":{"DateLessThan":{"k":1}}}`), "x", true)
	f.Fuzz(func(t *testing.T, d, ip string, signed bool) {
		p, err := ParseResource([]byte(d))
		if err != nil {
			return
		}
		r := &Request{Action: "execute-api:Invoke", Resource: apiARN, Context: map[string]string{"aws:sourceip": ip}}
		if signed {
			r.Principal = sess
		}
		got := p.EvaluateRequest(r)
		everything := Statement{Actions: []string{"*"}, Resources: []string{"*"}, Principal: &Principals{Any: true}}
		deny := *p
		deny.Statements = append(append([]Statement(nil), p.Statements...), everything)
		if d := deny.EvaluateRequest(r); d != ExplicitDeny {
			t.Errorf("with a Deny of everything: %v", d)
		}
		allow := *p
		everything.Allow = true
		allow.Statements = append(append([]Statement(nil), p.Statements...), everything)
		if a := allow.EvaluateRequest(r); (got == ExplicitDeny) != (a == ExplicitDeny) || a == ImplicitDeny {
			t.Errorf("with an Allow of everything: %v (was %v)", a, got)
		}
		denies := *p
		denies.Statements = nil
		for _, st := range p.Statements {
			if !st.Allow {
				denies.Statements = append(denies.Statements, st)
			}
		}
		if d := denies.EvaluateRequest(r); d == Allow {
			t.Errorf("Deny statements alone allowed")
		}
	})
}

// BenchmarkEvaluateRequest measures a typical API policy: an Allow for
// everyone and a Deny by source address.
func BenchmarkEvaluateRequest(b *testing.B) {
	p, err := ParseResource([]byte(doc(stmt("Allow", `"*"`, ""),
		stmt("Deny", `"*"`, `{"NotIpAddress":{"aws:SourceIp":["198.51.100.0/24","192.0.2.0/24","10.0.0.0/8"]}}`))))
	if err != nil {
		b.Fatal(err)
	}
	r := &Request{Action: "execute-api:Invoke", Resource: apiARN, Context: map[string]string{"aws:sourceip": "10.1.2.3"}}
	b.ReportAllocs()
	for b.Loop() {
		if p.EvaluateRequest(r) != Allow {
			b.Fatal("not allowed")
		}
	}
}
