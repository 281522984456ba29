/* Load crates with the linker core into host memory at kernel addresses
 * and dump where every section went and its bytes: the input of the ld.lld
 * oracle (oracle.py).
 *
 * Usage: linker_dump ARCHIVE OUTDIR [--per-section] [CRATE...]
 * Without CRATE names every crate of the archive is loaded (alternatives by
 * name too).  Writes OUTDIR/layout.tsv and OUTDIR/bytes.bin:
 *   section <crate> <shndx> <name> <vaddr> <size> <offset in bytes.bin>
 *   got     <crate> -       .got   <vaddr> <size> <offset in bytes.bin>
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "host_env.h"

#define KERNEL_BASE 0xffffffffc0000000ull

static uint8_t *read_all(const char *path, size_t *size)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	fseek(f, 0, SEEK_END);
	*size = (size_t)ftell(f);
	fseek(f, 0, SEEK_SET);
	uint8_t *data = malloc(*size ? *size : 1);
	if (fread(data, 1, *size, f) != *size) {
		free(data);
		data = NULL;
	}
	fclose(f);
	return data;
}

static int load(struct linker *l, const char *name)
{
	struct link_error err;
	uint32_t id;
	struct status st = linker_load_crate(l, name, &id, &err);
	if (status_ok(st) || st.err == E_EXIST)
		return 0;
	char line[512];
	link_error_format(&err, line, sizeof(line));
	fprintf(stderr, "linker_dump: loading %s: %s\n", name, line);
	return 1;
}

int main(int argc, char **argv)
{
	if (argc < 3) {
		fprintf(stderr, "usage: linker_dump ARCHIVE OUTDIR [--per-section] [CRATE...]\n");
		return 2;
	}
	int first = 3, pack = 1;
	if (argc > 3 && !strcmp(argv[3], "--per-section")) {
		pack = 0;
		first = 4;
	}
	size_t size;
	uint8_t *data = read_all(argv[1], &size);
	if (!data) {
		fprintf(stderr, "linker_dump: cannot read %s\n", argv[1]);
		return 2;
	}
	struct host_env h = {.base = KERNEL_BASE};
	struct linker_env env;
	struct linker l;
	struct link_error err;
	host_env_bind(&h, &env);
	struct linker_options opt = {.pack_sections = pack};
	if (!status_ok(linker_init(&l, &env, data, size, &opt, &err))) {
		fprintf(stderr, "linker_dump: %s\n", err.reason);
		return 1;
	}
	h.ksym_archive = &l.archive;

	int failed = 0;
	if (first < argc)
		for (int i = first; i < argc; i++)
			failed |= load(&l, argv[i]);
	else
		for (uint32_t i = 0; i < l.archive.crate_count; i++)
			failed |= load(&l, archive_crate_at(&l.archive, i).name);
	if (failed)
		return 1;

	char path[4096];
	snprintf(path, sizeof(path), "%s/layout.tsv", argv[2]);
	FILE *layout = fopen(path, "w");
	snprintf(path, sizeof(path), "%s/bytes.bin", argv[2]);
	FILE *bytes = fopen(path, "wb");
	if (!layout || !bytes) {
		fprintf(stderr, "linker_dump: cannot write to %s\n", argv[2]);
		return 2;
	}
	long offset = 0;
	for (uint32_t id = linker_next_loaded(&l, LINKER_NO_CRATE); id != LINKER_NO_CRATE;
	     id = linker_next_loaded(&l, id)) {
		const struct loaded_crate *c = linker_crate(&l, id);
		for (uint32_t i = 0; i < c->section_count; i++) {
			const struct crate_section *s = &c->sections[i];
			fprintf(layout, "section\t%s\t%u\t%s\t0x%llx\t%llu\t%ld\n", c->name, s->shndx,
			        s->name, (unsigned long long)s->vaddr, (unsigned long long)s->size, offset);
			if (s->size)
				fwrite(s->write, 1, s->size, bytes);
			offset += (long)s->size;
		}
		if (c->got.size) {
			fprintf(layout, "got\t%s\t-\t.got\t0x%llx\t%llu\t%ld\n", c->name,
			        (unsigned long long)c->got.vaddr, (unsigned long long)c->got.size, offset);
			fwrite(c->got.write, 1, c->got.size, bytes);
			offset += (long)c->got.size;
		}
	}
	fclose(layout);
	fclose(bytes);
	linker_fini(&l);
	free(data);
	return 0;
}
