// WASI preview1 errno numbers the core returns (negated) from its codecs.
// Source: WebAssembly/WASI phases/snapshot/witx/typenames.witx, `$errno`.

/** A WASI errno. */
export type Errno = u16;

export namespace Errno {
  @inline export const SUCCESS: Errno = 0;
  @inline export const BADF: Errno = 8;
  @inline export const FAULT: Errno = 21;
  @inline export const INVAL: Errno = 28;
  @inline export const NOPROTOOPT: Errno = 50;
  @inline export const NOSYS: Errno = 52;
  @inline export const NOTSOCK: Errno = 57;
  @inline export const NOTCAPABLE: Errno = 76;
}
