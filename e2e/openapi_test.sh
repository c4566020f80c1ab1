#!/usr/bin/env bash
# The README's import/export example, checked with the real `aws` CLI and
# curl: import an OpenAPI document (gateway responses, API key, request
# validators), deploy and call it, merge examples/more-paths.json into it,
# refuse a document with warnings with --fail-on-warnings, export the stage
# as YAML, import the export, and overwrite an API with a greedy-proxy
# document whose back end is on loopback. Expects AWS_ENDPOINT_URL,
# credentials and E2E_RESULTS.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=lib.sh
. "$HERE/lib.sh"

: "${AWS_ENDPOINT_URL:?}"
export AWS_DEFAULT_OUTPUT=text AWS_PAGER=""
GANTRY=$AWS_ENDPOINT_URL
DOCS="$HERE/../internal/openapi/testdata"

SCRATCH=$(mktemp -d /tmp/gantry-e2e-openapi.XXXXXX)
BACKEND_PID=
trap '[[ -n $BACKEND_PID ]] && kill $BACKEND_PID 2>/dev/null; rm -rf "$SCRATCH"' EXIT

mkdir -p "$SCRATCH/www"
printf 'hello from the back end\n' >"$SCRATCH/www/hello.txt"
BACKEND_PORT=$(pick_port)
python3 -m http.server "$BACKEND_PORT" --bind 127.0.0.1 --directory "$SCRATCH/www" >/dev/null 2>&1 &
BACKEND_PID=$!

# --- import, deploy, call (keep in step with README.md) ---------------------------
ID=$(aws apigateway import-rest-api --body "fileb://$DOCS/gateway-responses.yaml" \
	--parameters basepath=ignore,endpointConfigurationTypes=REGIONAL --query id)
check "openapi: import-rest-api names the API after info.title" "Greetings" \
	"$(aws apigateway get-rest-api --rest-api-id "$ID" --query name)"
check "openapi: endpointConfigurationTypes=REGIONAL" "REGIONAL" \
	"$(aws apigateway get-rest-api --rest-api-id "$ID" --query 'endpointConfiguration.types[0]')"
check "openapi: the document's gateway response is imported" "404" \
	"$(aws apigateway get-gateway-response --rest-api-id "$ID" --response-type MISSING_AUTHENTICATION_TOKEN --query statusCode)"
aws apigateway create-deployment --rest-api-id "$ID" --stage-name test >/dev/null
check "openapi: imported MOCK method answers" '200 {"greeting": "hello bob"}' \
	"$(call "$GANTRY/restapis/$ID/test/_user_request_/greeting?name=bob")"
check "openapi: imported MISSING_AUTHENTICATION_TOKEN customization is live" '404 {"message": "no such route", "path": "/test/nowhere"}' \
	"$(call "$GANTRY/restapis/$ID/test/_user_request_/nowhere")"
check "openapi: imported API key requirement and INVALID_API_KEY customization" '401 {"message": "a valid x-api-key header is required"}' \
	"$(call "$GANTRY/restapis/$ID/test/_user_request_/secret")"
check "openapi: imported request validator checks the required query parameter" '400 {"error": "Missing required request parameters: [name]", "type": "BAD_REQUEST_PARAMETERS"}' \
	"$(call "$GANTRY/restapis/$ID/test/_user_request_/greeting")"

aws apigateway put-rest-api --rest-api-id "$ID" --mode merge --body "fileb://$HERE/../examples/more-paths.json" >/dev/null
aws apigateway create-deployment --rest-api-id "$ID" --stage-name test >/dev/null
check "openapi: put-rest-api --mode merge adds the document's path" '200 {"farewell": "goodbye bob"}' \
	"$(call "$GANTRY/restapis/$ID/test/_user_request_/farewell?name=bob")"
check "openapi: put-rest-api --mode merge keeps the other paths" '200 {"greeting": "hello bob"}' \
	"$(call "$GANTRY/restapis/$ID/test/_user_request_/greeting?name=bob")"

# --- --fail-on-warnings refuses and creates nothing ----------------------------------
before=$(aws apigateway get-rest-apis --query 'length(items)')
printf '{"swagger":"2.0","info":{"title":"w"},"paths":{"/a":{"get":{"responses":{"200":{"schema":{"$ref":"#/definitions/Nope"}}}}}}}' >"$SCRATCH/warns.json"
if out=$(aws apigateway import-rest-api --body "fileb://$SCRATCH/warns.json" --fail-on-warnings 2>&1); then
	fail "openapi: --fail-on-warnings refuses a document with warnings" "got: $out"
else
	check "openapi: --fail-on-warnings refuses a document with warnings" \
		"An error occurred (BadRequestException) when calling the ImportRestApi operation: Warnings found during import:Reference to model 'Nope' not found. Ignoring." \
		"$(printf '%s' "$out" | tr -d '\n\t' | grep -o 'An error occurred.*Ignoring.')"
fi
check "openapi: a refused import creates nothing" "$before" "$(aws apigateway get-rest-apis --query 'length(items)')"

# --- export as YAML, import the export -----------------------------------------------
aws apigateway get-export --rest-api-id "$ID" --stage-name test --export-type oas30 \
	--parameters extensions=apigateway --accepts application/yaml --query contentType "$SCRATCH/api.yaml" >"$SCRATCH/export.out"
check "openapi: get-export answers application/yaml" "application/yaml" "$(cat "$SCRATCH/export.out")"
check "openapi: the YAML export is OpenAPI 3.0.1" "openapi: 3.0.1" "$(grep '^openapi:' "$SCRATCH/api.yaml")"
COPY=$(aws apigateway import-rest-api --body "fileb://$SCRATCH/api.yaml" --fail-on-warnings --query id)
aws apigateway create-deployment --rest-api-id "$COPY" --stage-name test >/dev/null
check "openapi: the imported export answers the same" '200 {"greeting": "hello bob"}' \
	"$(call "$GANTRY/restapis/$COPY/test/_user_request_/greeting?name=bob")"
check "openapi: the imported export keeps the gateway responses" '404 {"message": "no such route", "path": "/test/nowhere"}' \
	"$(call "$GANTRY/restapis/$COPY/test/_user_request_/nowhere")"

# --- put-rest-api --mode overwrite with a greedy proxy --------------------------------
sed "s|http://petstore-demo-endpoint.execute-api.com|http://127.0.0.1:$BACKEND_PORT|g" "$DOCS/greedy-proxy.json" >"$SCRATCH/proxy.json"
aws apigateway put-rest-api --rest-api-id "$COPY" --mode overwrite --body "fileb://$SCRATCH/proxy.json" >/dev/null
check "openapi: overwrite replaces the resources" "/ /health /{proxy+}" \
	"$(aws apigateway get-resources --rest-api-id "$COPY" --query 'items[].path' --output json | python3 -c 'import json,sys; print(" ".join(sorted(json.load(sys.stdin))))')"
aws apigateway create-deployment --rest-api-id "$COPY" --stage-name test >/dev/null
check "openapi: ANY on {proxy+} proxies to the back end" "200 hello from the back end" \
	"$(call "$GANTRY/restapis/$COPY/test/_user_request_/hello.txt" | tr -d '\n')"
check "openapi: a literal path beats the greedy one" '200 {"status": "ok"}' \
	"$(call "$GANTRY/restapis/$COPY/test/_user_request_/health")"
