package authorizer

import (
	"errors"
	"reflect"
	"testing"
)

func TestParseSources(t *testing.T) {
	cases := []struct {
		list  string
		token bool
		want  []Source
		err   error
	}{
		{"method.request.header.Authorization", true, []Source{{SourceHeader, "Authorization", "method.request.header.Authorization"}}, nil},
		{"", true, nil, nil},
		{"method.request.querystring.t", true, nil, ErrInvalidSource},
		{"method.request.header.a,method.request.header.b", true, nil, ErrInvalidSource},
		{"method.request.header.A, method.request.querystring.q ,stageVariables.s,context.requestId", false, []Source{
			{SourceHeader, "A", "method.request.header.A"}, {SourceQueryString, "q", "method.request.querystring.q"},
			{SourceStageVariable, "s", "stageVariables.s"}, {SourceContext, "requestId", "context.requestId"}}, nil},
		{"method.request.path.id", false, nil, ErrInvalidSource},
		{"method.request.header.", false, nil, ErrInvalidSource},
		{"method.request.header.a b", false, nil, ErrInvalidSource},
	}
	for _, c := range cases {
		got, err := ParseSources(c.list, c.token)
		if !errors.Is(err, c.err) || !reflect.DeepEqual(got, c.want) {
			t.Errorf("ParseSources(%q, %v) = %+v, %v; want %+v, %v", c.list, c.token, got, err, c.want, c.err)
		}
	}
}

func TestFunctionOf(t *testing.T) {
	fn, err := FunctionOf("arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:123456789012:function:auth/invocations")
	if err != nil || fn != "arn:aws:lambda:us-east-1:123456789012:function:auth" {
		t.Errorf("got %q %v", fn, err)
	}
	for _, uri := range []string{"", "arn:aws:lambda:us-east-1:1:function:f", "arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/x/y/invocations",
		"arn:aws:apigateway:us-east-1:s3:path/b/k"} {
		if _, err := FunctionOf(uri); !errors.Is(err, ErrInvalidURI) {
			t.Errorf("%q: %v", uri, err)
		}
	}
}

func TestParseUserPool(t *testing.T) {
	p, err := ParseUserPool("arn:aws:cognito-idp:eu-west-1:123456789012:userpool/eu-west-1_abc")
	if err != nil || p != (UserPool{Region: "eu-west-1", ID: "eu-west-1_abc"}) {
		t.Errorf("got %+v %v", p, err)
	}
	for _, arn := range []string{"", "arn:aws:cognito-idp:eu-west-1:1:identitypool/x", "arn:aws:iam::1:userpool/x", "arn:aws:cognito-idp::1:userpool/x"} {
		if _, err := ParseUserPool(arn); !errors.Is(err, ErrInvalidProvider) {
			t.Errorf("%q: %v", arn, err)
		}
	}
}
