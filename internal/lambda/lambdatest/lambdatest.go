// Package lambdatest provides a Lambda Invoke endpoint for tests: a real HTTP
// server on loopback speaking the Invoke API's wire protocol
// (POST /2015-03-31/functions/{FunctionName}/invocations, the payload as the
// body, the function's result as the response body, X-Amz-Function-Error on
// function errors, service errors as x-amzn-ErrorType + JSON), backed by Go
// functions the test supplies.
package lambdatest

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
)

// Invocation is one call the server received.
type Invocation struct {
	// Function is the FunctionName path parameter, decoded.
	Function string
	// Payload is the request body.
	Payload []byte
	// Header is the request's header (Authorization, X-Amz-Date,
	// X-Amz-Invocation-Type, ...).
	Header http.Header
}

// Response is what a Handler answers.
type Response struct {
	// Payload is the response body: the function's result, or its error
	// object when FunctionError is set.
	Payload []byte
	// FunctionError, when set, is sent as X-Amz-Function-Error
	// (Unhandled or Handled), with status 200 as Lambda does.
	FunctionError string
	// Status, when set, makes the answer a Lambda service error with this
	// status; ErrorType names it (x-amzn-ErrorType) and Payload is its
	// body.
	Status    int
	ErrorType string
}

// Handler answers one invocation. ctx ends when the caller goes away.
type Handler func(ctx context.Context, inv Invocation) Response

// Result answers with v encoded as JSON, as a function returning v does.
func Result(v any) Response {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return Response{Payload: b}
}

// Error answers as a function that failed with message and errorType does:
// status 200, X-Amz-Function-Error: Unhandled, and the runtime's error
// object {"errorMessage":...,"errorType":...} as the payload.
func Error(errorType, message string) Response {
	b, _ := json.Marshal(map[string]any{"errorMessage": message, "errorType": errorType})
	return Response{Payload: b, FunctionError: "Unhandled"}
}

// NotFound answers as Lambda does for a function that does not exist: 404
// ResourceNotFoundException.
func NotFound(function string) Response {
	b, _ := json.Marshal(map[string]string{"Type": "User", "message": "Function not found: " + function})
	return Response{Status: http.StatusNotFound, ErrorType: "ResourceNotFoundException", Payload: b}
}

// Server is a running Invoke endpoint.
type Server struct {
	*httptest.Server

	mu    sync.Mutex
	calls []Invocation
}

const pathPrefix = "/2015-03-31/functions/"

// NewServer starts an Invoke endpoint on 127.0.0.1 answering with h, and
// closes it when the test ends. Requests that are not Invoke calls get 404
// (wrong path) or 405 (wrong method) and do not reach h; an Event
// invocation runs h and answers 202 with no payload, a DryRun answers 204
// without running h; Invoke calls without a SigV4 signature fail the test.
func NewServer(t testing.TB, h Handler) *Server {
	t.Helper()
	s := &Server{}
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fn, ok := strings.CutPrefix(r.URL.Path, pathPrefix)
		if ok {
			fn, ok = strings.CutSuffix(fn, "/invocations")
		}
		if !ok || fn == "" {
			http.NotFound(w, r)
			return
		}
		if r.Method != http.MethodPost {
			w.WriteHeader(http.StatusMethodNotAllowed)
			return
		}
		it := r.Header.Get("X-Amz-Invocation-Type")
		switch it {
		case "", "RequestResponse", "Event", "DryRun":
		default:
			t.Errorf("lambdatest: invocation type %q", it)
		}
		if !strings.HasPrefix(r.Header.Get("Authorization"), "AWS4-HMAC-SHA256 ") {
			t.Errorf("lambdatest: invocation of %s is not signed with SigV4", fn)
		}
		body, err := io.ReadAll(r.Body)
		if err != nil {
			return
		}
		inv := Invocation{Function: fn, Payload: body, Header: r.Header.Clone()}
		s.mu.Lock()
		s.calls = append(s.calls, inv)
		s.mu.Unlock()
		switch it {
		case "Event":
			// Queued: Lambda answers at once. The handler runs here,
			// before the answer, so that tests see its effects.
			h(context.WithoutCancel(r.Context()), inv)
			w.WriteHeader(http.StatusAccepted)
			return
		case "DryRun":
			w.WriteHeader(http.StatusNoContent)
			return
		}
		resp := h(r.Context(), inv)
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("X-Amz-Executed-Version", "$LATEST")
		w.Header().Set("X-Amzn-Requestid", "8f5c1d2e-0000-4000-8000-000000000000")
		if resp.Status != 0 {
			w.Header().Del("X-Amz-Executed-Version")
			if resp.ErrorType != "" {
				w.Header().Set("X-Amzn-Errortype", resp.ErrorType)
			}
			w.Header().Set("Content-Length", strconv.Itoa(len(resp.Payload)))
			w.WriteHeader(resp.Status)
			w.Write(resp.Payload)
			return
		}
		if resp.FunctionError != "" {
			w.Header().Set("X-Amz-Function-Error", resp.FunctionError)
		}
		w.Header().Set("Content-Length", strconv.Itoa(len(resp.Payload)))
		w.WriteHeader(http.StatusOK)
		w.Write(resp.Payload)
	}))
	t.Cleanup(s.Close)
	return s
}

// Invocations returns the calls received so far, oldest first.
func (s *Server) Invocations() []Invocation {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Invocation(nil), s.calls...)
}

// Last returns the most recent call; it fails the test if there was none.
func (s *Server) Last(t testing.TB) Invocation {
	t.Helper()
	calls := s.Invocations()
	if len(calls) == 0 {
		t.Fatal("lambdatest: no invocation received")
	}
	return calls[len(calls)-1]
}
