package controlplane_test

import (
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/apigateway"
	"github.com/aws/aws-sdk-go-v2/service/apigateway/types"
)

// mustPlan creates a usage plan and returns its id.
func mustPlan(t *testing.T, c *apigateway.Client, in *apigateway.CreateUsagePlanInput) string {
	t.Helper()
	out, err := c.CreateUsagePlan(ctx(), in)
	if err != nil {
		t.Fatalf("CreateUsagePlan: %v", err)
	}
	return *out.Id
}

func getPlan(t *testing.T, c *apigateway.Client, id string) *apigateway.GetUsagePlanOutput {
	t.Helper()
	out, err := c.GetUsagePlan(ctx(), &apigateway.GetUsagePlanInput{UsagePlanId: aws.String(id)})
	if err != nil {
		t.Fatalf("GetUsagePlan: %v", err)
	}
	return out
}

// mustPlanKey adds a key to a plan.
func mustPlanKey(t *testing.T, c *apigateway.Client, plan, key string) *apigateway.CreateUsagePlanKeyOutput {
	t.Helper()
	out, err := c.CreateUsagePlanKey(ctx(), &apigateway.CreateUsagePlanKeyInput{UsagePlanId: aws.String(plan), KeyId: aws.String(key), KeyType: aws.String("API_KEY")})
	if err != nil {
		t.Fatalf("CreateUsagePlanKey: %v", err)
	}
	return out
}

// planKeyNames lists a plan's keys by name.
func planKeyNames(t *testing.T, c *apigateway.Client, in *apigateway.GetUsagePlanKeysInput) []string {
	t.Helper()
	out, err := c.GetUsagePlanKeys(ctx(), in)
	if err != nil {
		t.Fatalf("GetUsagePlanKeys: %v", err)
	}
	var names []string
	for _, k := range out.Items {
		names = append(names, aws.ToString(k.Name))
	}
	return names
}

func devStage(api string, throttle map[string]types.ThrottleSettings) types.ApiStage {
	return types.ApiStage{ApiId: aws.String(api), Stage: aws.String("dev"), Throttle: throttle}
}

func TestCreateUsagePlan(t *testing.T) {
	e := usageNewEnv(t, nil)
	api := usageAPI(t, e.c)
	in := &apigateway.CreateUsagePlanInput{
		Name:        aws.String("gold"),
		Description: aws.String("the gold plan"),
		ApiStages:   []types.ApiStage{devStage(api, map[string]types.ThrottleSettings{"/pets/GET": {BurstLimit: 5, RateLimit: 2.5}, "//GET": {BurstLimit: 1, RateLimit: 1}})},
		Throttle:    &types.ThrottleSettings{BurstLimit: 100, RateLimit: 50},
		Quota:       &types.QuotaSettings{Limit: 1000, Offset: 10, Period: types.QuotaPeriodTypeMonth},
		Tags:        map[string]string{"tier": "gold"},
	}
	out, err := e.c.CreateUsagePlan(ctx(), in)
	if err != nil {
		t.Fatal(err)
	}
	e.wantChanged(t, "CreateUsagePlan", 1)
	got := getPlan(t, e.c, *out.Id)
	if len(*out.Id) != 6 || *got.Name != "gold" || *got.Description != "the gold plan" || got.ProductCode != nil ||
		!reflect.DeepEqual(got.ApiStages, in.ApiStages) || !reflect.DeepEqual(got.Throttle, in.Throttle) ||
		!reflect.DeepEqual(got.Quota, in.Quota) || !reflect.DeepEqual(got.Tags, in.Tags) || !reflect.DeepEqual(out.Tags, in.Tags) {
		t.Errorf("GetUsagePlan: %+v", got)
	}

	// A minimal plan has AWS's shape: apiStages as [], nothing else unset.
	minimal := mustPlan(t, e.c, &apigateway.CreateUsagePlanInput{Name: aws.String("min")})
	raw := e.raw(t, "/usageplans/"+minimal)
	if !reflect.DeepEqual(raw, map[string]any{"id": minimal, "name": "min", "apiStages": []any{}}) {
		t.Errorf("minimal plan: %v", raw)
	}
	// The quota always shows its offset.
	zero := mustPlan(t, e.c, &apigateway.CreateUsagePlanInput{Name: aws.String("q"), Quota: &types.QuotaSettings{Limit: 5, Period: types.QuotaPeriodTypeDay}})
	if q := e.raw(t, "/usageplans/"+zero)["quota"]; !reflect.DeepEqual(q, map[string]any{"limit": 5.0, "offset": 0.0, "period": "DAY"}) {
		t.Errorf("quota: %v", q)
	}
	e.takeChanged()

	for _, tc := range []struct {
		name   string
		in     *apigateway.CreateUsagePlanInput
		status int
		code   string
		msg    string
	}{
		{"blank stage", &apigateway.CreateUsagePlanInput{Name: aws.String("x"), ApiStages: []types.ApiStage{{ApiId: aws.String(api), Stage: aws.String("")}}},
			400, "BadRequestException", "Invalid API Stage {api: %s, stage: %s} specified for usageplan %s"},
		{"unknown stage", &apigateway.CreateUsagePlanInput{Name: aws.String("x"), ApiStages: []types.ApiStage{{ApiId: aws.String(api), Stage: aws.String("prod")}}},
			404, "NotFoundException", "API Stage not found: " + api + ":prod"},
		{"unknown API", &apigateway.CreateUsagePlanInput{Name: aws.String("x"), ApiStages: []types.ApiStage{{ApiId: aws.String("nope"), Stage: aws.String("dev")}}},
			404, "NotFoundException", "API Stage not found: nope:dev"},
		{"unknown method", &apigateway.CreateUsagePlanInput{Name: aws.String("x"), Throttle: &types.ThrottleSettings{},
			ApiStages: []types.ApiStage{devStage(api, map[string]types.ThrottleSettings{"/pets/POST": {}})}},
			404, "NotFoundException", "Invalid method /pets/POST specified for API Stage " + api + ":dev"},
		{"method key without resource path", &apigateway.CreateUsagePlanInput{Name: aws.String("x"), Throttle: &types.ThrottleSettings{},
			ApiStages: []types.ApiStage{devStage(api, map[string]types.ThrottleSettings{"*/*": {}})}},
			404, "NotFoundException", "Invalid method */* specified for API Stage " + api + ":dev"},
		{"fine grain without plan throttle", &apigateway.CreateUsagePlanInput{Name: aws.String("x"),
			ApiStages: []types.ApiStage{devStage(api, map[string]types.ThrottleSettings{"/pets/GET": {}})}},
			400, "BadRequestException", "Can not define fine grain throttling if usage plan throttle is not defined."},
		{"quota period", &apigateway.CreateUsagePlanInput{Name: aws.String("x"), Quota: &types.QuotaSettings{Limit: 1, Period: "YEAR"}},
			400, "ValidationException", "1 validation error detected: Value 'YEAR' at 'createUsagePlanInput.quota.period' failed to satisfy constraint: Member must satisfy enum value set: [DAY, WEEK, MONTH]"},
		{"offset above limit", &apigateway.CreateUsagePlanInput{Name: aws.String("x"), Quota: &types.QuotaSettings{Limit: 1, Offset: 2, Period: "DAY"}},
			400, "BadRequestException", "Invalid quota settings: the limit must not be negative, and the offset must be between 0 and the limit"},
		{"negative throttle", &apigateway.CreateUsagePlanInput{Name: aws.String("x"), Throttle: &types.ThrottleSettings{BurstLimit: -1}},
			400, "BadRequestException", "Invalid throttle settings: burstLimit and rateLimit must not be negative"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := e.c.CreateUsagePlan(ctx(), tc.in)
			wantAPIError(t, err, tc.status, tc.code, tc.msg)
		})
	}
	// The SDK requires a name; AWS checks it too.
	r := do(t, e.srv, "POST", "/usageplans", []byte(`{}`))
	if r.status != 400 || !strings.Contains(string(r.body), "Value null at 'createUsagePlanInput.name' failed to satisfy constraint: Member must not be null") {
		t.Errorf("no name: %d %s", r.status, r.body)
	}
	e.wantChanged(t, "failed CreateUsagePlan", 0)
	if plans := listPlans(t, e.c, &apigateway.GetUsagePlansInput{}); len(plans) != 3 {
		t.Errorf("failed creates stored plans: %d plans", len(plans))
	}
}

func listPlans(t *testing.T, c *apigateway.Client, in *apigateway.GetUsagePlansInput) []string {
	t.Helper()
	out, err := c.GetUsagePlans(ctx(), in)
	if err != nil {
		t.Fatalf("GetUsagePlans: %v", err)
	}
	var names []string
	for _, p := range out.Items {
		names = append(names, *p.Name)
	}
	return names
}

func TestGetUsagePlans(t *testing.T) {
	e := usageNewEnv(t, nil)
	key := mustKey(t, e.c, "k")
	var ids []string
	for _, n := range []string{"a", "b", "c"} {
		ids = append(ids, mustPlan(t, e.c, &apigateway.CreateUsagePlanInput{Name: aws.String(n)}))
	}
	mustPlanKey(t, e.c, ids[0], key)
	mustPlanKey(t, e.c, ids[2], key)
	if got := listPlans(t, e.c, &apigateway.GetUsagePlansInput{}); !slices.Equal(got, []string{"a", "b", "c"}) {
		t.Errorf("GetUsagePlans: %v", got)
	}
	if got := listPlans(t, e.c, &apigateway.GetUsagePlansInput{KeyId: aws.String(key)}); !slices.Equal(got, []string{"a", "c"}) {
		t.Errorf("GetUsagePlans keyId: %v", got)
	}
	if got := listPlans(t, e.c, &apigateway.GetUsagePlansInput{KeyId: aws.String("nope")}); len(got) != 0 {
		t.Errorf("GetUsagePlans unknown keyId: %v", got)
	}
	out, err := e.c.GetUsagePlans(ctx(), &apigateway.GetUsagePlansInput{Limit: aws.Int32(2)})
	if err != nil || len(out.Items) != 2 || aws.ToString(out.Position) != ids[2] {
		t.Fatalf("page 1: %v %+v", err, out)
	}
	if got := listPlans(t, e.c, &apigateway.GetUsagePlansInput{Limit: aws.Int32(2), Position: out.Position}); !slices.Equal(got, []string{"c"}) {
		t.Errorf("page 2: %v", got)
	}
	_, err = e.c.GetUsagePlan(ctx(), &apigateway.GetUsagePlanInput{UsagePlanId: aws.String("nope")})
	wantAPIError(t, err, 404, "NotFoundException", "Invalid Usage Plan ID specified")
}

func planPatch(c *apigateway.Client, id string, ops ...types.PatchOperation) (*apigateway.UpdateUsagePlanOutput, error) {
	return c.UpdateUsagePlan(ctx(), &apigateway.UpdateUsagePlanInput{UsagePlanId: aws.String(id), PatchOperations: ops})
}

func TestUpdateUsagePlan(t *testing.T) {
	e := usageNewEnv(t, nil)
	api := usageAPI(t, e.c)
	id := mustPlan(t, e.c, &apigateway.CreateUsagePlanInput{Name: aws.String("p")})
	e.takeChanged()
	stage := api + ":dev"
	type view struct {
		Name, Description, ProductCode string
		Stages                         []types.ApiStage
		Throttle                       *types.ThrottleSettings
		Quota                          *types.QuotaSettings
	}
	current := func() view {
		p := getPlan(t, e.c, id)
		return view{aws.ToString(p.Name), aws.ToString(p.Description), aws.ToString(p.ProductCode), p.ApiStages, p.Throttle, p.Quota}
	}
	steps := []struct {
		name string
		ops  []types.PatchOperation
		want func(v *view)
	}{
		{"name, description, product code", []types.PatchOperation{keyOp("replace", "/name", "n"), keyOp("replace", "/description", "d"), keyOp("add", "/productCode", "pc")},
			func(v *view) { v.Name, v.Description, v.ProductCode = "n", "d", "pc" }},
		{"replace product code", []types.PatchOperation{keyOp("replace", "/productCode", "pc2")}, func(v *view) { v.ProductCode = "pc2" }},
		{"remove product code", []types.PatchOperation{keyOp("remove", "/productCode", "")}, func(v *view) { v.ProductCode = "" }},
		{"throttle", []types.PatchOperation{keyOp("add", "/throttle/burstLimit", "20"), keyOp("replace", "/throttle/rateLimit", "7.5")},
			func(v *view) { v.Throttle = &types.ThrottleSettings{BurstLimit: 20, RateLimit: 7.5} }},
		{"quota", []types.PatchOperation{keyOp("add", "/quota/limit", "100"), keyOp("add", "/quota/offset", "5"), keyOp("replace", "/quota/period", "WEEK")},
			func(v *view) { v.Quota = &types.QuotaSettings{Limit: 100, Offset: 5, Period: "WEEK"} }},
		{"add stage", []types.PatchOperation{keyOp("add", "/apiStages", stage)}, func(v *view) { v.Stages = []types.ApiStage{devStage(api, nil)} }},
		{"method throttle, escaped path", []types.PatchOperation{keyOp("replace", "/apiStages/"+stage+"/throttle/~1pets/GET/rateLimit", "3"),
			keyOp("add", "/apiStages/"+stage+"/throttle/~1pets/GET/burstLimit", "4")},
			func(v *view) {
				v.Stages = []types.ApiStage{devStage(api, map[string]types.ThrottleSettings{"/pets/GET": {BurstLimit: 4, RateLimit: 3}})}
			}},
		{"method throttle, plain path, root", []types.PatchOperation{keyOp("add", "/apiStages/"+stage+"/throttle///GET/rateLimit", "1")},
			func(v *view) { v.Stages[0].Throttle["//GET"] = types.ThrottleSettings{RateLimit: 1} }},
		{"remove method throttle", []types.PatchOperation{keyOp("remove", "/apiStages/"+stage+"/throttle/~1/GET", "")},
			func(v *view) { delete(v.Stages[0].Throttle, "//GET") }},
		{"replace stage throttle", []types.PatchOperation{keyOp("replace", "/apiStages/"+stage+"/throttle", `{"//GET":{"burstLimit":9,"rateLimit":8}}`)},
			func(v *view) {
				v.Stages[0].Throttle = map[string]types.ThrottleSettings{"//GET": {BurstLimit: 9, RateLimit: 8}}
			}},
		{"remove stage throttle", []types.PatchOperation{keyOp("remove", "/apiStages/"+stage+"/throttle", "")},
			func(v *view) { v.Stages[0].Throttle = nil }},
		{"remove quota and throttle", []types.PatchOperation{keyOp("remove", "/quota", ""), keyOp("remove", "/throttle", "")},
			func(v *view) { v.Quota, v.Throttle = nil, nil }},
		{"remove stage", []types.PatchOperation{keyOp("remove", "/apiStages", stage)}, func(v *view) { v.Stages = []types.ApiStage{} }},
	}
	want := current()
	for _, s := range steps {
		out, err := planPatch(e.c, id, s.ops...)
		if err != nil {
			t.Fatalf("%s: %v", s.name, err)
		}
		s.want(&want)
		if got := current(); !reflect.DeepEqual(got, want) {
			t.Errorf("%s:\n got %+v\nwant %+v", s.name, got, want)
		}
		if !reflect.DeepEqual(out.Tags, map[string]string{}) {
			t.Errorf("%s: answer's tags %v, want {}", s.name, out.Tags)
		}
		e.wantChanged(t, s.name, 1)
	}

	// Errors change nothing.
	if _, err := planPatch(e.c, id, keyOp("add", "/apiStages", stage), keyOp("add", "/throttle/rateLimit", "10")); err != nil {
		t.Fatal(err)
	}
	before := current()
	e.takeChanged()
	for _, tc := range []patchErrCase{
		// Recorded from AWS (boto3 issue 2629).
		{"remove a stage path", []types.PatchOperation{keyOp("remove", "/apiStages/"+stage, "")}, 400, "BadRequestException",
			"Invalid patch path  '/apiStages/" + stage + "' specified for op 'remove'. Must be one of: [/apiStages, /quota, /throttle, /productCode, /apiStages/<apidId:stageName>/throttle/<resourcePath>/<httpMethod>, /apiStages/<apidId:stageName>/throttle]"},
		{"remove stage without value", []types.PatchOperation{keyOp("remove", "/apiStages", "")}, 400, "BadRequestException", "Invalid API Stage specified"},
		{"remove stage not in plan", []types.PatchOperation{keyOp("remove", "/apiStages", api+":prod")}, 404, "NotFoundException",
			"Invalid API Stage {api: " + api + ", stage: prod} specified for usageplan " + id},
		{"add unknown stage", []types.PatchOperation{keyOp("add", "/apiStages", api+":prod")}, 404, "NotFoundException", "API Stage not found: " + api + ":prod"},
		{"replace name with add", []types.PatchOperation{keyOp("add", "/name", "x")}, 400, "BadRequestException",
			"Invalid patch path  '/name' specified for op 'add'. Must be one of: [/apiStages, /productCode, /quota/limit, /quota/offset, /quota/period, /throttle/burstLimit, /throttle/rateLimit, /apiStages/<apidId:stageName>/throttle/<resourcePath>/<httpMethod>/rateLimit, /apiStages/<apidId:stageName>/throttle/<resourcePath>/<httpMethod>/burstLimit, /apiStages/<apidId:stageName>/throttle]"},
		{"bad number", []types.PatchOperation{keyOp("replace", "/name", "changed"), keyOp("replace", "/throttle/burstLimit", "many")}, 400, "BadRequestException",
			"Invalid value 'many' for patch path /throttle/burstLimit"},
		{"quota without period", []types.PatchOperation{keyOp("replace", "/quota/limit", "5")}, 400, "BadRequestException",
			"Invalid quota period: . Must be one of: DAY, WEEK, MONTH"},
		{"bad period", []types.PatchOperation{keyOp("replace", "/quota/limit", "5"), keyOp("replace", "/quota/period", "YEAR")}, 400, "BadRequestException",
			"Invalid quota period: YEAR. Must be one of: DAY, WEEK, MONTH"},
		{"fine grain without throttle", []types.PatchOperation{keyOp("add", "/apiStages/"+stage+"/throttle/~1pets/GET/rateLimit", "1"), keyOp("remove", "/throttle", "")},
			400, "BadRequestException", "Can not define fine grain throttling if usage plan throttle is not defined."},
		{"unknown method", []types.PatchOperation{keyOp("add", "/apiStages/"+stage+"/throttle/~1cats/GET/rateLimit", "1")}, 404, "NotFoundException",
			"Invalid method /cats/GET specified for API Stage " + stage},
		{"throttle of a stage not in plan", []types.PatchOperation{keyOp("remove", "/apiStages/"+api+":prod/throttle", "")}, 404, "NotFoundException",
			"Invalid API Stage {api: " + api + ", stage: prod} specified for usageplan " + id},
		{"bad stage throttle JSON", []types.PatchOperation{keyOp("replace", "/apiStages/"+stage+"/throttle", "[1]")}, 400, "BadRequestException",
			"Invalid value '[1]' for patch path /apiStages/" + stage + "/throttle"},
		{"no op", []types.PatchOperation{{Path: aws.String("/name")}}, 400, "BadRequestException", "Invalid patch operation specified. Must be 'add'|'remove'|'replace'"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := planPatch(e.c, id, tc.ops...)
			wantAPIError(t, err, tc.status, tc.code, tc.msg)
		})
	}
	_, err := planPatch(e.c, "nope", keyOp("replace", "/name", "x"))
	wantAPIError(t, err, 404, "NotFoundException", "Invalid Usage Plan ID specified")
	if got := current(); !reflect.DeepEqual(got, before) {
		t.Errorf("failed PATCHes changed the plan:\n got %+v\nwant %+v", got, before)
	}
	e.wantChanged(t, "failed UpdateUsagePlan", 0)
}

func TestDeleteUsagePlan(t *testing.T) {
	e := usageNewEnv(t, nil)
	api := usageAPI(t, e.c)
	id := mustPlan(t, e.c, &apigateway.CreateUsagePlanInput{Name: aws.String("p"), ApiStages: []types.ApiStage{devStage(api, nil)},
		Tags: map[string]string{"a": "b"}})
	e.takeChanged()
	// Recorded from AWS (aws-sdk-js issue 3841).
	_, err := e.c.DeleteUsagePlan(ctx(), &apigateway.DeleteUsagePlanInput{UsagePlanId: aws.String(id)})
	wantAPIError(t, err, 400, "BadRequestException", "Cannot delete Usage Plan "+id+" because there are API Stages associated with it, including "+api+":dev")
	if _, err := planPatch(e.c, id, keyOp("remove", "/apiStages", api+":dev")); err != nil {
		t.Fatal(err)
	}
	e.takeChanged()
	r := do(t, e.srv, "DELETE", "/usageplans/"+id, nil)
	if r.status != 202 {
		t.Fatalf("DeleteUsagePlan: %d %s", r.status, r.body)
	}
	e.wantChanged(t, "DeleteUsagePlan", 1)
	if tags := storeTags(t, e, "/usageplans/"+id); len(tags) != 0 {
		t.Errorf("deleted plan's tags: %v", tags)
	}
	_, err = e.c.DeleteUsagePlan(ctx(), &apigateway.DeleteUsagePlanInput{UsagePlanId: aws.String(id)})
	wantAPIError(t, err, 404, "NotFoundException", "Invalid Usage Plan ID specified")
}

func TestUsagePlanKeys(t *testing.T) {
	e := usageNewEnv(t, nil)
	api := usageAPI(t, e.c)
	plan := mustPlan(t, e.c, &apigateway.CreateUsagePlanInput{Name: aws.String("p"), ApiStages: []types.ApiStage{devStage(api, nil)}})
	k1 := mustCreateKey(t, e.c, &apigateway.CreateApiKeyInput{Name: aws.String("test-key-1")})
	k2 := mustKey(t, e.c, "test-key-2")
	k3 := mustKey(t, e.c, "other")
	e.takeChanged()

	out := mustPlanKey(t, e.c, plan, *k1.Id)
	if *out.Id != *k1.Id || *out.Type != "API_KEY" || *out.Value != *k1.Value || *out.Name != "test-key-1" {
		t.Errorf("CreateUsagePlanKey: %+v", out)
	}
	e.wantChanged(t, "CreateUsagePlanKey", 1)
	mustPlanKey(t, e.c, plan, k2)
	mustPlanKey(t, e.c, plan, k3)
	got, err := e.c.GetUsagePlanKey(ctx(), &apigateway.GetUsagePlanKeyInput{UsagePlanId: aws.String(plan), KeyId: k1.Id})
	if err != nil || *got.Id != *k1.Id || *got.Value != *k1.Value || *got.Type != "API_KEY" {
		t.Errorf("GetUsagePlanKey: %v %+v", err, got)
	}
	for _, tc := range []struct {
		name string
		in   apigateway.GetUsagePlanKeysInput
		want []string
	}{
		{"all, newest first", apigateway.GetUsagePlanKeysInput{}, []string{"other", "test-key-2", "test-key-1"}},
		{"prefix", apigateway.GetUsagePlanKeysInput{NameQuery: aws.String("test-key")}, []string{"test-key-2", "test-key-1"}},
		{"prefix is case-sensitive", apigateway.GetUsagePlanKeysInput{NameQuery: aws.String("TEST-key")}, nil},
		{"page", apigateway.GetUsagePlanKeysInput{Limit: aws.Int32(1), Position: aws.String(k2)}, []string{"test-key-2"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tc.in.UsagePlanId = aws.String(plan)
			if got := planKeyNames(t, e.c, &tc.in); !slices.Equal(got, tc.want) {
				t.Errorf("got %v, want %v", got, tc.want)
			}
		})
	}
	// Recorded from AWS: an unknown plan has no keys.
	if got := planKeyNames(t, e.c, &apigateway.GetUsagePlanKeysInput{UsagePlanId: aws.String("bad-id")}); len(got) != 0 {
		t.Errorf("unknown plan's keys: %v", got)
	}

	// A key reaches an API stage through one plan only.
	other := mustPlan(t, e.c, &apigateway.CreateUsagePlanInput{Name: aws.String("other")})
	mustPlanKey(t, e.c, other, *k1.Id)
	conflict := "Usage Plan " + other + " cannot be added because API Key " + *k1.Id + " cannot reference multiple Usage Plans with the same API Stage: " + api + ":dev"
	_, err = planPatch(e.c, other, keyOp("add", "/apiStages", api+":dev"))
	wantAPIError(t, err, 409, "ConflictException", conflict)
	third := mustPlan(t, e.c, &apigateway.CreateUsagePlanInput{Name: aws.String("third"), ApiStages: []types.ApiStage{devStage(api, nil)}})
	e.takeChanged()

	for _, tc := range []struct {
		name      string
		plan, key string
		status    int
		code, msg string
		keyType   string
	}{
		{name: "unknown plan", plan: "nope", key: k2, status: 404, code: "NotFoundException", msg: "Invalid Usage Plan ID specified"},
		{name: "unknown key", plan: plan, key: "nope", status: 404, code: "NotFoundException", msg: "Invalid API Key identifier specified"},
		{name: "key already in plan", plan: plan, key: k2, status: 409, code: "ConflictException", msg: "Usage Plan Key already exists"},
		{name: "key in another plan with the stage", plan: third, key: k2, status: 409, code: "ConflictException",
			msg: "Usage Plan " + third + " cannot be added because API Key " + k2 + " cannot reference multiple Usage Plans with the same API Stage: " + api + ":dev"},
		{name: "key type", plan: plan, key: k2, keyType: "COGNITO", status: 400, code: "BadRequestException", msg: "Invalid key type specified: COGNITO. Must be API_KEY"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			typ := "API_KEY"
			if tc.keyType != "" {
				typ = tc.keyType
			}
			_, err := e.c.CreateUsagePlanKey(ctx(), &apigateway.CreateUsagePlanKeyInput{UsagePlanId: aws.String(tc.plan), KeyId: aws.String(tc.key), KeyType: aws.String(typ)})
			wantAPIError(t, err, tc.status, tc.code, tc.msg)
		})
	}
	e.wantChanged(t, "failed CreateUsagePlanKey", 0)
	r := do(t, e.srv, "POST", "/usageplans/"+plan+"/keys", []byte(`{}`))
	if r.status != 400 || !strings.Contains(string(r.body), "2 validation errors detected: Value null at 'createUsagePlanKeyInput.keyId'") {
		t.Errorf("no keyId or keyType: %d %s", r.status, r.body)
	}

	for _, tc := range []struct{ plan, key, msg string }{
		{"nope", k2, "Invalid Usage Plan ID specified"},
		{plan, "nope", "Invalid API Key identifier specified"},
		{third, k2, "Invalid Usage Plan ID specified"}, // a key not in the plan, as moto answers
	} {
		_, err := e.c.GetUsagePlanKey(ctx(), &apigateway.GetUsagePlanKeyInput{UsagePlanId: aws.String(tc.plan), KeyId: aws.String(tc.key)})
		wantAPIError(t, err, 404, "NotFoundException", tc.msg)
	}

	r = do(t, e.srv, "DELETE", "/usageplans/"+plan+"/keys/"+k2, nil)
	if r.status != 202 {
		t.Fatalf("DeleteUsagePlanKey: %d %s", r.status, r.body)
	}
	e.wantChanged(t, "DeleteUsagePlanKey", 1)
	if got := planKeyNames(t, e.c, &apigateway.GetUsagePlanKeysInput{UsagePlanId: aws.String(plan)}); !slices.Equal(got, []string{"other", "test-key-1"}) {
		t.Errorf("after delete: %v", got)
	}
	getKey(t, e.c, k2, false) // the key itself stays
	for _, tc := range []struct{ plan, key, msg string }{
		{plan, k2, "Invalid API Key identifier specified"},
		{"nope", k2, "Invalid Usage Plan ID specified"},
	} {
		_, err := e.c.DeleteUsagePlanKey(ctx(), &apigateway.DeleteUsagePlanKeyInput{UsagePlanId: aws.String(tc.plan), KeyId: aws.String(tc.key)})
		wantAPIError(t, err, 404, "NotFoundException", tc.msg)
	}
}
