/* The nano-core's own function names at run time, from the symbol table
 * the build links into it (kernel/kernel_symbols.py): what names
 * nano-core frames in fault reports and backtraces. */
#ifndef THESEUS_KERNEL_SYMBOLS_H
#define THESEUS_KERNEL_SYMBOLS_H

#include "kernel.h"

/* The nano-core function that contains `address`: its name and the
 * offset into it. False outside the nano-core's code, or between
 * functions, or when the table is empty (the first of the build's two
 * links). */
bool kernel_symbol_of(uint64_t address, const char **name, uint64_t *offset);

/* How many functions the table names (0 for the first link's). */
uint32_t kernel_symbol_count(void);

#endif
