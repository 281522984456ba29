/* Constants shared by boot.S, the linker script and C. */
#ifndef THESEUS_BOOT_LAYOUT_H
#define THESEUS_BOOT_LAYOUT_H

/* The nano-core is linked at -2 GiB (-mcmodel=kernel) and loaded at 1 MiB. */
#define KERNEL_VMA        0xFFFFFFFF80000000
#define KERNEL_LOAD_PHYS  0x100000

/* The boot window maps physical 0..1 GiB at KERNEL_VMA. */
#define KERNEL_WINDOW_SIZE 0x40000000

/* Crates are mapped in the top GiB (PML4[511], PDPT[511]): within +-2 GiB
 * of the nano-core, so 32-bit PC-relative and sign-extended relocations
 * between crates and the nano-core always reach. */
#define CRATE_REGION_BASE 0xFFFFFFFFC0000000
#define CRATE_REGION_SIZE 0x3FE00000  /* the last 2 MiB stay unmapped */

/* Direct map of all physical memory (PML4[256]). */
#define PHYSMAP_BASE      0xFFFF800000000000

#define BOOT_STACK_SIZE   (64 * 1024)

#define GDT_KERNEL_CODE   0x08
#define GDT_KERNEL_DATA   0x10
#define GDT_USER_DATA     0x18  /* DPL 3; selectors are used with RPL 3 */
#define GDT_USER_CODE     0x20

#define BOOT_PROTO_MULTIBOOT2 1
#define BOOT_PROTO_PVH        2

#endif
