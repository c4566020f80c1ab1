#!/usr/bin/env bash
# Load test: Gantry's data plane against nginx, on one machine, in one run.
#
#   bash bench/run.sh            # from the repository root
#
# Builds Gantry and a tiny Go back end, configures one API through the AWS API
# with the aws CLI, starts nginx as a reverse proxy and as a static 404
# responder, loads each target with wrk (a warm-up run, then a measured run),
# and prints requests/s, p50 and p99 per target, the ratios Gantry/nginx and
# Gantry/direct, Gantry's peak RSS and one summary line. Everything listens
# on 127.0.0.1 only and is stopped on exit. Installs nothing: it says what to
# install when a tool is missing.
#
# Environment (all optional):
#   BENCH_DURATION     measured run per target, wrk syntax (default 10s)
#   BENCH_WARMUP       warm-up run per target (default 2s)
#   BENCH_THREADS      wrk threads (default 1)
#   BENCH_CONNECTIONS  wrk connections, the same for every target (default 64)
#   BENCH_SERVER_CPUS  CPU list for the servers under test (default 0)
#   BENCH_LOAD_CPUS    CPU list for wrk (default 1)
#   BENCH_APIS         deployed APIs while measuring, for the memory figure (default 100)
#   BENCH_KEEP=1       keep the work directory (logs, configs) for inspection
#   BENCH_PROFILE=DIR  write a 5 s CPU profile of Gantry, taken during each of its
#                      measured runs, to DIR/{proxy,mock,gateway-response}.pprof
#                      (Gantry runs with -pprof-listen; read them with
#                      go tool pprof; the figures then include the profiler's cost)
set -euo pipefail

DURATION=${BENCH_DURATION:-10s}
WARMUP=${BENCH_WARMUP:-2s}
THREADS=${BENCH_THREADS:-1}
CONNECTIONS=${BENCH_CONNECTIONS:-64}

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"

die() {
	printf 'bench: %s\n' "$*" >&2
	exit 1
}
log() { printf '== %s\n' "$*" >&2; }

# --- 1. tools ---------------------------------------------------------------
# nginx lives in /usr/sbin, which a non-root PATH often lacks.
NGINX=$(command -v nginx || true)
[[ -z $NGINX && -x /usr/sbin/nginx ]] && NGINX=/usr/sbin/nginx
missing=() packages=()
need() { # need COMMAND DEBIAN-PACKAGE
	if ! command -v "$1" >/dev/null; then
		missing+=("$1")
		[[ -n $2 ]] && packages+=("$2")
	fi
	return 0
}
need wrk wrk
need aws awscli
need curl curl
need python3 python3 # free ports
need taskset util-linux
need awk gawk
need go ""
if [[ -z $NGINX ]]; then
	missing+=(nginx)
	packages+=(nginx)
fi
if ((${#missing[@]})); then
	printf 'bench: missing: %s\n' "${missing[*]}" >&2
	if ((${#packages[@]})); then
		sudo=sudo
		((EUID == 0)) && sudo=
		printf 'install with:\n  %s\n' "${sudo:+sudo }apt-get update && ${sudo:+sudo }apt-get install -y ${packages[*]}" >&2
	fi
	if [[ " ${missing[*]} " == *" go "* ]]; then
		# Debian's golang package is older than go.mod asks for.
		printf 'Go: install the version go.mod names (%s) from https://go.dev/dl/\n' \
			"$(awk '$1 == "go" {print $2}' go.mod)" >&2
	fi
	exit 1
fi

# --- CPU pinning ---------------------------------------------------------------
# On 2 cores the load generator and the servers each get one: the servers
# under test (nginx with worker_processes 1, Gantry and the back end with
# GOMAXPROCS=1) on CPU 0 and wrk on CPU 1. A proxy target therefore shares
# its core with the back end, nginx and Gantry alike, which is what a
# one-core gateway in front of a co-located service looks like; wrk never
# steals the servers' CPU, so the ratios compare the servers, not the
# scheduler. With fewer than 2 CPUs nothing is pinned (and the figures are
# only rough).
NCPU=$(nproc)
SERVER_CPUS=${BENCH_SERVER_CPUS:-0}
LOAD_CPUS=${BENCH_LOAD_CPUS:-1}
if ((NCPU >= 2)); then
	on_servers=(taskset -c "$SERVER_CPUS")
	on_load=(taskset -c "$LOAD_CPUS")
	pinning="servers on CPU $SERVER_CPUS, wrk on CPU $LOAD_CPUS"
else
	on_servers=()
	on_load=()
	pinning="none (only $NCPU CPU)"
	SERVER_CPUS=0-$((NCPU - 1))
fi
# The server CPUs as a list of numbers ("0,2-3" -> "0 2 3"), for cpu_ticks.
SERVER_CPU_IDS=()
IFS=, read -ra cpu_parts <<<"$SERVER_CPUS"
for part in "${cpu_parts[@]}"; do
	if [[ $part == *-* ]]; then
		for ((i = ${part%-*}; i <= ${part#*-}; i++)); do SERVER_CPU_IDS+=("$i"); done
	else
		SERVER_CPU_IDS+=("$part")
	fi
done

# cpu_ticks: busy and total clock ticks of the server CPUs since boot, from
# /proc/stat (user nice system idle iowait irq softirq steal). Sampled
# around a measured run, they give how busy the servers' cores were: near
# 100% means the figure is the servers' limit; well below means something
# else (the load generator, say) was.
cpu_ticks() {
	awk -v ids=" ${SERVER_CPU_IDS[*]} " '
		$1 ~ /^cpu[0-9]+$/ && index(ids, " " substr($1, 4) " ") {
			busy += $2 + $3 + $4 + $7 + $8 + $9
			total += $2 + $3 + $4 + $5 + $6 + $7 + $8 + $9
		}
		END { print busy, total }' /proc/stat
}

# --- work directory and clean-up ----------------------------------------------
WORK=$(mktemp -d /tmp/gantry-bench.XXXXXX)
PIDS=()
cleanup() {
	local status=$? pid
	for pid in "${PIDS[@]}"; do
		kill "$pid" 2>/dev/null || true
	done
	for pid in "${PIDS[@]}"; do
		wait "$pid" 2>/dev/null || true
	done
	if [[ ${BENCH_KEEP:-} == 1 ]]; then
		log "kept $WORK"
	else
		rm -rf "$WORK"
	fi
	exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

free_port() {
	python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
}

# wait_http NAME PID URL [CURL ARGS...]: wait until URL answers HTTP (any
# status), failing if the process dies or 10 s pass.
wait_http() {
	local name=$1 pid=$2 url=$3 i
	shift 3
	for ((i = 0; i < 200; i++)); do
		kill -0 "$pid" 2>/dev/null || die "$name exited before answering (logs in $WORK, kept with BENCH_KEEP=1)"
		if curl -s -o /dev/null --max-time 1 "$@" "$url"; then
			return 0
		fi
		sleep 0.05
	done
	die "$name did not answer at $url within 10 s"
}

# expect NAME WANT_STATUS WANT_BODY URL [CURL ARGS...]: one request, checked.
expect() {
	local name=$1 want_status=$2 want_body=$3 url=$4 got
	shift 4
	got=$(curl -s --max-time 5 -w ' %{http_code}' "$@" "$url") || die "$name: curl $url failed"
	[[ $got == "$want_body $want_status" ]] ||
		die "$name: $url answered '${got% *}' with status ${got##* }, want '$want_body' with status $want_status"
}

# --- 2 & 3. build and start Gantry and the back end -------------------------
log "building Gantry and the back end"
go build -o "$WORK/gantry" ./cmd/gantry
go build -o "$WORK/backend" ./bench/backend

BACKEND_PORT=$(free_port)
GOMAXPROCS=1 "${on_servers[@]}" "$WORK/backend" -listen "127.0.0.1:$BACKEND_PORT" 2>"$WORK/backend.log" &
PIDS+=($!)
wait_http backend "$!" "http://127.0.0.1:$BACKEND_PORT/"
BODY='{"pet":"ok","id":42,"name":"Rex"}'
expect backend 200 "$BODY" "http://127.0.0.1:$BACKEND_PORT/pets"

GANTRY_PORT=$(free_port)
GANTRY_ARGS=()
if [[ -n ${BENCH_PROFILE:-} ]]; then
	mkdir -p "$BENCH_PROFILE"
	BENCH_PROFILE=$(cd "$BENCH_PROFILE" && pwd)
	PPROF_PORT=$(free_port)
	GANTRY_ARGS+=(-pprof-listen "127.0.0.1:$PPROF_PORT")
fi
GOMAXPROCS=1 "${on_servers[@]}" "$WORK/gantry" -memory -listen "127.0.0.1:$GANTRY_PORT" -log-level error "${GANTRY_ARGS[@]}" 2>"$WORK/gantry.log" &
GANTRY_PID=$!
PIDS+=("$GANTRY_PID")
wait_http gantry "$GANTRY_PID" "http://127.0.0.1:$GANTRY_PORT/restapis"

# --- 4. one API, configured through the AWS API ------------------------------
log "configuring the API with the aws CLI"
export AWS_ENDPOINT_URL="http://127.0.0.1:$GANTRY_PORT"
export AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test AWS_DEFAULT_REGION=us-east-1
export AWS_DEFAULT_OUTPUT=text AWS_PAGER=""
# Keep the caller's profiles, credentials and settings out of it.
export AWS_CONFIG_FILE=/dev/null AWS_SHARED_CREDENTIALS_FILE=/dev/null
unset AWS_PROFILE AWS_SESSION_TOKEN
apigw() { aws apigateway "$@"; }

API=$(apigw create-rest-api --name bench --query id)
ROOT_ID=$(apigw get-resources --rest-api-id "$API" --query 'items[0].id')
# GET /pets -> HTTP_PROXY to the back end (nginx's proxy target gets the
# same path).
PETS=$(apigw create-resource --rest-api-id "$API" --parent-id "$ROOT_ID" --path-part pets --query id)
apigw put-method --rest-api-id "$API" --resource-id "$PETS" --http-method GET --authorization-type NONE >/dev/null
apigw put-integration --rest-api-id "$API" --resource-id "$PETS" --http-method GET --type HTTP_PROXY \
	--integration-http-method GET --uri "http://127.0.0.1:$BACKEND_PORT/pets" >/dev/null
# GET /mock -> MOCK with a small response template (one $context variable,
# so the template engine runs).
MOCK=$(apigw create-resource --rest-api-id "$API" --parent-id "$ROOT_ID" --path-part mock --query id)
apigw put-method --rest-api-id "$API" --resource-id "$MOCK" --http-method GET --authorization-type NONE >/dev/null
apigw put-integration --rest-api-id "$API" --resource-id "$MOCK" --http-method GET --type MOCK \
	--request-templates '{"application/json":"{\"statusCode\": 200}"}' >/dev/null
apigw put-method-response --rest-api-id "$API" --resource-id "$MOCK" --http-method GET --status-code 200 >/dev/null
# shellcheck disable=SC2016 # $context.stage is for Gantry, not the shell
apigw put-integration-response --rest-api-id "$API" --resource-id "$MOCK" --http-method GET --status-code 200 \
	--response-templates '{"application/json":"{\"mock\":\"ok\",\"stage\":\"$context.stage\"}"}' >/dev/null
# Unknown paths: MISSING_AUTHENTICATION_TOKEN customized to a 404 with a
# header mapping and a template giving nginx's body, so that the
# gateway-response and nginx-404 targets answer the same bytes of body.
apigw put-gateway-response --rest-api-id "$API" --response-type MISSING_AUTHENTICATION_TOKEN --status-code 404 \
	--response-parameters "{\"gatewayresponse.header.Access-Control-Allow-Origin\":\"'*'\"}" \
	--response-templates '{"application/json":"{\"message\":\"Not Found\"}"}' >/dev/null
# AWS's default account throttle (10,000 requests/s, burst 5,000), which
# Gantry enforces, would cap the load test: -1 turns it off (a Gantry
# extension).
apigw update-account --patch-operations op=replace,path=/throttle/rateLimit,value=-1 >/dev/null
apigw create-deployment --rest-api-id "$API" --stage-name bench >/dev/null

# More deployed APIs, so that Gantry's memory is measured as the issue asks
# (100 deployed APIs under load): each has 20 resources with a MOCK method,
# imported and deployed through the AWS API with boto3 (one process, quicker
# than the CLI). BENCH_APIS sets the total (default 100).
EXTRA_APIS=$((${BENCH_APIS:-100} - 1))
if ((EXTRA_APIS > 0)); then
	log "deploying $EXTRA_APIS more APIs (20 resources each) with boto3"
	python3 - "$EXTRA_APIS" <<'PY'
import json, sys, boto3
n = int(sys.argv[1])
c = boto3.client("apigateway")
mock = {"x-amazon-apigateway-integration": {"type": "mock",
        "requestTemplates": {"application/json": '{"statusCode": 200}'},
        "responses": {"default": {"statusCode": "200"}}},
        "responses": {"200": {"description": "ok"}}}
paths = {f"/items{i}/{{id}}": {"get": mock} for i in range(20)}
doc = json.dumps({"swagger": "2.0", "info": {"title": "extra", "version": "1"}, "paths": paths})
for i in range(n):
    api = c.import_rest_api(body=doc)["id"]
    c.create_deployment(restApiId=api, stageName="bench")
PY
fi

# Invoked through the {id}.execute-api.localhost host, as AWS clients address
# a stage, with the connection going to 127.0.0.1 (no DNS needed).
GANTRY_URL="http://127.0.0.1:$GANTRY_PORT/bench"
GANTRY_HOST="Host: $API.execute-api.localhost:$GANTRY_PORT"
expect "Gantry HTTP_PROXY" 200 "$BODY" "$GANTRY_URL/pets" -H "$GANTRY_HOST"
expect "Gantry MOCK" 200 '{"mock":"ok","stage":"bench"}' "$GANTRY_URL/mock" -H "$GANTRY_HOST"
expect "Gantry gateway response" 404 '{"message":"Not Found"}' "$GANTRY_URL/nothing/here" -H "$GANTRY_HOST"
# The throttle is really off: a quick burst past the default burst of 5,000
# must see no 429 (a 2xx-only target, so wrk's non-2xx count is the check).
throttled=$("${on_load[@]}" wrk -t1 -c32 -d1s -H "$GANTRY_HOST" "$GANTRY_URL/mock" | awk '/Non-2xx/ {print $NF}')
[[ -z $throttled ]] || die "Gantry answered $throttled non-2xx responses to a burst: is the account throttle still on?"
expect "Gantry MOCK after a burst" 200 '{"mock":"ok","stage":"bench"}' "$GANTRY_URL/mock" -H "$GANTRY_HOST"

# --- 5. nginx: reverse proxy and static 404 ---------------------------------
NGINX_PROXY_PORT=$(free_port)
NGINX_404_PORT=$(free_port)
mkdir -p "$WORK/nginx"
cat >"$WORK/nginx/nginx.conf" <<EOF
# Written by bench/run.sh. Everything under $WORK/nginx, loopback only.
daemon off;                 # a child of the script, stopped by its trap
worker_processes 1;         # one core, like GOMAXPROCS=1 for Gantry
pid $WORK/nginx/nginx.pid;
error_log $WORK/nginx/error.log warn;
events { worker_connections 4096; }
http {
    access_log off;         # Gantry logs nothing per request at -log-level error
    client_body_temp_path $WORK/nginx/client_body;
    proxy_temp_path $WORK/nginx/proxy;
    fastcgi_temp_path $WORK/nginx/fastcgi;
    uwsgi_temp_path $WORK/nginx/uwsgi;
    scgi_temp_path $WORK/nginx/scgi;
    # nginx closes a keep-alive connection after 1,000 requests by default
    # (client and upstream side); Go's servers and transport never do, so
    # lift it for a like-for-like comparison.
    keepalive_requests 1000000;
    upstream backend {
        server 127.0.0.1:$BACKEND_PORT;
        keepalive 64;
        keepalive_requests 1000000;
    }
    # (a) reverse proxy to the back end, with pooled keep-alive connections
    server {
        listen 127.0.0.1:$NGINX_PROXY_PORT;
        location / {
            proxy_pass http://backend;
            proxy_http_version 1.1;
            proxy_set_header Connection "";
        }
    }
    # (b) static responder, the baseline for Gantry's MOCK and gateway response
    server {
        listen 127.0.0.1:$NGINX_404_PORT;
        default_type application/json;
        location / { return 404 '{"message":"Not Found"}'; }
    }
}
EOF
# -e: the error log before the configuration is read (else /var/log/nginx).
"${on_servers[@]}" "$NGINX" -p "$WORK/nginx" -e "$WORK/nginx/error.log" -c "$WORK/nginx/nginx.conf" &
PIDS+=($!)
wait_http nginx "$!" "http://127.0.0.1:$NGINX_404_PORT/"
expect "nginx proxy" 200 "$BODY" "http://127.0.0.1:$NGINX_PROXY_PORT/pets"
expect "nginx 404" 404 '{"message":"Not Found"}' "http://127.0.0.1:$NGINX_404_PORT/nothing/here"

# --- 6. load ------------------------------------------------------------------
# wrk's Lua done() prints one machine-readable line: requests/s, p50 and p99
# in microseconds, then the error counts.
cat >"$WORK/report.lua" <<'EOF'
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("RESULT %.1f %d %d %d %d %d %d %d %d\n",
    summary.requests / (summary.duration / 1e6),
    latency:percentile(50), latency:percentile(99), summary.requests,
    e.status, e.connect, e.read, e.write, e.timeout))
end
EOF

NAMES=() RPS=() P50=() P99=() CPU=()
# load NAME WANT_STATUS URL [WRK ARGS...]: warm up, then measure. Every
# response must have WANT_STATUS's class: wrk counts non-2xx/3xx responses,
# which must be none for a 200 target and all for a 404 target. With
# BENCH_PROFILE, PROFILE=NAME before the call profiles Gantry during the
# measured run into $BENCH_PROFILE/NAME.pprof.
load() {
	local name=$1 want=$2 url=$3 run result rps p50 p99 n status econn eread ewrite etimeout t0 t1 cpu prof=
	shift 3
	log "$name: warm-up $WARMUP, then $DURATION (-t$THREADS -c$CONNECTIONS)"
	for run in "$WARMUP" "$DURATION"; do
		if [[ $run == "$DURATION" && -n ${BENCH_PROFILE:-} && -n ${PROFILE:-} ]]; then
			"${on_load[@]}" curl -s -o "$BENCH_PROFILE/$PROFILE.pprof" \
				"http://127.0.0.1:$PPROF_PORT/debug/pprof/profile?seconds=5" &
			prof=$!
		fi
		t0=$(cpu_ticks)
		result=$("${on_load[@]}" wrk -t"$THREADS" -c"$CONNECTIONS" -d"$run" -s "$WORK/report.lua" "$@" "$url" |
			awk '$1 == "RESULT"') || die "$name: wrk failed"
		t1=$(cpu_ticks)
		if [[ -n $prof ]]; then
			wait "$prof" || log "$name: no CPU profile (is BENCH_DURATION at least 5s?)"
			prof=
		fi
		[[ -n $result ]] || die "$name: wrk printed no result"
		read -r _ rps p50 p99 n status econn eread ewrite etimeout <<<"$result"
		((n > 0)) || die "$name: no request completed"
		if [[ $want == 200 ]] && ((status != 0)); then
			die "$name: $status of $n responses were not 2xx (a 429 means a throttle is on)"
		fi
		if [[ $want != 200 ]] && ((status != n)); then
			die "$name: $((n - status)) of $n responses were 2xx, want all $want"
		fi
		if ((econn + eread + ewrite + etimeout > 0)); then
			log "$name: socket errors: connect $econn, read $eread, write $ewrite, timeout $etimeout"
		fi
	done
	cpu=$(awk -v a="$t0" -v b="$t1" 'BEGIN {
		split(a, x, " "); split(b, y, " ")
		if (y[2] > x[2]) printf "%.0f", 100 * (y[1] - x[1]) / (y[2] - x[2]); else print "?"
	}')
	NAMES+=("$name") RPS+=("$rps") P50+=("$p50") P99+=("$p99") CPU+=("$cpu")
}

load "backend direct" 200 "http://127.0.0.1:$BACKEND_PORT/pets"
load "nginx proxy" 200 "http://127.0.0.1:$NGINX_PROXY_PORT/pets"
PROFILE=proxy load "Gantry HTTP_PROXY" 200 "$GANTRY_URL/pets" -H "$GANTRY_HOST"
PROFILE=mock load "Gantry MOCK" 200 "$GANTRY_URL/mock" -H "$GANTRY_HOST"
PROFILE=gateway-response load "Gantry gateway response" 404 "$GANTRY_URL/nothing/here" -H "$GANTRY_HOST"
load "nginx 404" 404 "http://127.0.0.1:$NGINX_404_PORT/nothing/here"
# Still answering as configured after the load (a 404 target's non-2xx
# count cannot tell a 404 from a 429; this can).
expect "Gantry gateway response after the load" 404 '{"message":"Not Found"}' "$GANTRY_URL/nothing/here" -H "$GANTRY_HOST"

# --- 7. report ----------------------------------------------------------------
printf '\nGantry data plane vs nginx: wrk -t%s -c%s, %s measured after %s warm-up; pinning: %s\n' \
	"$THREADS" "$CONNECTIONS" "$DURATION" "$WARMUP" "$pinning"
printf '%s; %s; %s\n\n' "$(go version)" "$("$NGINX" -v 2>&1)" "$(wrk -v 2>&1 | head -n1 | awk '{print $1, $2}')"
# "server CPU" is how busy the server CPUs were (all processes on them: the
# back end too, for the proxies) during the measured run.
printf '%-26s %10s %10s %10s %11s\n' target 'req/s' 'p50 (ms)' 'p99 (ms)' 'server CPU'
for i in "${!NAMES[@]}"; do
	printf '%-26s %10.0f %10.3f %10.3f %10s%%\n' "${NAMES[$i]}" "${RPS[$i]}" \
		"$(awk -v v="${P50[$i]}" 'BEGIN {print v / 1000}')" "$(awk -v v="${P99[$i]}" 'BEGIN {print v / 1000}')" "${CPU[$i]}"
done

# Indices in the order loaded above.
DIRECT=0 NGX_PROXY=1 G_PROXY=2 G_MOCK=3 G_GR=4 NGX_404=5
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "n/a" }'; }
rps_ratio() { ratio "${RPS[$1]}" "${RPS[$2]}"; }
p99_ratio() { ratio "${P99[$1]}" "${P99[$2]}"; }

printf '\nratios (same run; req/s above 1 is faster, p99 above 1 is slower):\n'
printf '  %-44s req/s %5sx   p99 %5sx\n' \
	"Gantry HTTP_PROXY / nginx proxy" "$(rps_ratio $G_PROXY $NGX_PROXY)" "$(p99_ratio $G_PROXY $NGX_PROXY)" \
	"Gantry HTTP_PROXY / backend direct" "$(rps_ratio $G_PROXY $DIRECT)" "$(p99_ratio $G_PROXY $DIRECT)" \
	"Gantry MOCK / nginx 404" "$(rps_ratio $G_MOCK $NGX_404)" "$(p99_ratio $G_MOCK $NGX_404)" \
	"Gantry gateway response / nginx 404" "$(rps_ratio $G_GR $NGX_404)" "$(p99_ratio $G_GR $NGX_404)"
# Gantry's peak resident memory over the whole run (the kernel's high-water
# mark), loads included.
rss=$(awk '$1 == "VmHWM:" {printf "%.1f MB", $2 / 1024}' "/proc/$GANTRY_PID/status" 2>/dev/null || true)
printf '\nGantry peak RSS: %s with %d deployed APIs\n' "${rss:-unknown}" "$((EXTRA_APIS > 0 ? EXTRA_APIS + 1 : 1))"
printf '\nsummary: proxy %sx nginx (p99 %sx), mock %sx nginx-404, gateway-response %sx nginx-404, proxy %sx direct\n' \
	"$(rps_ratio $G_PROXY $NGX_PROXY)" "$(p99_ratio $G_PROXY $NGX_PROXY)" "$(rps_ratio $G_MOCK $NGX_404)" \
	"$(rps_ratio $G_GR $NGX_404)" "$(rps_ratio $G_PROXY $DIRECT)"
if [[ -n ${BENCH_PROFILE:-} ]]; then
	printf 'CPU profiles of Gantry: %s/{proxy,mock,gateway-response}.pprof (go tool pprof -top FILE)\n' "$BENCH_PROFILE"
fi
