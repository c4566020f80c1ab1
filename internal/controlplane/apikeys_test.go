package controlplane_test

import (
	"encoding/json"
	"net/http/httptest"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/apigateway"
	"github.com/aws/aws-sdk-go-v2/service/apigateway/types"

	"github.com/gantryproject/gantry/internal/controlplane"
	"github.com/gantryproject/gantry/internal/model"
	"github.com/gantryproject/gantry/internal/store"
	"github.com/gantryproject/gantry/internal/store/sqlite"
)

// usageEnv is a control plane over an in-memory store with a settable clock
// and a UsageChanged hook that counts calls, with a client of the default
// account in us-east-1.
type usageEnv struct {
	c   *apigateway.Client
	st  *sqlite.Store
	srv *httptest.Server

	mu      sync.Mutex
	now     time.Time
	changed int
}

// usageStart is the env's clock at start: a Wednesday in March.
var usageStart = time.Date(2026, 3, 18, 12, 0, 0, 0, time.UTC)

var usageScope = model.Scope{Account: model.DefaultAccount, Region: "us-east-1"}

// usageNewEnv starts an env; meter, if not nil, is the usage meter.
func usageNewEnv(t *testing.T, meter controlplane.UsageMeter) *usageEnv {
	t.Helper()
	st, err := sqlite.OpenMemory()
	if err != nil {
		t.Fatal(err)
	}
	e := &usageEnv{st: st, now: usageStart}
	opts := controlplane.Options{
		Now: func() time.Time {
			e.mu.Lock()
			defer e.mu.Unlock()
			return e.now
		},
		UsageChanged: func(s model.Scope) {
			e.mu.Lock()
			defer e.mu.Unlock()
			if s == usageScope {
				e.changed++
			}
		},
	}
	if meter != nil {
		opts.Usage = meter
	}
	e.srv = httptest.NewServer(controlplane.New(st, opts))
	t.Cleanup(func() {
		e.srv.Close()
		st.Close()
	})
	e.c = newClient(e.srv, "test", "us-east-1")
	return e
}

// advance moves the clock on.
func (e *usageEnv) advance(d time.Duration) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.now = e.now.Add(d)
}

// takeChanged returns the number of UsageChanged calls since the last take.
func (e *usageEnv) takeChanged() int {
	e.mu.Lock()
	defer e.mu.Unlock()
	n := e.changed
	e.changed = 0
	return n
}

// wantChanged checks the number of UsageChanged calls since the last take.
func (e *usageEnv) wantChanged(t *testing.T, label string, want int) {
	t.Helper()
	if got := e.takeChanged(); got != want {
		t.Errorf("%s: UsageChanged called %d times, want %d", label, got, want)
	}
}

// raw GETs path and decodes its JSON body.
func (e *usageEnv) raw(t *testing.T, path string) map[string]any {
	t.Helper()
	r := do(t, e.srv, "GET", path, nil)
	var m map[string]any
	if r.status != 200 || json.Unmarshal(r.body, &m) != nil {
		t.Fatalf("GET %s: %d %s", path, r.status, r.body)
	}
	return m
}

// usageAPI creates an API with GET / and GET /pets (MOCK) deployed to the
// stage "dev", and returns its id.
func usageAPI(t *testing.T, c *apigateway.Client) string {
	t.Helper()
	api, root := depAPI(t, c, "usage")
	pets := mustCreateResource(t, c, api, root, "pets")
	depMethod(t, c, api, pets, "GET", true)
	depDeploy(t, c, api, "dev")
	return api
}

func mustCreateKey(t *testing.T, c *apigateway.Client, in *apigateway.CreateApiKeyInput) *apigateway.CreateApiKeyOutput {
	t.Helper()
	out, err := c.CreateApiKey(ctx(), in)
	if err != nil {
		t.Fatalf("CreateApiKey: %v", err)
	}
	return out
}

// mustKey creates a key with a name and returns its id.
func mustKey(t *testing.T, c *apigateway.Client, name string) string {
	t.Helper()
	return *mustCreateKey(t, c, &apigateway.CreateApiKeyInput{Name: aws.String(name)}).Id
}

func getKey(t *testing.T, c *apigateway.Client, id string, withValue bool) *apigateway.GetApiKeyOutput {
	t.Helper()
	out, err := c.GetApiKey(ctx(), &apigateway.GetApiKeyInput{ApiKey: aws.String(id), IncludeValue: aws.Bool(withValue)})
	if err != nil {
		t.Fatalf("GetApiKey: %v", err)
	}
	return out
}

var keyValueRe = regexp.MustCompile(`^[A-Za-z0-9]{40}$`)

func TestCreateAPIKey(t *testing.T) {
	e := usageNewEnv(t, nil)
	api := usageAPI(t, e.c)

	plain := mustCreateKey(t, e.c, &apigateway.CreateApiKeyInput{})
	if !keyValueRe.MatchString(aws.ToString(plain.Value)) || len(*plain.Id) != 10 || plain.Enabled ||
		len(plain.StageKeys) != 0 || plain.CreatedDate == nil || !plain.CreatedDate.Equal(usageStart) || plain.LastUpdatedDate == nil {
		t.Errorf("generated key: %+v", plain)
	}
	e.wantChanged(t, "CreateApiKey", 1)
	// AWS's shape: enabled, dates and stageKeys always; no tags, name or
	// description when there are none.
	raw := e.raw(t, "/apikeys/"+*plain.Id)
	for _, k := range []string{"id", "enabled", "createdDate", "lastUpdatedDate", "stageKeys"} {
		if _, ok := raw[k]; !ok {
			t.Errorf("key lacks %s: %v", k, raw)
		}
	}
	for _, k := range []string{"value", "tags", "name", "description", "customerId"} {
		if _, ok := raw[k]; ok {
			t.Errorf("key has %s: %v", k, raw)
		}
	}

	full := mustCreateKey(t, e.c, &apigateway.CreateApiKeyInput{
		Name: aws.String("full"), Description: aws.String("all fields"), Enabled: true,
		Value: aws.String("abcdefghij0123456789"), CustomerId: aws.String("cust-1"),
		StageKeys: []types.StageKey{{RestApiId: aws.String(api), StageName: aws.String("dev")}, {RestApiId: aws.String(api), StageName: aws.String("dev")}},
		Tags:      map[string]string{"team": "blue"},
	})
	got := getKey(t, e.c, *full.Id, true)
	if *got.Name != "full" || *got.Description != "all fields" || !got.Enabled || *got.Value != "abcdefghij0123456789" ||
		*got.CustomerId != "cust-1" || !reflect.DeepEqual(got.StageKeys, []string{api + "/dev"}) ||
		!reflect.DeepEqual(got.Tags, map[string]string{"team": "blue"}) || !reflect.DeepEqual(full.Tags, got.Tags) {
		t.Errorf("GetApiKey: %+v", got)
	}

	for _, tc := range []struct {
		name   string
		in     *apigateway.CreateApiKeyInput
		status int
		code   string
		msg    string
	}{
		{"short value", &apigateway.CreateApiKeyInput{Value: aws.String("0123456789012345678")}, 400, "BadRequestException", "API Key value should be at least 20 characters"},
		{"taken value", &apigateway.CreateApiKeyInput{Value: aws.String("abcdefghij0123456789")}, 409, "ConflictException", "API Key already exists"},
		{"unknown API", &apigateway.CreateApiKeyInput{StageKeys: []types.StageKey{{RestApiId: aws.String("nope"), StageName: aws.String("dev")}}},
			404, "NotFoundException", "Invalid API identifier specified 000000000000:nope"},
		{"unknown stage", &apigateway.CreateApiKeyInput{StageKeys: []types.StageKey{{RestApiId: aws.String(api), StageName: aws.String("prod")}}},
			404, "NotFoundException", "Invalid stage identifier specified"},
		{"aws tag", &apigateway.CreateApiKeyInput{Tags: map[string]string{"aws:x": "y"}}, 400, "BadRequestException", "Tag keys cannot start with 'aws:'"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := e.c.CreateApiKey(ctx(), tc.in)
			wantAPIError(t, err, tc.status, tc.code, tc.msg)
		})
	}
	e.takeChanged()
	if keys := listKeys(t, e.c, &apigateway.GetApiKeysInput{}); len(keys) != 2 {
		t.Errorf("failed creates stored keys: %d keys", len(keys))
	}
}

func TestGetAPIKey(t *testing.T) {
	e := usageNewEnv(t, nil)
	id := mustKey(t, e.c, "k")
	if got := getKey(t, e.c, id, false); got.Value != nil {
		t.Errorf("value without includeValue: %q", *got.Value)
	}
	if got := getKey(t, e.c, id, true); !keyValueRe.MatchString(aws.ToString(got.Value)) {
		t.Errorf("value with includeValue: %v", got.Value)
	}
	_, err := e.c.GetApiKey(ctx(), &apigateway.GetApiKeyInput{ApiKey: aws.String("nope")})
	wantAPIError(t, err, 404, "NotFoundException", "Invalid API Key identifier specified")
}

func listKeys(t *testing.T, c *apigateway.Client, in *apigateway.GetApiKeysInput) []types.ApiKey {
	t.Helper()
	out, err := c.GetApiKeys(ctx(), in)
	if err != nil {
		t.Fatalf("GetApiKeys: %v", err)
	}
	return out.Items
}

func keyNames(keys []types.ApiKey) []string {
	var names []string
	for _, k := range keys {
		names = append(names, aws.ToString(k.Name))
	}
	return names
}

func TestGetAPIKeys(t *testing.T) {
	e := usageNewEnv(t, nil)
	if keys := listKeys(t, e.c, &apigateway.GetApiKeysInput{}); len(keys) != 0 {
		t.Fatalf("fresh account: %v", keys)
	}
	if r := e.raw(t, "/apikeys"); !reflect.DeepEqual(r, map[string]any{"item": []any{}}) {
		t.Errorf("empty list: %v", r)
	}
	for _, n := range []string{"test-a", "test-b", "other", "Test-c"} {
		in := &apigateway.CreateApiKeyInput{Name: aws.String(n)}
		if n == "other" {
			in.CustomerId = aws.String("cust")
		}
		mustCreateKey(t, e.c, in)
	}
	for _, tc := range []struct {
		name string
		in   apigateway.GetApiKeysInput
		want []string
	}{
		{"all, newest first", apigateway.GetApiKeysInput{}, []string{"Test-c", "other", "test-b", "test-a"}},
		{"prefix", apigateway.GetApiKeysInput{NameQuery: aws.String("test")}, []string{"test-b", "test-a"}},
		{"prefix is case-sensitive", apigateway.GetApiKeysInput{NameQuery: aws.String("TEST")}, nil},
		{"no infix", apigateway.GetApiKeysInput{NameQuery: aws.String("est")}, nil},
		{"customer", apigateway.GetApiKeysInput{CustomerId: aws.String("cust")}, []string{"other"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := keyNames(listKeys(t, e.c, &tc.in)); !slices.Equal(got, tc.want) {
				t.Errorf("got %v, want %v", got, tc.want)
			}
		})
	}
	for _, k := range listKeys(t, e.c, &apigateway.GetApiKeysInput{}) {
		if k.Value != nil {
			t.Errorf("value without includeValues: %s", *k.Value)
		}
	}
	for _, k := range listKeys(t, e.c, &apigateway.GetApiKeysInput{IncludeValues: aws.Bool(true)}) {
		if !keyValueRe.MatchString(aws.ToString(k.Value)) {
			t.Errorf("value with includeValues: %v", k.Value)
		}
	}

	// Paging, one key at a time.
	var names []string
	var pos *string
	for i := 0; i < 10; i++ {
		out, err := e.c.GetApiKeys(ctx(), &apigateway.GetApiKeysInput{Limit: aws.Int32(1), Position: pos})
		if err != nil {
			t.Fatal(err)
		}
		names = append(names, keyNames(out.Items)...)
		if pos = out.Position; pos == nil {
			break
		}
	}
	if want := []string{"Test-c", "other", "test-b", "test-a"}; !slices.Equal(names, want) {
		t.Errorf("paged: %v, want %v", names, want)
	}
	_, err := e.c.GetApiKeys(ctx(), &apigateway.GetApiKeysInput{Position: aws.String("nope")})
	wantAPIError(t, err, 400, "BadRequestException", "Invalid position parameter")
}

// patchErrCase is a PATCH that fails with an AWS error.
type patchErrCase struct {
	name   string
	ops    []types.PatchOperation
	status int
	code   string
	msg    string
}

func keyOp(op types.Op, path, value string) types.PatchOperation {
	return types.PatchOperation{Op: op, Path: aws.String(path), Value: aws.String(value)}
}

func TestUpdateAPIKey(t *testing.T) {
	e := usageNewEnv(t, nil)
	api := usageAPI(t, e.c)
	id := mustKey(t, e.c, "before")
	e.takeChanged()
	e.advance(time.Hour)
	update := func(ops ...types.PatchOperation) (*apigateway.UpdateApiKeyOutput, error) {
		return e.c.UpdateApiKey(ctx(), &apigateway.UpdateApiKeyInput{ApiKey: aws.String(id), PatchOperations: ops})
	}
	out, err := update(keyOp("replace", "/name", "after"), keyOp("replace", "/description", "d"),
		keyOp("replace", "/enabled", "TRUE"), keyOp("replace", "/customerId", "c1"), keyOp("add", "/stages", api+"/dev"))
	if err != nil {
		t.Fatal(err)
	}
	if *out.Name != "after" || *out.Description != "d" || !out.Enabled || *out.CustomerId != "c1" ||
		!slices.Equal(out.StageKeys, []string{api + "/dev"}) || out.Value != nil || !out.LastUpdatedDate.Equal(usageStart.Add(time.Hour)) ||
		!out.CreatedDate.Equal(usageStart) {
		t.Errorf("UpdateApiKey: %+v", out)
	}
	e.wantChanged(t, "UpdateApiKey", 1)
	// The answer shows "tags": {} and no value.
	r := do(t, e.srv, "PATCH", "/apikeys/"+id, []byte(`{"patchOperations":[{"op":"replace","path":"/enabled","value":"false"}]}`))
	var m map[string]any
	if json.Unmarshal(r.body, &m) != nil || !reflect.DeepEqual(m["tags"], map[string]any{}) || m["value"] != nil || m["enabled"] != false {
		t.Errorf("raw UpdateApiKey: %d %s", r.status, r.body)
	}
	if out, err = update(keyOp("remove", "/stages", api+"/dev")); err != nil || len(out.StageKeys) != 0 {
		t.Errorf("remove /stages: %v %+v", err, out)
	}

	e.takeChanged()
	before := getKey(t, e.c, id, true)
	for _, tc := range []patchErrCase{
		{"unknown path", []types.PatchOperation{keyOp("replace", "/value", "x")}, 400, "BadRequestException",
			"Invalid patch path  '/value' specified for op 'replace'. Must be one of: [/customerId, /description, /enabled, /name]"},
		{"add on replace path", []types.PatchOperation{keyOp("add", "/name", "x")}, 400, "BadRequestException",
			"Invalid patch path  '/name' specified for op 'add'. Must be one of: [/stages]"},
		{"copy", []types.PatchOperation{keyOp("copy", "/name", "x")}, 400, "BadRequestException",
			"Invalid patch path  '/name' specified for op 'copy'. Must be one of: []"},
		{"unknown stage", []types.PatchOperation{keyOp("replace", "/name", "x"), keyOp("add", "/stages", api+"/prod")}, 404, "NotFoundException",
			"Invalid stage identifier specified"},
		{"bad stage key", []types.PatchOperation{keyOp("add", "/stages", api)}, 400, "BadRequestException", "Invalid stage key specified: " + api},
		{"unknown key", nil, 404, "NotFoundException", "Invalid API Key identifier specified"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			key := id
			if tc.ops == nil {
				key = "nope"
			}
			_, err := e.c.UpdateApiKey(ctx(), &apigateway.UpdateApiKeyInput{ApiKey: aws.String(key), PatchOperations: tc.ops})
			wantAPIError(t, err, tc.status, tc.code, tc.msg)
		})
	}
	if after := getKey(t, e.c, id, true); *after.Name != *before.Name || len(after.StageKeys) != 0 {
		t.Errorf("failed PATCH changed the key: %+v", after)
	}
	e.wantChanged(t, "failed UpdateApiKey", 0)
}

func TestDeleteAPIKey(t *testing.T) {
	e := usageNewEnv(t, nil)
	id := mustKey(t, e.c, "k")
	plan := mustPlan(t, e.c, &apigateway.CreateUsagePlanInput{Name: aws.String("p")})
	mustPlanKey(t, e.c, plan, id)
	tagKey(t, e.c, id, map[string]string{"a": "b"})
	e.takeChanged()
	r := do(t, e.srv, "DELETE", "/apikeys/"+id, nil)
	if r.status != 202 {
		t.Fatalf("DeleteApiKey: %d %s", r.status, r.body)
	}
	e.wantChanged(t, "DeleteApiKey", 1)
	_, err := e.c.GetApiKey(ctx(), &apigateway.GetApiKeyInput{ApiKey: aws.String(id)})
	wantAPIError(t, err, 404, "NotFoundException", "Invalid API Key identifier specified")
	if keys := planKeyNames(t, e.c, &apigateway.GetUsagePlanKeysInput{UsagePlanId: aws.String(plan)}); len(keys) != 0 {
		t.Errorf("deleted key still in its plan: %v", keys)
	}
	if tags := storeTags(t, e, "/apikeys/"+id); len(tags) != 0 {
		t.Errorf("deleted key's tags: %v", tags)
	}
	_, err = e.c.DeleteApiKey(ctx(), &apigateway.DeleteApiKeyInput{ApiKey: aws.String(id)})
	wantAPIError(t, err, 404, "NotFoundException", "Invalid API Key identifier specified")
}

// storeTags reads a resource's tags straight from the store.
func storeTags(t *testing.T, e *usageEnv, resource string) map[string]string {
	t.Helper()
	var tags map[string]string
	err := e.st.View(ctx(), usageScope, func(tx store.ReadTx) error {
		var err error
		tags, err = tx.Tags(resource)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return tags
}

func keyARN(id string) string  { return "arn:aws:apigateway:us-east-1::/apikeys/" + id }
func planARN(id string) string { return "arn:aws:apigateway:us-east-1::/usageplans/" + id }

func tagKey(t *testing.T, c *apigateway.Client, id string, tags map[string]string) {
	t.Helper()
	if _, err := c.TagResource(ctx(), &apigateway.TagResourceInput{ResourceArn: aws.String(keyARN(id)), Tags: tags}); err != nil {
		t.Fatalf("TagResource: %v", err)
	}
}

func TestTagsOnKeysAndPlans(t *testing.T) {
	e := usageNewEnv(t, nil)
	key := mustKey(t, e.c, "k")
	plan := mustPlan(t, e.c, &apigateway.CreateUsagePlanInput{Name: aws.String("p")})
	for _, arn := range []string{keyARN(key), planARN(plan)} {
		if _, err := e.c.TagResource(ctx(), &apigateway.TagResourceInput{ResourceArn: aws.String(arn), Tags: map[string]string{"a": "1", "b": "2"}}); err != nil {
			t.Fatalf("TagResource %s: %v", arn, err)
		}
		if _, err := e.c.UntagResource(ctx(), &apigateway.UntagResourceInput{ResourceArn: aws.String(arn), TagKeys: []string{"a"}}); err != nil {
			t.Fatalf("UntagResource %s: %v", arn, err)
		}
		out, err := e.c.GetTags(ctx(), &apigateway.GetTagsInput{ResourceArn: aws.String(arn)})
		if err != nil || !reflect.DeepEqual(out.Tags, map[string]string{"b": "2"}) {
			t.Errorf("GetTags %s: %v %v", arn, err, out)
		}
	}
	if got := getKey(t, e.c, key, false).Tags; !reflect.DeepEqual(got, map[string]string{"b": "2"}) {
		t.Errorf("key's tags: %v", got)
	}
	if got := getPlan(t, e.c, plan).Tags; !reflect.DeepEqual(got, map[string]string{"b": "2"}) {
		t.Errorf("plan's tags: %v", got)
	}
	for _, tc := range []struct{ arn, code, msg string }{
		{keyARN("nope"), "NotFoundException", "Invalid API Key identifier specified"},
		{planARN("nope"), "NotFoundException", "Invalid Usage Plan ID specified"},
		{"arn:aws:apigateway:us-east-1::/apikeys/" + key + "/x", "BadRequestException",
			"Invalid resource ARN specified: arn:aws:apigateway:us-east-1::/apikeys/" + key + "/x"},
	} {
		_, err := e.c.GetTags(ctx(), &apigateway.GetTagsInput{ResourceArn: aws.String(tc.arn)})
		status := 404
		if tc.code == "BadRequestException" {
			status = 400
		}
		wantAPIError(t, err, status, tc.code, tc.msg)
	}
}

// importKeys imports a key file.
func importKeys(c *apigateway.Client, csv string, failOnWarnings bool) (*apigateway.ImportApiKeysOutput, error) {
	return c.ImportApiKeys(ctx(), &apigateway.ImportApiKeysInput{Body: []byte(csv), Format: types.ApiKeysFormatCsv, FailOnWarnings: failOnWarnings})
}

func TestImportAPIKeys(t *testing.T) {
	e := usageNewEnv(t, nil)
	api := usageAPI(t, e.c)
	p1 := mustPlan(t, e.c, &apigateway.CreateUsagePlanInput{Name: aws.String("p1")})
	p2 := mustPlan(t, e.c, &apigateway.CreateUsagePlanInput{Name: aws.String("p2"), ApiStages: []types.ApiStage{{ApiId: aws.String(api), Stage: aws.String("dev")}}})
	e.takeChanged()

	// AWS's examples ("API Gateway API key file format"), with an unknown
	// column and mixed-case headers.
	out, err := importKeys(e.c, "Key,name\napikey1234abcdefghij0123456789,MyFirstApiKey\n", false)
	if err != nil || len(out.Ids) != 1 || len(out.Warnings) != 0 {
		t.Fatalf("import: %v %+v", err, out)
	}
	first := getKey(t, e.c, out.Ids[0], true)
	if *first.Name != "MyFirstApiKey" || *first.Value != "apikey1234abcdefghij0123456789" || !first.Enabled || first.Description != nil {
		t.Errorf("imported key: %+v", first)
	}
	e.wantChanged(t, "ImportApiKeys", 1)

	csv := "Name,key,description,Enabled,usageplanIds,Other\n" +
		"Second,apikey2222abcdefghij0123456789,An imported key,FALSE,\"" + p1 + "," + p2 + "\",x\n" +
		"\n" +
		"Third,apikey3333abcdefghij0123456789,,,'" + p1 + "," + p2 + "'\n" +
		"Renamed,apikey1234abcdefghij0123456789,now described,true," + p1 + "\n"
	out, err = importKeys(e.c, csv, false)
	if err != nil {
		t.Fatal(err)
	}
	if len(out.Ids) != 3 || out.Ids[2] != *first.Id {
		t.Errorf("ids %v: want three, the last the overwritten key %s", out.Ids, *first.Id)
	}
	second, third := getKey(t, e.c, out.Ids[0], false), getKey(t, e.c, out.Ids[1], false)
	if *second.Name != "Second" || *second.Description != "An imported key" || second.Enabled {
		t.Errorf("second: %+v", second)
	}
	if *third.Name != "Third" || third.Description != nil || !third.Enabled {
		t.Errorf("third: %+v", third)
	}
	if k := getKey(t, e.c, *first.Id, false); *k.Name != "Renamed" || *k.Description != "now described" {
		t.Errorf("overwritten key: %+v", k)
	}
	// Second and Third joined both plans (p1 has no stage, so nothing
	// conflicts); the overwritten key joined p1. Plan keys list newest first.
	if got := planKeyNames(t, e.c, &apigateway.GetUsagePlanKeysInput{UsagePlanId: aws.String(p1)}); !slices.Equal(got, []string{"Renamed", "Third", "Second"}) {
		t.Errorf("p1 keys: %v", got)
	}
	if got := planKeyNames(t, e.c, &apigateway.GetUsagePlanKeysInput{UsagePlanId: aws.String(p2)}); !slices.Equal(got, []string{"Third", "Second"}) {
		t.Errorf("p2 keys: %v", got)
	}

	// Warnings: a short value, an unknown plan, and a key that would reach
	// p2's stage through a third plan.
	p3 := mustPlan(t, e.c, &apigateway.CreateUsagePlanInput{Name: aws.String("p3"), ApiStages: []types.ApiStage{{ApiId: aws.String(api), Stage: aws.String("dev")}}})
	bad := "key,name,usageplanids\n" +
		"short,tooShort\n" +
		"apikey4444abcdefghij0123456789,Fourth,nope\n" +
		"apikey2222abcdefghij0123456789,Second," + p3 + "\n"
	wantWarnings := []string{
		"Invalid API key value at line 2: an API key value must be between 20 and 128 characters",
		"Invalid usage plan ID nope at line 3",
		"Usage Plan " + p3 + " cannot be added because API Key " + out.Ids[0] + " cannot reference multiple Usage Plans with the same API Stage: " + api + ":dev (line 4)",
	}
	keysBefore := listKeys(t, e.c, &apigateway.GetApiKeysInput{})
	e.takeChanged()
	_, err = importKeys(e.c, bad, true)
	wantAPIError(t, err, 400, "BadRequestException", "Warnings found during import: "+strings.Join(wantWarnings, "; "))
	if keys := listKeys(t, e.c, &apigateway.GetApiKeysInput{}); len(keys) != len(keysBefore) {
		t.Errorf("failonwarnings stored keys: %d, want %d", len(keys), len(keysBefore))
	}
	e.wantChanged(t, "failed import", 0)
	out, err = importKeys(e.c, bad, false)
	if err != nil || !slices.Equal(out.Warnings, wantWarnings) || len(out.Ids) != 2 {
		t.Errorf("import with warnings: %v %+v", err, out)
	}

	for _, tc := range []struct{ name, csv, msg string }{
		{"no Key column", "name,value\nx,apikey5555abcdefghij0123456789\n", "Missing required column 'Key'"},
		{"no Name column", "key\napikey5555abcdefghij0123456789\n", "Missing required column 'Name'"},
		{"empty file", "", "Missing required column 'Key'"},
		{"not CSV", "key,name\n\"a\"b,c\n", "Invalid API key file: malformed CSV at line 2"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := importKeys(e.c, tc.csv, false)
			wantAPIError(t, err, 400, "BadRequestException", tc.msg)
		})
	}
	for _, tc := range []struct{ query, msg string }{
		{"", "1 validation error detected: Value null at 'format' failed to satisfy constraint: Member must not be null"},
		{"&format=json", "1 validation error detected: Value 'json' at 'format' failed to satisfy constraint: Member must satisfy enum value set: [csv]"},
	} {
		r := do(t, e.srv, "POST", "/apikeys?mode=import"+tc.query, []byte("key,name\n"))
		if r.status != 400 || r.header.Get("x-amzn-ErrorType") != "ValidationException" || !strings.Contains(string(r.body), tc.msg) {
			t.Errorf("format %q: %d %s", tc.query, r.status, r.body)
		}
	}
}
