package controlplane

import (
	"errors"
	"maps"
	"slices"
	"strings"

	"github.com/gantryproject/gantry/internal/awserr"
	"github.com/gantryproject/gantry/internal/ids"
	"github.com/gantryproject/gantry/internal/model"
	"github.com/gantryproject/gantry/internal/patch"
	"github.com/gantryproject/gantry/internal/store"
)

// deploymentJSON is the wire form of the Deployment shape. apiSummary
// appears only when GetDeployment is asked for it (embed=apisummary).
type deploymentJSON struct {
	ID          string                                   `json:"id"`
	Description string                                   `json:"description,omitempty"`
	CreatedDate int64                                    `json:"createdDate"`
	APISummary  map[string]map[string]methodSnapshotJSON `json:"apiSummary,omitempty"`
}

// methodSnapshotJSON is the MethodSnapshot shape of an apiSummary.
type methodSnapshotJSON struct {
	AuthorizationType string `json:"authorizationType,omitempty"`
	APIKeyRequired    bool   `json:"apiKeyRequired"`
}

func deploymentOut(d model.Deployment) deploymentJSON {
	return deploymentJSON{ID: d.ID, Description: d.Description, CreatedDate: d.CreatedDate.Unix()}
}

// apiSummary maps each resource path of the snapshot to its methods'
// authorization type and API key requirement. Resources without methods are
// left out.
func apiSummary(s model.Snapshot) map[string]map[string]methodSnapshotJSON {
	out := map[string]map[string]methodSnapshotJSON{}
	for _, r := range s.Resources {
		if len(r.Methods) == 0 {
			continue
		}
		ms := make(map[string]methodSnapshotJSON, len(r.Methods))
		for name, m := range r.Methods {
			ms[name] = methodSnapshotJSON{AuthorizationType: m.AuthorizationType, APIKeyRequired: m.APIKeyRequired}
		}
		out[r.Path] = ms
	}
	return out
}

func deploymentID(d model.Deployment) string { return d.ID }

// deploymentNotFound is the answer for an unknown deployment id. AWS's exact
// text is unrecorded; this is the form moto and LocalStack use.
func deploymentNotFound() error {
	return awserr.NotFound("Invalid Deployment identifier specified")
}

// noSuchDeployment is AWS's answer when a stage is pointed (by CreateStage,
// UpdateStage /deploymentId or a canary) at a deployment that does not exist.
func noSuchDeployment() error {
	return awserr.BadRequest("Deployment id does not exist")
}

func loadDeployment(tx store.ReadTx, apiID, id string) (model.Deployment, error) {
	d, err := tx.Deployment(apiID, id)
	return d, notFoundAs(err, deploymentNotFound())
}

// loadAPIDeployment reads a deployment once its API is known to exist, so
// that an unknown API is reported as such.
func loadAPIDeployment(tx store.ReadTx, scope model.Scope, apiID, id string) (model.Deployment, error) {
	if _, err := loadAPI(tx, scope, apiID); err != nil {
		return model.Deployment{}, err
	}
	return loadDeployment(tx, apiID, id)
}

// deploymentExists reports whether id names a deployment of the API.
func deploymentExists(tx store.ReadTx, apiID, id string) (bool, error) {
	if id == "" {
		return false, nil
	}
	_, err := tx.Deployment(apiID, id)
	if errors.Is(err, store.ErrNotFound) {
		return false, nil
	}
	return err == nil, err
}

type deploymentCanaryInput struct {
	PercentTraffic         *float64          `json:"percentTraffic"`
	StageVariableOverrides map[string]string `json:"stageVariableOverrides"`
	UseStageCache          *bool             `json:"useStageCache"`
}

type createDeploymentInput struct {
	StageName           *string                `json:"stageName"`
	StageDescription    *string                `json:"stageDescription"`
	Description         *string                `json:"description"`
	CacheClusterEnabled *bool                  `json:"cacheClusterEnabled"`
	CacheClusterSize    *string                `json:"cacheClusterSize"`
	Variables           map[string]string      `json:"variables"`
	CanarySettings      *deploymentCanaryInput `json:"canarySettings"`
	TracingEnabled      *bool                  `json:"tracingEnabled"`
}

// snapshot reads what a deployment freezes: the API, its resources with
// their methods and integrations, its gateway-response customizations, its
// models, its request validators and its authorizers.
// It refuses, as AWS does, an API without methods or with a method that has
// no integration.
func snapshot(tx store.ReadTx, api model.RestAPI) (model.Snapshot, error) {
	resources, err := tx.Resources(api.ID)
	if err != nil {
		return model.Snapshot{}, err
	}
	methods := 0
	for _, r := range resources {
		for _, name := range slices.Sorted(maps.Keys(r.Methods)) {
			methods++
			if r.Methods[name].Integration == nil {
				return model.Snapshot{}, awserr.BadRequest("No integration defined for method")
			}
		}
	}
	if methods == 0 {
		return model.Snapshot{}, awserr.BadRequest("The REST API doesn't contain any methods")
	}
	grs, err := tx.GatewayResponses(api.ID)
	if err != nil {
		return model.Snapshot{}, err
	}
	models, err := tx.Models(api.ID)
	if err != nil {
		return model.Snapshot{}, err
	}
	validators, err := tx.RequestValidators(api.ID)
	if err != nil {
		return model.Snapshot{}, err
	}
	authorizers, err := tx.Authorizers(api.ID)
	if err != nil {
		return model.Snapshot{}, err
	}
	return model.Snapshot{API: api, Resources: resources, GatewayResponses: grs,
		Models: models, RequestValidators: validators, Authorizers: authorizers}, nil
}

// newDeploymentID returns an id of AWS's deployment form (6 characters).
func newDeploymentID() string { return ids.New(6) }

// createDeployment snapshots the API and, with a stageName, creates that
// stage or repoints it to the new deployment, all in one transaction. With
// canarySettings the stage must exist, and the new deployment becomes its
// canary while the stage keeps serving its current deployment.
func (h *Handler) createDeployment(c *call) (any, error) {
	var in createDeploymentInput
	if err := c.decode(&in); err != nil {
		return nil, err
	}
	var v awserr.Validation
	if in.CacheClusterSize != nil && !slices.Contains(cacheClusterSizes, *in.CacheClusterSize) {
		v.Enum("createDeploymentInput.cacheClusterSize", *in.CacheClusterSize, cacheClusterSizes)
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	if in.CanarySettings != nil && (in.StageName == nil || *in.StageName == "") {
		given := "null"
		if in.StageName != nil {
			given = ""
		}
		return nil, awserr.BadRequest("Invalid deployment content specified.Non null and non empty stageName must be provided for canary deployment. Provided value is %s", given)
	}
	stageName := ""
	if in.StageName != nil {
		// An empty stageName is refused like any invalid name: AWS once took
		// it as "no stage" but no longer does.
		stageName = *in.StageName
		if err := checkStageName(stageName); err != nil {
			return nil, err
		}
	}
	if err := checkVariables(in.Variables); err != nil {
		return nil, err
	}
	if in.CanarySettings != nil {
		if err := checkCanaryInput(in.CanarySettings.PercentTraffic, in.CanarySettings.StageVariableOverrides); err != nil {
			return nil, err
		}
	}
	apiID := c.params["restapi_id"]
	now := h.opts.Now().UTC().Truncate(1e9)
	d := model.Deployment{CreatedDate: now}
	if in.Description != nil {
		d.Description = *in.Description
	}
	err := h.store.Update(c.r.Context(), c.scope, func(tx store.Tx) error {
		api, err := loadAPI(tx, c.scope, apiID)
		if err != nil {
			return err
		}
		// "For a private API, you can't deploy your API without a resource
		// policy" ("Create and attach an API Gateway resource policy to an
		// API"); the message is AWS's, as recorded by Terraform users
		// (github.com/hashicorp/terraform-provider-aws/issues/14290). Its
		// order against the other checks of a deployment is unrecorded.
		if slices.Contains(api.EndpointConfiguration.Types, "PRIVATE") && api.Policy == "" {
			return awserr.BadRequest("Private REST API doesn't have a resource policy attached to it")
		}
		var stage model.Stage
		exists := false
		if stageName != "" {
			stage, err = tx.Stage(apiID, stageName)
			switch {
			case err == nil:
				exists = true
			case !errors.Is(err, store.ErrNotFound):
				return err
			}
			if in.CanarySettings != nil && !exists {
				return awserr.BadRequest("Invalid deployment content specified.Stage %s must already be created before making a canary release deployment", stageName)
			}
		}
		if d.Snapshot, err = snapshot(tx, api); err != nil {
			return err
		}
		for {
			d.ID = newDeploymentID()
			err = tx.CreateDeployment(apiID, d)
			if !errors.Is(err, store.ErrExists) {
				break
			}
		}
		if err != nil || stageName == "" {
			return err
		}
		if !exists {
			stage = model.Stage{Name: stageName, DeploymentID: d.ID, CreatedDate: now}
		}
		applyDeploymentToStage(&stage, d.ID, in)
		stage.LastUpdatedDate = now
		if exists {
			return tx.PutStage(apiID, stage)
		}
		return tx.CreateStage(apiID, stage)
	})
	if err != nil {
		return nil, err
	}
	if stageName != "" {
		h.deployed(c.scope, apiID)
	}
	return deploymentOut(d), nil
}

// applyDeploymentToStage sets what CreateDeployment's stage parameters say
// on the stage it deploys to. AWS documents these as settings of the stage
// "associated with the new deployment"; what it does to an existing stage is
// not recorded, so Gantry applies them there too: variables given are set
// (others kept), and stageDescription, cache and tracing settings given
// replace the stage's.
func applyDeploymentToStage(s *model.Stage, deploymentID string, in createDeploymentInput) {
	if in.CanarySettings != nil {
		cs := model.CanarySettings{DeploymentID: deploymentID, StageVariableOverrides: maps.Clone(in.CanarySettings.StageVariableOverrides)}
		if in.CanarySettings.PercentTraffic != nil {
			cs.PercentTraffic = *in.CanarySettings.PercentTraffic
		}
		if in.CanarySettings.UseStageCache != nil {
			cs.UseStageCache = *in.CanarySettings.UseStageCache
		}
		s.CanarySettings = &cs
	} else {
		s.DeploymentID = deploymentID
	}
	if in.StageDescription != nil {
		s.Description = *in.StageDescription
	}
	if len(in.Variables) > 0 {
		vars := maps.Clone(s.Variables)
		if vars == nil {
			vars = map[string]string{}
		}
		maps.Copy(vars, in.Variables)
		s.Variables = vars
	}
	if in.CacheClusterEnabled != nil {
		s.CacheClusterEnabled = *in.CacheClusterEnabled
	}
	if in.CacheClusterSize != nil {
		s.CacheClusterSize = *in.CacheClusterSize
	}
	setCacheDefaults(s)
	if in.TracingEnabled != nil {
		s.TracingEnabled = *in.TracingEnabled
	}
}

// wantsAPISummary reads GetDeployment's embed parameter, which the REST API
// takes comma-separated and the SDKs send repeated.
func (c *call) wantsAPISummary() bool {
	for _, v := range c.query["embed"] {
		for _, s := range strings.Split(v, ",") {
			if strings.EqualFold(strings.TrimSpace(s), "apisummary") {
				return true
			}
		}
	}
	return false
}

func (h *Handler) getDeployment(c *call) (any, error) {
	apiID := c.params["restapi_id"]
	var out deploymentJSON
	err := h.store.View(c.r.Context(), c.scope, func(tx store.ReadTx) error {
		d, err := loadAPIDeployment(tx, c.scope, apiID, c.params["deployment_id"])
		if err != nil {
			return err
		}
		out = deploymentOut(d)
		if c.wantsAPISummary() {
			out.APISummary = apiSummary(d.Snapshot)
		}
		return nil
	})
	return out, err
}

type deploymentsJSON struct {
	Position string           `json:"position,omitempty"`
	Items    []deploymentJSON `json:"item"`
}

// getDeployments lists deployments in creation order, limit at a time. The
// position is the id of the next page's first deployment (opaque to
// clients); a position that names no deployment is refused.
func (h *Handler) getDeployments(c *call) (any, error) {
	limit, err := c.limit()
	if err != nil {
		return nil, err
	}
	apiID := c.params["restapi_id"]
	out := deploymentsJSON{Items: []deploymentJSON{}}
	err = h.store.View(c.r.Context(), c.scope, func(tx store.ReadTx) error {
		if _, err := loadAPI(tx, c.scope, apiID); err != nil {
			return err
		}
		all, err := tx.Deployments(apiID)
		if err != nil {
			return err
		}
		page, next, err := pageByID(all, deploymentID, c.query.Get("position"), limit)
		for _, d := range page {
			out.Items = append(out.Items, deploymentOut(d))
		}
		out.Position = next
		return err
	})
	return out, err
}

// updateDeployment applies a PATCH document. AWS's PATCH reference for
// Deployment allows replace on /description only.
func (h *Handler) updateDeployment(c *call) (any, error) {
	ops, _, err := c.patchOps("updateDeploymentInput", false)
	if err != nil {
		return nil, err
	}
	apiID := c.params["restapi_id"]
	var out deploymentJSON
	err = h.store.Update(c.r.Context(), c.scope, func(tx store.Tx) error {
		d, err := loadAPIDeployment(tx, c.scope, apiID, c.params["deployment_id"])
		if err != nil {
			return err
		}
		for _, o := range ops {
			if o.Path == nil || *o.Path != "/description" || o.OpName() != patch.Replace {
				return patch.InvalidPath(o)
			}
			d.Description = ""
			if o.Value != nil {
				d.Description = *o.Value
			}
		}
		out = deploymentOut(d)
		return tx.PutDeployment(apiID, d)
	})
	return out, err
}

// deleteDeployment refuses while a stage serves the deployment. A stage
// whose canary runs it counts too: AWS's answer there is unrecorded, and
// deleting it would leave the canary pointing at nothing.
func (h *Handler) deleteDeployment(c *call) (any, error) {
	apiID, id := c.params["restapi_id"], c.params["deployment_id"]
	return nil, h.store.Update(c.r.Context(), c.scope, func(tx store.Tx) error {
		if _, err := loadAPIDeployment(tx, c.scope, apiID, id); err != nil {
			return err
		}
		stages, err := tx.Stages(apiID)
		if err != nil {
			return err
		}
		for _, s := range stages {
			if s.DeploymentID == id || s.CanarySettings != nil && s.CanarySettings.DeploymentID == id {
				return awserr.BadRequest("Active stages pointing to this deployment must be moved or deleted")
			}
		}
		err = tx.DeleteDeployment(apiID, id)
		if errors.Is(err, store.ErrNotFound) {
			return deploymentNotFound()
		}
		return err
	})
}

func (h *Handler) deploymentOps(m map[string]opFunc) {
	m["CreateDeployment"] = h.createDeployment
	m["GetDeployment"] = h.getDeployment
	m["GetDeployments"] = h.getDeployments
	m["UpdateDeployment"] = h.updateDeployment
	m["DeleteDeployment"] = h.deleteDeployment
}
