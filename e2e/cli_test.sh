#!/usr/bin/env bash
# Drives a running Gantry with the real `aws` CLI (v1) through the gateway
# response scenario. Expects AWS_ENDPOINT_URL and credentials in the
# environment and E2E_RESULTS pointing at the results file (see lib.sh).
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=lib.sh
. "$HERE/lib.sh"

: "${AWS_ENDPOINT_URL:?}"
export AWS_DEFAULT_OUTPUT=json AWS_PAGER=""

SCRATCH=$(mktemp -d /tmp/gantry-e2e-cli.XXXXXX)
trap 'rm -rf "$SCRATCH"' EXIT

# aws_run ARGS...: run `aws apigateway ARGS...`; sets RC, OUT (stdout), ERR (stderr).
aws_run() {
	set +e
	aws apigateway "$@" >"$SCRATCH/out" 2>"$SCRATCH/err"
	RC=$?
	set -e
	OUT=$(cat "$SCRATCH/out")
	ERR=$(cat "$SCRATCH/err")
	LAST_CMD="aws apigateway $*"
}

# expect_ok DESC: the last command exited 0.
expect_ok() {
	if [[ $RC -eq 0 ]]; then
		pass "$1"
	else
		fail "$1" "command: $LAST_CMD" "exit code $RC (want 0)" "stderr: $ERR"
	fi
}

# expect_json DESC EXPR: EXPR (python, document bound to d) holds on the last stdout.
expect_json() {
	local why
	if [[ $RC -ne 0 ]]; then
		fail "$1" "command: $LAST_CMD" "exit code $RC, stderr: $ERR"
		return
	fi
	if why=$(printf '%s' "$OUT" | python3 "$HERE/jsoncheck.py" "$2"); then
		pass "$1"
	else
		fail "$1" "command: $LAST_CMD" "$why"
	fi
}

# expect_error DESC NEEDLE: the last command failed and stderr contains NEEDLE verbatim.
expect_error() {
	if [[ $RC -eq 0 ]]; then
		fail "$1" "command: $LAST_CMD" "exit code 0 (want non-zero)" "stdout: $OUT"
	elif [[ "$ERR" != *"$2"* ]]; then
		fail "$1" "command: $LAST_CMD" "stderr does not contain: $2" "stderr was: $ERR"
	else
		pass "$1"
	fi
}

DEFAULT_TEMPLATE='{"message":$context.error.messageString}'
export DEFAULT_TEMPLATE
ENUM_LIST='[REQUEST_TOO_LARGE, RESOURCE_NOT_FOUND, AUTHORIZER_CONFIGURATION_ERROR, MISSING_AUTHENTICATION_TOKEN, BAD_REQUEST_BODY, INVALID_SIGNATURE, INVALID_API_KEY, BAD_REQUEST_PARAMETERS, AUTHORIZER_FAILURE, UNAUTHORIZED, INTEGRATION_TIMEOUT, ACCESS_DENIED, DEFAULT_4XX, DEFAULT_5XX, WAF_FILTERED, QUOTA_EXCEEDED, THROTTLED, API_CONFIGURATION_ERROR, UNSUPPORTED_MEDIA_TYPE, INTEGRATION_FAILURE, EXPIRED_TOKEN]'

# --- create-rest-api ---------------------------------------------------------
aws_run create-rest-api --name pets
expect_ok "cli: create-rest-api --name pets exits 0"
expect_json "cli: create-rest-api echoes name pets, an id and a root resource" \
	'd["name"] == "pets" and len(d["id"]) == 10 and d["id"].isalnum() and d.get("rootResourceId")'
API_ID=$(printf '%s' "$OUT" | python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])' 2>/dev/null || true)
if [[ -z "$API_ID" ]]; then
	fail "cli: no API id, cannot continue the CLI scenario"
	exit 0
fi

# --- get-gateway-responses on a fresh API ---------------------------------------
aws_run get-gateway-responses --rest-api-id "$API_ID"
expect_ok "cli: get-gateway-responses exits 0"
expect_json "cli: get-gateway-responses lists 21 items, one per response type" \
	'len(d["items"]) == 21 and len(by_type(d)) == 21'
expect_json "cli: fresh DEFAULT_4XX and DEFAULT_5XX have no statusCode" \
	'"statusCode" not in by_type(d)["DEFAULT_4XX"] and "statusCode" not in by_type(d)["DEFAULT_5XX"]'
expect_json "cli: fresh INTEGRATION_FAILURE shows statusCode \"504\"" \
	'by_type(d)["INTEGRATION_FAILURE"]["statusCode"] == "504"'
expect_json "cli: fresh items are all defaultResponse true with {} parameters and the default template" \
	'all(i["defaultResponse"] is True and i["responseParameters"] == {} and i["responseTemplates"] == {"application/json": "{\"message\":$context.error.messageString}"} for i in d["items"])'
expect_json "cli: fresh UNAUTHORIZED is 401, MISSING_AUTHENTICATION_TOKEN 403, THROTTLED 429" \
	'by_type(d)["UNAUTHORIZED"]["statusCode"] == "401" and by_type(d)["MISSING_AUTHENTICATION_TOKEN"]["statusCode"] == "403" and by_type(d)["THROTTLED"]["statusCode"] == "429"'

# --- put-gateway-response ---------------------------------------------------------
aws_run put-gateway-response --rest-api-id "$API_ID" --response-type DEFAULT_4XX --status-code 418 \
	--response-parameters '{"gatewayresponse.header.Access-Control-Allow-Origin":"'"'"'*'"'"'"}' \
	--response-templates '{"application/json":"{\"error\":$context.error.messageString}"}'
expect_ok "cli: put-gateway-response DEFAULT_4XX exits 0"
expect_json "cli: put-gateway-response echoes the customization with defaultResponse false" \
	'd == {"responseType": "DEFAULT_4XX", "statusCode": "418", "responseParameters": {"gatewayresponse.header.Access-Control-Allow-Origin": "'"'"'*'"'"'"}, "responseTemplates": {"application/json": "{\"error\":$context.error.messageString}"}, "defaultResponse": False}'

# --- update-gateway-response --------------------------------------------------------
aws_run update-gateway-response --rest-api-id "$API_ID" --response-type DEFAULT_4XX \
	--patch-operations op=replace,path=/statusCode,value=444
expect_ok "cli: update-gateway-response exits 0"
expect_json "cli: update-gateway-response sets statusCode 444 and keeps the rest" \
	'd == {"responseType": "DEFAULT_4XX", "statusCode": "444", "responseParameters": {"gatewayresponse.header.Access-Control-Allow-Origin": "'"'"'*'"'"'"}, "responseTemplates": {"application/json": "{\"error\":$context.error.messageString}"}, "defaultResponse": False}'

# --- inheritance in the read view -----------------------------------------------------
aws_run get-gateway-response --rest-api-id "$API_ID" --response-type UNAUTHORIZED
expect_ok "cli: get-gateway-response UNAUTHORIZED exits 0"
expect_json "cli: UNAUTHORIZED inherits DEFAULT_4XX (defaultResponse true, statusCode 444, its header and template)" \
	'd == {"responseType": "UNAUTHORIZED", "statusCode": "444", "responseParameters": {"gatewayresponse.header.Access-Control-Allow-Origin": "'"'"'*'"'"'"}, "responseTemplates": {"application/json": "{\"error\":$context.error.messageString}"}, "defaultResponse": True}'

aws_run get-gateway-responses --rest-api-id "$API_ID"
expect_json "cli: after the DEFAULT_4XX customization, 5xx types are untouched (INTEGRATION_FAILURE 504, no header)" \
	'by_type(d)["INTEGRATION_FAILURE"]["statusCode"] == "504" and by_type(d)["INTEGRATION_FAILURE"]["responseParameters"] == {} and by_type(d)["INTEGRATION_FAILURE"]["defaultResponse"] is True'

# --- delete-gateway-response -------------------------------------------------------------
aws_run delete-gateway-response --rest-api-id "$API_ID" --response-type DEFAULT_4XX
expect_ok "cli: delete-gateway-response DEFAULT_4XX exits 0"
if [[ $RC -eq 0 && -n "$OUT" ]]; then
	fail "cli: delete-gateway-response prints nothing" "stdout: $OUT"
else
	pass "cli: delete-gateway-response prints nothing"
fi
aws_run get-gateway-response --rest-api-id "$API_ID" --response-type UNAUTHORIZED
expect_json "cli: after the delete, UNAUTHORIZED is back to its default (401, no header)" \
	'd == {"responseType": "UNAUTHORIZED", "statusCode": "401", "responseParameters": {}, "responseTemplates": {"application/json": "{\"message\":$context.error.messageString}"}, "defaultResponse": True}'
aws_run delete-gateway-response --rest-api-id "$API_ID" --response-type DEFAULT_4XX
expect_error "cli: deleting DEFAULT_4XX again fails with NotFoundException" \
	"(NotFoundException) when calling the DeleteGatewayResponse operation: Gateway response type not defined on api"

# --- errors ----------------------------------------------------------------------------------
aws_run get-gateway-response --rest-api-id "$API_ID" --response-type FAKE
expect_error "cli: get-gateway-response --response-type FAKE fails with the ValidationException text" \
	"(ValidationException) when calling the GetGatewayResponse operation: 1 validation error detected: Value 'FAKE' at 'responseType' failed to satisfy constraint: Member must satisfy enum value set: $ENUM_LIST"

BOGUS_ID=zz99nope00
aws_run get-gateway-response --rest-api-id "$BOGUS_ID" --response-type UNAUTHORIZED
expect_error "cli: get-gateway-response on an unknown API fails with NotFoundException" \
	"(NotFoundException) when calling the GetGatewayResponse operation: Invalid API identifier specified 000000000000:$BOGUS_ID"

# Leave one customization behind so the crash test can check it survives restarts.
aws_run put-gateway-response --rest-api-id "$API_ID" --response-type DEFAULT_5XX --status-code 503 \
	--response-parameters '{"gatewayresponse.header.Retry-After":"'"'"'30'"'"'"}'
expect_json "cli: put-gateway-response DEFAULT_5XX 503 (kept for the restart checks)" \
	'd["statusCode"] == "503" and d["defaultResponse"] is False'
