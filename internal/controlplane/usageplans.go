package controlplane

import (
	"encoding/json"
	"errors"
	"slices"
	"strings"

	"github.com/gantryproject/gantry/internal/awserr"
	"github.com/gantryproject/gantry/internal/ids"
	"github.com/gantryproject/gantry/internal/model"
	"github.com/gantryproject/gantry/internal/patch"
	"github.com/gantryproject/gantry/internal/store"
)

// The templated paths of UpdateUsagePlan's grammar, spelled as AWS spells
// them in its errors (recorded, boto3 issue 2629; "apidId" is AWS's typo).
const (
	stageThrottlePath  = "/apiStages/<apidId:stageName>/throttle"
	methodThrottlePath = stageThrottlePath + "/<resourcePath>/<httpMethod>"
)

// msgBlankAPIStage is AWS's answer to CreateUsagePlan for an API stage
// without apiId or stage, recorded with its format verbs unfilled (aws-sdk
// issue 354).
const msgBlankAPIStage = "Invalid API Stage {api: %s, stage: %s} specified for usageplan %s"

// quotaPeriods is the service model's QuotaPeriodType enum, in its order.
var quotaPeriods = []string{model.QuotaDay, model.QuotaWeek, model.QuotaMonth}

var (
	addReplace       = []patch.Op{patch.Add, patch.Replace}
	addReplaceRemove = []patch.Op{patch.Add, patch.Replace, patch.Remove}
)

// usagePlanPaths is UpdateUsagePlan's PATCH grammar, from AWS's "PATCH
// operations" reference, in an order that lists the remove paths as AWS's
// recorded error does: [/apiStages, /quota, /throttle, /productCode,
// .../<httpMethod>, .../throttle].
var usagePlanPaths = pathRules{
	{"/name", []patch.Op{patch.Replace}},
	{"/description", []patch.Op{patch.Replace}},
	{"/apiStages", []patch.Op{patch.Add, patch.Remove}},
	{"/quota", []patch.Op{patch.Remove}},
	{"/throttle", []patch.Op{patch.Remove}},
	{"/productCode", addReplaceRemove},
	{"/quota/limit", addReplace},
	{"/quota/offset", addReplace},
	{"/quota/period", addReplace},
	{"/throttle/burstLimit", addReplace},
	{"/throttle/rateLimit", addReplace},
	{methodThrottlePath, []patch.Op{patch.Remove}},
	{methodThrottlePath + "/rateLimit", addReplace},
	{methodThrottlePath + "/burstLimit", addReplace},
	{stageThrottlePath, addReplaceRemove},
}

// usagePlanJSON is the wire form of the UsagePlan shape. apiStages is always
// present, [] when empty (recorded: LocalStack's snapshot of
// test_get_usage_plan_api_keys); the quota always has its offset.
type usagePlanJSON struct {
	ID          string                  `json:"id"`
	Name        string                  `json:"name"`
	Description string                  `json:"description,omitempty"`
	APIStages   []model.APIStage        `json:"apiStages"`
	Throttle    *model.ThrottleSettings `json:"throttle,omitempty"`
	Quota       *model.QuotaSettings    `json:"quota,omitempty"`
	ProductCode string                  `json:"productCode,omitempty"`
	Tags        map[string]string       `json:"tags,omitzero"`
}

// usagePlanOut renders a plan; emptyTags as in apiKeyOut (UpdateUsagePlan
// shows "tags": {}, what LocalStack does for AWS parity).
func usagePlanOut(p model.UsagePlan, tags map[string]string, emptyTags bool) usagePlanJSON {
	out := usagePlanJSON{
		ID:          p.ID,
		Name:        p.Name,
		Description: p.Description,
		APIStages:   p.APIStages,
		Throttle:    p.Throttle,
		Quota:       p.Quota,
		ProductCode: p.ProductCode,
		Tags:        tagsOut(tags, emptyTags),
	}
	if out.APIStages == nil {
		out.APIStages = []model.APIStage{}
	}
	return out
}

// usagePlanResource is the tag/ARN resource path of a usage plan.
func usagePlanResource(id string) string { return "/usageplans/" + id }

// usagePlanNotFound is AWS's answer for an unknown usage plan id (moto's
// UsagePlanNotFoundException; recorded from AWS in public reports).
func usagePlanNotFound() error { return awserr.NotFound("Invalid Usage Plan ID specified") }

func loadUsagePlan(tx store.ReadTx, id string) (model.UsagePlan, error) {
	p, err := tx.UsagePlan(id)
	return p, notFoundAs(err, usagePlanNotFound())
}

// stageID is the "{apiId}:{stage}" form in which UpdateUsagePlan names an
// API stage.
func stageID(s model.APIStage) string { return s.APIID + ":" + s.Stage }

// stageNotInPlan is the answer for an API stage a plan does not have, or
// that does not exist, in UpdateUsagePlan (LocalStack's text for AWS
// parity).
func stageNotInPlan(apiID, stage, planID string) error {
	return awserr.NotFound("Invalid API Stage {api: %s, stage: %s} specified for usageplan %s", apiID, stage, planID)
}

// planIndex reads a scope's usage plans and their keys for the checks that
// span plans, each at most once per transaction.
type planIndex struct {
	tx    store.ReadTx
	plans []model.UsagePlan   // nil until read
	keys  map[string][]string // plan id → key ids, as read
}

func newPlanIndex(tx store.ReadTx) *planIndex {
	return &planIndex{tx: tx, keys: map[string][]string{}}
}

// all returns every plan of the scope.
func (x *planIndex) all() ([]model.UsagePlan, error) {
	if x.plans == nil {
		plans, err := x.tx.UsagePlans()
		if err != nil {
			return nil, err
		}
		x.plans = append([]model.UsagePlan{}, plans...)
	}
	return x.plans, nil
}

// plan returns the plan with the given id, if there is one.
func (x *planIndex) plan(id string) (model.UsagePlan, bool, error) {
	plans, err := x.all()
	i := slices.IndexFunc(plans, func(p model.UsagePlan) bool { return p.ID == id })
	if err != nil || i < 0 {
		return model.UsagePlan{}, false, err
	}
	return plans[i], true, nil
}

// keysOf returns the ids of a plan's keys.
func (x *planIndex) keysOf(planID string) ([]string, error) {
	if keys, ok := x.keys[planID]; ok {
		return keys, nil
	}
	keys, err := x.tx.UsagePlanKeys(planID)
	x.keys[planID] = keys
	return keys, err
}

// has reports whether a key is in a plan.
func (x *planIndex) has(planID, keyID string) (bool, error) {
	keys, err := x.keysOf(planID)
	return slices.Contains(keys, keyID), err
}

// added records that a key joined a plan.
func (x *planIndex) added(planID, keyID string) {
	x.keys[planID] = append(x.keys[planID], keyID)
}

// conflict refuses, as AWS does, to let a key reach one API stage through
// two plans: it returns the error for a key of keys that is in another plan
// than p having one of stages, or nil. AWS refuses this with a
// ConflictException; its exact text was not found in the records consulted
// (moto, LocalStack, public issues), so the wording is Gantry's, after the
// form "... cannot reference multiple Usage Plans with the same API Stage".
func (x *planIndex) conflict(p model.UsagePlan, keys []string, stages []model.APIStage) error {
	plans, err := x.all()
	if err != nil || len(keys) == 0 {
		return err
	}
	for _, other := range plans {
		i := slices.IndexFunc(stages, func(s model.APIStage) bool { return hasStage(other, s.APIID, s.Stage) })
		if other.ID == p.ID || i < 0 {
			continue
		}
		otherKeys, err := x.keysOf(other.ID)
		if err != nil {
			return err
		}
		for _, key := range keys {
			if slices.Contains(otherKeys, key) {
				return awserr.Conflict("Usage Plan %s cannot be added because API Key %s cannot reference multiple Usage Plans with the same API Stage: %s", p.ID, key, stageID(stages[i]))
			}
		}
	}
	return nil
}

func hasStage(p model.UsagePlan, apiID, stage string) bool {
	return stageIndex(p, apiID, stage) >= 0
}

func stageIndex(p model.UsagePlan, apiID, stage string) int {
	return slices.IndexFunc(p.APIStages, func(s model.APIStage) bool { return s.APIID == apiID && s.Stage == stage })
}

// checkPlanStage checks that an API stage of a plan exists, with its
// per-method throttles.
func checkPlanStage(tx store.ReadTx, s model.APIStage) error {
	st, err := tx.Stage(s.APIID, s.Stage)
	if errors.Is(err, store.ErrNotFound) {
		// Recorded from AWS: "API Stage not found: 63zybslnqk:demo"
		// (serverless issue 2831), a NotFoundException (boto3 issue 825).
		return awserr.NotFound("API Stage not found: %s", stageID(s))
	}
	if err != nil {
		return err
	}
	for key, t := range s.Throttle {
		if err := checkMethodKey(tx, s, st, key); err != nil {
			return err
		}
		if err := checkThrottle(&t); err != nil {
			return err
		}
	}
	return nil
}

// checkMethodKey checks that a per-method throttle key,
// "{resourcePath}/{httpMethod}" (e.g. "/pets/GET", "//GET" for the root),
// names a method of the stage's deployment. AWS answers a 404 "Invalid
// method ..." (aws-cdk issue 15426); its full text is unrecorded.
func checkMethodKey(tx store.ReadTx, s model.APIStage, st model.Stage, key string) error {
	i := strings.LastIndex(key, "/")
	if i > 0 && strings.HasPrefix(key, "/") {
		resource, method := key[:i], key[i+1:]
		d, err := tx.Deployment(s.APIID, st.DeploymentID)
		if err != nil && !errors.Is(err, store.ErrNotFound) {
			return err
		}
		for _, r := range d.Snapshot.Resources {
			if _, ok := r.Methods[method]; ok && r.Path == resource {
				return nil
			}
		}
	}
	return awserr.NotFound("Invalid method %s specified for API Stage %s", key, stageID(s))
}

// checkThrottle and checkQuota refuse negative limits and a quota without
// a valid period; AWS's texts for these are unrecorded.
func checkThrottle(t *model.ThrottleSettings) error {
	if t != nil && (t.BurstLimit < 0 || t.RateLimit < 0) {
		return awserr.BadRequest("Invalid throttle settings: burstLimit and rateLimit must not be negative")
	}
	return nil
}

func checkQuota(q *model.QuotaSettings) error {
	if q == nil {
		return nil
	}
	if !slices.Contains(quotaPeriods, q.Period) {
		return awserr.BadRequest("Invalid quota period: %s. Must be one of: DAY, WEEK, MONTH", q.Period)
	}
	if q.Limit < 0 || q.Offset < 0 || q.Offset > q.Limit {
		return awserr.BadRequest("Invalid quota settings: the limit must not be negative, and the offset must be between 0 and the limit")
	}
	return nil
}

// checkPlan checks a plan as a whole, after its creation or its PATCH: its
// quota and throttle, and that per-method throttles come with a plan
// throttle (recorded from AWS, aws-cdk pull request 6411).
func checkPlan(p model.UsagePlan) error {
	if err := checkQuota(p.Quota); err != nil {
		return err
	}
	if err := checkThrottle(p.Throttle); err != nil {
		return err
	}
	if p.Throttle == nil && slices.ContainsFunc(p.APIStages, func(s model.APIStage) bool { return len(s.Throttle) > 0 }) {
		return awserr.BadRequest("Can not define fine grain throttling if usage plan throttle is not defined.")
	}
	return nil
}

type createUsagePlanInput struct {
	Name        *string                 `json:"name"`
	Description *string                 `json:"description"`
	APIStages   []model.APIStage        `json:"apiStages"`
	Throttle    *model.ThrottleSettings `json:"throttle"`
	Quota       *model.QuotaSettings    `json:"quota"`
	Tags        map[string]string       `json:"tags"`
}

// newUsagePlanID returns an id of AWS's usage plan form (6 characters).
func newUsagePlanID() string { return ids.New(6) }

// createUsagePlan serves CreateUsagePlan. Each API stage must exist, and
// each per-method throttle must name a method of the stage's deployment.
// The input has no productCode (the service model's): UpdateUsagePlan sets
// it.
func (h *Handler) createUsagePlan(c *call) (any, error) {
	var in createUsagePlanInput
	if err := c.decode(&in); err != nil {
		return nil, err
	}
	var v awserr.Validation
	if in.Name == nil {
		v.NotNull("createUsagePlanInput.name")
	}
	if in.Quota != nil && !slices.Contains(quotaPeriods, in.Quota.Period) {
		v.Enum("createUsagePlanInput.quota.period", in.Quota.Period, quotaPeriods)
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	p := model.UsagePlan{
		Name:        *in.Name,
		Description: deref(in.Description),
		Throttle:    in.Throttle,
		Quota:       in.Quota,
		CreatedDate: h.now(),
	}
	for _, s := range in.APIStages {
		if s.APIID == "" || s.Stage == "" {
			return nil, awserr.BadRequest("%s", msgBlankAPIStage)
		}
		if !hasStage(p, s.APIID, s.Stage) {
			p.APIStages = append(p.APIStages, s)
		}
	}
	if err := checkPlan(p); err != nil {
		return nil, err
	}
	if err := checkTags(in.Tags); err != nil {
		return nil, err
	}
	err := h.usageTx(c, func(tx store.Tx) error {
		for _, s := range p.APIStages {
			if err := checkPlanStage(tx, s); err != nil {
				return err
			}
		}
		for {
			p.ID = newUsagePlanID()
			err := tx.CreateUsagePlan(p)
			if errors.Is(err, store.ErrExists) {
				continue
			}
			if err != nil {
				return err
			}
			return tx.TagResource(usagePlanResource(p.ID), in.Tags)
		}
	})
	if err != nil {
		return nil, err
	}
	return usagePlanOut(p, in.Tags, false), nil
}

func (h *Handler) getUsagePlan(c *call) (any, error) {
	var out usagePlanJSON
	err := h.store.View(c.r.Context(), c.scope, func(tx store.ReadTx) error {
		p, err := loadUsagePlan(tx, c.params["usageplanId"])
		if err != nil {
			return err
		}
		tags, err := tx.Tags(usagePlanResource(p.ID))
		out = usagePlanOut(p, tags, false)
		return err
	})
	return out, err
}

type usagePlansJSON struct {
	Position string          `json:"position,omitempty"`
	Items    []usagePlanJSON `json:"item"`
}

func usagePlanID(p model.UsagePlan) string { return p.ID }

// getUsagePlans serves GetUsagePlans: plans in creation order (AWS's order
// is unrecorded), limit at a time, with keyId only those the key is in.
func (h *Handler) getUsagePlans(c *call) (any, error) {
	limit, err := c.limit()
	if err != nil {
		return nil, err
	}
	keyID := c.query.Get("keyId")
	out := usagePlansJSON{Items: []usagePlanJSON{}}
	err = h.store.View(c.r.Context(), c.scope, func(tx store.ReadTx) error {
		all, err := tx.UsagePlans()
		if err != nil {
			return err
		}
		if keyID != "" {
			x := newPlanIndex(tx)
			var with []model.UsagePlan
			for _, p := range all {
				if ok, err := x.has(p.ID, keyID); err != nil {
					return err
				} else if ok {
					with = append(with, p)
				}
			}
			all = with
		}
		page, next, err := pageByID(all, usagePlanID, c.query.Get("position"), limit)
		if err != nil {
			return err
		}
		out.Position = next
		out.Items, err = withTags(tx, page, func(p model.UsagePlan) string { return usagePlanResource(p.ID) },
			func(p model.UsagePlan, tags map[string]string) usagePlanJSON { return usagePlanOut(p, tags, false) })
		return err
	})
	return out, err
}

// deleteUsagePlan serves DeleteUsagePlan, which AWS refuses while the plan
// has API stages (recorded, aws-sdk-js issue 3841).
func (h *Handler) deleteUsagePlan(c *call) (any, error) {
	return nil, h.usageTx(c, func(tx store.Tx) error {
		p, err := loadUsagePlan(tx, c.params["usageplanId"])
		if err != nil {
			return err
		}
		if len(p.APIStages) > 0 {
			return awserr.BadRequest("Cannot delete Usage Plan %s because there are API Stages associated with it, including %s", p.ID, stageID(p.APIStages[0]))
		}
		if err := tx.DeleteUsagePlan(p.ID); err != nil {
			return err
		}
		return untagAll(tx, usagePlanResource(p.ID))
	})
}

// updateUsagePlan serves UpdateUsagePlan: AWS's PATCH reference for
// UsagePlan. Every operation is checked before anything is stored, and the
// plan is checked as a whole at the end.
func (h *Handler) updateUsagePlan(c *call) (any, error) {
	return h.usagePatch(c, "updateUsagePlanInput", func(tx store.Tx, ops []patch.Operation) (any, error) {
		p, err := loadUsagePlan(tx, c.params["usageplanId"])
		if err != nil {
			return nil, err
		}
		pp := &planPatch{tx: tx, plan: &p, plans: newPlanIndex(tx)}
		for _, o := range ops {
			if err := pp.apply(o); err != nil {
				return nil, err
			}
		}
		if err := checkPlan(p); err != nil {
			return nil, err
		}
		if err := tx.PutUsagePlan(p); err != nil {
			return nil, err
		}
		tags, err := tx.Tags(usagePlanResource(p.ID))
		return usagePlanOut(p, tags, true), err
	})
}

// planPatch is one UpdateUsagePlan being applied.
type planPatch struct {
	tx    store.ReadTx
	plan  *model.UsagePlan
	plans *planIndex
}

// planPathShape reduces a path's segments to its rule in usagePlanPaths:
// the path itself, or a templated path with the API stage ("apiId:stage")
// and the method key ("{resourcePath}/{httpMethod}") it names. A method
// throttle path may spell the resource path escaped (~1pets, AWS's form) or
// as plain segments.
func planPathShape(path string, segs []string) (shape, stage, method string) {
	if len(segs) < 3 || segs[0] != "apiStages" || segs[2] != "throttle" {
		return path, "", ""
	}
	rest := segs[3:]
	if len(rest) == 0 {
		return stageThrottlePath, segs[1], ""
	}
	shape = methodThrottlePath
	if last := rest[len(rest)-1]; len(rest) >= 3 && (last == "rateLimit" || last == "burstLimit") {
		shape += "/" + last
		rest = rest[:len(rest)-1]
	}
	if len(rest) < 2 {
		return path, "", ""
	}
	resource := strings.Join(rest[:len(rest)-1], "/")
	if !strings.HasPrefix(resource, "/") {
		resource = "/" + resource
	}
	return shape, segs[1], resource + "/" + rest[len(rest)-1]
}

func (pp *planPatch) apply(o patch.Operation) error {
	op, segs, value, err := opTarget(o)
	if err != nil {
		return err
	}
	path := *o.Path
	shape, stage, method := planPathShape(path, segs)
	if err := usagePlanPaths.check(op, shape, path); err != nil {
		return err
	}
	p := pp.plan
	switch shape {
	case "/name":
		p.Name = value
	case "/description":
		p.Description = value
	case "/productCode":
		if op == patch.Remove {
			value = ""
		}
		p.ProductCode = value
	case "/quota":
		p.Quota = nil
	case "/throttle":
		p.Throttle = nil
	case "/quota/limit", "/quota/offset", "/quota/period", "/throttle/burstLimit", "/throttle/rateLimit":
		return pp.setLimit(shape, path, value)
	case "/apiStages":
		if op == patch.Add {
			return pp.addStage(value)
		}
		return pp.removeStage(value)
	default:
		return pp.applyThrottle(op, shape, path, stage, method, value)
	}
	return nil
}

// setLimit sets one member of the plan's quota or throttle, creating it if
// the plan has none. A quota is complete only with its period: checkPlan
// refuses one left without.
func (pp *planPatch) setLimit(shape, path, value string) error {
	p := pp.plan
	if strings.HasPrefix(shape, "/quota/") && p.Quota == nil {
		p.Quota = &model.QuotaSettings{}
	}
	if strings.HasPrefix(shape, "/throttle/") && p.Throttle == nil {
		p.Throttle = &model.ThrottleSettings{}
	}
	var err error
	switch shape {
	case "/quota/limit":
		p.Quota.Limit, err = parseIntValue(path, value)
	case "/quota/offset":
		p.Quota.Offset, err = parseIntValue(path, value)
	case "/quota/period":
		p.Quota.Period = value
	default:
		err = setThrottleField(p.Throttle, shape, path, value)
	}
	return err
}

// setThrottleField sets the burstLimit or rateLimit (the last segment of
// shape) of t.
func setThrottleField(t *model.ThrottleSettings, shape, path, value string) error {
	var err error
	if strings.HasSuffix(shape, "/burstLimit") {
		t.BurstLimit, err = parseIntValue(path, value)
	} else {
		t.RateLimit, err = parseRateValue(path, value)
	}
	return err
}

// addStage adds the API stage "apiId:stage" (a no-op when the plan has it),
// unless a key of the plan reaches that stage through another plan.
func (pp *planPatch) addStage(value string) error {
	apiID, stage, _ := strings.Cut(value, ":")
	s := model.APIStage{APIID: apiID, Stage: stage}
	if hasStage(*pp.plan, apiID, stage) {
		return nil
	}
	if apiID == "" || stage == "" {
		return awserr.NotFound("API Stage not found: %s", value)
	}
	if err := checkPlanStage(pp.tx, s); err != nil {
		return err
	}
	keys, err := pp.plans.keysOf(pp.plan.ID)
	if err != nil {
		return err
	}
	if err := pp.plans.conflict(*pp.plan, keys, []model.APIStage{s}); err != nil {
		return err
	}
	pp.plan.APIStages = append(pp.plan.APIStages, s)
	return nil
}

// removeStage removes the API stage "apiId:stage". AWS answers a value that
// is absent or not of that form with "Invalid API Stage specified"
// (recorded, boto3 issue 2629).
func (pp *planPatch) removeStage(value string) error {
	apiID, stage, ok := strings.Cut(value, ":")
	if !ok || apiID == "" || stage == "" || strings.Contains(stage, ":") {
		return awserr.BadRequest("Invalid API Stage specified")
	}
	i := stageIndex(*pp.plan, apiID, stage)
	if i < 0 {
		return stageNotInPlan(apiID, stage, pp.plan.ID)
	}
	pp.plan.APIStages = slices.Delete(pp.plan.APIStages, i, i+1)
	return nil
}

// applyThrottle applies the per-method throttle paths of one API stage of
// the plan: the whole map (/apiStages/{stage}/throttle; add and replace take
// it as a JSON object, Gantry's reading since AWS documents no value
// format), one method's entry, or one of its limits.
func (pp *planPatch) applyThrottle(op patch.Op, shape, path, stage, method, value string) error {
	apiID, name, _ := strings.Cut(stage, ":")
	i := stageIndex(*pp.plan, apiID, name)
	if i < 0 {
		return stageNotInPlan(apiID, name, pp.plan.ID)
	}
	s := &pp.plan.APIStages[i]
	switch {
	case shape == stageThrottlePath && op == patch.Remove:
		s.Throttle = nil
	case shape == stageThrottlePath:
		var m map[string]model.ThrottleSettings
		if err := json.Unmarshal([]byte(value), &m); err != nil {
			return badPatchValue(path, value)
		}
		next := *s
		next.Throttle = m
		if err := checkPlanStage(pp.tx, next); err != nil {
			return err
		}
		s.Throttle = m
	case shape == methodThrottlePath:
		if _, ok := s.Throttle[method]; !ok {
			return awserr.NotFound("Invalid method %s specified for API Stage %s", method, stage)
		}
		delete(s.Throttle, method)
	default:
		t, ok := s.Throttle[method]
		if !ok {
			if err := checkPlanStage(pp.tx, model.APIStage{APIID: apiID, Stage: name, Throttle: map[string]model.ThrottleSettings{method: {}}}); err != nil {
				return err
			}
		}
		if err := setThrottleField(&t, shape, path, value); err != nil {
			return err
		}
		if s.Throttle == nil {
			s.Throttle = map[string]model.ThrottleSettings{}
		}
		s.Throttle[method] = t
	}
	if len(s.Throttle) == 0 {
		s.Throttle = nil
	}
	return nil
}

func (h *Handler) usagePlanOps(m map[string]opFunc) {
	m["CreateUsagePlan"] = h.createUsagePlan
	m["GetUsagePlan"] = h.getUsagePlan
	m["GetUsagePlans"] = h.getUsagePlans
	m["UpdateUsagePlan"] = h.updateUsagePlan
	m["DeleteUsagePlan"] = h.deleteUsagePlan
}

// usagePlanKeyJSON is the wire form of the UsagePlanKey shape.
type usagePlanKeyJSON struct {
	ID    string `json:"id"`
	Type  string `json:"type"`
	Value string `json:"value"`
	Name  string `json:"name,omitempty"`
}

// keyTypeAPIKey is the only usage plan key type.
const keyTypeAPIKey = "API_KEY"

func usagePlanKeyOut(k model.APIKey) usagePlanKeyJSON {
	return usagePlanKeyJSON{ID: k.ID, Type: keyTypeAPIKey, Value: k.Value, Name: k.Name}
}

type createUsagePlanKeyInput struct {
	KeyID   *string `json:"keyId"`
	KeyType *string `json:"keyType"`
}

// createUsagePlanKey serves CreateUsagePlanKey: adds an API key to a plan,
// unless it reaches one of the plan's API stages through another plan.
func (h *Handler) createUsagePlanKey(c *call) (any, error) {
	var in createUsagePlanKeyInput
	if err := c.decode(&in); err != nil {
		return nil, err
	}
	var v awserr.Validation
	if in.KeyID == nil {
		v.NotNull("createUsagePlanKeyInput.keyId")
	}
	if in.KeyType == nil {
		v.NotNull("createUsagePlanKeyInput.keyType")
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	if *in.KeyType != keyTypeAPIKey {
		// AWS's text for another type is unrecorded.
		return nil, awserr.BadRequest("Invalid key type specified: %s. Must be API_KEY", *in.KeyType)
	}
	var out usagePlanKeyJSON
	err := h.usageTx(c, func(tx store.Tx) error {
		p, err := loadUsagePlan(tx, c.params["usageplanId"])
		if err != nil {
			return err
		}
		k, err := loadAPIKey(tx, *in.KeyID)
		if err != nil {
			return err
		}
		x := newPlanIndex(tx)
		if in, err := x.has(p.ID, k.ID); err != nil {
			return err
		} else if in {
			// AWS's text is unrecorded.
			return awserr.Conflict("Usage Plan Key already exists")
		}
		if err := x.conflict(p, []string{k.ID}, p.APIStages); err != nil {
			return err
		}
		out = usagePlanKeyOut(k)
		return tx.AddUsagePlanKey(p.ID, k.ID)
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// getUsagePlanKey serves GetUsagePlanKey. A key that exists but is not in
// the plan is answered as an unknown plan, as moto answers it.
func (h *Handler) getUsagePlanKey(c *call) (any, error) {
	var out usagePlanKeyJSON
	err := h.store.View(c.r.Context(), c.scope, func(tx store.ReadTx) error {
		planID := c.params["usageplanId"]
		keys, err := tx.UsagePlanKeys(planID)
		if errors.Is(err, store.ErrNotFound) {
			return usagePlanNotFound()
		}
		if err != nil {
			return err
		}
		k, err := loadAPIKey(tx, c.params["keyId"])
		if err != nil {
			return err
		}
		if !slices.Contains(keys, k.ID) {
			return usagePlanNotFound()
		}
		out = usagePlanKeyOut(k)
		return nil
	})
	return out, err
}

type usagePlanKeysJSON struct {
	Position string             `json:"position,omitempty"`
	Items    []usagePlanKeyJSON `json:"item"`
}

func usagePlanKeyID(k usagePlanKeyJSON) string { return k.ID }

// getUsagePlanKeys serves GetUsagePlanKeys: newest first, limit at a time,
// filtered by name prefix (name; case-sensitive). AWS answers an unknown
// plan with no keys rather than an error (recorded: LocalStack's snapshot
// "get-up-keys-bad-usage-plan").
func (h *Handler) getUsagePlanKeys(c *call) (any, error) {
	limit, err := c.limit()
	if err != nil {
		return nil, err
	}
	prefix := c.query.Get("name")
	out := usagePlanKeysJSON{Items: []usagePlanKeyJSON{}}
	err = h.store.View(c.r.Context(), c.scope, func(tx store.ReadTx) error {
		ids, err := tx.UsagePlanKeys(c.params["usageplanId"])
		if errors.Is(err, store.ErrNotFound) {
			return nil
		}
		if err != nil {
			return err
		}
		var all []usagePlanKeyJSON
		for _, id := range newestFirst(ids) {
			k, err := tx.APIKey(id)
			if err != nil {
				return err
			}
			if strings.HasPrefix(k.Name, prefix) {
				all = append(all, usagePlanKeyOut(k))
			}
		}
		page, next, err := pageByID(all, usagePlanKeyID, c.query.Get("position"), limit)
		out.Items = append(out.Items, page...)
		out.Position = next
		return err
	})
	return out, err
}

// deleteUsagePlanKey serves DeleteUsagePlanKey: removes an API key from a
// plan (the key itself stays).
func (h *Handler) deleteUsagePlanKey(c *call) (any, error) {
	return nil, h.usageTx(c, func(tx store.Tx) error {
		p, err := loadUsagePlan(tx, c.params["usageplanId"])
		if err != nil {
			return err
		}
		err = tx.RemoveUsagePlanKey(p.ID, c.params["keyId"])
		if errors.Is(err, store.ErrNotFound) {
			return apiKeyNotFound()
		}
		return err
	})
}

func (h *Handler) usagePlanKeyOps(m map[string]opFunc) {
	m["CreateUsagePlanKey"] = h.createUsagePlanKey
	m["GetUsagePlanKey"] = h.getUsagePlanKey
	m["GetUsagePlanKeys"] = h.getUsagePlanKeys
	m["DeleteUsagePlanKey"] = h.deleteUsagePlanKey
}
