#!/usr/bin/env python3
"""Durability test for Gantry's store, driven with boto3.

Phases:
  0. Start Gantry on an existing data dir and take whatever is already there
     (the CLI scenario's API) as the baseline.
  A. Create 200 REST APIs (plus a few that are deleted again); on each put 2-3
     customized gateway responses, patch some, tag some, rename some. After
     every write the server's GetGatewayResponses / GetRestApi view is read
     back and compared with an independent model, then recorded.
  B. Background writer threads keep writing (puts, multi-op patches, deletes,
     tag/untag, API renames, new APIs); every write whose answer arrived is
     applied to the model, the one in flight per thread is remembered with
     its before and after states. Gantry gets SIGKILL in the middle of this.
  1. Restart on the same data dir and verify: every acknowledged API and
     customization is there and identical; an in-flight write is either
     wholly there or wholly absent; nothing else exists.
  C. A few more writes on the recovered store, then SIGTERM (graceful), wait
     for the exit, restart, verify everything again.

Checks are appended to the results file (see lib.sh); failures are also
printed with what differed.
"""
import argparse
import copy
import os
import random
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request

import boto3
from botocore.config import Config

# Service-model order.
TYPES = [
    "DEFAULT_4XX", "DEFAULT_5XX", "RESOURCE_NOT_FOUND", "UNAUTHORIZED", "INVALID_API_KEY",
    "ACCESS_DENIED", "AUTHORIZER_FAILURE", "AUTHORIZER_CONFIGURATION_ERROR", "INVALID_SIGNATURE",
    "EXPIRED_TOKEN", "MISSING_AUTHENTICATION_TOKEN", "INTEGRATION_FAILURE", "INTEGRATION_TIMEOUT",
    "API_CONFIGURATION_ERROR", "UNSUPPORTED_MEDIA_TYPE", "BAD_REQUEST_PARAMETERS", "BAD_REQUEST_BODY",
    "REQUEST_TOO_LARGE", "THROTTLED", "QUOTA_EXCEEDED", "WAF_FILTERED",
]
DEFAULT_STATUS = {
    "RESOURCE_NOT_FOUND": "404", "UNAUTHORIZED": "401", "INVALID_API_KEY": "403", "ACCESS_DENIED": "403",
    "AUTHORIZER_FAILURE": "500", "AUTHORIZER_CONFIGURATION_ERROR": "500", "INVALID_SIGNATURE": "403",
    "EXPIRED_TOKEN": "403", "MISSING_AUTHENTICATION_TOKEN": "403", "INTEGRATION_FAILURE": "504",
    "INTEGRATION_TIMEOUT": "504", "API_CONFIGURATION_ERROR": "500", "UNSUPPORTED_MEDIA_TYPE": "415",
    "BAD_REQUEST_PARAMETERS": "400", "BAD_REQUEST_BODY": "400", "REQUEST_TOO_LARGE": "413",
    "THROTTLED": "429", "QUOTA_EXCEEDED": "429", "WAF_FILTERED": "403",
}
FAMILY_DEFAULTS = ("DEFAULT_4XX", "DEFAULT_5XX")
DEFAULT_TEMPLATE = '{"message":$context.error.messageString}'
ACCOUNT = "000000000000"
REGION = "us-east-1"


def family(t):
    if t in FAMILY_DEFAULTS:
        return None
    return "DEFAULT_5XX" if DEFAULT_STATUS[t] >= "500" else "DEFAULT_4XX"


def arn(api_id):
    return "arn:aws:apigateway:%s::/restapis/%s" % (REGION, api_id)


def strip(resp):
    resp = dict(resp)
    resp.pop("ResponseMetadata", None)
    return resp


# ---------------------------------------------------------------------------
# Results


class Results:
    def __init__(self, path):
        self.path = path
        self.lock = threading.Lock()
        self.passed = 0
        self.failed = 0

    def check(self, ok, desc, detail=None):
        with self.lock:
            with open(self.path, "a", encoding="utf-8") as f:
                f.write("%s\t%s\n" % ("PASS" if ok else "FAIL", desc))
            if ok:
                self.passed += 1
            else:
                self.failed += 1
                print("  FAIL: %s" % desc, flush=True)
                if detail:
                    for line in str(detail).splitlines()[:40]:
                        print("        " + line, flush=True)
        return ok


def diff(expected, actual, path="", out=None, limit=16):
    """Human-readable list of differences between two JSON-like values."""
    if out is None:
        out = []
    if len(out) >= limit:
        return out
    if isinstance(expected, dict) and isinstance(actual, dict):
        # DEFAULT_4XX/5XX first: a difference there explains the inherited ones.
        for k in sorted(set(expected) | set(actual), key=lambda k: (not str(k).startswith("DEFAULT_"), str(k))):
            p = "%s.%s" % (path, k) if path else str(k)
            if k not in actual:
                out.append("%s: missing (expected %r)" % (p, expected[k]))
            elif k not in expected:
                out.append("%s: unexpected %r" % (p, actual[k]))
            else:
                diff(expected[k], actual[k], p, out, limit)
            if len(out) >= limit:
                break
    elif expected != actual:
        out.append("%s: expected %r, got %r" % (path or "value", expected, actual))
    return out


def show_diff(expected, actual):
    return "\n".join(diff(expected, actual)) or "(no difference?)"


# ---------------------------------------------------------------------------
# The model: what the server acknowledged.


def builtin(t):
    gr = {"responseType": t, "responseParameters": {}, "responseTemplates": {"application/json": DEFAULT_TEMPLATE},
          "defaultResponse": True}
    if t not in FAMILY_DEFAULTS:
        gr["statusCode"] = DEFAULT_STATUS[t]
    return gr


def view(custom):
    """The 21-item GetGatewayResponses view (keyed by type) implied by the customizations."""
    out = {}
    for t in TYPES:
        if t in custom:
            out[t] = copy.deepcopy(custom[t])
            continue
        f = family(t)
        if f and f in custom:
            fc = custom[f]
            out[t] = {"responseType": t, "statusCode": fc.get("statusCode") or DEFAULT_STATUS[t],
                      "responseParameters": dict(fc["responseParameters"]),
                      "responseTemplates": dict(fc["responseTemplates"]), "defaultResponse": True}
        else:
            out[t] = builtin(t)
    return out


def predict_put(t, kw):
    gr = {"responseType": t, "defaultResponse": False,
          "responseParameters": dict(kw.get("responseParameters") or {}),
          "responseTemplates": dict(kw.get("responseTemplates") or {"application/json": DEFAULT_TEMPLATE})}
    if "statusCode" in kw:
        gr["statusCode"] = kw["statusCode"]
    elif t not in FAMILY_DEFAULTS:
        gr["statusCode"] = DEFAULT_STATUS[t]
    return gr


def unescape(seg):
    return seg.replace("~1", "/").replace("~0", "~")


def predict_patch(current, t, ops):
    gr = copy.deepcopy(current) if current else builtin(t)
    gr["defaultResponse"] = False
    for op in ops:
        path = op["path"]
        if path == "/statusCode":
            gr["statusCode"] = op["value"]
            continue
        _, field, key = path.split("/", 2)
        key = unescape(key)
        if op["op"] == "remove":
            gr[field].pop(key, None)
        else:
            gr[field][key] = op["value"]
    return gr


class Api:
    """Acknowledged state of one REST API."""

    def __init__(self, restapi, tags, custom=None):
        self.restapi = normalize_restapi(restapi)
        self.tags = dict(tags)
        self.custom = custom or {}
        # The server's own answers from the last read-back (phase A/C), or
        # None once a write happened without a read-back (phase B).
        self.recorded_view = None
        self.recorded_restapi = None

    def touched(self):
        self.recorded_view = None
        self.recorded_restapi = None

    def snapshot(self):
        return {"restapi": copy.deepcopy(self.restapi), "tags": dict(self.tags), "custom": copy.deepcopy(self.custom)}

    def restore(self, snap):
        self.restapi = copy.deepcopy(snap["restapi"])
        self.tags = dict(snap["tags"])
        self.custom = copy.deepcopy(snap["custom"])


def normalize_restapi(r):
    r = strip(r)
    r.pop("tags", None)  # compared through GetTags instead (AWS omits empty tags)
    return r


# ---------------------------------------------------------------------------
# Gantry process


class Gantry:
    def __init__(self, binary, data_dir, port, pid_file, log_dir):
        self.binary, self.data_dir, self.port = binary, data_dir, port
        self.pid_file, self.log_dir = pid_file, log_dir
        self.proc = None
        self.starts = 0

    @property
    def url(self):
        return "http://127.0.0.1:%d" % self.port

    def start(self, timeout=10.0):
        self.starts += 1
        self.log_path = os.path.join(self.log_dir, "gantry-py-%d.log" % self.starts)
        log = open(self.log_path, "wb")
        self.proc = subprocess.Popen(
            [self.binary, "-listen", "127.0.0.1:%d" % self.port, "-data-dir", self.data_dir, "-log-level", "warn"],
            stdout=log, stderr=log, stdin=subprocess.DEVNULL)
        log.close()
        with open(self.pid_file, "w") as f:
            f.write(str(self.proc.pid))
        t0 = time.monotonic()
        while time.monotonic() - t0 < timeout:
            if self.proc.poll() is not None:
                raise RuntimeError("gantry exited with %s before answering; log:\n%s" % (self.proc.returncode, self.log()))
            try:
                urllib.request.urlopen(self.url + "/restapis", timeout=1).read()
                return time.monotonic() - t0
            except urllib.error.HTTPError:
                return time.monotonic() - t0
            except Exception:
                time.sleep(0.05)
        raise RuntimeError("gantry did not answer within %.0f s; log:\n%s" % (timeout, self.log()))

    def log(self):
        try:
            with open(self.log_path, "r", errors="replace") as f:
                return f.read()[-3000:]
        except OSError:
            return ""

    def kill9(self):
        os.kill(self.proc.pid, signal.SIGKILL)
        self.proc.wait(timeout=10)

    def terminate(self, timeout=15):
        """SIGTERM; returns (exit code, seconds) or (None, timeout) if it did not exit."""
        t0 = time.monotonic()
        self.proc.send_signal(signal.SIGTERM)
        try:
            rc = self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
            return None, timeout
        return rc, time.monotonic() - t0


def make_client(url):
    session = boto3.session.Session(aws_access_key_id="test", aws_secret_access_key="test", region_name=REGION)
    cfg = Config(retries={"total_max_attempts": 1, "mode": "standard"}, connect_timeout=3, read_timeout=20,
                 max_pool_connections=4)
    return session.client("apigateway", endpoint_url=url, config=cfg)


# ---------------------------------------------------------------------------
# Random customizations


HEADER_NAMES = ["Access-Control-Allow-Origin", "Access-Control-Allow-Headers", "WWW-Authenticate", "X-Request-Id",
                "X-Trace", "Cache-Control", "X-Error-Type", "Retry-After", "X-Api-Version", "Vary"]
SOURCES = ["'*'", "'https://example.com'", "'Basic realm=\"pets\"'", "'no-store, max-age=0'", "'30'",
           "method.request.header.X-Trace-Id", "method.request.header.Origin", "method.request.querystring.q",
           "method.request.path.petId", "context.requestId", "stageVariables.env", "'a,b;c=d'", "'ünïcødé ✓'"]
MEDIA_TYPES = ["application/json", "application/xml", "text/html", "text/plain", "application/problem+json"]
TEMPLATES = [
    '{"error":$context.error.messageString}',
    '{"message":$context.error.messageString,"type":"$context.error.responseType","id":"$context.requestId"}',
    '<error><message>$context.error.message</message></error>',
    '<html><body><h1>Oops ✗ — $context.error.message</h1></body></html>',
    'plain: $context.error.message (stage $context.stage)',
    '{"code":"E42","detail":"tab\\there \\"quoted\\" 🚀"}',
]
STATUS_POOL = ["400", "401", "403", "404", "409", "418", "422", "429", "444", "451", "500", "502", "503", "504",
               "599", "200", "302", "100"]


def pick_params(rnd, n):
    return {"gatewayresponse.header." + h: rnd.choice(SOURCES) for h in rnd.sample(HEADER_NAMES, n)}


def pick_templates(rnd, n):
    return {m: rnd.choice(TEMPLATES) for m in rnd.sample(MEDIA_TYPES, n)}


def random_put_kwargs(rnd):
    """PutGatewayResponse arguments; any field may be omitted (the server then fills the type's default)."""
    kw = {}
    if rnd.random() < 0.8:
        kw["statusCode"] = rnd.choice(STATUS_POOL)
    if rnd.random() < 0.85:
        kw["responseParameters"] = pick_params(rnd, rnd.randint(1, 4))
    if rnd.random() < 0.7:
        kw["responseTemplates"] = pick_templates(rnd, rnd.randint(1, 3))
    return kw


def random_patch(rnd, current, t):
    """A multi-operation patch valid against `current` (None = not customized)."""
    base = current or builtin(t)
    ops = [{"op": "replace", "path": "/statusCode", "value": rnd.choice(STATUS_POOL)}]
    params = list(base["responseParameters"])
    for h in rnd.sample(HEADER_NAMES, rnd.randint(1, 2)):
        ops.append({"op": "add", "path": "/responseParameters/gatewayresponse.header." + h, "value": rnd.choice(SOURCES)})
    if params:
        k = rnd.choice(params)
        if rnd.random() < 0.5:
            ops.append({"op": "replace", "path": "/responseParameters/" + k, "value": rnd.choice(SOURCES)})
        else:
            ops.append({"op": "remove", "path": "/responseParameters/" + k})
    m = rnd.choice(MEDIA_TYPES)
    ops.append({"op": "add", "path": "/responseTemplates/" + m.replace("~", "~0").replace("/", "~1"),
                "value": rnd.choice(TEMPLATES)})
    extra = [k for k in base["responseTemplates"] if k != "application/json" and k != m]
    if extra and rnd.random() < 0.5:
        ops.append({"op": "remove", "path": "/responseTemplates/" + extra[0].replace("/", "~1")})
    rnd.shuffle(ops)
    # A remove must not precede an add/replace of the same key; keep the status first for readability.
    ops.sort(key=lambda o: 0 if o["path"] == "/statusCode" else 1)
    seen = set()
    out = []
    for o in ops:  # drop later ops that touch a key already touched (keeps prediction unambiguous)
        if o["path"] in seen:
            continue
        seen.add(o["path"])
        out.append(o)
    return out


# ---------------------------------------------------------------------------
# The test


class CrashTest:
    def __init__(self, args):
        self.args = args
        self.res = Results(args.results)
        self.g = Gantry(args.bin, args.data_dir, args.port, args.pid_file, args.log_dir)
        self.apis = {}  # id -> Api (acknowledged)
        self.apis_lock = threading.Lock()
        self.deleted = set()  # API ids whose deletion was acknowledged
        self.inflight = {}  # thread name -> description of the write in flight (set before sending)
        self.killed = threading.Event()
        self.stats = {"phaseA_writes": 0, "phaseA_reads": 0, "phaseB_acked": 0, "phaseC_writes": 0}
        self.mismatch = {"write": [], "readback": []}
        self.mismatch_lock = threading.Lock()
        self.checked = {"write": 0, "readback": 0}
        self.seed = args.seed
        print("crash test: seed %d, %d APIs, data dir %s" % (self.seed, args.apis, args.data_dir), flush=True)

    # -- phase helpers -------------------------------------------------------

    def note(self, kind, ok, detail):
        with self.mismatch_lock:
            self.checked[kind] += 1
            if not ok:
                self.mismatch[kind].append(detail)

    def readback(self, c, api):
        """Phase A: read the server's view after a write, compare with the model, record it."""
        got = {i["responseType"]: i for i in c.get_gateway_responses(restApiId=api.restapi["id"], limit=500)["items"]}
        want = view(api.custom)
        self.note("readback", got == want and len(got) == 21,
                  "API %s GetGatewayResponses after write:\n%s" % (api.restapi["id"], show_diff(want, got)))
        api.recorded_view = got
        self.stats["phaseA_reads"] += 1

    def readback_restapi(self, c, api):
        got = strip(c.get_rest_api(restApiId=api.restapi["id"]))
        tags = got.get("tags", {})
        got = normalize_restapi(got)
        self.note("readback", got == api.restapi and tags == api.tags,
                  "API %s GetRestApi after write:\n%s" % (api.restapi["id"],
                                                          show_diff({"api": api.restapi, "tags": api.tags},
                                                                    {"api": got, "tags": tags})))
        api.recorded_restapi = got
        self.stats["phaseA_reads"] += 1

    def do_put(self, c, api, t, kw, readback):
        resp = strip(c.put_gateway_response(restApiId=api.restapi["id"], responseType=t, **kw))
        want = predict_put(t, kw)
        self.note("write", resp == want, "PutGatewayResponse %s %s %r:\n%s" % (api.restapi["id"], t, kw, show_diff(want, resp)))
        api.custom[t] = resp
        if readback:
            self.readback(c, api)

    def do_patch(self, c, api, t, ops, readback):
        want = predict_patch(api.custom.get(t), t, ops)
        resp = strip(c.update_gateway_response(restApiId=api.restapi["id"], responseType=t, patchOperations=ops))
        self.note("write", resp == want, "UpdateGatewayResponse %s %s %r:\n%s" % (api.restapi["id"], t, ops, show_diff(want, resp)))
        api.custom[t] = resp
        if readback:
            self.readback(c, api)

    def create_api(self, c, rnd, name, readback):
        kw = {"name": name}
        if rnd.random() < 0.5:
            kw["description"] = "API %s — créée pour le test ✓" % name
        tags = {}
        if rnd.random() < 0.3:
            tags = {"team": rnd.choice(["pets", "store", "ops"]), "cost-center": str(rnd.randint(100, 999))}
            kw["tags"] = tags
        resp = strip(c.create_rest_api(**kw))
        self.note("write", resp.get("name") == name and resp.get("tags", {}) == tags,
                  "CreateRestApi %r answered %r" % (kw, resp))
        api = Api(resp, tags)
        if readback:
            self.readback_restapi(c, api)
            self.readback(c, api)
        return api

    # -- phase 0: baseline -------------------------------------------------------

    def baseline(self):
        c = make_client(self.g.url)
        items = self.list_all(c, 25)
        for item in items:
            i = item["id"]
            tags = c.get_tags(resourceArn=arn(i))["tags"]
            custom = {g["responseType"]: g for g in c.get_gateway_responses(restApiId=i)["items"]
                      if not g["defaultResponse"]}
            self.apis[i] = Api(c.get_rest_api(restApiId=i), tags, custom)
        names = sorted(a.restapi["name"] for a in self.apis.values())
        if self.args.expect_api:
            api = next((a for a in self.apis.values() if a.restapi["name"] == self.args.expect_api), None)
            self.res.check(api is not None, "restart after the CLI scenario: API %r is still there" % self.args.expect_api,
                           "APIs found: %r" % names)
            if api is not None:
                d5 = api.custom.get("DEFAULT_5XX")
                self.res.check(d5 is not None and d5.get("statusCode") == "503"
                               and d5["responseParameters"] == {"gatewayresponse.header.Retry-After": "'30'"}
                               and "DEFAULT_4XX" not in api.custom,
                               "restart after the CLI scenario: DEFAULT_5XX 503 kept, deleted DEFAULT_4XX stays deleted",
                               "customizations found: %r" % api.custom)

    # -- phase A ----------------------------------------------------------------

    def phase_a(self):
        n = self.args.apis
        nthreads = 4
        errors = []

        def worker(k):
            rnd = random.Random(self.seed * 1000 + k)
            c = make_client(self.g.url)
            try:
                for j in range(k, n, nthreads):
                    api = self.create_api(c, rnd, "api-%03d" % j, readback=True)
                    with self.apis_lock:
                        self.apis[api.restapi["id"]] = api
                    types = rnd.sample(TYPES, rnd.randint(2, 3))
                    if j % 7 == 0 and "DEFAULT_4XX" not in types:
                        types[0] = "DEFAULT_4XX"  # exercise inheritance often
                    if j % 11 == 0 and "DEFAULT_5XX" not in types:
                        types[-1] = "DEFAULT_5XX"
                    for t in types:
                        self.do_put(c, api, t, random_put_kwargs(rnd), readback=True)
                        self.stats["phaseA_writes"] += 1
                    if j % 3 == 0:  # patch a customized type
                        t = rnd.choice(types)
                        self.do_patch(c, api, t, random_patch(rnd, api.custom[t], t), readback=True)
                        self.stats["phaseA_writes"] += 1
                    if j % 10 == 4:  # patch a type that is not customized yet (creates a customization)
                        t = rnd.choice([x for x in TYPES if x not in api.custom])
                        self.do_patch(c, api, t, random_patch(rnd, None, t), readback=True)
                        self.stats["phaseA_writes"] += 1
                    if j % 13 == 5:  # delete one customization
                        t = rnd.choice(sorted(api.custom))
                        c.delete_gateway_response(restApiId=api.restapi["id"], responseType=t)
                        del api.custom[t]
                        self.readback(c, api)
                        self.stats["phaseA_writes"] += 1
                    if j % 4 == 1:
                        tags = {"env": rnd.choice(["dev", "prod", "qa"]), "owner": "user-%d" % rnd.randint(1, 50),
                                "note": "spaces & symbols: +=.@-_/ ✓"}
                        c.tag_resource(resourceArn=arn(api.restapi["id"]), tags=tags)
                        api.tags.update(tags)
                        self.readback_restapi(c, api)
                        self.stats["phaseA_writes"] += 1
                    if j % 9 == 2:
                        ops = [{"op": "replace", "path": "/name", "value": "api-%03d-renamed" % j},
                               {"op": "replace", "path": "/description", "value": "renamed in phase A"}]
                        resp = strip(c.update_rest_api(restApiId=api.restapi["id"], patchOperations=ops))
                        want = dict(api.restapi, name="api-%03d-renamed" % j, description="renamed in phase A")
                        self.note("write", normalize_restapi(resp) == want,
                                  "UpdateRestApi %s:\n%s" % (api.restapi["id"], show_diff(want, normalize_restapi(resp))))
                        api.restapi = normalize_restapi(resp)
                        self.readback_restapi(c, api)
                        self.stats["phaseA_writes"] += 1
                # A few APIs that are created, customized and deleted again.
                for j in range(2):
                    api = self.create_api(c, rnd, "doomed-%d-%d" % (k, j), readback=False)
                    self.do_put(c, api, "THROTTLED", {"statusCode": "429"}, readback=False)
                    c.delete_rest_api(restApiId=api.restapi["id"])
                    with self.apis_lock:
                        self.deleted.add(api.restapi["id"])
            except Exception as e:  # noqa: BLE001 - reported as a failed check
                errors.append("thread %d: %s: %s" % (k, type(e).__name__, e))

        t0 = time.monotonic()
        threads = [threading.Thread(target=worker, args=(k,), name="A%d" % k) for k in range(nthreads)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        elapsed = time.monotonic() - t0
        self.res.check(not errors, "phase A: all %d API creations and their writes succeeded" % n, "\n".join(errors))
        self.report_mismatches("phase A")
        print("phase A: %d APIs, %d writes, %d read-backs in %.1f s" % (
            n, self.stats["phaseA_writes"] + n, self.stats["phaseA_reads"], elapsed), flush=True)

    def report_mismatches(self, label):
        for kind, what in (("write", "write answers (Put/Update/Create) match the model"),
                           ("readback", "read-backs after each write match the model")):
            bad = self.mismatch[kind]
            self.res.check(not bad, "%s: %d %s" % (label, self.checked[kind], what),
                           "%d mismatches; first ones:\n%s" % (len(bad), "\n".join(bad[:3])))
            self.mismatch[kind] = []
            self.checked[kind] = 0

    # -- phase B: writes racing a SIGKILL ---------------------------------------------

    def phase_b(self):
        nthreads = 3
        ids = sorted(self.apis)
        owned = {k: ids[k::nthreads] for k in range(nthreads)}
        errors = []
        acked = [0] * nthreads
        self.inflight_states = []  # (api_id or None, kind, before_snapshot, after_snapshot, extra)

        def writer(k):
            rnd = random.Random(self.seed * 7919 + k)
            c = make_client(self.g.url)
            mine = list(owned[k])
            seq = 0
            while not self.killed.is_set():
                seq += 1
                api = self.apis[rnd.choice(mine)]
                aid = api.restapi["id"]
                r = rnd.random()
                before = api.snapshot()
                api.touched()
                try:
                    if r < 0.30:
                        t = rnd.choice(TYPES)
                        kw = random_put_kwargs(rnd)
                        after = api.snapshot()
                        after["custom"][t] = predict_put(t, kw)
                        self.inflight[k] = (aid, "PutGatewayResponse %s" % t, before, after)
                        self.do_put(c, api, t, kw, readback=False)
                    elif r < 0.60:
                        t = rnd.choice(sorted(api.custom)) if api.custom and rnd.random() < 0.7 else rnd.choice(TYPES)
                        ops = random_patch(rnd, api.custom.get(t), t)
                        after = api.snapshot()
                        after["custom"][t] = predict_patch(api.custom.get(t), t, ops)
                        self.inflight[k] = (aid, "UpdateGatewayResponse %s (%d ops)" % (t, len(ops)), before, after)
                        self.do_patch(c, api, t, ops, readback=False)
                    elif r < 0.70 and api.custom:
                        t = rnd.choice(sorted(api.custom))
                        after = api.snapshot()
                        del after["custom"][t]
                        self.inflight[k] = (aid, "DeleteGatewayResponse %s" % t, before, after)
                        c.delete_gateway_response(restApiId=aid, responseType=t)
                        del api.custom[t]
                    elif r < 0.80:
                        tags = {"b%d" % rnd.randint(0, 5): "v%d-%d" % (k, seq), "batch": str(seq)}
                        after = api.snapshot()
                        after["tags"].update(tags)
                        self.inflight[k] = (aid, "TagResource %r" % tags, before, after)
                        c.tag_resource(resourceArn=arn(aid), tags=tags)
                        api.tags.update(tags)
                    elif r < 0.85 and api.tags:
                        keys = rnd.sample(sorted(api.tags), min(2, len(api.tags)))
                        after = api.snapshot()
                        for key in keys:
                            after["tags"].pop(key, None)
                        self.inflight[k] = (aid, "UntagResource %r" % keys, before, after)
                        c.untag_resource(resourceArn=arn(aid), tagKeys=keys)
                        for key in keys:
                            api.tags.pop(key, None)
                    elif r < 0.95:
                        name, desc = "b-%d-%d" % (k, seq), "rewritten by writer %d at step %d" % (k, seq)
                        ops = [{"op": "replace", "path": "/name", "value": name},
                               {"op": "replace", "path": "/description", "value": desc}]
                        after = api.snapshot()
                        after["restapi"].update(name=name, description=desc)
                        self.inflight[k] = (aid, "UpdateRestApi", before, after)
                        resp = normalize_restapi(c.update_rest_api(restApiId=aid, patchOperations=ops))
                        self.note("write", resp == after["restapi"],
                                  "UpdateRestApi %s:\n%s" % (aid, show_diff(after["restapi"], resp)))
                        api.restapi = resp
                    else:
                        name = "new-%d-%d" % (k, seq)
                        self.inflight[k] = (None, "CreateRestApi %s" % name, None, {"name": name})
                        new = self.create_api(c, rnd, name, readback=False)
                        with self.apis_lock:
                            self.apis[new.restapi["id"]] = new
                        mine.append(new.restapi["id"])
                    self.inflight.pop(k, None)
                    acked[k] += 1
                except Exception as e:  # noqa: BLE001
                    if self.killed.is_set():
                        return  # the write stays in self.inflight[k]: may or may not have landed
                    self.inflight.pop(k, None)
                    errors.append("writer %d: %s: %s" % (k, type(e).__name__, e))
                    return

        threads = [threading.Thread(target=writer, args=(k,), name="B%d" % k) for k in range(nthreads)]
        t0 = time.monotonic()
        for t in threads:
            t.start()
        # Let them write for a while, then pull the plug without warning.
        while not errors and time.monotonic() - t0 < 15 and (
                time.monotonic() - t0 < self.args.kill_after or sum(acked) < 100):
            time.sleep(0.01)
        before_kill = sum(acked)
        self.killed.set()
        self.g.kill9()
        for t in threads:
            t.join(timeout=30)
        self.res.check(not errors, "phase B: background writes succeeded until the SIGKILL", "\n".join(errors))
        self.res.check(before_kill >= 100, "phase B: SIGKILL arrived in the middle of writing (%d writes acknowledged before it)" % before_kill)
        self.stats["phaseB_acked"] = sum(acked)
        self.report_mismatches("phase B")
        pending = list(self.inflight.values())
        self.inflight = {}
        self.pending = pending
        print("phase B: %d writes acknowledged in %.1f s, then SIGKILL with %d in flight: %s" % (
            sum(acked), time.monotonic() - t0, len(pending), "; ".join(p[1] for p in pending) or "none"), flush=True)

    # -- verification --------------------------------------------------------------

    def list_all(self, c, limit):
        items, position, pages = [], None, 0
        while True:
            kw = {"limit": limit}
            if position:
                kw["position"] = position
            resp = c.get_rest_apis(**kw)
            pages += 1
            items.extend(resp.get("items", []))
            position = resp.get("position")
            if not position or pages > 1000:
                self.last_pages = pages
                return items

    def server_state(self, c, aid):
        restapi = strip(c.get_rest_api(restApiId=aid))
        tags_in_api = restapi.get("tags", {})
        items = c.get_gateway_responses(restApiId=aid, limit=500)["items"]
        grs = {i["responseType"]: i for i in items}
        tags = c.get_tags(resourceArn=arn(aid))["tags"]
        return {"restapi": normalize_restapi(restapi), "tags_in_api": tags_in_api, "view": grs, "nitems": len(items),
                "tags": tags}

    def verify(self, label, pending=()):
        c = make_client(self.g.url)
        # Listing, with pagination.
        paged = self.list_all(c, 37)
        pages = self.last_pages
        ids = [i["id"] for i in paged]
        self.res.check(len(ids) == len(set(ids)) and pages == (len(ids) + 36) // 37,
                       "%s: GetRestApis in %d pages of limit 37 lists each API once" % (label, pages),
                       "%d items in %d pages; duplicates: %r" % (
                           len(ids), pages, sorted({i for i in ids if ids.count(i) > 1})))
        big = c.get_rest_apis(limit=500)
        self.res.check(sorted(i["id"] for i in big["items"]) == sorted(set(ids)) and not big.get("position"),
                       "%s: GetRestApis limit 500 returns the same %d APIs in one page" % (label, len(set(ids))),
                       "limit 500: %d items, position %r; paged: %d" % (len(big["items"]), big.get("position"), len(set(ids))))
        listed = {i["id"]: i for i in paged}

        pending_by_api = {p[0]: p for p in pending if p[0]}
        pending_creates = [p for p in pending if p[0] is None]
        expected = set(self.apis)
        missing = sorted(expected - set(listed))
        extra = sorted(set(listed) - expected)
        explained = []
        for aid in list(extra):
            name = listed[aid].get("name")
            p = next((p for p in pending_creates if p[3]["name"] == name), None)
            if p is not None:
                pending_creates.remove(p)
                extra.remove(aid)
                explained.append((aid, p))
        self.res.check(not missing, "%s: all %d acknowledged APIs are listed" % (label, len(expected)),
                       "missing: %r" % [(m, self.apis[m].restapi.get("name")) for m in missing])
        self.res.check(not extra, "%s: no API appears that was never acknowledged (or in flight)" % label,
                       "unexpected: %r" % [(x, listed[x].get("name")) for x in extra])
        gone = sorted(self.deleted & set(listed))
        self.res.check(not gone, "%s: the %d deleted APIs stay deleted" % (label, len(self.deleted)),
                       "still listed: %r" % gone)

        # Per API: GetRestApi, GetGatewayResponses, GetTags (threads for speed).
        work = sorted(expected & set(listed))
        states, errs = {}, []

        def fetch(chunk):
            cc = make_client(self.g.url)
            for aid in chunk:
                try:
                    states[aid] = self.server_state(cc, aid)
                except Exception as e:  # noqa: BLE001
                    errs.append("%s: %s" % (aid, e))

        ts = [threading.Thread(target=fetch, args=(work[k::4],)) for k in range(4)]
        for t in ts:
            t.start()
        for t in ts:
            t.join()
        self.res.check(not errs, "%s: every API can be read back" % label, "\n".join(errs[:10]))

        for aid in work:
            if aid not in states:
                continue
            got = states[aid]
            api = self.apis[aid]
            listed_norm = normalize_restapi(listed[aid])
            if aid in pending_by_api:
                _, what, before, after = pending_by_api[aid]
                matches = [n for n, snap in (("before", before), ("after", after)) if self.state_equal(snap, got)]
                if matches:
                    api.restore(before if matches[0] == "before" else after)
                    print("%s: in-flight %s on %s landed %s" % (
                        label, what, aid, "completely" if matches[0] == "after" else "not at all"), flush=True)
                self.res.check(bool(matches), "%s: API %s: in-flight %s is all-or-nothing" % (label, aid, what),
                               "state matches neither side.\nvs before:\n%s\nvs after:\n%s" % (
                                   self.state_diff(before, got), self.state_diff(after, got)))
                continue
            name = api.restapi.get("name")
            rec_api = api.recorded_restapi if api.recorded_restapi is not None else api.restapi
            self.res.check(got["restapi"] == api.restapi and listed_norm == api.restapi
                           and got["tags_in_api"] == api.tags and rec_api == api.restapi,
                           "%s: API %s (%s): GetRestApi/GetRestApis identical" % (label, aid, name),
                           show_diff({"get": api.restapi, "list": api.restapi, "tags": api.tags,
                                      "recorded before restart": api.restapi},
                                     {"get": got["restapi"], "list": listed_norm, "tags": got["tags_in_api"],
                                      "recorded before restart": rec_api}))
            want_view = view(api.custom)
            rec_view = api.recorded_view if api.recorded_view is not None else want_view
            self.res.check(got["view"] == want_view and got["nitems"] == 21 and rec_view == want_view,
                           "%s: API %s (%s): 21 gateway responses identical (%d customized)" % (
                               label, aid, name, len(api.custom)),
                           show_diff({"now": want_view, "recorded before restart": want_view},
                                     {"now": got["view"], "recorded before restart": rec_view}))
            self.res.check(got["tags"] == api.tags, "%s: API %s (%s): GetTags identical" % (label, aid, name),
                           show_diff(api.tags, got["tags"]))

        for aid, p in explained:
            got = self.server_state(c, aid)
            fresh = {t: builtin(t) for t in TYPES}
            ok = got["view"] == fresh and got["restapi"]["name"] == p[3]["name"]
            self.res.check(ok, "%s: API %s created by the in-flight %s is complete" % (label, aid, p[1]),
                           show_diff(fresh, got["view"]))
            if ok:
                self.apis[aid] = Api(c.get_rest_api(restApiId=aid), got["tags"])
                print("%s: in-flight %s landed completely as %s" % (label, p[1], aid), flush=True)
        for p in pending_creates:
            print("%s: in-flight %s did not land" % (label, p[1]), flush=True)

    def state_equal(self, snap, got):
        return (got["restapi"] == snap["restapi"] and got["tags"] == snap["tags"] and got["tags_in_api"] == snap["tags"]
                and got["view"] == view(snap["custom"]) and got["nitems"] == 21)

    def state_diff(self, snap, got):
        return show_diff({"restapi": snap["restapi"], "tags": snap["tags"], "view": view(snap["custom"])},
                         {"restapi": got["restapi"], "tags": got["tags"], "view": got["view"]})

    # -- phase C: more writes on the recovered store, then a graceful restart -------

    def phase_c(self):
        c = make_client(self.g.url)
        rnd = random.Random(self.seed + 99)
        errors = []
        try:
            for aid in rnd.sample(sorted(self.apis), 30):
                api = self.apis[aid]
                t = rnd.choice(TYPES)
                if rnd.random() < 0.5:
                    self.do_put(c, api, t, random_put_kwargs(rnd), readback=True)
                else:
                    self.do_patch(c, api, t, random_patch(rnd, api.custom.get(t), t), readback=True)
                self.stats["phaseC_writes"] += 1
            for aid in rnd.sample(sorted(self.apis), 3):
                c.delete_rest_api(restApiId=aid)
                del self.apis[aid]
                self.deleted.add(aid)
                self.stats["phaseC_writes"] += 1
            api = self.create_api(c, rnd, "after-crash", readback=True)
            self.apis[api.restapi["id"]] = api
            self.do_put(c, api, "DEFAULT_5XX", {"statusCode": "599", "responseParameters": {
                "gatewayresponse.header.X-Recovered": "'yes'"}}, readback=True)
            self.stats["phaseC_writes"] += 2
        except Exception as e:  # noqa: BLE001
            errors.append("%s: %s" % (type(e).__name__, e))
        self.res.check(not errors, "phase C: the recovered store accepts %d more writes" % self.stats["phaseC_writes"],
                       "\n".join(errors))
        self.report_mismatches("phase C")

    def run(self):
        try:
            took = self.g.start()
            self.res.check(True, "Gantry restarted (graceful, after the CLI scenario) and answered in %.2f s" % took)
            self.baseline()
            self.phase_a()
            self.phase_b()
            try:
                took = self.g.start()
            except RuntimeError as e:
                self.res.check(False, "Gantry restarts after SIGKILL on the same data dir", e)
                return
            self.res.check(True, "Gantry restarted after SIGKILL and answered in %.2f s" % took)
            self.verify("after SIGKILL", self.pending)
            self.phase_c()
            rc, secs = self.g.terminate()
            self.res.check(rc == 0, "SIGTERM: Gantry exits cleanly (code %r after %.2f s)" % (rc, secs), self.g.log())
            took = self.g.start()
            self.res.check(True, "Gantry restarted after SIGTERM and answered in %.2f s" % took)
            self.verify("after SIGTERM")
            print("crash test: %d APIs checked; phase A %d writes, phase B %d acknowledged writes, phase C %d writes" % (
                len(self.apis), self.stats["phaseA_writes"] + self.args.apis, self.stats["phaseB_acked"],
                self.stats["phaseC_writes"]), flush=True)
        finally:
            if self.g.proc and self.g.proc.poll() is None:
                self.g.terminate(timeout=10)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--bin", required=True)
    ap.add_argument("--data-dir", required=True)
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--pid-file", required=True)
    ap.add_argument("--log-dir", required=True)
    ap.add_argument("--results", required=True)
    ap.add_argument("--apis", type=int, default=200)
    ap.add_argument("--kill-after", type=float, default=2.0, help="seconds of background writes before SIGKILL")
    ap.add_argument("--seed", type=int, default=int(os.environ.get("E2E_SEED", "0")) or int(time.time()) % 100000)
    ap.add_argument("--expect-api", help="name of an API that must already exist (from the CLI scenario)")
    args = ap.parse_args()
    test = CrashTest(args)
    try:
        test.run()
    except Exception as e:  # noqa: BLE001
        import traceback
        traceback.print_exc()
        test.res.check(False, "crash test ran to completion", "%s: %s" % (type(e).__name__, e))
    return 0


if __name__ == "__main__":
    sys.exit(main())
