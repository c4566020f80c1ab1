package controlplane_test

import (
	"encoding/json"
	"net/url"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/apigateway"
	"github.com/aws/aws-sdk-go-v2/service/apigateway/types"
)

// stgSetup returns an environment with an API (GET / and GET /pets, both
// MOCK), two deployments of it, and the API's id.
func stgSetup(t *testing.T) (e *depEnv, api, dep1, dep2 string) {
	t.Helper()
	e = depNewEnv(t)
	api, root := depAPI(t, e.c, "stages")
	pets, err := e.c.CreateResource(ctx(), &apigateway.CreateResourceInput{RestApiId: aws.String(api),
		ParentId: aws.String(root), PathPart: aws.String("pets")})
	if err != nil {
		t.Fatalf("CreateResource: %v", err)
	}
	depMethod(t, e.c, api, *pets.Id, "GET", false)
	dep1 = depDeploy(t, e.c, api, "")
	dep2 = depDeploy(t, e.c, api, "")
	e.takeHooks()
	return e, api, dep1, dep2
}

func stgCreate(t *testing.T, c *apigateway.Client, api, name, dep string) {
	t.Helper()
	_, err := c.CreateStage(ctx(), &apigateway.CreateStageInput{RestApiId: aws.String(api), StageName: aws.String(name), DeploymentId: aws.String(dep)})
	if err != nil {
		t.Fatalf("CreateStage %s: %v", name, err)
	}
}

func stgOp(op types.Op, path, value string) types.PatchOperation {
	return types.PatchOperation{Op: op, Path: aws.String(path), Value: aws.String(value)}
}

func stgPatch(c *apigateway.Client, api, stage string, ops ...types.PatchOperation) (*apigateway.UpdateStageOutput, error) {
	return c.UpdateStage(ctx(), &apigateway.UpdateStageInput{RestApiId: aws.String(api), StageName: aws.String(stage), PatchOperations: ops})
}

// stgRaw returns a stage's JSON as a map, to check which members AWS's
// shape carries.
func stgRaw(t *testing.T, e *depEnv, api, stage string) map[string]any {
	t.Helper()
	r := do(t, e.srv, "GET", "/restapis/"+api+"/stages/"+stage, nil)
	var m map[string]any
	if r.status != 200 || json.Unmarshal(r.body, &m) != nil {
		t.Fatalf("GET stage %s: %d %s", stage, r.status, r.body)
	}
	return m
}

func TestCreateStage(t *testing.T) {
	e, api, dep1, dep2 := stgSetup(t)
	in := &apigateway.CreateStageInput{
		RestApiId:            aws.String(api),
		StageName:            aws.String("prod_v1-b"),
		DeploymentId:         aws.String(dep1),
		Description:          aws.String("production"),
		CacheClusterEnabled:  true,
		CacheClusterSize:     types.CacheClusterSizeSize6Point1Gb,
		Variables:            map[string]string{"url": "https://x.example.com/a?b=c&d=e,f#g", "spaced": "two words"},
		DocumentationVersion: aws.String("v1"),
		TracingEnabled:       true,
		Tags:                 map[string]string{"team": "blue"},
		CanarySettings: &types.CanarySettings{DeploymentId: aws.String(dep2), PercentTraffic: 12.5,
			StageVariableOverrides: map[string]string{"url": "https://canary.example.com"}, UseStageCache: true},
	}
	out, err := e.c.CreateStage(ctx(), in)
	if err != nil {
		t.Fatal(err)
	}
	if h := e.takeHooks(); len(h) != 1 {
		t.Errorf("Deployed calls %v, want one", h)
	}
	check := func(label string, s types.Stage) {
		t.Helper()
		if *s.StageName != "prod_v1-b" || *s.DeploymentId != dep1 || *s.Description != "production" ||
			!s.CacheClusterEnabled || s.CacheClusterSize != types.CacheClusterSizeSize6Point1Gb ||
			s.CacheClusterStatus != types.CacheClusterStatusAvailable || !reflect.DeepEqual(s.Variables, in.Variables) ||
			*s.DocumentationVersion != "v1" || !s.TracingEnabled || !reflect.DeepEqual(s.Tags, in.Tags) ||
			len(s.MethodSettings) != 0 || s.CreatedDate == nil || s.LastUpdatedDate == nil {
			t.Errorf("%s: %+v", label, s)
		}
		if !reflect.DeepEqual(s.CanarySettings, in.CanarySettings) {
			t.Errorf("%s: canary %+v, want %+v", label, s.CanarySettings, in.CanarySettings)
		}
	}
	check("CreateStage", types.Stage{StageName: out.StageName, DeploymentId: out.DeploymentId, Description: out.Description,
		CacheClusterEnabled: out.CacheClusterEnabled, CacheClusterSize: out.CacheClusterSize, CacheClusterStatus: out.CacheClusterStatus,
		Variables: out.Variables, DocumentationVersion: out.DocumentationVersion, TracingEnabled: out.TracingEnabled, Tags: out.Tags,
		MethodSettings: out.MethodSettings, CreatedDate: out.CreatedDate, LastUpdatedDate: out.LastUpdatedDate, CanarySettings: out.CanarySettings})
	got := depGetStage(t, e.c, api, "prod_v1-b")
	check("GetStage", types.Stage{StageName: got.StageName, DeploymentId: got.DeploymentId, Description: got.Description,
		CacheClusterEnabled: got.CacheClusterEnabled, CacheClusterSize: got.CacheClusterSize, CacheClusterStatus: got.CacheClusterStatus,
		Variables: got.Variables, DocumentationVersion: got.DocumentationVersion, TracingEnabled: got.TracingEnabled, Tags: got.Tags,
		MethodSettings: got.MethodSettings, CreatedDate: got.CreatedDate, LastUpdatedDate: got.LastUpdatedDate, CanarySettings: got.CanarySettings})

	// A minimal stage has AWS's shape: always cacheClusterEnabled,
	// cacheClusterStatus, methodSettings and tracingEnabled; no variables,
	// tags or canary.
	stgCreate(t, e.c, api, "plain", dep1)
	raw := stgRaw(t, e, api, "plain")
	for _, k := range []string{"deploymentId", "stageName", "cacheClusterEnabled", "cacheClusterStatus", "methodSettings", "tracingEnabled", "createdDate", "lastUpdatedDate"} {
		if _, ok := raw[k]; !ok {
			t.Errorf("minimal stage lacks %s: %v", k, raw)
		}
	}
	for _, k := range []string{"variables", "tags", "canarySettings", "description", "cacheClusterSize", "accessLogSettings"} {
		if _, ok := raw[k]; ok {
			t.Errorf("minimal stage has %s: %v", k, raw)
		}
	}
	if raw["cacheClusterStatus"] != "NOT_AVAILABLE" || !reflect.DeepEqual(raw["methodSettings"], map[string]any{}) {
		t.Errorf("minimal stage: %v", raw)
	}
	// A canary without a deployment id starts on the stage's deployment.
	_, err = e.c.CreateStage(ctx(), &apigateway.CreateStageInput{RestApiId: aws.String(api), StageName: aws.String("c2"),
		DeploymentId: aws.String(dep2), CanarySettings: &types.CanarySettings{PercentTraffic: 1}})
	if err != nil {
		t.Fatal(err)
	}
	if cs := depGetStage(t, e.c, api, "c2").CanarySettings; cs == nil || *cs.DeploymentId != dep2 || cs.PercentTraffic != 1 {
		t.Errorf("canary defaults: %+v", cs)
	}
}

func TestCreateStageErrors(t *testing.T) {
	e, api, dep1, _ := stgSetup(t)
	stgCreate(t, e.c, api, "taken", dep1)
	e.takeHooks()
	body := func(m map[string]any) []byte {
		b, _ := json.Marshal(m)
		return b
	}
	cases := []struct {
		name          string
		api           string
		body          map[string]any
		status        int
		code, message string
	}{
		{"no stage name", api, map[string]any{"deploymentId": dep1}, 400, "ValidationException",
			"1 validation error detected: Value null at 'createStageInput.stageName' failed to satisfy constraint: Member must not be null"},
		{"no deployment id", api, map[string]any{"stageName": "x"}, 400, "ValidationException",
			"1 validation error detected: Value null at 'createStageInput.deploymentId' failed to satisfy constraint: Member must not be null"},
		{"bad cache size", api, map[string]any{"stageName": "x", "deploymentId": dep1, "cacheClusterSize": "1"}, 400, "ValidationException",
			"1 validation error detected: Value '1' at 'createStageInput.cacheClusterSize' failed to satisfy constraint: Member must satisfy enum value set: [0.5, 1.6, 6.1, 13.5, 28.4, 58.2, 118, 237]"},
		{"bad name", api, map[string]any{"stageName": "$default", "deploymentId": dep1}, 400, "BadRequestException", "Stage name only allows a-zA-Z0-9_"},
		{"name too long", api, map[string]any{"stageName": strings.Repeat("a", 129), "deploymentId": dep1}, 400, "BadRequestException", "Stage name only allows a-zA-Z0-9_"},
		{"unknown deployment", api, map[string]any{"stageName": "x", "deploymentId": "nope00"}, 400, "BadRequestException", "Deployment id does not exist"},
		{"unknown canary deployment", api, map[string]any{"stageName": "x", "deploymentId": dep1, "canarySettings": map[string]any{"deploymentId": "nope00"}},
			400, "BadRequestException", "Deployment id does not exist"},
		{"canary percent out of range", api, map[string]any{"stageName": "x", "deploymentId": dep1, "canarySettings": map[string]any{"percentTraffic": 101}},
			400, "BadRequestException", "Invalid canary percentTraffic 101: must be between 0.0 and 100.0"},
		{"bad canary override", api, map[string]any{"stageName": "x", "deploymentId": dep1, "canarySettings": map[string]any{"stageVariableOverrides": map[string]string{"a-b": "v"}}},
			400, "BadRequestException", "Invalid stage variable name: a-b.  Please use names with only word characters."},
		{"bad variable name", api, map[string]any{"stageName": "x", "deploymentId": dep1, "variables": map[string]string{"owner:app": "v"}},
			400, "BadRequestException", "Invalid stage variable name: owner:app.  Please use names with only word characters."},
		{"bad variable value", api, map[string]any{"stageName": "x", "deploymentId": dep1, "variables": map[string]string{"a": "x<y"}},
			400, "BadRequestException", "Invalid stage variable value: x<y.  Please use values with alphanumeric characters and the symbols ' ', -', '.', '_', ':', '/', '?', '&', '=', and ','."},
		{"bad tag", api, map[string]any{"stageName": "x", "deploymentId": dep1, "tags": map[string]string{"aws:x": "v"}},
			400, "BadRequestException", "Tag keys cannot start with 'aws:'"},
		{"stage exists", api, map[string]any{"stageName": "taken", "deploymentId": dep1}, 409, "ConflictException", "Stage already exists"},
		{"unknown API", "nope", map[string]any{"stageName": "x", "deploymentId": dep1}, 404, "NotFoundException", "Invalid API identifier specified 000000000000:nope"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := do(t, e.srv, "POST", "/restapis/"+tc.api+"/stages", body(tc.body))
			var msg struct{ Message string }
			json.Unmarshal(r.body, &msg)
			if r.status != tc.status || r.header.Get("x-amzn-ErrorType") != tc.code || msg.Message != tc.message {
				t.Errorf("got %d %s %q\nwant %d %s %q", r.status, r.header.Get("x-amzn-ErrorType"), msg.Message, tc.status, tc.code, tc.message)
			}
		})
	}
	st, err := e.c.GetStages(ctx(), &apigateway.GetStagesInput{RestApiId: aws.String(api)})
	if err != nil || len(st.Item) != 1 {
		t.Errorf("refused stages were stored: %v %+v", err, st)
	}
	if h := e.takeHooks(); len(h) != 0 {
		t.Errorf("Deployed called by refused CreateStage: %v", h)
	}
}

func TestStageLifecycle(t *testing.T) {
	e, api, dep1, dep2 := stgSetup(t)
	stgCreate(t, e.c, api, "a", dep1)
	stgCreate(t, e.c, api, "b", dep2)
	stgCreate(t, e.c, api, "c", dep1)
	names := func(in *apigateway.GetStagesInput) []string {
		t.Helper()
		out, err := e.c.GetStages(ctx(), in)
		if err != nil {
			t.Fatal(err)
		}
		var n []string
		for _, s := range out.Item {
			n = append(n, *s.StageName)
		}
		return n
	}
	if got := names(&apigateway.GetStagesInput{RestApiId: aws.String(api)}); !slices.Equal(got, []string{"a", "b", "c"}) {
		t.Errorf("GetStages: %v", got)
	}
	if got := names(&apigateway.GetStagesInput{RestApiId: aws.String(api), DeploymentId: aws.String(dep1)}); !slices.Equal(got, []string{"a", "c"}) {
		t.Errorf("GetStages of %s: %v", dep1, got)
	}
	e.takeHooks()
	if _, err := e.c.DeleteStage(ctx(), &apigateway.DeleteStageInput{RestApiId: aws.String(api), StageName: aws.String("b")}); err != nil {
		t.Fatal(err)
	}
	if h := e.takeHooks(); len(h) != 1 {
		t.Errorf("Deployed calls %v, want one", h)
	}
	if got := names(&apigateway.GetStagesInput{RestApiId: aws.String(api)}); !slices.Equal(got, []string{"a", "c"}) {
		t.Errorf("GetStages after delete: %v", got)
	}
	// dep2 is free again.
	if _, err := e.c.DeleteDeployment(ctx(), &apigateway.DeleteDeploymentInput{RestApiId: aws.String(api), DeploymentId: aws.String(dep2)}); err != nil {
		t.Errorf("DeleteDeployment of a freed deployment: %v", err)
	}
	r := do(t, e.srv, "GET", "/restapis/"+api+"/stages?deploymentId=none", nil)
	if r.status != 200 || string(r.body) != `{"item":[]}` {
		t.Errorf("empty GetStages: %d %s", r.status, r.body)
	}

	cases := []struct {
		name, api, stage string
		status           int
		code, message    string
	}{
		{"unknown stage", api, "b", 404, "NotFoundException", "Invalid stage identifier specified"},
		{"unknown API", "nope", "a", 404, "NotFoundException", "Invalid API identifier specified 000000000000:nope"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := e.c.GetStage(ctx(), &apigateway.GetStageInput{RestApiId: aws.String(tc.api), StageName: aws.String(tc.stage)})
			wantAPIError(t, err, tc.status, tc.code, tc.message)
			_, err = e.c.DeleteStage(ctx(), &apigateway.DeleteStageInput{RestApiId: aws.String(tc.api), StageName: aws.String(tc.stage)})
			wantAPIError(t, err, tc.status, tc.code, tc.message)
			_, err = stgPatch(e.c, tc.api, tc.stage, stgOp(types.OpReplace, "/description", "x"))
			wantAPIError(t, err, tc.status, tc.code, tc.message)
		})
	}
	_, err := e.c.GetStages(ctx(), &apigateway.GetStagesInput{RestApiId: aws.String("nope")})
	wantAPIError(t, err, 404, "NotFoundException", "Invalid API identifier specified 000000000000:nope")
	if h := e.takeHooks(); len(h) != 0 {
		t.Errorf("Deployed called by refused operations: %v", h)
	}
}

// TestUpdateStagePaths applies each supported path to a fresh stage and
// checks the answer, which must equal a later GetStage.
func TestUpdateStagePaths(t *testing.T) {
	e, api, dep1, dep2 := stgSetup(t)
	copyOp := func(from, path string) types.PatchOperation {
		return types.PatchOperation{Op: types.OpCopy, From: aws.String(from), Path: aws.String(path)}
	}
	type stage = apigateway.UpdateStageOutput
	cases := []struct {
		name  string
		setup []types.PatchOperation
		ops   []types.PatchOperation
		check func(s *stage) bool
	}{
		{"description", nil, []types.PatchOperation{stgOp(types.OpReplace, "/description", "new")},
			func(s *stage) bool { return *s.Description == "new" }},
		{"deploymentId", nil, []types.PatchOperation{stgOp(types.OpReplace, "/deploymentId", dep2)},
			func(s *stage) bool { return *s.DeploymentId == dep2 }},
		{"cache on", nil, []types.PatchOperation{stgOp(types.OpReplace, "/cacheClusterEnabled", "true")},
			func(s *stage) bool {
				return s.CacheClusterEnabled && s.CacheClusterSize == "0.5" && s.CacheClusterStatus == types.CacheClusterStatusAvailable
			}},
		{"cache off", []types.PatchOperation{stgOp(types.OpReplace, "/cacheClusterEnabled", "true")},
			[]types.PatchOperation{stgOp(types.OpReplace, "/cacheClusterEnabled", "false")},
			func(s *stage) bool {
				return !s.CacheClusterEnabled && s.CacheClusterStatus == types.CacheClusterStatusNotAvailable
			}},
		{"cache size", nil, []types.PatchOperation{stgOp(types.OpReplace, "/cacheClusterSize", "1.6")},
			func(s *stage) bool { return s.CacheClusterSize == "1.6" }},
		{"client certificate", nil, []types.PatchOperation{stgOp(types.OpReplace, "/clientCertificateId", "abc123")},
			func(s *stage) bool { return *s.ClientCertificateId == "abc123" }},
		{"documentation version", nil, []types.PatchOperation{stgOp(types.OpReplace, "/documentationVersion", "v2")},
			func(s *stage) bool { return *s.DocumentationVersion == "v2" }},
		{"tracing", nil, []types.PatchOperation{stgOp(types.OpReplace, "/tracingEnabled", "true")},
			func(s *stage) bool { return s.TracingEnabled }},
		{"variables", []types.PatchOperation{stgOp(types.OpAdd, "/variables/gone", "1"), stgOp(types.OpAdd, "/variables/kept", "2")},
			[]types.PatchOperation{stgOp(types.OpReplace, "/variables/kept", "3"), stgOp(types.OpAdd, "/variables/new", "a/b"),
				stgOp(types.OpRemove, "/variables/gone", ""), stgOp(types.OpRemove, "/variables/absent", "")},
			func(s *stage) bool {
				return reflect.DeepEqual(s.Variables, map[string]string{"kept": "3", "new": "a/b"})
			}},
		{"last variable removed", []types.PatchOperation{stgOp(types.OpAdd, "/variables/only", "1")},
			[]types.PatchOperation{stgOp(types.OpRemove, "/variables/only", "")},
			func(s *stage) bool { return s.Variables == nil }},
		{"access log settings", nil,
			[]types.PatchOperation{stgOp(types.OpReplace, "/accessLogSettings/format", "$context.requestId"),
				stgOp(types.OpReplace, "/accessLogSettings/destinationArn", "arn:aws:logs:us-east-1:123456789012:log-group:g")},
			func(s *stage) bool {
				return s.AccessLogSettings != nil && *s.AccessLogSettings.Format == "$context.requestId" &&
					*s.AccessLogSettings.DestinationArn == "arn:aws:logs:us-east-1:123456789012:log-group:g"
			}},
		{"access log settings removed", []types.PatchOperation{stgOp(types.OpReplace, "/accessLogSettings/format", "f")},
			[]types.PatchOperation{{Op: types.OpRemove, Path: aws.String("/accessLogSettings")}},
			func(s *stage) bool { return s.AccessLogSettings == nil }},
		{"canary created by its deployment id", nil, []types.PatchOperation{stgOp(types.OpReplace, "/canarySettings/deploymentId", dep2)},
			func(s *stage) bool {
				cs := s.CanarySettings
				return cs != nil && *cs.DeploymentId == dep2 && cs.PercentTraffic == 0 && !cs.UseStageCache && *s.DeploymentId == dep1
			}},
		{"canary created by its percentage", nil, []types.PatchOperation{stgOp(types.OpReplace, "/canarySettings/percentTraffic", "50")},
			func(s *stage) bool {
				cs := s.CanarySettings
				return cs != nil && *cs.DeploymentId == dep1 && cs.PercentTraffic == 50
			}},
		{"canary settings", nil, []types.PatchOperation{stgOp(types.OpReplace, "/canarySettings/useStageCache", "true"),
			stgOp(types.OpAdd, "/canarySettings/stageVariableOverrides/a", "1"), stgOp(types.OpReplace, "/canarySettings/stageVariableOverrides/b", "2"),
			stgOp(types.OpRemove, "/canarySettings/stageVariableOverrides/a", "")},
			func(s *stage) bool {
				cs := s.CanarySettings
				return cs != nil && cs.UseStageCache && reflect.DeepEqual(cs.StageVariableOverrides, map[string]string{"b": "2"})
			}},
		{"canary removed", []types.PatchOperation{stgOp(types.OpReplace, "/canarySettings/percentTraffic", "10")},
			[]types.PatchOperation{{Op: types.OpRemove, Path: aws.String("/canarySettings")}},
			func(s *stage) bool { return s.CanarySettings == nil }},
		{"canary promoted", []types.PatchOperation{stgOp(types.OpAdd, "/variables/v", "old"), stgOp(types.OpAdd, "/variables/w", "kept"),
			stgOp(types.OpReplace, "/canarySettings/deploymentId", dep2), stgOp(types.OpReplace, "/canarySettings/stageVariableOverrides/v", "new")},
			[]types.PatchOperation{copyOp("/canarySettings/deploymentId", "/deploymentId"), copyOp("/canarySettings/stageVariableOverrides", "/variables")},
			func(s *stage) bool {
				return *s.DeploymentId == dep2 && reflect.DeepEqual(s.Variables, map[string]string{"v": "new", "w": "kept"}) && s.CanarySettings != nil
			}},
	}
	for i, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			name := "s" + string(rune('a'+i))
			stgCreate(t, e.c, api, name, dep1)
			if tc.setup != nil {
				if _, err := stgPatch(e.c, api, name, tc.setup...); err != nil {
					t.Fatalf("setup: %v", err)
				}
			}
			e.takeHooks()
			out, err := stgPatch(e.c, api, name, tc.ops...)
			if err != nil {
				t.Fatal(err)
			}
			if !tc.check(out) {
				t.Errorf("UpdateStage answer: %+v", out)
			}
			if h := e.takeHooks(); len(h) != 1 {
				t.Errorf("Deployed calls %v, want one", h)
			}
			got := depGetStage(t, e.c, api, name)
			if !tc.check((*stage)(got)) {
				t.Errorf("GetStage after update: %+v", got)
			}
			if !got.LastUpdatedDate.Equal(*out.LastUpdatedDate) || got.CreatedDate.After(*got.LastUpdatedDate) {
				t.Errorf("dates: created %v updated %v", got.CreatedDate, got.LastUpdatedDate)
			}
		})
	}
}

func TestUpdateStageErrors(t *testing.T) {
	e, api, dep1, _ := stgSetup(t)
	stgCreate(t, e.c, api, "dev", dep1)
	// A canary-less second stage, to check promotion.
	stgCreate(t, e.c, api, "plain", dep1)
	if _, err := stgPatch(e.c, api, "dev", stgOp(types.OpReplace, "/description", "before"), stgOp(types.OpReplace, "/*/*/metrics/enabled", "true")); err != nil {
		t.Fatal(err)
	}
	e.takeHooks()
	const pathList = "[/deploymentId, /description, /cacheClusterEnabled, /cacheClusterSize, /clientCertificateId, /accessLogSettings, /accessLogSettings/destinationArn, /accessLogSettings/format, /{resourcePath}/{httpMethod}/metrics/enabled, /{resourcePath}/{httpMethod}/logging/dataTrace, /{resourcePath}/{httpMethod}/logging/loglevel, /{resourcePath}/{httpMethod}/throttling/burstLimit/{resourcePath}/{httpMethod}/throttling/rateLimit/{resourcePath}/{httpMethod}/caching/ttlInSeconds, /{resourcePath}/{httpMethod}/caching/enabled, /{resourcePath}/{httpMethod}/caching/dataEncrypted, /{resourcePath}/{httpMethod}/caching/requireAuthorizationForCacheControl, /{resourcePath}/{httpMethod}/caching/unauthorizedCacheControlHeaderStrategy, /*/*/metrics/enabled, /*/*/logging/dataTrace, /*/*/logging/loglevel, /*/*/throttling/burstLimit /*/*/throttling/rateLimit /*/*/caching/ttlInSeconds, /*/*/caching/enabled, /*/*/caching/dataEncrypted, /*/*/caching/requireAuthorizationForCacheControl, /*/*/caching/unauthorizedCacheControlHeaderStrategy, /variables/{variable_name}, /tracingEnabled]"
	const settingList = "[.../metrics/enabled, .../logging/dataTrace, .../logging/loglevel,.../throttling/burstLimit, .../throttling/rateLimit, .../caching/ttlInSeconds, .../caching/enabled, .../caching/dataEncrypted, .../caching/requireAuthorizationForCacheControl, .../caching/unauthorizedCacheControlHeaderStrategy]"
	cases := []struct {
		name          string
		stage         string
		op            types.PatchOperation
		code, message string
	}{
		{"snake-case path", "dev", stgOp(types.OpReplace, "/documentation_version", "123"), "BadRequestException",
			"Invalid method setting path: /documentation_version. Must be one of: " + pathList},
		{"tags are not patchable", "dev", stgOp(types.OpReplace, "/tags/tag1", "value1"), "BadRequestException",
			"Invalid method setting path: /tags/tag1. Must be one of: " + pathList},
		{"unknown canary field", "dev", stgOp(types.OpReplace, "/canarySettings/badPath", "badPath"), "BadRequestException",
			"Invalid method setting path: /canarySettings/badPath. Must be one of: " + pathList},
		{"replace whole canary", "dev", stgOp(types.OpReplace, "/canarySettings", "{}"), "BadRequestException",
			"Invalid method setting path: /canarySettings. Must be one of: " + pathList},
		{"empty segment", "dev", stgOp(types.OpReplace, "/{proxy+}/ANY//throttling/burstLimit", "1"), "BadRequestException",
			"Invalid method setting path: /{proxy+}/ANY//throttling/burstLimit. Must be one of: " + pathList},
		{"unknown method setting", "dev", stgOp(types.OpReplace, "/*/*/accessLogSettings/format", "x"), "BadRequestException",
			"Invalid method setting path: accessLogSettings/format. Must be one of: " + settingList},
		{"add canary deployment", "dev", stgOp(types.OpAdd, "/canarySettings/deploymentId", dep1), "BadRequestException",
			"Invalid add operation with path: /canarySettings/deploymentId"},
		{"add description", "dev", stgOp(types.OpAdd, "/description", "x"), "BadRequestException",
			"Invalid add operation with path: /description"},
		{"remove unknown method setting", "dev", stgOp(types.OpRemove, "/canarySettings/stageVariableOverrides", ""), "BadRequestException",
			"Cannot remove method setting canarySettings/stageVariableOverrides because there is no method setting for this method "},
		{"remove absent method setting", "plain", stgOp(types.OpRemove, "/*/*", ""), "BadRequestException",
			"Cannot remove method setting */* because there is no method setting for this method "},
		{"unknown deployment", "dev", stgOp(types.OpReplace, "/deploymentId", "deploy"), "BadRequestException", "Deployment id does not exist"},
		{"unknown canary deployment", "dev", stgOp(types.OpReplace, "/canarySettings/deploymentId", "deploy"), "BadRequestException", "Deployment id does not exist"},
		{"bad variable name", "dev", stgOp(types.OpReplace, "/variables/owner:environment", "dev"), "BadRequestException",
			"Invalid stage variable name: owner:environment.  Please use names with only word characters."},
		{"bad variable value", "dev", stgOp(types.OpReplace, "/variables/a", "x\"y"), "BadRequestException",
			"Invalid stage variable value: x\"y.  Please use values with alphanumeric characters and the symbols ' ', -', '.', '_', ':', '/', '?', '&', '=', and ','."},
		{"not a boolean", "dev", stgOp(types.OpReplace, "/tracingEnabled", "yes"), "BadRequestException", "Invalid value 'yes' for patch path /tracingEnabled"},
		{"bad cache size", "dev", stgOp(types.OpReplace, "/cacheClusterSize", "2"), "BadRequestException", "Invalid value '2' for patch path /cacheClusterSize"},
		{"bad log level", "dev", stgOp(types.OpReplace, "/*/*/logging/loglevel", "DEBUG"), "BadRequestException", "Invalid value 'DEBUG' for patch path /*/*/logging/loglevel"},
		{"bad rate", "dev", stgOp(types.OpReplace, "/*/*/throttling/rateLimit", "fast"), "BadRequestException", "Invalid value 'fast' for patch path /*/*/throttling/rateLimit"},
		{"bad burst", "dev", stgOp(types.OpReplace, "/*/*/throttling/burstLimit", "1.5"), "BadRequestException", "Invalid value '1.5' for patch path /*/*/throttling/burstLimit"},
		{"ttl too long", "dev", stgOp(types.OpReplace, "/*/*/caching/ttlInSeconds", "3601"), "BadRequestException", "Invalid value '3601' for patch path /*/*/caching/ttlInSeconds"},
		{"bad cache-control strategy", "dev", stgOp(types.OpReplace, "/*/*/caching/unauthorizedCacheControlHeaderStrategy", "IGNORE"), "BadRequestException",
			"Invalid value 'IGNORE' for patch path /*/*/caching/unauthorizedCacheControlHeaderStrategy"},
		{"percentage out of range", "dev", stgOp(types.OpReplace, "/canarySettings/percentTraffic", "100.5"), "BadRequestException",
			"Invalid canary percentTraffic 100.5: must be between 0.0 and 100.0"},
		{"promotion without canary", "plain", types.PatchOperation{Op: types.OpCopy, From: aws.String("/canarySettings/deploymentId"), Path: aws.String("/deploymentId")},
			"BadRequestException", "Promotion not available. Canary does not exist."},
		{"copy the wrong way", "dev", types.PatchOperation{Op: types.OpCopy, From: aws.String("/variables"), Path: aws.String("/canarySettings/stageVariableOverrides")},
			"BadRequestException", "Invalid copy operation with path: /canarySettings/stageVariableOverrides and from /variables. Valid copy:path are [/deploymentId, /variables] and valid copy:from are [/canarySettings/deploymentId, /canarySettings/stageVariableOverrides]"},
		{"no path", "dev", types.PatchOperation{Op: types.OpReplace, Value: aws.String("x")}, "BadRequestException", "Invalid patch path null"},
		{"bad op", "dev", types.PatchOperation{Op: "delete", Path: aws.String("/description")}, "ValidationException",
			"1 validation error detected: Value 'delete' at 'updateStageInput.patchOperations.2.member.op' failed to satisfy constraint: Member must satisfy enum value set: [add, remove, move, test, replace, copy]"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			// The first operation is valid: a refused document stores nothing.
			_, err := stgPatch(e.c, api, tc.stage, stgOp(types.OpReplace, "/description", "lost"), tc.op)
			wantAPIError(t, err, 400, tc.code, tc.message)
		})
	}
	for _, name := range []string{"dev", "plain"} {
		if s := depGetStage(t, e.c, api, name); aws.ToString(s.Description) == "lost" {
			t.Errorf("stage %s: a refused patch was stored", name)
		}
	}
	if h := e.takeHooks(); len(h) != 0 {
		t.Errorf("Deployed called by refused updates: %v", h)
	}
}

func TestStageMethodSettings(t *testing.T) {
	e, api, dep1, _ := stgSetup(t)
	stgCreate(t, e.c, api, "dev", dep1)
	defaults := types.MethodSetting{ThrottlingBurstLimit: 5000, ThrottlingRateLimit: 10000, CacheTtlInSeconds: 300,
		RequireAuthorizationForCacheControl: true, UnauthorizedCacheControlHeaderStrategy: types.UnauthorizedCacheControlHeaderStrategySucceedWithResponseHeader}

	// A setting for every method starts from AWS's defaults.
	out, err := stgPatch(e.c, api, "dev", stgOp(types.OpReplace, "/*/*/logging/dataTrace", "true"))
	if err != nil {
		t.Fatal(err)
	}
	all := defaults
	all.DataTraceEnabled = true
	if !reflect.DeepEqual(out.MethodSettings, map[string]types.MethodSetting{"*/*": all}) {
		t.Errorf("*/*: %+v", out.MethodSettings)
	}

	// Every setting of one method; the key keeps AWS's escaped resource
	// path. A new method setting starts from the */* settings.
	out, err = stgPatch(e.c, api, "dev",
		stgOp(types.OpReplace, "/~1pets/GET/metrics/enabled", "true"),
		stgOp(types.OpReplace, "/~1pets/GET/logging/loglevel", "INFO"),
		stgOp(types.OpReplace, "/~1pets/GET/throttling/burstLimit", "20"),
		stgOp(types.OpReplace, "/~1pets/GET/throttling/rateLimit", "12.5"),
		stgOp(types.OpReplace, "/~1pets/GET/caching/enabled", "true"),
		stgOp(types.OpReplace, "/~1pets/GET/caching/ttlInSeconds", "60"),
		stgOp(types.OpReplace, "/~1pets/GET/caching/dataEncrypted", "true"),
		stgOp(types.OpReplace, "/~1pets/GET/caching/requireAuthorizationForCacheControl", "false"),
		stgOp(types.OpReplace, "/~1pets/GET/caching/unauthorizedCacheControlHeaderStrategy", "FAIL_WITH_403"),
		stgOp(types.OpReplace, "/~1/GET/metrics/enabled", "true"),
		// Methods the stage's deployment does not have are dropped, as on AWS.
		stgOp(types.OpReplace, "/test/GET/throttling/burstLimit", "124"),
		stgOp(types.OpReplace, "/pets/GET/throttling/burstLimit", "124"),
		stgOp(types.OpReplace, "/~1pets/POST/throttling/burstLimit", "124"),
		stgOp(types.OpReplace, "/*/GET/throttling/burstLimit", "124"),
		// Changing */* later does not reach the method's settings.
		stgOp(types.OpReplace, "/*/*/throttling/burstLimit", "100"),
	)
	if err != nil {
		t.Fatal(err)
	}
	pets := types.MethodSetting{MetricsEnabled: true, LoggingLevel: aws.String("INFO"), DataTraceEnabled: true,
		ThrottlingBurstLimit: 20, ThrottlingRateLimit: 12.5, CachingEnabled: true, CacheTtlInSeconds: 60, CacheDataEncrypted: true,
		RequireAuthorizationForCacheControl: false, UnauthorizedCacheControlHeaderStrategy: types.UnauthorizedCacheControlHeaderStrategyFailWith403}
	root := all
	root.MetricsEnabled = true
	all.ThrottlingBurstLimit = 100
	want := map[string]types.MethodSetting{"*/*": all, "~1pets/GET": pets, "~1/GET": root}
	if !reflect.DeepEqual(out.MethodSettings, want) {
		t.Errorf("method settings:\n got %+v\nwant %+v", out.MethodSettings, want)
	}
	if got := depGetStage(t, e.c, api, "dev"); !reflect.DeepEqual(got.MethodSettings, want) {
		t.Errorf("GetStage method settings: %+v", got.MethodSettings)
	}
	// On the wire: loggingLevel only once set.
	raw := stgRaw(t, e, api, "dev")["methodSettings"].(map[string]any)
	if _, ok := raw["*/*"].(map[string]any)["loggingLevel"]; ok {
		t.Errorf("*/* has a loggingLevel: %v", raw["*/*"])
	}
	if raw["~1pets/GET"].(map[string]any)["loggingLevel"] != "INFO" {
		t.Errorf("~1pets/GET: %v", raw["~1pets/GET"])
	}

	// Removing /{resourcePath}/{httpMethod} drops its settings.
	out, err = stgPatch(e.c, api, "dev", types.PatchOperation{Op: types.OpRemove, Path: aws.String("/~1pets/GET")},
		types.PatchOperation{Op: types.OpRemove, Path: aws.String("/*/*")})
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(out.MethodSettings, map[string]types.MethodSetting{"~1/GET": root}) {
		t.Errorf("after removals: %+v", out.MethodSettings)
	}
}

func TestStageTags(t *testing.T) {
	e, api, dep1, _ := stgSetup(t)
	_, err := e.c.CreateStage(ctx(), &apigateway.CreateStageInput{RestApiId: aws.String(api), StageName: aws.String("dev"),
		DeploymentId: aws.String(dep1), Tags: map[string]string{"a": "1"}})
	if err != nil {
		t.Fatal(err)
	}
	arn := "arn:aws:apigateway:us-east-1::/restapis/" + api + "/stages/dev"
	tags := func(arn string) map[string]string {
		t.Helper()
		out, err := e.c.GetTags(ctx(), &apigateway.GetTagsInput{ResourceArn: aws.String(arn)})
		if err != nil {
			t.Fatalf("GetTags: %v", err)
		}
		return out.Tags
	}
	if got := tags(arn); !reflect.DeepEqual(got, map[string]string{"a": "1"}) {
		t.Errorf("tags at creation: %v", got)
	}
	if _, err := e.c.TagResource(ctx(), &apigateway.TagResourceInput{ResourceArn: aws.String(arn), Tags: map[string]string{"b": "2", "c": "3"}}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.c.UntagResource(ctx(), &apigateway.UntagResourceInput{ResourceArn: aws.String(arn), TagKeys: []string{"a"}}); err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"b": "2", "c": "3"}
	if got := tags(arn); !reflect.DeepEqual(got, want) {
		t.Errorf("tags: %v", got)
	}
	if got := depGetStage(t, e.c, api, "dev").Tags; !reflect.DeepEqual(got, want) {
		t.Errorf("GetStage tags: %v", got)
	}
	if got := tags("arn:aws:apigateway:us-east-1::/restapis/" + api); len(got) != 0 {
		t.Errorf("the stage's tags leaked to its API: %v", got)
	}

	cases := []struct {
		name, arn     string
		status        int
		code, message string
	}{
		{"unknown stage", "arn:aws:apigateway:us-east-1::/restapis/" + api + "/stages/nope", 404, "NotFoundException", "Invalid stage identifier specified"},
		{"unknown API", "arn:aws:apigateway:us-east-1::/restapis/nope/stages/dev", 404, "NotFoundException", "Invalid API identifier specified 000000000000:nope"},
		{"not a stage", "arn:aws:apigateway:us-east-1::/restapis/" + api + "/deployments/" + dep1, 400, "BadRequestException",
			"Invalid resource ARN specified: arn:aws:apigateway:us-east-1::/restapis/" + api + "/deployments/" + dep1},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := e.c.GetTags(ctx(), &apigateway.GetTagsInput{ResourceArn: aws.String(tc.arn)})
			wantAPIError(t, err, tc.status, tc.code, tc.message)
			_, err = e.c.TagResource(ctx(), &apigateway.TagResourceInput{ResourceArn: aws.String(tc.arn), Tags: map[string]string{"x": "y"}})
			wantAPIError(t, err, tc.status, tc.code, tc.message)
		})
	}

	// A deleted stage's tags go with it.
	if _, err := e.c.DeleteStage(ctx(), &apigateway.DeleteStageInput{RestApiId: aws.String(api), StageName: aws.String("dev")}); err != nil {
		t.Fatal(err)
	}
	stgCreate(t, e.c, api, "dev", dep1)
	if got := tags(arn); len(got) != 0 {
		t.Errorf("tags of a re-created stage: %v", got)
	}

	// So do those of a deleted API's stages.
	custom, err := e.c.CreateRestApi(ctx(), &apigateway.CreateRestApiInput{Name: aws.String("again"), Tags: map[string]string{"_custom_id_": "fixedid"}})
	if err != nil {
		t.Fatal(err)
	}
	depMethod(t, e.c, "fixedid", *custom.RootResourceId, "GET", false)
	if _, err := e.c.CreateDeployment(ctx(), &apigateway.CreateDeploymentInput{RestApiId: aws.String("fixedid"), StageName: aws.String("dev")}); err != nil {
		t.Fatal(err)
	}
	fixedARN := "arn:aws:apigateway:us-east-1::/restapis/fixedid/stages/dev"
	if _, err := e.c.TagResource(ctx(), &apigateway.TagResourceInput{ResourceArn: aws.String(fixedARN), Tags: map[string]string{"k": "v"}}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.c.DeleteRestApi(ctx(), &apigateway.DeleteRestApiInput{RestApiId: aws.String("fixedid")}); err != nil {
		t.Fatal(err)
	}
	custom, err = e.c.CreateRestApi(ctx(), &apigateway.CreateRestApiInput{Name: aws.String("again"), Tags: map[string]string{"_custom_id_": "fixedid"}})
	if err != nil {
		t.Fatal(err)
	}
	depMethod(t, e.c, "fixedid", *custom.RootResourceId, "GET", false)
	depDeploy(t, e.c, "fixedid", "dev")
	if got := tags(fixedARN); len(got) != 0 {
		t.Errorf("tags survived DeleteRestApi: %v", got)
	}

	// The REST path form, with the ARN escaped.
	r := do(t, e.srv, "GET", "/tags/"+url.PathEscape(arn), nil)
	if r.status != 200 || string(r.body) != `{"tags":{}}` {
		t.Errorf("GET /tags/<escaped arn>: %d %s", r.status, r.body)
	}
}

func TestStageScopeIsolation(t *testing.T) {
	e := depNewEnv(t)
	a := newClient(e.srv, "111111111111", "us-east-1")
	api, _ := depAPI(t, a, "mine")
	dep := depDeploy(t, a, api, "dev")
	others := map[string]*apigateway.Client{
		"other account": newClient(e.srv, "222222222222", "us-east-1"),
		"other region":  newClient(e.srv, "111111111111", "eu-west-1"),
	}
	for name, c := range others {
		t.Run(name, func(t *testing.T) {
			_, err := c.GetStage(ctx(), &apigateway.GetStageInput{RestApiId: aws.String(api), StageName: aws.String("dev")})
			if err == nil || !strings.Contains(err.Error(), "NotFoundException") {
				t.Errorf("GetStage from %s: %v", name, err)
			}
			_, err = c.GetDeployment(ctx(), &apigateway.GetDeploymentInput{RestApiId: aws.String(api), DeploymentId: aws.String(dep)})
			if err == nil || !strings.Contains(err.Error(), "NotFoundException") {
				t.Errorf("GetDeployment from %s: %v", name, err)
			}
			_, err = c.CreateStage(ctx(), &apigateway.CreateStageInput{RestApiId: aws.String(api), StageName: aws.String("x"), DeploymentId: aws.String(dep)})
			if err == nil || !strings.Contains(err.Error(), "NotFoundException") {
				t.Errorf("CreateStage from %s: %v", name, err)
			}
		})
	}
	if h := e.takeHooks(); !slices.Equal(h, []string{"111111111111/us-east-1/" + api}) {
		t.Errorf("Deployed calls %v", h)
	}
}
