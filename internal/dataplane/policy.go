package dataplane

import (
	"fmt"
	"strings"

	"github.com/gantryproject/gantry/internal/gatewayresponse"
	"github.com/gantryproject/gantry/internal/iampolicy"
	"github.com/gantryproject/gantry/internal/model"
)

// invokeAction is the action a resource policy grants to callers of an
// API.
const invokeAction = "execute-api:Invoke"

// resourcePolicy is an API's resource policy (its "policy" field),
// compiled once per deployment.
type resourcePolicy struct {
	policy *iampolicy.Policy
	// err, when set, is why the stored policy cannot be read (the control
	// plane refuses such policies; a snapshot can only hold one from an
	// older store). Gantry then fails closed: every call is denied.
	err error
}

// compilePolicy reads an API's resource policy; nil when it has none.
//
// API Gateway expands the abbreviated resource form execute-api:/<stage>/<METHOD>/<path>
// to arn:aws:execute-api:<region>:<account>:<apiId>/<stage>/<METHOD>/<path>
// when it saves a policy ("API Gateway resource policy examples",
// https://docs.aws.amazon.com/apigateway/latest/developerguide/apigateway-resource-policies-examples.html).
// The control plane saves policies expanded; expanding again here keeps
// policies saved by older versions of Gantry working.
func compilePolicy(scope model.Scope, apiID, doc string) *resourcePolicy {
	if strings.TrimSpace(doc) == "" {
		return nil
	}
	p, err := iampolicy.ParseResource([]byte(doc))
	if err != nil {
		return &resourcePolicy{err: fmt.Errorf("resource policy: %w", err)}
	}
	expand := func(list []string) {
		for i, r := range list {
			list[i] = iampolicy.ExpandExecuteAPI(r, scope.Region, scope.Account, apiID)
		}
	}
	for i := range p.Statements {
		expand(p.Statements[i].Resources)
		expand(p.Statements[i].NotResources)
	}
	return &resourcePolicy{policy: p}
}

// checkResourcePolicy evaluates the API's resource policy for
// execute-api:Invoke on this request's method ARN, combined with the
// method's authorization as AWS's "How API Gateway resource policies
// affect authorization workflow" describes
// (https://docs.aws.amazon.com/apigateway/latest/developerguide/apigateway-authorization-flow.html):
//
//   - an explicit Deny always refuses the call;
//   - without authorization (NONE), the policy must explicitly allow the
//     call: an implicit deny refuses it;
//   - with a Lambda or Cognito authorizer, this check runs before the
//     authorizer (AWS's first phase, which looks for an explicit deny
//     only), and the authorizer's answer decides the rest (AWS's table A:
//     an implicit deny of the resource policy and an Allow of the
//     authorizer admit);
//   - with AWS_IAM, this check runs after the signature verifies (AWS
//     evaluates the policies once IAM has authenticated the caller), with
//     the signer as the principal. AWS admits a caller that either the
//     resource policy or the caller's IAM identity policy allows (table B)
//     when the caller is in the API's account, and only one that both allow
//     when not (table C). Gantry has no identity policies: a verified
//     caller of the API's account counts as allowed by its identity, so
//     only an explicit Deny refuses it; a caller of another account needs
//     an explicit Allow, so it is refused when the API has no policy.
//
// Refusals are ACCESS_DENIED with AWS's messages (reference §3.2): see
// accessDenied.
func (q *request) checkResourcePolicy(m *method) error {
	rp := q.stage.policy
	if rp == nil {
		if q.caller != nil && q.caller.Identity.AccountID != q.stage.scope.Account {
			// A caller of another account needs the resource policy's
			// Allow, and there is no policy.
			return q.accessDenied(q.methodArn(), false)
		}
		return nil
	}
	arn := q.methodArn()
	if rp.err != nil {
		return q.accessDenied(arn, true).WithCause(rp.err)
	}
	req := &iampolicy.Request{Action: invokeAction, Resource: arn, Context: q.policyContext()}
	if q.caller != nil {
		id := q.caller.Identity
		req.Principal = &iampolicy.Principal{Account: id.AccountID, ARN: id.UserARN, UserID: id.UserID}
	}
	switch rp.policy.EvaluateRequest(req) {
	case iampolicy.Allow:
		return nil
	case iampolicy.ExplicitDeny:
		return q.accessDenied(arn, true)
	}
	switch {
	case m.authorizer != nil:
		return nil
	case q.caller != nil && q.caller.Identity.AccountID == q.stage.scope.Account:
		return nil
	}
	return q.accessDenied(arn, false)
}

// policyContext is the request's condition keys (iampolicy.SupportedKeys
// other than the principal's). aws:SourceVpc and aws:SourceVpce are never
// present: Gantry has no VPC endpoints.
func (q *request) policyContext() map[string]string {
	c := make(map[string]string, 4)
	c["aws:sourceip"], _ = q.contextValue("identity.sourceIp")
	c["aws:securetransport"] = "false"
	if q.ctx.IsTLS() {
		c["aws:securetransport"] = "true"
	}
	if ua := q.headerValue("User-Agent"); ua != "" {
		c["aws:useragent"] = ua
	}
	if ref := q.headerValue("Referer"); ref != "" {
		c["aws:referer"] = ref
	}
	return c
}

// accessDenied is the ACCESS_DENIED of a resource policy, with AWS's
// message: "User: anonymous is not authorized to perform:
// execute-api:Invoke on resource: arn:aws:execute-api:us-west-2:********2543:<apiId>/<stage>/GET/",
// " with an explicit deny" appended for an explicit Deny; an IAM caller is
// named by its ARN instead of anonymous. The account in the ARN is masked
// but for its last four digits, as recorded for anonymous callers; Gantry
// masks it for IAM callers too (unrecorded).
//
// AWS has two generations of these messages; Gantry uses the one recorded
// in raw responses and in AWS's 403 troubleshooting article (reference
// §3.2), not the newer "... with an explicit deny in a resource-based
// policy" / "... because no resource-based policy allows the
// execute-api:Invoke action".
func (q *request) accessDenied(arn string, explicit bool) *gatewayresponse.Error {
	user := "anonymous"
	if q.caller != nil {
		user = q.caller.Identity.UserARN
	}
	msg := "User: " + user + " is not authorized to perform: " + invokeAction + " on resource: " + maskAccount(arn)
	if explicit {
		msg += " with an explicit deny"
	}
	return gatewayresponse.NewError(gatewayresponse.AccessDenied).WithMessage(msg)
}

// maskAccount replaces all but the last four characters of an ARN's
// account field with '*'.
func maskAccount(arn string) string {
	f := strings.SplitN(arn, ":", 6)
	if len(f) != 6 || len(f[4]) <= 4 {
		return arn
	}
	f[4] = strings.Repeat("*", len(f[4])-4) + f[4][len(f[4])-4:]
	return strings.Join(f, ":")
}
