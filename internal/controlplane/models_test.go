package controlplane_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/apigateway"
	"github.com/aws/aws-sdk-go-v2/service/apigateway/types"
)

func mustCreateModel(t *testing.T, c *apigateway.Client, api, name, schema string) *apigateway.CreateModelOutput {
	t.Helper()
	out, err := c.CreateModel(ctx(), &apigateway.CreateModelInput{RestApiId: aws.String(api), Name: aws.String(name),
		ContentType: aws.String("application/json"), Schema: aws.String(schema)})
	if err != nil {
		t.Fatalf("CreateModel %s: %v", name, err)
	}
	return out
}

func mustCreateValidator(t *testing.T, c *apigateway.Client, api, name string, body, params bool) string {
	t.Helper()
	out, err := c.CreateRequestValidator(ctx(), &apigateway.CreateRequestValidatorInput{RestApiId: aws.String(api),
		Name: aws.String(name), ValidateRequestBody: body, ValidateRequestParameters: params})
	if err != nil {
		t.Fatalf("CreateRequestValidator %s: %v", name, err)
	}
	return *out.Id
}

func modelURL(api, name string) string {
	return "https://apigateway.amazonaws.com/restapis/" + api + "/models/" + name
}

// A new REST API has API Gateway's Empty and Error models.
func TestDefaultModels(t *testing.T) {
	c, _ := setup(t)
	api := createAPI(t, c, "defaults")
	out, err := c.GetModels(ctx(), &apigateway.GetModelsInput{RestApiId: aws.String(api)})
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, m := range out.Items {
		names = append(names, *m.Name)
		if *m.ContentType != "application/json" || len(*m.Id) != 6 || !json.Valid([]byte(*m.Schema)) || m.Description == nil {
			t.Errorf("default model %+v", m)
		}
	}
	if strings.Join(names, ",") != "Empty,Error" {
		t.Errorf("default models: %v", names)
	}
	// A clone has its source's models, pointing at its own.
	mustCreateModel(t, c, api, "Pet", `{"type":"object","properties":{"e":{"$ref":"`+modelURL(api, "Error")+`"}}}`)
	clone, err := c.CreateRestApi(ctx(), &apigateway.CreateRestApiInput{Name: aws.String("clone"), CloneFrom: aws.String(api)})
	if err != nil {
		t.Fatal(err)
	}
	pet, err := c.GetModel(ctx(), &apigateway.GetModelInput{RestApiId: clone.Id, ModelName: aws.String("Pet")})
	if err != nil || !strings.Contains(*pet.Schema, modelURL(*clone.Id, "Error")) {
		t.Errorf("cloned model: %+v %v", pet, err)
	}
}

func TestModelLifecycle(t *testing.T) {
	c, _ := setup(t)
	api := createAPI(t, c, "models")
	created, err := c.CreateModel(ctx(), &apigateway.CreateModelInput{RestApiId: aws.String(api), Name: aws.String("Pet"),
		ContentType: aws.String("application/json"), Description: aws.String("a pet"),
		Schema: aws.String(`{"type":"object","required":["name"]}`)})
	if err != nil {
		t.Fatal(err)
	}
	if *created.Name != "Pet" || *created.Description != "a pet" || *created.ContentType != "application/json" || len(*created.Id) != 6 {
		t.Errorf("created %+v", created)
	}
	got, err := c.GetModel(ctx(), &apigateway.GetModelInput{RestApiId: aws.String(api), ModelName: aws.String("Pet")})
	if err != nil || *got.Id != *created.Id || *got.Schema != `{"type":"object","required":["name"]}` {
		t.Errorf("get %+v %v", got, err)
	}
	// Pagination: Empty, Error, Pet, one by one.
	var names []string
	pos := (*string)(nil)
	for i := 0; i < 5; i++ {
		page, err := c.GetModels(ctx(), &apigateway.GetModelsInput{RestApiId: aws.String(api), Limit: aws.Int32(1), Position: pos})
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range page.Items {
			names = append(names, *m.Name)
		}
		if pos = page.Position; pos == nil {
			break
		}
	}
	if strings.Join(names, ",") != "Empty,Error,Pet" {
		t.Errorf("pages: %v", names)
	}
	updated, err := c.UpdateModel(ctx(), &apigateway.UpdateModelInput{RestApiId: aws.String(api), ModelName: aws.String("Pet"),
		PatchOperations: []types.PatchOperation{
			patchOp(types.OpReplace, "/description", aws.String("a better pet")),
			patchOp(types.OpReplace, "/schema", aws.String(`{"type":"object"}`)),
		}})
	if err != nil || *updated.Description != "a better pet" || *updated.Schema != `{"type":"object"}` {
		t.Errorf("update %+v %v", updated, err)
	}
	if _, err := c.DeleteModel(ctx(), &apigateway.DeleteModelInput{RestApiId: aws.String(api), ModelName: aws.String("Pet")}); err != nil {
		t.Fatal(err)
	}
	_, err = c.GetModel(ctx(), &apigateway.GetModelInput{RestApiId: aws.String(api), ModelName: aws.String("Pet")})
	wantAPIError(t, err, 404, "NotFoundException", "Invalid model name specified: Pet")
	_, err = c.GetModelTemplate(ctx(), &apigateway.GetModelTemplateInput{RestApiId: aws.String(api), ModelName: aws.String("Pet")})
	wantAPIError(t, err, 404, "NotFoundException", "Invalid model name specified: Pet")
	_, err = c.DeleteModel(ctx(), &apigateway.DeleteModelInput{RestApiId: aws.String(api), ModelName: aws.String("Pet")})
	wantAPIError(t, err, 404, "NotFoundException", "Invalid model name specified: Pet")
}

func TestModelErrors(t *testing.T) {
	c, _ := setup(t)
	api := createAPI(t, c, "model-errors")
	mustCreateModel(t, c, api, "Pet", `{"type":"object"}`)
	const (
		schemaErr = "Invalid model specified: Validation Result: warnings : [], errors : [Invalid model schema specified]"
		refErr    = "Invalid model specified: Validation Result: warnings : [], errors : [Invalid model schema specified, Model reference must be in canonical form]"
	)
	create := func(name, schema string) error {
		in := &apigateway.CreateModelInput{RestApiId: aws.String(api), Name: aws.String(name), ContentType: aws.String("application/json")}
		if schema != "" {
			in.Schema = aws.String(schema)
		}
		_, err := c.CreateModel(ctx(), in)
		return err
	}
	for _, tc := range []struct {
		name, model, schema string
		status              int
		code, msg           string
	}{
		{"duplicate", "Pet", `{"type":"object"}`, 409, "ConflictException", "Model name already exists for this REST API"},
		{"not json", "A", `{"type":`, 400, "BadRequestException", schemaErr},
		{"not draft 4", "A", `{"type":"thing"}`, 400, "BadRequestException", schemaErr},
		{"bad required", "A", `{"type":"object","required":"name"}`, 400, "BadRequestException", schemaErr},
		{"foreign ref", "A", `{"$ref":"https://example.com/pet.json"}`, 400, "BadRequestException", refErr},
		{"other api", "A", `{"$ref":"` + modelURL("other", "Pet") + `"}`, 400, "BadRequestException", refErr},
		{"unknown model", "A", `{"$ref":"` + modelURL(api, "Nope") + `"}`, 400, "BadRequestException", schemaErr},
		{"no schema", "A", ``, 400, "BadRequestException", "Model schema must have at least 1 property or array items defined"},
		{"bad name", "a-b", `{}`, 400, "BadRequestException", "Model name must be alphanumeric"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			wantAPIError(t, create(tc.model, tc.schema), tc.status, tc.code, tc.msg)
		})
	}
	_, err := c.CreateModel(ctx(), &apigateway.CreateModelInput{RestApiId: aws.String("nope"), Name: aws.String("A"),
		ContentType: aws.String("application/json"), Schema: aws.String("{}")})
	wantAPIError(t, err, 404, "NotFoundException", "Invalid API identifier specified 000000000000:nope")
	_, err = c.UpdateModel(ctx(), &apigateway.UpdateModelInput{RestApiId: aws.String(api), ModelName: aws.String("Pet"),
		PatchOperations: []types.PatchOperation{patchOp(types.OpReplace, "/name", aws.String("Dog"))}})
	wantAPIError(t, err, 400, "BadRequestException", "Invalid patch path  '/name' specified for op 'replace'. Must be one of: [/description, /schema]")
	_, err = c.UpdateModel(ctx(), &apigateway.UpdateModelInput{RestApiId: aws.String(api), ModelName: aws.String("Pet"),
		PatchOperations: []types.PatchOperation{patchOp(types.OpReplace, "/schema", aws.String(`{"type":1}`))}})
	wantAPIError(t, err, 400, "BadRequestException", schemaErr)
}

// Models refer to each other by URL; flatten=true inlines them.
func TestModelReferencesAndFlatten(t *testing.T) {
	c, _ := setup(t)
	api := createAPI(t, c, "refs")
	mustCreateModel(t, c, api, "Person", `{"type":"object","properties":{"email":{"type":"string"}}}`)
	mustCreateModel(t, c, api, "Pet", `{"type":"object","properties":{"owner":{"$ref":"`+modelURL(api, "Person")+`"}}}`)
	flat, err := c.GetModel(ctx(), &apigateway.GetModelInput{RestApiId: aws.String(api), ModelName: aws.String("Pet"), Flatten: true})
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Properties  map[string]map[string]string `json:"properties"`
		Definitions map[string]json.RawMessage   `json:"definitions"`
	}
	if err := json.Unmarshal([]byte(*flat.Schema), &doc); err != nil {
		t.Fatal(err)
	}
	if doc.Properties["owner"]["$ref"] != "#/definitions/Person" || doc.Definitions["Person"] == nil {
		t.Errorf("flattened: %s", *flat.Schema)
	}
	_, err = c.DeleteModel(ctx(), &apigateway.DeleteModelInput{RestApiId: aws.String(api), ModelName: aws.String("Person")})
	wantAPIError(t, err, 409, "ConflictException", "Cannot delete model 'Person', is referenced in model: Pet")
}

// A model in use by a method request or a method response cannot be
// deleted; methods may only name models and validators the API has.
func TestModelsAndValidatorsOfMethods(t *testing.T) {
	c, api, root := resSetup(t)
	mustCreateModel(t, c, api, "Pet", `{"type":"object"}`)
	res, err := c.CreateResource(ctx(), &apigateway.CreateResourceInput{RestApiId: aws.String(api), ParentId: aws.String(root), PathPart: aws.String("pets")})
	if err != nil {
		t.Fatal(err)
	}
	put := func(models map[string]string, validator *string) error {
		_, err := c.PutMethod(ctx(), &apigateway.PutMethodInput{RestApiId: aws.String(api), ResourceId: res.Id, HttpMethod: aws.String("POST"),
			AuthorizationType: aws.String("NONE"), RequestModels: models, RequestValidatorId: validator})
		return err
	}
	wantAPIError(t, put(map[string]string{"application/json": "Nope"}, nil), 400, "BadRequestException", "Invalid model identifier specified: Nope")
	wantAPIError(t, put(nil, aws.String("nope12")), 400, "BadRequestException", "Invalid Request Validator identifier specified")
	if err := put(map[string]string{"application/json": "Pet"}, nil); err != nil {
		t.Fatal(err)
	}
	_, err = c.DeleteModel(ctx(), &apigateway.DeleteModelInput{RestApiId: aws.String(api), ModelName: aws.String("Pet")})
	wantAPIError(t, err, 409, "ConflictException", "Cannot delete model 'Pet', is referenced in method request: /pets/POST")

	_, err = c.UpdateMethod(ctx(), &apigateway.UpdateMethodInput{RestApiId: aws.String(api), ResourceId: res.Id, HttpMethod: aws.String("POST"),
		PatchOperations: []types.PatchOperation{patchOp(types.OpAdd, "/requestModels/text~1plain", aws.String("Nope"))}})
	wantAPIError(t, err, 400, "BadRequestException", "Invalid model identifier specified: Nope")
	_, err = c.UpdateMethod(ctx(), &apigateway.UpdateMethodInput{RestApiId: aws.String(api), ResourceId: res.Id, HttpMethod: aws.String("POST"),
		PatchOperations: []types.PatchOperation{patchOp(types.OpReplace, "/requestValidatorId", aws.String("nope12"))}})
	wantAPIError(t, err, 400, "BadRequestException", "Invalid Request Validator identifier specified")
	_, err = c.UpdateMethod(ctx(), &apigateway.UpdateMethodInput{RestApiId: aws.String(api), ResourceId: res.Id, HttpMethod: aws.String("POST"),
		PatchOperations: []types.PatchOperation{patchOp(types.OpRemove, "/requestModels/application~1json", nil)}})
	if err != nil {
		t.Fatal(err)
	}

	_, err = c.PutMethodResponse(ctx(), &apigateway.PutMethodResponseInput{RestApiId: aws.String(api), ResourceId: res.Id,
		HttpMethod: aws.String("POST"), StatusCode: aws.String("200"), ResponseModels: map[string]string{"application/json": "Nope"}})
	wantAPIError(t, err, 400, "BadRequestException", "Invalid model identifier specified: Nope")
	_, err = c.PutMethodResponse(ctx(), &apigateway.PutMethodResponseInput{RestApiId: aws.String(api), ResourceId: res.Id,
		HttpMethod: aws.String("POST"), StatusCode: aws.String("200"), ResponseModels: map[string]string{"application/json": "Pet"}})
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.DeleteModel(ctx(), &apigateway.DeleteModelInput{RestApiId: aws.String(api), ModelName: aws.String("Pet")})
	wantAPIError(t, err, 409, "ConflictException", "Cannot delete model 'Pet', is referenced in method response: /pets/POST")
}

func TestRequestValidatorLifecycle(t *testing.T) {
	c, _ := setup(t)
	api := createAPI(t, c, "validators")
	created, err := c.CreateRequestValidator(ctx(), &apigateway.CreateRequestValidatorInput{RestApiId: aws.String(api),
		Name: aws.String("body-only"), ValidateRequestBody: true})
	if err != nil {
		t.Fatal(err)
	}
	if len(*created.Id) != 6 || *created.Name != "body-only" || !created.ValidateRequestBody || created.ValidateRequestParameters {
		t.Errorf("created %+v", created)
	}
	second := mustCreateValidator(t, c, api, "params", false, true)
	list, err := c.GetRequestValidators(ctx(), &apigateway.GetRequestValidatorsInput{RestApiId: aws.String(api)})
	if err != nil || len(list.Items) != 2 || *list.Items[0].Id != *created.Id || *list.Items[1].Id != second {
		t.Errorf("list %+v %v", list, err)
	}
	updated, err := c.UpdateRequestValidator(ctx(), &apigateway.UpdateRequestValidatorInput{RestApiId: aws.String(api), RequestValidatorId: created.Id,
		PatchOperations: []types.PatchOperation{
			patchOp(types.OpReplace, "/name", aws.String("everything")),
			patchOp(types.OpReplace, "/validateRequestParameters", aws.String("true")),
			patchOp(types.OpReplace, "/validateRequestBody", aws.String("TRUE")),
		}})
	if err != nil || *updated.Name != "everything" || !updated.ValidateRequestBody || !updated.ValidateRequestParameters {
		t.Errorf("update %+v %v", updated, err)
	}
	got, err := c.GetRequestValidator(ctx(), &apigateway.GetRequestValidatorInput{RestApiId: aws.String(api), RequestValidatorId: created.Id})
	if err != nil || *got.Name != "everything" || !got.ValidateRequestParameters {
		t.Errorf("get %+v %v", got, err)
	}
	_, err = c.UpdateRequestValidator(ctx(), &apigateway.UpdateRequestValidatorInput{RestApiId: aws.String(api), RequestValidatorId: created.Id,
		PatchOperations: []types.PatchOperation{patchOp(types.OpReplace, "/id", aws.String("x"))}})
	wantAPIError(t, err, 400, "BadRequestException", "Invalid patch path  '/id' specified for op 'replace'. Must be one of: [/name, /validateRequestParameters, /validateRequestBody]")
	_, err = c.UpdateRequestValidator(ctx(), &apigateway.UpdateRequestValidatorInput{RestApiId: aws.String(api), RequestValidatorId: created.Id,
		PatchOperations: []types.PatchOperation{patchOp(types.OpReplace, "/name", aws.String(""))}})
	wantAPIError(t, err, 400, "BadRequestException", "Request Validator name cannot be blank")
	// Names are unique within an API, on creation and on renaming.
	_, err = c.CreateRequestValidator(ctx(), &apigateway.CreateRequestValidatorInput{RestApiId: aws.String(api), Name: aws.String("params")})
	wantAPIError(t, err, 400, "BadRequestException", "Request Validator name must be unique")
	_, err = c.UpdateRequestValidator(ctx(), &apigateway.UpdateRequestValidatorInput{RestApiId: aws.String(api), RequestValidatorId: created.Id,
		PatchOperations: []types.PatchOperation{patchOp(types.OpReplace, "/name", aws.String("params"))}})
	wantAPIError(t, err, 400, "BadRequestException", "Request Validator name must be unique")
	if _, err := c.DeleteRequestValidator(ctx(), &apigateway.DeleteRequestValidatorInput{RestApiId: aws.String(api), RequestValidatorId: created.Id}); err != nil {
		t.Fatal(err)
	}
	_, err = c.GetRequestValidator(ctx(), &apigateway.GetRequestValidatorInput{RestApiId: aws.String(api), RequestValidatorId: created.Id})
	wantAPIError(t, err, 404, "NotFoundException", "Invalid Request Validator identifier specified")
	_, err = c.DeleteRequestValidator(ctx(), &apigateway.DeleteRequestValidatorInput{RestApiId: aws.String(api), RequestValidatorId: created.Id})
	wantAPIError(t, err, 404, "NotFoundException", "Invalid Request Validator identifier specified")
	_, err = c.GetRequestValidators(ctx(), &apigateway.GetRequestValidatorsInput{RestApiId: aws.String("nope")})
	wantAPIError(t, err, 404, "NotFoundException", "Invalid API identifier specified 000000000000:nope")
}

func TestGetModelTemplate(t *testing.T) {
	c, _ := setup(t)
	api := createAPI(t, c, "templates")
	mustCreateModel(t, c, api, "Owner", `{"type":"object","properties":{"name":{"type":"string"}}}`)
	mustCreateModel(t, c, api, "Pets", `{"type":"array","items":{"type":"object","properties":{
		"id":{"type":"integer"},"type":{"type":"string"},"price":{"type":"number"},"owner":{"$ref":"`+modelURL(api, "Owner")+`"}}}}`)
	out, err := c.GetModelTemplate(ctx(), &apigateway.GetModelTemplateInput{RestApiId: aws.String(api), ModelName: aws.String("Pets")})
	if err != nil {
		t.Fatal(err)
	}
	want := `#set($inputRoot = $input.path('$'))
[
#foreach($elem in $inputRoot)
 {
   "id" : $elem.id,
   "type" : "$elem.type",
   "price" : $elem.price,
   "owner" : {
     "name" : "$elem.owner.name"
   }
 }#if($foreach.hasNext),#end
#end
]`
	if *out.Value != want {
		t.Errorf("template:\n%s\nwant:\n%s", *out.Value, want)
	}
}
