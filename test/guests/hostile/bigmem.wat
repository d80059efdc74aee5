;; bigmem.wat: a module whose memory starts at 512 MiB (8192 pages), over the default
;; limits.memoryBytes (256 MiB): it must be refused before it starts.
(module
  (memory (export "memory") 8192)
  (func (export "_start")))
