/* ktest_handover_v2: the alternative of ktest_handover (same code, see
 * crates/ktest_handover/include/ktest_handover.h). */
#include <theseus/crate.h>

CRATE("ktest_handover_v2", "2.0.0", "test crate: state with a pointer, handed over as a typed record", "",
      "ktest_handover", "heap");

#define KTEST_HANDOVER_VERSION 2
#include "ktest_handover_code.h"
