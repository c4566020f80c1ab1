package controlplane

import (
	"errors"
	"regexp"
	"slices"
	"strconv"

	"github.com/gantryproject/gantry/internal/awserr"
	"github.com/gantryproject/gantry/internal/ids"
	"github.com/gantryproject/gantry/internal/model"
	"github.com/gantryproject/gantry/internal/patch"
	"github.com/gantryproject/gantry/internal/store"
)

// customIDTag is the tag that chooses a new API's id, a LocalStack
// convention that users rely on for stable ids.
const customIDTag = "_custom_id_"

// maxCompressionSize is the largest minimumCompressionSize AWS accepts.
const maxCompressionSize = 10485760

var (
	apiKeySources  = []string{"HEADER", "AUTHORIZER"}
	endpointTypes  = []string{"REGIONAL", "EDGE", "PRIVATE"}
	ipAddressTypes = []string{"ipv4", "dualstack"}
	customIDRe     = regexp.MustCompile(`^[A-Za-z0-9_-]{1,128}$`)
)

// restAPIJSON is the wire form of the RestApi shape.
type restAPIJSON struct {
	ID                        string             `json:"id"`
	Name                      string             `json:"name"`
	Description               string             `json:"description,omitempty"`
	CreatedDate               int64              `json:"createdDate"`
	Version                   string             `json:"version,omitempty"`
	Warnings                  []string           `json:"warnings,omitempty"`
	BinaryMediaTypes          []string           `json:"binaryMediaTypes,omitempty"`
	MinimumCompressionSize    *int64             `json:"minimumCompressionSize,omitempty"`
	APIKeySource              string             `json:"apiKeySource"`
	EndpointConfiguration     endpointConfigJSON `json:"endpointConfiguration"`
	Policy                    string             `json:"policy,omitempty"`
	Tags                      map[string]string  `json:"tags,omitzero"`
	DisableExecuteAPIEndpoint bool               `json:"disableExecuteApiEndpoint"`
	RootResourceID            string             `json:"rootResourceId"`
	SecurityPolicy            string             `json:"securityPolicy,omitempty"`
	EndpointAccessMode        string             `json:"endpointAccessMode,omitempty"`
}

type endpointConfigJSON struct {
	Types          []string `json:"types,omitempty"`
	IPAddressType  string   `json:"ipAddressType,omitempty"`
	VPCEndpointIDs []string `json:"vpcEndpointIds,omitempty"`
}

// restAPIOut renders an API. AWS omits empty tags from Create and Get but
// shows "tags": {} in UpdateRestApi's answer; emptyTags selects the latter.
func restAPIOut(a model.RestAPI, tags map[string]string, emptyTags bool) restAPIJSON {
	return restAPIJSON{
		ID:                        a.ID,
		Name:                      a.Name,
		Description:               a.Description,
		CreatedDate:               a.CreatedDate.Unix(),
		Version:                   a.Version,
		Warnings:                  a.Warnings,
		BinaryMediaTypes:          a.BinaryMediaTypes,
		MinimumCompressionSize:    a.MinimumCompressionSize,
		APIKeySource:              a.APIKeySource,
		EndpointConfiguration:     endpointConfigJSON(a.EndpointConfiguration),
		Policy:                    policyOut(a.Policy),
		Tags:                      tagsOut(tags, emptyTags),
		DisableExecuteAPIEndpoint: a.DisableExecuteAPIEndpoint,
		RootResourceID:            a.RootResourceID,
		SecurityPolicy:            a.SecurityPolicy,
		EndpointAccessMode:        a.EndpointAccessMode,
	}
}

// apiResource is the tag/ARN resource path of an API.
func apiResource(id string) string { return "/restapis/" + id }

// apiNotFound is AWS's answer for an unknown REST API id.
func apiNotFound(scope model.Scope, id string) error {
	return awserr.NotFound("Invalid API identifier specified %s:%s", scope.Account, id)
}

// notFoundAs returns err, or notFound when err is store.ErrNotFound: the
// AWS error of an object that does not exist.
func notFoundAs(err, notFound error) error {
	if errors.Is(err, store.ErrNotFound) {
		return notFound
	}
	return err
}

// loadAPI reads an API, translating ErrNotFound to AWS's text.
func loadAPI(tx store.ReadTx, scope model.Scope, id string) (model.RestAPI, error) {
	api, err := tx.RestAPI(id)
	return api, notFoundAs(err, apiNotFound(scope, id))
}

type createRestAPIInput struct {
	Name                      *string             `json:"name"`
	Description               *string             `json:"description"`
	Version                   string              `json:"version"`
	CloneFrom                 string              `json:"cloneFrom"`
	BinaryMediaTypes          []string            `json:"binaryMediaTypes"`
	MinimumCompressionSize    *int64              `json:"minimumCompressionSize"`
	APIKeySource              *string             `json:"apiKeySource"`
	EndpointConfiguration     *endpointConfigJSON `json:"endpointConfiguration"`
	Policy                    string              `json:"policy"`
	Tags                      map[string]string   `json:"tags"`
	DisableExecuteAPIEndpoint bool                `json:"disableExecuteApiEndpoint"`
	SecurityPolicy            string              `json:"securityPolicy"`
	EndpointAccessMode        string              `json:"endpointAccessMode"`
}

func (h *Handler) createRestAPI(c *call) (any, error) {
	var in createRestAPIInput
	if err := c.decode(&in); err != nil {
		return nil, err
	}
	var v awserr.Validation
	if in.Name == nil {
		v.NotNull("createRestApiInput.name")
	}
	if in.APIKeySource != nil && !slices.Contains(apiKeySources, *in.APIKeySource) {
		v.Enum("createRestApiInput.apiKeySource", *in.APIKeySource, apiKeySources)
	}
	ec := model.EndpointConfiguration{Types: []string{"EDGE"}}
	if in.EndpointConfiguration != nil {
		if len(in.EndpointConfiguration.Types) > 0 {
			ec.Types = in.EndpointConfiguration.Types
		}
		for i, t := range in.EndpointConfiguration.Types {
			if !slices.Contains(endpointTypes, t) {
				v.Enum("createRestApiInput.endpointConfiguration.types."+strconv.Itoa(i+1)+".member", t, endpointTypes)
			}
		}
		ec.IPAddressType = in.EndpointConfiguration.IPAddressType
		if ec.IPAddressType != "" && !slices.Contains(ipAddressTypes, ec.IPAddressType) {
			v.Enum("createRestApiInput.endpointConfiguration.ipAddressType", ec.IPAddressType, ipAddressTypes)
		}
		ec.VPCEndpointIDs = in.EndpointConfiguration.VPCEndpointIDs
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	if *in.Name == "" {
		return nil, awserr.BadRequest("Invalid REST API name specified")
	}
	if in.Description != nil && *in.Description == "" {
		return nil, awserr.BadRequest("Description cannot be an empty string")
	}
	if err := checkCompressionSize(in.MinimumCompressionSize); err != nil {
		return nil, err
	}
	if len(ec.Types) > 1 {
		return nil, awserr.BadRequest("Cannot create an api with multiple Endpoint Types.")
	}
	if ec.IPAddressType == "" {
		// AWS answers ipv4 for new APIs, and only dualstack is allowed for
		// private ones.
		ec.IPAddressType = "ipv4"
		if ec.Types[0] == "PRIVATE" {
			ec.IPAddressType = "dualstack"
		}
	}
	api := model.RestAPI{
		ID:                        ids.New(10),
		Name:                      *in.Name,
		Version:                   in.Version,
		CreatedDate:               h.opts.Now().UTC().Truncate(1e9),
		BinaryMediaTypes:          dedupe(in.BinaryMediaTypes),
		MinimumCompressionSize:    in.MinimumCompressionSize,
		APIKeySource:              "HEADER",
		EndpointConfiguration:     ec,
		Policy:                    in.Policy,
		DisableExecuteAPIEndpoint: in.DisableExecuteAPIEndpoint,
		RootResourceID:            ids.New(10),
		SecurityPolicy:            in.SecurityPolicy,
		EndpointAccessMode:        in.EndpointAccessMode,
	}
	if in.Description != nil {
		api.Description = *in.Description
	}
	if in.APIKeySource != nil {
		api.APIKeySource = *in.APIKeySource
	}
	if err := checkTags(in.Tags); err != nil {
		return nil, err
	}
	if id, ok := in.Tags[customIDTag]; ok {
		if !customIDRe.MatchString(id) {
			return nil, awserr.BadRequest("Invalid %s tag value: an API id is 1 to 128 letters, digits, '_' or '-'", customIDTag)
		}
		api.ID = id
	}
	var err error
	if api.Policy, err = normalizePolicy(c.scope, api.ID, api.Policy); err != nil {
		return nil, err
	}
	err = h.store.Update(c.r.Context(), c.scope, func(tx store.Tx) error {
		var (
			cloned       map[string]model.GatewayResponse
			clonedModels []model.Model
			clonedRVs    []model.RequestValidator
		)
		if in.CloneFrom != "" {
			src, err := loadAPI(tx, c.scope, in.CloneFrom)
			if err != nil {
				return err
			}
			// A clone inherits the source's settings that the request does
			// not give, and its gateway responses.
			if api.BinaryMediaTypes == nil {
				api.BinaryMediaTypes = src.BinaryMediaTypes
			}
			if cloned, err = tx.GatewayResponses(src.ID); err != nil {
				return err
			}
			// ... and its models and request validators.
			if clonedModels, err = tx.Models(src.ID); err != nil {
				return err
			}
			if clonedRVs, err = tx.RequestValidators(src.ID); err != nil {
				return err
			}
		}
		err := tx.CreateRestAPI(api, model.Resource{ID: api.RootResourceID, Path: "/"})
		if errors.Is(err, store.ErrExists) {
			return awserr.Conflict("An API with id %s already exists", api.ID)
		}
		if err != nil {
			return err
		}
		for _, gr := range cloned {
			if err := tx.PutGatewayResponse(api.ID, gr); err != nil {
				return err
			}
		}
		if err := copyModels(tx, api.ID, in.CloneFrom, clonedModels, clonedRVs); err != nil {
			return err
		}
		return tx.TagResource(apiResource(api.ID), in.Tags)
	})
	if err != nil {
		return nil, err
	}
	return restAPIOut(api, in.Tags, false), nil
}

func checkCompressionSize(n *int64) error {
	if n != nil && (*n < 0 || *n > maxCompressionSize) {
		return awserr.BadRequest("Invalid minimum compression size, must be between 0 and 10485760")
	}
	return nil
}

func dedupe(list []string) []string {
	var out []string
	for _, s := range list {
		if !slices.Contains(out, s) {
			out = append(out, s)
		}
	}
	return out
}

func (h *Handler) getRestAPI(c *call) (any, error) {
	var out restAPIJSON
	err := h.store.View(c.r.Context(), c.scope, func(tx store.ReadTx) error {
		api, err := loadAPI(tx, c.scope, c.params["restapi_id"])
		if err != nil {
			return err
		}
		tags, err := tx.Tags(apiResource(api.ID))
		out = restAPIOut(api, tags, false)
		return err
	})
	return out, err
}

type restAPIsJSON struct {
	Position string        `json:"position,omitempty"`
	Items    []restAPIJSON `json:"item"`
}

func (h *Handler) getRestAPIs(c *call) (any, error) {
	limit, err := c.limit()
	if err != nil {
		return nil, err
	}
	out := restAPIsJSON{Items: []restAPIJSON{}}
	err = h.store.View(c.r.Context(), c.scope, func(tx store.ReadTx) error {
		apis, next, err := tx.RestAPIs(store.Page{Limit: limit, Position: c.query.Get("position")})
		if err != nil {
			return err
		}
		out.Position = next
		for _, a := range apis {
			tags, err := tx.Tags(apiResource(a.ID))
			if err != nil {
				return err
			}
			out.Items = append(out.Items, restAPIOut(a, tags, false))
		}
		return nil
	})
	return out, err
}

func (h *Handler) deleteRestAPI(c *call) (any, error) {
	id := c.params["restapi_id"]
	err := h.store.Update(c.r.Context(), c.scope, func(tx store.Tx) error {
		return notFoundAs(tx.DeleteRestAPI(id), apiNotFound(c.scope, id))
	})
	if err == nil {
		h.deployed(c.scope, id)
	}
	return nil, err
}

func (h *Handler) updateRestAPI(c *call) (any, error) {
	ops, _, err := c.patchOps("updateRestApiInput", false)
	if err != nil {
		return nil, err
	}
	var out restAPIJSON
	err = h.store.Update(c.r.Context(), c.scope, func(tx store.Tx) error {
		api, err := loadAPI(tx, c.scope, c.params["restapi_id"])
		if err != nil {
			return err
		}
		policy := api.Policy
		for _, op := range ops {
			if err := patchRestAPI(&api, op); err != nil {
				return err
			}
		}
		if api.Policy != policy {
			if api.Policy, err = normalizePolicy(c.scope, api.ID, api.Policy); err != nil {
				return err
			}
		}
		if err := tx.PutRestAPI(api); err != nil {
			return err
		}
		tags, err := tx.Tags(apiResource(api.ID))
		out = restAPIOut(api, tags, true)
		return err
	})
	return out, err
}

// patchRestAPI applies one operation of UpdateRestApi, following AWS's
// "PATCH operations" reference for RestApi.
func patchRestAPI(api *model.RestAPI, o patch.Operation) error {
	if o.Path == nil {
		return patch.InvalidPath(o)
	}
	segs := patch.Segments(*o.Path)
	op := o.OpName()
	value := ""
	if o.Value != nil {
		value = *o.Value
	}
	replaceOnly := func(set func() error) error {
		if op != patch.Replace {
			return patch.InvalidPath(o)
		}
		return set()
	}
	switch {
	case len(segs) == 1 && segs[0] == "name":
		return replaceOnly(func() error {
			if value == "" {
				return awserr.BadRequest("Invalid REST API name specified")
			}
			api.Name = value
			return nil
		})
	case len(segs) == 1 && segs[0] == "description":
		return replaceOnly(func() error { api.Description = value; return nil })
	case len(segs) == 1 && segs[0] == "version":
		return replaceOnly(func() error { api.Version = value; return nil })
	case len(segs) == 1 && segs[0] == "policy":
		// Checked and normalized once every operation applied.
		return replaceOnly(func() error { api.Policy = value; return nil })
	case len(segs) == 1 && segs[0] == "apiKeySource":
		return replaceOnly(func() error {
			if !slices.Contains(apiKeySources, value) {
				return awserr.BadRequest("Invalid apiKeySource %s: must be one of [HEADER, AUTHORIZER]", value)
			}
			api.APIKeySource = value
			return nil
		})
	case len(segs) == 1 && segs[0] == "minimumCompressionSize":
		if op != patch.Replace {
			return patch.InvalidOp()
		}
		if value == "" {
			api.MinimumCompressionSize = nil // disables compression
			return nil
		}
		n, err := strconv.ParseInt(value, 10, 64)
		if err != nil {
			return awserr.BadRequest("Invalid minimum compression size, must be between 0 and 10485760")
		}
		if err := checkCompressionSize(&n); err != nil {
			return err
		}
		api.MinimumCompressionSize = &n
		return nil
	case len(segs) == 1 && segs[0] == "disableExecuteApiEndpoint":
		return replaceOnly(func() error {
			b, err := strconv.ParseBool(value)
			if err != nil {
				return awserr.BadRequest("Invalid value for disableExecuteApiEndpoint: %s", value)
			}
			api.DisableExecuteAPIEndpoint = b
			return nil
		})
	case len(segs) == 1 && segs[0] == "securityPolicy":
		return replaceOnly(func() error { api.SecurityPolicy = value; return nil })
	case len(segs) == 1 && segs[0] == "endpointAccessMode":
		return replaceOnly(func() error { api.EndpointAccessMode = value; return nil })
	case len(segs) == 2 && segs[0] == "binaryMediaTypes" && segs[1] != "":
		return patchBinaryMediaTypes(api, o, segs[1], value)
	case len(segs) == 3 && segs[0] == "endpointConfiguration" && segs[1] == "types":
		return replaceOnly(func() error {
			if !slices.Contains(endpointTypes, value) {
				return awserr.BadRequest("Invalid endpoint type %s: must be one of [REGIONAL, EDGE, PRIVATE]", value)
			}
			// The path names the type by index or by its current value.
			types := api.EndpointConfiguration.Types
			i := slices.Index(types, segs[2])
			if n, err := strconv.Atoi(segs[2]); err == nil && n >= 0 && n < len(types) {
				i = n
			}
			if i < 0 {
				return patch.InvalidPath(o)
			}
			types = slices.Clone(types)
			types[i] = value
			api.EndpointConfiguration.Types = types
			return nil
		})
	case len(segs) == 2 && segs[0] == "endpointConfiguration" && segs[1] == "ipAddressType":
		return replaceOnly(func() error {
			if !slices.Contains(ipAddressTypes, value) {
				return awserr.BadRequest("Invalid ipAddressType %s: must be one of [ipv4, dualstack]", value)
			}
			api.EndpointConfiguration.IPAddressType = value
			return nil
		})
	case len(segs) == 2 && segs[0] == "endpointConfiguration" && segs[1] == "vpcEndpointIds":
		ids := api.EndpointConfiguration.VPCEndpointIDs
		switch op {
		case patch.Add:
			if value != "" && !slices.Contains(ids, value) {
				ids = append(slices.Clone(ids), value)
			}
		case patch.Remove:
			ids = slices.DeleteFunc(slices.Clone(ids), func(s string) bool { return s == value })
		case patch.Replace:
			ids = nil
			if value != "" {
				ids = []string{value}
			}
		default:
			return patch.InvalidPath(o)
		}
		api.EndpointConfiguration.VPCEndpointIDs = ids
		return nil
	}
	return patch.InvalidPath(o)
}

// patchBinaryMediaTypes applies add, remove and replace to
// /binaryMediaTypes/<type>. As on AWS, replace removes the old type and
// appends the new one at the end of the list.
func patchBinaryMediaTypes(api *model.RestAPI, o patch.Operation, typ, value string) error {
	list := slices.Clone(api.BinaryMediaTypes)
	switch o.OpName() {
	case patch.Add:
		if !slices.Contains(list, typ) {
			list = append(list, typ)
		}
	case patch.Remove:
		list = slices.DeleteFunc(list, func(s string) bool { return s == typ })
	case patch.Replace:
		if !slices.Contains(list, typ) {
			return patch.InvalidPath(o)
		}
		list = slices.DeleteFunc(list, func(s string) bool { return s == typ })
		if value != "" && !slices.Contains(list, value) {
			list = append(list, value)
		}
	default:
		return patch.InvalidPath(o)
	}
	if len(list) == 0 {
		list = nil
	}
	api.BinaryMediaTypes = list
	return nil
}

func (h *Handler) restAPIOps(m map[string]opFunc) {
	m["CreateRestApi"] = h.createRestAPI
	m["GetRestApi"] = h.getRestAPI
	m["GetRestApis"] = h.getRestAPIs
	m["UpdateRestApi"] = h.updateRestAPI
	m["DeleteRestApi"] = h.deleteRestAPI
}
