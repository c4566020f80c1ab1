package controlplane_test

import (
	"encoding/json"
	"reflect"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/apigateway"
	"github.com/aws/aws-sdk-go-v2/service/apigateway/types"
)

// resSetup returns a client, a fresh API and its root resource id.
func resSetup(t *testing.T) (*apigateway.Client, string, string) {
	t.Helper()
	c, _ := setup(t)
	out, err := c.CreateRestApi(ctx(), &apigateway.CreateRestApiInput{Name: aws.String("resources")})
	if err != nil {
		t.Fatal(err)
	}
	return c, *out.Id, *out.RootResourceId
}

// mustCreateResource creates a resource and returns its id.
func mustCreateResource(t *testing.T, c *apigateway.Client, api, parent, part string) string {
	t.Helper()
	out, err := c.CreateResource(ctx(), &apigateway.CreateResourceInput{RestApiId: aws.String(api), ParentId: aws.String(parent), PathPart: aws.String(part)})
	if err != nil {
		t.Fatalf("CreateResource %s: %v", part, err)
	}
	return *out.Id
}

// resPaths lists an API's resource paths, in the order GetResources gives.
func resPaths(t *testing.T, c *apigateway.Client, api string) []string {
	t.Helper()
	out, err := c.GetResources(ctx(), &apigateway.GetResourcesInput{RestApiId: aws.String(api), Limit: aws.Int32(500)})
	if err != nil {
		t.Fatal(err)
	}
	var paths []string
	for _, r := range out.Items {
		paths = append(paths, *r.Path)
	}
	return paths
}

func TestResourceLifecycle(t *testing.T) {
	c, api, root := resSetup(t)
	out, err := c.CreateResource(ctx(), &apigateway.CreateResourceInput{RestApiId: aws.String(api), ParentId: aws.String(root), PathPart: aws.String("pets")})
	if err != nil {
		t.Fatal(err)
	}
	if len(*out.Id) != 10 || *out.ParentId != root || *out.PathPart != "pets" || *out.Path != "/pets" || out.ResourceMethods != nil {
		t.Errorf("created %+v", out)
	}
	pet := mustCreateResource(t, c, api, *out.Id, "{petId}")
	got, err := c.GetResource(ctx(), &apigateway.GetResourceInput{RestApiId: aws.String(api), ResourceId: aws.String(pet)})
	if err != nil {
		t.Fatal(err)
	}
	if *got.Path != "/pets/{petId}" || *got.ParentId != *out.Id || *got.PathPart != "{petId}" {
		t.Errorf("got %+v", got)
	}
	list, err := c.GetResources(ctx(), &apigateway.GetResourcesInput{RestApiId: aws.String(api)})
	if err != nil {
		t.Fatal(err)
	}
	if len(list.Items) != 3 || *list.Items[0].Path != "/" || list.Items[0].ParentId != nil || list.Items[0].PathPart != nil || list.Position != nil {
		t.Errorf("list %+v", list.Items)
	}
	if _, err := c.DeleteResource(ctx(), &apigateway.DeleteResourceInput{RestApiId: aws.String(api), ResourceId: aws.String(pet)}); err != nil {
		t.Fatal(err)
	}
	if p := resPaths(t, c, api); !reflect.DeepEqual(p, []string{"/", "/pets"}) {
		t.Errorf("after delete: %v", p)
	}
}

func TestGetResourcesPagination(t *testing.T) {
	c, api, root := resSetup(t)
	want := []string{"/"}
	for _, p := range []string{"a", "b", "c", "d", "e", "f"} {
		mustCreateResource(t, c, api, root, p)
		want = append(want, "/"+p)
	}
	var got []string
	var pos *string
	pages := 0
	for {
		out, err := c.GetResources(ctx(), &apigateway.GetResourcesInput{RestApiId: aws.String(api), Limit: aws.Int32(3), Position: pos})
		if err != nil {
			t.Fatal(err)
		}
		pages++
		for _, r := range out.Items {
			got = append(got, *r.Path)
		}
		if out.Position == nil {
			break
		}
		pos = out.Position
		// A resource created between pages shows up in order.
		if pages == 1 {
			mustCreateResource(t, c, api, root, "zz")
			want = append(want, "/zz")
		}
	}
	if pages != 3 || !reflect.DeepEqual(got, want) {
		t.Errorf("%d pages %v, want %v", pages, got, want)
	}
	// The SDK's paginator walks the same pages.
	n := 0
	for p := apigateway.NewGetResourcesPaginator(c, &apigateway.GetResourcesInput{RestApiId: aws.String(api), Limit: aws.Int32(2)}); p.HasMorePages(); {
		page, err := p.NextPage(ctx())
		if err != nil {
			t.Fatal(err)
		}
		n += len(page.Items)
	}
	if n != len(want) {
		t.Errorf("paginator saw %d resources, want %d", n, len(want))
	}
}

func TestGetResourcesEmbedMethods(t *testing.T) {
	c, srv := setup(t)
	api := createAPI(t, c, "embed")
	root := resRoot(t, c, api)
	pets := mustCreateResource(t, c, api, root, "pets")
	mustPutMethod(t, c, api, pets, "GET", nil)
	mustPutMockIntegration(t, c, api, pets, "GET")

	// Without embed, resourceMethods only names the methods.
	r := do(t, srv, "GET", "/restapis/"+api+"/resources/"+pets, nil)
	var plain map[string]any
	json.Unmarshal(r.body, &plain)
	if !reflect.DeepEqual(plain["resourceMethods"], map[string]any{"GET": map[string]any{}}) {
		t.Errorf("GetResource without embed: %s", r.body)
	}
	list, err := c.GetResources(ctx(), &apigateway.GetResourcesInput{RestApiId: aws.String(api)})
	if err != nil {
		t.Fatal(err)
	}
	for _, it := range list.Items {
		if *it.Path == "/pets" && (it.ResourceMethods["GET"].HttpMethod != nil || len(it.ResourceMethods) != 1) {
			t.Errorf("GetResources without embed: %+v", it.ResourceMethods)
		}
	}
	// With embed=methods, the full method with its integration.
	list, err = c.GetResources(ctx(), &apigateway.GetResourcesInput{RestApiId: aws.String(api), Embed: []string{"methods"}})
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, it := range list.Items {
		if *it.Path == "/pets" {
			m := it.ResourceMethods["GET"]
			found = m.HttpMethod != nil && *m.HttpMethod == "GET" && m.MethodIntegration != nil && m.MethodIntegration.Type == types.IntegrationTypeMock
		}
	}
	if !found {
		t.Errorf("GetResources embed=methods: %+v", list.Items)
	}
	one, err := c.GetResource(ctx(), &apigateway.GetResourceInput{RestApiId: aws.String(api), ResourceId: aws.String(pets), Embed: []string{"methods"}})
	if err != nil {
		t.Fatal(err)
	}
	if m := one.ResourceMethods["GET"]; m.AuthorizationType == nil || *m.AuthorizationType != "NONE" || m.MethodIntegration == nil {
		t.Errorf("GetResource embed=methods: %+v", one.ResourceMethods)
	}
}

func TestUpdateResourceMovesSubtree(t *testing.T) {
	c, api, root := resSetup(t)
	a := mustCreateResource(t, c, api, root, "a")
	b := mustCreateResource(t, c, api, a, "b")
	mustCreateResource(t, c, api, b, "{c+}")
	x := mustCreateResource(t, c, api, root, "x")
	mustPutMethod(t, c, api, b, "GET", nil)

	out, err := c.UpdateResource(ctx(), &apigateway.UpdateResourceInput{RestApiId: aws.String(api), ResourceId: aws.String(b),
		PatchOperations: []types.PatchOperation{patchOp(types.OpReplace, "/parentId", aws.String(x))}})
	if err != nil {
		t.Fatal(err)
	}
	if *out.Path != "/x/b" || *out.ParentId != x || out.ResourceMethods["GET"].HttpMethod != nil || len(out.ResourceMethods) != 1 {
		t.Errorf("moved: %+v", out)
	}
	if p := resPaths(t, c, api); !reflect.DeepEqual(p, []string{"/", "/a", "/x", "/x/b", "/x/b/{c+}"}) {
		t.Errorf("after move: %v", p)
	}
	_, err = c.UpdateResource(ctx(), &apigateway.UpdateResourceInput{RestApiId: aws.String(api), ResourceId: aws.String(x),
		PatchOperations: []types.PatchOperation{patchOp(types.OpReplace, "/pathPart", aws.String("y"))}})
	if err != nil {
		t.Fatal(err)
	}
	if p := resPaths(t, c, api); !reflect.DeepEqual(p, []string{"/", "/a", "/y", "/y/b", "/y/b/{c+}"}) {
		t.Errorf("after rename: %v", p)
	}
	// The moved resource keeps its methods.
	if _, err := c.GetMethod(ctx(), &apigateway.GetMethodInput{RestApiId: aws.String(api), ResourceId: aws.String(b), HttpMethod: aws.String("GET")}); err != nil {
		t.Error(err)
	}
	// Both operations in one document.
	_, err = c.UpdateResource(ctx(), &apigateway.UpdateResourceInput{RestApiId: aws.String(api), ResourceId: aws.String(b),
		PatchOperations: []types.PatchOperation{
			patchOp(types.OpReplace, "/parentId", aws.String(root)),
			patchOp(types.OpReplace, "/pathPart", aws.String("bee")),
		}})
	if err != nil {
		t.Fatal(err)
	}
	if p := resPaths(t, c, api); !reflect.DeepEqual(p, []string{"/", "/a", "/bee", "/bee/{c+}", "/y"}) {
		t.Errorf("after move and rename: %v", p)
	}
}

func TestDeleteResourceCascades(t *testing.T) {
	c, api, root := resSetup(t)
	a := mustCreateResource(t, c, api, root, "a")
	b := mustCreateResource(t, c, api, a, "b")
	deep := mustCreateResource(t, c, api, b, "c")
	kept := mustCreateResource(t, c, api, a, "kept")
	mustPutMethod(t, c, api, deep, "GET", nil)
	// A child moved away before the delete survives it.
	if _, err := c.UpdateResource(ctx(), &apigateway.UpdateResourceInput{RestApiId: aws.String(api), ResourceId: aws.String(kept),
		PatchOperations: []types.PatchOperation{patchOp(types.OpReplace, "/parentId", aws.String(root))}}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.DeleteResource(ctx(), &apigateway.DeleteResourceInput{RestApiId: aws.String(api), ResourceId: aws.String(a)}); err != nil {
		t.Fatal(err)
	}
	if p := resPaths(t, c, api); !reflect.DeepEqual(p, []string{"/", "/kept"}) {
		t.Errorf("after delete: %v", p)
	}
	_, err := c.DeleteResource(ctx(), &apigateway.DeleteResourceInput{RestApiId: aws.String(api), ResourceId: aws.String(deep)})
	wantAPIError(t, err, 404, "NotFoundException", "Invalid Resource identifier specified")
	_, err = c.GetMethod(ctx(), &apigateway.GetMethodInput{RestApiId: aws.String(api), ResourceId: aws.String(deep), HttpMethod: aws.String("GET")})
	wantAPIError(t, err, 404, "NotFoundException", "Invalid Resource identifier specified")
}

func TestResourceErrors(t *testing.T) {
	c, api, root := resSetup(t)
	pets := mustCreateResource(t, c, api, root, "pets")
	id := mustCreateResource(t, c, api, pets, "{id}")
	greedy := mustCreateResource(t, c, api, root, "{proxy+}")
	sub := mustCreateResource(t, c, api, id, "toys")
	other := createAPI(t, c, "other")

	create := func(api, parent, part string) error {
		_, err := c.CreateResource(ctx(), &apigateway.CreateResourceInput{RestApiId: aws.String(api), ParentId: aws.String(parent), PathPart: aws.String(part)})
		return err
	}
	update := func(res string, ops ...types.PatchOperation) error {
		_, err := c.UpdateResource(ctx(), &apigateway.UpdateResourceInput{RestApiId: aws.String(api), ResourceId: aws.String(res), PatchOperations: ops})
		return err
	}
	const pathPartMsg = "Resource's path part only allow a-zA-Z0-9._- and curly braces at the beginning and the end and an optional plus sign before the closing brace."
	cases := []struct {
		name    string
		err     error
		status  int
		code    string
		message string
	}{
		{"bad characters", create(api, root, "a b"), 400, "BadRequestException", pathPartMsg},
		{"brace in the middle", create(api, root, "a{b}"), 400, "BadRequestException", pathPartMsg},
		{"plus outside braces", create(api, root, "a+"), 400, "BadRequestException", pathPartMsg},
		{"empty", create(api, root, ""), 400, "BadRequestException", pathPartMsg},
		{"slash", create(api, root, "a/b"), 400, "BadRequestException", pathPartMsg},
		{"sibling name", create(api, root, "pets"), 409, "ConflictException", "Another resource with the same parent already has this name: pets"},
		{"variable sibling name", create(api, pets, "{id}"), 409, "ConflictException", "Another resource with the same parent already has this name: {id}"},
		{"second variable", create(api, pets, "{name}"), 400, "BadRequestException", "A sibling ({id}) of this resource already has a variable path part -- only one is allowed"},
		{"second variable next to greedy", create(api, root, "{x}"), 400, "BadRequestException", "A sibling ({proxy+}) of this resource already has a variable path part -- only one is allowed"},
		{"child of greedy", create(api, greedy, "child"), 400, "BadRequestException", "Cannot create a child of a resource with a greedy path variable: {proxy+}"},
		{"unknown parent", create(api, "nope123456", "x"), 404, "NotFoundException", "Invalid Resource identifier specified"},
		{"parent of another API", create(other, root, "x"), 404, "NotFoundException", "Invalid Resource identifier specified"},
		{"unknown API", create("nope", root, "x"), 404, "NotFoundException", "Invalid Resource identifier specified"},
		{"get unknown", func() error {
			_, err := c.GetResource(ctx(), &apigateway.GetResourceInput{RestApiId: aws.String(api), ResourceId: aws.String("nope")})
			return err
		}(), 404, "NotFoundException", "Invalid Resource identifier specified"},
		{"list unknown API", func() error {
			_, err := c.GetResources(ctx(), &apigateway.GetResourcesInput{RestApiId: aws.String("nope")})
			return err
		}(), 404, "NotFoundException", "Invalid API identifier specified 000000000000:nope"},
		{"list bad limit", func() error {
			_, err := c.GetResources(ctx(), &apigateway.GetResourcesInput{RestApiId: aws.String(api), Limit: aws.Int32(501)})
			return err
		}(), 400, "ValidationException", "1 validation error detected: Value '501' at 'limit' failed to satisfy constraint: Member must have value less than or equal to 500"},
		{"list bad position", func() error {
			_, err := c.GetResources(ctx(), &apigateway.GetResourcesInput{RestApiId: aws.String(api), Position: aws.String("!!")})
			return err
		}(), 400, "BadRequestException", "Invalid position parameter"},
		{"patch unknown path", update(pets, patchOp(types.OpReplace, "/invalid", aws.String("x"))), 400, "BadRequestException",
			"Invalid patch path  '/invalid' specified for op 'replace'. Must be one of: [/parentId, /pathPart]"},
		{"patch remove", update(pets, patchOp(types.OpRemove, "/pathPart", nil)), 400, "BadRequestException",
			"Invalid patch path  '/pathPart' specified for op 'remove'. Please choose supported operations"},
		{"patch add", update(pets, patchOp(types.OpAdd, "/pathPart", aws.String("x"))), 400, "BadRequestException",
			"Invalid patch path  '/pathPart' specified for op 'add'. Please choose supported operations"},
		{"patch bad op", update(pets, patchOp("bogus", "/pathPart", aws.String("x"))), 400, "ValidationException",
			"1 validation error detected: Value 'bogus' at 'updateResourceInput.patchOperations.1.member.op' failed to satisfy constraint: Member must satisfy enum value set: [add, remove, move, test, replace, copy]"},
		{"rename to sibling", update(greedy, patchOp(types.OpReplace, "/pathPart", aws.String("pets"))), 409, "ConflictException",
			"Another resource with the same parent already has this name: pets"},
		{"rename to bad part", update(pets, patchOp(types.OpReplace, "/pathPart", aws.String("a b"))), 400, "BadRequestException", pathPartMsg},
		{"move under itself", update(pets, patchOp(types.OpReplace, "/parentId", aws.String(pets))), 400, "BadRequestException", "Resources cannot be cyclical."},
		{"move under descendant", update(pets, patchOp(types.OpReplace, "/parentId", aws.String(sub))), 400, "BadRequestException", "Resources cannot be cyclical."},
		{"move to unknown parent", update(pets, patchOp(types.OpReplace, "/parentId", aws.String("nope"))), 404, "NotFoundException", "Invalid Resource identifier specified"},
		{"move under greedy", update(pets, patchOp(types.OpReplace, "/parentId", aws.String(greedy))), 400, "BadRequestException",
			"Cannot create a child of a resource with a greedy path variable: {proxy+}"},
		{"move next to variable", update(id, patchOp(types.OpReplace, "/parentId", aws.String(root))), 400, "BadRequestException",
			"A sibling ({proxy+}) of this resource already has a variable path part -- only one is allowed"},
		{"root path part", update(root, patchOp(types.OpReplace, "/pathPart", aws.String("x"))), 400, "BadRequestException", "Root resource cannot update its pathPart."},
		{"root parent", update(root, patchOp(types.OpReplace, "/parentId", aws.String(pets))), 400, "BadRequestException", "Root resource cannot update its parentId."},
		{"update unknown", update("nope", patchOp(types.OpReplace, "/pathPart", aws.String("x"))), 404, "NotFoundException", "Invalid Resource identifier specified"},
		{"delete root", func() error {
			_, err := c.DeleteResource(ctx(), &apigateway.DeleteResourceInput{RestApiId: aws.String(api), ResourceId: aws.String(root)})
			return err
		}(), 400, "BadRequestException", "Root resource cannot be deleted."},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) { wantAPIError(t, tc.err, tc.status, tc.code, tc.message) })
	}
	// A failed multi-operation update stores nothing.
	err := update(pets, patchOp(types.OpReplace, "/pathPart", aws.String("cats")), patchOp(types.OpReplace, "/parentId", aws.String("nope")))
	wantAPIError(t, err, 404, "NotFoundException", "Invalid Resource identifier specified")
	if p := resPaths(t, c, api); !reflect.DeepEqual(p, []string{"/", "/pets", "/pets/{id}", "/pets/{id}/toys", "/{proxy+}"}) {
		t.Errorf("failed requests changed the tree: %v", p)
	}
}

// AWS accepts ':' and '$' in literal path parts although its message does
// not list them (reported by users).
func TestCreateResourceLiteralCharacters(t *testing.T) {
	c, api, root := resSetup(t)
	for _, part := range []string{"v1.2_beta-3", "events:batch", "$test", "{proxy+}"} {
		mustCreateResource(t, c, api, root, part)
	}
	if p := resPaths(t, c, api); !reflect.DeepEqual(p, []string{"/", "/$test", "/events:batch", "/v1.2_beta-3", "/{proxy+}"}) {
		t.Errorf("paths %v", p)
	}
}

func TestCreateResourceMissingPathPart(t *testing.T) {
	c, srv := setup(t)
	api := createAPI(t, c, "raw")
	root := resRoot(t, c, api)
	r := do(t, srv, "POST", "/restapis/"+api+"/resources/"+root, []byte(`{}`))
	if r.status != 400 || r.header.Get("x-amzn-ErrorType") != "ValidationException" ||
		string(r.body) != `{"message":"1 validation error detected: Value null at 'createResourceInput.pathPart' failed to satisfy constraint: Member must not be null"}` {
		t.Errorf("got %d %s", r.status, r.body)
	}
}

func TestResourceScopes(t *testing.T) {
	c, srv := setup(t)
	api := createAPI(t, c, "scoped")
	root := resRoot(t, c, api)
	pets := mustCreateResource(t, c, api, root, "pets")
	for _, other := range []*apigateway.Client{newClient(srv, "123456789012", "us-east-1"), newClient(srv, "test", "eu-west-1")} {
		_, err := other.GetResource(ctx(), &apigateway.GetResourceInput{RestApiId: aws.String(api), ResourceId: aws.String(pets)})
		wantAPIError(t, err, 404, "NotFoundException", "Invalid Resource identifier specified")
		_, err = other.CreateResource(ctx(), &apigateway.CreateResourceInput{RestApiId: aws.String(api), ParentId: aws.String(root), PathPart: aws.String("x")})
		wantAPIError(t, err, 404, "NotFoundException", "Invalid Resource identifier specified")
		_, err = other.PutMethod(ctx(), &apigateway.PutMethodInput{RestApiId: aws.String(api), ResourceId: aws.String(pets), HttpMethod: aws.String("GET"), AuthorizationType: aws.String("NONE")})
		wantAPIError(t, err, 404, "NotFoundException", "Invalid Resource identifier specified")
	}
	if p := resPaths(t, c, api); !reflect.DeepEqual(p, []string{"/", "/pets"}) {
		t.Errorf("other scopes changed the tree: %v", p)
	}
}

// resRoot returns an API's root resource id.
func resRoot(t *testing.T, c *apigateway.Client, api string) string {
	t.Helper()
	out, err := c.GetRestApi(ctx(), &apigateway.GetRestApiInput{RestApiId: aws.String(api)})
	if err != nil {
		t.Fatal(err)
	}
	return *out.RootResourceId
}
