package lambda

import (
	"errors"
	"fmt"
	"strings"
)

// FunctionRef is a function reference taken apart.
type FunctionRef struct {
	// Name is the function's name, e.g. my-function.
	Name string
	// Qualifier is the version or alias, e.g. 1 or live; "" when none.
	Qualifier string
	// Region and Account are set when the reference is a full ARN
	// (Account also for a partial ARN).
	Region, Account string
}

// ParseFunction takes apart a function reference in any of the forms the
// Invoke API accepts: a name (my-function), a name with a qualifier
// (my-function:live), a partial ARN (123456789012:function:my-function) or a
// full ARN (arn:aws:lambda:us-west-2:123456789012:function:my-function, with
// an optional :qualifier). A string that is none of these is returned as the
// Name, unchanged.
//
// Reference: https://docs.aws.amazon.com/lambda/latest/api/API_Invoke.html#API_Invoke_RequestSyntax
func ParseFunction(s string) FunctionRef {
	parts := strings.Split(s, ":")
	switch {
	case len(parts) >= 7 && len(parts) <= 8 && parts[0] == "arn" && parts[2] == "lambda" && parts[5] == "function":
		ref := FunctionRef{Name: parts[6], Region: parts[3], Account: parts[4]}
		if len(parts) == 8 {
			ref.Qualifier = parts[7]
		}
		return ref
	case len(parts) >= 3 && len(parts) <= 4 && parts[1] == "function":
		ref := FunctionRef{Name: parts[2], Account: parts[0]}
		if len(parts) == 4 {
			ref.Qualifier = parts[3]
		}
		return ref
	case len(parts) == 2:
		return FunctionRef{Name: parts[0], Qualifier: parts[1]}
	}
	return FunctionRef{Name: s}
}

// ErrNotLambdaURI reports an integration URI that does not invoke a Lambda
// function.
var ErrNotLambdaURI = errors.New("not a Lambda function invocation URI")

const (
	uriFunctionsPrefix = "path/2015-03-31/functions/"
	uriInvocations     = "/invocations"
)

// FunctionFromURI returns the function an AWS or AWS_PROXY integration URI
// invokes: the {functionArn} of
// arn:aws:apigateway:{region}:lambda:path/2015-03-31/functions/{functionArn}/invocations.
// The function part is returned as written, so it may still hold stage
// variable references such as ${stageVariables.fn}, to be substituted per
// request. A URI of any other form yields ErrNotLambdaURI.
//
// Reference: https://docs.aws.amazon.com/apigateway/latest/api/API_Integration.html (uri)
func FunctionFromURI(uri string) (string, error) {
	parts := strings.SplitN(uri, ":", 6)
	if len(parts) != 6 || parts[0] != "arn" || parts[2] != "apigateway" || parts[4] != "lambda" {
		return "", fmt.Errorf("%w: %q", ErrNotLambdaURI, uri)
	}
	rest, ok := strings.CutPrefix(parts[5], uriFunctionsPrefix)
	if !ok {
		return "", fmt.Errorf("%w: %q", ErrNotLambdaURI, uri)
	}
	fn, ok := strings.CutSuffix(rest, uriInvocations)
	if !ok || fn == "" {
		return "", fmt.Errorf("%w: %q", ErrNotLambdaURI, uri)
	}
	return fn, nil
}

// ParseEndpoints parses per-function endpoint overrides written as a
// comma-separated list of function=URL pairs, e.g.
// "orders=http://127.0.0.1:9001,arn:aws:lambda:us-east-1:123456789012:function:users=http://127.0.0.1:9002".
// Spaces around items are ignored; an empty string yields no overrides.
func ParseEndpoints(s string) (map[string]string, error) {
	out := map[string]string{}
	for item := range strings.SplitSeq(s, ",") {
		item = strings.TrimSpace(item)
		if item == "" {
			continue
		}
		fn, ep, ok := strings.Cut(item, "=")
		fn, ep = strings.TrimSpace(fn), strings.TrimSpace(ep)
		if !ok || fn == "" || ep == "" {
			return nil, fmt.Errorf("lambda: endpoint override %q: want function=URL", item)
		}
		if err := checkEndpoint(ep); err != nil {
			return nil, fmt.Errorf("lambda: endpoint of %s: %w", fn, err)
		}
		out[fn] = ep
	}
	return out, nil
}
