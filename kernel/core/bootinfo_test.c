/* The boot information as the harness set it up: it boots QEMU with
 * `-m 256M`, passes expect_mem_mb=256 and the crate archive as a module. */
#include "records.h"
#include "bootinfo.h"
#include "cmdline.h"

/* The harness's expect_* words are numbers (0 for a bad one, which
 * fails the checks below). */
static uint64_t expected(const char *word)
{
	uint64_t v = 0;
	(void)parse_u64(word, strlen(word), &v);
	return v;
}

KTEST(bootinfo_memory_map, "bootinfo.memory_map")
{
	const struct boot_info *bi = boot_info();
	KT_EXPECT(t, bi->region_count >= 2);
	KT_EXPECT(t, !bi->truncated);
	uint64_t usable = bootinfo_usable_bytes(bi);
	char v[16];
	if (cmdline_get(bi->cmdline, "expect_mem_mb", v, sizeof v)) {
		uint64_t mb = expected(v);
		/* Firmware keeps some: usable RAM is a little under -m, never over. */
		KT_EXPECT_MSG(t, usable <= mb << 20 && usable >= (mb << 20) * 9 / 10,
			      "usable %lu KiB for -m %luM", usable >> 10, mb);
	} else {
		KT_EXPECT(t, usable >= 16ull << 20);
	}
	bool low_usable = false, high_usable = false;
	for (unsigned i = 0; i < bi->region_count; i++) {
		const struct mem_region *r = &bi->regions[i];
		KT_EXPECT_MSG(t, r->len > 0, "region %u is empty", i);
		if (r->type == MEM_USABLE && r->base < 0x100000)
			low_usable = true;
		if (r->type == MEM_USABLE && r->base <= 0x100000 && r->base + r->len > 0x200000)
			high_usable = true;
	}
	KT_EXPECT(t, low_usable);  /* conventional memory below 640 KiB */
	KT_EXPECT(t, high_usable); /* where the nano-core was loaded */
}

KTEST(bootinfo_modules, "bootinfo.modules")
{
	const struct boot_info *bi = boot_info();
	char v[8];
	if (!cmdline_get(bi->cmdline, "expect_modules", v, sizeof v))
		return;
	KT_EXPECT_MSG(t, bi->module_count == expected(v), "%u modules", bi->module_count);
	for (unsigned i = 0; i < bi->module_count; i++) {
		KT_EXPECT(t, bi->modules[i].end > bi->modules[i].start);
		KT_EXPECT(t, bi->modules[i].start >= 0x100000);
	}
}
