/* Errors as values: filling and formatting struct link_error. */
#include "linker_internal.h"

static void append_bounded(char *dst, size_t dst_size, const char *src)
{
	size_t used = 0;
	while (used < dst_size && dst[used])
		used++;
	if (used < dst_size)
		copy_cstr(dst + used, dst_size - used, src);
}

char *format_u64(char *buf, uint64_t v, int hex)
{
	char tmp[24];
	size_t n = 0, o = 0;
	unsigned base = hex ? 16 : 10;
	do {
		tmp[n++] = "0123456789abcdef"[v % base];
		v /= base;
	} while (v);
	if (hex) {
		buf[o++] = '0';
		buf[o++] = 'x';
	}
	while (n)
		buf[o++] = tmp[--n];
	buf[o] = 0;
	return buf;
}

struct status link_fail(struct link_error *err, enum kerr code,
                        const char *crate, const char *reason)
{
	if (err) {
		memset(err, 0, sizeof(*err));
		err->code = code;
		copy_cstr(err->crate, sizeof(err->crate), crate);
		copy_cstr(err->reason, sizeof(err->reason), reason);
	}
	return STATUS(code);
}

void link_error_set_symbol(struct link_error *err, const char *symbol)
{
	if (err)
		copy_cstr(err->symbol, sizeof(err->symbol), symbol);
}

void link_error_set_reloc(struct link_error *err, const char *section,
                          uint64_t offset, uint32_t type)
{
	if (!err)
		return;
	copy_cstr(err->section, sizeof(err->section), section);
	err->offset = offset;
	err->reloc_type = type;
	err->has_reloc = 1;
}

void link_error_append(struct link_error *err, const char *text)
{
	if (err)
		append_bounded(err->reason, sizeof(err->reason), text);
}

void link_error_append_u64(struct link_error *err, uint64_t value, int hex)
{
	char buf[24];
	link_error_append(err, format_u64(buf, value, hex));
}

static const char *const kerr_names[E_KERR_COUNT] = {
	"E_OK", "E_NOMEM", "E_INVAL", "E_NOENT", "E_EXIST", "E_BUSY",
	"E_TIMEOUT", "E_FAULT", "E_BADELF", "E_BADARCH", "E_RANGE", "E_PERM",
	"E_STALE", "E_NOSYS", "E_AGAIN",
};

/* Exported from the nano-core to crates (theseus/result.h). */
__attribute__((visibility("default"))) const char *kerr_name(enum kerr e)
{
	return (unsigned)e < E_KERR_COUNT ? kerr_names[e] : "E_?";
}

size_t link_error_format(const struct link_error *err, char *buf, size_t size)
{
	char num[24];
	if (size == 0)
		return 0;
	buf[0] = 0;
	if (err->crate[0]) {
		append_bounded(buf, size, "crate ");
		append_bounded(buf, size, err->crate);
		append_bounded(buf, size, ": ");
	}
	if (err->symbol[0]) {
		append_bounded(buf, size, "symbol ");
		append_bounded(buf, size, err->symbol);
		append_bounded(buf, size, ": ");
	}
	if (err->has_reloc) {
		append_bounded(buf, size, "relocation type ");
		append_bounded(buf, size, format_u64(num, err->reloc_type, 0));
		append_bounded(buf, size, " at ");
		append_bounded(buf, size, err->section);
		append_bounded(buf, size, "+");
		append_bounded(buf, size, format_u64(num, err->offset, 1));
		append_bounded(buf, size, ": ");
	}
	append_bounded(buf, size, err->reason);
	append_bounded(buf, size, " (");
	append_bounded(buf, size,
	               (unsigned)err->code < E_KERR_COUNT ? kerr_names[err->code] : "E_?");
	append_bounded(buf, size, ")");
	return strlen(buf);
}
