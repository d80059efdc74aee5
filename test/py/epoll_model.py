"""WasmEdge's epoll_oneoff, modelled on the real kernel, for test/epoll.test.ts.

WasmEdge (lib/host/wasi/inode-linux.cpp, Poller) keeps one epoll fd per WASI instance
across calls. Each call re-synchronises its interest list to exactly the subscribed
fds: a new fd is EPOLL_CTL_ADDed, one subscribed last time is EPOLL_CTL_MODed, one not
subscribed again is EPOLL_CTL_DELed; epoll_oneoff asks EPOLLIN | EPOLLRDHUP | EPOLLET.
A clock subscription is a timerfd in the same epoll (modelled here as epoll_wait's
timeout). A subscription that fails at once (an fd not open: BADF) is an error event,
and the call still waits for the rest. Events come back in subscription order.

This script walks the steps test/guests/rust/wasmedge-epoll.rs walks, acting as its
own client (a loopback connection), and prints the lines the guest prints for them.
"""
import select
import socket
import time

EPOLLET = 1 << 31
BADF = 8


class Poller:
    def __init__(self):
        self.ep = select.epoll()
        self.registered = set()

    def wait(self, fds, clock_ms):
        """fds: list of (label, fd or None for "not open"). Returns the event words."""
        events = []
        subscribed = set()
        for label, fd in fds:
            if fd is None:
                events.append((label, 'error'))
                continue
            mask = select.EPOLLIN | select.EPOLLRDHUP | EPOLLET
            if fd in self.registered:
                self.ep.modify(fd, mask)
            else:
                self.ep.register(fd, mask)
            subscribed.add(fd)
            events.append((label, fd))
        for fd in list(self.registered - subscribed):
            self.ep.unregister(fd)
        self.registered = subscribed
        deadline = time.monotonic() + clock_ms / 1000
        ready = dict(self.ep.poll(clock_ms / 1000))
        words = []
        for label, what in events:
            if what == 'error':
                words.append(f'{label} error {BADF}')
            elif what in ready and ready[what] & (select.EPOLLIN | select.EPOLLHUP):
                words.append('read')
        if time.monotonic() >= deadline - 0.001:
            words.append('timeout')
        return ' '.join(words)


def main():
    srv = socket.socket()
    srv.bind(('127.0.0.1', 0))
    srv.listen(8)
    client = socket.create_connection(srv.getsockname())
    conn, _ = srv.accept()
    conn.setblocking(False)
    p = Poller()
    fd = conn.fileno()
    print('wait1', p.wait([('read', fd)], 200))
    print('ready2')
    client.sendall(b'abc')
    print('wait2', p.wait([('read', fd)], 5000))
    print('wait3', p.wait([('read', fd)], 200))
    print('read', len(conn.recv(64)))
    print('wait4', p.wait([('read', fd)], 200))
    print('ready5')
    client.shutdown(socket.SHUT_WR)
    print('wait5', p.wait([('read', fd)], 5000))
    print('read', len(conn.recv(64)))
    print('wait6', p.wait([('read', fd)], 200))
    print('wait7', p.wait([('fd99', None)], 200))


main()
