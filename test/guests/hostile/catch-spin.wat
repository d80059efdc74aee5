;; catch-spin.wat: a hostile guest that catches the kill and then never calls the host
;; again: print "ready", block in poll_oneoff (a one-hour clock); whatever comes out
;; of it is caught, and the guest spins in pure wasm for ever.
(module
  (import "wasi_snapshot_preview1" "poll_oneoff" (func $poll (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_write" (func $write (param i32 i32 i32 i32) (result i32)))
  (memory (export "memory") 1)
  (data (i32.const 0) "\64\00\00\00\06\00\00\00")
  (data (i32.const 100) "ready\n")
  (func (export "_start")
    (i32.store (i32.const 216) (i32.const 1))
    (i64.store (i32.const 224) (i64.const 3600000000000))
    (try
      (do
        (drop (call $write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8)))
        (drop (call $poll (i32.const 200) (i32.const 300) (i32.const 1) (i32.const 400))))
      (catch_all
        (loop $spin (br $spin))))))
