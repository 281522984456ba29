/* The runtime linker's services as nano-core exports for crates: the
 * archive and what is loaded (crates, deps, syms), load and unload, and the
 * helpers the other crate service files share (crate_api.h). Live swap,
 * push and restart are crate_swap.c; application calls and faults are
 * crate_calls.c. The declarations are kernel/include/theseus/crates.h. */
#include "crate_api.h"
#include "export.h"
#include "paging.h"
#include "../arch/x86_64/cpu.h"
#include <theseus/cpu.h>

void copy_cstr(char *dst, size_t cap, const char *src)
{
	size_t n = src ? strnlen(src, cap - 1) : 0;
	memcpy(dst, src ? src : "", n);
	dst[n] = '\0';
}

/* A struct str as a C string, refusing what does not fit or has a NUL. */
bool str_to_cstr(struct str s, char *dst, size_t cap)
{
	if (s.len >= cap)
		return false;
	for (size_t i = 0; i < s.len; i++)
		if (!s.ptr[i])
			return false;
	memcpy(dst, s.ptr, s.len);
	dst[s.len] = '\0';
	return true;
}

void explain(struct crate_error *why, const char *text)
{
	if (why)
		copy_cstr(why->text, sizeof why->text, text);
}

void explain_link(struct crate_error *why, const struct link_error *err)
{
	if (why)
		link_error_format(err, why->text, sizeof why->text);
}

struct linker *need_linker(struct crate_error *why)
{
	struct linker *l = crates_linker();
	if (!l)
		explain(why, "no crate archive was loaded at boot");
	return l;
}

KERNEL_EXPORT size_t kernel_crate_list(struct crate_summary *out, size_t cap)
{
	struct linker *l = crates_linker();
	if (!l)
		return 0;
	size_t n = 0;
	for (uint32_t i = 0; i < l->slot_count; i++) {
		struct archive_crate ac;
		if (!linker_crate_entry(l, i, &ac))
			continue; /* a vacant pushed slot */
		if (n++ >= cap)
			continue;
		struct crate_summary *s = &out[n - 1];
		memset(s, 0, sizeof *s);
		copy_cstr(s->name, sizeof s->name, ac.name);
		copy_cstr(s->version, sizeof s->version, ac.version);
		copy_cstr(s->description, sizeof s->description, ac.description);
		s->alternative = ac.flags & ARCHIVE_CRATE_ALTERNATIVE;
		s->pushed = linker_is_pushed(l, i);
		s->restarted = linker_is_added(l, i) && !s->pushed;
		s->generation = l->slots[i].generation;
		s->swaps = l->slots[i].swaps;
		struct linker_crate_stats st;
		if (!linker_crate(l, i) || !status_ok(linker_crate_stats(l, i, &st)))
			continue;
		s->loaded = true;
		s->unchecked = linker_crate(l, i)->unchecked;
		s->generation = st.generation;
		s->text_bytes = st.text_size;
		s->rodata_bytes = st.rodata_size + st.got_size;
		s->data_bytes = st.data_size;
		s->bss_bytes = st.bss_size;
		s->sections = st.section_count;
		s->relocations = st.reloc_count;
		s->refcount = st.refcount;
		s->dependent_crates = st.dependent_crates;
		s->load_cycles = st.load_time;
		struct archive_crate by;
		if (st.reason_crate == LINKER_NO_CRATE || !linker_crate_entry(l, st.reason_crate, &by)) {
			ksnprintf(s->loaded_for, sizeof s->loaded_for, "explicit request%s%s",
				  st.reason_symbol ? " for " : "", st.reason_symbol ? st.reason_symbol : "");
		} else {
			/* The crate that needed it may have gone since (unloaded, swapped). */
			ksnprintf(s->loaded_for, sizeof s->loaded_for, "%s%s for %s", by.name,
				  linker_crate(l, st.reason_crate) ? "" : " (gone)",
				  st.reason_symbol ? st.reason_symbol : "?");
		}
	}
	return n;
}
KEXPORT(kernel_crate_list);

/* The linker and a crate name as a C string, or the reason there are none. */
struct status crate_request(struct str name, char *cname, size_t cap, struct linker **l,
				   struct crate_error *why)
{
	*l = need_linker(why);
	if (!*l)
		return STATUS(E_NOENT);
	if (!str_to_cstr(name, cname, cap)) {
		explain(why, "crate name too long");
		return STATUS(E_INVAL);
	}
	return STATUS_OK;
}

KERNEL_EXPORT struct status kernel_crate_load(struct str name, struct crate_error *why)
{
	struct linker *l;
	char cname[48];
	struct status req = crate_request(name, cname, sizeof cname, &l, why);
	if (!status_ok(req))
		return req;
	uint32_t id;
	struct link_error err;
	wait_for_linker(l);
	struct status s = linker_load_crate(l, cname, &id, &err);
	if (!status_ok(s))
		explain_link(why, &err);
	return s;
}
KEXPORT(kernel_crate_load);

/* Drop the copies of pushed crates that are no longer loaded. */
void forget_unloaded_pushed(struct linker *l)
{
	for (uint32_t i = l->archive.crate_count; i < l->slot_count; i++)
		if (linker_is_added(l, i) && !linker_crate(l, i))
			(void)linker_forget_pushed(l, i);
}

struct status loaded_crate_request(struct str name, char *cname, size_t cap, struct linker **l, uint32_t *id,
				  struct crate_error *why)
{
	struct status s = crate_request(name, cname, cap, l, why);
	if (!status_ok(s))
		return s;
	*id = linker_crate_by_name(*l, cname);
	if (!linker_crate(*l, *id)) {
		explain(why, "not loaded");
		return STATUS(E_NOENT);
	}
	return STATUS_OK;
}

KERNEL_EXPORT struct status kernel_crate_unload(struct str name, struct crate_error *why)
{
	struct linker *l;
	char cname[48];
	uint32_t id;
	struct status req = loaded_crate_request(name, cname, sizeof cname, &l, &id, why);
	if (!status_ok(req))
		return req;
	wait_for_linker(l);
	/* No interrupt handler may run in the crate while it goes. */
	bool irq = cpu_irq_save();
	struct link_error err;
	/* A crate in an import cycle goes with the rest of its cycle. */
	struct status s = linker_unload_cycle(l, id, NULL, &err);
	if (status_ok(s))
		forget_unloaded_pushed(l); /* their images go with them */
	cpu_irq_restore(irq);
	if (!status_ok(s))
		explain_link(why, &err);
	return s;
}
KEXPORT(kernel_crate_unload);

bool in_crate_text(const struct loaded_crate *c, uint64_t address)
{
	for (uint32_t i = 0; i < c->region_count; i++) {
		const struct linker_region *r = &c->regions[i];
		if (r->kind == REGION_TEXT && address >= r->vaddr && address - r->vaddr < r->size)
			return true;
	}
	return false;
}

/* Does the frame-pointer chain of the running context pass through c's
 * code? Frames are followed only while they are mapped. */
bool current_stack_in(const struct loaded_crate *c)
{
	uint64_t rbp;
	__asm__ volatile("mov %%rbp, %0" : "=r"(rbp));
	for (unsigned depth = 0; depth < 64 && rbp >= PHYSMAP_BASE && rbp % 8 == 0; depth++) {
		if (!paging_lookup(rbp) || !paging_lookup(rbp + 8))
			break;
		const uint64_t *frame = (const uint64_t *)rbp;
		if (in_crate_text(c, frame[1]))
			return true;
		if (frame[0] <= rbp)
			break;
		rbp = frame[0];
	}
	return false;
}

typedef void (*yield_fn)(void);
typedef void (*sleep_fn)(uint64_t ticks);

/* Let other tasks run for a tick (they may leave the crate, or drop their
 * references to it); spin a little when there is no task crate. */
void let_others_run(struct linker *l)
{
	struct linker_symbol sym;
	if (status_ok(linker_resolve_loaded(l, "task_sleep_ticks", &sym)) &&
	    status_ok(linker_check_call_type(l, sym.crate_id, "task_sleep_ticks", "linker_call_type_sleep", NULL))) {
		((sleep_fn)sym.address)(1);
		return;
	}
	if (status_ok(linker_resolve_loaded(l, "task_yield", &sym)) &&
	    status_ok(linker_check_call_type(l, sym.crate_id, "task_yield", "linker_call_type_yield", NULL))) {
		((yield_fn)sym.address)();
		return;
	}
	for (int i = 0; i < 1000; i++)
		cpu_relax();
}

/* The linker serves one request at a time, and a task can be preempted
 * in the middle of one (loading an application it spawned, say). Another
 * task's request waits for it here, a tick at a time and at most about two
 * seconds, instead of failing with "linker busy". */
#define LINKER_WAIT_TRIES 2000
void wait_for_linker(struct linker *l)
{
	for (int i = 0; l->busy && i < LINKER_WAIT_TRIES; i++)
		let_others_run(l);
}

struct edge_walk {
	struct linker *l;
	uint32_t self;
	bool imports; /* walking forward edges of self */
	bool per_section;
	struct crate_edge *out;
	size_t cap, used;
	bool truncated;
};

const char *crate_name_of(struct linker *l, uint32_t id)
{
	if (id == LINKER_KERNEL_CRATE)
		return "nano_core";
	const struct loaded_crate *c = linker_crate(l, id);
	return c ? c->name : "?";
}

static const char *section_name_of(struct linker *l, uint32_t crate, uint32_t section)
{
	const struct loaded_crate *c = linker_crate(l, crate);
	if (!c || section >= c->section_count)
		return crate == LINKER_KERNEL_CRATE ? "(export)" : "-";
	return c->sections[section].name;
}

static void collect_edge(void *ctx, const struct linker_edge *e)
{
	struct edge_walk *w = ctx;
	const struct reloc_record *r = e->reloc;
	if (r->target_crate == e->from_crate || r->target_crate == LINKER_NO_CRATE)
		return; /* inside one crate: not a dependency between crates */
	struct crate_edge edge;
	memset(&edge, 0, sizeof edge);
	copy_cstr(edge.from, sizeof edge.from, crate_name_of(w->l, e->from_crate));
	copy_cstr(edge.to, sizeof edge.to, crate_name_of(w->l, r->target_crate));
	copy_cstr(edge.symbol, sizeof edge.symbol, e->symbol);
	if (w->per_section) {
		copy_cstr(edge.from_section, sizeof edge.from_section,
			  section_name_of(w->l, e->from_crate, r->section));
		copy_cstr(edge.to_section, sizeof edge.to_section,
			  section_name_of(w->l, r->target_crate, r->target_section));
	}
	for (size_t i = 0; i < w->used; i++) {
		struct crate_edge *o = &w->out[i];
		if (!strcmp(o->from, edge.from) && !strcmp(o->to, edge.to) && !strcmp(o->symbol, edge.symbol) &&
		    !strcmp(o->from_section, edge.from_section) && !strcmp(o->to_section, edge.to_section)) {
			o->count++;
			return;
		}
	}
	if (w->used == w->cap) {
		w->truncated = true;
		return;
	}
	edge.count = 1;
	w->out[w->used++] = edge;
}

KERNEL_EXPORT struct count_result kernel_crate_edges(struct str crate, enum crate_edge_direction dir,
						     bool per_section, struct crate_edge *out, size_t cap)
{
	struct linker *l = crates_linker();
	char cname[48];
	if (!l || !str_to_cstr(crate, cname, sizeof cname))
		return (struct count_result){E_INVAL, 0};
	uint32_t id = linker_crate_by_name(l, cname);
	if (id == LINKER_NO_CRATE || !linker_crate(l, id))
		return (struct count_result){E_NOENT, 0};
	struct edge_walk w = {l, id, dir == CRATE_IMPORTS, per_section, out, cap, 0, false};
	if (dir == CRATE_IMPORTS)
		linker_for_each_dependency(l, id, collect_edge, &w);
	else
		linker_for_each_dependent(l, id, collect_edge, &w);
	return (struct count_result){w.truncated ? E_RANGE : E_OK, w.used};
}
KEXPORT(kernel_crate_edges);

KERNEL_EXPORT struct count_result kernel_crate_exports(struct str crate, struct crate_symbol *out, size_t cap)
{
	struct linker *l = crates_linker();
	char cname[48];
	if (!l || !str_to_cstr(crate, cname, sizeof cname))
		return (struct count_result){E_INVAL, 0};
	uint32_t id = archive_find_crate(&l->archive, cname);
	if (id == ARCHIVE_NO_CRATE)
		return (struct count_result){E_NOENT, 0};
	const struct loaded_crate *lc = linker_crate(l, id);
	size_t used = 0;
	bool truncated = false;
	/* The index is validated by archive_open: entries and strings are in bounds. */
	const uint8_t *index = l->archive.base + l->archive.symbol_index_off;
	for (uint32_t i = 0; i < l->archive.symbol_count; i++) {
		uint32_t name_off, crate_index;
		memcpy(&name_off, index + i * ARCHIVE_SYMBOL_ENTRY_SIZE, 4);
		memcpy(&crate_index, index + i * ARCHIVE_SYMBOL_ENTRY_SIZE + 4, 4);
		if (crate_index != id)
			continue;
		if (used == cap) {
			truncated = true;
			break;
		}
		struct crate_symbol *s = &out[used++];
		const char *name = archive_string(&l->archive, name_off);
		copy_cstr(s->name, sizeof s->name, name);
		s->address = 0;
		uint32_t sym = lc && name ? find_export(lc, name) : LINKER_NO_SECTION;
		if (sym != LINKER_NO_SECTION)
			s->address = lc->resolved[sym].address;
	}
	return (struct count_result){truncated ? E_RANGE : E_OK, used};
}
KEXPORT(kernel_crate_exports);
