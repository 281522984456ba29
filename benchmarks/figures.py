"""The figures of the benchmark table: what each Theseus result is compared
with, and whether that comparison is like-for-like.

A row names a Theseus result (a `name=` of a KBENCH RESULT line, or a
pattern ending in `.*` for one row per match) and a baseline: a Linux
guest result measured in the same run, a Theseus result of the same run
(the floor), or nothing. A row whose Theseus result does not exist yet says
what it needs; it fills in by itself once a benchmark reports that name.

Adding a figure: register the benchmark (KBENCH in benchmarks/kernel/ or in
the crate), then add one Row here. Adding a Linux counterpart: a function
in benchmarks/linux/linux_bench.c printing the same line format.
"""

from dataclasses import dataclass


@dataclass(frozen=True)
class Row:
    theseus: str            # result name, or "prefix.*"
    title: str              # may use {part} (what ".*" matched) and {extra_key}
    baseline: tuple | None  # ("linux" | "theseus", result name) or None
    like: str               # like-for-like? said plainly
    needs: str | None = None  # what must land before it can be measured
    group: str = ""


LINUX = "linux"
THESEUS = "theseus"

ROWS = [
    # ---- boot ----
    Row("boot.prompt_host", "Boot to the shell prompt (host clock: QEMU start to `theseus> `)",
        (LINUX, "boot.init_host"),
        "Roughly: both run from QEMU start (same firmware) to the first program's output. "
        "Linux decompresses itself, probes devices and starts /init as a process from an "
        "initramfs; Theseus links the shell crate on demand and calls it.", group="boot"),
    Row("boot.first_line_host", "QEMU start to the nano-core's first serial line (host clock)", None,
        "Floor: QEMU start-up, firmware and loader before any kernel code.", group="boot"),
    Row("boot.reset_to_kmain", "Virtual CPU reset to kmain (guest TSC)", None,
        "Floor: firmware, loader and boot.S, from inside the same boots.", group="boot"),
    Row("boot.kmain_to_shell_linked", "kmain to the shell crate linked (guest TSC)", None,
        "No counterpart: Linux's is boot to init (first row), seen from the host.", group="boot"),
    # ---- the runtime linker ----
    Row("crate_load.*", "Load+link of crate {part} ({elf_bytes} B ELF, {relocs} relocs)",
        (LINUX, "module.load"),
        "Partly: both load, relocate and link a relocatable ELF into the running kernel and run "
        "its init. Linux's init_module also checks the module signature and sets up sysfs; the "
        "Theseus figure is the linker's own share for this crate (its init included), without "
        "page permissions or the crates it pulls in (crate_load_request.* in results.json). "
        "Sizes differ: compare bytes and relocations.", group="linker"),
    Row("call.cold_first", "First call of a cold symbol (fmt_clear: resolve, load+link fmt, call)",
        (THESEUS, "call.direct"),
        "Floor of the same run: the same call once linked. Linux has no on-demand linking of "
        "kernel code at first call.", group="linker"),
    Row("call.resolve_warm", "Resolve a loaded symbol by name, then call it", (THESEUS, "call.direct"),
        "Floor of the same run: the direct call.", group="linker"),
    Row("call.weak_upgrade", "Call through a weak reference (upgrade, call, drop the reference)",
        (THESEUS, "call.direct"),
        "Floor of the same run: the direct call the weak reference guards.", group="linker"),
    Row("call.direct", "Call into another crate (through the resolved address)", (LINUX, "call.direct"),
        "Yes: the same indirect call of a near-empty function, in ring 0 vs in a Linux process.",
        group="linker"),
    Row("call.direct", "Call into another crate vs Linux's cheapest system call (getpid)",
        (LINUX, "syscall.getpid"),
        "No: a function call is not a system call. It is what one crate pays to use another's "
        "service in the single address space, against the cheapest entry into the Linux kernel.",
        group="linker"),
    Row("swap.*", "Live swap {part} ({elf_bytes} B new crate, {patched_relocs} relocations re-pointed)", None,
        "No counterpart: Linux's livepatch is a different mechanism. A swap is the new crate's load, "
        "the re-pointing of its dependents' relocations and the old crate's unload: compare "
        "crate_load_request of the new crate.",
        needs="a crate declared an alternative of another (live swap, issue 7)", group="linker"),
    Row("swap_request.*", "Swap request {part}, quiescence included ({elf_bytes} B new crate)", None,
        "No counterpart. The request a crate makes (kernel_crate_swap): compare swap.{part} of the "
        "same run; the difference is the walk of every task's stack, the migration hook and the "
        "history entry.",
        needs="a crate declared an alternative of another (live swap, issue 7)", group="linker"),
    Row("restart_window.*", "Restart {part}, state kept: interrupts-off window ({state_bytes} B of .data/.bss, "
        "{dependent_crates} crates import from it)", None,
        "No counterpart in Linux. The paper's Theseus reports evolution in tens of ms, dominated by "
        "loading; here the load and the plan are made before the window, which holds the save hook, "
        "the new copy's init, the writes of the re-pointed fields and the migrate hook. Goal: under 1 ms.",
        group="linker"),
    Row("restart_total.*", "Restart {part}, state kept: request to done ({state_bytes} B of .data/.bss)", None,
        "No counterpart. The whole restart as `restart CRATE` runs it: the copy's load and the plan "
        "(interrupts on), the quiescence check and the window; compare restart_window.{part}.",
        group="linker"),
    Row("push.*", "Push {part} from the host and swap it in ({payload_bytes} B sent; host clock)",
        (THESEUS, "boot.prompt_host"),
        "Partly: the alternative a push spares is rebuilding the image and rebooting to the shell "
        "(and losing the running system's state). A push is the transfer over the emulated serial "
        "line (16-byte FIFO) plus the quiescent swap; the reboot is QEMU start to the prompt.",
        group="linker"),
    # ---- memory ----
    Row("memory.map_touch_unmap", "Map a zeroed 4 KiB page, write it, unmap (memory crate)",
        (LINUX, "memory.map_touch_unmap"),
        "Mostly: both give a zeroed 4 KiB page, write it and take it back. Linux zero-fills at the "
        "first-touch page fault, in a process's page tables, entered by system calls; the memory "
        "crate zeroes at map time in the one kernel address space, called as a function.",
        needs="crate memory", group="memory"),
    Row("heap.alloc_free", "Heap alloc+free of 32 B (heap crate)", (LINUX, "heap.alloc_free"),
        "Partly: both are small-object allocators. glibc malloc serves from a per-thread cache in "
        "user space; the heap crate accounts every block to an owner so it can be released when "
        "its task ends.", needs="crate heap", group="memory"),
    Row("heap_v2.alloc_free", "Heap alloc+free of 32 B after a live swap to heap_v2", (LINUX, "heap.alloc_free"),
        "Partly: as heap.alloc_free; heap_v2 holds preemption where heap turns interrupts off, and "
        "hands out the block freed last.", needs="crate heap_v2", group="memory"),
    Row("frames.alloc_free", "Frame alloc+free (nano-core, 4 KiB)", None,
        "Floor under map+touch+unmap: the nano-core's bitmap frame allocator.", group="memory"),
    Row("kheap.alloc_free", "Nano-core heap alloc+free of 32 B", None,
        "Floor: the nano-core's own table allocator, under the heap crate.", group="memory"),
    # ---- tasks and channels ----
    Row("task.spawn_exit", "Spawn a task and wait for its exit", (LINUX, "process.spawn_exit"),
        "No: a kernel task (a stack and a context in the one address space) against a process "
        "(fork, exec of a new address space, exit, wait).",
        needs="crate task (issue 6)", group="tasks"),
    Row("sched.context_switch", "Context switch between two tasks that yield", (LINUX, "sched.yield_switch"),
        "Partly: both switch between two runnable threads of control that yield the CPU; Linux "
        "switches address spaces and enters through a system call each time.",
        needs="crates task and a scheduler policy (issue 6)", group="tasks"),
    Row("channel.roundtrip_rendezvous", "Channel round trip, rendezvous", (LINUX, "pipe.roundtrip"),
        "Partly: a message to another task and back (two switches); a pipe also copies through "
        "the kernel in four system calls.", needs="crate channel (issue 6)", group="tasks"),
    Row("channel.roundtrip_async", "Channel round trip, asynchronous (buffered)", (LINUX, "pipe.roundtrip"),
        "Partly, as above; Linux has no separate asynchronous figure here.",
        needs="crate channel (issue 6)", group="tasks"),
    # ---- the clock ----
    Row("floor.rdtsc", "One timestamp (lfence; rdtsc)", (LINUX, "floor.rdtsc"),
        "Yes: the same instructions in the same QEMU; shows the two guests' clocks agree.",
        group="floor"),
    Row("floor.crc32_image", "CRC-32 of a crate image of the shell's size ({bytes} B)", None,
        "Floor: the check every crate load makes over its whole image; compare crate_load.shell.",
        group="floor"),
    Row("floor.console_line", "One line of {bytes} characters on the serial console", None,
        "Floor: what each boot log line costs (one per crate the boot loads).", group="floor"),
]

# The Linux figures our program prints (missing ones are reported).
LINUX_RESULTS = ("floor.rdtsc", "call.direct", "syscall.getpid", "heap.alloc_free",
                 "memory.map_touch_unmap", "pipe.roundtrip", "sched.yield_switch",
                 "process.spawn_exit", "module.load", "module.unload")
