// Package awserr defines the errors of the API Gateway control plane and the
// one function that writes them on the wire in AWS's restjson form: the HTTP
// status, an x-amzn-ErrorType header naming the error code, and a JSON body
// {"message": "..."}.
package awserr

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
)

// Error is an AWS API error.
type Error struct {
	// Code is the error type sent in x-amzn-ErrorType, e.g. NotFoundException.
	Code string
	// Status is the HTTP status code.
	Status int
	// Message is the human-readable text sent as the body's "message".
	Message string
	// RetryAfter, when positive, is sent as a Retry-After header (seconds).
	RetryAfter int
}

func (e *Error) Error() string { return e.Code + ": " + e.Message }

func newf(code string, status int, format string, args []any) *Error {
	msg := format
	if len(args) > 0 {
		msg = fmt.Sprintf(format, args...)
	}
	return &Error{Code: code, Status: status, Message: msg}
}

// BadRequest is a 400 BadRequestException.
func BadRequest(format string, args ...any) *Error {
	return newf("BadRequestException", http.StatusBadRequest, format, args)
}

// NotFound is a 404 NotFoundException.
func NotFound(format string, args ...any) *Error {
	return newf("NotFoundException", http.StatusNotFound, format, args)
}

// Conflict is a 409 ConflictException.
func Conflict(format string, args ...any) *Error {
	return newf("ConflictException", http.StatusConflict, format, args)
}

// LimitExceeded is a 429 LimitExceededException.
func LimitExceeded(format string, args ...any) *Error {
	return newf("LimitExceededException", http.StatusTooManyRequests, format, args)
}

// NotImplemented is the 501 answer for an API Gateway operation that Gantry
// does not serve yet. The code is Gantry's own: AWS serves every operation.
func NotImplemented(operation string) *Error {
	return &Error{Code: "NotImplementedException", Status: http.StatusNotImplemented,
		Message: "Gantry does not implement the API Gateway operation " + operation + " yet"}
}

// UnknownOperation is the 404 answer for a request that names no API Gateway
// operation (an unknown path, or a method the path does not take).
func UnknownOperation(method, path string) *Error {
	return &Error{Code: "UnknownOperationException", Status: http.StatusNotFound,
		Message: "No API Gateway operation matches " + method + " " + path}
}

// TooLarge is the 413 answer for a request body over the control plane's limit.
func TooLarge(limit int64) *Error {
	return &Error{Code: "RequestEntityTooLargeException", Status: http.StatusRequestEntityTooLarge,
		Message: "Request body exceeds the limit of " + strconv.FormatInt(limit, 10) + " bytes"}
}

// Validation collects constraint violations and reports them as AWS's
// framework-level ValidationException, whose text is
//
//	1 validation error detected: Value 'X' at 'member' failed to satisfy constraint: Member must ...
//
// with one "Value ... failed to satisfy constraint: ..." clause per violation,
// joined by "; ".
type Validation struct {
	clauses []string
}

// Enum records that value at member is not one of allowed.
func (v *Validation) Enum(member, value string, allowed []string) {
	v.clauses = append(v.clauses, fmt.Sprintf("Value '%s' at '%s' failed to satisfy constraint: Member must satisfy enum value set: [%s]",
		value, member, strings.Join(allowed, ", ")))
}

// Pattern records that value at member does not match the regular expression.
func (v *Validation) Pattern(member, value, pattern string) {
	v.clauses = append(v.clauses, fmt.Sprintf("Value '%s' at '%s' failed to satisfy constraint: Member must satisfy regular expression pattern: %s",
		value, member, pattern))
}

// NotNull records that a required member is missing.
func (v *Validation) NotNull(member string) {
	v.clauses = append(v.clauses, fmt.Sprintf("Value null at '%s' failed to satisfy constraint: Member must not be null", member))
}

// Max records that a numeric member exceeds its maximum.
func (v *Validation) Max(member string, value, max int64) {
	v.clauses = append(v.clauses, fmt.Sprintf("Value '%d' at '%s' failed to satisfy constraint: Member must have value less than or equal to %d",
		value, member, max))
}

// Min records that a numeric member is below its minimum.
func (v *Validation) Min(member string, value, min int64) {
	v.clauses = append(v.clauses, fmt.Sprintf("Value '%d' at '%s' failed to satisfy constraint: Member must have value greater than or equal to %d",
		value, member, min))
}

// Err returns the ValidationException, or nil when nothing was recorded.
func (v *Validation) Err() error {
	if len(v.clauses) == 0 {
		return nil
	}
	noun := "errors"
	if len(v.clauses) == 1 {
		noun = "error"
	}
	return &Error{Code: "ValidationException", Status: http.StatusBadRequest,
		Message: fmt.Sprintf("%d validation %s detected: %s", len(v.clauses), noun, strings.Join(v.clauses, "; "))}
}

// Write renders err as an AWS error response. It is the only place the
// control plane writes errors. An err that is not an *Error is an internal
// fault and becomes a 500 InternalFailure whose text does not leak details.
func Write(w http.ResponseWriter, err error) {
	var e *Error
	if !errors.As(err, &e) {
		e = &Error{Code: "InternalFailure", Status: http.StatusInternalServerError,
			Message: "The request processing has failed because of an unknown error, exception or failure."}
	}
	body, _ := json.Marshal(struct {
		Message string `json:"message"`
	}{e.Message})
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h["x-amzn-ErrorType"] = []string{e.Code} // AWS's spelling, not Go's canonical form
	h.Set("Content-Length", strconv.Itoa(len(body)))
	if e.RetryAfter > 0 {
		h.Set("Retry-After", strconv.Itoa(e.RetryAfter))
	}
	w.WriteHeader(e.Status)
	w.Write(body)
}
