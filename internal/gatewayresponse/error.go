package gatewayresponse

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// Error is a data-plane rejection: the gateway response type it produces and
// what rendering it needs. The data plane creates one for every request it
// answers itself (routing miss, authorizer denial, throttling, validation
// failure, integration failure, ...) and hands it to [Responses.Write].
//
// Create Errors with [NewError], [Errorf] or [MissingParameters]; the zero
// values of the optional fields mean "the type's default".
type Error struct {
	// Type is the gateway response type, e.g. MissingAuthenticationToken.
	Type Type

	// Status is the error's intrinsic HTTP status, sent when no customization
	// sets a statusCode. 0 means the type's runtime default (reference §3.2):
	// the status AWS answers with at run time, which differs from the
	// control plane's DefaultStatus for INTEGRATION_FAILURE (500, not 504;
	// reference §4.3), DEFAULT_4XX (400) and DEFAULT_5XX (500). Set it when the
	// cause dictates another status, e.g. 502 for a Lambda function error.
	// A value outside 200-599 counts as 0.
	Status int

	// Message is $context.error.message. nil renders as JSON null in
	// $context.error.messageString, which is what AWS sends for
	// AUTHORIZER_CONFIGURATION_ERROR: {"message":null}.
	Message *string

	// ErrorType is the x-amzn-ErrorType header. "" means the type's default
	// from reference §3.2, e.g. MissingAuthenticationTokenException.
	ErrorType string

	// ValidationErrorString is $context.error.validationErrorString, the
	// request validator's detail for BAD_REQUEST_BODY, e.g.
	// [object has missing required properties (["name"])]. It is rendered as
	// is, not JSON-escaped, as on AWS.
	ValidationErrorString string

	// Close makes the response carry "Connection: close", as AWS does on some
	// late-stage 500s (reference §3.1).
	Close bool

	// Body, when set, replaces the built-in body sent when nothing
	// customizes the type, for errors whose recorded AWS bytes differ from
	// the default rendering: a malformed Lambda proxy response's 502 says
	// {"message": "Internal server error"}, with a space (reference §3.2).
	// A customization renders its own template as usual.
	Body []byte

	// Err is the underlying cause, for logs only; it is never rendered.
	Err error
}

// Error describes e for logs: type, status if set, message, validation detail
// and cause.
func (e *Error) Error() string {
	if e == nil {
		return "gatewayresponse: <nil>"
	}
	var b strings.Builder
	b.WriteString(string(e.Type))
	if e.Status != 0 {
		b.WriteString(" (")
		b.WriteString(strconv.Itoa(e.Status))
		b.WriteString(")")
	}
	b.WriteString(": ")
	if e.Message != nil {
		b.WriteString(*e.Message)
	} else {
		b.WriteString("<null message>")
	}
	if e.ValidationErrorString != "" {
		b.WriteString(" ")
		b.WriteString(e.ValidationErrorString)
	}
	if e.Err != nil {
		b.WriteString(": ")
		b.WriteString(e.Err.Error())
	}
	return b.String()
}

// Unwrap returns the underlying cause, so that errors.Is and errors.As see it.
func (e *Error) Unwrap() error {
	if e == nil {
		return nil
	}
	return e.Err
}

// MessageString is $context.error.messageString: the message as a JSON string
// literal (quotes included), or null when Message is nil. Access logs need the
// same value that templates render.
func (e *Error) MessageString() string {
	if e == nil || e.Message == nil {
		return "null"
	}
	return string(appendJSONString(nil, *e.Message))
}

// NewError returns an Error of type t with t's default message (reference
// §3.2), e.g. NewError(MissingAuthenticationToken) renders
// {"message":"Missing Authentication Token"}. Its Status, ErrorType and other
// fields are left to their defaults.
func NewError(t Type) *Error {
	// One allocation holds the Error and its own copy of the message, so that
	// writing through Message never changes the package's defaults.
	x := &struct {
		e   Error
		msg string
	}{e: Error{Type: t}}
	if b := builtinFor(t); b.message != nil {
		x.msg = *b.message
		x.e.Message = &x.msg
	}
	return &x.e
}

// Errorf returns an Error of type t whose message is formatted as by
// fmt.Errorf. The message is sent to the client; when format wraps errors
// with %w, the result also carries them in Err (for errors.Is / errors.As).
// Causes that must not reach the client belong in [Error.WithCause] instead.
func Errorf(t Type, format string, args ...any) *Error {
	err := fmt.Errorf(format, args...)
	e := &Error{Type: t}
	msg := err.Error()
	e.Message = &msg
	switch err.(type) {
	case interface{ Unwrap() error }, interface{ Unwrap() []error }:
		e.Err = err
	}
	return e
}

// MissingParameters returns the BAD_REQUEST_PARAMETERS error of a request
// validator, with AWS's message listing the missing (or blank) parameters
// comma-space separated, e.g. "Missing required request parameters: [q1, x-h]"
// (reference §3.2).
func MissingParameters(names ...string) *Error {
	return Errorf(BadRequestParameters, "Missing required request parameters: [%s]", strings.Join(names, ", "))
}

// WithMessage sets e's message and returns e.
func (e *Error) WithMessage(msg string) *Error {
	e.Message = &msg
	return e
}

// WithNullMessage sets e's message to null ({"message":null}) and returns e.
func (e *Error) WithNullMessage() *Error {
	e.Message = nil
	return e
}

// WithStatus sets e's intrinsic status and returns e.
func (e *Error) WithStatus(status int) *Error {
	e.Status = status
	return e
}

// WithCause sets the underlying cause (never rendered) and returns e.
func (e *Error) WithCause(err error) *Error {
	e.Err = err
	return e
}

// AsError returns the *Error in err's chain, if any.
func AsError(err error) (*Error, bool) {
	var e *Error
	ok := errors.As(err, &e)
	return e, ok && e != nil
}
