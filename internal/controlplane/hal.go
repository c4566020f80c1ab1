package controlplane

import (
	gr "github.com/gantryproject/gantry/internal/gatewayresponse"
)

// API Gateway's control plane is HAL-based: with Accept: application/hal+json
// it answers with _links and _embedded, as in the examples of AWS's API
// reference for GetGatewayResponse(s).

const halCurieHref = "http://docs.aws.amazon.com/apigateway/latest/developerguide/restapi-gatewayresponse-{rel}.html"

func halCurie() map[string]any {
	return map[string]any{"href": halCurieHref, "name": "gatewayresponse", "templated": true}
}

func href(h string) map[string]any { return map[string]any{"href": h} }

// halItemLinks builds a gateway response's _links. The delete link appears
// only on customized types; curies only at the top level of a document.
func halItemLinks(apiID string, t gr.Type, customized, topLevel bool) map[string]any {
	self := "/restapis/" + apiID + "/gatewayresponses/" + string(t)
	links := map[string]any{
		"self":                   href(self),
		"gatewayresponse:put":    map[string]any{"href": "/restapis/" + apiID + "/gatewayresponses/{response_type}", "templated": true},
		"gatewayresponse:update": href(self),
	}
	if customized {
		links["gatewayresponse:delete"] = href(self)
	}
	if topLevel {
		links["curies"] = halCurie()
	}
	return links
}

func halCollection(apiID string, items []gatewayResponseJSON) gatewayResponsesJSON {
	base := "/restapis/" + apiID + "/gatewayresponses"
	refs := make([]map[string]any, len(items))
	for i := range items {
		refs[i] = href(base + "/" + items[i].ResponseType)
		items[i].Links = halItemLinks(apiID, gr.Type(items[i].ResponseType), !items[i].DefaultResponse, false)
	}
	return gatewayResponsesJSON{
		Links: map[string]any{
			"curies":                  halCurie(),
			"self":                    href(base),
			"first":                   href(base),
			"gatewayresponse:by-type": map[string]any{"href": base + "/{response_type}", "templated": true},
			"item":                    refs,
		},
		Embedded: map[string]any{"item": items},
	}
}
