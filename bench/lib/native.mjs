// A koffi binding of the libc calls a sandbox's socket layer makes, declared exactly as
// host/native/libc.ts declares them, for the layer benchmark: passed to an inline
// Sandbox as `native`, it lets one layer (the syscall) be swapped for a stub while
// everything else runs as in production. Only what the bench guests use is here.

import koffi from 'koffi';

let lib;

/** The bench's NativeApi over the real C library (Linux). */
export function benchNative() {
  lib ??= koffi.load(process.platform === 'darwin' ? '/usr/lib/libSystem.B.dylib' : 'libc.so.6');
  const f = (decl) => lib.func(decl);
  const fcntl = f('int fcntl(int, int, ...)');
  const memmove = f('uintptr_t memmove(void *, void *, size_t)');
  const ioctl = f('int ioctl(int, unsigned long, void *)');
  const ioctlOut = new Int32Array(1);
  const missing = (name) => () => { throw new Error(`bench native layer: ${name} is not bound`); };
  return {
    socket: f('int socket(int, int, int)'),
    bind: f('int bind(int, void *, uint32_t)'),
    listen: f('int listen(int, int)'),
    accept4: f('int accept4(int, void *, void *, int)'),
    connect: f('int connect(int, void *, uint32_t)'),
    send: f('intptr_t send(int, void *, size_t, int)'),
    recv: f('intptr_t recv(int, void *, size_t, int)'),
    sendto: f('intptr_t sendto(int, void *, size_t, int, void *, uint32_t)'),
    recvfrom: f('intptr_t recvfrom(int, void *, size_t, int, void *, void *)'),
    shutdown: f('int shutdown(int, int)'),
    getsockname: f('int getsockname(int, void *, void *)'),
    getpeername: f('int getpeername(int, void *, void *)'),
    getsockopt: f('int getsockopt(int, int, int, void *, void *)'),
    setsockopt: f('int setsockopt(int, int, int, void *, uint32_t)'),
    fcntl: (fd, cmd, arg) => fcntl(fd, cmd, 'int', arg),
    poll: f('int poll(void *, unsigned long, int)'),
    pipe: f('int pipe(void *)'),
    read: f('intptr_t read(int, void *, size_t)'),
    write: f('intptr_t write(int, void *, size_t)'),
    close: f('int close(int)'),
    errno: () => koffi.errno(),
    ioctlInt: (fd, request) => (ioctl(fd, request, ioctlOut) < 0 ? -1 : ioctlOut[0]),
    addressOf: (buf) => Number(memmove(buf, buf, 0)),
    getsockoptAt: f('int getsockopt(int, int, int, uintptr_t, uintptr_t)'),
    setsockoptAt: f('int setsockopt(int, int, int, uintptr_t, uint32_t)'),
    recvmsgAt: f('intptr_t recvmsg(int, uintptr_t, int)'),
    sendmsgAt: f('intptr_t sendmsg(int, uintptr_t, int)'),
    getaddrinfo: missing('getaddrinfo'),
  };
}
