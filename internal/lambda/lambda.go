// Package lambda invokes AWS Lambda functions synchronously through the
// Lambda Invoke API (POST /2015-03-31/functions/{FunctionName}/invocations,
// invocation type RequestResponse), for the data plane's Lambda integrations
// and Lambda authorizers.
//
// Gantry does not run functions itself: it calls a Lambda-compatible Invoke
// endpoint. That can be AWS Lambda itself (requests are signed with SigV4
// using the configured credentials), the Lambda Runtime Interface Emulator
// inside a function's container image (http://127.0.0.1:9000 serves the same
// path for any function name), or another emulator. One default endpoint
// serves every function; per-function overrides send some functions
// elsewhere.
//
// Reference: https://docs.aws.amazon.com/lambda/latest/api/API_Invoke.html
package lambda

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/credentials"
	sdk "github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/lambda/types"
	"github.com/aws/smithy-go"
)

// DefaultRegion is the region used to sign requests for a function given by
// name rather than by ARN, when Config.Region is empty.
const DefaultRegion = "us-east-1"

// MaxPayloadBytes bounds the response payload Gantry accepts from an Invoke
// endpoint: 10 MiB, API Gateway's own payload limit (AWS Lambda itself
// returns at most 6 MB from a synchronous invocation).
const MaxPayloadBytes = 10 << 20

// Function errors, the values of the X-Amz-Function-Error response header.
const (
	// FunctionErrorUnhandled marks an error the runtime caught: an
	// exception the handler did not handle, a timeout, a crash.
	FunctionErrorUnhandled = "Unhandled"
	// FunctionErrorHandled marks an error the handler returned itself
	// (older runtimes send it; newer ones send Unhandled for both).
	FunctionErrorHandled = "Handled"
)

// Result is the outcome of an invocation that reached the function.
type Result struct {
	// StatusCode is the HTTP status of the Invoke response: 200 for a
	// RequestResponse invocation, even when the function failed.
	StatusCode int
	// Payload is the function's response, or its error object
	// ({"errorMessage":...,"errorType":...}) when FunctionError is set.
	Payload []byte
	// FunctionError is the X-Amz-Function-Error header: "" when the
	// function succeeded, else FunctionErrorUnhandled or
	// FunctionErrorHandled (or another value an emulator sends).
	FunctionError string
	// ExecutedVersion is the version of the function that ran, when the
	// endpoint reports it.
	ExecutedVersion string
}

// Invoker invokes functions synchronously. *Client implements it; the data
// plane and authorizers depend only on this interface.
type Invoker interface {
	// Invoke calls function (a name, a name with a :qualifier, a partial
	// or a full ARN) with payload and returns its result. An error means
	// the invocation did not produce a function result: the endpoint
	// could not be reached, refused the call (an *InvokeError), or ctx
	// ended. A function that ran and failed is a Result with
	// FunctionError set, not an error.
	Invoke(ctx context.Context, function string, payload []byte) (Result, error)
}

// Invocation types, the values of the X-Amz-Invocation-Type header.
const (
	// InvocationRequestResponse runs the function and waits for its
	// result (the default).
	InvocationRequestResponse = "RequestResponse"
	// InvocationEvent queues the function for asynchronous execution; the
	// Invoke API answers 202 with an empty payload.
	InvocationEvent = "Event"
	// InvocationDryRun only checks that the call would be allowed; the
	// Invoke API answers 204.
	InvocationDryRun = "DryRun"
)

// Options are the Invoke API's optional request headers, which a non-proxy
// Lambda integration may set through its request parameter mappings
// (integration.request.header.X-Amz-Invocation-Type = 'Event' makes the
// call asynchronous).
type Options struct {
	// InvocationType is X-Amz-Invocation-Type; "" means
	// InvocationRequestResponse.
	InvocationType string
	// ClientContext is X-Amz-Client-Context: base64-encoded JSON passed to
	// the function's context object.
	ClientContext string
}

// OptionsInvoker is an Invoker that also takes Options. *Client implements
// it.
type OptionsInvoker interface {
	Invoker
	// InvokeWith is Invoke with options.
	InvokeWith(ctx context.Context, function string, payload []byte, opts Options) (Result, error)
}

// Config configures a Client. Its zero value sends every invocation to AWS
// Lambda in the function's region, signed with the test credentials
// "test"/"test" (which AWS rejects: set Credentials to call AWS).
type Config struct {
	// Endpoint is the default Invoke endpoint, e.g. http://127.0.0.1:9000;
	// "" means AWS Lambda's endpoint in the function's region.
	Endpoint string
	// Endpoints are per-function overrides of Endpoint, keyed by function
	// name or by ARN. A full ARN key matches only that ARN (qualifier
	// included); a name key matches the function by name in any account
	// and region, with or without a qualifier ("name:alias" keys match
	// only that qualifier).
	Endpoints map[string]string
	// Region signs invocations of functions given by name; "" means
	// DefaultRegion. Functions given by ARN are signed for the ARN's
	// region.
	Region string
	// Credentials sign the requests; nil means static test credentials
	// (access key "test", secret "test"), which local emulators accept.
	Credentials aws.CredentialsProvider
	// Transport sends the requests; nil means a pooled transport without
	// a proxy from the environment.
	Transport http.RoundTripper
}

// Client invokes functions through the Lambda Invoke API. It is safe for
// concurrent use.
type Client struct {
	cfg     Config
	http    *limitedClient
	creds   aws.CredentialsProvider
	clients sync.Map // clientKey → *sdk.Client
}

var _ OptionsInvoker = (*Client)(nil)

type clientKey struct{ endpoint, region string }

// New returns a Client for cfg. It fails if an endpoint is not an absolute
// http or https URL.
func New(cfg Config) (*Client, error) {
	if cfg.Endpoint != "" {
		if err := checkEndpoint(cfg.Endpoint); err != nil {
			return nil, err
		}
	}
	for fn, ep := range cfg.Endpoints {
		if fn == "" {
			return nil, errors.New("lambda: endpoint override without a function name")
		}
		if err := checkEndpoint(ep); err != nil {
			return nil, fmt.Errorf("lambda: endpoint of %s: %w", fn, err)
		}
	}
	if cfg.Region == "" {
		cfg.Region = DefaultRegion
	}
	c := &Client{cfg: cfg, creds: cfg.Credentials}
	if c.creds == nil {
		c.creds = credentials.NewStaticCredentialsProvider("test", "test", "")
	}
	rt := cfg.Transport
	if rt == nil {
		rt = &http.Transport{
			DialContext:         (&net.Dialer{Timeout: 10 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
			MaxIdleConns:        256,
			MaxIdleConnsPerHost: 64,
			IdleConnTimeout:     90 * time.Second,
			TLSHandshakeTimeout: 10 * time.Second,
			ForceAttemptHTTP2:   true,
		}
	}
	c.http = &limitedClient{client: &http.Client{Transport: rt}}
	return c, nil
}

func checkEndpoint(ep string) error {
	u, err := url.Parse(ep)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return fmt.Errorf("lambda: invalid endpoint %q: want an absolute http or https URL", ep)
	}
	return nil
}

// Endpoint returns the endpoint that invocations of function go to; "" means
// AWS Lambda's regional endpoint.
func (c *Client) Endpoint(function string) string {
	if len(c.cfg.Endpoints) > 0 {
		if ep, ok := c.cfg.Endpoints[function]; ok {
			return ep
		}
		ref := ParseFunction(function)
		if ref.Qualifier != "" {
			if ep, ok := c.cfg.Endpoints[ref.Name+":"+ref.Qualifier]; ok {
				return ep
			}
		}
		if ep, ok := c.cfg.Endpoints[ref.Name]; ok {
			return ep
		}
	}
	return c.cfg.Endpoint
}

// Invoke calls function synchronously (invocation type RequestResponse)
// with payload. See Invoker.
func (c *Client) Invoke(ctx context.Context, function string, payload []byte) (Result, error) {
	return c.InvokeWith(ctx, function, payload, Options{})
}

// InvokeWith calls function with payload and opts. With InvocationEvent the
// Result has status 202 and no payload once the call is queued.
func (c *Client) InvokeWith(ctx context.Context, function string, payload []byte, opts Options) (Result, error) {
	if function == "" {
		return Result{}, &InvokeError{Function: function, Err: errors.New("no function name")}
	}
	region := c.cfg.Region
	if r := ParseFunction(function).Region; r != "" {
		region = r
	}
	client := c.client(c.Endpoint(function), region)
	in := &sdk.InvokeInput{
		FunctionName:   aws.String(function),
		InvocationType: types.InvocationTypeRequestResponse,
		Payload:        payload,
	}
	if opts.InvocationType != "" {
		in.InvocationType = types.InvocationType(opts.InvocationType)
	}
	if opts.ClientContext != "" {
		in.ClientContext = aws.String(opts.ClientContext)
	}
	out, err := client.Invoke(ctx, in)
	if err != nil {
		return Result{}, invokeError(function, err)
	}
	return Result{
		StatusCode:      int(out.StatusCode),
		Payload:         out.Payload,
		FunctionError:   aws.ToString(out.FunctionError),
		ExecutedVersion: aws.ToString(out.ExecutedVersion),
	}, nil
}

func (c *Client) client(endpoint, region string) *sdk.Client {
	key := clientKey{endpoint, region}
	if v, ok := c.clients.Load(key); ok {
		return v.(*sdk.Client)
	}
	opts := sdk.Options{
		Region:      region,
		Credentials: c.creds,
		HTTPClient:  c.http,
		// One attempt: the caller's timeout bounds the invocation, and a
		// retried invocation would run the function twice.
		Retryer: aws.NopRetryer{},
	}
	if endpoint != "" {
		opts.BaseEndpoint = aws.String(endpoint)
	}
	v, _ := c.clients.LoadOrStore(key, sdk.New(opts))
	return v.(*sdk.Client)
}

// InvokeError is an invocation that produced no function result.
type InvokeError struct {
	// Function is the function as given to Invoke.
	Function string
	// StatusCode is the Invoke endpoint's HTTP status; 0 when no response
	// came (connection refused, timeout, cancelled).
	StatusCode int
	// Code is the Lambda service error code, e.g. ResourceNotFoundException
	// or TooManyRequestsException; "" when there was none.
	Code string
	// Err is the underlying error.
	Err error
}

// Error describes the failed invocation.
func (e *InvokeError) Error() string {
	var b strings.Builder
	b.WriteString("lambda: invoking ")
	b.WriteString(e.Function)
	if e.StatusCode != 0 {
		fmt.Fprintf(&b, ": status %d", e.StatusCode)
	}
	if e.Code != "" {
		b.WriteString(" ")
		b.WriteString(e.Code)
	}
	if e.Err != nil {
		b.WriteString(": ")
		b.WriteString(e.Err.Error())
	}
	return b.String()
}

// Unwrap returns the underlying error.
func (e *InvokeError) Unwrap() error { return e.Err }

func invokeError(function string, err error) *InvokeError {
	e := &InvokeError{Function: function, Err: err}
	var re *awshttp.ResponseError
	if errors.As(err, &re) && re.Response != nil {
		e.StatusCode = re.Response.StatusCode
	}
	var api smithy.APIError
	if errors.As(err, &api) {
		e.Code = api.ErrorCode()
	}
	return e
}

// ErrPayloadTooLarge is returned (wrapped in an *InvokeError) when a response
// payload exceeds MaxPayloadBytes.
var ErrPayloadTooLarge = errors.New("lambda: response payload exceeds 10 MiB")

// limitedClient is the SDK's HTTP client, with response bodies bounded by
// MaxPayloadBytes.
type limitedClient struct{ client *http.Client }

func (l *limitedClient) Do(r *http.Request) (*http.Response, error) {
	resp, err := l.client.Do(r)
	if err != nil {
		return nil, err
	}
	resp.Body = &limitedBody{rc: resp.Body, left: MaxPayloadBytes}
	return resp, nil
}

type limitedBody struct {
	rc   io.ReadCloser
	left int64
}

func (b *limitedBody) Read(p []byte) (int, error) {
	if b.left < 0 {
		return 0, ErrPayloadTooLarge
	}
	if int64(len(p)) > b.left+1 {
		p = p[:b.left+1]
	}
	n, err := b.rc.Read(p)
	b.left -= int64(n)
	if b.left < 0 {
		return 0, ErrPayloadTooLarge
	}
	return n, err
}

func (b *limitedBody) Close() error { return b.rc.Close() }
