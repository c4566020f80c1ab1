package controlplane_test

import (
	"encoding/json"
	"reflect"
	"sort"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/apigateway"
	"github.com/aws/aws-sdk-go-v2/service/apigateway/types"
)

func TestCreateAndGetRestAPI(t *testing.T) {
	c, _ := setup(t)
	out, err := c.CreateRestApi(ctx(), &apigateway.CreateRestApiInput{
		Name:                      aws.String("pets"),
		Description:               aws.String("a pet store"),
		Version:                   aws.String("1.0"),
		BinaryMediaTypes:          []string{"image/png", "image/png", "application/octet-stream"},
		MinimumCompressionSize:    aws.Int32(1024),
		ApiKeySource:              types.ApiKeySourceTypeAuthorizer,
		EndpointConfiguration:     &types.EndpointConfiguration{Types: []types.EndpointType{types.EndpointTypeRegional}},
		Policy:                    aws.String(`{"Version":"2012-10-17","Statement":[]}`),
		Tags:                      map[string]string{"team": "blue"},
		DisableExecuteApiEndpoint: true,
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(*out.Id) != 10 || len(*out.RootResourceId) != 10 {
		t.Errorf("ids %q %q: want 10 characters", *out.Id, *out.RootResourceId)
	}
	if out.CreatedDate == nil || out.CreatedDate.IsZero() {
		t.Error("no createdDate")
	}
	check := func(label string, got *apigateway.GetRestApiOutput) {
		t.Helper()
		if *got.Name != "pets" || *got.Description != "a pet store" || *got.Version != "1.0" ||
			!reflect.DeepEqual(got.BinaryMediaTypes, []string{"image/png", "application/octet-stream"}) ||
			*got.MinimumCompressionSize != 1024 || got.ApiKeySource != types.ApiKeySourceTypeAuthorizer ||
			!reflect.DeepEqual(got.EndpointConfiguration.Types, []types.EndpointType{types.EndpointTypeRegional}) ||
			got.EndpointConfiguration.IpAddressType != types.IpAddressTypeIpv4 ||
			!got.DisableExecuteApiEndpoint || got.Tags["team"] != "blue" || *got.RootResourceId != *out.RootResourceId {
			t.Errorf("%s: %+v", label, got)
		}
	}
	got, err := c.GetRestApi(ctx(), &apigateway.GetRestApiInput{RestApiId: out.Id})
	if err != nil {
		t.Fatal(err)
	}
	check("get", got)

	// Defaults.
	def, err := c.CreateRestApi(ctx(), &apigateway.CreateRestApiInput{Name: aws.String("plain")})
	if err != nil {
		t.Fatal(err)
	}
	if def.ApiKeySource != types.ApiKeySourceTypeHeader || def.DisableExecuteApiEndpoint ||
		!reflect.DeepEqual(def.EndpointConfiguration.Types, []types.EndpointType{types.EndpointTypeEdge}) ||
		def.Description != nil || def.Tags != nil || def.MinimumCompressionSize != nil {
		t.Errorf("defaults: %+v", def)
	}
}

func TestCustomIDTag(t *testing.T) {
	c, _ := setup(t)
	out, err := c.CreateRestApi(ctx(), &apigateway.CreateRestApiInput{Name: aws.String("stable"), Tags: map[string]string{"_custom_id_": "myapi"}})
	if err != nil {
		t.Fatal(err)
	}
	if *out.Id != "myapi" {
		t.Fatalf("id %q, want myapi", *out.Id)
	}
	_, err = c.CreateRestApi(ctx(), &apigateway.CreateRestApiInput{Name: aws.String("again"), Tags: map[string]string{"_custom_id_": "myapi"}})
	wantAPIError(t, err, 409, "ConflictException", "An API with id myapi already exists")
}

// testPolicy is a valid resource policy.
const testPolicy = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"execute-api:Invoke","Resource":"execute-api:/*"}]}`

// msgInvalidPolicy is AWS's answer to an invalid policy.
const msgInvalidPolicy = "Invalid policy document. Please check the policy syntax and ensure that Principals are valid."

func TestCreateRestAPIErrors(t *testing.T) {
	c, _ := setup(t)
	cases := []struct {
		name    string
		in      apigateway.CreateRestApiInput
		status  int
		code    string
		message string
	}{
		{"empty description", apigateway.CreateRestApiInput{Name: aws.String("a"), Description: aws.String("")},
			400, "BadRequestException", "Description cannot be an empty string"},
		{"compression too large", apigateway.CreateRestApiInput{Name: aws.String("a"), MinimumCompressionSize: aws.Int32(10485761)},
			400, "BadRequestException", "Invalid minimum compression size, must be between 0 and 10485760"},
		{"bad api key source", apigateway.CreateRestApiInput{Name: aws.String("a"), ApiKeySource: "BODY"},
			400, "ValidationException", "1 validation error detected: Value 'BODY' at 'createRestApiInput.apiKeySource' failed to satisfy constraint: Member must satisfy enum value set: [HEADER, AUTHORIZER]"},
		{"policy not JSON", apigateway.CreateRestApiInput{Name: aws.String("a"), Policy: aws.String("allow all")}, 400, "BadRequestException", msgInvalidPolicy},
		{"policy without statements", apigateway.CreateRestApiInput{Name: aws.String("a"), Policy: aws.String(`{"Version":"2012-10-17"}`)}, 400, "BadRequestException", msgInvalidPolicy},
		{"policy with an invalid principal", apigateway.CreateRestApiInput{Name: aws.String("a"),
			Policy: aws.String(`{"Statement":[{"Effect":"Allow","Principal":{"AWS":"alice"},"Action":"execute-api:Invoke","Resource":"execute-api:/*"}]}`)}, 400, "BadRequestException", msgInvalidPolicy},
		{"two problems", apigateway.CreateRestApiInput{Name: aws.String("a"), ApiKeySource: "BODY", EndpointConfiguration: &types.EndpointConfiguration{Types: []types.EndpointType{"MOON"}}},
			400, "ValidationException", "2 validation errors detected: Value 'BODY' at 'createRestApiInput.apiKeySource' failed to satisfy constraint: Member must satisfy enum value set: [HEADER, AUTHORIZER]; Value 'MOON' at 'createRestApiInput.endpointConfiguration.types.1.member' failed to satisfy constraint: Member must satisfy enum value set: [REGIONAL, EDGE, PRIVATE]"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			in := tc.in
			_, err := c.CreateRestApi(ctx(), &in)
			wantAPIError(t, err, tc.status, tc.code, tc.message)
		})
	}
	list, err := c.GetRestApis(ctx(), &apigateway.GetRestApisInput{})
	if err != nil || len(list.Items) != 0 {
		t.Errorf("failed creates stored APIs: %v %v", list, err)
	}
}

func TestGetRestAPIsPagination(t *testing.T) {
	c, _ := setup(t)
	var want []string
	for i := 0; i < 7; i++ {
		want = append(want, createAPI(t, c, "api"))
	}
	var got []string
	var pos *string
	pages := 0
	for {
		out, err := c.GetRestApis(ctx(), &apigateway.GetRestApisInput{Limit: aws.Int32(3), Position: pos})
		if err != nil {
			t.Fatal(err)
		}
		pages++
		for _, it := range out.Items {
			got = append(got, *it.Id)
		}
		if out.Position == nil {
			break
		}
		pos = out.Position
	}
	if pages != 3 || !reflect.DeepEqual(got, want) {
		t.Errorf("got %d pages %v, want 3 pages %v", pages, got, want)
	}
	// The SDK paginator walks the same pages.
	p := apigateway.NewGetRestApisPaginator(c, &apigateway.GetRestApisInput{Limit: aws.Int32(2)})
	n := 0
	for p.HasMorePages() {
		page, err := p.NextPage(ctx())
		if err != nil {
			t.Fatal(err)
		}
		n += len(page.Items)
	}
	if n != 7 {
		t.Errorf("paginator saw %d APIs, want 7", n)
	}
	_, err := c.GetRestApis(ctx(), &apigateway.GetRestApisInput{Limit: aws.Int32(501)})
	wantAPIError(t, err, 400, "ValidationException", "1 validation error detected: Value '501' at 'limit' failed to satisfy constraint: Member must have value less than or equal to 500")
	_, err = c.GetRestApis(ctx(), &apigateway.GetRestApisInput{Position: aws.String("!!")})
	wantAPIError(t, err, 400, "BadRequestException", "Invalid position parameter")
}

func TestUpdateRestAPI(t *testing.T) {
	c, _ := setup(t)
	id := createAPI(t, c, "before")
	update := func(ops ...types.PatchOperation) (*apigateway.UpdateRestApiOutput, error) {
		return c.UpdateRestApi(ctx(), &apigateway.UpdateRestApiInput{RestApiId: aws.String(id), PatchOperations: ops})
	}
	out, err := update(
		patchOp(types.OpReplace, "/name", aws.String("after")),
		patchOp(types.OpReplace, "/description", aws.String("desc")),
		patchOp(types.OpAdd, "/binaryMediaTypes/image~1jpeg", nil),
		patchOp(types.OpAdd, "/binaryMediaTypes/image~1png", nil),
		patchOp(types.OpAdd, "/binaryMediaTypes/text~1csv", nil),
		patchOp(types.OpReplace, "/binaryMediaTypes/image~1jpeg", aws.String("application/octet-stream")),
		patchOp(types.OpRemove, "/binaryMediaTypes/text~1csv", nil),
		patchOp(types.OpReplace, "/minimumCompressionSize", aws.String("0")),
		patchOp(types.OpReplace, "/apiKeySource", aws.String("AUTHORIZER")),
		patchOp(types.OpReplace, "/endpointConfiguration/types/EDGE", aws.String("REGIONAL")),
		patchOp(types.OpReplace, "/disableExecuteApiEndpoint", aws.String("true")),
		patchOp(types.OpReplace, "/policy", aws.String(testPolicy)),
	)
	if err != nil {
		t.Fatal(err)
	}
	if *out.Name != "after" || *out.Description != "desc" ||
		// AWS's replace removes the old type and appends the new one.
		!reflect.DeepEqual(out.BinaryMediaTypes, []string{"image/png", "application/octet-stream"}) ||
		*out.MinimumCompressionSize != 0 || out.ApiKeySource != types.ApiKeySourceTypeAuthorizer ||
		out.EndpointConfiguration.Types[0] != types.EndpointTypeRegional || !out.DisableExecuteApiEndpoint ||
		*out.Policy != `{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":\"*\",\"Action\":\"execute-api:Invoke\",\"Resource\":\"arn:aws:execute-api:us-east-1:000000000000:`+id+`\/*\"}]}` || out.Tags == nil {
		t.Errorf("update: %+v", out)
	}
	out, err = update(patchOp(types.OpReplace, "/minimumCompressionSize", aws.String("")),
		patchOp(types.OpReplace, "/endpointConfiguration/types/0", aws.String("EDGE")))
	if err != nil || out.MinimumCompressionSize != nil || out.EndpointConfiguration.Types[0] != types.EndpointTypeEdge {
		t.Errorf("clear compression, type by index: %+v %v", out, err)
	}

	errCases := []struct {
		name    string
		ops     []types.PatchOperation
		status  int
		code    string
		message string
	}{
		{"unknown path", []types.PatchOperation{patchOp(types.OpReplace, "/id", aws.String("x"))}, 400, "BadRequestException", "Invalid patch path /id"},
		{"policy without principal", []types.PatchOperation{patchOp(types.OpReplace, "/policy", aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"execute-api:Invoke","Resource":"*"}]}`))},
			400, "BadRequestException", msgInvalidPolicy},
		{"bare binaryMediaTypes", []types.PatchOperation{patchOp(types.OpAdd, "/binaryMediaTypes", aws.String("x/y"))}, 400, "BadRequestException", "Invalid patch path /binaryMediaTypes"},
		{"add on compression", []types.PatchOperation{patchOp(types.OpAdd, "/minimumCompressionSize", aws.String("1"))}, 400, "BadRequestException", "Invalid patch operation specified. Must be 'add'|'remove'|'replace'"},
		{"compression out of range", []types.PatchOperation{patchOp(types.OpReplace, "/minimumCompressionSize", aws.String("-1"))}, 400, "BadRequestException", "Invalid minimum compression size, must be between 0 and 10485760"},
		{"bad op", []types.PatchOperation{patchOp("jump", "/name", aws.String("x"))}, 400, "ValidationException", "1 validation error detected: Value 'jump' at 'updateRestApiInput.patchOperations.2.member.op' failed to satisfy constraint: Member must satisfy enum value set: [add, remove, move, test, replace, copy]"},
	}
	for _, tc := range errCases {
		t.Run(tc.name, func(t *testing.T) {
			ops := append([]types.PatchOperation{patchOp(types.OpReplace, "/name", aws.String("must-not-stick"))}, tc.ops...)
			_, err := update(ops...)
			wantAPIError(t, err, tc.status, tc.code, tc.message)
			got, _ := c.GetRestApi(ctx(), &apigateway.GetRestApiInput{RestApiId: aws.String(id)})
			if *got.Name != "after" {
				t.Errorf("a failed update changed the name to %q", *got.Name)
			}
		})
	}
}

func TestDeleteRestAPICascades(t *testing.T) {
	c, _ := setup(t)
	id := createAPI(t, c, "doomed")
	putGR(t, c, &apigateway.PutGatewayResponseInput{RestApiId: aws.String(id), ResponseType: "DEFAULT_4XX", StatusCode: aws.String("418")})
	if _, err := c.DeleteRestApi(ctx(), &apigateway.DeleteRestApiInput{RestApiId: aws.String(id)}); err != nil {
		t.Fatal(err)
	}
	_, err := c.GetRestApi(ctx(), &apigateway.GetRestApiInput{RestApiId: aws.String(id)})
	wantAPIError(t, err, 404, "NotFoundException", "Invalid API identifier specified 000000000000:"+id)
	_, err = c.DeleteRestApi(ctx(), &apigateway.DeleteRestApiInput{RestApiId: aws.String(id)})
	wantAPIError(t, err, 404, "NotFoundException", "Invalid API identifier specified 000000000000:"+id)
	// Recreating the id (with the custom-id tag) starts clean.
	out, err := c.CreateRestApi(ctx(), &apigateway.CreateRestApiInput{Name: aws.String("again"), Tags: map[string]string{"_custom_id_": id}})
	if err != nil {
		t.Fatal(err)
	}
	checkView(t, "recreated", getGR(t, c, *out.Id, "DEFAULT_4XX"), builtin("DEFAULT_4XX", ""))
	tags, _ := c.GetTags(ctx(), &apigateway.GetTagsInput{ResourceArn: aws.String("arn:aws:apigateway:us-east-1::/restapis/" + id)})
	if !reflect.DeepEqual(tags.Tags, map[string]string{"_custom_id_": id}) {
		t.Errorf("tags of the old API survived: %v", tags.Tags)
	}
}

func TestTags(t *testing.T) {
	c, _ := setup(t)
	id := createAPI(t, c, "tagged")
	arn := aws.String("arn:aws:apigateway:us-east-1::/restapis/" + id)
	if _, err := c.TagResource(ctx(), &apigateway.TagResourceInput{ResourceArn: arn, Tags: map[string]string{"a": "1", "b": "2"}}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.TagResource(ctx(), &apigateway.TagResourceInput{ResourceArn: arn, Tags: map[string]string{"b": "3"}}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.UntagResource(ctx(), &apigateway.UntagResourceInput{ResourceArn: arn, TagKeys: []string{"a", "zzz"}}); err != nil {
		t.Fatal(err)
	}
	out, err := c.GetTags(ctx(), &apigateway.GetTagsInput{ResourceArn: arn})
	if err != nil || !reflect.DeepEqual(out.Tags, map[string]string{"b": "3"}) {
		t.Errorf("tags %v %v", out, err)
	}
	api, _ := c.GetRestApi(ctx(), &apigateway.GetRestApiInput{RestApiId: aws.String(id)})
	if !reflect.DeepEqual(api.Tags, map[string]string{"b": "3"}) {
		t.Errorf("GetRestApi tags %v", api.Tags)
	}
	_, err = c.GetTags(ctx(), &apigateway.GetTagsInput{ResourceArn: aws.String("arn:aws:apigateway:us-east-1::/restapis/nope")})
	wantAPIError(t, err, 404, "NotFoundException", "Invalid API identifier specified 000000000000:nope")
	_, err = c.TagResource(ctx(), &apigateway.TagResourceInput{ResourceArn: arn, Tags: map[string]string{"aws:x": "1"}})
	wantAPIError(t, err, 400, "BadRequestException", "Tag keys cannot start with 'aws:'")
}

// TestScopes checks that accounts (a 12-digit access key id) and regions (the
// SigV4 credential scope) see only their own APIs.
func TestScopes(t *testing.T) {
	srv := newServer(t)
	def := newClient(srv, "test", "us-east-1")
	acct := newClient(srv, "111111111111", "us-east-1")
	west := newClient(srv, "test", "us-west-2")
	ids := map[*apigateway.Client]string{def: createAPI(t, def, "default"), acct: createAPI(t, acct, "acct"), west: createAPI(t, west, "west")}
	for c, own := range ids {
		list, err := c.GetRestApis(ctx(), &apigateway.GetRestApisInput{})
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, it := range list.Items {
			got = append(got, *it.Id)
		}
		sort.Strings(got)
		if !reflect.DeepEqual(got, []string{own}) {
			t.Errorf("listing: got %v, want only %s", got, own)
		}
	}
	_, err := acct.GetRestApi(ctx(), &apigateway.GetRestApiInput{RestApiId: aws.String(ids[def])})
	wantAPIError(t, err, 404, "NotFoundException", "Invalid API identifier specified 111111111111:"+ids[def])
	_, err = west.GetGatewayResponses(ctx(), &apigateway.GetGatewayResponsesInput{RestApiId: aws.String(ids[def])})
	wantAPIError(t, err, 404, "NotFoundException", "Invalid API identifier specified 000000000000:"+ids[def])
}

// TestRestAPIPolicyForm: a resource policy is saved as AWS saves it
// (minified, execute-api:/ resources expanded to the API's ARN) and
// returned as AWS returns it (escaped as the contents of a JSON string,
// slashes included), which clients such as Terraform unescape.
func TestRestAPIPolicyForm(t *testing.T) {
	c, _ := setup(t)
	in := `{
  "Version": "2012-10-17",
  "Statement": [
    {"Sid": "execute-api:/stays", "Effect": "Allow", "Principal": {"AWS": ["123456789012"]}, "Action": "execute-api:Invoke",
     "Resource": ["execute-api:/prod/GET/pets/*", "arn:aws:execute-api:us-east-1:123456789012:other/*"]},
    {"Effect": "Deny", "Principal": "*", "Action": "execute-api:Invoke", "NotResource": "execute-api:/*",
     "Condition": {"IpAddress": {"aws:SourceIp": ["192.0.2.0/24"]}, "StringLike": {"aws:UserAgent": "<a&b>"}}}
  ]
}`
	api, err := c.CreateRestApi(ctx(), &apigateway.CreateRestApiInput{Name: aws.String("p"), Policy: aws.String(in)})
	if err != nil {
		t.Fatal(err)
	}
	arn := "arn:aws:execute-api:us-east-1:000000000000:" + *api.Id
	saved := `{"Version":"2012-10-17","Statement":[{"Sid":"execute-api:/stays","Effect":"Allow","Principal":{"AWS":["123456789012"]},"Action":"execute-api:Invoke",` +
		`"Resource":["` + arn + `/prod/GET/pets/*","arn:aws:execute-api:us-east-1:123456789012:other/*"]},` +
		`{"Effect":"Deny","Principal":"*","Action":"execute-api:Invoke","NotResource":"` + arn + `/*",` +
		`"Condition":{"IpAddress":{"aws:SourceIp":["192.0.2.0/24"]},"StringLike":{"aws:UserAgent":"<a&b>"}}}]}`
	got, err := c.GetRestApi(ctx(), &apigateway.GetRestApiInput{RestApiId: api.Id})
	if err != nil {
		t.Fatal(err)
	}
	want := strings.ReplaceAll(strings.ReplaceAll(saved, `"`, `\"`), "/", `\/`)
	for label, p := range map[string]*string{"create": api.Policy, "get": got.Policy} {
		if aws.ToString(p) != want {
			t.Errorf("%s: policy\n got %s\nwant %s", label, aws.ToString(p), want)
		}
	}
	var unescaped string
	if err := json.Unmarshal([]byte(`"`+aws.ToString(got.Policy)+`"`), &unescaped); err != nil || unescaped != saved {
		t.Errorf("unescaped: %q %v", unescaped, err)
	}
}
