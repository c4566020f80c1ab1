package server

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/apigateway"
)

func start(t testing.TB, cfg Config) *Server {
	t.Helper()
	s, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	go s.Serve()
	return s
}

// sdkClient is an aws-sdk-go-v2 API Gateway client of the Gantry at base.
func sdkClient(base string) *apigateway.Client {
	return apigateway.New(apigateway.Options{
		BaseEndpoint: aws.String(base), Region: "us-east-1", RetryMaxAttempts: 1,
		Credentials: credentials.NewStaticCredentialsProvider("test", "test", ""),
	})
}

// fatalIf returns a function that ends the test on a non-nil error.
func fatalIf(t testing.TB) func(error) {
	return func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
}

func TestServeAndRestart(t *testing.T) {
	dir := t.TempDir()
	s := start(t, Config{Addr: "127.0.0.1:0", DataDir: dir})
	url := "http://" + s.Addr().String()
	resp, err := http.Post(url+"/restapis", "application/json", strings.NewReader(`{"name":"kept","tags":{"_custom_id_":"kept"}}`))
	if err != nil || resp.StatusCode != 201 {
		t.Fatalf("create: %v %v", resp, err)
	}
	resp.Body.Close()
	if err := s.Shutdown(context.Background()); err != nil {
		t.Fatal(err)
	}
	s = start(t, Config{Addr: "127.0.0.1:0", DataDir: dir})
	defer s.Shutdown(context.Background())
	resp, err = http.Get("http://" + s.Addr().String() + "/restapis/kept")
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("after restart: %v %v", resp, err)
	}
	resp.Body.Close()
}

func TestDefaultsStayOnLoopback(t *testing.T) {
	if !strings.HasPrefix(DefaultAddr, "127.0.0.1:") {
		t.Errorf("DefaultAddr %s must be loopback", DefaultAddr)
	}
}

// BenchmarkStartup measures start-up to the first served request with an
// empty store: opening (creating) the database, binding, and answering
// GetRestApis. Target: under 100 ms.
func BenchmarkStartup(b *testing.B) {
	for b.Loop() {
		b.StopTimer()
		dir := b.TempDir()
		b.StartTimer()
		s, err := New(Config{Addr: "127.0.0.1:0", DataDir: dir})
		if err != nil {
			b.Fatal(err)
		}
		go s.Serve()
		resp, err := http.Get("http://" + s.Addr().String() + "/restapis")
		if err != nil || resp.StatusCode != 200 {
			b.Fatal(err)
		}
		resp.Body.Close()
		b.StopTimer()
		s.Shutdown(context.Background())
		b.StartTimer()
	}
}
