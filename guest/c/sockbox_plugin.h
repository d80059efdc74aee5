/*
 * sockbox_plugin.h: the host-call convention for C plugins loaded with
 * Sandbox.instantiate() (a reactor: built with -mexec-model=reactor).
 *
 *     clang --target=wasm32-wasi -mexec-model=reactor -O2 -I guest/c \
 *         plugin.c guest/c/sockbox.c guest/c/sockbox_plugin.c -o plugin.wasm
 *
 * Bytes and strings cross the boundary this way:
 *
 *   host -> guest   plugin.call('f', bytes_or_string): the host asks the plugin's
 *                   exported alloc(size) for memory, copies the bytes there and calls
 *                   f(ptr, len); after the call it frees them with dealloc(ptr, size).
 *   guest -> host   plugin.callBytes('f') / callString('f'): f returns a uint64_t
 *                   (ptr << 32) | len of memory from alloc; the host copies the bytes
 *                   and frees them with dealloc. sockbox_output() does all of that.
 *
 * sockbox_plugin.c exports alloc and dealloc (malloc/free underneath). Export your own
 * functions with SOCKBOX_EXPORT("name").
 */
#ifndef SOCKBOX_PLUGIN_H
#define SOCKBOX_PLUGIN_H

#include <stddef.h>
#include <stdint.h>

/** Exports a function to the host under `name`. */
#define SOCKBOX_EXPORT(name) __attribute__((export_name(name)))

/** The memory the host copies arguments into (exported as "alloc"); NULL when out of memory. */
void *sockbox_alloc(uint32_t size);
/** Frees memory from sockbox_alloc (exported as "dealloc"). */
void sockbox_dealloc(void *ptr, uint32_t size);

/**
 * Returns bytes to the host: copies them into memory from sockbox_alloc and packs the
 * pointer and length as (ptr << 32) | len, for a function's uint64_t result. The host
 * frees the copy. 0 (no bytes) when out of memory.
 */
uint64_t sockbox_output(const void *data, uint32_t len);
/** sockbox_output of a NUL-terminated string (without its NUL). */
uint64_t sockbox_output_string(const char *s);

#endif
