package dataplane

import (
	"net"
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

// parseAddress recognises an invocation of a deployed stage from the
// request's host and escaped path. ok is false for every other request
// (those belong to the control plane).
func parseAddress(host, raw string) (a address, ok bool) {
	if strings.IndexByte(host, ':') >= 0 { // else SplitHostPort fails, allocating its error
		if h, _, err := net.SplitHostPort(host); err == nil {
			host = h
		}
	}
	host = strings.ToLower(host)
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
		a.stage, a.path = cutStage(rest)
		return a, true
	}
	if rest, found := strings.CutPrefix(raw, restAPIsPrefix); found {
		// /restapis/{id}/{stage}/_user_request_/{path}: the third segment
		// tells an invocation from a control-plane call such as
		// /restapis/{id}/stages/{name}.
		id, rest, ok1 := strings.Cut(rest, "/")
		stage, rest, ok2 := strings.Cut(rest, "/")
		segment, _, ok3 := strings.Cut(rest, "/")
		if !ok1 || !ok2 || segment != userRequestSegment || id == "" {
			return a, false
		}
		a.apiID, a.stage, a.domainName = id, stage, id+hostSuffix
		a.path = "/"
		if ok3 {
			a.path = rest[len(segment):] // from the "/" after _user_request_
		}
		return a, true
	}
	return a, false
}

// splitStage splits "/{stage}/{path}" into the stage and "/{path}".
func splitStage(raw string) (stage, path string) {
	return cutStage(strings.TrimPrefix(raw, "/"))
}

// cutStage splits "{stage}/{path}" into the stage and "/{path}" ("/" when
// there is no path), slicing s without copying.
func cutStage(s string) (stage, path string) {
	if i := strings.IndexByte(s, '/'); i >= 0 {
		return s[:i], s[i:]
	}
	return s, "/"
}
