package controlplane

import (
	"errors"
	"maps"
	"slices"
	"strings"

	"github.com/gantryproject/gantry/internal/awserr"
	gr "github.com/gantryproject/gantry/internal/gatewayresponse"
	"github.com/gantryproject/gantry/internal/ids"
	"github.com/gantryproject/gantry/internal/model"
	"github.com/gantryproject/gantry/internal/modelschema"
	"github.com/gantryproject/gantry/internal/openapi"
	"github.com/gantryproject/gantry/internal/store"
)

// PutRestApi modes.
const (
	putModeMerge     = "merge"
	putModeOverwrite = "overwrite"
)

// rawBody is an operation's answer that is not JSON (GetExport's document).
type rawBody struct {
	contentType string
	disposition string
	body        []byte
}

// importOptions reads the import parameters that ImportRestApi and
// PutRestApi share: basepath (ignore, prepend or split) and
// ignore=documentation. AWS's text for an invalid basepath is unrecorded.
func (c *call) importOptions() (openapi.Options, error) {
	opts := openapi.Options{BasePath: c.query.Get("basepath")}
	if opts.BasePath != "" && !slices.Contains(openapi.BasePathModes, opts.BasePath) {
		return opts, awserr.BadRequest("Invalid basepath parameter value: %s. Must be one of [ignore, prepend, split]", opts.BasePath)
	}
	for _, v := range c.query["ignore"] {
		for part := range strings.SplitSeq(v, ",") {
			if strings.TrimSpace(part) == "documentation" {
				opts.IgnoreDocumentation = true
			}
		}
	}
	return opts, nil
}

// readImport reads and parses the request's OpenAPI document.
func (c *call) readImport() (*openapi.API, error) {
	opts, err := c.importOptions()
	if err != nil {
		return nil, err
	}
	body, err := c.body()
	if err != nil {
		return nil, err
	}
	doc, err := openapi.Import(body, opts)
	var ie *openapi.Error
	if errors.As(err, &ie) {
		return nil, awserr.BadRequest("%s", ie.Error())
	}
	return doc, err
}

// importRestAPI serves ImportRestApi (POST /restapis?mode=import): a new API
// from an OpenAPI document, created in one transaction. Warnings (the parts
// of the document that were ignored) are returned in the RestApi's warnings
// field; with failonwarnings=true they fail the import and nothing is
// created.
func (h *Handler) importRestAPI(c *call) (any, error) {
	doc, err := c.readImport()
	if err != nil {
		return nil, err
	}
	api := model.RestAPI{
		ID:                    ids.New(10),
		CreatedDate:           h.now(),
		APIKeySource:          "HEADER",
		EndpointConfiguration: model.EndpointConfiguration{Types: []string{"EDGE"}},
		RootResourceID:        ids.New(10),
	}
	if types := c.query.Get("endpointConfigurationTypes"); types != "" {
		doc.RestAPI.EndpointConfiguration.Types = strings.Split(types, ",")
		doc.Set["endpointConfiguration"] = true
	}
	if err := applyImportedAttributes(c.scope, &api, doc, ""); err != nil {
		return nil, err
	}
	if err := c.checkWarnings(doc); err != nil {
		return nil, err
	}
	err = h.store.Update(c.r.Context(), c.scope, func(tx store.Tx) error {
		if err := tx.CreateRestAPI(api, model.Resource{ID: api.RootResourceID, Path: "/"}); err != nil {
			return err
		}
		return writeImport(tx, api, doc, putModeOverwrite)
	})
	if err != nil {
		return nil, err
	}
	api.Warnings = doc.Warnings
	return restAPIOut(api, nil, false), nil
}

// putRestAPI serves PutRestApi (PUT /restapis/{id}): the document is merged
// into the API (mode=merge, the default: what it defines replaces what
// exists at the same path and method, the rest is kept) or replaces its
// resources, methods and gateway responses (mode=overwrite). Stages and
// deployments are untouched: changes reach callers through a deployment.
func (h *Handler) putRestAPI(c *call) (any, error) {
	mode := c.query.Get("mode")
	if mode == "" {
		mode = putModeMerge
	}
	if mode != putModeMerge && mode != putModeOverwrite {
		var v awserr.Validation
		v.Enum("mode", mode, []string{putModeMerge, putModeOverwrite})
		return nil, v.Err()
	}
	doc, err := c.readImport()
	if err != nil {
		return nil, err
	}
	if err := c.checkWarnings(doc); err != nil {
		return nil, err
	}
	var out restAPIJSON
	err = h.store.Update(c.r.Context(), c.scope, func(tx store.Tx) error {
		api, err := loadAPI(tx, c.scope, c.params["restapi_id"])
		if err != nil {
			return err
		}
		if err := applyImportedAttributes(c.scope, &api, doc, mode); err != nil {
			return err
		}
		if err := tx.PutRestAPI(api); err != nil {
			return err
		}
		if err := writeImport(tx, api, doc, mode); err != nil {
			return err
		}
		tags, err := tx.Tags(apiResource(api.ID))
		api.Warnings = doc.Warnings
		out = restAPIOut(api, tags, false)
		return err
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// checkWarnings fails an import with warnings when failonwarnings=true.
func (c *call) checkWarnings(doc *openapi.API) error {
	if c.boolQuery("failonwarnings") && len(doc.Warnings) > 0 {
		return awserr.BadRequest("%s", openapi.WarningsError(doc.Warnings))
	}
	return nil
}

// importError is a failed import with AWS's "Errors found during import"
// text.
func importError(problems ...string) error {
	return awserr.BadRequest("%s", (&openapi.Error{Problems: problems}).Error())
}

// problem renders an AWS error met while validating an imported part.
func problem(where string, err error) string {
	var e *awserr.Error
	if errors.As(err, &e) {
		return where + ": " + e.Message
	}
	return where + ": " + err.Error()
}

// applyImportedAttributes sets the API attributes the document gives and
// checks them as CreateRestApi and UpdateRestApi do. putMode is "" for
// ImportRestApi, else PutRestApi's mode. PutRestApi leaves the endpoint
// configuration alone (AWS's "Import an OpenAPI file to update an existing
// API definition": an update does not change it). With overwrite, the
// list- and policy-like attributes the document leaves out are cleared
// (Gantry's reading of "overwrite"; AWS's exact behaviour is unrecorded).
// A policy is checked and saved as CreateRestApi saves it (normalizePolicy).
func applyImportedAttributes(scope model.Scope, api *model.RestAPI, doc *openapi.API, putMode string) error {
	in := doc.RestAPI
	overwrite := putMode == putModeOverwrite
	var problems []string
	set := func(field string) bool { return doc.Set[field] }
	if set("name") {
		api.Name = in.Name
	}
	if api.Name == "" {
		verb := "create"
		if putMode != "" {
			verb = "update"
		}
		problems = append(problems, "Unable to "+verb+" API: Invalid REST API name specified")
	}
	if set("description") {
		api.Description = in.Description
	}
	if set("version") {
		api.Version = in.Version
	}
	if set("binaryMediaTypes") || overwrite {
		api.BinaryMediaTypes = dedupe(in.BinaryMediaTypes)
	}
	if set("minimumCompressionSize") || overwrite {
		if err := checkCompressionSize(in.MinimumCompressionSize); err != nil {
			problems = append(problems, problem("Invalid x-amazon-apigateway-minimum-compression-size", err))
		}
		api.MinimumCompressionSize = in.MinimumCompressionSize
	}
	if set("policy") || overwrite {
		policy, err := normalizePolicy(scope, api.ID, in.Policy)
		if err != nil {
			problems = append(problems, problem("Invalid x-amazon-apigateway-policy", err))
		}
		api.Policy = policy
	}
	if set("apiKeySource") {
		if !slices.Contains(apiKeySources, in.APIKeySource) {
			problems = append(problems, "Invalid x-amazon-apigateway-api-key-source: "+in.APIKeySource+": must be one of [HEADER, AUTHORIZER]")
		}
		api.APIKeySource = in.APIKeySource
	}
	if set("disableExecuteApiEndpoint") && putMode == "" {
		api.DisableExecuteAPIEndpoint = in.DisableExecuteAPIEndpoint
	}
	if set("endpointConfiguration") && putMode == "" {
		ec := in.EndpointConfiguration
		if len(ec.Types) == 0 {
			ec.Types = api.EndpointConfiguration.Types
		}
		for _, t := range ec.Types {
			if !slices.Contains(endpointTypes, t) {
				problems = append(problems, "Invalid endpoint configuration type: "+t+": must be one of [REGIONAL, EDGE, PRIVATE]")
			}
		}
		if len(ec.Types) > 1 {
			problems = append(problems, "Cannot create an api with multiple Endpoint Types.")
		}
		if ec.IPAddressType == "" {
			ec.IPAddressType = api.EndpointConfiguration.IPAddressType
		}
		api.EndpointConfiguration = ec
	}
	if t := api.EndpointConfiguration.IPAddressType; t == "" {
		api.EndpointConfiguration.IPAddressType = "ipv4"
		if slices.Contains(api.EndpointConfiguration.Types, "PRIVATE") {
			api.EndpointConfiguration.IPAddressType = "dualstack"
		}
	} else if !slices.Contains(ipAddressTypes, t) {
		problems = append(problems, "Invalid ipAddressType "+t+": must be one of [ipv4, dualstack]")
	}
	if len(problems) > 0 {
		return importError(problems...)
	}
	return nil
}

// writeImport stores an imported document's resources, methods, gateway
// responses, models, request validators and authorizers into api, in the
// caller's transaction. mode is putModeMerge
// (keep what the document does not redefine) or putModeOverwrite (replace
// everything). Every part is validated as the corresponding Put operation
// validates it; any problem fails the whole import, so nothing is written.
func writeImport(tx store.Tx, api model.RestAPI, doc *openapi.API, mode string) error {
	existing, err := tx.Resources(api.ID)
	if err != nil {
		return err
	}
	parts, problems, err := importParts(tx, api, doc, mode == putModeOverwrite)
	if err != nil {
		return err
	}
	byPath := map[string]model.Resource{}
	for _, r := range existing {
		byPath[r.Path] = r
	}
	// The new tree: in merge mode every existing resource, in overwrite
	// mode only the root; then the document's resources, reusing the id of
	// an existing resource at the same path.
	next := map[string]*model.Resource{}
	var order []string
	for _, r := range existing {
		if mode == putModeMerge || r.Path == "/" {
			r.Methods = maps.Clone(r.Methods)
			if r.Path == "/" && mode == putModeOverwrite {
				r.Methods = nil
			}
			next[r.Path] = &r
			order = append(order, r.Path)
		}
	}
	for _, r := range doc.Resources {
		cur := next[r.Path]
		if cur == nil {
			nr := model.Resource{ID: ids.New(10), PathPart: r.PathPart, Path: r.Path}
			if old, ok := byPath[r.Path]; ok {
				nr.ID = old.ID
			}
			if r.Path != "/" {
				nr.ParentID = next[parentPath(r.Path)].ID
			}
			cur = &nr
			next[r.Path] = cur
			order = append(order, r.Path)
		}
		for verb, m := range r.Methods {
			if cur.Methods == nil {
				cur.Methods = map[string]model.Method{}
			}
			if m.Integration != nil && m.Integration.CacheNamespace == "" {
				m.Integration.CacheNamespace = cur.ID
			}
			parts.resolve(&m)
			cur.Methods[verb] = m
		}
	}
	all := make([]model.Resource, 0, len(order))
	for _, p := range order {
		all = append(all, *next[p])
	}
	for i, r := range all {
		// Each resource is checked against those before it, as if they
		// were created one after the other.
		problems = append(problems, checkImportedResource(all[:i], next, r, parts)...)
	}
	if len(problems) == 0 {
		problems = checkImportedGatewayResponses(doc.GatewayResponses)
	}
	if len(problems) > 0 {
		return importError(problems...)
	}
	if err := parts.write(tx, api.ID); err != nil {
		return err
	}
	for _, r := range existing {
		if next[r.Path] == nil || next[r.Path].ID != r.ID {
			if err := tx.DeleteResource(api.ID, r.ID); err != nil {
				return err
			}
		}
	}
	for _, r := range all {
		if err := tx.PutResource(api.ID, r); err != nil {
			return err
		}
	}
	if mode == putModeOverwrite {
		old, err := tx.GatewayResponses(api.ID)
		if err != nil {
			return err
		}
		for t := range old {
			if err := tx.DeleteGatewayResponse(api.ID, t); err != nil {
				return err
			}
		}
	}
	for _, t := range slices.Sorted(maps.Keys(doc.GatewayResponses)) {
		if err := tx.PutGatewayResponse(api.ID, doc.GatewayResponses[t]); err != nil {
			return err
		}
	}
	return nil
}

// parentPath is the path of a resource's parent ("/" for a top-level one).
func parentPath(p string) string {
	i := strings.LastIndexByte(p, '/')
	if i <= 0 {
		return "/"
	}
	return p[:i]
}

// checkImportedResource validates one resource of an import (against the
// resources created before it, in all) and its methods
// as CreateResource, PutMethod, PutMethodResponse, PutIntegration and
// PutIntegrationResponse would, naming the path and method in AWS's style
// ("Unable to put integration on 'GET' for resource at path '/pets': ...").
func checkImportedResource(all []model.Resource, byPath map[string]*model.Resource, r model.Resource, parts *importedParts) []string {
	var problems []string
	if r.Path != "/" {
		where := "Unable to create resource at path '" + r.Path + "'"
		if err := checkPathPart(r.PathPart); err != nil {
			return []string{problem(where, err)}
		}
		if err := checkSiblings(all, *byPath[parentPath(r.Path)], r.ID, r.PathPart); err != nil {
			return []string{problem(where, err)}
		}
	}
	for _, verb := range slices.Sorted(maps.Keys(r.Methods)) {
		m := r.Methods[verb]
		where := "Unable to put method '" + verb + "' on resource at path '" + r.Path + "'"
		if err := checkMethodRequestParameters(m.RequestParameters); err != nil {
			problems = append(problems, problem(where, err))
			continue
		}
		if err := parts.checkMethod(m); err != nil {
			problems = append(problems, problem(where, err))
			continue
		}
		for _, code := range slices.Sorted(maps.Keys(m.Responses)) {
			if err := checkMethodResponseParameters(m.Responses[code].ResponseParameters); err != nil {
				problems = append(problems, problem(where, err))
			}
		}
		ig := m.Integration
		if ig == nil {
			continue
		}
		where = "Unable to put integration on '" + verb + "' for resource at path '" + r.Path + "'"
		if err := checkImportedIntegration(ig, &m); err != nil {
			problems = append(problems, problem(where, err))
			continue
		}
		for _, code := range slices.Sorted(maps.Keys(ig.Responses)) {
			ir := ig.Responses[code]
			if err := checkIntegrationResponse(&ir, &m); err != nil {
				problems = append(problems, problem("Unable to put integration response on '"+verb+"' for resource at path '"+r.Path+"'", err))
			}
		}
	}
	return problems
}

// checkImportedIntegration validates an imported integration's enums,
// target and settings.
func checkImportedIntegration(ig *model.Integration, m *model.Method) error {
	switch {
	case ig.ConnectionType != "" && !slices.Contains(connectionTypes, ig.ConnectionType):
		return awserr.BadRequest(msgConnectionType, ig.ConnectionType)
	case ig.ContentHandling != "" && !slices.Contains(contentHandlings, ig.ContentHandling):
		return awserr.BadRequest(msgContentHandle, ig.ContentHandling)
	case ig.ResponseTransferMode != "" && !slices.Contains(transferModes, ig.ResponseTransferMode):
		return awserr.BadRequest(msgTransferMode, ig.ResponseTransferMode)
	case ig.TimeoutInMillis != 0 && (ig.TimeoutInMillis < model.MinTimeoutMillis || ig.TimeoutInMillis > model.DefaultTimeoutMillis):
		return awserr.BadRequest(msgTimeout)
	}
	for _, r := range ig.Responses {
		if r.ContentHandling != "" && !slices.Contains(contentHandlings, r.ContentHandling) {
			return awserr.BadRequest(msgContentHandle, r.ContentHandling)
		}
	}
	if err := checkIntegrationTarget(ig); err != nil {
		return err
	}
	return checkIntegrationSettings(ig, m)
}

// checkImportedGatewayResponses validates imported gateway responses as
// PutGatewayResponse does, and fills its defaults: no header mappings
// means {}, no templates means the default template.
func checkImportedGatewayResponses(grs map[string]model.GatewayResponse) []string {
	var problems []string
	for _, t := range slices.Sorted(maps.Keys(grs)) {
		g := grs[t]
		if g.ResponseParameters == nil {
			g.ResponseParameters = map[string]string{}
		}
		if len(g.ResponseTemplates) == 0 {
			g.ResponseTemplates = map[string]string{gr.DefaultMediaType: gr.DefaultTemplate}
		}
		if err := gr.ValidateParameters(g.ResponseParameters); err != nil {
			problems = append(problems, "Unable to put gateway response '"+t+"': "+err.Error())
		}
		if err := checkContentTypes(g.ResponseTemplates); err != nil {
			problems = append(problems, problem("Unable to put gateway response '"+t+"'", err))
		}
		grs[t] = g
	}
	return problems
}

// getExport serves GetExport: the stage's deployed snapshot as an OpenAPI
// 2.0 (swagger) or 3.0 (oas30) document, JSON or YAML by the Accept header,
// with the extension sets named in the extensions parameter
// (integrations, apigateway, authorizers).
func (h *Handler) getExport(c *call) (any, error) {
	format := c.params["export_type"]
	if format != openapi.FormatSwagger && format != openapi.FormatOAS30 {
		// AWS's text is unrecorded.
		return nil, awserr.BadRequest("Invalid export type specified: %s. Must be one of [swagger, oas30]", format)
	}
	accept := strings.ToLower(c.r.Header.Get("Accept"))
	yamlOut := strings.Contains(accept, "yaml")
	if !yamlOut && accept != "" && !strings.Contains(accept, "json") && !strings.Contains(accept, "*/*") {
		return nil, awserr.BadRequest("Unsupported Accept header %s: must be application/json or application/yaml", accept)
	}
	opts := openapi.ExportOptions{Format: format, YAML: yamlOut, Stage: c.params["stage_name"], Extensions: map[string]bool{}}
	for _, v := range c.query["extensions"] {
		for part := range strings.SplitSeq(v, ",") {
			opts.Extensions[strings.TrimSpace(part)] = true
		}
	}
	var snap model.Snapshot
	err := h.store.View(c.r.Context(), c.scope, func(tx store.ReadTx) error {
		api, err := loadAPI(tx, c.scope, c.params["restapi_id"])
		if err != nil {
			return err
		}
		opts.Created = api.CreatedDate
		opts.Host = api.ID + ".execute-api." + c.scope.Region + ".amazonaws.com"
		stage, err := loadStage(tx, api.ID, opts.Stage)
		if err != nil {
			return err
		}
		d, err := loadDeployment(tx, api.ID, stage.DeploymentID)
		snap = d.Snapshot
		return err
	})
	if err != nil {
		return nil, err
	}
	snap.Models = exportedModels(snap)
	body, err := openapi.Export(snap, opts)
	if err != nil {
		return nil, err
	}
	ct := "application/json"
	if yamlOut {
		ct = "application/yaml"
	}
	return rawBody{
		contentType: ct,
		disposition: `attachment; filename="` + openapi.FileName(format, opts.Stage, yamlOut) + `"`,
		body:        body,
	}, nil
}

func (h *Handler) openAPIOps(m map[string]opFunc) {
	m["ImportRestApi"] = h.importRestAPI
	m["PutRestApi"] = h.putRestAPI
	m["GetExport"] = h.getExport
}

// importedParts are an API's models, request validators and authorizers
// once an import is applied: the ones it had (kept in merge mode) with the
// document's replacing those of the same name.
type importedParts struct {
	models      []model.Model
	validators  []model.RequestValidator
	authorizers []model.Authorizer
	// validatorIDs and authorizerIDs map the document's names to ids.
	validatorIDs, authorizerIDs map[string]string
}

// mergeNamed returns existing (none in overwrite mode) with each of doc's
// items replacing the one of the same name, which keeps its id; a new
// item gets a new id. ids maps each of doc's names to its id.
func mergeNamed[T any](existing, doc []T, overwrite bool, name func(T) string, id func(*T) *string) (final []T, ids map[string]string) {
	ids = map[string]string{}
	byName := map[string]string{}
	for _, x := range existing {
		byName[name(x)] = *id(&x)
		if !overwrite {
			final = append(final, x)
		}
	}
	for _, x := range doc {
		*id(&x) = ids[name(x)]
		if *id(&x) == "" {
			*id(&x) = byName[name(x)]
		}
		if *id(&x) == "" {
			*id(&x) = ids6()
		}
		ids[name(x)] = *id(&x)
		i := slices.IndexFunc(final, func(y T) bool { return name(y) == name(x) })
		if i >= 0 {
			final[i] = x
		} else {
			final = append(final, x)
		}
	}
	return final, ids
}

// ids6 is a new id of a model, validator or authorizer (6 characters, as
// on AWS).
func ids6() string { return ids.New(6) }

// syncNamed writes final over existing: what is gone is deleted, what is
// new created, the rest replaced.
func syncNamed[T any](existing, final []T, key func(T) string, del func(string) error, create, put func(T) error) error {
	keep := map[string]bool{}
	for _, x := range final {
		keep[key(x)] = true
	}
	had := map[string]bool{}
	for _, x := range existing {
		had[key(x)] = true
		if !keep[key(x)] {
			if err := del(key(x)); err != nil {
				return err
			}
		}
	}
	for _, x := range final {
		write := create
		if had[key(x)] {
			write = put
		}
		if err := write(x); err != nil {
			return err
		}
	}
	return nil
}

// importParts merges the document's models, request validators and
// authorizers into the API's and validates them as CreateModel,
// CreateRequestValidator and CreateAuthorizer do, returning the problems
// in the import's words.
func importParts(tx store.Tx, api model.RestAPI, doc *openapi.API, overwrite bool) (*importedParts, []string, error) {
	oldModels, err := tx.Models(api.ID)
	if err != nil {
		return nil, nil, err
	}
	oldValidators, err := tx.RequestValidators(api.ID)
	if err != nil {
		return nil, nil, err
	}
	oldAuthorizers, err := tx.Authorizers(api.ID)
	if err != nil {
		return nil, nil, err
	}
	p := &importedParts{}
	p.models, _ = mergeNamed(oldModels, doc.ModelsFor(api.ID), overwrite,
		func(m model.Model) string { return m.Name }, func(m *model.Model) *string { return &m.ID })
	p.validators, p.validatorIDs = mergeNamed(oldValidators, doc.RequestValidators, overwrite,
		func(v model.RequestValidator) string { return v.Name }, func(v *model.RequestValidator) *string { return &v.ID })
	p.authorizers, p.authorizerIDs = mergeNamed(oldAuthorizers, doc.Authorizers, overwrite,
		func(a model.Authorizer) string { return a.Name }, func(a *model.Authorizer) *string { return &a.ID })
	var problems []string
	if _, err := modelschema.Compile(api.ID, p.models); err != nil {
		var me *modelschema.ModelError
		if !errors.As(err, &me) {
			return nil, nil, err
		}
		problems = append(problems, problem("Unable to create model for '"+me.Name+"'", modelSchemaError(me)))
	}
	for _, a := range doc.Authorizers {
		if err := checkAuthorizer(a); err != nil {
			problems = append(problems, problem("Unable to create authorizer '"+a.Name+"'", err))
		}
	}
	return p, problems, nil
}

// write stores the parts over what the API had.
func (p *importedParts) write(tx store.Tx, apiID string) error {
	oldModels, err := tx.Models(apiID)
	if err != nil {
		return err
	}
	oldValidators, err := tx.RequestValidators(apiID)
	if err != nil {
		return err
	}
	oldAuthorizers, err := tx.Authorizers(apiID)
	if err != nil {
		return err
	}
	err = syncNamed(oldModels, p.models, func(m model.Model) string { return m.Name },
		func(name string) error { return tx.DeleteModel(apiID, name) },
		func(m model.Model) error { return tx.CreateModel(apiID, m) },
		func(m model.Model) error { return tx.PutModel(apiID, m) })
	if err != nil {
		return err
	}
	err = syncNamed(oldValidators, p.validators, func(v model.RequestValidator) string { return v.ID },
		func(id string) error { return tx.DeleteRequestValidator(apiID, id) },
		func(v model.RequestValidator) error { return tx.CreateRequestValidator(apiID, v) },
		func(v model.RequestValidator) error { return tx.PutRequestValidator(apiID, v) })
	if err != nil {
		return err
	}
	return syncNamed(oldAuthorizers, p.authorizers, func(a model.Authorizer) string { return a.ID },
		func(id string) error { return tx.DeleteAuthorizer(apiID, id) },
		func(a model.Authorizer) error { return tx.CreateAuthorizer(apiID, a) },
		func(a model.Authorizer) error { return tx.PutAuthorizer(apiID, a) })
}

// resolve turns the names an imported method gives its validator and
// authorizer into their ids.
func (p *importedParts) resolve(m *model.Method) {
	if m.RequestValidatorID != "" {
		m.RequestValidatorID = p.validatorIDs[m.RequestValidatorID]
	}
	if m.AuthorizerID != "" {
		m.AuthorizerID = p.authorizerIDs[m.AuthorizerID]
	}
}

// checkMethod checks that an imported method's models and authorizer are
// the API's, as PutMethod and PutMethodResponse do.
func (p *importedParts) checkMethod(m model.Method) error {
	has := func(name string) bool {
		return slices.ContainsFunc(p.models, func(x model.Model) bool { return x.Name == name })
	}
	for _, ct := range keysInOrder(m.RequestModels) {
		if !has(m.RequestModels[ct]) {
			return unknownModel(m.RequestModels[ct])
		}
	}
	for _, code := range keysInOrder(m.Responses) {
		rm := m.Responses[code].ResponseModels
		for _, ct := range keysInOrder(rm) {
			if !has(rm[ct]) {
				return unknownModel(rm[ct])
			}
		}
	}
	return methodAuthorizerIn(p.authorizers, m)
}

// exportedModels are the models an export shows: all but the default Empty
// and Error models that nothing uses, which AWS's exports leave out (its
// exports of APIs created in the console show Empty when methods use it,
// never an unused Error).
func exportedModels(s model.Snapshot) []model.Model {
	used := map[string]bool{}
	for _, r := range s.Resources {
		for _, m := range r.Methods {
			for _, name := range m.RequestModels {
				used[name] = true
			}
			for _, mr := range m.Responses {
				for _, name := range mr.ResponseModels {
					used[name] = true
				}
			}
		}
	}
	var out []model.Model
	for _, m := range s.Models {
		isDefault := slices.ContainsFunc(defaultModels, func(d model.Model) bool {
			return d.Name == m.Name && d.Schema == m.Schema && d.Description == m.Description
		})
		referred := slices.ContainsFunc(s.Models, func(o model.Model) bool {
			return strings.Contains(o.Schema, model.ModelURL(s.API.ID, m.Name)+`"`)
		})
		if !isDefault || used[m.Name] || referred {
			out = append(out, m)
		}
	}
	return out
}
