/* The memory crate seen from the nano-core: what its mappings do to the
 * page tables when touched. The crate's own tests (crates/memory/) check
 * its bookkeeping; these need what crate code cannot do - point below a
 * mapping, or outlive the crate - so they live here and reach the crate
 * through the runtime linker. */
#include "records.h"
#include "crate_env.h"
#include "frames.h"
#include "paging.h"
#include "arch/x86_64/trap.h"
#include "memory.h" /* crates/memory/include: the crate under test */

#define OWNER 0x7e590001u
#define PAGE_FAULT_RESULT (14 + 1) /* kfault_try: vector + 1 */
#define PF_PRESENT 1u
#define PF_WRITE 2u

struct memory_calls {
	typeof(&memory_map) map;
	typeof(&memory_map_stack) map_stack;
	typeof(&memory_unmap) unmap;
	typeof(&memory_remap) remap;
	typeof(&memory_bytes) bytes;
	typeof(&memory_release_owner) release_owner;
};

static bool resolve(struct ktest_ctx *t, const char *name, uint64_t *address)
{
	struct linker_symbol sym;
	struct link_error err;
	struct linker *l = crates_linker();
	if (!l || !status_ok(linker_resolve(l, name, 0, &sym, &err))) {
		char why[120];
		if (l)
			link_error_format(&err, why, sizeof why);
		ktest_failf(t, __FILE__, __LINE__, "cannot resolve %s: %s", name, l ? why : "no archive");
		return false;
	}
	*address = sym.address;
	return true;
}

/* Loads the memory crate on demand, as any client would. */
static bool memory_calls(struct ktest_ctx *t, struct memory_calls *c)
{
	uint64_t a[6];
	if (!resolve(t, "memory_map", &a[0]) || !resolve(t, "memory_map_stack", &a[1]) ||
	    !resolve(t, "memory_unmap", &a[2]) || !resolve(t, "memory_remap", &a[3]) ||
	    !resolve(t, "memory_bytes", &a[4]) || !resolve(t, "memory_release_owner", &a[5]))
		return false;
	c->map = (typeof(c->map))a[0];
	c->map_stack = (typeof(c->map_stack))a[1];
	c->unmap = (typeof(c->unmap))a[2];
	c->remap = (typeof(c->remap))a[3];
	c->bytes = (typeof(c->bytes))a[4];
	c->release_owner = (typeof(c->release_owner))a[5];
	return true;
}

static void write_byte(void *p) { *(volatile uint8_t *)p = 0x5a; }
static void read_byte(void *p) { (void)*(volatile uint8_t *)p; }

/* kfault_try(fn, p) faulted with a page fault at p whose error code has
 * exactly `flags` among present/write. */
static bool page_fault_at(void (*fn)(void *), void *p, unsigned flags, struct ktest_ctx *t)
{
	struct fault_point fp;
	int r = kfault_try(&fp, fn, p);
	if (r != PAGE_FAULT_RESULT || fp.fault_addr != (uint64_t)p || (fp.error_code & 3) != flags) {
		ktest_failf(t, __FILE__, __LINE__, "touching %p: result %d, address %p, error code %lx", p, r,
			    (void *)fp.fault_addr, fp.error_code);
		return false;
	}
	return true;
}

static bool no_fault(void (*fn)(void *), void *p)
{
	struct fault_point fp;
	return kfault_try(&fp, fn, p) == 0;
}

KTEST(memory_unmapped_pages_fault, "memory.unmapped_pages_fault")
{
	struct memory_calls m;
	KT_EXPECT(t, memory_calls(t, &m));
	struct mapping_result r = m.map(2, MEMORY_READ_WRITE, OWNER);
	KT_EXPECT(t, r.err == E_OK);
	struct bytes b = m.bytes(&r.value);
	uint8_t *first = b.ptr, *last = b.ptr + b.len - 1;
	KT_EXPECT(t, no_fault(write_byte, first) && no_fault(write_byte, last));
	KT_EXPECT(t, paging_lookup((uint64_t)first) != 0);
	KT_EXPECT(t, status_ok(m.unmap(&r.value)));
	KT_EXPECT(t, paging_lookup((uint64_t)first) == 0 && paging_lookup((uint64_t)last) == 0);
	KT_EXPECT(t, page_fault_at(read_byte, first, 0, t));
	KT_EXPECT(t, page_fault_at(write_byte, last, PF_WRITE, t));
}

KTEST(memory_guard_page_below_stack_faults, "memory.guard_page_below_stack_faults")
{
	struct memory_calls m;
	KT_EXPECT(t, memory_calls(t, &m));
	struct mapping_result r = m.map_stack(4, OWNER);
	KT_EXPECT(t, r.err == E_OK);
	struct bytes b = m.bytes(&r.value);
	KT_EXPECT(t, b.len == 4 * PAGE_SIZE);
	/* The whole stack is usable, top to bottom... */
	KT_EXPECT(t, no_fault(write_byte, b.ptr + b.len - 1) && no_fault(write_byte, b.ptr));
	/* ...and one byte further down is the guard page. */
	uint8_t *below = b.ptr - 1;
	KT_EXPECT(t, paging_lookup((uint64_t)below) == 0);
	KT_EXPECT(t, page_fault_at(write_byte, below, PF_WRITE, t));
	KT_EXPECT(t, page_fault_at(read_byte, b.ptr - PAGE_SIZE, 0, t));
	/* An ordinary mapping made next is not placed in the guard page. */
	struct mapping_result next = m.map(1, MEMORY_READ_WRITE, OWNER);
	KT_EXPECT(t, next.err == E_OK);
	KT_EXPECT(t, paging_lookup((uint64_t)below) == 0);
	KT_EXPECT(t, status_ok(m.release_owner(OWNER)));
}

KTEST(memory_read_only_mapping_faults_on_write, "memory.read_only_mapping_faults_on_write")
{
	struct memory_calls m;
	KT_EXPECT(t, memory_calls(t, &m));
	struct mapping_result r = m.map(1, MEMORY_READ_WRITE, OWNER);
	KT_EXPECT(t, r.err == E_OK);
	uint8_t *p = m.bytes(&r.value).ptr + 100;
	KT_EXPECT(t, no_fault(write_byte, p));
	KT_EXPECT(t, status_ok(m.remap(&r.value, MEMORY_READ)));
	KT_EXPECT(t, page_fault_at(write_byte, p, PF_PRESENT | PF_WRITE, t));
	KT_EXPECT(t, no_fault(read_byte, p) && *p == 0x5a);
	KT_EXPECT(t, (paging_entry((uint64_t)p) & (PTE_WRITE | PTE_NX)) == PTE_NX);
	KT_EXPECT(t, status_ok(m.remap(&r.value, MEMORY_READ_WRITE)));
	KT_EXPECT(t, no_fault(write_byte, p));
	KT_EXPECT(t, (paging_entry((uint64_t)p) & (PTE_WRITE | PTE_NX)) == (PTE_WRITE | PTE_NX));
	KT_EXPECT(t, status_ok(m.unmap(&r.value)));
}

/* Unloading the memory crate loses its records; the next instance gives
 * back whatever the last one left mapped, rather than leaking it. */
KTEST(memory_reload_reclaims_what_was_left_mapped, "memory.reload_reclaims_what_was_left_mapped")
{
	struct linker *l = crates_linker();
	KT_EXPECT(t, l != NULL);
	crates_unload_unused(l);
	struct memory_calls m;
	KT_EXPECT(t, memory_calls(t, &m));
	uint64_t loaded = frames_free_count();
	struct mapping_result r = m.map(64, MEMORY_READ_WRITE, OWNER);
	KT_EXPECT(t, r.err == E_OK);
	uint64_t va = (uint64_t)m.bytes(&r.value).ptr;
	KT_EXPECT(t, frames_free_count() + 64 <= loaded);

	uint32_t id = linker_crate_by_name(l, "memory");
	struct link_error err;
	KT_EXPECT(t, status_ok(linker_unload(l, id, &err)));
	KT_EXPECT(t, paging_lookup(va) != 0); /* nobody knows of it now */
	KT_EXPECT(t, memory_calls(t, &m));    /* loads it again */
	KT_EXPECT(t, paging_lookup(va) == 0);
	/* The crate's own sections come and go with it; allow the nano-core's
	 * table heap a few frames, as linker.unload_returns_memory does. */
	KT_EXPECT_MSG(t, frames_free_count() + 8 >= loaded, "%ld frames of 64 not returned",
		      (int64_t)(loaded - frames_free_count()));
	crates_unload_unused(l);
}

/* heap_alloc's type, as crates/heap/include/heap.h declares it (that header
 * pulls in the crates' include folders, which the nano-core does not see). */
struct heap_block { enum kerr err; struct bytes value; };
typedef struct heap_block (*heap_alloc_fn)(size_t size, size_t align, uint32_t owner);

/* The heap's slabs are mappings of MEMORY_OWNER_HEAP: a heap crate loaded
 * again gives back what the unloaded one had mapped. */
KTEST(heap_reload_reclaims_its_slabs, "heap.reload_reclaims_its_slabs")
{
	struct linker *l = crates_linker();
	KT_EXPECT(t, l != NULL);
	crates_unload_unused(l);
	uint64_t a, s;
	KT_EXPECT(t, resolve(t, "heap_alloc", &a) && resolve(t, "memory_stats", &s));
	heap_alloc_fn heap_alloc = (heap_alloc_fn)a;
	typeof(&memory_stats) stats = (typeof(stats))s;
	KT_EXPECT(t, heap_alloc(100, 8, OWNER).err == E_OK);
	KT_EXPECT(t, heap_alloc(10000, 8, OWNER).err == E_OK);
	uint64_t pages = stats(MEMORY_OWNER_HEAP).pages_mapped;
	KT_EXPECT_MSG(t, pages >= 4 + 3, "the heap maps %lu pages", pages);

	struct link_error err;
	KT_EXPECT(t, status_ok(linker_unload(l, linker_crate_by_name(l, "heap"), &err)));
	KT_EXPECT(t, stats(MEMORY_OWNER_HEAP).pages_mapped == pages); /* nobody's now */
	KT_EXPECT(t, resolve(t, "heap_alloc", &a)); /* loads it again */
	KT_EXPECT(t, stats(MEMORY_OWNER_HEAP).pages_mapped == 0);
	crates_unload_unused(l);
}
