#!/usr/bin/env bash
# The README's API key example, checked: an API key and a usage plan with a
# quota, made with the real `aws` CLI; calls with curl (no key, a wrong key,
# the key until the quota is spent); get-usage and update-usage; a stage
# throttle set with update-stage. Expects AWS_ENDPOINT_URL, credentials and
# E2E_RESULTS.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=lib.sh
. "$HERE/lib.sh"

: "${AWS_ENDPOINT_URL:?}"
export AWS_DEFAULT_OUTPUT=text AWS_PAGER=""
GANTRY=$AWS_ENDPOINT_URL
PORT=${GANTRY##*:}

SCRATCH=$(mktemp -d /tmp/gantry-e2e-usage.XXXXXX)
trap 'rm -rf "$SCRATCH"' EXIT

# --- the API key example (keep in step with README.md) ---------------------------
ID=$(aws apigateway create-rest-api --name metered --query id)
ROOT=$(aws apigateway get-resources --rest-api-id "$ID" --query 'items[0].id')
R=$(aws apigateway create-resource --rest-api-id "$ID" --parent-id "$ROOT" --path-part report --query id)
aws apigateway put-method --rest-api-id "$ID" --resource-id "$R" --http-method GET --authorization-type NONE --api-key-required >/dev/null
aws apigateway put-integration --rest-api-id "$ID" --resource-id "$R" --http-method GET --type MOCK \
	--request-templates '{"application/json":"{\"statusCode\": 200}"}' >/dev/null
aws apigateway put-method-response --rest-api-id "$ID" --resource-id "$R" --http-method GET --status-code 200 >/dev/null
aws apigateway put-integration-response --rest-api-id "$ID" --resource-id "$R" --http-method GET --status-code 200 \
	--response-templates '{"application/json":"{\"caller\": \"$context.identity.apiKeyId\"}"}' >/dev/null
aws apigateway create-deployment --rest-api-id "$ID" --stage-name prod >/dev/null

KEY_ID=$(aws apigateway create-api-key --name customer-1 --enabled --query id)
KEY=$(aws apigateway get-api-key --api-key "$KEY_ID" --include-value --query value)
PLAN=$(aws apigateway create-usage-plan --name basic --api-stages apiId="$ID",stage=prod \
	--throttle burstLimit=10,rateLimit=5 --quota limit=3,period=DAY --query id)
aws apigateway create-usage-plan-key --usage-plan-id "$PLAN" --key-id "$KEY_ID" --key-type API_KEY >/dev/null
URL="http://$ID.execute-api.localhost:$PORT/prod/report"

check "usage: no x-api-key -> 403 Forbidden" '403 {"message":"Forbidden"}' "$(call "$URL")"
check "usage: unknown key -> 403 Forbidden" '403 {"message":"Forbidden"}' "$(call "$URL" -H 'x-api-key: not-a-key-at-all-000000000')"
for i in 1 2 3; do
	check "usage: call $i of 3 within the quota" "200 {\"caller\": \"$KEY_ID\"}" "$(call "$URL" -H "x-api-key: $KEY")"
done
check "usage: 4th call -> 429 Limit Exceeded" '429 {"message":"Limit Exceeded"}' "$(call "$URL" -H "x-api-key: $KEY")"
TODAY=$(date -u +%Y-%m-%d)
check "usage: get-usage reports [used, remaining] for today" "3	0" \
	"$(aws apigateway get-usage --usage-plan-id "$PLAN" --start-date "$TODAY" --end-date "$TODAY" --query "items.\"$KEY_ID\"[0]")"
aws apigateway update-usage --usage-plan-id "$PLAN" --key-id "$KEY_ID" \
	--patch-operations op=replace,path=/remaining,value=1 >/dev/null
check "usage: update-usage grants one more call" "200 {\"caller\": \"$KEY_ID\"}" "$(call "$URL" -H "x-api-key: $KEY")"
check "usage: then the quota is spent again" '429 {"message":"Limit Exceeded"}' "$(call "$URL" -H "x-api-key: $KEY")"

# A stage throttle of rate 0, burst 0 switches the method off (throttles are
# checked before the quota).
aws apigateway update-stage --rest-api-id "$ID" --stage-name prod --patch-operations \
	'op=replace,path=/*/*/throttling/rateLimit,value=0' 'op=replace,path=/*/*/throttling/burstLimit,value=0' >/dev/null
check "usage: stage throttle 0/0 -> 429 Too Many Requests" '429 {"message":"Too Many Requests"}' "$(call "$URL" -H "x-api-key: $KEY")"
check "usage: THROTTLED carries TooManyRequestsException" "TooManyRequestsException" \
	"$(curl -s -o /dev/null -D - -H "x-api-key: $KEY" "$URL" | tr -d '\r' | sed -n 's/^x-amzn-ErrorType: //Ip')"

# Disabling the key takes effect at once, without a deployment.
aws apigateway update-api-key --api-key "$KEY_ID" --patch-operations op=replace,path=/enabled,value=false >/dev/null
check "usage: disabled key -> 403 Forbidden" '403 {"message":"Forbidden"}' "$(call "$URL" -H "x-api-key: $KEY")"
