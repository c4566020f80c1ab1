#!/usr/bin/env bash
# The README's Lambda example, checked: a Gantry of its own (in memory) whose
# Lambda integrations go to two Invoke endpoints on loopback (lambda_stub.py,
# which speaks the Runtime Interface Emulator's protocol): one default
# (-lambda-endpoint) and one for the function "orders" (-lambda-endpoints).
# The API is built with the real `aws` CLI and called with curl. Expects BIN
# (the gantry binary), credentials and E2E_RESULTS. Then the README's Lambda
# authorizer example: a TOKEN authorizer played by the default stub.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=lib.sh
. "$HERE/lib.sh"

: "${BIN:?BIN must point at the gantry binary}"
export AWS_DEFAULT_OUTPUT=text AWS_PAGER=""

SCRATCH=$(mktemp -d /tmp/gantry-e2e-lambda.XXXXXX)
PIDS=()
cleanup() {
	local pid
	for pid in "${PIDS[@]}"; do
		kill "$pid" 2>/dev/null || true
		wait "$pid" 2>/dev/null || true
	done
	rm -rf "$SCRATCH"
}
trap cleanup EXIT

DEFAULT_PORT=$(pick_port)
python3 "$HERE/lambda_stub.py" "$DEFAULT_PORT" default &
PIDS+=($!)
ORDERS_PORT=$(pick_port)
python3 "$HERE/lambda_stub.py" "$ORDERS_PORT" orders &
PIDS+=($!)

PORT=$(pick_port)
"$BIN" -listen "127.0.0.1:$PORT" -memory -log-level warn \
	-lambda-endpoint "http://127.0.0.1:$DEFAULT_PORT" \
	-lambda-endpoints "orders=http://127.0.0.1:$ORDERS_PORT" 2>"$SCRATCH/gantry.log" &
PIDS+=($!)
if ! why=$(wait_ready "${PIDS[2]}" "$PORT" 10 2>&1); then
	fail "lambda: gantry with -lambda-endpoint answers" "$why" "log: $(cat "$SCRATCH/gantry.log")"
	exit 0
fi
export AWS_ENDPOINT_URL="http://127.0.0.1:$PORT"
for p in "$DEFAULT_PORT" "$ORDERS_PORT"; do
	for _ in $(seq 50); do
		curl -s -o /dev/null "http://127.0.0.1:$p/" && break
		sleep 0.1
	done
done

# --- the Lambda example (keep in step with README.md) ---------------------------
ID=$(aws apigateway create-rest-api --name fn --query id)
ROOT=$(aws apigateway get-resources --rest-api-id "$ID" --query 'items[0].id')
R=$(aws apigateway create-resource --rest-api-id "$ID" --parent-id "$ROOT" --path-part '{proxy+}' --query id)
aws apigateway put-method --rest-api-id "$ID" --resource-id "$R" --http-method ANY --authorization-type NONE >/dev/null
aws apigateway put-integration --rest-api-id "$ID" --resource-id "$R" --http-method ANY --type AWS_PROXY \
	--integration-http-method POST \
	--uri 'arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:000000000000:function:${stageVariables.fn}/invocations' >/dev/null
aws apigateway create-deployment --rest-api-id "$ID" --stage-name dev --variables fn=orders >/dev/null
URL="http://$ID.execute-api.localhost:$PORT/dev"

check "lambda: AWS_PROXY call reaches the function's own endpoint, signed" \
	'200 {"endpoint": "orders", "function": "orders", "method": "GET", "path": "/orders/42", "proxy": "orders/42", "query": {"verbose": "1"}, "signed": true, "stage": "dev"}' \
	"$(call "$URL/orders/42?verbose=1")"

# Another function (a stage variable change, no redeployment needed for it to
# take effect in the next call) goes to the default endpoint.
aws apigateway update-stage --rest-api-id "$ID" --stage-name dev --patch-operations op=replace,path=/variables/fn,value=users >/dev/null
check "lambda: another function goes to the default endpoint" \
	'200 {"endpoint": "default", "function": "users", "method": "DELETE", "path": "/users/7", "proxy": "users/7", "query": null, "signed": true, "stage": "dev"}' \
	"$(call "$URL/users/7" -X DELETE)"

check "lambda: function error -> 502 INTEGRATION_FAILURE" '502 {"message":"Internal server error"}' "$(call "$URL/boom")"
check "lambda: malformed proxy output -> 502" '502 {"message": "Internal server error"}' "$(call "$URL/malformed")"

aws apigateway put-gateway-response --rest-api-id "$ID" --response-type INTEGRATION_FAILURE \
	--response-parameters '{"gatewayresponse.header.Access-Control-Allow-Origin":"'"'*'"'"}' \
	--response-templates '{"application/json":"{\"error\":$context.error.messageString,\"type\":\"$context.error.responseType\"}"}' >/dev/null
aws apigateway create-deployment --rest-api-id "$ID" --stage-name dev >/dev/null
check "lambda: customized INTEGRATION_FAILURE keeps status 502" \
	'502 {"error":"Internal server error","type":"INTEGRATION_FAILURE"}' "$(call "$URL/boom")"
check "lambda: customized INTEGRATION_FAILURE header" "*" \
	"$(curl -s -o /dev/null -D - "$URL/boom" | tr -d '\r' | sed -n 's/^Access-Control-Allow-Origin: //Ip')"

# --- the Lambda authorizer example (keep in step with README.md; its own
# variables, as $URL and $ID are the Lambda example's) ---
GUARDED=$(aws apigateway create-rest-api --name guarded --query id)
GROOT=$(aws apigateway get-resources --rest-api-id "$GUARDED" --query 'items[0].id')
GR=$(aws apigateway create-resource --rest-api-id "$GUARDED" --parent-id "$GROOT" --path-part report --query id)
FN=arn:aws:lambda:us-east-1:000000000000:function:my-authorizer
AUTH=$(aws apigateway create-authorizer --rest-api-id "$GUARDED" --name tokens --type TOKEN \
	--authorizer-uri "arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/$FN/invocations" \
	--identity-source method.request.header.Authorization --authorizer-result-ttl-in-seconds 300 --query id)
aws apigateway put-method --rest-api-id "$GUARDED" --resource-id "$GR" --http-method GET \
	--authorization-type CUSTOM --authorizer-id "$AUTH" >/dev/null
aws apigateway put-integration --rest-api-id "$GUARDED" --resource-id "$GR" --http-method GET --type MOCK \
	--request-templates '{"application/json":"{\"statusCode\": 200}"}' >/dev/null
aws apigateway put-method-response --rest-api-id "$GUARDED" --resource-id "$GR" --http-method GET --status-code 200 >/dev/null
aws apigateway put-integration-response --rest-api-id "$GUARDED" --resource-id "$GR" --http-method GET --status-code 200 \
	--response-templates '{"application/json":"{\"user\": \"$context.authorizer.principalId\", \"tenant\": \"$context.authorizer.tenant\"}"}' >/dev/null
check "authorizer: test-invoke-authorizer runs the function" "200 user-1" \
	"$(aws apigateway test-invoke-authorizer --rest-api-id "$GUARDED" --authorizer-id "$AUTH" --headers Authorization=allow-me \
		--query '[clientStatus, principalId]' | tr '\t' ' ')"
aws apigateway create-deployment --rest-api-id "$GUARDED" --stage-name prod >/dev/null
GURL="http://$GUARDED.execute-api.localhost:$PORT/prod/report"
check "authorizer: no token -> 401" '401 {"message":"Unauthorized"}' "$(call "$GURL")"
check "authorizer: allowed token -> principal and context in the template" '200 {"user": "user-1", "tenant": "acme"}' \
	"$(call "$GURL" -H 'Authorization: allow-me')"
check "authorizer: denying policy -> 403" \
	'403 {"Message":"User is not authorized to access this resource with an explicit deny"}' \
	"$(call "$GURL" -H 'Authorization: deny-me')"
check "authorizer: function error Unauthorized -> 401" '401 {"message":"Unauthorized"}' \
	"$(call "$GURL" -H 'Authorization: let-me-in')"
if aws apigateway flush-stage-authorizers-cache --rest-api-id "$GUARDED" --stage-name prod >/dev/null; then
	pass "authorizer: flush-stage-authorizers-cache"
else
	fail "authorizer: flush-stage-authorizers-cache"
fi

# The endpoint goes away: INTEGRATION_FAILURE 500.
kill "${PIDS[0]}" && wait "${PIDS[0]}" 2>/dev/null || true
check "lambda: unreachable endpoint -> 500" '500 {"error":"Internal server error","type":"INTEGRATION_FAILURE"}' "$(call "$URL/users/7")"
