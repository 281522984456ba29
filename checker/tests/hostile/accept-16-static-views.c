// Views of literals and static arrays returned.
// RUN: %safec -fplugin-arg-safec-crate=good -c %s -o %t.o 2>&1 | %count 0
// RUN: test -s %t.o
#include <theseus/slice.h>
static char banner[12] = "hello";
struct str title(void) { return STR("title"); }
struct str text(void) { return STR_FROM_CSTR_ARRAY(banner); }
