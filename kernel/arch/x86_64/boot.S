/* Boot: from a 32-bit loader hand-off to 64-bit C in the higher half.
 *
 * Two loaders are supported, both entering in 32-bit protected mode with
 * paging off:
 *   - multiboot2 (GRUB): EAX = 0x36d76289, EBX = physical address of the
 *     multiboot2 information; entry is the ELF entry point.
 *   - PVH (QEMU -kernel): EBX = physical address of struct hvm_start_info;
 *     entry is named by the XEN_ELFNOTE_PHYS32_ENTRY note below.
 * Both paths join at boot32_common with the protocol id in EDI and the
 * information pointer in ESI, which become kmain's two arguments.
 */

#include "boot_layout.h"

#define MB2_MAGIC        0xE85250D6
#define MB2_ARCH_I386    0
#define XEN_ELFNOTE_PHYS32_ENTRY 18

#define PTE_P   0x1
#define PTE_W   0x2
#define PTE_PS  0x80

/* Physical address of a higher-half symbol (symbols of the .boot.* sections
 * are linked at their physical address already). */
#define PHYS(sym) ((sym) - KERNEL_VMA)

/* ---------------------------------------------------------------- headers */

	.section .multiboot2, "a"
	.balign 8
mb2_header:
	.long MB2_MAGIC
	.long MB2_ARCH_I386
	.long mb2_header_end - mb2_header
	.long -(MB2_MAGIC + MB2_ARCH_I386 + (mb2_header_end - mb2_header))
	/* end tag */
	.short 0
	.short 0
	.long 8
mb2_header_end:

	/* The PVH entry note. QEMU reads the descriptor as a native-size
	 * word, so it is a quad; the segment must stay 4-aligned. */
	.section .note.pvh, "a", @note
	.balign 4
	.long 4                 /* namesz: "Xen\0" */
	.long 8                 /* descsz */
	.long XEN_ELFNOTE_PHYS32_ENTRY
	.asciz "Xen"
	.balign 4
	.quad start32_pvh
	.balign 4

/* ------------------------------------------------------- 32-bit entry */

	.section .boot.text, "ax"
	.code32

	.globl start32_multiboot2
	.hidden start32_multiboot2
start32_multiboot2:
	cli
	cld
	cmpl $0x36d76289, %eax
	jne boot_fail_magic
	movl $BOOT_PROTO_MULTIBOOT2, %edi
	movl %ebx, %esi
	jmp boot32_common

	.globl start32_pvh
	.hidden start32_pvh
start32_pvh:
	cli
	cld
	movl $BOOT_PROTO_PVH, %edi
	movl %ebx, %esi

boot32_common:
	movl $PHYS(boot_stack_top), %esp

	/* Long mode available? (CPUID 0x80000001 EDX bit 29) */
	movl $0x80000000, %eax
	cpuid
	cmpl $0x80000001, %eax
	jb boot_fail_nolm
	movl $0x80000001, %eax
	cpuid
	testl $(1 << 29), %edx
	jz boot_fail_nolm
	movl %edx, %ebp         /* keep the feature bits: NX is bit 20 */

	/* Clear the boot page tables (loaders zero .bss, but be certain). */
	pushl %edi
	movl $PHYS(boot_page_tables_start), %edi
	movl $((boot_page_tables_end - boot_page_tables_start) / 4), %ecx
	xorl %eax, %eax
	rep stosl
	popl %edi

	/* PML4[0] and PML4[511] share nothing but the page directory:
	 *   identity 0..1 GiB      (needed only until we jump high)
	 *   KERNEL_VMA + 0..1 GiB  (the kernel window)             */
	movl $(PHYS(boot_pdpt_low) + PTE_P + PTE_W), PHYS(boot_pml4)
	movl $(PHYS(boot_pdpt_high) + PTE_P + PTE_W), PHYS(boot_pml4) + 511 * 8
	movl $(PHYS(boot_pd) + PTE_P + PTE_W), PHYS(boot_pdpt_low)
	movl $(PHYS(boot_pd) + PTE_P + PTE_W), PHYS(boot_pdpt_high) + 510 * 8

	/* 512 x 2 MiB pages */
	movl $PHYS(boot_pd), %ebx
	movl $(PTE_P + PTE_W + PTE_PS), %eax
	movl $512, %ecx
1:	movl %eax, (%ebx)
	movl $0, 4(%ebx)
	addl $0x200000, %eax
	addl $8, %ebx
	loop 1b

	/* CR4.PAE | CR4.PGE */
	movl %cr4, %eax
	orl $((1 << 5) | (1 << 7)), %eax
	movl %eax, %cr4

	movl $PHYS(boot_pml4), %eax
	movl %eax, %cr3

	/* EFER.LME, and EFER.NXE when the CPU has NX */
	movl $0xC0000080, %ecx
	rdmsr
	orl $(1 << 8), %eax
	testl $(1 << 20), %ebp
	jz 2f
	orl $(1 << 11), %eax
2:	wrmsr

	/* CR0.PG | CR0.WP | CR0.PE */
	movl %cr0, %eax
	orl $((1 << 31) | (1 << 16) | 1), %eax
	movl %eax, %cr0

	lgdt boot_gdt_ptr
	ljmp $GDT_KERNEL_CODE, $boot64_low

/* Print a fixed message on COM1 and stop: there is nothing else to do
 * before long mode, and no exception handler exists yet. */
boot_fail_magic:
	movl $msg_bad_magic, %esi
	jmp boot_fail
boot_fail_nolm:
	movl $msg_no_long_mode, %esi
boot_fail:
	movw $0x3F8 + 5, %dx
3:	inb %dx, %al
	testb $0x20, %al
	jz 3b
	movw $0x3F8, %dx
	lodsb
	testb %al, %al
	jz 4f
	outb %al, %dx
	jmp boot_fail
4:	hlt
	jmp 4b

	.code64
boot64_low:
	movabsq $boot64_high, %rax
	jmp *%rax

	.section .boot.rodata, "a"
msg_bad_magic:
	.asciz "theseus: not loaded by a multiboot2 or PVH loader\r\n"
msg_no_long_mode:
	.asciz "theseus: this CPU has no 64-bit long mode\r\n"

	.balign 8
boot_gdt:
	.quad 0                         /* null */
	.quad 0x00AF9A000000FFFF        /* 0x08: kernel code, 64-bit */
	.quad 0x00CF92000000FFFF        /* 0x10: kernel data */
boot_gdt_end:
boot_gdt_ptr:
	.short boot_gdt_end - boot_gdt - 1
	.long boot_gdt
	.long 0

/* ------------------------------------------------- 64-bit, higher half */

	.text
boot64_high:
	/* Reload the GDT through the kernel window: the identity map that
	 * reaches it at its physical address goes away in kmain. */
	lgdt boot_gdt_ptr_high(%rip)
	movw $GDT_KERNEL_DATA, %ax
	movw %ax, %ds
	movw %ax, %es
	movw %ax, %ss
	xorw %ax, %ax
	movw %ax, %fs
	movw %ax, %gs

	movabsq $boot_stack_top, %rsp
	xorl %ebp, %ebp         /* terminates backtraces */
	/* EDI = protocol, ESI = info (zero-extended by the 32-bit moves) */
	movl %edi, %edi
	movl %esi, %esi
	call kmain
5:	cli
	hlt
	jmp 5b

	.section .rodata
	.balign 8
boot_gdt_ptr_high:
	.short boot_gdt_end - boot_gdt - 1
	.quad boot_gdt + KERNEL_VMA

	.bss
	.balign 4096
	.globl boot_page_tables_start
	.hidden boot_page_tables_start
boot_page_tables_start:
	.globl boot_pml4
	.hidden boot_pml4
boot_pml4:      .skip 4096
boot_pdpt_low:  .skip 4096
	.globl boot_pdpt_high
	.hidden boot_pdpt_high
boot_pdpt_high: .skip 4096
boot_pd:        .skip 4096
boot_page_tables_end:

	/* The page below the boot stack is unmapped (paging_init): running off
	 * the stack's end faults instead of overwriting what lies below. */
	.balign 4096
	.globl boot_stack_guard
	.hidden boot_stack_guard
boot_stack_guard:
	.skip 4096
	.globl boot_stack_bottom
	.hidden boot_stack_bottom
boot_stack_bottom:
	.skip BOOT_STACK_SIZE
	.globl boot_stack_top
	.hidden boot_stack_top
boot_stack_top:
