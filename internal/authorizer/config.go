// Package authorizer holds what the control and data planes share about API
// Gateway authorizers: the grammar of identity sources, of Lambda
// authorizer URIs and of Cognito user pool ARNs, with AWS's error texts.
package authorizer

import (
	"errors"
	"fmt"
	"regexp"
	"strings"

	"github.com/gantryproject/gantry/internal/lambda"
)

// Source kinds: where an identity source reads its value.
const (
	SourceHeader        = "header"
	SourceQueryString   = "querystring"
	SourceStageVariable = "stageVariables"
	SourceContext       = "context"
)

// Source is one parsed identity source, e.g. method.request.header.Auth is
// {Kind: "header", Name: "Auth"}.
type Source struct {
	Kind string
	Name string
	// Expr is the expression as written, e.g. method.request.header.Auth.
	Expr string
}

// Error is a configuration problem. Its text is the message the control
// plane answers with; Kind is the sentinel it wraps.
type Error struct {
	Kind error
	Msg  string
}

func (e *Error) Error() string { return e.Msg }

// Unwrap returns the sentinel, for errors.Is.
func (e *Error) Unwrap() error { return e.Kind }

func newError(kind error, format string, args ...any) *Error {
	return &Error{Kind: kind, Msg: fmt.Sprintf(format, args...)}
}

// ErrInvalidSource is wrapped by every identity-source parse error.
var ErrInvalidSource = errors.New("invalid identity source")

var sourceName = regexp.MustCompile(`^[a-zA-Z0-9._$-]+$`)

// ParseSources parses a comma-separated identitySource. TOKEN authorizers
// (token true) take exactly one request header; REQUEST and Cognito
// authorizers take headers, query strings, stage variables and context
// variables. An empty list parses as no sources.
//
// The TOKEN text is AWS's (recorded in serverless/serverless issue 4428 and
// aws/aws-cdk issue 6330); the REQUEST text follows its form (Gantry's,
// AWS's is unrecorded).
func ParseSources(list string, token bool) ([]Source, error) {
	if strings.TrimSpace(list) == "" {
		return nil, nil
	}
	var out []Source
	for _, raw := range strings.Split(list, ",") {
		expr := strings.TrimSpace(raw)
		s, ok := parseSource(expr)
		if token && (!ok || s.Kind != SourceHeader || strings.Contains(list, ",")) {
			return nil, newError(ErrInvalidSource, "Invalid token source expression: %s. The source must be a method request header, matching 'method.request.header.[a-zA-Z0-9._-]+'", strings.TrimSpace(list))
		}
		if !ok {
			return nil, newError(ErrInvalidSource, "Invalid identity source expression: %s. The source must be a method request header or query string (method.request.header.name, method.request.querystring.name), a stage variable (stageVariables.name) or a context variable (context.name)", expr)
		}
		out = append(out, s)
	}
	return out, nil
}

func parseSource(expr string) (Source, bool) {
	var kind, name string
	switch {
	case strings.HasPrefix(expr, "method.request.header."):
		kind, name = SourceHeader, expr[len("method.request.header."):]
	case strings.HasPrefix(expr, "method.request.querystring."):
		kind, name = SourceQueryString, expr[len("method.request.querystring."):]
	case strings.HasPrefix(expr, "stageVariables."):
		kind, name = SourceStageVariable, expr[len("stageVariables."):]
	case strings.HasPrefix(expr, "context."):
		kind, name = SourceContext, expr[len("context."):]
	default:
		return Source{}, false
	}
	if !sourceName.MatchString(name) {
		return Source{}, false
	}
	return Source{Kind: kind, Name: name, Expr: expr}, true
}

// ErrInvalidURI is wrapped by FunctionOf's errors.
var ErrInvalidURI = errors.New("invalid authorizer URI")

// FunctionOf returns the Lambda function a TOKEN or REQUEST authorizer
// invokes, from its URI
// arn:{partition}:apigateway:{region}:lambda:path/2015-03-31/functions/{function}/invocations.
// The error's text is AWS's (recorded in hashicorp/terraform-provider-aws
// pull request 1757).
func FunctionOf(uri string) (string, error) {
	fn, err := lambda.FunctionFromURI(uri)
	if err != nil || strings.Contains(fn, "/") {
		return "", newError(ErrInvalidURI, "Invalid Authorizer URI: %s. Authorizer URI should be a valid API Gateway ARN that represents a Lambda function invocation.", uri)
	}
	return fn, nil
}

// UserPool is a Cognito user pool named by a COGNITO_USER_POOLS
// authorizer's provider ARN.
type UserPool struct {
	Region string
	ID     string
}

// ErrInvalidProvider is wrapped by ParseUserPool's errors.
var ErrInvalidProvider = errors.New("invalid provider ARN")

// ParseUserPool reads arn:{partition}:cognito-idp:{region}:{account}:userpool/{poolId}.
func ParseUserPool(arn string) (UserPool, error) {
	parts := strings.SplitN(arn, ":", 6)
	if len(parts) == 6 && parts[0] == "arn" && parts[2] == "cognito-idp" && parts[3] != "" {
		if id, ok := strings.CutPrefix(parts[5], "userpool/"); ok && id != "" && !strings.Contains(id, "/") {
			return UserPool{Region: parts[3], ID: id}, nil
		}
	}
	// Gantry's text: AWS's is unrecorded.
	return UserPool{}, newError(ErrInvalidProvider, "Invalid provider ARN specified: %s", arn)
}

// TestRequest is a TestInvokeAuthorizer request: a simulated call of a
// method that uses the authorizer.
type TestRequest struct {
	Headers             map[string]string
	MultiValueHeaders   map[string][]string
	PathWithQueryString string
	Body                string
	StageVariables      map[string]string
	AdditionalContext   map[string]string
}

// TestResult is what TestInvokeAuthorizer answers: the status a caller
// would get (200 when authorized, else 401, 403 or 500), the principal and
// policy the authorizer returned, and for Cognito the token's claims.
type TestResult struct {
	ClientStatus  int
	Log           string
	LatencyMillis int64
	PrincipalID   string
	Policy        string
	Authorization map[string][]string
	Claims        map[string]string
}
