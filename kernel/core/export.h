/* KERNEL_EXPORT marks a nano-core function or object as callable from
 * crates. The nano-core is built with -fvisibility=hidden, so in the final
 * ELF only these stay global; mkimage copies them into the archive's
 * nano-core export table, and each also gets an entry in .kexports so the
 * runtime linker can resolve them without any symbol table at run time. */
#ifndef THESEUS_KERNEL_EXPORT_H
#define THESEUS_KERNEL_EXPORT_H

struct kexport {
	const char *name;
	const void *addr;
};

#define KERNEL_EXPORT __attribute__((visibility("default")))

/* Put after the definition: KEXPORT(serial_write); */
#define KEXPORT(sym)                                                            \
	__attribute__((used, section(".kexports"))) static const struct kexport \
		kexport_##sym = {#sym, (const void *)&sym}

extern const struct kexport __kexports_start[], __kexports_end[];

#endif
