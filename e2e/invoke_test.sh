#!/usr/bin/env bash
# The README's worked example, checked: builds an API with the real `aws`
# CLI (a MOCK method and an HTTP_PROXY to a loopback back end), deploys it,
# calls it with curl at every address form, and checks gateway responses and
# redeploy semantics. Expects AWS_ENDPOINT_URL, credentials and E2E_RESULTS.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=lib.sh
. "$HERE/lib.sh"

: "${AWS_ENDPOINT_URL:?}"
export AWS_DEFAULT_OUTPUT=text AWS_PAGER=""
GANTRY=$AWS_ENDPOINT_URL
PORT=${GANTRY##*:}

SCRATCH=$(mktemp -d /tmp/gantry-e2e-invoke.XXXXXX)
BACKEND_PID=
trap '[[ -n $BACKEND_PID ]] && kill $BACKEND_PID 2>/dev/null; rm -rf "$SCRATCH"' EXIT

# A static file back end on loopback.
mkdir -p "$SCRATCH/www"
printf 'hello from the back end\n' >"$SCRATCH/www/hello.txt"
BACKEND_PORT=$(pick_port)
python3 -m http.server "$BACKEND_PORT" --bind 127.0.0.1 --directory "$SCRATCH/www" >/dev/null 2>&1 &
BACKEND_PID=$!

# --- the worked example (keep in step with README.md) ---------------------------
ID=$(aws apigateway create-rest-api --name pets --query id)
ROOT=$(aws apigateway get-resources --rest-api-id "$ID" --query 'items[0].id')
PETS=$(aws apigateway create-resource --rest-api-id "$ID" --parent-id "$ROOT" --path-part pets --query id)
PET=$(aws apigateway create-resource --rest-api-id "$ID" --parent-id "$PETS" --path-part '{petId}' --query id)
aws apigateway put-method --rest-api-id "$ID" --resource-id "$PET" --http-method GET --authorization-type NONE >/dev/null
aws apigateway put-integration --rest-api-id "$ID" --resource-id "$PET" --http-method GET --type MOCK \
	--request-templates '{"application/json":"{\"statusCode\": 200}"}' >/dev/null
aws apigateway put-method-response --rest-api-id "$ID" --resource-id "$PET" --http-method GET --status-code 200 >/dev/null
aws apigateway put-integration-response --rest-api-id "$ID" --resource-id "$PET" --http-method GET --status-code 200 \
	--response-templates '{"application/json":"{\"id\": \"$input.params().path.petId\", \"stage\": \"$context.stage\"}"}' >/dev/null
FILES=$(aws apigateway create-resource --rest-api-id "$ID" --parent-id "$ROOT" --path-part files --query id)
PROXY=$(aws apigateway create-resource --rest-api-id "$ID" --parent-id "$FILES" --path-part '{proxy+}' --query id)
aws apigateway put-method --rest-api-id "$ID" --resource-id "$PROXY" --http-method ANY --authorization-type NONE >/dev/null
aws apigateway put-integration --rest-api-id "$ID" --resource-id "$PROXY" --http-method ANY --type HTTP_PROXY \
	--integration-http-method ANY --uri "http://127.0.0.1:\${stageVariables.backendPort}/{proxy}" >/dev/null
aws apigateway create-deployment --rest-api-id "$ID" --stage-name dev --variables backendPort="$BACKEND_PORT" >/dev/null

check "invoke: MOCK at /restapis/ID/dev/_user_request_/pets/5" '200 {"id": "5", "stage": "dev"}' \
	"$(call "$GANTRY/restapis/$ID/dev/_user_request_/pets/5")"
check "invoke: MOCK at the ID.execute-api.localhost host" '200 {"id": "5", "stage": "dev"}' \
	"$(call "http://127.0.0.1:$PORT/dev/pets/5" -H "Host: $ID.execute-api.localhost:$PORT")"
check "invoke: MOCK at the ID.execute-api.localhost.localstack.cloud host" '200 {"id": "5", "stage": "dev"}' \
	"$(call "http://127.0.0.1:$PORT/dev/pets/5" -H "Host: $ID.execute-api.localhost.localstack.cloud:$PORT")"
check "invoke: MOCK at /_aws/execute-api/ID/dev/pets/5" '200 {"id": "5", "stage": "dev"}' \
	"$(call "$GANTRY/_aws/execute-api/$ID/dev/pets/5")"
check "invoke: HTTP_PROXY with {proxy+} and a stage variable in the URI" "200 hello from the back end" \
	"$(call "$GANTRY/restapis/$ID/dev/_user_request_/files/hello.txt")"
check "invoke: an unknown path is 403 Missing Authentication Token" '403 {"message":"Missing Authentication Token"}' \
	"$(call "$GANTRY/restapis/$ID/dev/_user_request_/cats")"
check "invoke: an undefined method is 403 Missing Authentication Token" '403 {"message":"Missing Authentication Token"}' \
	"$(call "$GANTRY/restapis/$ID/dev/_user_request_/pets/5" -X DELETE)"
check "invoke: an unknown stage is 403 Forbidden" '403 {"message":"Forbidden"}' \
	"$(call "$GANTRY/restapis/$ID/nostage/_user_request_/pets/5")"

# A gateway response reaches the stage only with a new deployment.
aws apigateway put-gateway-response --rest-api-id "$ID" --response-type MISSING_AUTHENTICATION_TOKEN --status-code 404 \
	--response-templates '{"application/json":"{\"error\": \"no route for $context.httpMethod $context.path\"}"}' >/dev/null
check "invoke: an undeployed gateway response change is not live" '403 {"message":"Missing Authentication Token"}' \
	"$(call "$GANTRY/restapis/$ID/dev/_user_request_/cats")"
aws apigateway create-deployment --rest-api-id "$ID" --stage-name dev >/dev/null
check "invoke: after create-deployment the customized response is live" '404 {"error": "no route for GET /dev/cats"}' \
	"$(call "$GANTRY/restapis/$ID/dev/_user_request_/cats")"
check "invoke: the stage keeps its variables across deployments" "200 hello from the back end" \
	"$(call "$GANTRY/restapis/$ID/dev/_user_request_/files/hello.txt")"
check "invoke: x-amzn-ErrorType survives a status override" "x-amzn-ErrorType: MissingAuthenticationTokenException" \
	"$(curl -s -D - -o /dev/null "$GANTRY/restapis/$ID/dev/_user_request_/cats" | tr -d '\r' | grep -i '^x-amzn-ErrorType')"
