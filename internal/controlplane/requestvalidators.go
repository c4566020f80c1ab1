package controlplane

import (
	"errors"

	"github.com/gantryproject/gantry/internal/awserr"
	"github.com/gantryproject/gantry/internal/ids"
	"github.com/gantryproject/gantry/internal/model"
	"github.com/gantryproject/gantry/internal/patch"
	"github.com/gantryproject/gantry/internal/store"
)

// AWS's texts for request validators, as LocalStack's AWS-validated tests
// record them.
const (
	msgValidatorNotFound = "Invalid Request Validator identifier specified"
	msgValidatorName     = "Request Validator name cannot be blank"
	// msgValidatorNameTaken is AWS's text for a name another validator of
	// the API has, as users quote it (serverless/serverless#10099); its
	// type, BadRequestException, is an inference.
	msgValidatorNameTaken = "Request Validator name must be unique"
)

func validatorNotFound() error { return awserr.NotFound(msgValidatorNotFound) }

// requestValidatorJSON is the wire form of the RequestValidator shape; both
// flags are always present.
type requestValidatorJSON struct {
	ID                        string `json:"id"`
	Name                      string `json:"name,omitempty"`
	ValidateRequestBody       bool   `json:"validateRequestBody"`
	ValidateRequestParameters bool   `json:"validateRequestParameters"`
}

func requestValidatorOut(v model.RequestValidator) requestValidatorJSON {
	return requestValidatorJSON(v)
}

func loadRequestValidator(tx store.ReadTx, scope model.Scope, apiID, id string) (model.RequestValidator, error) {
	if _, err := loadAPI(tx, scope, apiID); err != nil {
		return model.RequestValidator{}, err
	}
	v, err := tx.RequestValidator(apiID, id)
	return v, notFoundAs(err, validatorNotFound())
}

type createRequestValidatorInput struct {
	Name                      string `json:"name"`
	ValidateRequestBody       bool   `json:"validateRequestBody"`
	ValidateRequestParameters bool   `json:"validateRequestParameters"`
}

func (h *Handler) createRequestValidator(c *call) (any, error) {
	var in createRequestValidatorInput
	if err := c.decode(&in); err != nil {
		return nil, err
	}
	// Ids have 6 characters, as on AWS (Terraform's tests rely on it).
	v := model.RequestValidator{ID: ids.New(6), Name: in.Name,
		ValidateRequestBody: in.ValidateRequestBody, ValidateRequestParameters: in.ValidateRequestParameters}
	apiID := c.params["restapi_id"]
	err := h.store.Update(c.r.Context(), c.scope, func(tx store.Tx) error {
		if _, err := loadAPI(tx, c.scope, apiID); err != nil {
			return err
		}
		if err := checkValidatorNameFree(tx, apiID, v); err != nil {
			return err
		}
		return tx.CreateRequestValidator(apiID, v)
	})
	if err != nil {
		return nil, err
	}
	return requestValidatorOut(v), nil
}

func (h *Handler) getRequestValidator(c *call) (any, error) {
	var out requestValidatorJSON
	err := h.store.View(c.r.Context(), c.scope, func(tx store.ReadTx) error {
		v, err := loadRequestValidator(tx, c.scope, c.params["restapi_id"], c.params["requestvalidator_id"])
		out = requestValidatorOut(v)
		return err
	})
	return out, err
}

func (h *Handler) getRequestValidators(c *call) (any, error) {
	return pageOfAPI(h, c, store.ReadTx.RequestValidators,
		func(v model.RequestValidator) string { return v.ID }, requestValidatorOut)
}

// requestValidatorRules is the PATCH grammar of a request validator (AWS's
// PATCH reference: replace on /name, /validateRequestParameters and
// /validateRequestBody, listed in this order in AWS's message).
var requestValidatorRules = pathRules{
	{path: "/name", ops: []patch.Op{patch.Replace}},
	{path: "/validateRequestParameters", ops: []patch.Op{patch.Replace}},
	{path: "/validateRequestBody", ops: []patch.Op{patch.Replace}},
}

func (h *Handler) updateRequestValidator(c *call) (any, error) {
	ops, _, err := c.patchOps("updateRequestValidatorInput", false)
	if err != nil {
		return nil, err
	}
	apiID := c.params["restapi_id"]
	var out requestValidatorJSON
	err = h.store.Update(c.r.Context(), c.scope, func(tx store.Tx) error {
		v, err := loadRequestValidator(tx, c.scope, apiID, c.params["requestvalidator_id"])
		if err != nil {
			return err
		}
		for _, o := range ops {
			if o.Path == nil {
				return patch.InvalidPath(o)
			}
			if err := requestValidatorRules.check(o.OpName(), *o.Path, *o.Path); err != nil {
				return err
			}
			switch *o.Path {
			case "/name":
				if opValue(o) == "" {
					return awserr.BadRequest(msgValidatorName)
				}
				v.Name = opValue(o)
			case "/validateRequestBody":
				v.ValidateRequestBody = opBool(o)
			case "/validateRequestParameters":
				v.ValidateRequestParameters = opBool(o)
			}
		}
		if err := checkValidatorNameFree(tx, apiID, v); err != nil {
			return err
		}
		out = requestValidatorOut(v)
		return tx.PutRequestValidator(apiID, v)
	})
	return out, err
}

// deleteRequestValidator deletes a validator even while methods name it (as
// LocalStack does; AWS's answer is unrecorded): those methods then validate
// nothing, in Gantry as a dangling id.
func (h *Handler) deleteRequestValidator(c *call) (any, error) {
	apiID, id := c.params["restapi_id"], c.params["requestvalidator_id"]
	return nil, h.store.Update(c.r.Context(), c.scope, func(tx store.Tx) error {
		if _, err := loadRequestValidator(tx, c.scope, apiID, id); err != nil {
			return err
		}
		return notFoundAs(tx.DeleteRequestValidator(apiID, id), validatorNotFound())
	})
}

// checkValidatorNameFree refuses v's name when another validator of the
// API has it. Validators without a name are not compared.
func checkValidatorNameFree(tx store.ReadTx, apiID string, v model.RequestValidator) error {
	if v.Name == "" {
		return nil
	}
	all, err := tx.RequestValidators(apiID)
	if err != nil {
		return err
	}
	for _, o := range all {
		if o.ID != v.ID && o.Name == v.Name {
			return awserr.BadRequest(msgValidatorNameTaken)
		}
	}
	return nil
}

// checkRequestValidator refuses a method's requestValidatorId that names no
// validator of the API ("" means none).
func checkRequestValidator(tx store.ReadTx, apiID, id string) error {
	if id == "" {
		return nil
	}
	if _, err := tx.RequestValidator(apiID, id); err != nil {
		if errors.Is(err, store.ErrNotFound) {
			return awserr.BadRequest(msgValidatorNotFound)
		}
		return err
	}
	return nil
}

func (h *Handler) requestValidatorOps(m map[string]opFunc) {
	m["CreateRequestValidator"] = h.createRequestValidator
	m["GetRequestValidator"] = h.getRequestValidator
	m["GetRequestValidators"] = h.getRequestValidators
	m["UpdateRequestValidator"] = h.updateRequestValidator
	m["DeleteRequestValidator"] = h.deleteRequestValidator
}
