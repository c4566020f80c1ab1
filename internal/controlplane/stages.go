package controlplane

import (
	"errors"
	"maps"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/gantryproject/gantry/internal/awserr"
	"github.com/gantryproject/gantry/internal/model"
	"github.com/gantryproject/gantry/internal/patch"
	"github.com/gantryproject/gantry/internal/store"
)

var (
	// cacheClusterSizes is the service model's CacheClusterSize enum.
	cacheClusterSizes = []string{"0.5", "1.6", "6.1", "13.5", "28.4", "58.2", "118", "237"}
	loggingLevels     = []string{"OFF", "ERROR", "INFO"}
	// methodSettingNames are the settings of /{resourcePath}/{httpMethod}/....
	methodSettingNames = []string{"metrics/enabled", "logging/dataTrace", "logging/loglevel",
		"throttling/burstLimit", "throttling/rateLimit", "caching/ttlInSeconds", "caching/enabled",
		"caching/dataEncrypted", "caching/requireAuthorizationForCacheControl",
		"caching/unauthorizedCacheControlHeaderStrategy"}
	cacheControlModes = []string{"FAIL_WITH_403", "SUCCEED_WITH_RESPONSE_HEADER", "SUCCEED_WITHOUT_RESPONSE_HEADER"}

	// Stage names: letters, digits, '_' and (as AWS's documentation now
	// allows) '-', at most 128 characters.
	stageNameRe = regexp.MustCompile(`^[A-Za-z0-9_-]{1,128}$`)
	// Stage variable names are word characters; values are the characters
	// of the documented pattern [A-Za-z0-9-._~:/?#&=,]+ plus the space that
	// AWS's error text lists (and that its examples use).
	stageVarNameRe  = regexp.MustCompile(`^[A-Za-z0-9_]+$`)
	stageVarValueRe = regexp.MustCompile(`^[A-Za-z0-9 ._~:/?#&=,-]+$`)
)

// Default cache settings and method settings, as AWS shows them.
const (
	defaultCacheClusterSize = "0.5"
	cacheAvailable          = "AVAILABLE"
	cacheNotAvailable       = "NOT_AVAILABLE"
	maxCacheTTL             = 3600
)

// allMethods is the method-settings key that applies to every method.
const allMethods = "*/*"

// stagePathList is the list AWS quotes when UpdateStage meets a path it does
// not know, reproduced as recorded (its missing commas included).
const stagePathList = "[/deploymentId, /description, /cacheClusterEnabled, /cacheClusterSize, /clientCertificateId, /accessLogSettings, /accessLogSettings/destinationArn, /accessLogSettings/format, /{resourcePath}/{httpMethod}/metrics/enabled, /{resourcePath}/{httpMethod}/logging/dataTrace, /{resourcePath}/{httpMethod}/logging/loglevel, /{resourcePath}/{httpMethod}/throttling/burstLimit/{resourcePath}/{httpMethod}/throttling/rateLimit/{resourcePath}/{httpMethod}/caching/ttlInSeconds, /{resourcePath}/{httpMethod}/caching/enabled, /{resourcePath}/{httpMethod}/caching/dataEncrypted, /{resourcePath}/{httpMethod}/caching/requireAuthorizationForCacheControl, /{resourcePath}/{httpMethod}/caching/unauthorizedCacheControlHeaderStrategy, /*/*/metrics/enabled, /*/*/logging/dataTrace, /*/*/logging/loglevel, /*/*/throttling/burstLimit /*/*/throttling/rateLimit /*/*/caching/ttlInSeconds, /*/*/caching/enabled, /*/*/caching/dataEncrypted, /*/*/caching/requireAuthorizationForCacheControl, /*/*/caching/unauthorizedCacheControlHeaderStrategy, /variables/{variable_name}, /tracingEnabled]"

// methodSettingList is the list AWS quotes for a method-settings path whose
// setting part it does not know (recorded, with its missing space).
const methodSettingList = "[.../metrics/enabled, .../logging/dataTrace, .../logging/loglevel,.../throttling/burstLimit, .../throttling/rateLimit, .../caching/ttlInSeconds, .../caching/enabled, .../caching/dataEncrypted, .../caching/requireAuthorizationForCacheControl, .../caching/unauthorizedCacheControlHeaderStrategy]"

// stageJSON is the wire form of the Stage shape. cacheClusterEnabled,
// cacheClusterStatus, methodSettings and tracingEnabled are always present,
// as on AWS; variables and tags only when not empty.
type stageJSON struct {
	DeploymentID         string                       `json:"deploymentId"`
	ClientCertificateID  string                       `json:"clientCertificateId,omitempty"`
	StageName            string                       `json:"stageName"`
	Description          string                       `json:"description,omitempty"`
	CacheClusterEnabled  bool                         `json:"cacheClusterEnabled"`
	CacheClusterSize     string                       `json:"cacheClusterSize,omitempty"`
	CacheClusterStatus   string                       `json:"cacheClusterStatus"`
	MethodSettings       map[string]methodSettingJSON `json:"methodSettings"`
	Variables            map[string]string            `json:"variables,omitempty"`
	DocumentationVersion string                       `json:"documentationVersion,omitempty"`
	AccessLogSettings    *accessLogSettingsJSON       `json:"accessLogSettings,omitempty"`
	CanarySettings       *canarySettingsJSON          `json:"canarySettings,omitempty"`
	TracingEnabled       bool                         `json:"tracingEnabled"`
	WebACLArn            string                       `json:"webAclArn,omitempty"`
	Tags                 map[string]string            `json:"tags,omitempty"`
	CreatedDate          int64                        `json:"createdDate"`
	LastUpdatedDate      int64                        `json:"lastUpdatedDate"`
}

type methodSettingJSON struct {
	MetricsEnabled                         bool    `json:"metricsEnabled"`
	LoggingLevel                           string  `json:"loggingLevel,omitempty"`
	DataTraceEnabled                       bool    `json:"dataTraceEnabled"`
	ThrottlingBurstLimit                   int64   `json:"throttlingBurstLimit"`
	ThrottlingRateLimit                    float64 `json:"throttlingRateLimit"`
	CachingEnabled                         bool    `json:"cachingEnabled"`
	CacheTTLInSeconds                      int64   `json:"cacheTtlInSeconds"`
	CacheDataEncrypted                     bool    `json:"cacheDataEncrypted"`
	RequireAuthorizationForCacheControl    bool    `json:"requireAuthorizationForCacheControl"`
	UnauthorizedCacheControlHeaderStrategy string  `json:"unauthorizedCacheControlHeaderStrategy,omitempty"`
}

type accessLogSettingsJSON struct {
	Format         string `json:"format,omitempty"`
	DestinationArn string `json:"destinationArn,omitempty"`
}

type canarySettingsJSON struct {
	DeploymentID           string            `json:"deploymentId"`
	PercentTraffic         float64           `json:"percentTraffic"`
	StageVariableOverrides map[string]string `json:"stageVariableOverrides,omitempty"`
	UseStageCache          bool              `json:"useStageCache"`
}

func stageOut(s model.Stage, tags map[string]string) stageJSON {
	out := stageJSON{
		DeploymentID:         s.DeploymentID,
		ClientCertificateID:  s.ClientCertificateID,
		StageName:            s.Name,
		Description:          s.Description,
		CacheClusterEnabled:  s.CacheClusterEnabled,
		CacheClusterSize:     s.CacheClusterSize,
		CacheClusterStatus:   cacheNotAvailable,
		MethodSettings:       make(map[string]methodSettingJSON, len(s.MethodSettings)),
		Variables:            s.Variables,
		DocumentationVersion: s.DocumentationVersion,
		TracingEnabled:       s.TracingEnabled,
		WebACLArn:            s.WebACLArn,
		CreatedDate:          s.CreatedDate.Unix(),
		LastUpdatedDate:      s.LastUpdatedDate.Unix(),
	}
	if s.CacheClusterEnabled {
		out.CacheClusterStatus = cacheAvailable
	}
	for k, ms := range s.MethodSettings {
		out.MethodSettings[k] = methodSettingJSON(ms)
	}
	if len(s.Variables) == 0 {
		out.Variables = nil
	}
	if s.AccessLogSettings != nil {
		out.AccessLogSettings = &accessLogSettingsJSON{Format: s.AccessLogSettings.Format, DestinationArn: s.AccessLogSettings.DestinationArn}
	}
	if cs := s.CanarySettings; cs != nil {
		out.CanarySettings = &canarySettingsJSON{
			DeploymentID:           cs.DeploymentID,
			PercentTraffic:         cs.PercentTraffic,
			StageVariableOverrides: cs.StageVariableOverrides,
			UseStageCache:          cs.UseStageCache,
		}
		if len(cs.StageVariableOverrides) == 0 {
			out.CanarySettings.StageVariableOverrides = nil
		}
	}
	if len(tags) > 0 {
		out.Tags = tags
	}
	return out
}

// stageResource is the tag/ARN resource path of a stage.
func stageResource(apiID, name string) string { return apiResource(apiID) + "/stages/" + name }

// stageNotFound is AWS's answer for an unknown stage name.
func stageNotFound() error { return awserr.NotFound("Invalid stage identifier specified") }

func loadStage(tx store.ReadTx, apiID, name string) (model.Stage, error) {
	s, err := tx.Stage(apiID, name)
	return s, notFoundAs(err, stageNotFound())
}

// loadAPIStage reads a stage once its API is known to exist, so that an
// unknown API is reported as such.
func loadAPIStage(tx store.ReadTx, scope model.Scope, apiID, name string) (model.Stage, error) {
	if _, err := loadAPI(tx, scope, apiID); err != nil {
		return model.Stage{}, err
	}
	return loadStage(tx, apiID, name)
}

func checkStageName(name string) error {
	if !stageNameRe.MatchString(name) {
		return awserr.BadRequest("Stage name only allows a-zA-Z0-9_")
	}
	return nil
}

func checkVariableName(name string) error {
	if !stageVarNameRe.MatchString(name) {
		return awserr.BadRequest("Invalid stage variable name: %s.  Please use names with only word characters.", name)
	}
	return nil
}

func checkVariableValue(value string) error {
	if !stageVarValueRe.MatchString(value) {
		return awserr.BadRequest("Invalid stage variable value: %s.  Please use values with alphanumeric characters and the symbols ' ', -', '.', '_', ':', '/', '?', '&', '=', and ','.", value)
	}
	return nil
}

// checkVariables checks stage variables (or canary overrides) in name order,
// so that the error named is stable.
func checkVariables(vars map[string]string) error {
	for _, k := range slices.Sorted(maps.Keys(vars)) {
		if err := checkVariableName(k); err != nil {
			return err
		}
		if err := checkVariableValue(vars[k]); err != nil {
			return err
		}
	}
	return nil
}

// checkPercentTraffic bounds a canary's share of traffic (AWS's text for a
// value out of range is unrecorded).
func checkPercentTraffic(p float64) error {
	if p < 0 || p > 100 {
		return awserr.BadRequest("Invalid canary percentTraffic %s: must be between 0.0 and 100.0", strconv.FormatFloat(p, 'f', -1, 64))
	}
	return nil
}

func checkCanaryInput(pct *float64, overrides map[string]string) error {
	if pct != nil {
		if err := checkPercentTraffic(*pct); err != nil {
			return err
		}
	}
	return checkVariables(overrides)
}

// setCacheDefaults gives an enabled cache AWS's default size. Gantry runs no
// cache cluster, so an enabled one is reported AVAILABLE at once (AWS passes
// through CREATE_IN_PROGRESS first).
func setCacheDefaults(s *model.Stage) {
	if s.CacheClusterEnabled && s.CacheClusterSize == "" {
		s.CacheClusterSize = defaultCacheClusterSize
	}
	s.CacheClusterStatus = cacheNotAvailable
	if s.CacheClusterEnabled {
		s.CacheClusterStatus = cacheAvailable
	}
}

type canarySettingsInput struct {
	PercentTraffic         *float64          `json:"percentTraffic"`
	DeploymentID           *string           `json:"deploymentId"`
	StageVariableOverrides map[string]string `json:"stageVariableOverrides"`
	UseStageCache          *bool             `json:"useStageCache"`
}

type createStageInput struct {
	StageName            *string              `json:"stageName"`
	DeploymentID         *string              `json:"deploymentId"`
	Description          *string              `json:"description"`
	CacheClusterEnabled  bool                 `json:"cacheClusterEnabled"`
	CacheClusterSize     *string              `json:"cacheClusterSize"`
	Variables            map[string]string    `json:"variables"`
	DocumentationVersion *string              `json:"documentationVersion"`
	CanarySettings       *canarySettingsInput `json:"canarySettings"`
	TracingEnabled       bool                 `json:"tracingEnabled"`
	Tags                 map[string]string    `json:"tags"`
}

func (h *Handler) createStage(c *call) (any, error) {
	var in createStageInput
	if err := c.decode(&in); err != nil {
		return nil, err
	}
	var v awserr.Validation
	if in.StageName == nil {
		v.NotNull("createStageInput.stageName")
	}
	if in.DeploymentID == nil {
		v.NotNull("createStageInput.deploymentId")
	}
	if in.CacheClusterSize != nil && !slices.Contains(cacheClusterSizes, *in.CacheClusterSize) {
		v.Enum("createStageInput.cacheClusterSize", *in.CacheClusterSize, cacheClusterSizes)
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	if err := checkStageName(*in.StageName); err != nil {
		return nil, err
	}
	if err := checkVariables(in.Variables); err != nil {
		return nil, err
	}
	if cs := in.CanarySettings; cs != nil {
		if err := checkCanaryInput(cs.PercentTraffic, cs.StageVariableOverrides); err != nil {
			return nil, err
		}
	}
	if err := checkTags(in.Tags); err != nil {
		return nil, err
	}
	apiID := c.params["restapi_id"]
	now := h.opts.Now().UTC().Truncate(1e9)
	s := model.Stage{
		Name:                *in.StageName,
		DeploymentID:        *in.DeploymentID,
		CacheClusterEnabled: in.CacheClusterEnabled,
		Variables:           maps.Clone(in.Variables),
		TracingEnabled:      in.TracingEnabled,
		CreatedDate:         now,
		LastUpdatedDate:     now,
	}
	if in.Description != nil {
		s.Description = *in.Description
	}
	if in.CacheClusterSize != nil {
		s.CacheClusterSize = *in.CacheClusterSize
	}
	setCacheDefaults(&s)
	// Documentation versions are not modelled yet: any value is kept.
	if in.DocumentationVersion != nil {
		s.DocumentationVersion = *in.DocumentationVersion
	}
	if cs := in.CanarySettings; cs != nil {
		// A canary without a deployment id starts on the stage's own
		// deployment (AWS's behaviour here is unrecorded).
		canary := model.CanarySettings{DeploymentID: s.DeploymentID, StageVariableOverrides: maps.Clone(cs.StageVariableOverrides)}
		if cs.DeploymentID != nil {
			canary.DeploymentID = *cs.DeploymentID
		}
		if cs.PercentTraffic != nil {
			canary.PercentTraffic = *cs.PercentTraffic
		}
		if cs.UseStageCache != nil {
			canary.UseStageCache = *cs.UseStageCache
		}
		s.CanarySettings = &canary
	}
	err := h.store.Update(c.r.Context(), c.scope, func(tx store.Tx) error {
		if _, err := loadAPI(tx, c.scope, apiID); err != nil {
			return err
		}
		for _, id := range []string{s.DeploymentID, canaryDeployment(s)} {
			ok, err := deploymentExists(tx, apiID, id)
			if err != nil {
				return err
			}
			if !ok {
				return noSuchDeployment()
			}
		}
		err := tx.CreateStage(apiID, s)
		if errors.Is(err, store.ErrExists) {
			return awserr.Conflict("Stage already exists")
		}
		if err != nil {
			return err
		}
		return tx.TagResource(stageResource(apiID, s.Name), in.Tags)
	})
	if err != nil {
		return nil, err
	}
	h.deployed(c.scope, apiID)
	return stageOut(s, in.Tags), nil
}

// canaryDeployment is the deployment a stage's canary runs, or its own when
// it has no canary.
func canaryDeployment(s model.Stage) string {
	if s.CanarySettings != nil {
		return s.CanarySettings.DeploymentID
	}
	return s.DeploymentID
}

func (h *Handler) getStage(c *call) (any, error) {
	apiID := c.params["restapi_id"]
	var out stageJSON
	err := h.store.View(c.r.Context(), c.scope, func(tx store.ReadTx) error {
		s, err := loadAPIStage(tx, c.scope, apiID, c.params["stage_name"])
		if err != nil {
			return err
		}
		tags, err := tx.Tags(stageResource(apiID, s.Name))
		out = stageOut(s, tags)
		return err
	})
	return out, err
}

type stagesJSON struct {
	Items []stageJSON `json:"item"`
}

// getStages lists an API's stages in creation order, optionally only those
// serving one deployment. AWS does not page stages.
func (h *Handler) getStages(c *call) (any, error) {
	apiID := c.params["restapi_id"]
	filter := c.query.Get("deploymentId")
	out := stagesJSON{Items: []stageJSON{}}
	err := h.store.View(c.r.Context(), c.scope, func(tx store.ReadTx) error {
		if _, err := loadAPI(tx, c.scope, apiID); err != nil {
			return err
		}
		stages, err := tx.Stages(apiID)
		if err != nil {
			return err
		}
		for _, s := range stages {
			if filter != "" && s.DeploymentID != filter {
				continue
			}
			tags, err := tx.Tags(stageResource(apiID, s.Name))
			if err != nil {
				return err
			}
			out.Items = append(out.Items, stageOut(s, tags))
		}
		return nil
	})
	return out, err
}

// deleteStage removes a stage and its tags (the store keeps tags apart).
func (h *Handler) deleteStage(c *call) (any, error) {
	apiID, name := c.params["restapi_id"], c.params["stage_name"]
	err := h.store.Update(c.r.Context(), c.scope, func(tx store.Tx) error {
		if _, err := loadAPI(tx, c.scope, apiID); err != nil {
			return err
		}
		err := tx.DeleteStage(apiID, name)
		if errors.Is(err, store.ErrNotFound) {
			return stageNotFound()
		}
		if err != nil {
			return err
		}
		return untagAll(tx, stageResource(apiID, name))
	})
	if err != nil {
		return nil, err
	}
	h.deployed(c.scope, apiID)
	return nil, nil
}

// updateStage applies a PATCH document, following AWS's PATCH reference for
// Stage and its recorded answers. Every operation is checked before anything
// is stored.
func (h *Handler) updateStage(c *call) (any, error) {
	ops, _, err := c.patchOps("updateStageInput", false)
	if err != nil {
		return nil, err
	}
	apiID := c.params["restapi_id"]
	var out stageJSON
	err = h.store.Update(c.r.Context(), c.scope, func(tx store.Tx) error {
		s, err := loadAPIStage(tx, c.scope, apiID, c.params["stage_name"])
		if err != nil {
			return err
		}
		p := &stagePatch{tx: tx, apiID: apiID, stage: cloneStage(s)}
		for _, o := range ops {
			if err := p.apply(o); err != nil {
				return err
			}
		}
		p.stage.LastUpdatedDate = h.opts.Now().UTC().Truncate(1e9)
		if err := tx.PutStage(apiID, p.stage); err != nil {
			return err
		}
		tags, err := tx.Tags(stageResource(apiID, s.Name))
		out = stageOut(p.stage, tags)
		return err
	})
	if err != nil {
		return nil, err
	}
	h.deployed(c.scope, apiID)
	return out, nil
}

// cloneStage copies a stage deeply enough that patching it leaves the
// original untouched.
func cloneStage(s model.Stage) model.Stage {
	s.Variables = maps.Clone(s.Variables)
	s.MethodSettings = maps.Clone(s.MethodSettings)
	if s.AccessLogSettings != nil {
		a := *s.AccessLogSettings
		s.AccessLogSettings = &a
	}
	if s.CanarySettings != nil {
		cs := *s.CanarySettings
		cs.StageVariableOverrides = maps.Clone(cs.StageVariableOverrides)
		s.CanarySettings = &cs
	}
	return s
}

// stagePatch is one UpdateStage being applied.
type stagePatch struct {
	tx    store.ReadTx
	apiID string
	stage model.Stage
	// deployments caches the snapshots read to resolve method settings.
	deployments map[string]model.Snapshot
}

func invalidStagePath(path string) error {
	return awserr.BadRequest("Invalid method setting path: %s. Must be one of: %s", path, stagePathList)
}

func invalidStageOp(op patch.Op, path string) error {
	return awserr.BadRequest("Invalid %s operation with path: %s", op, path)
}

// badPatchValue refuses a value of the wrong type or range (AWS's texts for
// these are unrecorded).
func badPatchValue(path, value string) error {
	return awserr.BadRequest("Invalid value '%s' for patch path %s", value, path)
}

func (p *stagePatch) apply(o patch.Operation) error {
	if o.Path == nil {
		return patch.InvalidPath(o)
	}
	op := o.OpName()
	if op == "" {
		return patch.InvalidOp()
	}
	path := *o.Path
	if !strings.HasPrefix(path, "/") {
		return invalidStagePath(path)
	}
	value := ""
	if o.Value != nil {
		value = *o.Value
	}
	if op == patch.Copy {
		return p.copy(o)
	}
	// Raw segments: method-settings keys keep the resource path escaped
	// ("~1pets/GET"), as AWS stores and returns them.
	raw := strings.Split(path[1:], "/")
	switch len(raw) {
	case 1:
		return p.applyTop(op, path, raw[0], value)
	case 2:
		if op == patch.Remove && raw[0] != "variables" {
			// AWS reads any other two-segment remove as the removal of the
			// method settings /{resourcePath}/{httpMethod}.
			return p.removeMethodSetting(raw[0] + "/" + raw[1])
		}
		switch raw[0] {
		case "variables":
			return p.applyVariable(op, path, patch.Unescape(raw[1]), value)
		case "accessLogSettings":
			return p.applyAccessLog(op, path, raw[1], value)
		case "canarySettings":
			return p.applyCanary(op, path, raw[1], value)
		}
	case 3:
		if raw[0] == "canarySettings" && raw[1] == "stageVariableOverrides" && raw[2] != "" {
			return p.applyOverride(op, path, patch.Unescape(raw[2]), value)
		}
	case 4:
		if raw[0] != "" && raw[1] != "" {
			return p.applyMethodSetting(op, path, raw[0], raw[1], raw[2]+"/"+raw[3], value)
		}
	}
	return invalidStagePath(path)
}

func parseStageBool(path, value string) (bool, error) {
	switch strings.ToLower(value) {
	case "true":
		return true, nil
	case "false":
		return false, nil
	}
	return false, badPatchValue(path, value)
}

// applyTop handles the one-segment paths.
func (p *stagePatch) applyTop(op patch.Op, path, name, value string) error {
	s := &p.stage
	switch name {
	case "accessLogSettings":
		if op != patch.Remove {
			return invalidStageOp(op, path)
		}
		s.AccessLogSettings = nil
		return nil
	case "canarySettings":
		if op != patch.Remove {
			return invalidStagePath(path)
		}
		s.CanarySettings = nil
		return nil
	case "description", "deploymentId", "cacheClusterEnabled", "cacheClusterSize",
		"clientCertificateId", "documentationVersion", "tracingEnabled":
	default:
		return invalidStagePath(path)
	}
	if op != patch.Replace {
		return invalidStageOp(op, path)
	}
	switch name {
	case "description":
		s.Description = value
	case "deploymentId":
		ok, err := deploymentExists(p.tx, p.apiID, value)
		if err != nil {
			return err
		}
		if !ok {
			return noSuchDeployment()
		}
		s.DeploymentID = value
	case "cacheClusterEnabled":
		b, err := parseStageBool(path, value)
		if err != nil {
			return err
		}
		s.CacheClusterEnabled = b
		setCacheDefaults(s)
	case "cacheClusterSize":
		if !slices.Contains(cacheClusterSizes, value) {
			return badPatchValue(path, value)
		}
		s.CacheClusterSize = value
	case "clientCertificateId":
		// Client certificates are not modelled yet: any id is kept.
		s.ClientCertificateID = value
	case "documentationVersion":
		s.DocumentationVersion = value
	case "tracingEnabled":
		b, err := parseStageBool(path, value)
		if err != nil {
			return err
		}
		s.TracingEnabled = b
	}
	return nil
}

// applyVariable sets or removes /variables/{name}. Removing an absent
// variable is a no-op (AWS's answer is unrecorded).
func (p *stagePatch) applyVariable(op patch.Op, path, name, value string) error {
	s := &p.stage
	switch op {
	case patch.Add, patch.Replace:
		if err := checkVariableName(name); err != nil {
			return err
		}
		if err := checkVariableValue(value); err != nil {
			return err
		}
		if s.Variables == nil {
			s.Variables = map[string]string{}
		}
		s.Variables[name] = value
	case patch.Remove:
		delete(s.Variables, name)
	default:
		return invalidStageOp(op, path)
	}
	if len(s.Variables) == 0 {
		s.Variables = nil
	}
	return nil
}

func (p *stagePatch) applyAccessLog(op patch.Op, path, field, value string) error {
	if field != "format" && field != "destinationArn" {
		return invalidStagePath(path)
	}
	if op != patch.Replace && op != patch.Add {
		return invalidStageOp(op, path)
	}
	a := model.AccessLogSettings{}
	if p.stage.AccessLogSettings != nil {
		a = *p.stage.AccessLogSettings
	}
	if field == "format" {
		a.Format = value
	} else {
		a.DestinationArn = value
	}
	p.stage.AccessLogSettings = &a
	if a == (model.AccessLogSettings{}) {
		p.stage.AccessLogSettings = nil
	}
	return nil
}

// canary returns the stage's canary settings, creating them as AWS does when
// a canary path is first replaced: on the stage's own deployment, with no
// traffic.
func (p *stagePatch) canary() *model.CanarySettings {
	if p.stage.CanarySettings == nil {
		p.stage.CanarySettings = &model.CanarySettings{DeploymentID: p.stage.DeploymentID}
	}
	return p.stage.CanarySettings
}

func (p *stagePatch) applyCanary(op patch.Op, path, field, value string) error {
	if op == patch.Add {
		return invalidStageOp(op, path)
	}
	if op != patch.Replace {
		return invalidStagePath(path)
	}
	switch field {
	case "percentTraffic":
		f, err := strconv.ParseFloat(value, 64)
		if err != nil {
			return badPatchValue(path, value)
		}
		if err := checkPercentTraffic(f); err != nil {
			return err
		}
		p.canary().PercentTraffic = f
	case "deploymentId":
		ok, err := deploymentExists(p.tx, p.apiID, value)
		if err != nil {
			return err
		}
		if !ok {
			return noSuchDeployment()
		}
		p.canary().DeploymentID = value
	case "useStageCache":
		b, err := parseStageBool(path, value)
		if err != nil {
			return err
		}
		p.canary().UseStageCache = b
	default:
		return invalidStagePath(path)
	}
	return nil
}

func (p *stagePatch) applyOverride(op patch.Op, path, name, value string) error {
	switch op {
	case patch.Add, patch.Replace:
		if err := checkVariableName(name); err != nil {
			return err
		}
		if err := checkVariableValue(value); err != nil {
			return err
		}
		cs := p.canary()
		if cs.StageVariableOverrides == nil {
			cs.StageVariableOverrides = map[string]string{}
		}
		cs.StageVariableOverrides[name] = value
	case patch.Remove:
		if cs := p.stage.CanarySettings; cs != nil {
			delete(cs.StageVariableOverrides, name)
			if len(cs.StageVariableOverrides) == 0 {
				cs.StageVariableOverrides = nil
			}
		}
	default:
		return invalidStageOp(op, path)
	}
	return nil
}

// copy promotes a canary: /canarySettings/deploymentId to /deploymentId, and
// /canarySettings/stageVariableOverrides into /variables (merged over the
// stage's variables). These are the only copies AWS allows.
func (p *stagePatch) copy(o patch.Operation) error {
	path, from := o.PathString(), "null"
	if o.From != nil {
		from = *o.From
	}
	valid := path == "/deploymentId" && from == "/canarySettings/deploymentId" ||
		path == "/variables" && from == "/canarySettings/stageVariableOverrides"
	if !valid {
		return awserr.BadRequest("Invalid copy operation with path: %s and from %s. Valid copy:path are [/deploymentId, /variables] and valid copy:from are [/canarySettings/deploymentId, /canarySettings/stageVariableOverrides]", path, from)
	}
	cs := p.stage.CanarySettings
	if cs == nil {
		return awserr.BadRequest("Promotion not available. Canary does not exist.")
	}
	if path == "/deploymentId" {
		p.stage.DeploymentID = cs.DeploymentID
		return nil
	}
	if len(cs.StageVariableOverrides) > 0 {
		if p.stage.Variables == nil {
			p.stage.Variables = map[string]string{}
		}
		maps.Copy(p.stage.Variables, cs.StageVariableOverrides)
	}
	return nil
}

func (p *stagePatch) removeMethodSetting(key string) error {
	if _, ok := p.stage.MethodSettings[key]; !ok {
		return awserr.BadRequest("Cannot remove method setting %s because there is no method setting for this method ", key)
	}
	delete(p.stage.MethodSettings, key)
	if len(p.stage.MethodSettings) == 0 {
		p.stage.MethodSettings = nil
	}
	return nil
}

// defaultMethodSetting is a new method setting as AWS fills it.
func defaultMethodSetting() model.MethodSetting {
	return model.MethodSetting{
		ThrottlingBurstLimit:                   5000,
		ThrottlingRateLimit:                    10000,
		CacheTTLInSeconds:                      300,
		RequireAuthorizationForCacheControl:    true,
		UnauthorizedCacheControlHeaderStrategy: "SUCCEED_WITH_RESPONSE_HEADER",
	}
}

// applyMethodSetting sets one setting of /{resourcePath}/{httpMethod}. The
// key keeps the resource path as the request escaped it ("~1pets/GET"),
// which is how AWS stores and returns it; "*/*" covers every method.
//
// AWS accepts but silently drops settings for a method the stage does not
// serve (recorded: "/test/GET/..." on an API without /test is answered 200
// and not stored; an unescaped "path1/GET" has no effect either). Gantry
// resolves the resource path against the stage's deployment and drops the
// setting likewise when no resource matches, or when the method is neither
// "*" nor one of the resource's methods.
//
// A new method setting starts from the stage's "*/*" settings when there
// are some, otherwise from AWS's defaults; later changes to "*/*" do not
// reach it (recorded AWS behaviour).
func (p *stagePatch) applyMethodSetting(op patch.Op, path, resource, method, setting, value string) error {
	if !slices.Contains(methodSettingNames, setting) {
		return awserr.BadRequest("Invalid method setting path: %s. Must be one of: %s", setting, methodSettingList)
	}
	if op != patch.Replace && op != patch.Add {
		return invalidStageOp(op, path)
	}
	set, err := methodSettingSetter(path, setting, value)
	if err != nil {
		return err
	}
	key := resource + "/" + method
	if key != allMethods {
		ok, err := p.serves(resource, method)
		if err != nil || !ok {
			return err
		}
	}
	ms, ok := p.stage.MethodSettings[key]
	if !ok {
		ms = defaultMethodSetting()
		if all, ok := p.stage.MethodSettings[allMethods]; ok {
			ms = all
		}
	}
	set(&ms)
	if p.stage.MethodSettings == nil {
		p.stage.MethodSettings = map[string]model.MethodSetting{}
	}
	p.stage.MethodSettings[key] = ms
	return nil
}

// serves reports whether the stage's deployment has the escaped resource
// path with the method ("*" for any of its methods).
func (p *stagePatch) serves(resource, method string) (bool, error) {
	if resource == "*" {
		return false, nil // "*" only combines with "*", as "*/*"
	}
	snap, ok := p.deployments[p.stage.DeploymentID]
	if !ok {
		d, err := p.tx.Deployment(p.apiID, p.stage.DeploymentID)
		if err != nil && !errors.Is(err, store.ErrNotFound) {
			return false, err
		}
		snap = d.Snapshot
		if p.deployments == nil {
			p.deployments = map[string]model.Snapshot{}
		}
		p.deployments[p.stage.DeploymentID] = snap
	}
	want := patch.Unescape(resource)
	for _, r := range snap.Resources {
		if r.Path != want {
			continue
		}
		if method == "*" {
			return true, nil
		}
		_, ok := r.Methods[method]
		return ok, nil
	}
	return false, nil
}

// methodSettingSetter parses value for setting ("metrics/enabled", ...) and
// returns what applies it.
func methodSettingSetter(path, setting, value string) (func(*model.MethodSetting), error) {
	boolean := func(apply func(*model.MethodSetting, bool)) (func(*model.MethodSetting), error) {
		b, err := parseStageBool(path, value)
		if err != nil {
			return nil, err
		}
		return func(ms *model.MethodSetting) { apply(ms, b) }, nil
	}
	switch setting {
	case "metrics/enabled":
		return boolean(func(ms *model.MethodSetting, b bool) { ms.MetricsEnabled = b })
	case "logging/dataTrace":
		return boolean(func(ms *model.MethodSetting, b bool) { ms.DataTraceEnabled = b })
	case "caching/enabled":
		return boolean(func(ms *model.MethodSetting, b bool) { ms.CachingEnabled = b })
	case "caching/dataEncrypted":
		return boolean(func(ms *model.MethodSetting, b bool) { ms.CacheDataEncrypted = b })
	case "caching/requireAuthorizationForCacheControl":
		return boolean(func(ms *model.MethodSetting, b bool) { ms.RequireAuthorizationForCacheControl = b })
	case "logging/loglevel":
		if !slices.Contains(loggingLevels, value) {
			return nil, badPatchValue(path, value)
		}
		return func(ms *model.MethodSetting) { ms.LoggingLevel = value }, nil
	case "caching/unauthorizedCacheControlHeaderStrategy":
		if !slices.Contains(cacheControlModes, value) {
			return nil, badPatchValue(path, value)
		}
		return func(ms *model.MethodSetting) { ms.UnauthorizedCacheControlHeaderStrategy = value }, nil
	case "throttling/burstLimit":
		n, err := strconv.ParseInt(value, 10, 32)
		if err != nil || n < 0 {
			return nil, badPatchValue(path, value)
		}
		return func(ms *model.MethodSetting) { ms.ThrottlingBurstLimit = n }, nil
	case "throttling/rateLimit":
		f, err := strconv.ParseFloat(value, 64)
		if err != nil || f < 0 {
			return nil, badPatchValue(path, value)
		}
		return func(ms *model.MethodSetting) { ms.ThrottlingRateLimit = f }, nil
	case "caching/ttlInSeconds":
		n, err := strconv.ParseInt(value, 10, 32)
		if err != nil || n < 0 || n > maxCacheTTL {
			return nil, badPatchValue(path, value)
		}
		return func(ms *model.MethodSetting) { ms.CacheTTLInSeconds = n }, nil
	}
	return nil, awserr.BadRequest("Invalid method setting path: %s. Must be one of: %s", setting, methodSettingList)
}

func (h *Handler) stageOps(m map[string]opFunc) {
	m["CreateStage"] = h.createStage
	m["GetStage"] = h.getStage
	m["GetStages"] = h.getStages
	m["UpdateStage"] = h.updateStage
	m["DeleteStage"] = h.deleteStage
}
