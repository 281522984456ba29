/* What the loader told us, copied into the nano-core's own memory so that
 * nothing later depends on the loader's data structures. */
#ifndef THESEUS_BOOTINFO_H
#define THESEUS_BOOTINFO_H

#include "kernel.h"

#define BOOT_MAX_REGIONS 64
#define BOOT_MAX_MODULES 8

enum mem_type { MEM_USABLE = 1, MEM_RESERVED = 2, MEM_ACPI = 3, MEM_NVS = 4, MEM_BAD = 5 };

struct mem_region {
	uint64_t base;
	uint64_t len;
	uint32_t type;
};

struct boot_module {
	uint64_t start; /* physical */
	uint64_t end;   /* physical, exclusive */
	char name[64];
};

struct boot_info {
	int protocol; /* BOOT_PROTO_* */
	char cmdline[512];
	struct mem_region regions[BOOT_MAX_REGIONS];
	unsigned region_count;
	struct boot_module modules[BOOT_MAX_MODULES];
	unsigned module_count;
	bool truncated; /* more regions or modules than we keep */
};

/* Parse the loader's information into the nano-core's own copy; returns
 * E_INVAL with a reason on garbage. */
struct status bootinfo_parse(int protocol, uint64_t info_phys, const char **reason);
/* That copy (all zero before bootinfo_parse). */
const struct boot_info *boot_info(void);
const char *mem_type_name(uint32_t type);
uint64_t bootinfo_usable_bytes(const struct boot_info *bi);

#endif
