/*
 * netdb.h for wasm32-wasi guests built with the sockbox C SDK.
 *
 * wasi-libc ships no <netdb.h>. With `-I guest/c` on the clang line, a program's
 * `#include <netdb.h>` finds this file, which brings struct addrinfo,
 * getaddrinfo, freeaddrinfo, gai_strerror, getnameinfo and the AI_*, EAI_* and
 * NI_* constants from sockbox.h (see there; the numbers are glibc's).
 */
#ifndef SOCKBOX_NETDB_H
#define SOCKBOX_NETDB_H
#include "sockbox.h"
#endif
