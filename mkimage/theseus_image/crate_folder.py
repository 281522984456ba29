"""What a crate folder is, for the in-tree build, `new` and `build-crate`.

A crate is one folder NAME/ holding:
  - one or more C sources directly in it (NAME/*.c), compiled into NAME.o;
  - include/NAME.h, its public header: what other crates may include.
Anything else in the folder (more headers, a build/ output folder, notes)
is left alone. The rules live here once, so that meson's discovery of
crates/ and the out-of-tree build refuse the same folders with the same
message.
"""

import os
import re

# The crate_info record gives a name 32 bytes, NUL included
# (kernel/include/theseus/crate.h). A name starts with a letter so that
# NAME_main and the other symbols made from it are C identifiers.
NAME_MAX = 31
_NAME = re.compile(r"[a-z][a-z0-9_]*\Z")
# Meson reads the discovery output split at white space, and a C source name
# ends up in object file names: keep source names plain.
_SOURCE = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.+-]*\.c\Z")
# The runtime linker's reports name the nano-core's exports
# "nano_core:(export) SYMBOL", and mkimage reserves the name.
RESERVED_NAMES = {"nano_core"}


class FolderError(Exception):
    """A crate folder or name breaks a rule: one line, the fix included."""


def name_problem(name):
    """Why `name` cannot name a crate, or None."""
    if not _NAME.match(name):
        return (f"'{name}' is not a crate name: use lower-case letters, digits "
                f"and '_', starting with a letter (e.g. 'greet' or 'my_sched')")
    if len(name) > NAME_MAX:
        return (f"'{name}' is {len(name)} characters long; a crate name has at "
                f"most {NAME_MAX}")
    if name in RESERVED_NAMES:
        return f"'{name}' is reserved for the nano-core; choose another name"
    return None


def sources_of(folder):
    """The crate's C sources (names, sorted) directly in `folder`."""
    return sorted(entry for entry in os.listdir(folder)
                  if entry.endswith(".c") and not entry.startswith(".")
                  and os.path.isfile(os.path.join(folder, entry)))


def check_folder(folder, shown=None):
    """(name, sources) of the crate folder, or FolderError.

    `shown` is how messages name the folder (default: as given)."""
    shown = shown or folder
    if not os.path.exists(folder):
        raise FolderError(f"{shown}: no such folder")
    if not os.path.isdir(folder):
        raise FolderError(f"{shown}: not a folder (a crate is a folder with "
                          f"NAME.c and include/NAME.h)")
    name = os.path.basename(os.path.normpath(os.path.abspath(folder)))
    problem = name_problem(name)
    if problem:
        raise FolderError(f"{shown}: the folder names the crate, and {problem}")
    include = os.path.join(folder, "include")
    header = os.path.join(include, name + ".h")
    if not os.path.isdir(include):
        raise FolderError(
            f"{shown}: no include/ folder; a crate's public header goes in "
            f"{os.path.join(shown, 'include', name + '.h')} "
            f"(./theseus new {name} writes a skeleton with one)")
    if not os.path.isfile(header):
        raise FolderError(
            f"{shown}: no public header include/{name}.h; create it with the "
            f"declarations other crates may use (./theseus new {name} writes one)")
    try:
        sources = sources_of(folder)
    except OSError as error:
        raise FolderError(f"{shown}: cannot read the folder: {error.strerror}") from None
    if not sources:
        raise FolderError(f"{shown}: no C source ({name}.c) directly in the folder")
    for source in sources:
        if not _SOURCE.match(source):
            raise FolderError(
                f"{os.path.join(shown, source)}: rename it to letters, digits, "
                f"'_', '.', '+' and '-' (the build splits names at spaces)")
    return name, sources


def discover(crates_dir, shown="crates"):
    """{name: [sources]} for every crate folder under `crates_dir`, sorted by
    name; FolderError on the first bad folder. Hidden folders (a `new` still
    writing, editor state) are not crates."""
    crates = {}
    for entry in sorted(os.listdir(crates_dir)):
        path = os.path.join(crates_dir, entry)
        if entry.startswith(".") or not os.path.isdir(path):
            continue
        name, sources = check_folder(path, os.path.join(shown, entry))
        crates[name] = sources
    return crates


def listing(crates):
    """The discovery as text: one line `NAME SOURCE...` per crate."""
    return "".join(f"{name} {' '.join(sources)}\n" for name, sources in crates.items())
