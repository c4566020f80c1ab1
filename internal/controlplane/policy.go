package controlplane

import (
	"bytes"
	"encoding/json"
	"errors"
	"strings"

	"github.com/gantryproject/gantry/internal/awserr"
	"github.com/gantryproject/gantry/internal/iampolicy"
	"github.com/gantryproject/gantry/internal/model"
)

// msgInvalidPolicy is AWS's answer to a resource policy it cannot read,
// documented in "Create and attach an API Gateway resource policy to an
// API" (troubleshooting).
const msgInvalidPolicy = "Invalid policy document. Please check the policy syntax and ensure that Principals are valid."

// normalizePolicy checks a REST API's resource policy and returns the form
// AWS saves: minified, with the abbreviated resources execute-api:/<stage>/<METHOD>/<path>
// expanded to arn:aws:execute-api:<region>:<account>:<apiId>/<stage>/<METHOD>/<path>
// ("API Gateway resource policy examples":
// https://docs.aws.amazon.com/apigateway/latest/developerguide/apigateway-resource-policies-examples.html).
// Keys keep their order and values their form (a string stays a string).
// An empty policy is none.
//
// A policy Gantry cannot read (see iampolicy.ParseResource: every
// statement names its principals, which must be "*", account ids or IAM
// ARNs) is refused with AWS's message.
func normalizePolicy(scope model.Scope, apiID, doc string) (string, error) {
	if strings.TrimSpace(doc) == "" {
		return "", nil
	}
	if _, err := iampolicy.ParseResource([]byte(doc)); err != nil {
		return "", awserr.BadRequest(msgInvalidPolicy)
	}
	expandResource := func(r string) string { return iampolicy.ExpandExecuteAPI(r, scope.Region, scope.Account, apiID) }
	expand := func(raw json.RawMessage) (json.RawMessage, error) {
		var one string
		if json.Unmarshal(raw, &one) == nil {
			return marshalNoEscape(expandResource(one))
		}
		var list []string
		if err := json.Unmarshal(raw, &list); err != nil {
			return nil, err
		}
		for i, r := range list {
			list[i] = expandResource(r)
		}
		return marshalNoEscape(list)
	}
	statement := func(raw json.RawMessage) (json.RawMessage, error) {
		return rewriteObject(raw, map[string]func(json.RawMessage) (json.RawMessage, error){"Resource": expand, "NotResource": expand})
	}
	out, err := rewriteObject([]byte(doc), map[string]func(json.RawMessage) (json.RawMessage, error){
		"Statement": func(raw json.RawMessage) (json.RawMessage, error) {
			if raw = bytes.TrimSpace(raw); len(raw) > 0 && raw[0] == '{' {
				return statement(raw)
			}
			var list []json.RawMessage
			if err := json.Unmarshal(raw, &list); err != nil {
				return nil, err
			}
			var b bytes.Buffer
			b.WriteByte('[')
			for i, st := range list {
				st, err := statement(st)
				if err != nil {
					return nil, err
				}
				if i > 0 {
					b.WriteByte(',')
				}
				b.Write(st)
			}
			b.WriteByte(']')
			return b.Bytes(), nil
		},
	})
	if err != nil {
		// ParseResource read the document, so this is unexpected.
		return "", awserr.BadRequest(msgInvalidPolicy)
	}
	return string(out), nil
}

// rewriteObject re-emits a JSON object minified, keys in their order, with
// the values of the keys in fix replaced by fix's answer.
func rewriteObject(raw []byte, fix map[string]func(json.RawMessage) (json.RawMessage, error)) ([]byte, error) {
	dec := json.NewDecoder(bytes.NewReader(raw))
	if t, err := dec.Token(); err != nil || t != json.Delim('{') {
		return nil, errNotObject
	}
	var b bytes.Buffer
	b.WriteByte('{')
	for i := 0; dec.More(); i++ {
		t, err := dec.Token()
		if err != nil {
			return nil, err
		}
		key, _ := t.(string)
		var v json.RawMessage
		if err := dec.Decode(&v); err != nil {
			return nil, err
		}
		if f := fix[key]; f != nil {
			if v, err = f(v); err != nil {
				return nil, err
			}
		}
		if i > 0 {
			b.WriteByte(',')
		}
		k, _ := marshalNoEscape(key)
		b.Write(k)
		b.WriteByte(':')
		if err := json.Compact(&b, v); err != nil {
			return nil, err
		}
	}
	b.WriteByte('}')
	return b.Bytes(), nil
}

var errNotObject = errors.New("policy: not a JSON object")

// marshalNoEscape is json.Marshal without HTML escaping.
func marshalNoEscape(v any) (json.RawMessage, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(b.Bytes(), []byte("\n")), nil
}

// policyOut is a stored policy as AWS returns it: the document escaped as
// the contents of a JSON string (quotes as \", slashes as \/), so that the
// response's policy field holds {\"Version\":...}, which clients unescape
// (Terraform's provider, for one, depends on it; LocalStack reproduced it
// after github.com/localstack/localstack/issues/3325; the escaped slashes:
// github.com/hashicorp/terraform-provider-aws/pull/4606).
func policyOut(stored string) string {
	if stored == "" {
		return ""
	}
	q, _ := marshalNoEscape(stored)
	s := string(q[1 : len(q)-1])
	return strings.ReplaceAll(s, "/", `\/`)
}
