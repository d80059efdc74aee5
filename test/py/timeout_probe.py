#!/usr/bin/env python3
"""Reference side of test/python-timeout.test.ts: runs timeout and recv_into scenarios
with Python's socket module and prints what Python reports.

stdin: a JSON list of scenarios, each a list of steps. Every scenario runs on a fresh
fixture on loopback: "l" a listening TCP socket on 127.0.0.1 port 0, "c" a client
connected to it, "a" the accepted end, "u" and "v" two UDP sockets bound to 127.0.0.1
port 0. A step is [op, who, ...args]:
    ["settimeout", who, value]       value: a number, null, a string (a wrong type), or
                                     {"float": "nan"} / {"float": "inf"}
    ["gettimeout", who]              -> {"value": seconds or null}
    ["getblocking", who]             -> {"value": true/false}
    ["fd_blocking", who]             -> {"value": is O_NONBLOCK clear on the fd}
    ["setblocking", who, flag]
    ["send", who, hex]               -> {"value": bytes sent}
    ["sendto_peer", who, hex]        UDP: send to the other UDP socket ("u" -> "v", "v" -> "u")
    ["recv", who, n]                 -> {"hex": ...}
    ["recvfrom", who, n]             -> {"hex": ...} (the address is left out: ports differ)
    ["recv_into", who, buflen, nbytes]      -> {"value": n, "hex": the whole buffer}
    ["recvfrom_into", who, buflen, nbytes]  -> {"value": n, "hex": the whole buffer}
    ["accept", who]                  -> {"ok": true} (the accepted socket is closed)
    ["shutdown_write", who]
    ["connect_full", who, timeout]   a fresh TCP socket with that timeout connects to a
                                     listener whose backlog (0) is full: the SYN waits
    ["connect_ex_full", who, timeout]  the same with connect_ex -> {"value": errno}
stdout: a JSON list with, per scenario, one outcome per step; an exception is
    {"exc": class name, "errno": e.errno (null if none), "message": str(e)}.
"""

import json
import os
import socket
import sys


def fixture():
    l = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    l.bind(("127.0.0.1", 0))
    l.listen(8)
    c = socket.create_connection(l.getsockname())
    a, _ = l.accept()
    u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    u.bind(("127.0.0.1", 0))
    v = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    v.bind(("127.0.0.1", 0))
    return {"l": l, "c": c, "a": a, "u": u, "v": v}


def step(f, s):
    op, who = s[0], s[1]
    sock = f[who]
    if op == "settimeout":
        value = s[2]
        if isinstance(value, dict):  # {"float": "nan"} or {"float": "inf"}: what JSON cannot carry
            value = float(value["float"])
        sock.settimeout(value)
        return {"ok": True}
    if op == "gettimeout":
        return {"value": sock.gettimeout()}
    if op == "getblocking":
        return {"value": sock.getblocking()}
    if op == "fd_blocking":
        return {"value": os.get_blocking(sock.fileno())}
    if op == "setblocking":
        sock.setblocking(s[2])
        return {"ok": True}
    if op == "send":
        return {"value": sock.send(bytes.fromhex(s[2]))}
    if op == "sendto_peer":
        peer = f["v" if who == "u" else "u"]
        return {"value": sock.sendto(bytes.fromhex(s[2]), peer.getsockname())}
    if op == "recv":
        return {"hex": sock.recv(s[2]).hex()}
    if op == "recvfrom":
        return {"hex": sock.recvfrom(s[2])[0].hex()}
    if op == "recv_into":
        buf = bytearray(s[2])
        n = sock.recv_into(buf, s[3])
        return {"value": n, "hex": bytes(buf).hex()}
    if op == "recvfrom_into":
        buf = bytearray(s[2])
        n, _ = sock.recvfrom_into(buf, s[3])
        return {"value": n, "hex": bytes(buf).hex()}
    if op == "accept":
        conn, _ = sock.accept()
        conn.close()
        return {"ok": True}
    if op in ("connect_full", "connect_ex_full"):
        full = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        first = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        late = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        try:
            full.bind(("127.0.0.1", 0))
            full.listen(0)
            first.connect(full.getsockname())
            late.settimeout(s[2])
            if op == "connect_ex_full":
                return {"value": late.connect_ex(full.getsockname())}
            late.connect(full.getsockname())
            return {"ok": True}
        finally:
            late.close()
            first.close()
            full.close()
    if op == "shutdown_write":
        sock.shutdown(socket.SHUT_WR)
        return {"ok": True}
    raise ValueError("unknown op %r" % (op,))


def run(scenario):
    f = fixture()
    out = []
    try:
        for s in scenario:
            try:
                out.append(step(f, s))
            except Exception as e:  # noqa: BLE001 - the class is the answer
                out.append({"exc": type(e).__name__, "errno": getattr(e, "errno", None), "message": str(e)})
    finally:
        for sock in f.values():
            sock.close()
    return out


def main():
    json.dump([run(sc) for sc in json.load(sys.stdin)], sys.stdout)


if __name__ == "__main__":
    main()
