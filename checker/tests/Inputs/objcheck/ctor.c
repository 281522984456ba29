/* Crate "ctor": a constructor and thread-local state. */
#include <theseus/crate.h>
CRATE("ctor", "1.0.0", "test crate", "", "", "");
_Thread_local int per_thread;
__attribute__((constructor)) static void early(void) { per_thread = 1; }
CRATE_EXPORT int ctor_value(void) { return per_thread; }
