"""Command line: build, list, verify, extract, graph, push (docs/mkimage.md)."""

import argparse
import json
import os
import sys

from . import archive as archive_format
from . import argtypes
from . import attest
from . import iso
from . import push as push_crate
from .closure import resolve
from .elfcheck import check_crate_object, read_nano_core, shown
from .errors import (EXIT_BAD_INPUT, EXIT_ENVIRONMENT, EXIT_OK,
                     EXIT_PUSH_REFUSED, EnvironmentFailure, InputError)
from .graph import dependency_graph
from .program import check_file, check_program
from .output import PendingFile, write_file

PROG = "mkimage"


class _Parser(argparse.ArgumentParser):
    # One prefix for every message, subcommands included: "mkimage: error: ...".
    def error(self, message):
        self.print_usage(sys.stderr)
        sys.stderr.write(f"{PROG}: error: {message}\n")
        sys.exit(EXIT_BAD_INPUT)


def _report(problems):
    for problem in problems:
        sys.stderr.write(f"{PROG}: error: {problem}\n")


def _read_input(path, limit=None):
    try:
        with open(path, "rb") as source:
            return source.read() if limit is None else source.read(limit)
    except OSError as error:
        raise InputError(path, error.strerror) from None


def _open_archive(path):
    """Archive and problems for an archive file or a boot ISO carrying one."""
    head = _read_input(path, iso.ISO9660_MAGIC_OFFSET + 8)
    if head.startswith(archive_format.MAGIC):
        data = _read_input(path)
    elif iso.is_iso9660(head):
        data = iso.extract_archive(path)
    else:
        raise InputError(path, "not a crate archive or an ISO 9660 boot image")
    return archive_format.load_archive(data, path)


def _open_sound_archive(path):
    """The archive, or InputErrors for its problems: readers show no broken data."""
    archive, problems = _open_archive(path)
    if problems:
        _report(problems)
        raise _AlreadyReported()
    return archive


class _AlreadyReported(Exception):
    pass


# The per-crate memory limit's default: the nano-core's (crate_mem_limit=).
DEFAULT_CRATE_MEM_LIMIT = 16 << 20


def _read_key(path):
    try:
        return attest.read_key(path)
    except OSError as error:
        raise InputError(path, f"cannot read the attestation key: {error.strerror}") from None
    except ValueError as error:
        raise InputError(path, str(error)) from None


def _nano_core_and_key(args, problems):
    """The nano-core and the attestation key (None without --key), each read
    on its own so that one's problem does not hide the other's; the third
    value says the key was given but could not be read (reported once, in
    problems, rather than again for every crate)."""
    nano_core = key = None
    try:
        nano_core = read_nano_core(_read_input(args.nano_core), args.nano_core)
    except InputError as error:
        problems.append(error)
    try:
        key = _read_key(args.key) if args.key else None
    except InputError as error:
        problems.append(error)
        return nano_core, None, True
    return nano_core, key, False


def _admission_problems(crate, key, allow_unchecked, memory_limit):
    """Why crate may not go into an image: no valid stamp of this build
    (unless developer mode), more memory than the per-crate limit."""
    problems = []
    if key is None:
        if not allow_unchecked:
            problems.append(InputError(crate.file, (
                "cannot verify its attestation stamp: give the build's key with --key "
                "(or pack unchecked crates with --allow-unchecked)")))
    else:
        crate.stamp, _, crate.stamp_why = attest.verify(crate.data, key)
        if crate.stamp != attest.VALID:
            if allow_unchecked:
                sys.stderr.write(f"{PROG}: warning: {crate.file}: developer mode: packed "
                                 f"unchecked: {crate.stamp_why}\n")
            else:
                problems.append(InputError(crate.file, f"refused: {crate.stamp_why}"))
    if memory_limit and crate.memory_bytes > memory_limit:
        problems.append(InputError(crate.file, (
            f"crate '{crate.name}' needs {crate.memory_bytes} bytes of memory, more than "
            f"the per-crate limit of {memory_limit} bytes (--crate-mem-limit)")))
    return problems


def cmd_build(args):
    problems = []
    nano_core, key, key_unreadable = _nano_core_and_key(args, problems)
    crates = []
    for path in args.crates:
        try:
            raw = _read_input(path)
            crate = check_crate_object(raw, path)  # the object as built, first
            if not key_unreadable:  # already reported, once
                problems += _admission_problems(crate, key, args.allow_unchecked,
                                                args.crate_mem_limit)
            if args.strip_debug:
                # Stripping changes the stamped bytes: stamped again, and
                # only when the stamp of what was stripped was verified.
                stripped, valid = push_crate.stripped_for_sending(raw, path, key)
                verdict = crate.stamp, crate.stamp_why
                crate = check_crate_object(stripped, path)
                crate.stamp, crate.stamp_why = verdict
            crates.append(crate)
        except InputError as error:
            problems.append(error)
    programs = []
    specs = [(spec, check_program) for spec in args.program or ()]
    specs += [(spec, check_file) for spec in args.file or ()]
    for spec, check in specs:
        name, _, path = spec.rpartition("=")
        name = name or os.path.basename(path)
        try:
            program = check(_read_input(path), path, name)
            if any((p.name, p.flags) == (program.name, program.flags) for p in programs):
                raise InputError(path, f"'{program.name}' is given twice")
            programs.append(program)
        except InputError as error:
            problems.append(error)
    # A crate that failed its own checks would make closure errors spurious.
    if not problems:
        problems = resolve(crates, nano_core.exports, nano_core.signatures).problems
    if problems:
        _report(problems)
        return EXIT_BAD_INPUT

    archive_bytes = archive_format.write_archive(crates, nano_core, programs)
    pending = []
    try:
        archive_out = PendingFile(args.output)
        pending.append(archive_out)
        archive_out.write(archive_bytes)
        if args.iso:
            iso_out = PendingFile(args.iso)
            pending.append(iso_out)
            iso.build_iso(iso_out.temp, args.iso, args.nano_core, archive_bytes,
                          args.grub_cfg_cmdline or "")
        for output in pending:
            output.commit()
    finally:
        for output in pending:
            output.discard()
    return EXIT_OK


def _crate_summary(entry):
    crate = entry.crate
    return {
        "name": entry.name,
        "version": entry.version,
        "description": entry.description,
        "alternative_of": entry.alternative_of,
        "needs": list(crate.info.needs),
        "init": crate.info.init,
        "size": entry.elf_size,
        "crc32": f"{entry.elf_crc32:08x}",
        "sections": crate.section_count,
        "alloc_sections": crate.alloc_section_count,
        "exports": crate.exports,
        "imports": crate.imports,
    }


def cmd_list(args):
    archive = _open_sound_archive(args.image)
    if args.json:
        json.dump({
            "format_version": archive.format_version,
            "nano_core_id": archive.nano_core_id.hex(),
            "crates": [_crate_summary(entry) for entry in archive.crates],
            "nano_core_exports": {name: f"0x{address:x}"
                                  for name, address in archive.kexports.items()},
            "programs": [{"name": p.name, "size": p.elf_size,
                          "crc32": f"{p.elf_crc32:08x}", "kind": p.program.kind,
                          "entry": f"0x{p.program.entry:x}"}
                         for p in archive.programs],
        }, sys.stdout, indent=2)
        sys.stdout.write("\n")
        return EXIT_OK
    for entry in archive.crates:
        crate = entry.crate
        alternative = (f" [alternative of {entry.alternative_of}]"
                       if entry.alternative_of else "")
        sys.stdout.write(
            f"{entry.name} {entry.version}{alternative}: {entry.elf_size} bytes, "
            f"{crate.section_count} sections; "
            f"exports: {' '.join(map(shown, crate.exports)) or '-'}; "
            f"imports: {' '.join(map(shown, crate.imports)) or '-'}\n")
    for entry in archive.programs:
        if entry.program.kind == "file":
            sys.stdout.write(f"file {entry.name}: {entry.elf_size} bytes\n")
            continue
        sys.stdout.write(f"program {entry.name}: {entry.elf_size} bytes, "
                         f"{entry.program.kind}, entry 0x{entry.program.entry:x}\n")
    return EXIT_OK


def _compare_nano_core(archive, path):
    """Problems where the archive was not checked against this nano-core."""
    core = read_nano_core(_read_input(path), path)
    problems = []
    if core.build_id != archive.nano_core_id:
        problems.append(InputError(archive.file, (
            f"nano_core_id {archive.nano_core_id.hex()} is not the build id "
            f"of {path} ({core.build_id.hex()})")))
    for name in sorted(set(core.exports) - set(archive.kexports)):
        problems.append(InputError(archive.file, (
            f"nano-core export '{shown(name)}' of {path} is missing from the archive")))
    for name in sorted(set(archive.kexports) - set(core.exports)):
        problems.append(InputError(archive.file, (
            f"nano-core export table lists '{shown(name)}', which {path} does not export")))
    for name in sorted(set(archive.kexports) & set(core.exports)):
        if archive.kexports[name] != core.exports[name]:
            problems.append(InputError(archive.file, (
                f"nano-core export '{shown(name)}' is at 0x{archive.kexports[name]:x} "
                f"in the archive but at 0x{core.exports[name]:x} in {path}")))
    return problems


def cmd_verify(args):
    archive, problems = _open_archive(args.image)
    if args.nano_core and not problems:
        problems = _compare_nano_core(archive, args.nano_core)
    if problems:
        _report(problems)
        return EXIT_BAD_INPUT
    sys.stdout.write(f"{args.image}: OK: {len(archive.crates)} crates, "
                     f"{len(archive.index)} exported symbols, "
                     f"{len(archive.kexports)} nano-core exports"
                     + (f", {len(archive.programs)} programs" if archive.programs else "")
                     + "\n")
    return EXIT_OK


def cmd_extract(args):
    archive = _open_sound_archive(args.image)
    entry = next((e for e in archive.crates if e.name == args.crate), None)
    if entry is None:
        names = ", ".join(e.name for e in archive.crates) or "none"
        raise InputError(args.image, f"no crate named '{args.crate}' "
                                     f"(crates: {names})")
    image = archive.data[entry.elf_off:entry.elf_off + entry.elf_size]
    output = args.output or f"{entry.name}.o"
    if output == "-":
        sys.stdout.flush()
        sys.stdout.buffer.write(image)
    else:
        write_file(output, image)
    return EXIT_OK


def cmd_graph(args):
    archive = _open_sound_archive(args.image)
    sys.stdout.write(dependency_graph(archive))
    return EXIT_OK


def cmd_push(args):
    problems = []
    crate = image = None
    nano_core, key, key_unreadable = _nano_core_and_key(args, problems)
    try:
        raw = _read_input(args.crate)
        crate = check_crate_object(raw, args.crate)  # the object as built, first
        admission = [] if key_unreadable else _admission_problems(
            crate, key, args.allow_unchecked, args.crate_mem_limit)
        problems += admission
        if not admission and not key_unreadable:
            # Debug sections stay home (the line is slow); the stripped
            # object is stamped again: mkimage holds the key and has just
            # verified what it strips.
            stripped, valid = push_crate.stripped_for_sending(raw, args.crate, key)
            crate = check_crate_object(stripped, args.crate)
            crate.stamp = attest.VALID if valid else attest.MISSING
    except (InputError, EnvironmentFailure) as error:
        problems.append(error)
    if args.image:
        try:
            image, image_problems = _open_archive(args.image)
            problems += image_problems
        except (InputError, EnvironmentFailure) as error:
            # Status 1 means a refusal for push: an unreadable image is 2.
            problems.append(error)
    # As in build: closure errors only once every input passed its own checks.
    if not problems and image is not None:
        problems = push_crate.image_problems(crate, nano_core, image)
        problems += push_crate.downgrade_problems(crate, image, args.force)
    if not problems:
        try:
            payload = push_crate.payload(crate, nano_core, forced=args.force)
        except InputError as error:
            problems.append(error)
    if problems:
        _report(problems)
        return EXIT_BAD_INPUT

    try:
        line = push_crate.exchange(args.socket, payload, args.timeout)
        verdict, text = push_crate.verdict(line)
    except push_crate.PushFailure as failure:
        _report([failure])
        return EXIT_BAD_INPUT
    if verdict == "ok":
        sys.stdout.write(line + "\n")
        return EXIT_OK
    _report([f"the kernel refused the crate: {text}" if text
             else "the kernel refused the crate"])
    return EXIT_PUSH_REFUSED


def _cmdline(text):
    if "\n" in text or "\r" in text:
        raise argparse.ArgumentTypeError("the command line must be one line")
    return text


def _admission_options(parser):
    parser.add_argument("--key", metavar="KEYFILE",
                        help="the build's attestation key (build/attest.key): every "
                             "crate must carry a stamp made with it")
    parser.add_argument("--allow-unchecked", action="store_true",
                        help="developer mode: accept crates without a valid stamp "
                             "(each is reported); the kernel must boot with "
                             "unchecked_crates to load them")
    parser.add_argument("--crate-mem-limit", type=argtypes.byte_count,
                        default=DEFAULT_CRATE_MEM_LIMIT, metavar="BYTES",
                        help="most bytes a crate's sections may take in memory "
                             f"(default {DEFAULT_CRATE_MEM_LIMIT}; 0: no limit)")


def _parser():
    parser = _Parser(prog=PROG, description=(
        "Validate Theseus crate objects and pack them into the crate "
        "archive and the GRUB boot image; inspect archives and images."))
    commands = parser.add_subparsers(dest="command", required=True,
                                     metavar="COMMAND")

    build = commands.add_parser(
        "build", help="validate crate objects, write the archive (and ISO)",
        description="Validate every crate object and write the crate archive "
                    "and, with --iso, the GRUB2 boot ISO. Nothing is written "
                    "unless every check passes.")
    build.add_argument("-o", "--output", required=True, metavar="OUTPUT.archive",
                       help="the archive to write")
    build.add_argument("--nano-core", required=True, metavar="NANO_CORE.elf",
                       help="the nano-core ELF whose exports crates may import")
    build.add_argument("--iso", metavar="OUT.iso",
                       help="also write a GRUB2 ISO booting the nano-core with "
                            "the archive as a multiboot2 module")
    build.add_argument("--grub-cfg-cmdline", metavar="CMDLINE", type=_cmdline,
                       help="kernel command line for the ISO's grub.cfg")
    _admission_options(build)
    build.add_argument("--strip-debug", action="store_true",
                       help="pack each crate without its DWARF (llvm-objcopy "
                            "--strip-debug): the kernel maps only allocated "
                            "sections and checks every byte of an image at each "
                            "load; the objects keep theirs for gdb")
    build.add_argument("--program", action="append", metavar="[NAME=]PATH",
                       help="pack the static x86-64 ELF executable PATH as user "
                            "program NAME (default: its file name); repeatable")
    build.add_argument("--file", action="append", metavar="[NAME=]PATH",
                       help="pack PATH as a read-only data file that programs "
                            "read as /NAME (default: its file name); repeatable")
    build.add_argument("crates", nargs="+", metavar="CRATE.o")
    build.set_defaults(run=cmd_build)

    listing = commands.add_parser(
        "list", help="one line per crate in an archive or image",
        description="Show every crate: name, version, size, section count, "
                    "exports and imports.")
    listing.add_argument("image", metavar="IMAGE|ARCHIVE")
    listing.add_argument("--json", action="store_true", help="print JSON")
    listing.set_defaults(run=cmd_list)

    verify = commands.add_parser(
        "verify", help="re-check every checksum and structural rule",
        description="Re-check header and crate checksums, every structural "
                    "rule, every crate ELF and link closure. Exit 0 only when "
                    "all hold; one line per problem otherwise.")
    verify.add_argument("image", metavar="IMAGE|ARCHIVE")
    verify.add_argument("--nano-core", metavar="NANO_CORE.elf",
                        help="also check the archive was built against this nano-core")
    verify.set_defaults(run=cmd_verify)

    extract = commands.add_parser(
        "extract", help="write one crate's ELF back out",
        description="Write the crate's ELF object, byte-identical to the "
                    "object given to build.")
    extract.add_argument("image", metavar="IMAGE|ARCHIVE")
    extract.add_argument("crate", metavar="CRATE")
    extract.add_argument("-o", "--output", metavar="FILE",
                         help="where to write (default CRATE.o; - for stdout)")
    extract.set_defaults(run=cmd_extract)

    graph = commands.add_parser(
        "graph", help="crate dependency graph as Graphviz dot",
        description="Print the crate dependency graph in Graphviz dot: an "
                    "edge A -> B labelled with the symbols A imports from B.")
    graph.add_argument("image", metavar="IMAGE|ARCHIVE")
    graph.set_defaults(run=cmd_graph)

    push = commands.add_parser(
        "push", help="send one crate to the running kernel, which swaps it in",
        description="Check a crate object as build does (and, with --image, "
                    "that the image's crates with this one in place of its "
                    "namesake still link), then send it as a one-crate "
                    "archive over the push socket of a running QEMU guest "
                    "and print the kernel's answer. Exit 0: the kernel took "
                    "it; 1: the kernel refused it; 2: bad input, no running "
                    "system, or no answer in time.")
    push.add_argument("--nano-core", required=True, metavar="NANO_CORE.elf",
                      help="the nano-core ELF the running kernel was built from")
    push.add_argument("--image", metavar="IMAGE|ARCHIVE",
                      help="the boot image the kernel runs: check the crate "
                           "links against its other crates")
    push.add_argument("--socket", required=True, metavar="PATH",
                      help="the UNIX socket of the guest's push serial line "
                           "(QEMU chardev, guest COM2)")
    push.add_argument("--timeout", type=argtypes.seconds, default=60.0, metavar="SECONDS",
                      help="time for the whole exchange (default 60)")
    push.add_argument("--force", action="store_true",
                      help="let a lower version replace the running crate (a "
                           "downgrade, otherwise refused here with --image and "
                           "by the kernel)")
    _admission_options(push)
    push.add_argument("crate", metavar="CRATE.o")
    push.set_defaults(run=cmd_push)
    return parser


def main(argv=None):
    for stream in (sys.stdout, sys.stderr):
        stream.reconfigure(errors="backslashreplace")
    parser = _parser()
    args = parser.parse_args(argv)
    if args.command == "build" and args.grub_cfg_cmdline is not None and not args.iso:
        parser.error("--grub-cfg-cmdline needs --iso")
    try:
        return args.run(args)
    except _AlreadyReported:
        return EXIT_BAD_INPUT
    except InputError as error:
        _report([error])
        return EXIT_BAD_INPUT
    except EnvironmentFailure as error:
        _report([error])
        return EXIT_ENVIRONMENT
    except BrokenPipeError:
        # The reader went away (e.g. `| head`); not an error of ours.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_OK
    except KeyboardInterrupt:
        return 130
    except Exception as error:  # a bug in mkimage, not bad input
        if os.environ.get("MKIMAGE_DEBUG"):
            raise
        _report([f"internal error: {type(error).__name__}: {error} "
                 f"(set MKIMAGE_DEBUG=1 for a traceback)"])
        return EXIT_ENVIRONMENT
