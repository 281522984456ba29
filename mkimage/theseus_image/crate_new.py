"""`./theseus new NAME [--dir PATH]`: a crate skeleton that builds and passes
the checker: the source, the public header, an in-kernel test and a
benchmark. The skeleton is a working application (`run NAME WHO` prints a
greeting) so that every file has something true to say."""

import os
import shutil
import string
import sys
import tempfile

from . import crate_folder, crate_pipeline

PROG = "theseus"
EXIT_OK, EXIT_PROBLEM, EXIT_USAGE = 0, 1, 2

HEADER = string.Template("""\
/* ${name}: TODO say in one line what this crate does.
 *
 * This header is the crate's public interface. Other crates include
 * "${name}.h" and call what it declares; of the crate's definitions only
 * those marked CRATE_EXPORT can be reached from outside (crates are built
 * with -fvisibility=hidden). */
#ifndef CRATE_${NAME}_H
#define CRATE_${NAME}_H

#include <theseus/result.h>
#include <theseus/slice.h>
#include "fmt.h"

/* Append "Hello, WHO!" to line ("Hello, world!" when who is empty). The
 * caller owns the line: the crate keeps nothing between calls. */
void ${name}_greeting(struct fmt_line *line, struct str who);

/* The application entry: the shell's `run ${name} ARGS` and
 * `spawn ${name} ARGS` call it with ARGS. */
struct status ${name}_main(struct str args);

#endif
""")

SOURCE = string.Template("""\
#include <theseus/crate.h>
#include "${name}.h"
#include "log.h"

/* name, version, one-line description, init function ("" for none), the
 * crate this one may replace in a swap ("" for none), the crates it calls. */
CRATE("${name}", "0.1.0", "TODO: what ${name} does", "", "", "fmt,log");

CRATE_EXPORT void ${name}_greeting(struct fmt_line *line, struct str who)
{
	fmt_str(line, STR("Hello, "));
	fmt_str(line, who.len ? who : STR("world"));
	fmt_char(line, '!');
}

CRATE_EXPORT struct status ${name}_main(struct str args)
{
	struct fmt_line line;
	fmt_clear(&line);
	${name}_greeting(&line, args);
	log_line(LOG_INFO, STR("${name}"), &line);
	return STATUS_OK;
}
""")

TEST = string.Template("""\
/* In-kernel tests of ${name}. KTEST puts each in this crate's .ktests
 * section, where the nano-core's test runner finds it when the crate is in
 * the boot archive: `./theseus build-crate DIR --test` runs them (in-tree,
 * `./theseus test` does). A failed KT_EXPECT ends its test; a fault fails
 * the test, not the run. */
#include <theseus/ktest.h>
#include "${name}.h"

KTEST(${name}_greets_by_name, "${name}.greets_by_name")
{
	struct fmt_line line;
	fmt_clear(&line);
	${name}_greeting(&line, STR("Ada"));
	KT_EXPECT(t, str_eq(fmt_view(&line), STR("Hello, Ada!")));
}

KTEST(${name}_greets_the_world_by_default, "${name}.greets_the_world_by_default")
{
	struct fmt_line line;
	fmt_clear(&line);
	${name}_greeting(&line, STR(""));
	KT_EXPECT(t, str_eq(fmt_view(&line), STR("Hello, world!")));
}
""")

BENCH = string.Template("""\
/* A benchmark of ${name}: KBENCH puts it in this crate's .kbench section,
 * where the nano-core's benchmark runner finds it when the crate is in the
 * boot archive (`./theseus build-crate DIR --bench`). Each sample times
 * KBENCH_BATCH calls; the runner reports the median, never asserts a time. */
#include <theseus/kbench.h>
#include "${name}.h"

KBENCH(${name}_greeting_bench, "${name}.greeting")
{
	for (uint64_t i = 0; i < kbench_iterations(b); i++) {
		struct fmt_line line;
		uint64_t start = kbench_now();
		for (unsigned k = 0; k < KBENCH_BATCH; k++) {
			fmt_clear(&line);
			${name}_greeting(&line, STR("bench"));
		}
		kbench_sample(b, kbench_now() - start, KBENCH_BATCH);
	}
	kbench_report(b, "${name}.greeting");
}
""")


def skeleton(name):
    """{relative path: text} of a new crate `name`."""
    values = {"name": name, "NAME": name.upper()}
    return {
        os.path.join("include", f"{name}.h"): HEADER.substitute(values),
        f"{name}.c": SOURCE.substitute(values),
        f"{name}_test.c": TEST.substitute(values),
        f"{name}_bench.c": BENCH.substitute(values),
    }


def exported_symbols(name):
    """What the skeleton exports: the names no one else may export."""
    return [f"{name}_greeting", f"{name}_main"]


class NameTaken(Exception):
    pass


def check_name_free(name, description, archive_exports, kernel_exports):
    """NameTaken when an in-tree crate has the name, when the nano-core's
    exports use it as their prefix (a crate's exports start with its name,
    so they would share one namespace), or when a skeleton export is some
    crate's already."""
    crates_dir = os.path.join(description["source_root"], "crates")
    if name in description["crates"] or os.path.exists(os.path.join(crates_dir, name)):
        raise NameTaken(f"'{name}' is taken: crates/{name}/ is a crate of the tree; "
                        f"choose another name")
    kernel_owned = sorted(symbol for symbol in kernel_exports
                          if symbol == name or symbol.startswith(name + "_"))
    if kernel_owned:
        shown = ", ".join(kernel_owned[:3]) + (", ..." if len(kernel_owned) > 3 else "")
        raise NameTaken(f"'{name}' is taken: the nano-core exports {shown}, and a crate's "
                        f"exports start with its name; choose another name")
    for symbol in exported_symbols(name):
        owner = archive_exports.get(symbol)
        if owner is not None:
            raise NameTaken(f"'{name}' is taken: its crate would export {symbol}, which "
                            f"crate {owner} exports; choose another name")


def _exports_of_build(description):
    """({symbol: crate} of the boot archive, {symbol: address} of the nano-core)."""
    from .archive import load_archive
    path = description["archive"]
    try:
        with open(path, "rb") as source:
            archive, problems = load_archive(source.read(), path)
    except OSError as error:
        raise crate_pipeline.DescriptionError(
            f"{path}: {error.strerror}; build the tree first (./theseus build)") from None
    if problems:
        raise crate_pipeline.DescriptionError(f"{problems[0]}; rebuild (./theseus build)")
    exports = {}
    for entry in archive.crates:
        for symbol in entry.crate.exports:
            exports.setdefault(symbol, entry.name)
    return exports, archive.kexports


def _inside(path, folder):
    path, folder = os.path.realpath(path), os.path.realpath(folder)
    return path == folder or path.startswith(folder + os.sep)


def run(args):
    name = args.name
    problem = crate_folder.name_problem(name)
    if problem:
        return _fail(problem)
    try:
        description = crate_pipeline.read(args.description)
    except crate_pipeline.DescriptionError as error:
        return _fail(str(error))
    root = description["source_root"]
    crates_dir = os.path.join(root, "crates")
    parent = args.dir if args.dir is not None else crates_dir
    if not os.path.exists(parent):
        return _fail(f"--dir {parent}: no such folder; create it first")
    if not os.path.isdir(parent):
        return _fail(f"--dir {parent}: not a folder")
    in_tree = os.path.realpath(parent) == os.path.realpath(crates_dir)
    if not in_tree and _inside(parent, root):
        return _fail(f"--dir {parent} is inside the source tree {root}: in-tree crates go "
                     f"in crates/ (leave out --dir), out-of-tree crates outside the tree")
    try:
        archive_exports, kernel_exports = _exports_of_build(description)
        check_name_free(name, description, archive_exports, kernel_exports)
    except (crate_pipeline.DescriptionError, NameTaken) as error:
        return _fail(str(error))
    target = os.path.join(parent, name)
    shown = os.path.join("crates", name) if in_tree else target
    if os.path.lexists(target):
        return _fail(f"{shown} already exists; choose another name or folder")

    # Written in a hidden folder beside the target (meson's discovery skips
    # it) and renamed: the crate folder appears whole or not at all.
    try:
        scratch = tempfile.mkdtemp(prefix=f".{name}.new-", dir=parent)
    except OSError as error:
        return _fail(f"--dir {parent}: cannot write there: {error.strerror}", EXIT_PROBLEM)
    try:
        files = skeleton(name)
        for relative, text in files.items():
            path = os.path.join(scratch, relative)
            os.makedirs(os.path.dirname(path), exist_ok=True)
            with open(path, "w") as out:
                out.write(text)
        os.chmod(scratch, 0o777 & ~_umask())
        os.rename(scratch, target)
    except OSError as error:
        shutil.rmtree(scratch, ignore_errors=True)
        return _fail(f"{shown}: cannot write: {error.strerror}", EXIT_PROBLEM)
    listed = ", ".join(sorted(files, key=lambda p: (p.startswith("include"), p)))
    print(f"created {shown}: {listed}")
    if in_tree:
        print(f"next: ./theseus build (crates/{name} joins the build), then "
              f"`run {name} you` in ./theseus run")
    else:
        print(f"next: ./theseus build-crate {target}")
    return EXIT_OK


def _umask():
    mask = os.umask(0)
    os.umask(mask)
    return mask


def _fail(message, status=EXIT_USAGE):
    sys.stderr.write(f"{PROG}: new: {message}\n")
    return status
