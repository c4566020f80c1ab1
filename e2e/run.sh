#!/usr/bin/env bash
# End-to-end test of Gantry with real clients. Run from the repo root:
#
#   bash e2e/run.sh
#
# 1. builds ./cmd/gantry into a temp dir and starts it on a free loopback port
#    with a fresh -data-dir;
# 2. drives it with the `aws` CLI (cli_test.sh), then builds, deploys and
#    calls an API with the CLI and curl (invoke_test.sh, the README example),
#    meters one with an API key and a usage plan (usage_test.sh), calls
#    an AWS_IAM method signed by curl and botocore, checks a resource
#    policy, then runs a second Gantry in strict mode (iam_test.sh); runs
#    Lambda integrations against Invoke endpoints on loopback with a second
#    Gantry, and a Lambda authorizer (lambda_test.sh); imports, calls,
#    exports and re-imports OpenAPI documents (openapi_test.sh);
# 3. stops it with SIGTERM and hands the data dir to crash_test.py (boto3):
#    200 APIs with customized gateway responses, SIGKILL during background
#    writes, restart and verify, more writes, SIGTERM, restart and verify.
#
# The last line is "N passed, M failed"; the exit status is non-zero when
# anything failed. Environment: E2E_SEED fixes the random seed of the crash
# test, E2E_KEEP=1 keeps the temp dir (logs, database) for inspection.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/.." && pwd)
START=$(date +%s.%N)

WORK=$(mktemp -d /tmp/gantry-e2e.XXXXXX)
export E2E_RESULTS="$WORK/results"
: >"$E2E_RESULTS"
PID_FILE="$WORK/gantry.pid"
# shellcheck source=lib.sh
. "$HERE/lib.sh"

PY_PID=
cleanup() {
	local rc=$?
	if [[ -n "$PY_PID" ]] && kill -0 "$PY_PID" 2>/dev/null; then
		kill -TERM "$PY_PID" 2>/dev/null || true
		wait "$PY_PID" 2>/dev/null || true
	fi
	if [[ -s "$PID_FILE" ]]; then
		local pid
		pid=$(cat "$PID_FILE")
		if kill -0 "$pid" 2>/dev/null; then
			kill -KILL "$pid" 2>/dev/null || true
			wait "$pid" 2>/dev/null || true
		fi
	fi
	if [[ "${E2E_KEEP:-}" == 1 ]]; then
		echo "kept $WORK" >&2
	else
		rm -rf "$WORK"
	fi
	exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

summary_and_exit() {
	local passed failed elapsed
	passed=$(grep -c '^PASS' "$E2E_RESULTS" || true)
	failed=$(grep -c '^FAIL' "$E2E_RESULTS" || true)
	elapsed=$(python3 -c "import sys; print('%.1f' % (float(sys.argv[2]) - float(sys.argv[1])))" "$START" "$(date +%s.%N)")
	echo
	echo "== summary (${elapsed} s) =="
	if [[ $failed -gt 0 ]]; then
		echo "failed checks:"
		grep '^FAIL' "$E2E_RESULTS" | cut -f2- | sed 's/^/  - /' | head -50
	fi
	echo "$passed passed, $failed failed"
	if [[ $failed -gt 0 || $passed -eq 0 ]]; then
		exit 1
	fi
	exit 0
}

# --- build ------------------------------------------------------------------------
echo "== building gantry =="
BIN="$WORK/gantry"
if (cd "$ROOT" && go build -o "$BIN" ./cmd/gantry); then
	pass "go build ./cmd/gantry"
else
	fail "go build ./cmd/gantry"
	summary_and_exit
fi

# --- start --------------------------------------------------------------------------
PORT=$(pick_port)
DATA="$WORK/data"
mkdir -p "$DATA"
echo "== starting gantry on 127.0.0.1:$PORT, data dir $DATA =="
"$BIN" -listen "127.0.0.1:$PORT" -data-dir "$DATA" -log-level warn 2>"$WORK/gantry-cli.log" &
GANTRY_PID=$!
echo "$GANTRY_PID" >"$PID_FILE"
if why=$(wait_ready "$GANTRY_PID" "$PORT" 10 2>&1); then
	pass "gantry answers on 127.0.0.1:$PORT"
else
	fail "gantry answers on 127.0.0.1:$PORT" "$why" "log: $(cat "$WORK/gantry-cli.log")"
	summary_and_exit
fi
if grep -q "Gantry is listening on http://127.0.0.1:$PORT" "$WORK/gantry-cli.log"; then
	pass "gantry prints 'Gantry is listening on http://127.0.0.1:$PORT'"
else
	fail "gantry prints 'Gantry is listening on http://127.0.0.1:$PORT'" "log: $(cat "$WORK/gantry-cli.log")"
fi

# Isolated AWS client configuration.
export AWS_ENDPOINT_URL="http://127.0.0.1:$PORT" AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test \
	AWS_DEFAULT_REGION=us-east-1 AWS_CONFIG_FILE="$WORK/aws-config" AWS_SHARED_CREDENTIALS_FILE="$WORK/aws-credentials"
unset AWS_PROFILE AWS_SESSION_TOKEN AWS_REGION 2>/dev/null || true

# --- aws CLI scenario ----------------------------------------------------------------------
echo "== aws CLI scenario =="
before=$(grep -c . "$E2E_RESULTS" || true)
if ! bash "$HERE/cli_test.sh"; then
	fail "cli_test.sh ran to completion"
fi
echo "   $(($(grep -c . "$E2E_RESULTS") - before)) CLI checks, $(tail -n +$((before + 1)) "$E2E_RESULTS" | grep -c '^FAIL' || true) failed"

# --- invoking deployed stages (the README's worked example) ----------------------------------
echo "== invoking deployed stages =="
before=$(grep -c . "$E2E_RESULTS" || true)
if ! bash "$HERE/invoke_test.sh"; then
	fail "invoke_test.sh ran to completion"
fi
echo "   $(($(grep -c . "$E2E_RESULTS") - before)) invocation checks, $(tail -n +$((before + 1)) "$E2E_RESULTS" | grep -c '^FAIL' || true) failed"

# --- API keys, usage plans, throttling and quotas (the README's API key example) -------------
echo "== API keys and usage plans =="
before=$(grep -c . "$E2E_RESULTS" || true)
if ! bash "$HERE/usage_test.sh"; then
	fail "usage_test.sh ran to completion"
fi
echo "   $(($(grep -c . "$E2E_RESULTS") - before)) usage checks, $(tail -n +$((before + 1)) "$E2E_RESULTS" | grep -c '^FAIL' || true) failed"

# --- IAM signatures on execute-api and strict mode (the README's IAM example) -------------
echo "== IAM signatures and strict mode =="
before=$(grep -c . "$E2E_RESULTS" || true)
if ! GANTRY_BIN="$BIN" bash "$HERE/iam_test.sh"; then
	fail "iam_test.sh ran to completion"
fi
echo "   $(($(grep -c . "$E2E_RESULTS") - before)) IAM checks, $(tail -n +$((before + 1)) "$E2E_RESULTS" | grep -c '^FAIL' || true) failed"

# --- Lambda integrations against Invoke endpoints on loopback (the README's Lambda example) ---
echo "== Lambda integrations =="
before=$(grep -c . "$E2E_RESULTS" || true)
if ! BIN="$BIN" bash "$HERE/lambda_test.sh"; then
	fail "lambda_test.sh ran to completion"
fi
echo "   $(($(grep -c . "$E2E_RESULTS") - before)) Lambda checks, $(tail -n +$((before + 1)) "$E2E_RESULTS" | grep -c '^FAIL' || true) failed"

# --- OpenAPI import and export (the README's import/export example) --------------------------
echo "== OpenAPI import and export =="
before=$(grep -c . "$E2E_RESULTS" || true)
if ! bash "$HERE/openapi_test.sh"; then
	fail "openapi_test.sh ran to completion"
fi
echo "   $(($(grep -c . "$E2E_RESULTS") - before)) OpenAPI checks, $(tail -n +$((before + 1)) "$E2E_RESULTS" | grep -c '^FAIL' || true) failed"

# --- graceful stop, then the boto3 durability test on the same data dir ----------------------
echo "== SIGTERM, then boto3 crash test on the same data dir =="
kill -TERM "$GANTRY_PID"
set +e
python3 - "$GANTRY_PID" <<'EOF'
import os, sys, time
pid = int(sys.argv[1])
deadline = time.monotonic() + 15
while time.monotonic() < deadline:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        sys.exit(0)
    time.sleep(0.05)
sys.exit(1)
EOF
wait "$GANTRY_PID"
rc=$?
set -e
if [[ $rc -eq 0 ]]; then
	pass "SIGTERM after the CLI scenario: gantry exits with status 0"
else
	fail "SIGTERM after the CLI scenario: gantry exits with status 0" "exit status $rc" "log: $(tail -c 2000 "$WORK/gantry-cli.log")"
fi

# In the background so that a signal to this script is handled at once (the trap
# then also stops the Gantry the crash test started, via $PID_FILE).
python3 "$HERE/crash_test.py" --bin "$BIN" --data-dir "$DATA" --port "$PORT" --pid-file "$PID_FILE" \
	--log-dir "$WORK" --results "$E2E_RESULTS" --expect-api pets &
PY_PID=$!
set +e
wait "$PY_PID"
rc=$?
set -e
PY_PID=
if [[ $rc -ne 0 ]]; then
	fail "crash_test.py exits 0" "exit status $rc"
fi

summary_and_exit
