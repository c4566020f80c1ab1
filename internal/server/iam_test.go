package server

import (
	"bytes"
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/apigateway"
	"github.com/aws/aws-sdk-go-v2/service/apigateway/types"
	"github.com/aws/smithy-go"

	"github.com/gantryproject/gantry/internal/sigv4"
	"github.com/gantryproject/gantry/internal/sigv4/sigv4test"
)

var (
	bob = sigv4.Identity{AccessKeyID: "AKIABOB", SecretAccessKey: "bob-secret", AccountID: "111122223333",
		UserARN: "arn:aws:iam::111122223333:user/bob", UserID: "AIDABOB"}
	expired = sigv4.Identity{AccessKeyID: "ASIAOLD", SecretAccessKey: "old-secret", SessionToken: "old-token",
		Expiration: time.Now().Add(-time.Hour)}
)

func clientAs(base, key, secret, token string) *apigateway.Client {
	return apigateway.New(apigateway.Options{
		BaseEndpoint: aws.String(base), Region: "us-east-1", RetryMaxAttempts: 1,
		Credentials: credentials.NewStaticCredentialsProvider(key, secret, token),
	})
}

func errorCode(err error) string {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return ae.ErrorCode() + ": " + ae.ErrorMessage()
	}
	return ""
}

// TestStrictControlPlane runs Gantry in strict mode: the control plane
// verifies every request's signature against the credential store and
// places it in the signer's account.
func TestStrictControlPlane(t *testing.T) {
	live := sigv4.Identity{AccessKeyID: "ASIALIVE", SecretAccessKey: "live-secret", SessionToken: "live-token"}
	creds, err := sigv4.NewCredentials(bob, expired, live, sigv4.Identity{AccessKeyID: "test", SecretAccessKey: "test"})
	if err != nil {
		t.Fatal(err)
	}
	var logs lockedBuffer
	s := start(t, Config{Addr: "127.0.0.1:0", InMemory: true, Credentials: creds, StrictSigV4: true,
		Logger: slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))})
	defer s.Shutdown(context.Background())
	base := "http://" + s.Addr().String()
	ctx := context.Background()

	api, err := clientAs(base, bob.AccessKeyID, bob.SecretAccessKey, "").CreateRestApi(ctx, &apigateway.CreateRestApiInput{Name: aws.String("bobs")})
	if err != nil {
		t.Fatal(err)
	}
	// The API lives in bob's account (111122223333), not in test's.
	if _, err := clientAs(base, "test", "test", "").GetRestApi(ctx, &apigateway.GetRestApiInput{RestApiId: api.Id}); !strings.HasPrefix(errorCode(err), "NotFoundException: Invalid API identifier specified 000000000000:") {
		t.Errorf("another account sees bob's API: %v", err)
	}
	for _, tc := range []struct {
		name, key, secret, token, want string
	}{
		{"wrong secret", bob.AccessKeyID, "wrong", "", "InvalidSignatureException: The request signature we calculated does not match the signature you provided."},
		{"unknown key", "AKIANOBODY", "x", "", "UnrecognizedClientException: The security token included in the request is invalid."},
		{"expired session", expired.AccessKeyID, expired.SecretAccessKey, expired.SessionToken, "ExpiredTokenException: The security token included in the request is expired"},
		{"session with a wrong secret", live.AccessKeyID, "wrong", live.SessionToken, "InvalidSignatureException: The request signature we calculated does not match the signature you provided."},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := clientAs(base, tc.key, tc.secret, tc.token).GetRestApis(ctx, &apigateway.GetRestApisInput{})
			if got := errorCode(err); !strings.HasPrefix(got, tc.want) {
				t.Errorf("got %q, want %q", got, tc.want)
			}
			var re interface{ HTTPStatusCode() int }
			if errors.As(err, &re) && re.HTTPStatusCode() != 403 {
				t.Errorf("status %d", re.HTTPStatusCode())
			}
		})
	}
	for _, tc := range []struct {
		name, auth, wantType, wantBody string
	}{
		{"unsigned", "", "MissingAuthenticationTokenException", `{"message":"Missing Authentication Token"}`},
		{"bearer", "Bearer abc", "IncompleteSignatureException",
			`{"message":"'abc' not a valid key=value pair (missing equal-sign) in Authorization header: 'Bearer abc'."}`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			req, _ := http.NewRequest("GET", base+"/restapis", nil)
			if tc.auth != "" {
				req.Header.Set("Authorization", tc.auth)
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != 403 || resp.Header.Get("x-amzn-ErrorType") != tc.wantType || string(body) != tc.wantBody {
				t.Errorf("got %d %s %s", resp.StatusCode, resp.Header.Get("x-amzn-ErrorType"), body)
			}
		})
	}
	// AWS echoes the canonical request, session token included, to the
	// caller; the logs keep only the error code.
	if l := logs.String(); !strings.Contains(l, "error=InvalidSignatureException") || strings.Contains(l, "live-token") || strings.Contains(l, "secret") {
		t.Errorf("logs:\n%s", l)
	}
	t.Run("botocore", func(t *testing.T) {
		got := sigv4test.Botocore(t, base, []sigv4test.Case{
			{Name: "list", Method: "GET", Path: "/restapis?limit=5", Key: bob.AccessKeyID, Secret: bob.SecretAccessKey, Service: "apigateway", Headers: map[string]string{"Accept": "application/json"}},
			{Name: "create", Method: "POST", Path: "/restapis", Body: `{"name":"boto"}`, Key: bob.AccessKeyID, Secret: bob.SecretAccessKey, Service: "apigateway"},
			{Name: "wrong", Method: "GET", Path: "/restapis", Key: bob.AccessKeyID, Secret: "nope", Service: "apigateway"},
		})
		if got["list"].Status != 200 || !strings.Contains(got["list"].Body, `"bobs"`) || got["create"].Status != 201 || got["wrong"].Status != 403 {
			t.Errorf("got %+v", got)
		}
	})
}

// TestIAMMethodEndToEnd creates an AWS_IAM method with aws-sdk-go-v2 on a
// permissive Gantry, deploys it, and calls it unsigned and signed.
func TestIAMMethodEndToEnd(t *testing.T) {
	base, c := startWith(t, bob)
	ctx := context.Background()
	must := fatalIf(t)
	api, err := c.CreateRestApi(ctx, &apigateway.CreateRestApiInput{Name: aws.String("private")})
	must(err)
	id := api.Id
	_, err = c.PutMethod(ctx, &apigateway.PutMethodInput{RestApiId: id, ResourceId: api.RootResourceId, HttpMethod: aws.String("GET"), AuthorizationType: aws.String("AWS_IAM")})
	must(err)
	_, err = c.PutIntegration(ctx, &apigateway.PutIntegrationInput{RestApiId: id, ResourceId: api.RootResourceId, HttpMethod: aws.String("GET"),
		Type: types.IntegrationTypeMock, RequestTemplates: map[string]string{"application/json": `{"statusCode": 200}`}})
	must(err)
	_, err = c.PutMethodResponse(ctx, &apigateway.PutMethodResponseInput{RestApiId: id, ResourceId: api.RootResourceId, HttpMethod: aws.String("GET"), StatusCode: aws.String("200")})
	must(err)
	_, err = c.PutIntegrationResponse(ctx, &apigateway.PutIntegrationResponseInput{RestApiId: id, ResourceId: api.RootResourceId, HttpMethod: aws.String("GET"), StatusCode: aws.String("200"),
		ResponseTemplates: map[string]string{"application/json": `{"arn":"$context.identity.userArn"}`}})
	must(err)
	_, err = c.PutGatewayResponse(ctx, &apigateway.PutGatewayResponseInput{RestApiId: id, ResponseType: types.GatewayResponseTypeInvalidSignature,
		StatusCode: aws.String("401"), ResponseParameters: map[string]string{"gatewayresponse.header.Access-Control-Allow-Origin": "'*'"},
		ResponseTemplates: map[string]string{"application/json": `{"error":"$context.error.responseType"}`}})
	must(err)
	_, err = c.CreateDeployment(ctx, &apigateway.CreateDeploymentInput{RestApiId: id, StageName: aws.String("prod")})
	must(err)

	url := base + "/restapis/" + *id + "/prod/_user_request_/"
	call := func(sign func(*http.Request)) (int, string, http.Header) {
		req, _ := http.NewRequest("GET", url, nil)
		if sign != nil {
			sign(req)
		}
		resp, err := http.DefaultClient.Do(req)
		must(err)
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b), resp.Header
	}
	signAs := func(key, secret string) func(*http.Request) {
		return func(req *http.Request) {
			err := v4.NewSigner().SignHTTP(ctx, aws.Credentials{AccessKeyID: key, SecretAccessKey: secret}, req,
				"e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", "execute-api", "us-east-1", time.Now())
			must(err)
		}
	}
	if st, body, _ := call(nil); st != 403 || body != `{"message":"Missing Authentication Token"}` {
		t.Errorf("unsigned: %d %s", st, body)
	}
	// bob is of another account: without a resource policy that allows
	// him, he is refused, as on AWS (TestResourcePolicyEndToEnd admits him
	// with one).
	if st, body, h := call(signAs(bob.AccessKeyID, bob.SecretAccessKey)); st != 403 || h.Get("x-amzn-ErrorType") != "AccessDeniedException" ||
		!strings.HasPrefix(body, `{"Message":"User: arn:aws:iam::111122223333:user/bob is not authorized to perform: execute-api:Invoke`) {
		t.Errorf("signed by another account: %d %s", st, body)
	}
	if st, body, _ := call(signAs("test", "test")); st != 200 || body != `{"arn":"arn:aws:iam::000000000000:root"}` {
		t.Errorf("signed with test/test: %d %s", st, body)
	}
	if st, body, h := call(signAs(bob.AccessKeyID, "wrong")); st != 401 || body != `{"error":"INVALID_SIGNATURE"}` || h.Get("Access-Control-Allow-Origin") != "*" || h.Get("x-amzn-ErrorType") != "InvalidSignatureException" {
		t.Errorf("wrong secret: %d %s %v", st, body, h)
	}
}

// startWith starts a permissive in-memory Gantry whose credential store
// holds ids and test/test, and returns its base URL and an SDK client
// signing as test/test.
func startWith(t *testing.T, ids ...sigv4.Identity) (string, *apigateway.Client) {
	t.Helper()
	creds, err := sigv4.NewCredentials(append(ids, sigv4.Identity{AccessKeyID: "test", SecretAccessKey: "test"})...)
	if err != nil {
		t.Fatal(err)
	}
	s := start(t, Config{Addr: "127.0.0.1:0", InMemory: true, Credentials: creds})
	t.Cleanup(func() { s.Shutdown(context.Background()) })
	base := "http://" + s.Addr().String()
	return base, sdkClient(base)
}

// lockedBuffer is a log sink safe for concurrent writers.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}
