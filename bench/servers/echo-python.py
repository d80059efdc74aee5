"""The Python contender of the echo benchmark: one thread, the selectors module (epoll
on Linux), non-blocking sockets, a 16 KiB recv like the C and guest servers, no new
read from a client until what it sent has gone back out, TCP_NODELAY on accepted
sockets. Listens on 127.0.0.1, an ephemeral port; prints "listening on PORT"."""
import selectors
import socket

BUF_SIZE = 16384
sel = selectors.DefaultSelector()
listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
listener.bind(("127.0.0.1", 0))
listener.listen(socket.SOMAXCONN)
listener.setblocking(False)
sel.register(listener, selectors.EVENT_READ, None)
print(f"listening on {listener.getsockname()[1]}", flush=True)

pending = {}  # socket -> memoryview of bytes still to send back


def drop(conn):
    sel.unregister(conn)
    pending.pop(conn, None)
    conn.close()


while True:
    for key, events in sel.select():
        if key.data is None:
            while True:
                try:
                    conn, _ = listener.accept()
                except BlockingIOError:
                    break
                conn.setblocking(False)
                conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
                sel.register(conn, selectors.EVENT_READ, "client")
            continue
        conn = key.fileobj
        out = pending.get(conn)
        if out is None:
            try:
                data = conn.recv(BUF_SIZE)
            except BlockingIOError:
                continue
            except OSError:
                drop(conn)
                continue
            if not data:
                drop(conn)
                continue
            out = memoryview(data)
        try:
            sent = conn.send(out)
        except BlockingIOError:
            sent = 0
        except OSError:
            drop(conn)
            continue
        out = out[sent:]
        if len(out) > 0:
            if conn not in pending:
                sel.modify(conn, selectors.EVENT_WRITE, "client")
            pending[conn] = out
        elif conn in pending:
            del pending[conn]
            sel.modify(conn, selectors.EVENT_READ, "client")
