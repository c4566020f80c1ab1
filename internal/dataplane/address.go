package dataplane

import (
	"net"
	"net/http"
	"strings"
)

// Invocation addresses. A deployed stage answers at three forms of address,
// the ones LocalStack users already have in their configurations:
//
//	http://{api-id}.execute-api.localhost:4566/{stage}/{path}
//	http://{api-id}.execute-api.localhost.localstack.cloud:4566/{stage}/{path}
//	http://localhost:4566/restapis/{api-id}/{stage}/_user_request_/{path}
//	http://localhost:4566/_aws/execute-api/{api-id}/{stage}/{path}
const (
	hostSuffix           = ".execute-api.localhost"
	localstackHostSuffix = ".execute-api.localhost.localstack.cloud"
	userRequestSegment   = "_user_request_"
	executeAPIPrefix     = "/_aws/execute-api/"
	restAPIsPrefix       = "/restapis/"
)

// address is a parsed invocation address.
type address struct {
	apiID string
	stage string
	// path is the escaped path below the stage, always starting with "/".
	path string
	// domainName is what $context.domainName reports.
	domainName string
}

// parseAddress recognises an invocation of a deployed stage. ok is false for
// every other request (those belong to the control plane).
func parseAddress(r *http.Request) (a address, ok bool) {
	host := r.Host
	if h, _, err := net.SplitHostPort(host); err == nil {
		host = h
	}
	host = strings.ToLower(host)
	raw := r.URL.EscapedPath()
	for _, suffix := range [...]string{hostSuffix, localstackHostSuffix} {
		if id, found := strings.CutSuffix(host, suffix); found && id != "" && !strings.Contains(id, ".") {
			a.apiID, a.domainName = id, host
			a.stage, a.path = splitStage(raw)
			return a, true
		}
	}
	if rest, found := strings.CutPrefix(raw, executeAPIPrefix); found {
		id, rest, _ := strings.Cut(rest, "/")
		if id == "" {
			return a, false
		}
		a.apiID, a.domainName = id, id+hostSuffix
		a.stage, a.path = splitStage("/" + rest)
		return a, true
	}
	if rest, found := strings.CutPrefix(raw, restAPIsPrefix); found {
		// /restapis/{id}/{stage}/_user_request_/{path}: the third segment
		// tells an invocation from a control-plane call such as
		// /restapis/{id}/stages/{name}.
		parts := strings.SplitN(rest, "/", 4)
		if len(parts) < 3 || parts[2] != userRequestSegment || parts[0] == "" {
			return a, false
		}
		a.apiID, a.stage, a.domainName = parts[0], parts[1], parts[0]+hostSuffix
		a.path = "/"
		if len(parts) == 4 {
			a.path += parts[3]
		}
		return a, true
	}
	return a, false
}

// splitStage splits "/{stage}/{path}" into the stage and "/{path}".
func splitStage(raw string) (stage, path string) {
	raw = strings.TrimPrefix(raw, "/")
	stage, path, _ = strings.Cut(raw, "/")
	return stage, "/" + path
}
