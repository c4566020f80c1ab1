# Shared helpers for the end-to-end scripts (sourced, not executed).
#
# Every check appends one line to $E2E_RESULTS: "PASS<TAB>description" or
# "FAIL<TAB>description". run.sh counts them for the final summary line.

: "${E2E_RESULTS:?E2E_RESULTS must point at the results file}"

pass() {
	printf 'PASS\t%s\n' "$1" >>"$E2E_RESULTS"
}

# fail DESCRIPTION [DETAIL...]
fail() {
	local desc=$1
	shift
	printf 'FAIL\t%s\n' "$desc" >>"$E2E_RESULTS"
	printf '  FAIL: %s\n' "$desc"
	local line
	for line in "$@"; do
		printf '%s\n' "$line" | sed 's/^/        /'
	done
}

# check DESC WANT GOT: pass when GOT equals WANT.
check() {
	if [[ "$2" == "$3" ]]; then pass "$1"; else fail "$1" "want: $2" "got:  $3"; fi
}

# call URL [CURL ARGS...]: prints "STATUS BODY" (the body is kept in
# $SCRATCH/body, which the caller creates).
call() {
	local url=$1
	shift
	curl -s -o "$SCRATCH/body" -w '%{http_code}' "$@" "$url" >"$SCRATCH/status" || true
	printf '%s %s' "$(cat "$SCRATCH/status")" "$(cat "$SCRATCH/body")"
}

# pick_port: print a free TCP port on 127.0.0.1.
pick_port() {
	python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
}

# wait_ready PID PORT TIMEOUT_SECONDS: poll until Gantry answers HTTP on PORT
# (any HTTP status counts), or fail if it exits or the timeout passes.
wait_ready() {
	python3 - "$@" <<'EOF'
import os, sys, time, urllib.request, urllib.error
pid, port, timeout = int(sys.argv[1]), int(sys.argv[2]), float(sys.argv[3])
deadline = time.monotonic() + timeout
while time.monotonic() < deadline:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        sys.exit("gantry (pid %d) exited before answering" % pid)
    try:
        urllib.request.urlopen("http://127.0.0.1:%d/restapis" % port, timeout=1).read()
        sys.exit(0)
    except urllib.error.HTTPError:
        sys.exit(0)  # it answered, even if with an error status
    except Exception:
        time.sleep(0.05)
sys.exit("gantry did not answer on port %d within %.0f s" % (port, timeout))
EOF
}
