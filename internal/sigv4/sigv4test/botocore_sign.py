"""Signs requests with botocore (header and presigned forms) and sends them
to the Gantry verifier given as argv[1]. Prints one line per case:
"<case>\t<HTTP status>\t<first line of the body>".

Used by internal/sigv4's TestBotocoreSigned and the data plane's IAM tests:
botocore is the signer of the AWS CLI and boto3, so what it signs must
verify.
"""
import json
import sys
import urllib.error
import urllib.request

from botocore.auth import SigV4Auth, SigV4QueryAuth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

base = sys.argv[1]
cases = json.loads(sys.argv[2])

for c in cases:
    creds = Credentials(c["key"], c["secret"], c.get("token"))
    url = base + c["path"]
    headers = c.get("headers", {})
    body = c.get("body", "").encode() or None
    req = AWSRequest(method=c["method"], url=url, data=body, headers=headers)
    if c.get("presign"):
        SigV4QueryAuth(creds, c.get("service", "execute-api"), c.get("region", "us-east-1"), expires=300).add_auth(req)
    else:
        SigV4Auth(creds, c.get("service", "execute-api"), c.get("region", "us-east-1")).add_auth(req)
    prepared = req.prepare()
    r = urllib.request.Request(prepared.url, data=body, method=c["method"])
    for k, v in prepared.headers.items():
        r.add_header(k, v)
    try:
        with urllib.request.urlopen(r) as resp:
            status, text = resp.status, resp.read().decode()
    except urllib.error.HTTPError as e:
        status, text = e.code, e.read().decode()
    first = text.splitlines()[0] if text else ""
    print(f"{c['name']}\t{status}\t{first}")
