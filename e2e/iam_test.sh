#!/usr/bin/env bash
# The README's IAM example, checked: an AWS_IAM method made with the real
# `aws` CLI and called unsigned, signed by curl's own SigV4 signer
# (--aws-sigv4), signed by botocore, and with a wrong secret. Then a second
# Gantry in strict mode (-strict-sigv4 with a credentials file): the CLI
# works with listed credentials and gets AWS's errors with others. Before
# that, the README's resource policy example (allow, explicit deny, replaced
# policy). Expects AWS_ENDPOINT_URL, credentials test/test, E2E_RESULTS and
# GANTRY_BIN.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=lib.sh
. "$HERE/lib.sh"

: "${AWS_ENDPOINT_URL:?}" "${GANTRY_BIN:?}"
export AWS_DEFAULT_OUTPUT=text AWS_PAGER=""
PORT=${AWS_ENDPOINT_URL##*:}

SCRATCH=$(mktemp -d /tmp/gantry-e2e-iam.XXXXXX)
STRICT_PID=
cleanup_iam() {
	if [[ -n "$STRICT_PID" ]] && kill -0 "$STRICT_PID" 2>/dev/null; then
		kill -TERM "$STRICT_PID" 2>/dev/null || true
		wait "$STRICT_PID" 2>/dev/null || true
	fi
	rm -rf "$SCRATCH"
}
trap cleanup_iam EXIT

# --- the IAM example (keep in step with README.md) -----------------------------------
ID=$(aws apigateway create-rest-api --name private --query id)
ROOT=$(aws apigateway get-resources --rest-api-id "$ID" --query 'items[0].id')
R=$(aws apigateway create-resource --rest-api-id "$ID" --parent-id "$ROOT" --path-part whoami --query id)
aws apigateway put-method --rest-api-id "$ID" --resource-id "$R" --http-method GET --authorization-type AWS_IAM >/dev/null
aws apigateway put-integration --rest-api-id "$ID" --resource-id "$R" --http-method GET --type MOCK \
	--request-templates '{"application/json":"{\"statusCode\": 200}"}' >/dev/null
aws apigateway put-method-response --rest-api-id "$ID" --resource-id "$R" --http-method GET --status-code 200 >/dev/null
aws apigateway put-integration-response --rest-api-id "$ID" --resource-id "$R" --http-method GET --status-code 200 \
	--response-templates '{"application/json":"{\"arn\": \"$context.identity.userArn\", \"key\": \"$context.identity.accessKey\"}"}' >/dev/null
aws apigateway create-deployment --rest-api-id "$ID" --stage-name prod >/dev/null
URL="http://localhost:$PORT/restapis/$ID/prod/_user_request_/whoami"

check "iam: unsigned -> 403 Missing Authentication Token" '403 {"message":"Missing Authentication Token"}' "$(call "$URL")"
check "iam: signed by curl --aws-sigv4 -> 200 with the caller" \
	'200 {"arn": "arn:aws:iam::000000000000:root", "key": "test"}' \
	"$(call "$URL?q=a%20b&q=c" --aws-sigv4 aws:amz:us-east-1:execute-api --user test:test)"
got=$(call "$URL" --aws-sigv4 aws:amz:us-east-1:execute-api --user test:wrong)
want='403 {"message":"The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.\n\nThe Canonical String for this request should have been\n'"'"'GET\n/restapis/'"$ID"'/prod/_user_request_/whoami\n'
if [[ "$got" == "$want"* ]]; then
	pass "iam: wrong secret -> 403 with AWS's message and canonical request"
else
	fail "iam: wrong secret -> 403 with AWS's message and canonical request" "want: $want..." "got:  $got"
fi
check "iam: unknown access key -> 403 security token invalid" \
	'403 {"Message":"The security token included in the request is invalid."}' \
	"$(call "$URL" --aws-sigv4 aws:amz:us-east-1:execute-api --user AKIANOBODY:x)"
check "iam: signed by botocore -> 200" '200 {"arn": "arn:aws:iam::000000000000:root", "key": "test"}' "$(python3 - "$URL" <<'PY'
import sys, urllib.request
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials
req = AWSRequest(method="GET", url=sys.argv[1] + "?name=%C3%A9t%C3%A9")
SigV4Auth(Credentials("test", "test"), "execute-api", "us-east-1").add_auth(req)
p = req.prepare()
with urllib.request.urlopen(urllib.request.Request(p.url, headers=dict(p.headers))) as r:
    print(r.status, r.read().decode())
PY
)"

# --- the resource policy example (keep in step with README.md) ------------------------
cat >"$SCRATCH/policy.json" <<'END'
{"Version":"2012-10-17","Statement":[
  {"Effect":"Allow","Principal":"*","Action":"execute-api:Invoke","Resource":"execute-api:/*",
   "Condition":{"IpAddress":{"aws:SourceIp":["127.0.0.1/32"]}}},
  {"Effect":"Deny","Principal":"*","Action":"execute-api:Invoke","Resource":"execute-api:/*/*/admin"}]}
END
FENCED=$(aws apigateway create-rest-api --name fenced --policy "file://$SCRATCH/policy.json" --query id)
PROOT=$(aws apigateway get-resources --rest-api-id "$FENCED" --query 'items[0].id')
PR=$(aws apigateway create-resource --rest-api-id "$FENCED" --parent-id "$PROOT" --path-part '{proxy+}' --query id)
aws apigateway put-method --rest-api-id "$FENCED" --resource-id "$PR" --http-method ANY --authorization-type NONE >/dev/null
aws apigateway put-integration --rest-api-id "$FENCED" --resource-id "$PR" --http-method ANY --type MOCK \
	--request-templates '{"application/json":"{\"statusCode\": 200}"}' >/dev/null
aws apigateway put-method-response --rest-api-id "$FENCED" --resource-id "$PR" --http-method ANY --status-code 200 >/dev/null
aws apigateway put-integration-response --rest-api-id "$FENCED" --resource-id "$PR" --http-method ANY --status-code 200 \
	--response-templates '{"application/json":"{\"path\": \"$context.path\"}"}' >/dev/null
aws apigateway create-deployment --rest-api-id "$FENCED" --stage-name prod >/dev/null
PURL="http://$FENCED.execute-api.localhost:$PORT/prod"
check "policy: allowed from 127.0.0.1" '200 {"path": "/prod/hello"}' "$(call "$PURL/hello")"
check "policy: explicit deny" \
	'403 {"Message":"User: anonymous is not authorized to perform: execute-api:Invoke on resource: arn:aws:execute-api:us-east-1:********0000:'"$FENCED"'/prod/GET/admin with an explicit deny"}' \
	"$(call "$PURL/admin")"
cat >"$SCRATCH/policy.json" <<'END'
{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"execute-api:Invoke",
  "Resource":"execute-api:/*","Condition":{"IpAddress":{"aws:SourceIp":["192.0.2.0/24"]}}}]}
END
POLICY=$(python3 -c 'import json,sys; print(json.dumps(sys.stdin.read()))' <"$SCRATCH/policy.json")
aws apigateway update-rest-api --rest-api-id "$FENCED" \
	--patch-operations "[{\"op\":\"replace\",\"path\":\"/policy\",\"value\":$POLICY}]" >/dev/null
aws apigateway create-deployment --rest-api-id "$FENCED" --stage-name prod >/dev/null
check "policy: replaced by update-rest-api, 127.0.0.1 no longer allowed" \
	'403 {"Message":"User: anonymous is not authorized to perform: execute-api:Invoke on resource: arn:aws:execute-api:us-east-1:********0000:'"$FENCED"'/prod/GET/hello"}' \
	"$(call "$PURL/hello")"

# --- strict mode ----------------------------------------------------------------------
SPORT=$(pick_port)
cat >"$SCRATCH/credentials.json" <<'JSON'
{"credentials": [{"accessKeyId": "AKIAALICE", "secretAccessKey": "alice-secret",
  "accountId": "111122223333", "userArn": "arn:aws:iam::111122223333:user/alice"}]}
JSON
GANTRY_STRICT_SIGV4=true GANTRY_CREDENTIALS_FILE="$SCRATCH/credentials.json" AWS_ACCESS_KEY_ID= AWS_SECRET_ACCESS_KEY= \
	"$GANTRY_BIN" -listen "127.0.0.1:$SPORT" -memory -log-level warn 2>"$SCRATCH/strict.log" &
STRICT_PID=$!
if why=$(wait_ready "$STRICT_PID" "$SPORT" 10 2>&1); then
	pass "strict: gantry -strict-sigv4 answers"
else
	fail "strict: gantry -strict-sigv4 answers" "$why" "log: $(cat "$SCRATCH/strict.log")"
	exit 0
fi
strict_aws() {
	AWS_ENDPOINT_URL="http://127.0.0.1:$SPORT" aws apigateway "$@" 2>&1 || true
}
check "strict: listed credentials work" "private" \
	"$(AWS_ACCESS_KEY_ID=AKIAALICE AWS_SECRET_ACCESS_KEY=alice-secret strict_aws create-rest-api --name private --query name)"
check "strict: test/test is not in the file -> UnrecognizedClientException" \
	"An error occurred (UnrecognizedClientException) when calling the GetRestApis operation: The security token included in the request is invalid." \
	"$(strict_aws get-rest-apis | tr -d '\n')"
got=$(AWS_ACCESS_KEY_ID=AKIAALICE AWS_SECRET_ACCESS_KEY=wrong strict_aws get-rest-apis | tr -d '\n')
want="An error occurred (InvalidSignatureException) when calling the GetRestApis operation: The request signature we calculated does not match"
if [[ "$got" == "$want"* ]]; then
	pass "strict: wrong secret -> InvalidSignatureException"
else
	fail "strict: wrong secret -> InvalidSignatureException" "got: $got"
fi
check "strict: unsigned -> 403 Missing Authentication Token" '403 {"message":"Missing Authentication Token"}' \
	"$(call "http://127.0.0.1:$SPORT/restapis")"
if grep -q "alice-secret" "$SCRATCH/strict.log"; then
	fail "strict: the secret is not logged" "$(cat "$SCRATCH/strict.log")"
else
	pass "strict: the secret is not logged"
fi
