"""`./theseus build-crate PATH`: build a crate folder that lives anywhere.

Like Linux's `make -C KERNEL_BUILD M=$PWD`: the tree's build supplies the
recipe (crate_pipeline: flags, safe-C plugin, include folders, merge and
steps), this compiles the folder's sources with it and finishes the object
the way every in-tree crate is finished. Then the object is checked as
mkimage checks what it packs and pushes: its record, and that each import is
exported by a crate of the tree's boot archive or by the nano-core. Nothing
is written into the tree; the output goes to PATH/build/ (or --out).

Problems come out one per line, each naming the file and the fix; clang's
own diagnostics come out one per line too (no source excerpts: --verbose
shows clang's full output and the commands).
"""

import difflib
import functools
import glob
import json
import os
import re
import subprocess
import sys

from . import crate_folder, crate_pipeline

PROG = "theseus"
EXIT_OK, EXIT_PROBLEM, EXIT_USAGE = 0, 1, 2

# How clang words what we explain further (clang 19).
_FILE_NOT_FOUND = re.compile(r"^(?P<where>.*?:\d+:\d+): fatal error: '(?P<header>[^']+)' file not found$")
# C23 (crates are gnu23) has no implicit declarations: a call of a function
# no header declared is an undeclared identifier.
_UNDECLARED = re.compile(
    r"^(?P<where>.*?:\d+:\d+): error: (?:use of undeclared identifier|call to undeclared "
    r"(?:library )?function) '(?P<name>\w+)'(?P<rest>.*)$")
_GENERATED = re.compile(r"^\d+ (?:errors?|warnings?)(?: and \d+ (?:errors?|warnings?))? generated\.$")
_SUMMARY = "[safe-c-summary]"


class BuildError(Exception):
    """A problem with the crate: its lines are already one per problem."""

    def __init__(self, lines, status=EXIT_PROBLEM):
        super().__init__("\n".join(lines))
        self.lines = lines
        self.status = status


def _inside(path, folder):
    path, folder = os.path.realpath(path), os.path.realpath(folder)
    return path == folder or path.startswith(folder + os.sep)


class Image:
    """What the tree's boot image offers a crate: the crates and their
    exports, the nano-core's exports, and the headers on the include path."""

    def __init__(self, description):
        from .archive import load_archive
        from .elfcheck import NanoCore
        self.description = description
        path = description["archive"]
        try:
            with open(path, "rb") as source:
                archive, problems = load_archive(source.read(), path)
        except OSError as error:
            raise BuildError([f"{PROG}: build-crate: {error.filename}: {error.strerror}; "
                              f"build the tree first (./theseus build)"], EXIT_USAGE) from None
        if problems:
            raise BuildError([f"{PROG}: build-crate: {problems[0]}; rebuild the tree "
                              f"(./theseus build)"], EXIT_USAGE)
        self.archive = archive
        # The archive holds the nano-core's exports and build id, checked
        # against the nano-core ELF when the build wrote it: reading them
        # here spares parsing the ELF again.
        self.nano_core = NanoCore(description["nano_core"], dict(archive.kexports),
                                  archive.nano_core_id)
        self.crates = [entry.crate for entry in archive.crates]
        self.exporter = {}      # symbol -> crate name (non-alternatives first)
        for crate in sorted(self.crates, key=lambda c: bool(c.info.alternative_of)):
            for symbol in crate.exports:
                self.exporter.setdefault(symbol, crate.name)
        self.hider = {}         # symbol -> crate that defines it without exporting it
        for crate in self.crates:
            for symbol in crate.hidden_globals:
                self.hider.setdefault(symbol, crate.name)

    def header_of_export(self, symbol):
        """The header to include for `symbol`, and who provides it, or None."""
        crate = self.exporter.get(symbol)
        if crate is not None:
            return f'"{crate}.h"', f"crate {crate}"
        if symbol in self.nano_core.exports:
            include = os.path.join(self.description["source_root"], "kernel", "include")
            word = re.compile(rf"\b{re.escape(symbol)}\s*\(")
            for path in sorted(glob.glob(os.path.join(include, "theseus", "*.h"))):
                with open(path, errors="replace") as text:
                    if word.search(text.read()):
                        return f"<theseus/{os.path.basename(path)}>", "the nano-core"
        return None

    def all_exports(self):
        return list(self.exporter) + list(self.nano_core.exports)


class Crate:
    """The crate folder being built, and where its outputs go."""

    def __init__(self, folder, out, description):
        self.folder = os.path.abspath(folder)
        self.name, self.sources = crate_folder.check_folder(folder)
        self.out = os.path.abspath(out) if out else os.path.join(self.folder, "build")
        self.objects_dir = os.path.join(self.out, "obj")
        self.object = os.path.join(self.out, self.name + ".o")
        self.report = os.path.join(self.out, "unsafe-sites.jsonl")
        self.description = description

    def source_path(self, source):
        return os.path.join(self.folder, source)

    def object_of(self, source):
        return os.path.join(self.objects_dir, source + ".o")

    def compile_command(self, source, verbose):
        d = self.description
        plugin_args = []
        for arg in d["plugin_args"]:
            # Sealed types belong to the crate whose folder holds their
            # definition: for this crate, its folder's parent is the crates
            # folder. Its unsafe-site records stay with its build.
            if arg.startswith(crate_pipeline.CRATES_DIR_ARG):
                arg = crate_pipeline.CRATES_DIR_ARG + os.path.dirname(os.path.realpath(self.folder))
            elif arg.startswith(crate_pipeline.REPORT_ARG):
                arg = crate_pipeline.REPORT_ARG + self.report
            plugin_args.append(arg)
        crate_args = [arg.replace("{CRATE}", self.name) for arg in d["crate_args"]]
        # Its own public header first, then what every crate sees.
        includes = ["-I" + os.path.join(self.folder, "include")]
        includes += ["-I" + path for path in d["include_dirs"]]
        # Only how diagnostics look differs from the in-tree compile.
        presentation = ["-fno-color-diagnostics"] + ([] if verbose else ["-fno-caret-diagnostics"])
        return (d["compiler"] + d["compile_args"] + plugin_args + crate_args + includes
                + presentation + ["-c", self.source_path(source), "-o", self.object_of(source)])


def _check_places(crate, description):
    """The crate folder and the output must not be in the source tree."""
    root = description["source_root"]
    build_root = description["build_root"]
    if _inside(crate.folder, os.path.join(root, "crates")):
        raise BuildError([f"{PROG}: build-crate: {crate.folder} is a crate of the tree: "
                          f"./theseus build builds it (./theseus push {crate.name} sends it)"],
                         EXIT_USAGE)
    if _inside(crate.folder, root) and not _inside(crate.folder, build_root):
        raise BuildError([f"{PROG}: build-crate: {crate.folder} is inside the source tree "
                          f"{root}; put out-of-tree crates outside it"], EXIT_USAGE)
    if _inside(crate.out, root) and not _inside(crate.out, build_root):
        raise BuildError([f"{PROG}: build-crate: --out {crate.out} is inside the source "
                          f"tree {root}; write the crate's build elsewhere"], EXIT_USAGE)
    if crate.name in description["crates"]:
        raise BuildError([
            f"{crate.folder}: error: the tree has a crate named '{crate.name}' already "
            f"(crates/{crate.name}/); fix: rename the folder and the name in its "
            f"CRATE(...) line"], EXIT_USAGE)


def _headers(crate, description):
    """Every header an include can name: own include/, crates', trusted."""
    names = set()
    for folder in [os.path.join(crate.folder, "include")] + description["include_dirs"]:
        for path in glob.glob(os.path.join(folder, "**", "*.h"), recursive=True):
            names.add(os.path.relpath(path, folder))
    return sorted(names)


def explain(line, crate, description, image):
    """One diagnostic line of clang, with the fix spelled out when we know it;
    None for lines that carry nothing for the reader."""
    if line.endswith(_SUMMARY) or _GENERATED.match(line) or not line.strip():
        return None
    m = _FILE_NOT_FOUND.match(line)
    if m:
        header = m.group("header")
        close = difflib.get_close_matches(header, _headers(crate, description), n=1, cutoff=0.75)
        if close:
            fix = f"did you mean '{close[0]}'?"
        else:
            fix = (f"fix: put it in {os.path.join(crate.folder, 'include')}/, or include a "
                   f"crate's public header (\"fmt.h\", \"log.h\", ...) or a trusted header "
                   f"(<theseus/slice.h>, ...)")
        return f"{m.group('where')}: error: no header '{header}' on the crate include path; {fix}"
    m = _UNDECLARED.match(line)
    if m:
        name = m.group("name")
        found = image.header_of_export(name)
        if found:
            header, who = found
            return (f"{m.group('where')}: error: '{name}' is not declared here; "
                    f"fix: #include {header} ({who} exports it)")
        if "did you mean" in m.group("rest"):
            return line  # clang's own suggestion: a name in scope
        close = difflib.get_close_matches(name, image.all_exports(), n=1)
        fix = (f"did you mean '{close[0]}'?" if close else
               f"fix: check its spelling, or declare it (a function of {crate.name} in "
               f"include/{crate.name}.h)")
        return f"{m.group('where')}: error: '{name}' is not declared here; {fix}"
    return line


def _depfile_inputs(path):
    """The files a clang -MD depfile lists, or None when it is unreadable."""
    try:
        with open(path) as text:
            body = text.read().replace("\\\n", " ")
    except OSError:
        return None
    _, _, prerequisites = body.partition(": ")
    # Escaped spaces stay in their name.
    return [name.replace("\\ ", " ") for name in re.split(r"(?<!\\)\s+", prerequisites) if name]


def _up_to_date(crate, source, argv):
    """True when the object of `source` was compiled by exactly `argv` after
    every file it read (the depfile's list), the plugin and its allowlist
    changed since: the same test kbuild makes of a module's objects."""
    obj = crate.object_of(source)
    try:
        with open(obj + ".cmd") as recorded:
            if json.load(recorded) != argv:
                return False
        built = os.stat(obj).st_mtime_ns
    except (OSError, ValueError):
        return False
    inputs = _depfile_inputs(obj + ".d")
    if not inputs:
        return False
    inputs += [arg.split("=", 1)[1] for arg in argv
               if arg.startswith(("-fplugin=", "-fplugin-arg-safec-allowlist="))]
    try:
        return all(os.stat(path).st_mtime_ns <= built for path in inputs)
    except OSError:
        return False


def _compile_all(crate, description, image, verbose):
    """Compile the sources that changed, as many at once as there are CPUs;
    BuildError with every diagnostic when one fails."""
    os.makedirs(crate.objects_dir, exist_ok=True)
    jobs = max(1, os.cpu_count() or 1)
    pending = []
    for source in crate.sources:
        argv = crate.compile_command(source, verbose)
        if not _up_to_date(crate, source, argv):
            pending.append((source, argv))
    running = []
    lines, failed = [], False
    while pending or running:
        while pending and len(running) < jobs:
            source, argv = pending.pop(0)
            obj = crate.object_of(source)
            for stale in (obj + ".cmd", obj):
                if os.path.exists(stale):
                    os.unlink(stale)
            if verbose:
                print(" ".join(argv))
            running.append((source, argv, subprocess.Popen(
                argv + ["-MD", "-MF", obj + ".d"],
                stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)))
        source, argv, process = running.pop(0)
        output, _ = process.communicate()
        if process.returncode == 0:
            with open(crate.object_of(source) + ".cmd", "w") as recorded:
                json.dump(argv, recorded)
        failed |= process.returncode != 0
        for line in output.splitlines():
            shown = line if verbose else explain(line, crate, description, image)
            if shown is not None:
                lines.append(shown)
    if failed:
        raise BuildError(lines or [f"{crate.folder}: error: the compiler failed without a message"])
    for line in lines:  # warnings of a clean compile
        print(line, file=sys.stderr)


@functools.lru_cache(maxsize=None)
def _object_symbols(path):
    """(defined global names, undefined names, has .crate_info) of one object."""
    from elftools.elf.elffile import ELFFile
    with open(path, "rb") as source:
        elf = ELFFile(source)
        defined, undefined = set(), set()
        symtab = elf.get_section_by_name(".symtab")
        for symbol in (symtab.iter_symbols() if symtab else []):
            if symbol["st_info"]["bind"] not in ("STB_GLOBAL", "STB_WEAK") or not symbol.name:
                continue
            (undefined if symbol["st_shndx"] == "SHN_UNDEF" else defined).add(symbol.name)
        return defined, undefined, elf.get_section_by_name(".crate_info") is not None


def _sources_with(crate, predicate):
    """The crate's sources whose object satisfies predicate(defined, undefined, has_record)."""
    return [crate.source_path(s) for s in crate.sources
            if predicate(*_object_symbols(crate.object_of(s)))]


def _link_problems(crate, checked, image):
    """One line per import nobody provides and per export someone else has."""
    from .closure import resolve
    others = [c for c in image.crates if c.name != checked.name]
    resolution = resolve(others + [checked], image.nano_core.exports)
    header = os.path.join(crate.folder, "include", crate.name + ".h")
    with open(header, errors="replace") as text:
        public = text.read()
    lines = []
    for symbol, provider in sorted(resolution.providers.get(checked.name, {}).items()):
        if provider is not None:
            continue
        users = _sources_with(crate, lambda d, u, r: symbol in u) or [crate.folder]
        where = f"{users[0]}: error: '{symbol}' is used but"
        if symbol in image.hider:
            lines.append(f"{where} crate {image.hider[symbol]} keeps it private (no "
                         f"CRATE_EXPORT); fix: call what \"{image.hider[symbol]}.h\" declares")
        elif re.search(rf"\b{re.escape(symbol)}\b", public):
            lines.append(f"{where} never defined: include/{crate.name}.h declares it; fix: "
                         f"define it in a .c file of {crate.name}, with CRATE_EXPORT")
        elif symbol in image.exporter:
            lines.append(f"{where} only alternative crates ({image.exporter[symbol]}) export "
                         f"it, and those never satisfy an import; fix: call the crate they "
                         f"stand in for")
        else:
            close = difflib.get_close_matches(symbol, image.all_exports(), n=1)
            fix = (f"did you mean '{close[0]}'?" if close else
                   "fix: define it in this crate, or add the crate that exports it to the image")
            lines.append(f"{where} no crate of the image and not the nano-core exports it; {fix}")
    for symbol in checked.exports:
        owner = ("the nano-core" if symbol in image.nano_core.exports else
                 f"crate {image.exporter[symbol]}" if symbol in image.exporter else None)
        if owner is None:
            continue
        family = checked.info.alternative_of
        if family and image.exporter.get(symbol) == family:
            continue    # an alternative may export what the crate it stands in for does
        where = (_sources_with(crate, lambda d, u, r: symbol in d) or [crate.folder])[0]
        lines.append(f"{where}: error: {crate.name} exports '{symbol}', which {owner} exports "
                     f"too; fix: rename it (a crate's exports start with its name), or make it "
                     f"static")
    if not lines:  # whatever else the set-wide rules refuse, as mkimage says it
        lines = [str(problem) for problem in resolution.problems]
    return lines


def _check_object(crate, temp, image):
    """The finished object as mkimage will see it; BuildError if refused."""
    from .elfcheck import check_crate_object
    from .errors import InputError
    with open(temp, "rb") as source:
        data = source.read()
    try:
        checked = check_crate_object(data, crate.object)
    except InputError as error:
        if "no .crate_info section" in error.problem:
            raise BuildError([f"{crate.folder}: error: no source declares the crate; fix: add "
                              f"CRATE(\"{crate.name}\", \"0.1.0\", \"what it does\", \"\", \"\", \"\"); "
                              f"to {crate.name}.c"]) from None
        raise BuildError([str(error)]) from None
    if checked.name != crate.name:  # should finish() not have read the record
        raise crate_pipeline.RecordMismatch(crate.name, checked.name)
    problems = _link_problems(crate, checked, image)
    if problems:
        raise BuildError(problems)
    return checked


def build(folder, out, description, verbose=False):
    """Build the crate folder; returns (crate, checked object, image)."""
    try:
        crate = Crate(folder, out, description)
    except crate_folder.FolderError as error:
        raise BuildError([f"{PROG}: build-crate: {error}"], EXIT_USAGE) from None
    _check_places(crate, description)
    if os.path.exists(crate.out) and not os.path.isdir(crate.out):
        raise BuildError([f"{PROG}: build-crate: --out {crate.out} is not a folder"], EXIT_USAGE)
    image = Image(description)
    try:
        os.makedirs(crate.out, exist_ok=True)
    except OSError as error:
        raise BuildError([f"{PROG}: build-crate: cannot create {crate.out}: {error.strerror}"],
                         EXIT_USAGE) from None
    _compile_all(crate, description, image, verbose)
    # Finished under a temporary name; NAME.o appears only once it passed.
    temp = os.path.join(crate.out, f".{crate.name}.o.unchecked")
    try:
        crate_pipeline.finish(description, crate.name,
                              [crate.object_of(s) for s in crate.sources], temp)
        checked = _check_object(crate, temp, image)
        os.replace(temp, crate.object)
    except crate_pipeline.RecordMismatch as mismatch:
        where = (_sources_with(crate, lambda d, u, r: r) or [crate.folder])[0]
        raise BuildError([f"{where}: error: CRATE(\"{mismatch.recorded}\", ...) names the crate "
                          f"'{mismatch.recorded}', but its folder is {crate.name}/; fix: make "
                          f"them the same"]) from None
    except crate_pipeline.RecordMissing:
        raise BuildError([f"{crate.folder}: error: no source declares the crate; fix: add "
                          f"CRATE(\"{crate.name}\", \"0.1.0\", \"what it does\", \"\", \"\", \"\"); "
                          f"to {crate.name}.c"]) from None
    except crate_pipeline.StepFailed as failure:
        # Every error line the step printed, then its summary.
        lines = failure.output.strip().splitlines() or ["no message"]
        errors = [line for line in lines[:-1] if "error" in line]
        raise BuildError([f"{crate.folder}: error: the crate step '{failure.step}' failed: "
                          f"{'; '.join(errors + lines[-1:])}"]) from None
    finally:
        if os.path.exists(temp):
            os.unlink(temp)
    return crate, checked, image


def run(args):
    try:
        description = crate_pipeline.read(args.description)
        crate, checked, image = build(args.folder, args.out, description, args.verbose)
    except crate_pipeline.DescriptionError as error:
        sys.stderr.write(f"{PROG}: build-crate: {error}\n")
        return EXIT_USAGE
    except BuildError as error:
        for line in error.lines:
            sys.stderr.write(line + "\n")
        return error.status
    exports = " ".join(checked.exports) or "nothing"
    print(f"built {crate.object}: {checked.name} {checked.info.version}, exports {exports}")
    if args.test or args.bench:
        from . import crate_boot
        return crate_boot.run(crate, checked, image, description, "test" if args.test else "bench")
    return EXIT_OK
