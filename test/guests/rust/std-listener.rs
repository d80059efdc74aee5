// std-listener.rs: a plain Rust std program for wasm32-wasi that serves on a listening
// socket it did not open: fd 3, as `wasmtime run --tcplisten` and `sockbox run
// --tcplisten` (or a Sandbox's `listen`) provide it. Nothing here knows sockbox.
//
//   std-listener N    serves N connections, one at a time, then exits 0. Each gets one
//                     line back: "hello <what it sent, to its first newline>".
//
// At start it prints what a server of this kind looks at: LISTEN_FDS from the env,
// and, when DATA is set, the text of that file (read with std::fs: the preopened
// folders that follow the listener are found by wasi-libc's preopen scan).
//
// Build: node build/guests.mjs (Debian's rustc 1.63: rustc --target wasm32-wasi -O).

use std::env;
use std::fs;
use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;
use std::os::wasi::io::FromRawFd;

fn main() {
    let n: usize = env::args().nth(1).and_then(|a| a.parse().ok()).unwrap_or(1);
    println!("LISTEN_FDS={}", env::var("LISTEN_FDS").unwrap_or_default());
    if let Ok(path) = env::var("DATA") {
        match fs::read_to_string(&path) {
            Ok(text) => println!("data {}: {}", path, text.trim_end()),
            Err(e) => println!("data {}: error {}", path, e),
        }
    }
    let listener = unsafe { TcpListener::from_raw_fd(3) };
    println!("serving {}", n);
    for i in 0..n {
        let (stream, _) = match listener.accept() {
            Ok(c) => c,
            Err(e) => {
                println!("accept {}: error {}", i, e);
                std::process::exit(1);
            }
        };
        let mut reader = BufReader::new(stream);
        let mut line = String::new();
        if let Err(e) = reader.read_line(&mut line) {
            println!("read {}: error {}", i, e);
            continue;
        }
        let mut stream = reader.into_inner();
        let reply = format!("hello {}\n", line.trim_end());
        if let Err(e) = stream.write_all(reply.as_bytes()) {
            println!("write {}: error {}", i, e);
        }
        println!("served {}", line.trim_end());
    }
}
