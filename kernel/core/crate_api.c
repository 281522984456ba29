/* The runtime linker's services as nano-core exports for crates: the
 * archive and what is loaded (crates, deps, syms), load and unload, and
 * the helpers the other crate service files share (crate_api.h).
 * Application calls and fault injection are crate_calls.c; handles and the
 * swap primitive crate_swap.c. The declarations are
 * kernel/include/theseus/crates.h. */
#include "crate_api.h"
#include "export.h"
#include <theseus/cpu.h>

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

struct status crate_request(struct str name, char *cname, size_t cap, struct linker **l,
			    struct crate_error *why)
{
	*l = crates_linker();
	if (!*l) {
		explain(why, "no crate archive was loaded at boot");
		return STATUS(E_NOENT);
	}
	if (!text_to_cstr(name.ptr, name.len, cname, cap)) {
		explain(why, "name too long");
		return STATUS(E_INVAL);
	}
	return STATUS_OK;
}

struct status loaded_crate_request(struct str name, char *cname, size_t cap, struct linker **l, uint32_t *id,
				  struct crate_error *why)
{
	struct status s = crate_request(name, cname, cap, l, why);
	if (!status_ok(s))
		return s;
	*id = linker_crate_by_name(*l, cname);
	if (!linker_is_loaded(*l, *id)) {
		explain(why, "not loaded");
		return STATUS(E_NOENT);
	}
	return STATUS_OK;
}

/* The summary of crate `id`; false for a vacant id. */
bool crate_summarize(struct linker *l, uint32_t id, struct crate_summary *s)
{
	struct archive_crate ac;
	struct linker_crate_stats st;
	if (!linker_crate_entry(l, id, &ac) || !status_ok(linker_crate_stats(l, id, &st)))
		return false;
	memset(s, 0, sizeof *s);
	copy_cstr(s->name, sizeof s->name, ac.name);
	copy_cstr(s->version, sizeof s->version, ac.version);
	copy_cstr(s->description, sizeof s->description, ac.description);
	copy_cstr(s->alternative_of, sizeof s->alternative_of, ac.alternative_of);
	s->alternative = ac.flags & ARCHIVE_CRATE_ALTERNATIVE;
	s->image_bytes = ac.elf_size;
	s->forced = ac.flags & ARCHIVE_CRATE_FORCED;
	s->pushed = linker_is_pushed(l, id);
	s->restarted = linker_is_added(l, id) && !s->pushed;
	s->generation = st.generation;
	s->swaps = st.swaps;
	s->loaded = st.loaded;
	s->retired = st.retired;
	if (!st.loaded && !st.retired)
		return true;
	s->unchecked = st.unchecked;
	s->text_bytes = st.text_size;
	s->rodata_bytes = st.rodata_size + st.got_size;
	s->data_bytes = st.data_size;
	s->bss_bytes = st.bss_size;
	s->state_bytes = st.data_size + st.bss_size - st.scratch_size;
	s->sections = st.section_count;
	s->relocations = st.reloc_count;
	s->refcount = st.refcount;
	s->dependent_crates = st.dependent_crates;
	s->load_cycles = st.load_time;
	const char *by = linker_crate_name(l, st.reason_crate);
	if (!by) {
		ksnprintf(s->loaded_for, sizeof s->loaded_for, "explicit request%s%s",
			  st.reason_symbol ? " for " : "", st.reason_symbol ? st.reason_symbol : "");
	} else {
		/* The crate that needed it may have gone since (unloaded, swapped). */
		ksnprintf(s->loaded_for, sizeof s->loaded_for, "%s%s for %s", by,
			  linker_is_loaded(l, st.reason_crate)    ? ""
			  : linker_is_retired(l, st.reason_crate) ? " (retired)"
								  : " (gone)",
			  st.reason_symbol ? st.reason_symbol : "?");
	}
	return true;
}

KERNEL_EXPORT size_t kernel_crate_list(struct crate_summary *out, size_t cap)
{
	struct linker *l = crates_linker();
	size_t n = 0;
	for (uint32_t id = 0; l && id < l->slot_count; id++) {
		struct crate_summary s;
		if (!crate_summarize(l, id, &s))
			continue; /* a vacant pushed slot */
		if (n < cap)
			out[n] = s;
		n++;
	}
	return n;
}
KEXPORT(kernel_crate_list);

KERNEL_EXPORT struct status kernel_crate_load(struct str name, struct crate_error *why)
{
	struct linker *l;
	char cname[48];
	struct status req = crate_request(name, cname, sizeof cname, &l, why);
	if (!status_ok(req))
		return req;
	uint32_t id;
	struct link_error err;
	crates_wait_for_linker(l);
	struct status s = linker_load_crate(l, cname, &id, &err);
	if (!status_ok(s))
		explain_link(why, &err);
	return s;
}
KEXPORT(kernel_crate_load);

/* Drop the images of pushed or copied crates that are no longer loaded. */
static void forget_unloaded_added(struct linker *l)
{
	for (uint32_t i = l->archive.crate_count; i < l->slot_count; i++)
		if (linker_is_added(l, i) && !linker_is_loaded(l, i) && !linker_is_retired(l, i))
			(void)linker_forget_pushed(l, i);
}

KERNEL_EXPORT struct status kernel_crate_unload(struct str name, struct crate_error *why)
{
	struct linker *l;
	char cname[48];
	uint32_t id;
	struct status req = loaded_crate_request(name, cname, sizeof cname, &l, &id, why);
	if (!status_ok(req))
		return req;
	crates_wait_for_linker(l);
	/* No interrupt handler may run in the crate while it goes. */
	bool irq = cpu_irq_save();
	struct link_error err;
	/* A crate in an import cycle goes with the rest of its cycle. */
	struct status s = linker_unload_cycle(l, id, NULL, &err);
	if (status_ok(s))
		forget_unloaded_added(l); /* their images go with them */
	cpu_irq_restore(irq);
	if (!status_ok(s))
		explain_link(why, &err);
	return s;
}
KEXPORT(kernel_crate_unload);

struct edge_walk {
	struct linker *l;
	bool per_section;
	size_t skip; /* edges before `first` */
	struct crate_edge *out;
	size_t cap, used;
	bool truncated;
};

static void collect_edge(void *ctx, const struct linker_edge *e)
{
	struct edge_walk *w = ctx;
	if (e->to_crate == e->from_crate || e->to_crate == LINKER_NO_CRATE)
		return; /* inside one crate: not a dependency between crates */
	if (w->skip) {
		w->skip--;
		return;
	}
	if (w->used == w->cap) {
		w->truncated = true;
		return;
	}
	struct crate_edge *edge = &w->out[w->used++];
	memset(edge, 0, sizeof *edge);
	const char *from = linker_crate_name(w->l, e->from_crate), *to = linker_crate_name(w->l, e->to_crate);
	copy_cstr(edge->from, sizeof edge->from, from ? from : "?");
	copy_cstr(edge->to, sizeof edge->to, to ? to : "?");
	copy_cstr(edge->symbol, sizeof edge->symbol, e->symbol);
	if (w->per_section) {
		copy_cstr(edge->from_section, sizeof edge->from_section, e->from_section);
		copy_cstr(edge->to_section, sizeof edge->to_section, e->to_section);
	}
	edge->count = 1;
}

KERNEL_EXPORT struct count_result kernel_crate_edges(struct str crate, enum crate_edge_direction dir,
						     bool per_section, size_t first, struct crate_edge *out, size_t cap)
{
	struct linker *l;
	char cname[48];
	uint32_t id;
	if (!status_ok(loaded_crate_request(crate, cname, sizeof cname, &l, &id, NULL)))
		return (struct count_result){l ? E_NOENT : E_INVAL, 0};
	struct edge_walk w = {l, per_section, first, out, cap, 0, false};
	if (dir == CRATE_IMPORTS)
		linker_for_each_dependency(l, id, collect_edge, &w);
	else
		linker_for_each_dependent(l, id, collect_edge, &w);
	return (struct count_result){w.truncated ? E_RANGE : E_OK, w.used};
}
KEXPORT(kernel_crate_edges);

struct section_list {
	size_t skip;
	struct crate_section_info *out;
	size_t cap, used;
	bool truncated;
};

static void collect_section(void *ctx, const char *name, uint64_t vaddr, uint64_t size, enum region_kind kind)
{
	struct section_list *s = ctx;
	if (s->skip) {
		s->skip--;
		return;
	}
	if (s->used == s->cap) {
		s->truncated = true;
		return;
	}
	struct crate_section_info *i = &s->out[s->used++];
	copy_cstr(i->name, sizeof i->name, name);
	i->address = vaddr;
	i->size = size;
	_Static_assert(REGION_TEXT == (int)CRATE_SECTION_CODE && REGION_BSS == (int)CRATE_SECTION_BSS,
		       "section kinds");
	i->kind = (enum crate_section_kind)kind;
}

KERNEL_EXPORT struct count_result kernel_crate_sections(struct str crate, size_t first, struct crate_section_info *out,
							size_t cap)
{
	struct linker *l;
	char cname[48];
	uint32_t id;
	if (!status_ok(loaded_crate_request(crate, cname, sizeof cname, &l, &id, NULL)))
		return (struct count_result){E_NOENT, 0};
	struct section_list s = {first, out, cap, 0, false};
	linker_for_each_section(l, id, "", collect_section, &s);
	return (struct count_result){s.truncated ? E_RANGE : E_OK, s.used};
}
KEXPORT(kernel_crate_sections);

struct export_list {
	struct crate_symbol *out;
	size_t cap, used;
	bool truncated;
};

static void collect_export(void *ctx, const char *name, uint64_t address)
{
	struct export_list *e = ctx;
	if (e->used == e->cap) {
		e->truncated = true;
		return;
	}
	struct crate_symbol *s = &e->out[e->used++];
	copy_cstr(s->name, sizeof s->name, name);
	s->address = address;
}

KERNEL_EXPORT struct count_result kernel_crate_exports(struct str crate, struct crate_symbol *out, size_t cap)
{
	struct linker *l;
	char cname[48];
	if (!status_ok(crate_request(crate, cname, sizeof cname, &l, NULL)))
		return (struct count_result){E_INVAL, 0};
	uint32_t id = linker_crate_by_name(l, cname);
	if (id == LINKER_NO_CRATE)
		return (struct count_result){E_NOENT, 0};
	struct export_list e = {out, cap, 0, false};
	linker_for_each_export(l, id, collect_export, &e);
	return (struct count_result){e.truncated ? E_RANGE : E_OK, e.used};
}
KEXPORT(kernel_crate_exports);
