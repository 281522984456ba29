// Raw memory and string routines, by libc name or builtin, called or not.
// RUN: %not %safec -fplugin-arg-safec-crate=t -fsyntax-only %s 2>&1 | %check_rules
#include <stddef.h>
void *memcpy(void *dst, const void *src, size_t n);
void *memset(void *dst, int c, size_t n);
size_t strlen(const char *s);

struct page { unsigned char bytes[64]; };

void copy_libc(struct page *dst, const struct page *src)
{
	// CHECK: raw-memory.c:[[@LINE+1]]:2: error: use of 'memcpy', which reads or writes raw memory by byte count; hint: {{.*}} [safe-c-raw-memory]
	memcpy(dst, src, sizeof *dst);
}

void clear_builtin(struct page *p)
{
	// CHECK: raw-memory.c:[[@LINE+1]]:2: error: use of '__builtin_memset'{{.*}} [safe-c-raw-memory]
	__builtin_memset(p, 0, 4096);
}

size_t length(const char *s)
{
	// CHECK: raw-memory.c:[[@LINE+1]]:9: error: use of 'strlen'{{.*}} [safe-c-raw-memory]
	return strlen(s) + __builtin_strlen("abc");
	// CHECK: raw-memory.c:[[@LINE-1]]:21: error: use of '__builtin_strlen'{{.*}} [safe-c-raw-memory]
}

void checked_form(struct page *dst, const struct page *src)
{
	// CHECK: raw-memory.c:[[@LINE+1]]:2: error: use of '__builtin___memmove_chk'{{.*}} [safe-c-raw-memory]
	__builtin___memmove_chk(dst, src, 64, 64);
	// CHECK: raw-memory.c:[[@LINE+1]]:2: error: use of '__builtin_memcpy_inline'{{.*}} [safe-c-raw-memory]
	__builtin_memcpy_inline(dst, src, 64);
}

// Taking the address is as good as calling it.
// CHECK: raw-memory.c:[[@LINE+1]]:49: error: use of 'memset'{{.*}} [safe-c-raw-memory]
void *(*const clear_fn)(void *, int, size_t) = &memset;

int compare(const char *a, const char *b)
{
	// CHECK: raw-memory.c:[[@LINE+1]]:9: error: use of '__builtin_memcmp'{{.*}} [safe-c-raw-memory]
	return __builtin_memcmp(a, b, 4);
}
