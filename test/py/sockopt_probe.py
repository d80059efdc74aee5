#!/usr/bin/env python3
"""Reference side of test/python-diff.test.ts: runs socket-option probes with
Python's socket module and prints what Python reports.

stdin: a JSON object {"names": [name, ...], "probes": [probe, ...]}
  names: constant names (options, levels, families, ...) to look up in the socket
  module; each probe is
    {"family": F, "type": T, "ops": [op, ...]}
  and runs on a FRESH socket.socket(F, T), closed afterwards (when socket()
  itself fails, every op of the probe reports that OSError); op is
    {"op": "get", "level": L, "opt": O}               -> getsockopt(L, O)
    {"op": "get", "level": L, "opt": O, "buflen": N}  -> getsockopt(L, O, N)
    {"op": "set", "level": L, "opt": O, "value": V}   -> setsockopt(L, O, V)
  F, T, L and O are names ("AF_INET", "SOL_SOCKET", "SO_RCVBUF"), resolved here with
  getattr(socket, name), never the caller's numbers for them (a name the socket module
  lacks is an error, not an outcome); or numbers, passed as they are, so argument
  errors and unknown numbers can be probed. V is one of
    {"arg": any JSON value}   passed as it is (ints, floats, strings, booleans, null)
    {"bytes_hex": "0a0b"}     passed as bytes
    {"none_optlen": N}        setsockopt(L, O, None, N)
  N is passed as it is too.

stdout: a JSON object {"constants": {name: int or null}, "results": [...]}:
  constants holds getattr(socket, name) for each of names (null where the module lacks
  it); results, per probe, a list of outcomes (one per op):
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


def resolve(ref):
    """A level or option: a name is looked up in the socket module; a number is as is."""
    if isinstance(ref, str):
        return getattr(socket, ref)  # AttributeError ends the run: the caller named wrong
    return ref


def set_args(op, level, opt):
    v = op["value"]
    if "bytes_hex" in v:
        return (level, opt, bytes.fromhex(v["bytes_hex"]))
    if "none_optlen" in v:
        return (level, opt, None, v["none_optlen"])
    return (level, opt, v["arg"])


def run_op(s, op):
    level = resolve(op["level"])
    opt = resolve(op["opt"])
    if op["op"] == "get":
        if "buflen" in op:
            return outcome(lambda: s.getsockopt(level, opt, op["buflen"]))
        return outcome(lambda: s.getsockopt(level, opt))
    if op["op"] == "set":
        args = set_args(op, level, opt)
        return outcome(lambda: s.setsockopt(*args))
    raise ValueError("unknown op %r" % (op["op"],))


def constants(names):
    return {n: int(getattr(socket, n)) if hasattr(socket, n) else None for n in names}


def main():
    request = json.load(sys.stdin)
    results = []
    for p in request["probes"]:
        try:
            s = socket.socket(resolve(p["family"]), resolve(p["type"]))
        except OSError as e:  # e.g. no IPv6 here: every op reports the socket() errno
            failed = {"exc": "OSError", "errno": e.errno, "message": str(e)}
            results.append([failed for _ in p["ops"]])
            continue
        with s:
            results.append([run_op(s, op) for op in p["ops"]])
    json.dump({"constants": constants(request["names"]), "results": results}, sys.stdout)


if __name__ == "__main__":
    main()
