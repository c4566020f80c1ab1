package dataplane

import (
	"errors"
	"testing"
)

// FuzzAuthorizerOutput feeds arbitrary function answers to the Lambda
// authorizer output parser: it never panics, and what it accepts has a
// principal and a policy, with a context of scalars only.
func FuzzAuthorizerOutput(f *testing.F) {
	f.Add([]byte(`{"principalId":"u","policyDocument":{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"execute-api:Invoke","Resource":"*"}]},"context":{"a":"x","n":1.5,"b":false},"usageIdentifierKey":"k"}`))
	f.Add([]byte(`{"principalId":"u","policyDocument":{"Statement":{"Effect":"Deny","Action":["*"],"Resource":["*"]}},"context":{"o":{}}}`))
	f.Add([]byte(`{"principalId":null}`))
	f.Add([]byte(`[]`))
	f.Fuzz(func(t *testing.T, payload []byte) {
		res, err := parseAuthorizerOutput(payload)
		if err != nil {
			if !errors.Is(err, errMalformedOutput) {
				t.Errorf("error %v does not wrap errMalformedOutput", err)
			}
			return
		}
		if res.policy == nil {
			t.Errorf("accepted without a policy: %s", payload)
		}
		res.policy.Evaluate("execute-api:Invoke", "arn:aws:execute-api:us-east-1:000000000000:a/b/GET/c")
	})
}
