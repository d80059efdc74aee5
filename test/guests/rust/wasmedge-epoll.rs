// wasmedge-epoll.rs: a Rust guest written against WasmEdge's socket ABI, declaring the
// imports itself as the `wasmedge_wasi_socket` crate (with its `epoll` feature) does:
// sock_open, sock_bind, sock_listen, sock_accept (V1), sock_recv, sock_getlocaladdr
// (V1) and epoll_oneoff, all in `wasi_snapshot_preview1`. It walks the steps that
// show how WasmEdge's edge-triggered wait behaves, printing one line per step; the
// test is its client and does what each "ready" line asks, and test/py/epoll_model.py
// runs the same steps through WasmEdge's algorithm on the real kernel.
//
//   wasmedge-epoll     listens on 127.0.0.1:0 ("port P"), accepts one client, then:
//     1 wait (200 ms clock) with nothing sent        -> "wait1 timeout"
//     2 "ready2": the client sends 3 bytes; wait (5 s) -> "wait2 read"
//     3 wait (200 ms) again without reading            -> "wait3 read"   (re-armed: still readable)
//     4 read it all ("read 3"); wait (200 ms)          -> "wait4 timeout"
//     5 "ready5": the client shuts down its side; wait (5 s) -> "wait5 read"
//     6 read: EOF ("read 0"); wait (200 ms)            -> "wait6 read"   (EOF stays readable)
//     7 wait on fd 99 (not open) and a 200 ms clock    -> "wait7 fd99 error 8" and the clock
//
// Build: node build/guests.mjs (Debian's rustc 1.63: rustc --target wasm32-wasi -O).

use std::mem::MaybeUninit;

#[repr(C)]
#[derive(Clone, Copy)]
struct WasiAddress {
    buf: *const u8,
    buf_len: u32,
}

#[repr(C)]
#[derive(Clone, Copy)]
struct Iovec {
    buf: *mut u8,
    len: u32,
}

#[repr(C)]
#[derive(Clone, Copy)]
struct SubscriptionClock {
    id: u32,
    timeout: u64,
    precision: u64,
    flags: u16,
}

#[repr(C)]
#[derive(Clone, Copy)]
struct SubscriptionFd {
    fd: u32,
}

#[repr(C)]
#[derive(Clone, Copy)]
union SubscriptionBody {
    clock: SubscriptionClock,
    fd: SubscriptionFd,
}

#[repr(C)]
#[derive(Clone, Copy)]
struct Subscription {
    userdata: u64,
    tag: u8,
    body: SubscriptionBody,
}

#[repr(C)]
#[derive(Clone, Copy)]
struct Event {
    userdata: u64,
    error: u16,
    kind: u8,
    nbytes: u64,
    flags: u16,
}

#[link(wasm_import_module = "wasi_snapshot_preview1")]
extern "C" {
    fn sock_open(af: u32, socktype: u32, fd: *mut u32) -> u32;
    fn sock_bind(fd: u32, addr: *const WasiAddress, port: u32) -> u32;
    fn sock_listen(fd: u32, backlog: u32) -> u32;
    fn sock_accept(fd: u32, new_fd: *mut u32) -> u32;
    fn sock_recv(fd: u32, iovs: *const Iovec, iovs_len: u32, flags: u16, nread: *mut u32, oflags: *mut u16) -> u32;
    fn sock_getlocaladdr(fd: u32, addr: *mut WasiAddress, addr_type: *mut u32, port: *mut u32) -> u32;
    fn epoll_oneoff(subs: *const Subscription, events: *mut Event, n: u32, nevents: *mut u32) -> u32;
}

const CLOCK: u8 = 0;
const FD_READ: u8 = 1;
const MONOTONIC: u32 = 1;

fn check(what: &str, rc: u32) {
    if rc != 0 {
        println!("{} failed: errno {}", what, rc);
        std::process::exit(1);
    }
}

fn read_sub(userdata: u64, fd: u32) -> Subscription {
    Subscription { userdata, tag: FD_READ, body: SubscriptionBody { fd: SubscriptionFd { fd } } }
}

fn clock_sub(ms: u64) -> Subscription {
    let clock = SubscriptionClock { id: MONOTONIC, timeout: ms * 1_000_000, precision: 0, flags: 0 };
    Subscription { userdata: 0, tag: CLOCK, body: SubscriptionBody { clock } }
}

/// One epoll_oneoff; prints "waitN" and what came back, in the order given.
fn wait(step: u32, subs: &[Subscription]) {
    let mut events: [MaybeUninit<Event>; 4] = [MaybeUninit::uninit(); 4];
    let mut n: u32 = 0;
    let rc = unsafe { epoll_oneoff(subs.as_ptr(), events.as_mut_ptr() as *mut Event, subs.len() as u32, &mut n) };
    check("epoll_oneoff", rc);
    let mut words = Vec::new();
    for e in &events[..n as usize] {
        let e = unsafe { e.assume_init() };
        words.push(match (e.kind, e.userdata) {
            (CLOCK, _) => "timeout".to_string(),
            (FD_READ, 99) => format!("fd99 error {}", e.error),
            (FD_READ, _) if e.error != 0 => format!("read error {}", e.error),
            (FD_READ, _) => "read".to_string(),
            (k, _) => format!("kind {}", k),
        });
    }
    println!("wait{} {}", step, words.join(" "));
}

fn recv_all(fd: u32) -> usize {
    let mut buf = [0u8; 64];
    let iov = Iovec { buf: buf.as_mut_ptr(), len: buf.len() as u32 };
    let (mut n, mut oflags) = (0u32, 0u16);
    check("sock_recv", unsafe { sock_recv(fd, &iov, 1, 0, &mut n, &mut oflags) });
    n as usize
}

fn main() {
    let mut listener = 0u32;
    check("sock_open", unsafe { sock_open(1, 2, &mut listener) });
    let ip = [127u8, 0, 0, 1];
    let addr = WasiAddress { buf: ip.as_ptr(), buf_len: 4 };
    check("sock_bind", unsafe { sock_bind(listener, &addr, 0) });
    check("sock_listen", unsafe { sock_listen(listener, 8) });
    let mut out = [0u8; 16];
    let mut local = WasiAddress { buf: out.as_mut_ptr(), buf_len: 16 };
    let (mut kind, mut port) = (0u32, 0u32);
    check("sock_getlocaladdr", unsafe { sock_getlocaladdr(listener, &mut local, &mut kind, &mut port) });
    println!("port {}", port);
    let mut conn = 0u32;
    check("sock_accept", unsafe { sock_accept(listener, &mut conn) });
    println!("accepted");

    wait(1, &[read_sub(1, conn), clock_sub(200)]);
    println!("ready2");
    wait(2, &[read_sub(1, conn), clock_sub(5000)]);
    wait(3, &[read_sub(1, conn), clock_sub(200)]);
    println!("read {}", recv_all(conn));
    wait(4, &[read_sub(1, conn), clock_sub(200)]);
    println!("ready5");
    wait(5, &[read_sub(1, conn), clock_sub(5000)]);
    println!("read {}", recv_all(conn));
    wait(6, &[read_sub(1, conn), clock_sub(200)]);
    wait(7, &[read_sub(99, 99), clock_sub(200)]);
}
