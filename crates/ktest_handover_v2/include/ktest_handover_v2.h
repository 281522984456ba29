/* ktest_handover_v2: the alternative of ktest_handover (same interface:
 * ktest_handover.h). */
#ifndef CRATE_KTEST_HANDOVER_V2_H
#define CRATE_KTEST_HANDOVER_V2_H

#include "ktest_handover.h"

#endif
