package iampolicy

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/netip"
	"strconv"
	"strings"
)

// This file evaluates resource-based policies: the policy of a REST API,
// which names who may call it (Principal, NotPrincipal) and under which
// conditions (Condition).
//
// Principals (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_principal.html):
//
//   - "*" and {"AWS": "*"} match every caller, anonymous ones included;
//   - {"AWS": "123456789012"} and {"AWS": "arn:aws:iam::123456789012:root"}
//     match every authenticated caller of that account;
//   - {"AWS": "arn:aws:iam::123456789012:user/name"} (or any other IAM ARN)
//     matches the caller with exactly that ARN; a role ARN also matches the
//     sessions of that role (arn:aws:sts::123456789012:assumed-role/name/session);
//   - other kinds ("Service", "Federated", "CanonicalUser") never match a
//     caller of a Gantry API: no AWS service or federated identity calls it.
//
// NotPrincipal matches every caller that none of its entries matches.
//
// Conditions (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html):
// the operators StringEquals, StringNotEquals, StringEqualsIgnoreCase,
// StringNotEqualsIgnoreCase, StringLike, StringNotLike, ArnEquals, ArnLike,
// ArnNotEquals, ArnNotLike, IpAddress, NotIpAddress and Bool, each also with
// the IfExists suffix, and Null; on the condition keys of SupportedKeys.
// As in IAM, operators are ANDed, keys under one operator are ANDed, the
// values of one key are ORed (NORed for a negated operator), a key missing
// from the request makes a condition false (true for a negated operator
// and for ...IfExists), and key names ignore case.
//
// Conditions Gantry cannot evaluate (another operator, such as
// DateLessThan or a ForAnyValue: qualifier; a key outside SupportedKeys; a
// value the operator cannot read, such as an IpAddress value that is not
// an address or CIDR block) are undecided, and Gantry fails closed: a Deny
// statement whose other conditions hold applies, an Allow statement does
// not. A condition that is definitely false still makes its statement not
// apply, whatever else it holds.

// SupportedKeys are the condition keys Gantry evaluates, lower-cased (IAM
// compares key names without case):
//
//   - aws:sourceip: the caller's address;
//   - aws:sourcevpc and aws:sourcevpce: never present (Gantry has no VPC
//     endpoints), so StringEquals on them is false and StringNotEquals true;
//   - aws:principalaccount, aws:principalarn: the authenticated caller's
//     account and ARN, absent for anonymous callers;
//   - aws:userid: the authenticated caller's user id, "anonymous" for
//     anonymous callers (as IAM documents);
//   - aws:securetransport: "true" for calls over TLS;
//   - aws:useragent, aws:referer: the request's headers, when sent.
var SupportedKeys = []string{
	"aws:sourceip", "aws:sourcevpc", "aws:sourcevpce", "aws:principalaccount", "aws:principalarn",
	"aws:userid", "aws:securetransport", "aws:useragent", "aws:referer",
}

// Request is one call, as a resource-based policy sees it.
type Request struct {
	Action   string // e.g. execute-api:Invoke
	Resource string // e.g. arn:aws:execute-api:us-east-1:123456789012:abc/prod/GET/pets
	// Principal is the authenticated caller; nil for an anonymous one.
	Principal *Principal
	// Context holds the values of the request's condition keys other than
	// the principal's (aws:SourceIp, aws:SecureTransport, ...), keyed by
	// lower-cased name. A key the request does not have is left out.
	Context map[string]string
}

// Principal is an authenticated caller.
type Principal struct {
	Account string // e.g. 123456789012
	ARN     string // e.g. arn:aws:iam::123456789012:user/alice
	UserID  string // e.g. AIDAJQABLZS4A3QDU576Q
}

// value returns the request's value of a (lower-cased) condition key.
func (r *Request) value(key string) (string, bool) {
	switch key {
	case "aws:principalaccount":
		if r.Principal == nil || r.Principal.Account == "" {
			return "", false
		}
		return r.Principal.Account, true
	case "aws:principalarn":
		if r.Principal == nil || r.Principal.ARN == "" {
			return "", false
		}
		return r.Principal.ARN, true
	case "aws:userid":
		if r.Principal == nil {
			return "anonymous", true
		}
		return r.Principal.UserID, r.Principal.UserID != ""
	}
	v, ok := r.Context[key]
	return v, ok
}

// Principals is a parsed Principal or NotPrincipal element.
type Principals struct {
	// Any is true for "*" and {"AWS": "*"}.
	Any bool
	// AWS are the entries of the "AWS" kind: account ids and IAM ARNs.
	AWS []string
	// Others counts the entries of other kinds (Service, Federated,
	// CanonicalUser), which match no Gantry caller.
	Others int
}

func parsePrincipals(raw json.RawMessage) (*Principals, error) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || string(raw) == "null" {
		return nil, nil
	}
	var star string
	if err := json.Unmarshal(raw, &star); err == nil {
		if star != "*" {
			return nil, fmt.Errorf("principal %q: a string principal must be \"*\"", star)
		}
		return &Principals{Any: true}, nil
	}
	var kinds map[string]stringOrList
	if err := json.Unmarshal(raw, &kinds); err != nil {
		return nil, fmt.Errorf("principal: %v", err)
	}
	if len(kinds) == 0 {
		return nil, fmt.Errorf("principal: empty")
	}
	p := &Principals{}
	for kind, list := range kinds {
		switch kind {
		case "AWS":
			for _, e := range list {
				switch {
				case e == "*":
					p.Any = true
				case isAccountID(e) || strings.HasPrefix(e, "arn:"):
					p.AWS = append(p.AWS, e)
				default:
					return nil, fmt.Errorf("principal %q: not an account id or ARN", e)
				}
			}
		case "Service", "Federated", "CanonicalUser":
			p.Others += len(list)
		default:
			return nil, fmt.Errorf("principal kind %q", kind)
		}
	}
	return p, nil
}

func isAccountID(s string) bool {
	if len(s) != 12 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// matches reports whether the caller (nil: anonymous) is one of ps.
func (ps *Principals) matches(caller *Principal) bool {
	if ps.Any {
		return true
	}
	if caller == nil {
		return false
	}
	for _, e := range ps.AWS {
		if principalMatches(e, caller) {
			return true
		}
	}
	return false
}

func principalMatches(entry string, c *Principal) bool {
	if isAccountID(entry) {
		return c.Account == entry
	}
	if entry == c.ARN {
		return true
	}
	// arn:aws:iam::<account>:root names the whole account.
	fields := strings.SplitN(entry, ":", 6)
	if len(fields) != 6 || fields[2] != "iam" {
		return false
	}
	account, res := fields[4], fields[5]
	if res == "root" {
		return c.Account == account
	}
	// A role matches its sessions: arn:aws:sts::<account>:assumed-role/<name>/<session>.
	if role, ok := strings.CutPrefix(res, "role/"); ok {
		name := role[strings.LastIndexByte(role, '/')+1:]
		return strings.HasPrefix(c.ARN, "arn:"+fields[1]+":sts::"+account+":assumed-role/"+name+"/")
	}
	return false
}

// condResult is the outcome of a condition: true, false, or undecided
// (Gantry cannot evaluate it).
type condResult int8

const (
	condFalse condResult = iota
	condTrue
	condUndecided
)

// Condition is one key of one operator of a statement's Condition block,
// e.g. {"IpAddress": {"aws:SourceIp": ["192.0.2.0/24"]}}.
type Condition struct {
	Operator string   // as written, e.g. NotIpAddressIfExists
	Key      string   // as written, e.g. aws:SourceIp
	Values   []string // booleans and numbers as their JSON text
	// Supported is false when Gantry cannot evaluate the condition (see
	// the package rules): it is then undecided.
	Supported bool

	base     string // the operator without IfExists, e.g. NotIpAddress
	ifExists bool
	key      string // lower-cased
	nets     []netip.Prefix
}

// conditionValues is a condition's value: one scalar or a list of them.
type conditionValues []string

func (v *conditionValues) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	var list []json.RawMessage
	if len(b) > 0 && b[0] == '[' {
		if err := json.Unmarshal(b, &list); err != nil {
			return err
		}
	} else {
		list = []json.RawMessage{b}
	}
	out := make([]string, 0, len(list))
	for _, raw := range list {
		var s string
		if err := json.Unmarshal(raw, &s); err == nil {
			out = append(out, s)
			continue
		}
		var x any
		if err := json.Unmarshal(raw, &x); err != nil {
			return err
		}
		switch x.(type) {
		case bool, float64:
			out = append(out, string(bytes.TrimSpace(raw)))
		default:
			return fmt.Errorf("condition value %s is not a string, number or boolean", raw)
		}
	}
	*v = out
	return nil
}

// operators are the condition operators Gantry evaluates (without the
// IfExists suffix).
var operators = map[string]bool{
	"StringEquals": true, "StringNotEquals": true, "StringEqualsIgnoreCase": true, "StringNotEqualsIgnoreCase": true,
	"StringLike": true, "StringNotLike": true, "ArnEquals": true, "ArnLike": true, "ArnNotEquals": true, "ArnNotLike": true,
	"IpAddress": true, "NotIpAddress": true, "Bool": true, "Null": true,
}

func parseConditions(raw json.RawMessage) ([]Condition, error) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || string(raw) == "null" {
		return nil, nil
	}
	var block map[string]map[string]conditionValues
	if err := json.Unmarshal(raw, &block); err != nil {
		return nil, fmt.Errorf("condition: %v", err)
	}
	var out []Condition
	for op, keys := range block {
		for key, values := range keys {
			out = append(out, newCondition(op, key, values))
		}
	}
	return out, nil
}

func newCondition(op, key string, values []string) Condition {
	c := Condition{Operator: op, Key: key, Values: values, key: strings.ToLower(key)}
	c.base, c.ifExists = strings.CutSuffix(op, "IfExists")
	if c.base == "Null" && c.ifExists {
		return c // NullIfExists is not an operator
	}
	c.Supported = operators[c.base] && isSupportedKey(c.key)
	if !c.Supported {
		return c
	}
	switch c.base {
	case "IpAddress", "NotIpAddress":
		for _, v := range values {
			p, err := parsePrefix(v)
			if err != nil {
				c.Supported = false
				return c
			}
			c.nets = append(c.nets, p)
		}
	case "Bool", "Null":
		for _, v := range values {
			if _, err := strconv.ParseBool(v); err != nil {
				c.Supported = false
				return c
			}
		}
	}
	return c
}

func isSupportedKey(key string) bool {
	for _, k := range SupportedKeys {
		if k == key {
			return true
		}
	}
	return false
}

// parsePrefix reads an IpAddress value: a CIDR block or a single address.
func parsePrefix(v string) (netip.Prefix, error) {
	if strings.Contains(v, "/") {
		p, err := netip.ParsePrefix(v)
		if err != nil {
			return p, err
		}
		return p.Masked(), nil
	}
	a, err := netip.ParseAddr(v)
	if err != nil {
		return netip.Prefix{}, err
	}
	return netip.PrefixFrom(a.Unmap(), a.Unmap().BitLen()), nil
}

// eval decides the condition for r.
func (c *Condition) eval(r *Request) condResult {
	if !c.Supported {
		return condUndecided
	}
	v, present := r.value(c.key)
	if c.base == "Null" {
		// {"Null": {"key": "true"}}: the key is absent.
		for _, want := range c.Values {
			if b, _ := strconv.ParseBool(want); b == !present {
				return condTrue
			}
		}
		return condFalse
	}
	negated := strings.Contains(c.base, "Not")
	if !present {
		if c.ifExists || negated {
			return condTrue
		}
		return condFalse
	}
	any := false
	for i, want := range c.Values {
		if c.matchOne(v, want, i) {
			any = true
			break
		}
	}
	if any != negated {
		return condTrue
	}
	return condFalse
}

// matchOne compares the request's value with the i-th policy value, as
// the positive form of the operator does.
func (c *Condition) matchOne(v, want string, i int) bool {
	switch c.base {
	case "StringEquals", "StringNotEquals":
		return v == want
	case "StringEqualsIgnoreCase", "StringNotEqualsIgnoreCase":
		return strings.EqualFold(v, want)
	case "StringLike", "StringNotLike":
		return Match(want, v)
	case "ArnEquals", "ArnLike", "ArnNotEquals", "ArnNotLike":
		return arnLike(want, v)
	case "IpAddress", "NotIpAddress":
		a, err := netip.ParseAddr(v)
		return err == nil && c.nets[i].Contains(a.Unmap())
	case "Bool":
		wb, _ := strconv.ParseBool(want)
		vb, err := strconv.ParseBool(v)
		return err == nil && wb == vb
	}
	return false
}

// arnLike matches an ARN against a pattern field by field: the wildcards
// of one of the first five fields do not reach into the next (IAM's ARN
// operators; ArnEquals and ArnLike behave alike).
func arnLike(pattern, arn string) bool {
	pf := strings.SplitN(pattern, ":", 6)
	af := strings.SplitN(arn, ":", 6)
	if len(pf) != 6 || len(af) != 6 {
		return false
	}
	for i := range pf {
		if !Match(pf[i], af[i]) {
			return false
		}
	}
	return true
}

// applies decides whether st applies to r: its action, resource and
// principal match, and its conditions hold. Undecided conditions make a
// Deny apply and an Allow not (Gantry fails closed).
func (st *Statement) applies(r *Request) bool {
	if !st.matches(r.Action, r.Resource) {
		return false
	}
	if st.Principal != nil && !st.Principal.matches(r.Principal) {
		return false
	}
	if st.NotPrincipal != nil && st.NotPrincipal.matches(r.Principal) {
		return false
	}
	undecided := false
	for i := range st.Conditions {
		switch st.Conditions[i].eval(r) {
		case condFalse:
			return false
		case condUndecided:
			undecided = true
		}
	}
	return !undecided || !st.Allow
}

// EvaluateRequest decides a resource-based policy (one parsed with
// ParseResource) for r: principals and conditions count, as described in
// the package rules. An explicit Deny wins over any Allow; a request no
// statement allows is denied implicitly.
func (p *Policy) EvaluateRequest(r *Request) Decision {
	d := ImplicitDeny
	for i := range p.Statements {
		st := &p.Statements[i]
		if !st.applies(r) {
			continue
		}
		if !st.Allow {
			return ExplicitDeny
		}
		d = Allow
	}
	return d
}

// ParseResource reads a resource-based policy, such as a REST API's
// policy. Beyond what Parse checks, each statement needs one of Principal
// and NotPrincipal, principals must have one of the forms the package
// rules list, and a Condition block must map operators to keys to values
// (strings, numbers or booleans, or lists of them). An operator or key
// Gantry does not evaluate is not an error: see the package rules.
func ParseResource(doc []byte) (*Policy, error) {
	var pj policyJSON
	if err := json.Unmarshal(doc, &pj); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrMalformed, err)
	}
	p, err := fromJSON(pj)
	if err != nil {
		return nil, err
	}
	for i, sj := range pj.Statement {
		st := &p.Statements[i]
		if (len(sj.Principal) == 0) == (len(sj.NotPrincipal) == 0) {
			return nil, fmt.Errorf("%w: statement %d needs one of Principal and NotPrincipal", ErrMalformed, i+1)
		}
		if st.Principal, err = parsePrincipals(sj.Principal); err == nil {
			st.NotPrincipal, err = parsePrincipals(sj.NotPrincipal)
		}
		if err == nil {
			st.Conditions, err = parseConditions(sj.Condition)
		}
		if err != nil {
			return nil, fmt.Errorf("%w: statement %d: %v", ErrMalformed, i+1, err)
		}
		if st.Principal == nil && st.NotPrincipal == nil {
			return nil, fmt.Errorf("%w: statement %d needs one of Principal and NotPrincipal", ErrMalformed, i+1)
		}
	}
	return p, nil
}

// ExpandExecuteAPI expands API Gateway's abbreviated resource form
// execute-api:/<stage>/<METHOD>/<path> to the full ARN of the API,
// arn:aws:execute-api:<region>:<account>:<apiId>/<stage>/<METHOD>/<path>, as
// API Gateway does when it saves a resource policy ("API Gateway resource
// policy examples"). Other resources are returned unchanged.
func ExpandExecuteAPI(resource, region, account, apiID string) string {
	if rest, ok := strings.CutPrefix(resource, "execute-api:/"); ok {
		return "arn:aws:execute-api:" + region + ":" + account + ":" + apiID + "/" + rest
	}
	return resource
}
