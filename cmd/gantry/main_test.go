package main

import (
	"net/http"
	"testing"
)

func TestLambdaConfig(t *testing.T) {
	t.Setenv("AWS_ACCESS_KEY_ID", "AKIDEXAMPLE")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "secret")
	t.Setenv("AWS_SESSION_TOKEN", "")
	cfg, err := lambdaConfig("http://127.0.0.1:9000", "orders=http://127.0.0.1:9001", "eu-west-1")
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Endpoint != "http://127.0.0.1:9000" || cfg.Endpoints["orders"] != "http://127.0.0.1:9001" || cfg.Region != "eu-west-1" || cfg.Credentials == nil {
		t.Fatalf("got %+v", cfg)
	}
	if _, err := lambdaConfig("", "orders", ""); err == nil {
		t.Fatal("a malformed -lambda-endpoints was accepted")
	}
	t.Setenv("AWS_ACCESS_KEY_ID", "")
	if cfg, _ := lambdaConfig("", "", ""); cfg.Credentials != nil {
		t.Fatal("credentials without AWS_ACCESS_KEY_ID")
	}
}

func TestServePprof(t *testing.T) {
	for _, addr := range []string{"0.0.0.0:0", ":0", "192.0.2.1:0", "example.com:0", "127.0.0.1"} {
		if _, err := servePprof(addr); err == nil {
			t.Errorf("servePprof(%q) accepted an address that is not loopback", addr)
		}
	}
	addr, err := servePprof("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.Get("http://" + addr.String() + "/debug/pprof/cmdline")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET /debug/pprof/cmdline: %s", resp.Status)
	}
}
