/* process_v2: the alternative of process (same interface: process.h). */
#ifndef CRATE_PROCESS_V2_H
#define CRATE_PROCESS_V2_H

#include "process.h"

#endif
