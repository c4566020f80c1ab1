// Package iampolicy evaluates IAM policy documents: Allow and Deny
// statements over actions and resources (each a string or a list, with the
// * and ? wildcards), where an explicit Deny wins over any Allow and a
// request no statement allows is denied implicitly.
//
// Two kinds of policy are evaluated:
//
//   - the policies Lambda authorizers return (Parse, Evaluate). Conditions,
//     principals and NotPrincipal are not part of an authorizer's policy:
//     principals are ignored, and a statement with a Condition never
//     matches (it neither grants nor denies);
//   - resource-based policies, such as a REST API's resource policy
//     (ParseResource, EvaluateRequest), where statements name principals
//     and may hold conditions; resource.go lists the principals, operators
//     and condition keys Gantry evaluates, and its rule for conditions it
//     cannot evaluate (a Deny applies, an Allow does not).
//
// Reference: https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-lambda-authorizer-output.html,
// https://docs.aws.amazon.com/apigateway/latest/developerguide/apigateway-control-access-policy-language-overview.html
// and https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html
package iampolicy

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
)

// Decision is the outcome of evaluating a policy for one request.
type Decision int

const (
	// ImplicitDeny: no statement allows the request.
	ImplicitDeny Decision = iota
	// Allow: a statement allows the request and none denies it.
	Allow
	// ExplicitDeny: a Deny statement matches the request.
	ExplicitDeny
)

func (d Decision) String() string {
	switch d {
	case Allow:
		return "Allow"
	case ExplicitDeny:
		return "ExplicitDeny"
	}
	return "ImplicitDeny"
}

// Policy is a parsed policy document.
type Policy struct {
	Version    string
	Statements []Statement
}

// Statement is one statement of a policy. Exactly one of Actions and
// NotActions is set, and one of Resources and NotResources.
type Statement struct {
	Sid          string
	Allow        bool // Effect: Allow (true) or Deny (false)
	Actions      []string
	NotActions   []string
	Resources    []string
	NotResources []string
	// HasCondition is true when the statement has a Condition block.
	HasCondition bool
	// Principal and NotPrincipal (at most one is set) and Conditions are
	// read by ParseResource only.
	Principal    *Principals
	NotPrincipal *Principals
	Conditions   []Condition
}

// ErrMalformed is wrapped by every Parse error.
var ErrMalformed = errors.New("iampolicy: malformed policy")

// stringOrList is a JSON string or list of strings.
type stringOrList []string

func (s *stringOrList) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	if len(b) > 0 && b[0] == '"' {
		var one string
		if err := json.Unmarshal(b, &one); err != nil {
			return err
		}
		*s = []string{one}
		return nil
	}
	var list []string
	if err := json.Unmarshal(b, &list); err != nil {
		return err
	}
	if list == nil {
		list = []string{}
	}
	*s = list
	return nil
}

type statementJSON struct {
	Sid         string          `json:"Sid"`
	Effect      string          `json:"Effect"`
	Action      stringOrList    `json:"Action"`
	NotAction   stringOrList    `json:"NotAction"`
	Resource    stringOrList    `json:"Resource"`
	NotResource stringOrList    `json:"NotResource"`
	Condition   json.RawMessage `json:"Condition"`
	// Principal and NotPrincipal are read by ParseResource only.
	Principal    json.RawMessage `json:"Principal"`
	NotPrincipal json.RawMessage `json:"NotPrincipal"`
}

// statements is a JSON statement object or list of them.
type statements []statementJSON

func (s *statements) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	if len(b) > 0 && b[0] == '{' {
		var one statementJSON
		if err := json.Unmarshal(b, &one); err != nil {
			return err
		}
		*s = statements{one}
		return nil
	}
	var list []statementJSON
	if err := json.Unmarshal(b, &list); err != nil {
		return err
	}
	*s = list
	return nil
}

type policyJSON struct {
	Version   string     `json:"Version"`
	Statement statements `json:"Statement"`
}

// Parse reads a policy document. It needs a Statement (an object or a
// list); each statement needs an Effect of Allow or Deny (any case, as
// authorizer blueprints write "allow"), one of Action and NotAction, and
// one of Resource and NotResource.
func Parse(doc []byte) (*Policy, error) {
	var pj policyJSON
	if err := json.Unmarshal(doc, &pj); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrMalformed, err)
	}
	return fromJSON(pj)
}

func fromJSON(pj policyJSON) (*Policy, error) {
	if pj.Statement == nil {
		return nil, fmt.Errorf("%w: no Statement", ErrMalformed)
	}
	p := &Policy{Version: pj.Version, Statements: make([]Statement, 0, len(pj.Statement))}
	for i, sj := range pj.Statement {
		st := Statement{Sid: sj.Sid, Actions: sj.Action, NotActions: sj.NotAction,
			Resources: sj.Resource, NotResources: sj.NotResource,
			HasCondition: len(sj.Condition) > 0 && string(sj.Condition) != "null"}
		switch {
		case strings.EqualFold(sj.Effect, "Allow"):
			st.Allow = true
		case strings.EqualFold(sj.Effect, "Deny"):
		default:
			return nil, fmt.Errorf("%w: statement %d: Effect %q", ErrMalformed, i+1, sj.Effect)
		}
		if (sj.Action == nil) == (sj.NotAction == nil) {
			return nil, fmt.Errorf("%w: statement %d needs one of Action and NotAction", ErrMalformed, i+1)
		}
		if (sj.Resource == nil) == (sj.NotResource == nil) {
			return nil, fmt.Errorf("%w: statement %d needs one of Resource and NotResource", ErrMalformed, i+1)
		}
		p.Statements = append(p.Statements, st)
	}
	return p, nil
}

// Evaluate decides whether the policy lets action (e.g. execute-api:Invoke)
// on resource (e.g. arn:aws:execute-api:us-east-1:123456789012:abc/prod/GET/pets).
func (p *Policy) Evaluate(action, resource string) Decision {
	d := ImplicitDeny
	for i := range p.Statements {
		st := &p.Statements[i]
		// A condition cannot be decided without a request context.
		if st.HasCondition || !st.matches(action, resource) {
			continue
		}
		if !st.Allow {
			return ExplicitDeny
		}
		d = Allow
	}
	return d
}

// matches reports whether the statement's actions and resources cover
// action on resource.
func (st *Statement) matches(action, resource string) bool {
	if st.Actions != nil && !anyMatch(st.Actions, action, true) {
		return false
	}
	if st.NotActions != nil && anyMatch(st.NotActions, action, true) {
		return false
	}
	if st.Resources != nil && !anyMatch(st.Resources, resource, false) {
		return false
	}
	if st.NotResources != nil && anyMatch(st.NotResources, resource, false) {
		return false
	}
	return true
}

func anyMatch(patterns []string, value string, foldCase bool) bool {
	for _, p := range patterns {
		if foldCase {
			if Match(strings.ToLower(p), strings.ToLower(value)) {
				return true
			}
		} else if Match(p, value) {
			return true
		}
	}
	return false
}

// Match reports whether value matches pattern, where * matches any run of
// characters (slashes and colons included, as in IAM) and ? any one
// character. Matching is case-sensitive; IAM compares actions without case,
// which Evaluate does by lower-casing both sides. It runs in
// O(len(pattern)*len(value)) time at worst, whatever the pattern.
func Match(pattern, value string) bool {
	p, v := 0, 0
	star, mark := -1, 0
	for v < len(value) {
		switch {
		case p < len(pattern) && pattern[p] == '*':
			star, mark = p, v
			p++
		case p < len(pattern) && (pattern[p] == '?' || pattern[p] == value[v]):
			p++
			v++
		case star >= 0:
			p = star + 1
			mark++
			v = mark
		default:
			return false
		}
	}
	for p < len(pattern) && pattern[p] == '*' {
		p++
	}
	return p == len(pattern)
}
