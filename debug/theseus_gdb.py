"""gdb for Theseus: the crates the runtime linker loaded, with their symbols
at their real addresses, followed as they load, unload, swap and arrive by
push. Runs inside gdb (Debian's gdb and its Python); `./theseus debug`
starts gdb with it (docs/debugging.md):

    gdb build/kernel/nano_core.elf -x debug/theseus_gdb.py \\
        -ex 'target remote build/run/gdb.sock' -ex 'theseus sync'

What it reads is the nano-core's debugger rendezvous `theseus_debug`
(kernel/core/debug_rendezvous.h, version 1): the table of mapped crates
with each section's run address. Each crate gets its object from the host
(BUILD/crates/NAME.o, which keeps its DWARF even though pushed crates
travel stripped) through `add-symbol-file` with one `-s` per section. A
breakpoint on `theseus_debug_event`, which the nano-core calls after every
change, keeps gdb's symbols in step; a breakpoint on a crate function that
is not loaded yet stays pending until the crate is mapped, before its init
runs.

Commands: `theseus sync`, `theseus crates`, `theseus tasks`,
`theseus deps CRATE`, `theseus crate-path DIR...`, `theseus verbose on|off`.
"""

import os
import struct

import gdb

RENDEZVOUS = "theseus_debug"
EVENT_HOOK = "theseus_debug_event"
MAGIC = b"THSDEBUG"
VERSION = 1
# struct theseus_debug_rendezvous, _crate, _section (all little-endian).
HEADER = struct.Struct("<8sIIIIIIQQIIQ")
CRATE = struct.Struct("<QQIIIIQ")
SECTION = struct.Struct("<QQQ")
STATE_CONSISTENT = 0
# enum task_state of crates/task/include/task.h
TASK_STATES = ["free", "ready", "running", "blocked", "sleeping", "exited"]


class TheseusError(gdb.GdbError):
    pass


def read(address, size):
    if size == 0:
        return b""
    try:
        return gdb.selected_inferior().read_memory(address, size).tobytes()
    except gdb.MemoryError:
        hint = " (the nano-core has not started yet)" if Theseus.before_boot() else ""
        raise TheseusError(f"cannot read {size} bytes of guest memory at {address:#x}{hint}") from None


def read_string(address, limit=256):
    """A NUL-terminated string, read up to each page boundary at a time so
    that a short string near the end of a mapping stays readable."""
    out = b""
    while len(out) < limit:
        chunk = min(limit - len(out), 4096 - (address + len(out)) % 4096)
        data = read(address + len(out), chunk)
        end = data.find(b"\0")
        if end >= 0:
            return (out + data[:end]).decode(errors="replace")
        out += data
    return out.decode(errors="replace")


class Crate:
    """One mapping of a crate, as the rendezvous lists it."""

    def __init__(self, record, sections):
        self.name_address, self.version_address, self.id, self.generation, count, _, _ = record
        self.name = read_string(self.name_address, 64)
        self.version = read_string(self.version_address, 32)
        self.sections = sections  # [(name, address, size)]
        self.symbols = None       # the object file whose symbols gdb has for it
        self.anchor = None        # an address in it, to remove its symbols by

    @property
    def key(self):
        return (self.id, self.generation)

    def text_address(self):
        return next((a for n, a, _ in self.sections if n.startswith(".text")), None)


class Theseus:
    def __init__(self):
        self.crates = {}      # (id, generation) -> Crate whose symbols gdb holds
        self.paths = []       # folders to find NAME.o in, first match wins
        self.verbose = True
        self.event_breakpoint = None

    # ---- the rendezvous ------------------------------------------------

    def rendezvous_address(self):
        try:
            return int(gdb.parse_and_eval(f"(unsigned long)&{RENDEZVOUS}"))
        except gdb.error:
            raise TheseusError(f"no symbol {RENDEZVOUS}: load the nano-core's symbols first "
                               f"(file build/kernel/nano_core.elf)") from None

    def read_table(self):
        """The mapped crates, or None while the nano-core is writing a change."""
        header = HEADER.unpack(read(self.rendezvous_address(), HEADER.size))
        (magic, version, header_size, crate_size, section_size, state, count, crates,
         _changes, _event, _crate, _hook) = header
        if magic != MAGIC:
            raise TheseusError(f"{RENDEZVOUS} has magic {magic!r}, not {MAGIC!r}: not a Theseus nano-core, "
                               f"or one this script does not know")
        if version < VERSION or crate_size < CRATE.size or section_size < SECTION.size:
            raise TheseusError(f"{RENDEZVOUS} is version {version} (records {crate_size}/{section_size} "
                               f"bytes); this script reads version {VERSION}")
        if state != STATE_CONSISTENT:
            return None
        table = read(crates, count * crate_size) if count else b""
        out = []
        for i in range(count):
            record = CRATE.unpack_from(table, i * crate_size)
            section_count, sections_at = record[4], record[6]
            raw = read(sections_at, section_count * section_size)
            sections = []
            for j in range(section_count):
                name_at, address, size = SECTION.unpack_from(raw, j * section_size)
                sections.append((read_string(name_at, 128), address, size))
            out.append(Crate(record, sections))
        return out

    # ---- symbols ---------------------------------------------------------

    def search_path(self):
        if self.paths:
            return self.paths
        core = gdb.objfiles()[0].filename if gdb.objfiles() else ""
        build = os.path.dirname(os.path.dirname(os.path.abspath(core))) if core else os.getcwd()
        return [os.path.join(build, "crates")]

    def object_of(self, crate):
        for folder in self.search_path():
            for candidate in (os.path.join(folder, crate.name + ".o"),
                              os.path.join(folder, crate.name, "build", crate.name + ".o")):
                if os.path.isfile(candidate):
                    return candidate
        return None

    def say(self, text):
        if self.verbose:
            gdb.write(f"theseus: {text}\n")

    def add_symbols(self, crate):
        path = self.object_of(crate)
        if path is None:
            gdb.write(f"theseus: no object for crate {crate.name} in {', '.join(self.search_path())} "
                      f"(add its folder: theseus crate-path DIR); its code stays unnamed\n")
            return
        placed = [(n, a) for n, a, _ in crate.sections]
        if not placed:
            return
        args = " ".join(f"-s {name} {address:#x}" for name, address in placed)
        gdb.execute(f"add-symbol-file {path} {args}", to_string=True)
        crate.symbols = path
        crate.anchor = crate.text_address() or placed[0][1]
        self.say(f"{crate.name} {crate.version} (id {crate.id}) symbols from {path}, "
                 f"code at {crate.anchor:#x}")

    def remove_symbols(self, crate):
        if crate.symbols:
            try:
                gdb.execute(f"remove-symbol-file -a {crate.anchor:#x}", to_string=True)
            except gdb.error as error:
                gdb.write(f"theseus: could not drop the symbols of {crate.name}: {error}\n")
            self.say(f"{crate.name} {crate.version} (id {crate.id}) unloaded")

    def sync(self):
        """Bring gdb's crate symbols in line with the rendezvous. Before the
        nano-core runs (a guest stopped at its first instruction) its
        memory is not mapped yet: nothing is loaded, and the breakpoint on
        the event hook follows every load from the first."""
        self.ensure_event_breakpoint()
        try:
            table = self.read_table()
        except TheseusError:
            if self.crates or not self.before_boot():
                raise
            self.say("the nano-core has not started; crates are followed from their first load")
            return True
        if table is None:
            return False
        now = {c.key: c for c in table}
        for key in [k for k in self.crates if k not in now]:
            self.remove_symbols(self.crates.pop(key))
        for key, crate in now.items():
            if key not in self.crates:
                self.add_symbols(crate)
                self.crates[key] = crate
        return True

    @staticmethod
    def before_boot():
        """Is the guest still outside the nano-core's higher half?"""
        try:
            return int(gdb.parse_and_eval("$pc")) < 0xFFFFFFFF80000000
        except gdb.error:
            return True

    def ensure_event_breakpoint(self):
        if self.event_breakpoint is None or not self.event_breakpoint.is_valid():
            self.event_breakpoint = EventBreakpoint(self)


class EventBreakpoint(gdb.Breakpoint):
    """On theseus_debug_event: read the table again, then go on."""

    def __init__(self, theseus):
        super().__init__(EVENT_HOOK, type=gdb.BP_BREAKPOINT, internal=True)
        self.silent = True
        self.theseus = theseus

    def stop(self):
        # Whatever goes wrong here is said, and the guest goes on: an
        # exception out of stop() would stop it where no user asked to.
        try:
            self.theseus.sync()
        except Exception as error:  # noqa: BLE001 (gdb.GdbError is no gdb.error)
            gdb.write(f"theseus: reading the crate table failed: {error}\n")
        return False


THESEUS = Theseus()


class TheseusPrefix(gdb.Command):
    """Theseus: the loaded crates and the kernel's state.

theseus sync            read the table of loaded crates again (after attaching)
theseus crates          the mapped crates: id, version, code address, symbols
theseus tasks           the task crate's tasks
theseus deps CRATE      the crates CRATE imports from, and those that import from it
theseus crate-path DIR  look for crate objects (NAME.o or NAME/build/NAME.o) in DIR first
theseus verbose on|off  a line for each crate whose symbols come and go (default on)"""

    def __init__(self):
        super().__init__("theseus", gdb.COMMAND_USER, prefix=True)


class SyncCommand(gdb.Command):
    """Read the nano-core's table of loaded crates and load their symbols."""

    def __init__(self):
        super().__init__("theseus sync", gdb.COMMAND_USER)

    def invoke(self, arg, from_tty):
        if not THESEUS.sync():
            gdb.write("theseus: the crate table is being changed; it is read again at the next event\n")


class CratesCommand(gdb.Command):
    """List the crates mapped in memory (the rendezvous' table)."""

    def __init__(self):
        super().__init__("theseus crates", gdb.COMMAND_USER)

    def invoke(self, arg, from_tty):
        table = THESEUS.read_table()
        if table is None:
            gdb.write("the crate table is being changed; try again\n")
            return
        gdb.write(f"{'id':>4} {'gen':>4}  {'crate':<16} {'version':<9} {'code':<18} symbols\n")
        for c in sorted(table, key=lambda c: c.id):
            held = THESEUS.crates.get(c.key)
            text = c.text_address()
            where = f"{text:#x}" if text else "-"
            gdb.write(f"{c.id:>4} {c.generation:>4}  {c.name:<16} {c.version:<9} {where:<18} "
                      f"{held.symbols if held and held.symbols else '(none)'}\n")


class TasksCommand(gdb.Command):
    """List the task crate's tasks: id, state, name, priority, switches, ticks."""

    def __init__(self):
        super().__init__("theseus tasks", gdb.COMMAND_USER)

    def invoke(self, arg, from_tty):
        table = self.task_table()
        current = int(table["current"])
        slots = table["slots"]
        count = slots.type.range()[1] + 1
        gdb.write(f"  {'id':>5} {'state':<9} {'name':<20} {'prio':>5} {'switches':>9} {'ticks':>8}\n")
        for i in range(count):
            t = slots[i]
            state = int(t["state"])
            if state == 0:
                continue
            raw = bytes(int(t["name"][k]) & 0xFF for k in range(t["name"].type.sizeof))
            name = raw.split(b"\0", 1)[0].decode(errors="replace")
            mark = "*" if i == current else " "
            gdb.write(f"{mark} {int(t['id']):>5} {TASK_STATES[state] if state < len(TASK_STATES) else state:<9} "
                      f"{name:<20} {int(t['priority']):>5} {int(t['switches']):>9} {int(t['ticks']):>8}\n")
        gdb.write("(* running now)\n")

    @staticmethod
    def task_table():
        # task or its alternative task_v2: both reach the one shared table.
        crate = next((c for c in THESEUS.crates.values() if c.name in ("task", "task_v2") and c.symbols), None)
        if crate is None:
            raise TheseusError("the task crate is not loaded (or gdb has no symbols for it): theseus sync")
        for objfile in gdb.objfiles():
            if os.path.abspath(objfile.filename) != os.path.abspath(crate.symbols):
                continue
            # The table lives on the heap; the crate keeps its address three
            # times (a flipped bit in one is outvoted): the two that agree.
            symbol = objfile.lookup_static_symbol("table_ref")
            if symbol is not None:
                refs = symbol.value()
                copies = [refs[k] for k in range(3)]
                addresses = [int(c) for c in copies]
                agreed = next((c for c, a in zip(copies, addresses) if addresses.count(a) >= 2), copies[0])
                if int(agreed) == 0:
                    raise TheseusError("the task crate has no task table yet (its init has not run)")
                return agreed.dereference()
        raise TheseusError("the task crate's symbols have no task table reference table_ref (another task crate?)")


class DepsCommand(gdb.Command):
    """theseus deps CRATE: what CRATE imports from, and what imports from it,
    from the runtime linker's dependency records (the nano-core's DWARF)."""

    def __init__(self):
        super().__init__("theseus deps", gdb.COMMAND_USER)

    def invoke(self, arg, from_tty):
        name = arg.strip()
        if not name or " " in name:
            raise TheseusError("usage: theseus deps CRATE")
        try:
            self.show(name)
        except gdb.MemoryError as error:
            hint = " (the nano-core has not started yet)" if Theseus.before_boot() else ""
            raise TheseusError(f"cannot read the runtime linker's records: {error}{hint}") from None

    @staticmethod
    def show(name):
        linker = gdb.parse_and_eval("the_linker")
        slots, count = linker["slots"], int(linker["slot_count"])
        names, crates = {}, {}
        for i in range(count):
            c = slots[i]["crate"]
            if int(c) != 0:
                crates[i] = c.dereference()
                names[i] = c["name"].string()
        ids = [i for i, n in names.items() if n == name]
        if not ids:
            raise TheseusError(f"crate {name} is not loaded (loaded: {', '.join(sorted(set(names.values())))})")
        me = ids[-1]
        c = crates[me]
        uses = {}
        for j in range(int(c["reloc_count"])):
            target = int(c["relocs"][j]["target_crate"])
            if target != me:
                uses[target] = uses.get(target, 0) + 1
        users = {}
        for j in range(int(c["dependent_count"])):
            user = int(c["dependents"][j]["crate"])
            users[user] = users.get(user, 0) + 1
        kernel = 0xFFFFFFFE

        def label(i):
            return "nano_core" if i == kernel else names.get(i, f"crate {i}")

        gdb.write(f"{name} {c['version'].string()} (id {me}) imports from:\n")
        for target, n in sorted(uses.items(), key=lambda kv: label(kv[0])):
            if target != 0xFFFFFFFF:
                gdb.write(f"  {label(target):<16} {n} relocations\n")
        gdb.write(f"{name} is used by:\n" if users else f"{name} is used by no crate\n")
        for user, n in sorted(users.items(), key=lambda kv: label(kv[0])):
            gdb.write(f"  {label(user):<16} {n} relocations\n")


class CratePathCommand(gdb.Command):
    """theseus crate-path DIR...: where to find crate objects first (NAME.o or
    NAME/build/NAME.o); without DIR, show the path."""

    def __init__(self):
        super().__init__("theseus crate-path", gdb.COMMAND_USER, gdb.COMPLETE_FILENAME)

    def invoke(self, arg, from_tty):
        folders = gdb.string_to_argv(arg)
        for folder in folders:
            if not os.path.isdir(folder):
                raise TheseusError(f"{folder}: no such folder")
        if folders:
            default = THESEUS.search_path() if not THESEUS.paths else []
            THESEUS.paths = [os.path.abspath(f) for f in folders] + THESEUS.paths + default
        gdb.write("crate objects are looked for in: " + ", ".join(THESEUS.search_path()) + "\n")


class VerboseCommand(gdb.Command):
    """theseus verbose on|off: a line for each crate whose symbols come and go."""

    def __init__(self):
        super().__init__("theseus verbose", gdb.COMMAND_USER)

    def invoke(self, arg, from_tty):
        if arg.strip() not in ("on", "off"):
            raise TheseusError("usage: theseus verbose on|off")
        THESEUS.verbose = arg.strip() == "on"


TheseusPrefix()
SyncCommand()
CratesCommand()
TasksCommand()
DepsCommand()
CratePathCommand()
VerboseCommand()

# A breakpoint on a crate function that is not loaded yet waits for it.
gdb.execute("set breakpoint pending on")
gdb.execute("set confirm off")
