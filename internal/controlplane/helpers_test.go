package controlplane_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/apigateway"
	"github.com/aws/smithy-go"

	"github.com/gantryproject/gantry/internal/controlplane"
	"github.com/gantryproject/gantry/internal/store/sqlite"
)

// newServer starts a control plane over a fresh in-memory store.
func newServer(t testing.TB) *httptest.Server {
	t.Helper()
	st, err := sqlite.OpenMemory()
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(controlplane.New(st, controlplane.Options{}))
	t.Cleanup(func() {
		srv.Close()
		st.Close()
	})
	return srv
}

// newClient returns an aws-sdk-go-v2 client for srv, signing as accessKey in
// region.
func newClient(srv *httptest.Server, accessKey, region string) *apigateway.Client {
	return apigateway.New(apigateway.Options{
		BaseEndpoint:     aws.String(srv.URL),
		Region:           region,
		Credentials:      credentials.NewStaticCredentialsProvider(accessKey, "secret", ""),
		RetryMaxAttempts: 1,
		HTTPClient:       srv.Client(),
	})
}

// setup returns a client of the default account in us-east-1.
func setup(t testing.TB) (*apigateway.Client, *httptest.Server) {
	srv := newServer(t)
	return newClient(srv, "test", "us-east-1"), srv
}

// createAPI creates a REST API and returns its id.
func createAPI(t testing.TB, c *apigateway.Client, name string) string {
	t.Helper()
	out, err := c.CreateRestApi(context.Background(), &apigateway.CreateRestApiInput{Name: aws.String(name)})
	if err != nil {
		t.Fatalf("CreateRestApi: %v", err)
	}
	return *out.Id
}

// wantAPIError checks that err is an AWS error with the given HTTP status,
// code and message.
func wantAPIError(t *testing.T, err error, status int, code, message string) {
	t.Helper()
	if err == nil {
		t.Fatalf("got no error, want %d %s %q", status, code, message)
	}
	var apiErr smithy.APIError
	if !errors.As(err, &apiErr) {
		t.Fatalf("got %v, want an API error", err)
	}
	var respErr *awshttp.ResponseError
	if errors.As(err, &respErr) && respErr.HTTPStatusCode() != status {
		t.Errorf("status: got %d, want %d", respErr.HTTPStatusCode(), status)
	}
	if apiErr.ErrorCode() != code {
		t.Errorf("code: got %s, want %s", apiErr.ErrorCode(), code)
	}
	if apiErr.ErrorMessage() != message {
		t.Errorf("message:\n got %q\nwant %q", apiErr.ErrorMessage(), message)
	}
}

func ctx() context.Context { return context.Background() }

var _ = http.StatusOK
