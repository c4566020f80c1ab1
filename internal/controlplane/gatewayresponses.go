package controlplane

import (
	"maps"

	"github.com/gantryproject/gantry/internal/awserr"
	gr "github.com/gantryproject/gantry/internal/gatewayresponse"
	"github.com/gantryproject/gantry/internal/model"
	"github.com/gantryproject/gantry/internal/patch"
	"github.com/gantryproject/gantry/internal/store"
)

// gatewayResponseJSON is the wire form of the GatewayResponse shape. _links
// appears only in the HAL representation.
type gatewayResponseJSON struct {
	Links              map[string]any    `json:"_links,omitempty"`
	ResponseType       string            `json:"responseType"`
	StatusCode         string            `json:"statusCode,omitempty"`
	ResponseParameters map[string]string `json:"responseParameters"`
	ResponseTemplates  map[string]string `json:"responseTemplates"`
	DefaultResponse    bool              `json:"defaultResponse"`
}

func gatewayResponseOut(r gr.Response) gatewayResponseJSON {
	return gatewayResponseJSON{
		ResponseType:       string(r.Type),
		StatusCode:         r.StatusCode,
		ResponseParameters: r.ResponseParameters,
		ResponseTemplates:  r.ResponseTemplates,
		DefaultResponse:    r.DefaultResponse,
	}
}

// responseType reads and checks the {response_type} label. AWS validates it
// before looking the API up, as input validation.
func (c *call) responseType() (gr.Type, error) {
	s := c.params["response_type"]
	t, ok := gr.Parse(s)
	if !ok {
		allowed := make([]string, len(gr.EnumMessageOrder))
		for i, t := range gr.EnumMessageOrder {
			allowed[i] = string(t)
		}
		var v awserr.Validation
		v.Enum("responseType", s, allowed)
		return "", v.Err()
	}
	return t, nil
}

// customizations reads an API's gateway-response customizations, failing with
// AWS's text when the API does not exist.
func customizations(tx store.ReadTx, scope model.Scope, apiID string) (map[string]model.GatewayResponse, error) {
	if _, err := loadAPI(tx, scope, apiID); err != nil {
		return nil, err
	}
	return tx.GatewayResponses(apiID)
}

func (h *Handler) getGatewayResponse(c *call) (any, error) {
	t, err := c.responseType()
	if err != nil {
		return nil, err
	}
	apiID := c.params["restapi_id"]
	var out gatewayResponseJSON
	err = h.store.View(c.r.Context(), c.scope, func(tx store.ReadTx) error {
		custom, err := customizations(tx, c.scope, apiID)
		out = gatewayResponseOut(gr.View(t, custom))
		return err
	})
	if err != nil {
		return nil, err
	}
	if c.wantsHAL() {
		out.Links = halItemLinks(apiID, t, !out.DefaultResponse, true)
	}
	return out, nil
}

type gatewayResponsesJSON struct {
	Links    map[string]any        `json:"_links,omitempty"`
	Embedded map[string]any        `json:"_embedded,omitempty"`
	Position string                `json:"position,omitempty"`
	Items    []gatewayResponseJSON `json:"item,omitempty"`
}

// getGatewayResponses lists all 21 types. AWS accepts limit and position but
// ignores them and returns the whole collection without a position.
func (h *Handler) getGatewayResponses(c *call) (any, error) {
	if _, err := c.limit(); err != nil {
		return nil, err
	}
	apiID := c.params["restapi_id"]
	items := make([]gatewayResponseJSON, 0, len(gr.ListOrder))
	err := h.store.View(c.r.Context(), c.scope, func(tx store.ReadTx) error {
		custom, err := customizations(tx, c.scope, apiID)
		for _, t := range gr.ListOrder {
			items = append(items, gatewayResponseOut(gr.View(t, custom)))
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	if c.wantsHAL() {
		return halCollection(apiID, items), nil
	}
	return gatewayResponsesJSON{Items: items}, nil
}

type putGatewayResponseInput struct {
	StatusCode         *string           `json:"statusCode"`
	ResponseParameters map[string]string `json:"responseParameters"`
	ResponseTemplates  map[string]string `json:"responseTemplates"`
}

// putGatewayResponse replaces the whole customization of a type: fields the
// request omits revert to the type's built-in defaults (not to the previous
// customization, nor to DEFAULT_4XX/5XX), as recorded from real AWS.
func (h *Handler) putGatewayResponse(c *call) (any, error) {
	t, err := c.responseType()
	if err != nil {
		return nil, err
	}
	var in putGatewayResponseInput
	if err := c.decode(&in); err != nil {
		return nil, err
	}
	custom := model.GatewayResponse{
		Type:               string(t),
		ResponseParameters: in.ResponseParameters,
		ResponseTemplates:  in.ResponseTemplates,
	}
	if in.StatusCode != nil {
		if !gr.ValidStatusCode(*in.StatusCode) {
			var v awserr.Validation
			v.Pattern("putGatewayResponseInput.statusCode", *in.StatusCode, `[1-5]\d\d`)
			return nil, v.Err()
		}
		custom.StatusCode = *in.StatusCode
	}
	if custom.ResponseParameters == nil {
		custom.ResponseParameters = map[string]string{}
	}
	if err := gr.ValidateParameters(custom.ResponseParameters); err != nil {
		return nil, awserr.BadRequest("%s", err)
	}
	if len(custom.ResponseTemplates) == 0 {
		// An empty map counts as omitted: the default template applies.
		custom.ResponseTemplates = map[string]string{gr.DefaultMediaType: gr.DefaultTemplate}
	}
	err = h.store.Update(c.r.Context(), c.scope, func(tx store.Tx) error {
		if _, err := loadAPI(tx, c.scope, c.params["restapi_id"]); err != nil {
			return err
		}
		return tx.PutGatewayResponse(c.params["restapi_id"], custom)
	})
	if err != nil {
		return nil, err
	}
	return gatewayResponseOut(gr.View(t, map[string]model.GatewayResponse{string(t): custom})), nil
}

// updateGatewayResponse applies a PATCH document. Patching a type that is not
// customized starts from its built-in default and creates a customization,
// as on AWS. Every operation is checked before anything is stored.
func (h *Handler) updateGatewayResponse(c *call) (any, error) {
	t, err := c.responseType()
	if err != nil {
		return nil, err
	}
	ops, _, err := c.patchOps("updateGatewayResponseInput", false)
	if err != nil {
		return nil, err
	}
	apiID := c.params["restapi_id"]
	var result model.GatewayResponse
	err = h.store.Update(c.r.Context(), c.scope, func(tx store.Tx) error {
		custom, err := customizations(tx, c.scope, apiID)
		if err != nil {
			return err
		}
		cur, ok := custom[string(t)]
		if !ok {
			cur = model.GatewayResponse{
				Type:              string(t),
				ResponseTemplates: map[string]string{gr.DefaultMediaType: gr.DefaultTemplate},
			}
		}
		cur.ResponseParameters = maps.Clone(cur.ResponseParameters)
		if cur.ResponseParameters == nil {
			cur.ResponseParameters = map[string]string{}
		}
		cur.ResponseTemplates = maps.Clone(cur.ResponseTemplates)
		if cur.ResponseTemplates == nil {
			cur.ResponseTemplates = map[string]string{}
		}
		for _, op := range ops {
			if err := patchGatewayResponse(&cur, op); err != nil {
				return err
			}
		}
		if err := gr.ValidateParameters(cur.ResponseParameters); err != nil {
			return awserr.BadRequest("%s", err)
		}
		result = cur
		return tx.PutGatewayResponse(apiID, cur)
	})
	if err != nil {
		return nil, err
	}
	return gatewayResponseOut(gr.View(t, map[string]model.GatewayResponse{string(t): result})), nil
}

// patchGatewayResponse applies one operation, following AWS's PATCH
// reference for GatewayResponse: replace on /statusCode; add, replace and
// remove on /responseParameters/<key> and /responseTemplates/<media type>.
func patchGatewayResponse(cur *model.GatewayResponse, o patch.Operation) error {
	if o.Path == nil {
		return patch.InvalidPath(o)
	}
	segs := patch.Segments(*o.Path)
	op := o.OpName()
	if op == "" {
		return patch.InvalidOp()
	}
	if len(segs) == 1 && segs[0] == "statusCode" {
		if op != patch.Replace {
			return patch.InvalidPath(o)
		}
		if o.Value == nil || *o.Value == "" {
			return awserr.BadRequest("Invalid null or empty value in statusCode")
		}
		if !gr.ValidStatusCode(*o.Value) {
			return awserr.BadRequest("Invalid status code specified: %s. Status code must match [1-5]\\d\\d", *o.Value)
		}
		cur.StatusCode = *o.Value
		return nil
	}
	if len(segs) != 2 || segs[1] == "" {
		return patch.InvalidPath(o)
	}
	var m map[string]string
	switch segs[0] {
	case "responseParameters":
		m = cur.ResponseParameters
	case "responseTemplates":
		m = cur.ResponseTemplates
	default:
		return patch.InvalidPath(o)
	}
	key := segs[1]
	switch op {
	case patch.Add, patch.Replace:
		if _, exists := m[key]; op == patch.Replace && !exists {
			return awserr.NotFound("Invalid parameter name specified")
		}
		if o.Value == nil || *o.Value == "" {
			return awserr.BadRequest("Invalid null or empty value in %s", segs[0])
		}
		m[key] = *o.Value
	case patch.Remove:
		// Removing an absent key is a no-op (AWS's answer is unrecorded).
		delete(m, key)
	default:
		return patch.InvalidPath(o)
	}
	return nil
}

func (h *Handler) deleteGatewayResponse(c *call) (any, error) {
	t, err := c.responseType()
	if err != nil {
		return nil, err
	}
	apiID := c.params["restapi_id"]
	return nil, h.store.Update(c.r.Context(), c.scope, func(tx store.Tx) error {
		if _, err := loadAPI(tx, c.scope, apiID); err != nil {
			return err
		}
		return notFoundAs(tx.DeleteGatewayResponse(apiID, string(t)), awserr.NotFound("Gateway response type not defined on api"))
	})
}

func (h *Handler) gatewayResponseOps(m map[string]opFunc) {
	m["PutGatewayResponse"] = h.putGatewayResponse
	m["GetGatewayResponse"] = h.getGatewayResponse
	m["GetGatewayResponses"] = h.getGatewayResponses
	m["UpdateGatewayResponse"] = h.updateGatewayResponse
	m["DeleteGatewayResponse"] = h.deleteGatewayResponse
}
