/* Test stand-in for a trusted header with a compile-time switch. */
#ifndef TEST_HW_DEBUG_H
#define TEST_HW_DEBUG_H

#if defined(NDEBUG)
#define HW_ASSERT(x) ((void)0)
#else
#define HW_ASSERT(x) ((x) ? (void)0 : __builtin_trap())
#endif

#endif
