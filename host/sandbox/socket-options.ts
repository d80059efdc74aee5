// getsockopt / setsockopt for the guest's sockets, both ABIs: the policy first (with
// its caps and the congestion-control rule), then the kernel through scratch at fixed
// addresses, then the guest's representation. WasmEdge's numbering differs on two
// values: SO_TYPE comes back as its socket type and SO_ERROR as a WASI errno. On a host
// other than Linux the core converts between the guest's Linux layout and the host's.

import { toWasiErrno } from '../native/errno.js';
import { core, HOST_PLATFORM, PLATFORM, KIND, type OptionInfo } from '../core.js';
import type { Policy } from './policy.js';
import type { GuestMemory } from './memory.js';
import type { SocketFd } from './socketfd.js';
import { NativeIO, OPT_AT, OPT_SIZE } from './native-io.js';
import * as abi from './abi.js';

const IS_LINUX = HOST_PLATFORM === PLATFORM.LINUX;
const OPT = core().byName;
const SO_TYPE_ID = OPT.get('SO_TYPE')!.id;
/** WasmEdge's SOL_SOCKET option numbers (0..63) -> catalogue id, or -1. */
const gabi = core().exports;
const WASMEDGE_IDS = Int32Array.from({ length: 64 }, (_, n) => gabi.findWasmedge(n));
const SO_ERROR_ID = OPT.get('SO_ERROR')!.id;
const TCP_CONGESTION_ID = OPT.get('TCP_CONGESTION')!.id;
/** The longest congestion-control name the policy reads (TCP_CA_NAME_MAX is 16). */
const CONGESTION_NAME_MAX = 64;

export class SocketOptions {
  private readonly options = core().options;
  private readonly getAllowed: boolean[];

  constructor(
    private readonly mem: GuestMemory,
    private readonly io: NativeIO,
    private readonly policy: Policy,
    private readonly refuse: (call: string, what: string, rule: string) => number,
  ) {
    this.getAllowed = this.options.map((o) => this.policy.canGet(o.name));
  }

  /** The option with catalogue id `id`. */
  info(id: number): OptionInfo {
    return this.options[id];
  }

  /**
   * The catalogue id of (level, name) in the guest's numbering, or -1: WasmEdge's
   * (`sock_getsockopt`: SOL_SOCKET only) or Linux's (`sockbox.getsockopt`: every level).
   */
  private idOf(level: number, name: number, wasmedge: boolean): number {
    if (!wasmedge) return gabi.findLinux(level, name);
    return level === abi.SOL_SOCKET && (name >>> 0) < WASMEDGE_IDS.length ? WASMEDGE_IDS[name] : -1;
  }

  // An option outside the catalogue gets the kernel's answer for an unknown option,
  // NOPROTOOPT, without a syscall.

  /** getsockopt by the guest's (level, name): see idOf. */
  getNumbered(sock: SocketFd, level: number, name: number, buf_ptr: number, len_ptr: number, wasmedge: boolean): number {
    const id = this.idOf(level, name, wasmedge);
    return id < 0 ? abi.ERRNO_NOPROTOOPT : this.get(sock, this.options[id], buf_ptr, len_ptr, wasmedge);
  }

  /** setsockopt by the guest's (level, name): see idOf. */
  setNumbered(sock: SocketFd, level: number, name: number, buf_ptr: number, len: number, wasmedge: boolean): number {
    const id = this.idOf(level, name, wasmedge);
    return id < 0 ? abi.ERRNO_NOPROTOOPT : this.set(sock, this.options[id], buf_ptr, len);
  }

  /**
   * getsockopt into the guest's buffer (len_ptr in/out, POSIX truncation): policy,
   * bounds, the kernel, then the guest's numbering (`wasmedge`: SO_TYPE, SO_ERROR).
   */
  get(sock: SocketFd, info: OptionInfo, buf_ptr: number, len_ptr: number, wasmedge: boolean): number {
    if (!this.getAllowed[info.id]) return this.refuse('getsockopt', info.name, this.policy.whyNotGet(info.name) ?? 'refused');
    if (info.hostNumber < 0) return abi.ERRNO_NOPROTOOPT;
    const mem = this.mem;
    if (!mem.ok(len_ptr, 4)) return abi.ERRNO_FAULT;
    const len = mem.u32(len_ptr);
    if (!mem.ok(buf_ptr, len)) return abi.ERRNO_FAULT;
    const io = this.io;
    const translate = (wasmedge && (info.id === SO_TYPE_ID || info.id === SO_ERROR_ID)) || !IS_LINUX;
    // The kernel writes into scratch at fixed addresses; the answer is copied to the guest.
    const ask = translate ? core().exports.kindSize(info.kind, HOST_PLATFORM) : (len > OPT_SIZE ? OPT_SIZE : len);
    let n = io.getopt(sock.nativeFd, info.hostLevel, info.hostNumber, ask);
    if (n < 0) return -n;
    if (wasmedge && info.id === SO_TYPE_ID) {
      io.sdv.setInt32(OPT_AT, core().exports.socktypeToGuest(io.sdv.getInt32(OPT_AT, true), HOST_PLATFORM), true);
    } else if (wasmedge && info.id === SO_ERROR_ID) {
      io.sdv.setInt32(OPT_AT, toWasiErrno(io.sdv.getInt32(OPT_AT, true)), true);
    } else if (!IS_LINUX) {
      const c = core();
      c.bytes().set(io.scratch.subarray(OPT_AT, OPT_AT + n));
      n = c.exports.convert(info.kind, HOST_PLATFORM, PLATFORM.LINUX, n);
      if (n < 0) return -n;
      io.scratch.set(c.bytes().subarray(0, n), OPT_AT);
    }
    // POSIX truncation: the guest gets at most what it asked for, and the length written.
    const copy = n < len ? n : len;
    const u8 = mem.u8;
    const scratch = io.scratch;
    const at = buf_ptr >>> 0;
    for (let i = 0; i < copy; i++) u8[at + i] = scratch[OPT_AT + i];
    mem.setU32(len_ptr, copy);
    return abi.ERRNO_SUCCESS;
  }

  /** setsockopt from the guest's buffer: policy (with caps), bounds, then the kernel. */
  set(sock: SocketFd, info: OptionInfo, buf_ptr: number, len: number): number {
    len >>>= 0;
    const mem = this.mem;
    if (!mem.ok(buf_ptr, len)) return abi.ERRNO_FAULT;
    // Unsigned: Linux reads SO_RCVBUF/SO_SNDBUF as u32 (-1 is 0xffffffff, clamped to rmem_max),
    // so a negative value must not slip under a cap.
    const value = len >= 4 ? mem.u32(buf_ptr) : undefined;
    // An int option shorter than an int is the kernel's EINVAL (Linux reads a whole int),
    // whatever the policy would say of its value.
    if (value === undefined && !info.byteOk && (info.kind === KIND.INT || info.kind === KIND.BOOL)) return abi.ERRNO_INVAL;
    const dgram = sock.type === abi.SOCK_DGRAM;
    if (!this.policy.canSet(info.name, value, dgram)) {
      return this.refuse('setsockopt', value === undefined ? info.name : `${info.name}=${value | 0}`, this.policy.whyNotSet(info.name, value, dgram) ?? 'refused');
    }
    if (info.id === TCP_CONGESTION_ID) {
      const algorithm = mem.text(buf_ptr, Math.min(len, CONGESTION_NAME_MAX)).replace(/\0.*$/s, '');
      if (!this.policy.canSetCongestion(algorithm)) return this.refuse('setsockopt', `TCP_CONGESTION=${algorithm}`, 'only what tcp_allowed_congestion_control lists');
    }
    if (info.hostNumber < 0) return abi.ERRNO_NOPROTOOPT;
    if (len > OPT_SIZE) return abi.ERRNO_INVAL;
    const io = this.io;
    const u8 = mem.u8;
    const scratch = io.scratch;
    const at = buf_ptr >>> 0;
    for (let i = 0; i < len; i++) scratch[OPT_AT + i] = u8[at + i];
    let n = len;
    if (!IS_LINUX) {
      // Another host: apply Linux's length rule, then convert the guest's Linux layout.
      const c = core();
      if (len < c.exports.minSetLength(info.kind, info.byteOk ? 1 : 0)) return abi.ERRNO_INVAL;
      c.bytes().set(scratch.subarray(OPT_AT, OPT_AT + len));
      n = c.exports.convert(info.kind, PLATFORM.LINUX, HOST_PLATFORM, len);
      if (n < 0) return -n;
      scratch.set(c.bytes().subarray(0, n), OPT_AT);
    }
    return io.setopt(sock.nativeFd, info.hostLevel, info.hostNumber, n);
  }
}
