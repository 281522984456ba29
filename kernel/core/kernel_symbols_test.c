/* The nano-core names its own functions from the table linked into it. */
#include "kernel_symbols.h"
#include "records.h"
#include "fault.h"

KTEST(kernel_symbols_name_functions, "kernel_symbols.name_functions")
{
	KT_EXPECT_MSG(t, kernel_symbol_count() > 100, "%u functions named", kernel_symbol_count());
	const char *name = NULL;
	uint64_t offset = 1;
	KT_EXPECT(t, kernel_symbol_of((uint64_t)protected_call, &name, &offset));
	KT_EXPECT_MSG(t, name && !strcmp(name, "protected_call") && offset == 0, "%s+0x%lx", name, offset);
	KT_EXPECT(t, kernel_symbol_of((uint64_t)fault_describe + 5, &name, &offset));
	KT_EXPECT_MSG(t, name && !strcmp(name, "fault_describe") && offset == 5, "%s+0x%lx", name, offset);
	/* Data and addresses outside the nano-core's code have no name. */
	KT_EXPECT(t, !kernel_symbol_of((uint64_t)__rodata_start, &name, &offset));
	KT_EXPECT(t, !kernel_symbol_of(0x1000, &name, &offset));
	char where[96];
	fault_symbolize((uint64_t)protected_call + 3, where, sizeof where);
	KT_EXPECT_MSG(t, !strcmp(where, "nano_core protected_call+0x3"), "%s", where);
}
