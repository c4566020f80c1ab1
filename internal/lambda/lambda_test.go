package lambda_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/credentials"

	"github.com/gantryproject/gantry/internal/lambda"
	"github.com/gantryproject/gantry/internal/lambda/lambdatest"
)

func echo(_ context.Context, inv lambdatest.Invocation) lambdatest.Response {
	return lambdatest.Response{Payload: inv.Payload}
}

func TestInvoke(t *testing.T) {
	srv := lambdatest.NewServer(t, func(ctx context.Context, inv lambdatest.Invocation) lambdatest.Response {
		switch inv.Function {
		case "fails":
			return lambdatest.Error("Error", "boom")
		case "missing":
			return lambdatest.NotFound(inv.Function)
		}
		return echo(ctx, inv)
	})
	c, err := lambda.New(lambda.Config{Endpoint: srv.URL})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()

	t.Run("success", func(t *testing.T) {
		res, err := c.Invoke(ctx, "arn:aws:lambda:eu-west-1:123456789012:function:echo", []byte(`{"a":1}`))
		if err != nil {
			t.Fatal(err)
		}
		if res.StatusCode != 200 || string(res.Payload) != `{"a":1}` || res.FunctionError != "" || res.ExecutedVersion != "$LATEST" {
			t.Fatalf("got %+v", res)
		}
		inv := srv.Last(t)
		if inv.Function != "arn:aws:lambda:eu-west-1:123456789012:function:echo" {
			t.Errorf("function %q", inv.Function)
		}
		// Signed for the ARN's region.
		if auth := inv.Header.Get("Authorization"); !strings.Contains(auth, "/eu-west-1/lambda/aws4_request") {
			t.Errorf("Authorization %q, want a eu-west-1 lambda scope", auth)
		}
		if got := inv.Header.Get("X-Amz-Invocation-Type"); got != "RequestResponse" {
			t.Errorf("X-Amz-Invocation-Type %q", got)
		}
	})
	t.Run("function error", func(t *testing.T) {
		res, err := c.Invoke(ctx, "fails", []byte(`{}`))
		if err != nil {
			t.Fatal(err)
		}
		if res.FunctionError != lambda.FunctionErrorUnhandled || !bytes.Contains(res.Payload, []byte(`"errorMessage":"boom"`)) {
			t.Fatalf("got %+v", res)
		}
		if auth := srv.Last(t).Header.Get("Authorization"); !strings.Contains(auth, "/"+lambda.DefaultRegion+"/lambda/") {
			t.Errorf("Authorization %q, want the default region", auth)
		}
	})
	t.Run("event", func(t *testing.T) {
		res, err := c.InvokeWith(ctx, "echo", []byte(`{"async":true}`), lambda.Options{InvocationType: lambda.InvocationEvent, ClientContext: "e30="})
		if err != nil {
			t.Fatal(err)
		}
		if res.StatusCode != 202 || len(res.Payload) != 0 {
			t.Fatalf("got %+v, want 202 without payload", res)
		}
		inv := srv.Last(t)
		if inv.Header.Get("X-Amz-Invocation-Type") != "Event" || inv.Header.Get("X-Amz-Client-Context") != "e30=" || string(inv.Payload) != `{"async":true}` {
			t.Fatalf("invocation %v %s", inv.Header, inv.Payload)
		}
	})
	t.Run("service error", func(t *testing.T) {
		_, err := c.Invoke(ctx, "missing", []byte(`{}`))
		var ie *lambda.InvokeError
		if !errors.As(err, &ie) {
			t.Fatalf("got %v, want an *InvokeError", err)
		}
		if ie.StatusCode != 404 || ie.Code != "ResourceNotFoundException" {
			t.Fatalf("got status %d code %q", ie.StatusCode, ie.Code)
		}
	})
}

func TestInvokeConnectionRefused(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	c, err := lambda.New(lambda.Config{Endpoint: "http://" + addr})
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.Invoke(context.Background(), "fn", nil)
	var ie *lambda.InvokeError
	if !errors.As(err, &ie) || ie.StatusCode != 0 {
		t.Fatalf("got %v, want an *InvokeError without status", err)
	}
}

func TestInvokeContextDeadline(t *testing.T) {
	srv := lambdatest.NewServer(t, func(ctx context.Context, inv lambdatest.Invocation) lambdatest.Response {
		select {
		case <-ctx.Done():
		case <-time.After(5 * time.Second):
		}
		return echo(ctx, inv)
	})
	c, err := lambda.New(lambda.Config{Endpoint: srv.URL})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err = c.Invoke(ctx, "slow", nil)
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("got %v, want context.DeadlineExceeded", err)
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Fatalf("took %v", d)
	}
}

func TestEndpointOverrides(t *testing.T) {
	a := lambdatest.NewServer(t, echo)
	b := lambdatest.NewServer(t, echo)
	d := lambdatest.NewServer(t, echo)
	c, err := lambda.New(lambda.Config{
		Endpoint: d.URL,
		Endpoints: map[string]string{
			"orders": a.URL,
			"arn:aws:lambda:us-east-1:123456789012:function:users": b.URL,
			"pets:live": b.URL,
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		fn   string
		want *lambdatest.Server
	}{
		{"orders", a},
		{"orders:prod", a},
		{"arn:aws:lambda:eu-west-1:111111111111:function:orders", a},
		{"111111111111:function:orders:1", a},
		{"arn:aws:lambda:us-east-1:123456789012:function:users", b},
		{"arn:aws:lambda:us-east-1:999999999999:function:users", d},
		{"users", d},
		{"pets:live", b},
		{"arn:aws:lambda:us-east-1:123456789012:function:pets:live", b},
		{"pets", d},
		{"other", d},
	}
	for _, tt := range tests {
		t.Run(tt.fn, func(t *testing.T) {
			if got := c.Endpoint(tt.fn); got != tt.want.URL {
				t.Fatalf("Endpoint(%q) = %s, want %s", tt.fn, got, tt.want.URL)
			}
			before := len(tt.want.Invocations())
			if _, err := c.Invoke(context.Background(), tt.fn, []byte(`{}`)); err != nil {
				t.Fatal(err)
			}
			if len(tt.want.Invocations()) != before+1 {
				t.Fatalf("invocation did not reach %s", tt.want.URL)
			}
		})
	}
}

func TestNewRejectsBadEndpoints(t *testing.T) {
	for _, cfg := range []lambda.Config{
		{Endpoint: "127.0.0.1:9000"},
		{Endpoint: "ftp://x"},
		{Endpoints: map[string]string{"fn": "/relative"}},
		{Endpoints: map[string]string{"": "http://127.0.0.1:9000"}},
	} {
		if _, err := lambda.New(cfg); err == nil {
			t.Errorf("New(%+v) succeeded", cfg)
		}
	}
}

func TestPayloadLimit(t *testing.T) {
	big := bytes.Repeat([]byte("x"), lambda.MaxPayloadBytes+1)
	srv := lambdatest.NewServer(t, func(context.Context, lambdatest.Invocation) lambdatest.Response {
		return lambdatest.Response{Payload: big}
	})
	c, err := lambda.New(lambda.Config{Endpoint: srv.URL})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Invoke(context.Background(), "big", nil); !errors.Is(err, lambda.ErrPayloadTooLarge) {
		t.Fatalf("got %v, want ErrPayloadTooLarge", err)
	}
}

func TestParseFunction(t *testing.T) {
	tests := []struct {
		in   string
		want lambda.FunctionRef
	}{
		{"my-function", lambda.FunctionRef{Name: "my-function"}},
		{"my-function:live", lambda.FunctionRef{Name: "my-function", Qualifier: "live"}},
		{"123456789012:function:my-function", lambda.FunctionRef{Name: "my-function", Account: "123456789012"}},
		{"123456789012:function:my-function:2", lambda.FunctionRef{Name: "my-function", Qualifier: "2", Account: "123456789012"}},
		{"arn:aws:lambda:us-west-2:123456789012:function:my-function", lambda.FunctionRef{Name: "my-function", Region: "us-west-2", Account: "123456789012"}},
		{"arn:aws-cn:lambda:cn-north-1:123456789012:function:f:$LATEST", lambda.FunctionRef{Name: "f", Qualifier: "$LATEST", Region: "cn-north-1", Account: "123456789012"}},
		{"a:b:c:d:e", lambda.FunctionRef{Name: "a:b:c:d:e"}},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			if got := lambda.ParseFunction(tt.in); got != tt.want {
				t.Fatalf("got %+v, want %+v", got, tt.want)
			}
		})
	}
}

func TestFunctionFromURI(t *testing.T) {
	tests := []struct {
		uri, want string
		ok        bool
	}{
		{"arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:123456789012:function:f/invocations", "arn:aws:lambda:us-east-1:123456789012:function:f", true},
		{"arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:123456789012:function:${stageVariables.fn}/invocations", "arn:aws:lambda:us-east-1:123456789012:function:${stageVariables.fn}", true},
		{"arn:aws:apigateway:eu-west-1:lambda:path/2015-03-31/functions/${stageVariables.fn}/invocations", "${stageVariables.fn}", true},
		{"arn:aws:apigateway:us-east-1:s3:path/bucket/key", "", false},
		{"arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions//invocations", "", false},
		{"arn:aws:apigateway:us-east-1:lambda:action/Invoke", "", false},
		{"https://example.com", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.uri, func(t *testing.T) {
			got, err := lambda.FunctionFromURI(tt.uri)
			if tt.ok != (err == nil) || got != tt.want {
				t.Fatalf("got %q, %v; want %q (ok=%v)", got, err, tt.want, tt.ok)
			}
			if err != nil && !errors.Is(err, lambda.ErrNotLambdaURI) {
				t.Fatalf("error %v is not ErrNotLambdaURI", err)
			}
		})
	}
}

func TestParseEndpoints(t *testing.T) {
	got, err := lambda.ParseEndpoints(" orders=http://127.0.0.1:9001, arn:aws:lambda:us-east-1:1:function:u=http://127.0.0.1:9002 ,")
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got["orders"] != "http://127.0.0.1:9001" || got["arn:aws:lambda:us-east-1:1:function:u"] != "http://127.0.0.1:9002" {
		t.Fatalf("got %v", got)
	}
	for _, bad := range []string{"orders", "=http://x", "orders=", "orders=localhost:9000"} {
		if _, err := lambda.ParseEndpoints(bad); err == nil {
			t.Errorf("ParseEndpoints(%q) succeeded", bad)
		}
	}
	if got, err := lambda.ParseEndpoints(""); err != nil || len(got) != 0 {
		t.Fatalf("empty: %v %v", got, err)
	}
}

// roundTripFunc is an http.RoundTripper made of a function.
type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

// TestInvokeAWS checks that without an endpoint a function goes to AWS
// Lambda in its ARN's region, signed with the configured credentials. The
// transport stands in for the network.
func TestInvokeAWS(t *testing.T) {
	var got *http.Request
	c, err := lambda.New(lambda.Config{
		Credentials: credentials.NewStaticCredentialsProvider("AKIDEXAMPLE", "secret", "session-token"),
		Transport: roundTripFunc(func(r *http.Request) (*http.Response, error) {
			got = r
			return &http.Response{StatusCode: 200, Header: http.Header{"X-Amz-Executed-Version": {"7"}},
				Body: io.NopCloser(strings.NewReader(`"ok"`)), Request: r}, nil
		}),
	})
	if err != nil {
		t.Fatal(err)
	}
	res, err := c.Invoke(context.Background(), "arn:aws:lambda:eu-west-1:123456789012:function:orders:live", []byte(`{}`))
	if err != nil {
		t.Fatal(err)
	}
	if res.ExecutedVersion != "7" || string(res.Payload) != `"ok"` {
		t.Errorf("result %+v", res)
	}
	if got.URL.Host != "lambda.eu-west-1.amazonaws.com" || got.URL.Scheme != "https" {
		t.Errorf("sent to %s", got.URL)
	}
	if p := got.URL.EscapedPath(); !strings.HasPrefix(p, "/2015-03-31/functions/") || !strings.HasSuffix(p, "/invocations") {
		t.Errorf("path %s", p)
	}
	auth := got.Header.Get("Authorization")
	if !strings.Contains(auth, "Credential=AKIDEXAMPLE/") || !strings.Contains(auth, "/eu-west-1/lambda/aws4_request") {
		t.Errorf("Authorization %q", auth)
	}
	if got.Header.Get("X-Amz-Security-Token") != "session-token" {
		t.Errorf("session token not sent")
	}
}
