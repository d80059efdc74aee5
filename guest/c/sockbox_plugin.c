/* sockbox_plugin.c: alloc/dealloc exports and output packing for C plugins (see sockbox_plugin.h). */
#include <stdlib.h>
#include <string.h>
#include "sockbox_plugin.h"

SOCKBOX_EXPORT("alloc")
void *sockbox_alloc(uint32_t size) {
  /* malloc(0) may return NULL; the host asks for 0 bytes for an empty argument. */
  return malloc(size > 0 ? size : 1);
}

SOCKBOX_EXPORT("dealloc")
void sockbox_dealloc(void *ptr, uint32_t size) {
  (void)size;
  free(ptr);
}

uint64_t sockbox_output(const void *data, uint32_t len) {
  void *copy = sockbox_alloc(len);
  if (copy == NULL) return 0;
  if (len > 0) memcpy(copy, data, len);
  return ((uint64_t)(uintptr_t)copy << 32) | len;
}

uint64_t sockbox_output_string(const char *s) {
  return sockbox_output(s, (uint32_t)strlen(s));
}
