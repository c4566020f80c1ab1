// Package sigv4test signs requests with botocore, the signer of the AWS CLI
// and boto3, for tests of Gantry's SigV4 verification.
package sigv4test

import (
	_ "embed"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"
)

//go:embed botocore_sign.py
var script string

// Case is one request for botocore to sign and send.
type Case struct {
	Name    string            `json:"name"`
	Method  string            `json:"method"`
	Path    string            `json:"path"` // appended to the base URL, query included, already percent-encoded
	Headers map[string]string `json:"headers,omitempty"`
	Body    string            `json:"body,omitempty"`
	Key     string            `json:"key"`
	Secret  string            `json:"secret"`
	Token   string            `json:"token,omitempty"`
	Service string            `json:"service,omitempty"` // default execute-api
	Region  string            `json:"region,omitempty"`  // default us-east-1
	Presign bool              `json:"presign,omitempty"` // the X-Amz-* query form
}

// Result is what the server answered a Case.
type Result struct {
	Status int
	// Body is the first line of the response body.
	Body string
}

// Botocore signs each case with botocore (SigV4Auth, or SigV4QueryAuth when
// presigned) and sends it to base, returning the answers by case name. The
// test is skipped when python3 or botocore is missing, unless CI is set.
func Botocore(t testing.TB, base string, cases []Case) map[string]Result {
	t.Helper()
	if err := exec.Command("python3", "-c", "import botocore").Run(); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("python3 with botocore is required in CI: %v", err)
		}
		t.Skipf("python3 with botocore is not available: %v", err)
	}
	arg, err := json.Marshal(cases)
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("python3", "-c", script, base, string(arg))
	cmd.Env = append(os.Environ(), "AWS_CONFIG_FILE=/dev/null", "AWS_SHARED_CREDENTIALS_FILE=/dev/null", "NO_PROXY=*")
	out, err := cmd.Output()
	if err != nil {
		var stderr string
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			stderr = string(ee.Stderr)
		}
		t.Fatalf("botocore signer: %v\n%s", err, stderr)
	}
	res := map[string]Result{}
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		f := strings.SplitN(line, "\t", 3)
		if len(f) != 3 {
			t.Fatalf("botocore signer: unexpected output %q", line)
		}
		status, _ := strconv.Atoi(f[1])
		res[f[0]] = Result{Status: status, Body: f[2]}
	}
	return res
}
