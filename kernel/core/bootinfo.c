/* Multiboot2 and PVH boot information -> struct boot_info. */
#include "bootinfo.h"

#define MB2_TAG_END 0
#define MB2_TAG_CMDLINE 1
#define MB2_TAG_MODULE 3
#define MB2_TAG_MMAP 6

#define PVH_MAGIC 0x336ec578

struct hvm_start_info {
	uint32_t magic;
	uint32_t version;
	uint32_t flags;
	uint32_t nr_modules;
	uint64_t modlist_paddr;
	uint64_t cmdline_paddr;
	uint64_t rsdp_paddr;
	uint64_t memmap_paddr;   /* version >= 1 */
	uint32_t memmap_entries; /* version >= 1 */
	uint32_t reserved;
};

struct hvm_modlist_entry {
	uint64_t paddr;
	uint64_t size;
	uint64_t cmdline_paddr;
	uint64_t reserved;
};

struct hvm_memmap_entry {
	uint64_t addr;
	uint64_t size;
	uint32_t type;
	uint32_t reserved;
};

/* Loader structures must lie inside the boot window to be readable now. */
static bool phys_range_ok(uint64_t pa, uint64_t len)
{
	return pa < KERNEL_WINDOW_SIZE && len <= KERNEL_WINDOW_SIZE - pa;
}

static void copy_string(char *dst, size_t cap, uint64_t pa, size_t max_len)
{
	dst[0] = '\0';
	if (!pa || !phys_range_ok(pa, 1))
		return;
	const char *src = phys_to_virt(pa);
	size_t room = KERNEL_WINDOW_SIZE - pa;
	size_t n = strnlen(src, max_len < room ? max_len : room);
	if (n >= cap)
		n = cap - 1;
	memcpy(dst, src, n);
	dst[n] = '\0';
}

static void add_region(struct boot_info *bi, uint64_t base, uint64_t len, uint32_t type)
{
	if (bi->region_count == BOOT_MAX_REGIONS) {
		bi->truncated = true;
		return;
	}
	bi->regions[bi->region_count++] = (struct mem_region){base, len, type};
}

static void add_module(struct boot_info *bi, uint64_t start, uint64_t end, uint64_t name_pa,
		       size_t name_max)
{
	if (bi->module_count == BOOT_MAX_MODULES) {
		bi->truncated = true;
		return;
	}
	struct boot_module *m = &bi->modules[bi->module_count++];
	m->start = start;
	m->end = end;
	copy_string(m->name, sizeof m->name, name_pa, name_max);
}

static struct status parse_multiboot2(uint64_t pa, struct boot_info *bi, const char **reason)
{
	if (!phys_range_ok(pa, 8)) {
		*reason = "multiboot2 information outside the first GiB";
		return STATUS(E_INVAL);
	}
	const uint8_t *base = phys_to_virt(pa);
	uint32_t total = *(const uint32_t *)base;
	if (total < 16 || !phys_range_ok(pa, total)) {
		*reason = "multiboot2 information has a bad total size";
		return STATUS(E_INVAL);
	}
	uint32_t off = 8;
	while (off + 8 <= total) {
		uint32_t type = *(const uint32_t *)(base + off);
		uint32_t size = *(const uint32_t *)(base + off + 4);
		if (size < 8 || size > total - off) {
			*reason = "multiboot2 tag runs past the end of the information";
			return STATUS(E_INVAL);
		}
		const uint8_t *tag = base + off;
		if (type == MB2_TAG_END)
			return STATUS_OK;
		if (type == MB2_TAG_CMDLINE) {
			copy_string(bi->cmdline, sizeof bi->cmdline, pa + off + 8, size - 8);
		} else if (type == MB2_TAG_MODULE && size >= 16) {
			uint32_t start = *(const uint32_t *)(tag + 8);
			uint32_t end = *(const uint32_t *)(tag + 12);
			add_module(bi, start, end, pa + off + 16, size - 16);
		} else if (type == MB2_TAG_MMAP && size >= 16) {
			uint32_t esize = *(const uint32_t *)(tag + 8);
			if (esize < 24) {
				*reason = "multiboot2 memory map entries are too small";
				return STATUS(E_INVAL);
			}
			for (uint32_t e = 16; e + esize <= size; e += esize) {
				const uint8_t *ent = tag + e;
				add_region(bi, *(const uint64_t *)ent, *(const uint64_t *)(ent + 8),
					   *(const uint32_t *)(ent + 16));
			}
		}
		off += (size + 7) & ~7u;
	}
	*reason = "multiboot2 information has no end tag";
	return STATUS(E_INVAL);
}

static struct status parse_pvh(uint64_t pa, struct boot_info *bi, const char **reason)
{
	if (!phys_range_ok(pa, sizeof(struct hvm_start_info))) {
		*reason = "PVH start info outside the first GiB";
		return STATUS(E_INVAL);
	}
	const struct hvm_start_info *si = phys_to_virt(pa);
	if (si->magic != PVH_MAGIC) {
		*reason = "PVH start info has a bad magic";
		return STATUS(E_INVAL);
	}
	copy_string(bi->cmdline, sizeof bi->cmdline, si->cmdline_paddr, sizeof bi->cmdline);

	if (si->nr_modules) {
		uint64_t bytes = (uint64_t)si->nr_modules * sizeof(struct hvm_modlist_entry);
		if (si->nr_modules > 64 || !phys_range_ok(si->modlist_paddr, bytes)) {
			*reason = "PVH module list is out of range";
			return STATUS(E_INVAL);
		}
		const struct hvm_modlist_entry *mods = phys_to_virt(si->modlist_paddr);
		for (uint32_t i = 0; i < si->nr_modules; i++)
			add_module(bi, mods[i].paddr, mods[i].paddr + mods[i].size,
				   mods[i].cmdline_paddr, 63);
	}

	if (si->version < 1 || si->memmap_entries == 0) {
		*reason = "PVH start info carries no memory map (version < 1)";
		return STATUS(E_INVAL);
	}
	uint64_t bytes = (uint64_t)si->memmap_entries * sizeof(struct hvm_memmap_entry);
	if (si->memmap_entries > 1024 || !phys_range_ok(si->memmap_paddr, bytes)) {
		*reason = "PVH memory map is out of range";
		return STATUS(E_INVAL);
	}
	const struct hvm_memmap_entry *map = phys_to_virt(si->memmap_paddr);
	for (uint32_t i = 0; i < si->memmap_entries; i++)
		add_region(bi, map[i].addr, map[i].size, map[i].type);
	return STATUS_OK;
}

/* The copy every later stage reads (boot_info()). */
static struct boot_info the_boot_info;

const struct boot_info *boot_info(void) { return &the_boot_info; }

struct status bootinfo_parse(int protocol, uint64_t info_phys, const char **reason)
{
	struct boot_info *out = &the_boot_info;
	memset(out, 0, sizeof *out);
	out->protocol = protocol;
	*reason = "";
	if (protocol == BOOT_PROTO_MULTIBOOT2)
		return parse_multiboot2(info_phys, out, reason);
	if (protocol == BOOT_PROTO_PVH)
		return parse_pvh(info_phys, out, reason);
	*reason = "unknown boot protocol";
	return STATUS(E_INVAL);
}

const char *mem_type_name(uint32_t type)
{
	switch (type) {
	case MEM_USABLE: return "usable";
	case MEM_RESERVED: return "reserved";
	case MEM_ACPI: return "acpi";
	case MEM_NVS: return "acpi-nvs";
	case MEM_BAD: return "bad";
	default: return "other";
	}
}

uint64_t bootinfo_usable_bytes(const struct boot_info *bi)
{
	uint64_t sum = 0;
	for (unsigned i = 0; i < bi->region_count; i++)
		if (bi->regions[i].type == MEM_USABLE)
			sum += bi->regions[i].len;
	return sum;
}
