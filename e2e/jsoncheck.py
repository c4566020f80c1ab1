#!/usr/bin/env python3
"""Evaluate a Python expression against a JSON document read from stdin.

Usage: jsoncheck.py EXPR < doc.json

The document is bound to `d`; helper `by_type(d)` maps the items of a
GetGatewayResponses answer by responseType. Exit 0 when EXPR is truthy;
otherwise print the expression and the document (or the parse error) and
exit 1.
"""
import json
import sys


def by_type(doc):
    return {item["responseType"]: item for item in doc["items"]}


def main():
    expr = sys.argv[1]
    raw = sys.stdin.read()
    try:
        d = json.loads(raw)
    except ValueError as e:
        print("output is not JSON (%s): %r" % (e, raw[:500]))
        return 1
    try:
        ok = eval(expr, {"by_type": by_type, "json": json}, {"d": d})
    except Exception as e:  # a KeyError etc. means the shape is wrong
        ok = False
        print("evaluating %s raised %s: %s" % (expr, type(e).__name__, e))
    if ok:
        return 0
    print("expected: %s" % expr)
    text = json.dumps(d, indent=1, sort_keys=True)
    if len(text) > 3000:
        text = text[:3000] + "\n... (truncated)"
    print("actual: " + text)
    return 1


if __name__ == "__main__":
    sys.exit(main())
