/* Repairing a loaded crate's code in place (linker_repair in linker.h).
 *
 * A crate's code and read-only data are a function of its image and of
 * the addresses its relocations resolved to, both of which the linker
 * keeps: each such section is rebuilt in a scratch copy (the image's
 * bytes, then every relocation of the section applied as at load time,
 * with today's bindings, so a swap's re-pointing is kept) and every byte
 * that differs is written back, and so is every GOT slot. A flipped bit or
 * an injected breakpoint in code goes; the crate's data, its state, is not
 * touched, so no task needs to leave the crate first.
 *
 * Nothing here allocates, and nothing reads records a request in progress
 * may be changing (only the crate's own, which a request never touches
 * once the crate is loaded): the nano-core repairs from its exception
 * handler, whatever was interrupted. */
#include "linker_internal.h"

/* Write `n` bytes of `want` at run address `vaddr` where `have` differs,
 * one patch per run of differing bytes. */
static struct status write_differences(struct linker *l, uint64_t vaddr, const uint8_t *have,
                                       const uint8_t *want, uint64_t n, uint64_t *changed)
{
	for (uint64_t i = 0; i < n;) {
		if (have[i] == want[i]) {
			i++;
			continue;
		}
		uint64_t run = i;
		while (run < n && have[run] != want[run])
			run++;
		struct status st = l->env.patch(l->env.ctx, vaddr + i, want + i, (size_t)(run - i));
		if (!status_ok(st))
			return st;
		*changed += run - i;
		if (l->repaired_lo == l->repaired_hi || vaddr + i < l->repaired_lo)
			l->repaired_lo = vaddr + i;
		if (vaddr + run > l->repaired_hi)
			l->repaired_hi = vaddr + run;
		i = run;
	}
	return STATUS_OK;
}

/* Rebuild section `index` of c in `scratch` and write back what differs. */
static struct status repair_section(struct linker *l, struct loaded_crate *c, uint32_t index, uint8_t *scratch,
                                    uint64_t *changed, struct link_error *err)
{
	struct crate_section *s = &c->sections[index];
	struct elf64_shdr sh;
	elf_view_shdr(&c->elf, s->shndx, &sh);
	if (sh.sh_type == SHT_NOBITS)
		memset(scratch, 0, (size_t)s->size);
	else
		memcpy(scratch, c->elf.image + sh.sh_offset, (size_t)s->size);
	uint8_t *live = s->write;
	s->write = scratch;
	struct status st = STATUS_OK;
	for (uint32_t i = 0; status_ok(st) && i < c->reloc_count; i++)
		if (c->relocs[i].section == index)
			st = reloc_apply(c, &c->relocs[i], err);
	s->write = live;
	return status_ok(st) ? write_differences(l, s->vaddr, live, scratch, s->size, changed) : st;
}

struct status linker_repair(struct linker *l, uint32_t crate_id, uint8_t *scratch, uint64_t scratch_size,
                           uint64_t *changed, struct link_error *err)
{
	*changed = 0;
	l->repaired_lo = l->repaired_hi = 0;
	if (!l->env.patch)
		return link_fail(err, E_NOSYS, "", "this environment cannot patch loaded code");
	/* A retired crate too: tasks still run its code. */
	struct loaded_crate *c = crate_id < l->slot_count && crate_is_placed(l->slots[crate_id].state)
	                                 ? l->slots[crate_id].crate : NULL;
	if (!c)
		return link_fail(err, E_NOENT, "", "the crate to repair is not loaded");
	uint64_t largest = 8 * (uint64_t)c->got_count;
	for (uint32_t i = 0; i < c->section_count; i++)
		if (c->sections[i].size > largest)
			largest = c->sections[i].size;
	if (largest > scratch_size)
		return link_fail(err, E_RANGE, c->name, "a section is larger than the repair's scratch space");
	struct status st = STATUS_OK;
	for (uint32_t i = 0; status_ok(st) && i < c->section_count; i++) {
		const struct crate_section *s = &c->sections[i];
		if (s->size && s->write && (s->kind == REGION_TEXT || s->kind == REGION_RODATA))
			st = repair_section(l, c, i, scratch, changed, err);
	}
	/* The GOT: each slot holds its symbol's address. */
	for (uint32_t i = 0; status_ok(st) && i < c->got_count; i++)
		wr64(scratch + 8 * (uint64_t)i, c->resolved[c->got_symbols[i]].address);
	if (status_ok(st) && c->got_count)
		st = write_differences(l, c->got.vaddr, c->got.write, scratch, 8 * (uint64_t)c->got_count, changed);
	if (!status_ok(st) && err && !err->reason[0])
		(void)link_fail(err, st.err, c->name, "writing the repaired code failed");
	return st;
}
