#!/usr/bin/env python3
"""A Lambda Invoke endpoint for the end-to-end test, speaking the protocol of
the Lambda Runtime Interface Emulator: POST /2015-03-31/functions/{name}/invocations
with the event as the body, for any function name. Its one function answers
TOKEN authorizer events (type "TOKEN") as a Lambda authorizer:

  token allow-me   -> principal user-1, a policy allowing every method of the
                      caller's stage, context {"tenant": "acme"}
  token deny-me    -> principal user-2, a policy denying it
  any other token  -> the function error "Unauthorized" (AWS's 401)

and API Gateway proxy events:

  path /boom       -> a function error (X-Amz-Function-Error: Unhandled)
  path /malformed  -> an output that is not a proxy response
  anything else    -> 200 with a JSON body describing what it received

Usage: lambda_stub.py PORT LABEL (LABEL names this endpoint in the answers).
"""
import json
import sys
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

PORT, LABEL = int(sys.argv[1]), sys.argv[2]
PREFIX, SUFFIX = "/2015-03-31/functions/", "/invocations"


class Handler(BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def answer(self, status, body, headers=()):
        data = body.encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        for k, v in headers:
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(data)

    def do_POST(self):
        path = self.path
        if not (path.startswith(PREFIX) and path.endswith(SUFFIX)):
            self.answer(404, '{"message":"not an Invoke call"}')
            return
        function = urllib.parse.unquote(path[len(PREFIX):-len(SUFFIX)])
        event = json.loads(self.rfile.read(int(self.headers.get("Content-Length", "0"))) or b"{}")
        if event.get("type") == "TOKEN":
            self.authorize(event)
            return
        if event.get("path") == "/boom":
            self.answer(200, json.dumps({"errorMessage": "boom", "errorType": "Error"}),
                        [("X-Amz-Function-Error", "Unhandled")])
            return
        if event.get("path") == "/malformed":
            self.answer(200, '"just a string"')
            return
        body = {
            "endpoint": LABEL,
            "signed": self.headers.get("Authorization", "").startswith("AWS4-HMAC-SHA256 "),
            "function": function.rsplit(":", 1)[-1],
            "method": event.get("httpMethod"),
            "path": event.get("path"),
            "proxy": (event.get("pathParameters") or {}).get("proxy"),
            "query": event.get("queryStringParameters"),
            "stage": event.get("requestContext", {}).get("stage"),
        }
        self.answer(200, json.dumps({"statusCode": 200, "headers": {"Content-Type": "application/json"},
                                     "body": json.dumps(body, sort_keys=True)}))

    def authorize(self, event):
        token = event.get("authorizationToken")
        if token not in ("allow-me", "deny-me"):
            self.answer(200, json.dumps({"errorMessage": "Unauthorized", "errorType": "Error"}),
                        [("X-Amz-Function-Error", "Unhandled")])
            return
        # arn:aws:execute-api:{region}:{account}:{api}/{stage}/{METHOD}/{path}
        # -> every method and path of that stage.
        stage_arn = "/".join(event.get("methodArn", "").split("/")[:2])
        allow = token == "allow-me"
        self.answer(200, json.dumps({
            "principalId": "user-1" if allow else "user-2",
            "policyDocument": {"Version": "2012-10-17", "Statement": [{
                "Action": "execute-api:Invoke", "Effect": "Allow" if allow else "Deny",
                "Resource": stage_arn + "/*"}]},
            "context": {"tenant": "acme"},
        }))


ThreadingHTTPServer(("127.0.0.1", PORT), Handler).serve_forever()
