"""The crate pipeline: one description of how a crate becomes NAME.o.

crates/meson.build owns the recipe (compile flags, the safe-C plugin, the
include folders, the merge into one relocatable object and every step after
it) and writes it to BUILD/crates/crate-build.json at configure time. Two
builds follow it:

  - the in-tree build: meson compiles each crate with exactly those flags
    and calls `crate_tool.py finish`, which runs the merge and the steps;
  - the out-of-tree build (`./theseus build-crate`, crate_build.py): it
    compiles a crate folder from anywhere with the same flags and calls the
    same finish().

So a step added to the recipe in crates/meson.build (`crate_object_steps`)
reaches both, and nothing here names a particular step. finish() itself only
merges, checks that the crate's CRATE(...) record names the crate being
built, and runs the steps.

The description (format 1) is a JSON object:
  source_root, build_root   the tree and the build it describes
  compiler                  the C compiler command, e.g. ["clang-19"]
  compile_args              every flag of a crate compile, in order
  plugin_args               the safe-C plugin's flags (all but crate=)
  crate_args                per-crate flags, with {CRATE} for the name
  include_dirs              the trusted headers, then every in-tree crate's include/
  merge                     the command that merges the objects ({INPUTS} -> {OUTPUT})
  steps                     [{"name", "command"}]: run in order on the merged
                            object; {INPUT} the object so far, {OUTPUT} the
                            next one (a step without {OUTPUT} changes {INPUT}
                            in place), {CRATE} the crate's name
  crates                    {name: [sources]}: the in-tree crates
  nano_core, archive        the nano-core ELF and the boot archive of this build
"""

import json
import os
import struct
import subprocess
import tempfile

FORMAT = 1
# Plugin flags that say where the crate being compiled lives. The rest of the
# plugin's flags are the same for every crate.
CRATES_DIR_ARG = "-fplugin-arg-safec-crates-dir="
REPORT_ARG = "-fplugin-arg-safec-report="

# Section markers on `crate_tool.py describe`'s command line, which meson
# passes as one flat list: `::SECTION` starts a section, `::step=NAME` a
# post-processing step, `::crate=NAME` an in-tree crate (its sources follow).
# No compiler flag or path starts with "::".
MARKER = "::"
_LIST_SECTIONS = ("compiler", "compile_args", "plugin_args", "crate_args", "include_dirs",
                  "merge")
_TEXT_SECTIONS = ("source_root", "build_root", "nano_core", "archive")


class DescriptionError(Exception):
    pass


class RecordMismatch(Exception):
    """The merged object's CRATE(...) record names another crate."""

    def __init__(self, crate, recorded):
        super().__init__(f"its CRATE(...) record names the crate '{recorded}'")
        self.crate = crate
        self.recorded = recorded


class RecordMissing(Exception):
    """No source of the crate declares it (no CRATE(...) record): the steps
    after the merge (the attestation step) would refuse it less clearly."""

    def __init__(self, crate):
        super().__init__(f"no source of crate '{crate}' declares it (no CRATE(...) record)")
        self.crate = crate


class StepFailed(Exception):
    """A merge or post-processing step failed: its name, command and output."""

    def __init__(self, step, argv, output):
        super().__init__(f"the crate step '{step}' failed")
        self.step = step
        self.argv = argv
        self.output = output


def parse_describe_args(args):
    """The description from `describe`'s arguments (see MARKER)."""
    description = {"format": FORMAT, "steps": [], "crates": {}}
    for key in _LIST_SECTIONS:
        description[key] = []
    values = None   # the list the next values go to
    text = None     # or the text field the next value is
    for arg in args:
        if arg.startswith(MARKER):
            section, _, name = arg[len(MARKER):].partition("=")
            text = values = None
            if section in _LIST_SECTIONS and not name:
                values = description[section]
            elif section in _TEXT_SECTIONS and not name:
                text = section
            elif section == "step" and name:
                values = []
                description["steps"].append({"name": name, "command": values})
            elif section == "crate" and name:
                values = description["crates"].setdefault(name, [])
            else:
                raise DescriptionError(f"describe: unknown section marker '{arg}'")
        elif text is not None:
            description[text] = arg
            text = None
        elif values is not None:
            values.append(arg)
        else:
            raise DescriptionError(f"describe: '{arg}' is outside any section")
    for key in _TEXT_SECTIONS:
        if not description.get(key):
            raise DescriptionError(f"describe: no {MARKER}{key}")
    for key in ("compiler", "merge"):
        if not description[key]:
            raise DescriptionError(f"describe: no {MARKER}{key}")
    return description


def write(description, path):
    """Write the description where meson asked, whole or not at all."""
    directory = os.path.dirname(os.path.abspath(path))
    handle, temp = tempfile.mkstemp(dir=directory, prefix=".crate-build.", suffix=".tmp")
    try:
        with os.fdopen(handle, "w") as out:
            json.dump(description, out, indent=1)
            out.write("\n")
        os.replace(temp, path)
    except BaseException:
        if os.path.exists(temp):
            os.unlink(temp)
        raise


def read(path):
    """The description at `path`; DescriptionError with the fix when it is
    missing or from another format."""
    try:
        with open(path) as source:
            description = json.load(source)
    except FileNotFoundError:
        raise DescriptionError(f"{path}: no crate build description; configure and "
                               f"build the tree first (./theseus build)") from None
    except (OSError, ValueError) as error:
        raise DescriptionError(f"{path}: unreadable ({error}); reconfigure "
                               f"(meson setup --reconfigure BUILD)") from None
    if not isinstance(description, dict) or description.get("format") != FORMAT:
        raise DescriptionError(f"{path}: not a format-{FORMAT} crate build description; "
                               f"reconfigure (meson setup --reconfigure BUILD)")
    return description


def _substitute(command, inputs, current, output, crate):
    argv = []
    for arg in command:
        if arg == "{INPUTS}":
            argv += inputs
            continue
        arg = arg.replace("{CRATE}", crate)
        if current is not None:
            arg = arg.replace("{INPUT}", current)
        if output is not None:
            arg = arg.replace("{OUTPUT}", output)
        argv.append(arg)
    return argv


def recorded_name(path):
    """The name in the .crate_info record of the ELF object at `path`, or
    None when it has no record or is no ELF this can read (mkimage's checks
    then say what is wrong with it). A few header fields, no ELF library:
    this runs for every crate of every build."""
    try:
        with open(path, "rb") as source:
            data = source.read()
        if data[:6] != b"\x7fELF\x02\x01":    # 64-bit little-endian, as crates are
            return None
        shoff, = struct.unpack_from("<Q", data, 0x28)
        shentsize, shnum, shstrndx = struct.unpack_from("<HHH", data, 0x3A)

        def section(index):  # (name offset, file offset, size)
            base = shoff + index * shentsize
            name, = struct.unpack_from("<I", data, base)
            offset, size = struct.unpack_from("<QQ", data, base + 0x18)
            return name, offset, size

        _, strings, _ = section(shstrndx)
        for index in range(shnum):
            name, offset, size = section(index)
            end = data.index(b"\0", strings + name)
            if data[strings + name:end] == b".crate_info" and size >= 40:
                return data[offset + 8:offset + 40].split(b"\0", 1)[0].decode(errors="replace")
    except (OSError, struct.error, ValueError, IndexError):
        return None
    return None


def finish(description, crate, inputs, output):
    """Merge `inputs` (objects or archives of crate `crate`) into `output`
    and run every step of the description on it. `output` appears only when
    every step passed; StepFailed names the step that did not,
    RecordMissing says no source declares the crate, and RecordMismatch says the crate's record names another crate (a copied
    crate whose CRATE(...) line was not changed)."""
    directory = os.path.dirname(os.path.abspath(output))
    base = os.path.basename(output)
    temps = []

    def temp_path(step):
        handle, path = tempfile.mkstemp(dir=directory, prefix=f".{base}.{step}.", suffix=".tmp")
        os.close(handle)
        temps.append(path)
        return path

    try:
        merged = temp_path("merge")
        _run("merge", _substitute(description["merge"], list(inputs), None, merged, crate))
        current = merged
        recorded = recorded_name(merged)
        if recorded is None:
            raise RecordMissing(crate)
        if recorded != crate:
            raise RecordMismatch(crate, recorded)
        for step in description["steps"]:
            in_place = not any("{OUTPUT}" in arg for arg in step["command"])
            target = None if in_place else temp_path(step["name"])
            _run(step["name"], _substitute(step["command"], list(inputs), current, target, crate))
            current = current if in_place else target
        # mkstemp made it 0600: give it the mode a plain open would.
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(current, 0o666 & ~umask)
        os.replace(current, output)
    finally:
        for path in temps:
            if os.path.exists(path):
                os.unlink(path)


def _run(step, argv):
    try:
        done = subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    except OSError as error:
        raise StepFailed(step, argv, f"{argv[0]}: {error.strerror}") from None
    if done.returncode != 0:
        raise StepFailed(step, argv, done.stdout)
