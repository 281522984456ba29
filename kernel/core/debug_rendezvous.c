/* The debugger rendezvous (debug_rendezvous.h). Its records live on the
 * nano-core heap; a crate's section names point into its image, which
 * outlives its mapping, and its name and version into the archive. When
 * the heap cannot hold a record, the crate is left out of the table (a
 * debugger then lacks its symbols) rather than failing the load. */
#include "debug_rendezvous.h"
#include "kheap.h"

/* The debugger's breakpoint. noinline and with an empty asm, so that
 * every event really calls it; `used` keeps it even if nothing else did. */
__attribute__((noinline, used)) void theseus_debug_event(void);
__attribute__((noinline, used)) void theseus_debug_event(void) { __asm__ volatile("" ::: "memory"); }

/* The debugger finds it by this name in nano_core.elf. */
__attribute__((used)) struct theseus_debug_rendezvous theseus_debug = {
	.magic = THESEUS_DEBUG_MAGIC,
	.version = THESEUS_DEBUG_VERSION,
	.header_size = sizeof(struct theseus_debug_rendezvous),
	.crate_size = sizeof(struct theseus_debug_crate),
	.section_size = sizeof(struct theseus_debug_section),
	.event_hook = (uint64_t)theseus_debug_event,
};

static struct theseus_debug_crate *records;
static uint32_t capacity;

static struct theseus_debug_crate *record_at(uint32_t i) { return &records[i]; }

static bool make_room(void)
{
	if (theseus_debug.crate_count < capacity)
		return true;
	uint32_t grown = capacity ? capacity * 2 : 32;
	struct theseus_debug_crate *bigger = kheap_alloc(grown * sizeof *bigger);
	if (!bigger)
		return false;
	if (records) {
		memcpy(bigger, records, capacity * sizeof *bigger);
		kheap_free(records, capacity * sizeof *bigger);
	}
	records = bigger;
	capacity = grown;
	theseus_debug.crates = (uint64_t)records;
	return true;
}

struct section_fill {
	struct theseus_debug_section *out;
	uint32_t count, cap;
};

static void count_section(void *ctx, const char *name, uint64_t vaddr, uint64_t size, enum region_kind kind)
{
	(void)name, (void)vaddr, (void)size, (void)kind;
	((struct section_fill *)ctx)->cap++;
}

static void fill_section(void *ctx, const char *name, uint64_t vaddr, uint64_t size, enum region_kind kind)
{
	(void)kind;
	struct section_fill *f = ctx;
	if (f->count < f->cap)
		f->out[f->count++] = (struct theseus_debug_section){(uint64_t)name, vaddr, size};
}

static void add_crate(const struct linker *l, uint32_t id, uint32_t generation)
{
	struct linker_crate_stats stats;
	if (!status_ok(linker_crate_stats(l, id, &stats)) || !make_room())
		return;
	struct section_fill fill = {NULL, 0, 0};
	linker_for_each_section(l, id, "", count_section, &fill);
	if (fill.cap && !(fill.out = kheap_alloc(fill.cap * sizeof *fill.out)))
		return;
	linker_for_each_section(l, id, "", fill_section, &fill);
	*record_at(theseus_debug.crate_count++) = (struct theseus_debug_crate){
		.name = (uint64_t)stats.name,
		.version = (uint64_t)stats.version,
		.id = id,
		.generation = generation,
		.section_count = fill.count,
		.sections = (uint64_t)fill.out,
	};
}

static void remove_crate(uint32_t id, uint32_t generation)
{
	for (uint32_t i = 0; i < theseus_debug.crate_count; i++) {
		struct theseus_debug_crate *r = record_at(i);
		if (r->id != id || r->generation != generation)
			continue;
		if (r->section_count)
			kheap_free((void *)r->sections, r->section_count * sizeof(struct theseus_debug_section));
		*r = *record_at(--theseus_debug.crate_count);
		return;
	}
}

void debug_rendezvous_crate_event(const struct linker *l, enum linker_crate_event event, uint32_t crate_id,
				  uint32_t generation)
{
	theseus_debug.state = THESEUS_DEBUG_CHANGING;
	if (event == LINKER_CRATE_MAPPED)
		add_crate(l, crate_id, generation);
	else
		remove_crate(crate_id, generation);
	theseus_debug.changes++;
	theseus_debug.last_event = event == LINKER_CRATE_MAPPED ? THESEUS_DEBUG_MAPPED : THESEUS_DEBUG_UNMAPPED;
	theseus_debug.last_crate_id = crate_id;
	theseus_debug.state = THESEUS_DEBUG_CONSISTENT;
	theseus_debug_event();
}
