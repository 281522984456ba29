/* ktest_handover: see include/ktest_handover.h. */
#include <theseus/crate.h>

CRATE("ktest_handover", "1.0.0", "test crate: state with a pointer, handed over as a typed record", "", "", "heap");

#define KTEST_HANDOVER_VERSION 1
#include "ktest_handover_code.h"
