package storetest

// Tests of an API's children: resources (with their methods), deployments and
// stages, and of Store.Scopes.

import (
	"context"
	"errors"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/gantryproject/gantry/internal/model"
	"github.com/gantryproject/gantry/internal/store"
)

// kind drives the tests shared by resources, deployments and stages. Values
// are passed as any; build makes the value stored under a key, and variant
// changes its contents (maps included, so that a replacement that merged
// instead of replacing shows).
type kind struct {
	name string
	// upsert is true when create replaces an existing value (PutResource)
	// rather than failing with ErrExists.
	upsert bool
	// builtin lists the values every API has from its creation (the root
	// resource), first in the listing.
	builtin func(apiID string) []any
	build   func(apiID, key, variant string) any
	create  func(tx store.Tx, apiID string, v any) error
	put     func(tx store.Tx, apiID string, v any) error
	get     func(tx store.ReadTx, apiID, key string) (any, error)
	list    func(tx store.ReadTx, apiID string) ([]any, error)
	del     func(tx store.Tx, apiID, key string) error
}

func anys[T any](list []T, err error) ([]any, error) {
	out := make([]any, len(list))
	for i, v := range list {
		out[i] = v
	}
	return out, err
}

func anyOf[T any](v T, err error) (any, error) { return v, err }

var kinds = []kind{
	{
		name:    "Resource",
		upsert:  true,
		builtin: func(apiID string) []any { return []any{root(apiID)} },
		build: func(apiID, key, variant string) any {
			return model.Resource{ID: key, ParentID: "root" + apiID, PathPart: key, Path: "/" + key,
				Methods: map[string]model.Method{
					"GET":   {HTTPMethod: "GET", OperationName: variant},
					variant: {HTTPMethod: variant},
				}}
		},
		create: func(tx store.Tx, apiID string, v any) error { return tx.PutResource(apiID, v.(model.Resource)) },
		put:    func(tx store.Tx, apiID string, v any) error { return tx.PutResource(apiID, v.(model.Resource)) },
		get:    func(tx store.ReadTx, apiID, key string) (any, error) { return anyOf(tx.Resource(apiID, key)) },
		list:   func(tx store.ReadTx, apiID string) ([]any, error) { return anys(tx.Resources(apiID)) },
		del:    func(tx store.Tx, apiID, key string) error { return tx.DeleteResource(apiID, key) },
	},
	{
		name:    "Deployment",
		builtin: func(string) []any { return []any{} },
		build: func(apiID, key, variant string) any {
			a := api(apiID)
			a.Description = variant
			return model.Deployment{ID: key, Description: variant, CreatedDate: time.Unix(1700000100, 0).UTC(),
				Snapshot: model.Snapshot{API: a, Resources: []model.Resource{root(apiID)}, Authorizers: []model.Authorizer{{ID: variant, Type: model.AuthorizerToken}},
					GatewayResponses: map[string]model.GatewayResponse{variant: {Type: variant}}}}
		},
		create: func(tx store.Tx, apiID string, v any) error { return tx.CreateDeployment(apiID, v.(model.Deployment)) },
		put:    func(tx store.Tx, apiID string, v any) error { return tx.PutDeployment(apiID, v.(model.Deployment)) },
		get:    func(tx store.ReadTx, apiID, key string) (any, error) { return anyOf(tx.Deployment(apiID, key)) },
		list:   func(tx store.ReadTx, apiID string) ([]any, error) { return anys(tx.Deployments(apiID)) },
		del:    func(tx store.Tx, apiID, key string) error { return tx.DeleteDeployment(apiID, key) },
	},
	{
		name:    "Stage",
		builtin: func(string) []any { return []any{} },
		build: func(apiID, key, variant string) any {
			return model.Stage{Name: key, DeploymentID: "dep", Description: variant,
				Variables:   map[string]string{"v": variant, variant: "x"},
				CreatedDate: time.Unix(1700000200, 0).UTC(), LastUpdatedDate: time.Unix(1700000300, 0).UTC()}
		},
		create: func(tx store.Tx, apiID string, v any) error { return tx.CreateStage(apiID, v.(model.Stage)) },
		put:    func(tx store.Tx, apiID string, v any) error { return tx.PutStage(apiID, v.(model.Stage)) },
		get:    func(tx store.ReadTx, apiID, key string) (any, error) { return anyOf(tx.Stage(apiID, key)) },
		list:   func(tx store.ReadTx, apiID string) ([]any, error) { return anys(tx.Stages(apiID)) },
		del:    func(tx store.Tx, apiID, key string) error { return tx.DeleteStage(apiID, key) },
	},
	{
		name:    "Model",
		builtin: func(string) []any { return []any{} },
		build: func(apiID, key, variant string) any {
			return model.Model{ID: "id" + key, Name: key, Description: variant, ContentType: "application/json",
				Schema: `{"type":"object","title":"` + variant + `"}`}
		},
		create: func(tx store.Tx, apiID string, v any) error { return tx.CreateModel(apiID, v.(model.Model)) },
		put:    func(tx store.Tx, apiID string, v any) error { return tx.PutModel(apiID, v.(model.Model)) },
		get:    func(tx store.ReadTx, apiID, key string) (any, error) { return anyOf(tx.Model(apiID, key)) },
		list:   func(tx store.ReadTx, apiID string) ([]any, error) { return anys(tx.Models(apiID)) },
		del:    func(tx store.Tx, apiID, key string) error { return tx.DeleteModel(apiID, key) },
	},
	{
		name:    "RequestValidator",
		builtin: func(string) []any { return []any{} },
		build: func(apiID, key, variant string) any {
			return model.RequestValidator{ID: key, Name: variant, ValidateRequestBody: variant != "", ValidateRequestParameters: true}
		},
		create: func(tx store.Tx, apiID string, v any) error {
			return tx.CreateRequestValidator(apiID, v.(model.RequestValidator))
		},
		put: func(tx store.Tx, apiID string, v any) error {
			return tx.PutRequestValidator(apiID, v.(model.RequestValidator))
		},
		get:  func(tx store.ReadTx, apiID, key string) (any, error) { return anyOf(tx.RequestValidator(apiID, key)) },
		list: func(tx store.ReadTx, apiID string) ([]any, error) { return anys(tx.RequestValidators(apiID)) },
		del:  func(tx store.Tx, apiID, key string) error { return tx.DeleteRequestValidator(apiID, key) },
	},
	{
		name:    "Authorizer",
		builtin: func(string) []any { return []any{} },
		build: func(apiID, key, variant string) any {
			return model.Authorizer{ID: key, Name: variant, Type: model.AuthorizerCognito,
				ProviderARNs:   []string{"arn:aws:cognito-idp:us-east-1:123456789012:userpool/" + variant},
				IdentitySource: "method.request.header." + variant, ResultTTLInSeconds: 300}
		},
		create: func(tx store.Tx, apiID string, v any) error { return tx.CreateAuthorizer(apiID, v.(model.Authorizer)) },
		put:    func(tx store.Tx, apiID string, v any) error { return tx.PutAuthorizer(apiID, v.(model.Authorizer)) },
		get:    func(tx store.ReadTx, apiID, key string) (any, error) { return anyOf(tx.Authorizer(apiID, key)) },
		list:   func(tx store.ReadTx, apiID string) ([]any, error) { return anys(tx.Authorizers(apiID)) },
		del:    func(tx store.Tx, apiID, key string) error { return tx.DeleteAuthorizer(apiID, key) },
	},
}

// forKinds runs fn once per kind, each on a fresh store.
func forKinds(t *testing.T, open Opener, fn func(*testing.T, store.Store, kind)) {
	for _, k := range kinds {
		t.Run(k.name, func(t *testing.T) { fn(t, open(t), k) })
	}
}

func view(t *testing.T, s store.Store, scope model.Scope, fn func(store.ReadTx) error) {
	t.Helper()
	if err := s.View(context.Background(), scope, fn); err != nil {
		t.Fatal(err)
	}
}

// wantList checks an API's listing: the kind's built-in values, then want,
// in this order.
func wantList(t *testing.T, s store.Store, scope model.Scope, k kind, apiID string, want ...any) {
	t.Helper()
	want = append(k.builtin(apiID), want...)
	view(t, s, scope, func(tx store.ReadTx) error {
		got, err := k.list(tx, apiID)
		if err != nil {
			t.Errorf("list %s: %v", apiID, err)
			return nil
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("list %s:\n got %+v\nwant %+v", apiID, got, want)
		}
		return nil
	})
}

// errCase is one call and the error it must give.
type errCase struct {
	name  string
	scope model.Scope
	write func(store.Tx) error     // either write
	read  func(store.ReadTx) error // or read
	want  error
}

func runErrCases(t *testing.T, s store.Store, cases []errCase) {
	t.Helper()
	for _, c := range cases {
		var err error
		if c.write != nil {
			err = s.Update(context.Background(), c.scope, c.write)
		} else {
			err = s.View(context.Background(), c.scope, c.read)
		}
		if !errors.Is(err, c.want) {
			t.Errorf("%s: got %v, want %v", c.name, err, c.want)
		}
	}
}

// testChildLifecycle covers create, get, list order, replacement in place,
// delete, ErrNotFound and ErrExists for one kind.
func testChildLifecycle(t *testing.T, s store.Store, k kind) {
	const id = "life"
	b := func(key, variant string) any { return k.build(id, key, variant) }
	update(t, s, scopeA, func(tx store.Tx) error { return tx.CreateRestAPI(api(id), root(id)) })
	wantList(t, s, scopeA, k, id)
	// Keys out of alphabetical order: the listing must follow creation.
	for _, key := range []string{"k3", "k1", "k2"} {
		update(t, s, scopeA, func(tx store.Tx) error { return k.create(tx, id, b(key, "v1")) })
	}
	wantList(t, s, scopeA, k, id, b("k3", "v1"), b("k1", "v1"), b("k2", "v1"))
	view(t, s, scopeA, func(tx store.ReadTx) error {
		got, err := k.get(tx, id, "k1")
		if err != nil || !reflect.DeepEqual(got, b("k1", "v1")) {
			t.Errorf("get k1: %+v %v", got, err)
		}
		return nil
	})

	// Replacing keeps the position and replaces the whole value.
	update(t, s, scopeA, func(tx store.Tx) error { return k.put(tx, id, b("k3", "v2")) })
	wantList(t, s, scopeA, k, id, b("k3", "v2"), b("k1", "v1"), b("k2", "v1"))

	// Replacing twice in one transaction, then deleting, then creating again
	// puts the key last.
	update(t, s, scopeA, func(tx store.Tx) error {
		if err := k.put(tx, id, b("k1", "v2")); err != nil {
			return err
		}
		return k.put(tx, id, b("k1", "v3"))
	})
	update(t, s, scopeA, func(tx store.Tx) error { return k.del(tx, id, "k3") })
	wantList(t, s, scopeA, k, id, b("k1", "v3"), b("k2", "v1"))
	update(t, s, scopeA, func(tx store.Tx) error { return k.create(tx, id, b("k3", "v4")) })
	wantList(t, s, scopeA, k, id, b("k1", "v3"), b("k2", "v1"), b("k3", "v4"))

	createAgain := store.ErrExists
	putMissing := store.ErrNotFound
	if k.upsert {
		createAgain, putMissing = nil, nil
	}
	runErrCases(t, s, []errCase{
		{name: "get missing key", scope: scopeA, want: store.ErrNotFound,
			read: func(tx store.ReadTx) error { return second(k.get(tx, id, "nope")) }},
		{name: "get on a missing API", scope: scopeA, want: store.ErrNotFound,
			read: func(tx store.ReadTx) error { return second(k.get(tx, "noapi", "k1")) }},
		{name: "list on a missing API is empty", scope: scopeA, want: nil,
			read: func(tx store.ReadTx) error {
				got, err := k.list(tx, "noapi")
				if err == nil && len(got) != 0 {
					t.Errorf("list of a missing API: %+v", got)
				}
				return err
			}},
		{name: "create on a missing API", scope: scopeA, want: store.ErrNotFound,
			write: func(tx store.Tx) error { return k.create(tx, "noapi", k.build("noapi", "k1", "v1")) }},
		{name: "create of an existing key", scope: scopeA, want: createAgain,
			write: func(tx store.Tx) error { return k.create(tx, id, b("k2", "v1")) }},
		{name: "put of a missing key", scope: scopeA, want: putMissing,
			write: func(tx store.Tx) error { return k.put(tx, id, b("k9", "v1")) }},
		{name: "put on a missing API", scope: scopeA, want: store.ErrNotFound,
			write: func(tx store.Tx) error { return k.put(tx, "noapi", k.build("noapi", "k1", "v1")) }},
		{name: "delete of a missing key", scope: scopeA, want: store.ErrNotFound,
			write: func(tx store.Tx) error { return k.del(tx, id, "nope") }},
		{name: "delete on a missing API", scope: scopeA, want: store.ErrNotFound,
			write: func(tx store.Tx) error { return k.del(tx, "noapi", "k1") }},
		{name: "delete twice", scope: scopeA, want: store.ErrNotFound,
			write: func(tx store.Tx) error {
				if err := k.del(tx, id, "k2"); err != nil {
					t.Errorf("first delete: %v", err)
				}
				return k.del(tx, id, "k2")
			}},
	})
	// The failed transaction above rolled back its first delete.
	want := []any{b("k1", "v3"), b("k2", "v1"), b("k3", "v4")}
	if k.upsert {
		want = append(want, b("k9", "v1")) // put of a missing key created it
	}
	wantList(t, s, scopeA, k, id, want...)
	if k.upsert {
		update(t, s, scopeA, func(tx store.Tx) error { return k.del(tx, id, "k9") })
	}

	// No half-written values after a failed transaction.
	boom := errors.New("boom")
	err := s.Update(context.Background(), scopeA, func(tx store.Tx) error {
		if err := k.create(tx, id, b("k5", "v1")); err != nil {
			return err
		}
		return boom
	})
	if !errors.Is(err, boom) {
		t.Errorf("rolled-back create: %v", err)
	}
	wantList(t, s, scopeA, k, id, b("k1", "v3"), b("k2", "v1"), b("k3", "v4"))
}

func second(_ any, err error) error { return err }

// testChildCascade checks that DeleteRestAPI removes the API's values of the
// kind, and only that API's.
func testChildCascade(t *testing.T, s store.Store, k kind) {
	for _, id := range []string{"gone", "kept"} {
		update(t, s, scopeA, func(tx store.Tx) error {
			if err := tx.CreateRestAPI(api(id), root(id)); err != nil {
				return err
			}
			for _, key := range []string{"k1", "k2"} {
				if err := k.create(tx, id, k.build(id, key, "v1")); err != nil {
					return err
				}
			}
			return nil
		})
	}
	update(t, s, scopeA, func(tx store.Tx) error { return tx.DeleteRestAPI("gone") })
	runErrCases(t, s, []errCase{
		{name: "get after the API's deletion", scope: scopeA, want: store.ErrNotFound,
			read: func(tx store.ReadTx) error { return second(k.get(tx, "gone", "k1")) }},
		{name: "delete after the API's deletion", scope: scopeA, want: store.ErrNotFound,
			write: func(tx store.Tx) error { return k.del(tx, "gone", "k1") }},
		{name: "create after the API's deletion", scope: scopeA, want: store.ErrNotFound,
			write: func(tx store.Tx) error { return k.create(tx, "gone", k.build("gone", "k1", "v1")) }},
	})
	view(t, s, scopeA, func(tx store.ReadTx) error {
		if got, err := k.list(tx, "gone"); err != nil || len(got) != 0 {
			t.Errorf("deleted API still lists %+v %v", got, err)
		}
		return nil
	})
	wantList(t, s, scopeA, k, "kept", k.build("kept", "k1", "v1"), k.build("kept", "k2", "v1"))
	// An API created again under the same id starts empty.
	update(t, s, scopeA, func(tx store.Tx) error { return tx.CreateRestAPI(api("gone"), root("gone")) })
	wantList(t, s, scopeA, k, "gone")
}

// testChildIsolation checks that another account or region, even with an API
// of the same id, can neither see nor change a scope's values.
func testChildIsolation(t *testing.T, s store.Store, k kind) {
	const id = "same"
	scopeD := model.Scope{Account: "222222222222", Region: "ap-south-1"} // no API at all
	for _, sc := range []model.Scope{scopeA, scopeB, scopeC} {
		update(t, s, sc, func(tx store.Tx) error { return tx.CreateRestAPI(api(id), root(id)) })
	}
	mine := k.build(id, "k1", "A")
	update(t, s, scopeA, func(tx store.Tx) error { return k.create(tx, id, mine) })
	var cases []errCase
	for _, sc := range []model.Scope{scopeB, scopeC} {
		other := sc.Account + "/" + sc.Region + ": "
		cases = append(cases,
			errCase{name: other + "get", scope: sc, want: store.ErrNotFound,
				read: func(tx store.ReadTx) error { return second(k.get(tx, id, "k1")) }},
			errCase{name: other + "list", scope: sc, want: nil,
				read: func(tx store.ReadTx) error {
					got, err := k.list(tx, id)
					if want := k.builtin(id); err == nil && !reflect.DeepEqual(got, want) {
						t.Errorf("%slist: %+v, want %+v", other, got, want)
					}
					return err
				}},
			errCase{name: other + "delete", scope: sc, want: store.ErrNotFound,
				write: func(tx store.Tx) error { return k.del(tx, id, "k1") }},
		)
		if !k.upsert {
			cases = append(cases, errCase{name: other + "put", scope: sc, want: store.ErrNotFound,
				write: func(tx store.Tx) error { return k.put(tx, id, k.build(id, "k1", "other")) }})
		}
	}
	cases = append(cases,
		// The same key is free in another scope: creating it there works
		// and must not touch scope A's value.
		errCase{name: "create the same key in scope B", scope: scopeB, want: nil,
			write: func(tx store.Tx) error { return k.create(tx, id, k.build(id, "k1", "B")) }},
		errCase{name: "create in a scope without the API", scope: scopeD, want: store.ErrNotFound,
			write: func(tx store.Tx) error { return k.create(tx, id, k.build(id, "k2", "D")) }},
	)
	runErrCases(t, s, cases)
	wantList(t, s, scopeA, k, id, mine)
	wantList(t, s, scopeB, k, id, k.build(id, "k1", "B"))
	wantList(t, s, scopeC, k, id)
	// Deleting the API in scope B leaves scope A's values.
	update(t, s, scopeB, func(tx store.Tx) error { return tx.DeleteRestAPI(id) })
	wantList(t, s, scopeA, k, id, mine)
}

// richMethods is a method map using every field, with nested method and
// integration responses.
func richMethods() map[string]model.Method {
	skip, verify := true, false
	return map[string]model.Method{
		"GET": {
			HTTPMethod: "GET", AuthorizationType: "CUSTOM", AuthorizerID: "auth01", APIKeyRequired: true,
			RequestValidatorID: "val01", OperationName: "GetThing",
			RequestParameters:   map[string]bool{"method.request.path.proxy": true, "method.request.querystring.q": false},
			RequestModels:       map[string]string{"application/json": "Empty"},
			AuthorizationScopes: []string{"email", "openid"},
			Responses: map[string]model.MethodResponse{
				"200": {StatusCode: "200",
					ResponseParameters: map[string]bool{"method.response.header.X-Req": false, "method.response.header.Access-Control-Allow-Origin": true},
					ResponseModels:     map[string]string{"application/json": "Empty"}},
				"404": {StatusCode: "404"},
			},
			Integration: &model.Integration{
				Type: model.IntegrationHTTP, HTTPMethod: "GET", URI: "https://example.com/{proxy}",
				ConnectionType: "INTERNET", Credentials: "arn:aws:iam::000000000000:role/r",
				RequestParameters:   map[string]string{"integration.request.path.proxy": "method.request.path.proxy", "integration.request.header.X-Static": "'v'"},
				RequestTemplates:    map[string]string{"application/json": `{"q": "$input.params('q')"}`, "text/plain": ""},
				PassthroughBehavior: model.PassthroughWhenNoTemplates, ContentHandling: "CONVERT_TO_TEXT",
				TimeoutInMillis: 5000, CacheNamespace: "ns01", CacheKeyParameters: []string{"method.request.path.proxy"},
				TLSInsecureSkipVerify: &skip, ResponseTransferMode: "BUFFERED",
				Responses: map[string]model.IntegrationResponse{
					"200": {StatusCode: "200",
						ResponseParameters: map[string]string{"method.response.header.X-Req": "integration.response.header.X-Up"},
						ResponseTemplates:  map[string]string{"application/json": "$input.json('$')"}},
					"404": {StatusCode: "404", SelectionPattern: `4\d{2}`, ContentHandling: "CONVERT_TO_BINARY",
						ResponseTemplates: map[string]string{"application/json": ""}},
				},
			},
		},
		"ANY": {
			HTTPMethod: "ANY", AuthorizationType: "NONE",
			Integration: &model.Integration{
				Type: model.IntegrationAWSProxy, HTTPMethod: "POST",
				URI:                   "arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:000000000000:function:f/invocations",
				TLSInsecureSkipVerify: &verify,
			},
		},
		// A method without responses or integration yet.
		"POST": {HTTPMethod: "POST", AuthorizationType: "AWS_IAM"},
	}
}

func richResource(apiID string) model.Resource {
	return model.Resource{ID: "proxy1", ParentID: "root" + apiID, PathPart: "{proxy+}", Path: "/{proxy+}", Methods: richMethods()}
}

func richAPI(id string) model.RestAPI {
	a := api(id)
	a.Version = "v7"
	a.Policy = `{"Version":"2012-10-17","Statement":[]}`
	a.DisableExecuteAPIEndpoint = true
	a.EndpointConfiguration = model.EndpointConfiguration{Types: []string{"PRIVATE"}, IPAddressType: "dualstack", VPCEndpointIDs: []string{"vpce-1", "vpce-2"}}
	a.SecurityPolicy = "TLS_1_2"
	a.EndpointAccessMode = "STRICT"
	a.Warnings = []string{"w1"}
	return a
}

func richDeployment(apiID string) model.Deployment {
	rootRes := root(apiID)
	rootRes.Methods = map[string]model.Method{"OPTIONS": {HTTPMethod: "OPTIONS", AuthorizationType: "NONE",
		Integration: &model.Integration{Type: model.IntegrationMock, RequestTemplates: map[string]string{"application/json": `{"statusCode": 200}`},
			Responses: map[string]model.IntegrationResponse{"200": {StatusCode: "200"}}}}}
	child := model.Resource{ID: "plain1", ParentID: "root" + apiID, PathPart: "plain", Path: "/plain"}
	return model.Deployment{
		ID: "dep001", Description: "first", CreatedDate: time.Unix(1700000400, 0).UTC(),
		Snapshot: model.Snapshot{
			API:       richAPI(apiID),
			Resources: []model.Resource{rootRes, richResource(apiID), child},
			GatewayResponses: map[string]model.GatewayResponse{
				"DEFAULT_4XX": {Type: "DEFAULT_4XX", ResponseTemplates: map[string]string{"application/json": `{"message":$context.error.messageString}`}},
				"UNAUTHORIZED": {Type: "UNAUTHORIZED", StatusCode: "401",
					ResponseParameters: map[string]string{"gatewayresponse.header.WWW-Authenticate": "'Bearer'"}},
			},
			Models: []model.Model{{ID: "m1", Name: "Pet", ContentType: "application/json", Description: "a pet",
				Schema: `{"$ref":"https://apigateway.amazonaws.com/restapis/` + apiID + `/models/Base"}`}},
			RequestValidators: []model.RequestValidator{{ID: "v1", Name: "all", ValidateRequestBody: true, ValidateRequestParameters: true}},
		},
	}
}

func richStage() model.Stage {
	return model.Stage{
		Name: "prod", DeploymentID: "dep001", Description: "production", ClientCertificateID: "cert01",
		CacheClusterEnabled: true, CacheClusterSize: "0.5", CacheClusterStatus: "AVAILABLE",
		Variables:            map[string]string{"backend": "example.com", "empty": ""},
		DocumentationVersion: "1", TracingEnabled: true, WebACLArn: "arn:aws:wafv2:us-east-1:000000000000:regional/webacl/w/1",
		MethodSettings: map[string]model.MethodSetting{
			"*/*": {MetricsEnabled: true, LoggingLevel: "INFO", DataTraceEnabled: true,
				ThrottlingBurstLimit: 5000, ThrottlingRateLimit: 10000.5, CachingEnabled: true, CacheTTLInSeconds: 300,
				CacheDataEncrypted: true, RequireAuthorizationForCacheControl: true,
				UnauthorizedCacheControlHeaderStrategy: "SUCCEED_WITH_RESPONSE_HEADER"},
			"~1items/GET": {ThrottlingBurstLimit: -1, ThrottlingRateLimit: -1},
		},
		AccessLogSettings: &model.AccessLogSettings{Format: `{"requestId":"$context.requestId"}`, DestinationArn: "arn:aws:logs:us-east-1:000000000000:log-group:g"},
		CanarySettings: &model.CanarySettings{PercentTraffic: 12.5, DeploymentID: "dep002",
			StageVariableOverrides: map[string]string{"backend": "canary.example.com"}, UseStageCache: true},
		CreatedDate:     time.Unix(1700000500, 0).UTC(),
		LastUpdatedDate: time.Unix(1700000600, 0).UTC(),
	}
}

// testChildRoundTrip checks that minimal and fully populated values come
// back deep-equal, from both the get and the list.
func testChildRoundTrip(t *testing.T, s store.Store) {
	const id = "rt"
	rootWithMethods := root(id)
	rootWithMethods.Methods = richMethods()
	update(t, s, scopeA, func(tx store.Tx) error { return tx.CreateRestAPI(richAPI(id), rootWithMethods) })
	minDeployment := model.Deployment{ID: "dep000"}
	minStage := model.Stage{Name: "min"}
	cases := []struct {
		name  string
		write func(store.Tx) error
		get   func(store.ReadTx) (any, error)
		list  func(store.ReadTx) ([]any, error)
		want  any
	}{
		{name: "root resource with methods",
			get:  func(tx store.ReadTx) (any, error) { return anyOf(tx.Resource(id, "root"+id)) },
			want: rootWithMethods},
		{name: "minimal resource",
			write: func(tx store.Tx) error { return tx.PutResource(id, model.Resource{ID: "bare"}) },
			get:   func(tx store.ReadTx) (any, error) { return anyOf(tx.Resource(id, "bare")) },
			want:  model.Resource{ID: "bare"}},
		{name: "resource with nested methods",
			write: func(tx store.Tx) error { return tx.PutResource(id, richResource(id)) },
			get:   func(tx store.ReadTx) (any, error) { return anyOf(tx.Resource(id, "proxy1")) },
			list:  func(tx store.ReadTx) ([]any, error) { return anys(tx.Resources(id)) },
			want:  richResource(id)},
		{name: "minimal deployment",
			write: func(tx store.Tx) error { return tx.CreateDeployment(id, minDeployment) },
			get:   func(tx store.ReadTx) (any, error) { return anyOf(tx.Deployment(id, "dep000")) },
			want:  minDeployment},
		{name: "deployment with a snapshot",
			write: func(tx store.Tx) error { return tx.CreateDeployment(id, richDeployment(id)) },
			get:   func(tx store.ReadTx) (any, error) { return anyOf(tx.Deployment(id, "dep001")) },
			list:  func(tx store.ReadTx) ([]any, error) { return anys(tx.Deployments(id)) },
			want:  richDeployment(id)},
		{name: "minimal stage",
			write: func(tx store.Tx) error { return tx.CreateStage(id, minStage) },
			get:   func(tx store.ReadTx) (any, error) { return anyOf(tx.Stage(id, "min")) },
			want:  minStage},
		{name: "stage with every setting",
			write: func(tx store.Tx) error { return tx.CreateStage(id, richStage()) },
			get:   func(tx store.ReadTx) (any, error) { return anyOf(tx.Stage(id, "prod")) },
			list:  func(tx store.ReadTx) ([]any, error) { return anys(tx.Stages(id)) },
			want:  richStage()},
		{name: "stage replaced with every setting",
			write: func(tx store.Tx) error {
				st := richStage()
				st.Name = "min"
				return tx.PutStage(id, st)
			},
			get: func(tx store.ReadTx) (any, error) { return anyOf(tx.Stage(id, "min")) },
			want: func() model.Stage {
				st := richStage()
				st.Name = "min"
				return st
			}()},
		{name: "stage replaced with a minimal one",
			write: func(tx store.Tx) error { return tx.PutStage(id, model.Stage{Name: "min"}) },
			get:   func(tx store.ReadTx) (any, error) { return anyOf(tx.Stage(id, "min")) },
			want:  minStage},
	}
	for _, c := range cases {
		if c.write != nil {
			if err := s.Update(context.Background(), scopeA, c.write); err != nil {
				t.Errorf("%s: write: %v", c.name, err)
				continue
			}
		}
		view(t, s, scopeA, func(tx store.ReadTx) error {
			got, err := c.get(tx)
			if err != nil || !reflect.DeepEqual(got, c.want) {
				t.Errorf("%s: get:\n got %+v %v\nwant %+v", c.name, got, err, c.want)
			}
			if c.list == nil {
				return nil
			}
			list, err := c.list(tx)
			if err != nil || len(list) == 0 || !reflect.DeepEqual(list[len(list)-1], c.want) {
				t.Errorf("%s: list (want it last):\n got %+v %v\nwant %+v", c.name, list, err, c.want)
			}
			return nil
		})
	}
}

// testTimes checks that times survive to the second whatever their
// location and precision.
func testTimes(t *testing.T, s store.Store) {
	when := time.Date(2024, 2, 29, 23, 59, 58, 987654321, time.FixedZone("X", -7*3600))
	update(t, s, scopeA, func(tx store.Tx) error {
		a := api("tm")
		a.CreatedDate = when
		if err := tx.CreateRestAPI(a, root("tm")); err != nil {
			return err
		}
		if err := tx.CreateDeployment("tm", model.Deployment{ID: "d", CreatedDate: when, Snapshot: model.Snapshot{API: a}}); err != nil {
			return err
		}
		return tx.CreateStage("tm", model.Stage{Name: "s", CreatedDate: when, LastUpdatedDate: when})
	})
	same := func(what string, got time.Time) {
		if !got.Truncate(time.Second).Equal(when.Truncate(time.Second)) {
			t.Errorf("%s: got %v, want %v", what, got, when)
		}
	}
	view(t, s, scopeA, func(tx store.ReadTx) error {
		d, err := tx.Deployment("tm", "d")
		if err != nil {
			t.Fatal(err)
		}
		same("deployment", d.CreatedDate)
		same("snapshot API", d.Snapshot.API.CreatedDate)
		st, err := tx.Stage("tm", "s")
		if err != nil {
			t.Fatal(err)
		}
		same("stage created", st.CreatedDate)
		same("stage updated", st.LastUpdatedDate)
		return nil
	})
}

// testStoreScopes checks Store.Scopes: the scopes holding at least one API,
// each once, in a stable order.
func testStoreScopes(t *testing.T, s store.Store) {
	ctx := context.Background()
	list := func() []model.Scope {
		t.Helper()
		got, err := s.Scopes(ctx)
		if err != nil {
			t.Fatal(err)
		}
		again, err := s.Scopes(ctx)
		if err != nil || !reflect.DeepEqual(got, again) {
			t.Errorf("Scopes is not stable: %v then %v (%v)", got, again, err)
		}
		return got
	}
	check := func(want ...model.Scope) {
		t.Helper()
		got := slices.Clone(list())
		byKey := func(a, b model.Scope) int {
			return strings.Compare(a.Account+"\x00"+a.Region, b.Account+"\x00"+b.Region)
		}
		slices.SortFunc(got, byKey)
		slices.SortFunc(want, byKey)
		if len(got) != len(want) || (len(want) > 0 && !reflect.DeepEqual(got, want)) {
			t.Errorf("Scopes: got %v, want %v", got, want)
		}
	}
	check()
	// Tags alone do not make a scope.
	update(t, s, scopeB, func(tx store.Tx) error { return tx.TagResource("/restapis/x", map[string]string{"k": "v"}) })
	check()
	for _, sc := range []model.Scope{scopeA, scopeB, scopeC} {
		update(t, s, sc, func(tx store.Tx) error { return tx.CreateRestAPI(api("one"), root("one")) })
	}
	update(t, s, scopeA, func(tx store.Tx) error { return tx.CreateRestAPI(api("two"), root("two")) })
	check(scopeA, scopeB, scopeC)
	update(t, s, scopeC, func(tx store.Tx) error { return tx.DeleteRestAPI("one") })
	check(scopeA, scopeB)
	update(t, s, scopeA, func(tx store.Tx) error { return tx.DeleteRestAPI("one") })
	check(scopeA, scopeB)
	// A rolled-back creation does not add a scope.
	s.Update(ctx, scopeC, func(tx store.Tx) error {
		if err := tx.CreateRestAPI(api("one"), root("one")); err != nil {
			return err
		}
		return errors.New("boom")
	})
	check(scopeA, scopeB)
}
