/* The freestanding support library under the nano-core and its runtime
 * linker: the C string routines, snprintf, and small helpers each used in
 * several places. Only what a kernel needs; nothing here knows of boot,
 * memory or crates. util.c is portable and also built into the linker's
 * host tests; string.c and format.c stand in for libc in the kernel. */
#ifndef THESEUS_KLIB_H
#define THESEUS_KLIB_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* string.c */
void *memcpy(void *restrict dst, const void *restrict src, size_t n);
void *memmove(void *dst, const void *src, size_t n);
void *memset(void *dst, int c, size_t n);
int memcmp(const void *a, const void *b, size_t n);
size_t strlen(const char *s);
size_t strnlen(const char *s, size_t max);
int strcmp(const char *a, const char *b);
int strncmp(const char *a, const char *b, size_t n);

/* format.c */
int kvsnprintf(char *buf, size_t size, const char *fmt, va_list ap);
int ksnprintf(char *buf, size_t size, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

#include "util.h"

#endif
