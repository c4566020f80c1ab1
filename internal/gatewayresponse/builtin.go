package gatewayresponse

import "strconv"

// builtin is what the data plane sends for a type that nothing customizes
// (reference §3.2).
type builtin struct {
	// status is the runtime default status.
	status int
	// message is the default $context.error.message (nil = null).
	message *string
	// errorType is the default x-amzn-ErrorType.
	errorType string

	// body and length are the precomputed rendering of the built-in body
	// with the default message, and its Content-Length.
	body   []byte
	length string
	// capitalM marks ACCESS_DENIED, whose built-in body is {"Message":...}.
	capitalM bool
}

// requestTooLargeMessage is AWS's plain-text 413 body (reference §3.2, [AWS-REC]).
const requestTooLargeMessage = "HTTP content length exceeded 10485760 bytes."

func str(s string) *string { return &s }

var builtins = func() map[Type]*builtin {
	m := map[Type]*builtin{
		MissingAuthenticationToken: {status: 403, message: str("Missing Authentication Token"), errorType: "MissingAuthenticationTokenException"},
		Unauthorized:               {status: 401, message: str("Unauthorized"), errorType: "UnauthorizedException"},
		// The body key is "Message" (capital M) on the wire, as recorded
		// from real AWS, although the control plane shows the lowercase
		// default template (reference §3.2, §4.5).
		AccessDenied: {status: 403, message: str("User is not authorized to access this resource with an explicit deny"), errorType: "AccessDeniedException", capitalM: true},
		// {"message":null}: "message is set to None by default in AWS"
		// (reference §3.2, [AWS-REC]).
		AuthorizerConfigurationError: {status: 500, errorType: "AuthorizerConfigurationException"},
		// Body and x-amzn-ErrorType are unknown for AUTHORIZER_FAILURE
		// (reference §3.2 [UNK]): we assume a null message like
		// AUTHORIZER_CONFIGURATION_ERROR, and LocalStack's guess
		// AuthorizerFailureException.
		AuthorizerFailure: {status: 500, errorType: "AuthorizerFailureException"},
		InvalidAPIKey:     {status: 403, message: str("Forbidden"), errorType: "ForbiddenException"},
		// AWS usually appends canonical-request details to this message;
		// the data plane's SigV4 check may pass a longer one.
		InvalidSignature: {status: 403, message: str("The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details."), errorType: "InvalidSignatureException"},
		ExpiredToken:     {status: 403, message: str("The security token included in the request is expired"), errorType: "ExpiredTokenException"},
		// The runtime status is 500, not the control plane's 504: AWS answers
		// with the integration error's own status (500, or 502 for a Lambda
		// function error, which the data plane passes in Error.Status).
		// Reference §4.3; https://docs.aws.amazon.com/apigateway/latest/developerguide/supported-gateway-response-types.html
		IntegrationFailure:    {status: 500, message: str("Internal server error"), errorType: "InternalServerErrorException"},
		IntegrationTimeout:    {status: 504, message: str("Endpoint request timed out"), errorType: "InternalServerErrorException"},
		APIConfigurationError: {status: 500, message: str("Internal server error"), errorType: "InternalServerErrorException"},
		UnsupportedMediaType:  {status: 415, message: str("Unsupported Media Type"), errorType: "BadRequestException"},
		// The data plane passes the real list through MissingParameters.
		BadRequestParameters: {status: 400, message: str("Missing required request parameters: []"), errorType: "BadRequestException"},
		BadRequestBody:       {status: 400, message: str("Invalid request body"), errorType: "BadRequestException"},
		// x-amzn-ErrorType of the plain-text 413 is unknown (reference §3.2
		// [UNK]); none is sent.
		RequestTooLarge: {status: 413, message: str(requestTooLargeMessage)},
		Throttled:       {status: 429, message: str("Too Many Requests"), errorType: "TooManyRequestsException"},
		QuotaExceeded:   {status: 429, message: str("Limit Exceeded"), errorType: "LimitExceededException"},
		// Body and x-amzn-ErrorType of WAF_FILTERED are inferred (reference
		// §3.2 [INF]/[UNK]).
		WAFFiltered: {status: 403, message: str("Forbidden"), errorType: "ForbiddenException"},
		// RESOURCE_NOT_FOUND is documented only abstractly; message and
		// x-amzn-ErrorType are guesses (reference §3.2 [UNK]).
		ResourceNotFound: {status: 404, message: str("Not Found"), errorType: "NotFoundException"},
		// Direct DEFAULT_5XX errors (e.g. malformed Lambda proxy output) send
		// the error's own status; 500 when none is given.
		Default5XX: {status: 500, message: str("Internal server error"), errorType: "InternalServerErrorException"},
		// Direct DEFAULT_4XX errors normally carry their own message; "Bad
		// Request" is our guess for when they do not.
		Default4XX: {status: 400, message: str("Bad Request"), errorType: "BadRequestException"},
	}
	for _, b := range m {
		if b.message != nil && *b.message == requestTooLargeMessage {
			b.body = []byte(requestTooLargeMessage)
		} else {
			b.body = appendDefaultBody(nil, b.capitalM, b.message)
		}
		b.length = strconv.Itoa(len(b.body))
	}
	return m
}()

// appendDefaultBody renders DefaultTemplate, {"message":$context.error.messageString},
// or ACCESS_DENIED's {"Message":...} variant.
func appendDefaultBody(dst []byte, capitalM bool, msg *string) []byte {
	if capitalM {
		dst = append(dst, `{"Message":`...)
	} else {
		dst = append(dst, `{"message":`...)
	}
	if msg == nil {
		dst = append(dst, "null"...)
	} else {
		dst = appendJSONString(dst, *msg)
	}
	return append(dst, '}')
}

// builtinFor returns t's built-in defaults. An unknown type gets DEFAULT_5XX's.
func builtinFor(t Type) *builtin {
	if b, ok := builtins[t]; ok {
		return b
	}
	return builtins[Default5XX]
}

// normalize maps a type outside the 21 to the DEFAULT type of its status
// class, so that a programming error in the data plane still yields a
// well-formed response.
func normalize(t Type, status int) Type {
	if _, ok := builtins[t]; ok {
		return t
	}
	if status >= 400 && status < 500 {
		return Default4XX
	}
	return Default5XX
}
