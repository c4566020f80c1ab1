// Package mediatype holds the one rule API Gateway applies to Accept
// headers wherever it chooses a representation (integration response
// templates, gateway response templates, binary responses): only the first
// media type counts.
//
// Reference: https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-known-issues.html
// ("API Gateway ... uses the first Accept header ... to determine the
// response"), recorded in the team's behaviour reference (AWS-KNOWN).
package mediatype

import "strings"

// FirstAccepted returns the first media type of an Accept header, without
// its parameters and surrounding space: "text/html;q=0.9, application/json"
// gives "text/html". Case is kept; compare case-insensitively.
func FirstAccepted(accept string) string {
	if i := strings.IndexByte(accept, ','); i >= 0 {
		accept = accept[:i]
	}
	if i := strings.IndexByte(accept, ';'); i >= 0 {
		accept = accept[:i]
	}
	return strings.TrimSpace(accept)
}
