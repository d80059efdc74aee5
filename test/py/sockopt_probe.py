#!/usr/bin/env python3
"""Reference side of test/python-diff.test.ts: runs socket-option probes with
Python's socket module and prints what Python reports.

stdin: a JSON list of probes
    {"family": int, "type": int, "ops": [op, ...]}
  each probe runs on a FRESH socket.socket(family, type), closed afterwards (when
  socket() itself fails, every op of the probe reports that OSError); op is
    {"op": "get", "level": L, "opt": O}               -> getsockopt(L, O)
    {"op": "get", "level": L, "opt": O, "buflen": N}  -> getsockopt(L, O, N)
    {"op": "set", "level": L, "opt": O, "value": V}   -> setsockopt(L, O, V)
  with V one of
    {"arg": any JSON value}   passed as it is (ints, floats, strings, booleans, null)
    {"bytes_hex": "0a0b"}     passed as bytes
    {"none_optlen": N}        setsockopt(L, O, None, N)
  L, O and N are passed as they are too, so argument errors can be probed.

stdout: a JSON list with, per probe, a list of outcomes (one per op):
    {"value": int}                 getsockopt returned an int
    {"bytes_hex": "..."}           getsockopt returned bytes
    {"ok": true}                   setsockopt returned None
    {"exc": "OSError", "errno": int or null, "message": str}
    {"exc": "TypeError" | "OverflowError" | ..., "message": str}
"""

import json
import socket
import sys


def outcome(fn):
    try:
        r = fn()
    except OSError as e:
        return {"exc": "OSError", "errno": e.errno, "message": str(e)}
    except Exception as e:  # TypeError, OverflowError, ValueError: argument rules
        return {"exc": type(e).__name__, "message": str(e)}
    if r is None:
        return {"ok": True}
    if isinstance(r, bytes):
        return {"bytes_hex": r.hex()}
    return {"value": r}


def set_args(op):
    v = op["value"]
    if "bytes_hex" in v:
        return (op["level"], op["opt"], bytes.fromhex(v["bytes_hex"]))
    if "none_optlen" in v:
        return (op["level"], op["opt"], None, v["none_optlen"])
    return (op["level"], op["opt"], v["arg"])


def run_op(s, op):
    if op["op"] == "get":
        if "buflen" in op:
            return outcome(lambda: s.getsockopt(op["level"], op["opt"], op["buflen"]))
        return outcome(lambda: s.getsockopt(op["level"], op["opt"]))
    if op["op"] == "set":
        args = set_args(op)
        return outcome(lambda: s.setsockopt(*args))
    raise ValueError("unknown op %r" % (op["op"],))


def main():
    probes = json.load(sys.stdin)
    results = []
    for p in probes:
        try:
            s = socket.socket(p["family"], p["type"])
        except OSError as e:  # e.g. no IPv6 here: every op reports the socket() errno
            failed = {"exc": "OSError", "errno": e.errno, "message": str(e)}
            results.append([failed for _ in p["ops"]])
            continue
        with s:
            results.append([run_op(s, op) for op in p["ops"]])
    json.dump(results, sys.stdout)


if __name__ == "__main__":
    main()
