/* A stand-in nano-core: two public exports, one private function. */
#define EXPORT __attribute__((visibility("default")))
EXPORT void kernel_console_write(const char *text) { (void)text; }
EXPORT unsigned long kernel_ticks;
void nano_private_reset(void) {}
__attribute__((noinline, used)) static void nano_local_helper(void) {}
void _start(void) { nano_local_helper(); for (;;) ; }
