;; catch-loop.wat: a hostile guest that catches the kill and goes on calling the host.
;;
;; With wasm exception handling a guest can catch every exception an import throws,
;; the sandbox's kill unwind included (catch_all). This one loops for ever: print
;; "ready", block in poll_oneoff (a one-hour clock), and catch whatever comes out.
;; A kill must still end it (in a worker: the thread is terminated; inline: V8 stops it).
(module
  (import "wasi_snapshot_preview1" "poll_oneoff" (func $poll (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_write" (func $write (param i32 i32 i32 i32) (result i32)))
  (memory (export "memory") 1)
  ;; iovec { buf 100, len 6 } at 0, "ready\n" at 100.
  (data (i32.const 0) "\64\00\00\00\06\00\00\00")
  (data (i32.const 100) "ready\n")
  (func $ready (drop (call $write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8))))
  ;; subscription at 200 (48 bytes): userdata @0, tag 0 = clock @8, clock id 1 (monotonic)
  ;; @16, timeout 3600 s in ns @24; the event goes to 300, nevents to 400.
  (func $block (drop (call $poll (i32.const 200) (i32.const 300) (i32.const 1) (i32.const 400))))
  (func (export "_start")
    (i32.store (i32.const 216) (i32.const 1))
    (i64.store (i32.const 224) (i64.const 3600000000000))
    (loop $again
      (try (do (call $ready) (call $block)) (catch_all))
      (br $again))))
