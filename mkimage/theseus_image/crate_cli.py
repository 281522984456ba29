"""crate_tool.py's command line (see that file for the commands)."""

import argparse
import os
import sys

from . import crate_folder, crate_pipeline

PROG = "theseus"
EXIT_OK, EXIT_PROBLEM, EXIT_USAGE = 0, 1, 2


class _Parser(argparse.ArgumentParser):
    # One line: what is wrong, and the usage as the user types it.
    def error(self, message):
        sys.stderr.write(f"{PROG}: {message} (usage: {self.format_usage().strip()[7:]})\n")
        sys.exit(EXIT_USAGE)


def fail(message, status=EXIT_USAGE):
    sys.stderr.write(f"{PROG}: {message}\n")
    return status


def cmd_folders(args):
    try:
        text = crate_folder.listing(crate_folder.discover(args.crates_dir, args.shown))
    except crate_folder.FolderError as error:
        return fail(str(error))
    except OSError as error:
        return fail(f"{args.crates_dir}: {error.strerror}")
    if args.check is None:
        sys.stdout.write(text)
        return EXIT_OK
    try:
        with open(args.check) as configured:
            return EXIT_OK if configured.read() == text else EXIT_PROBLEM
    except OSError:
        return EXIT_PROBLEM  # never configured: configure


def cmd_describe(args):
    try:
        description = crate_pipeline.parse_describe_args(args.sections)
    except crate_pipeline.DescriptionError as error:
        return fail(str(error))
    crate_pipeline.write(description, args.output)
    return EXIT_OK


def cmd_finish(args):
    try:
        description = crate_pipeline.read(args.description)
        crate_pipeline.finish(description, args.crate, args.inputs, args.output)
    except crate_pipeline.DescriptionError as error:
        return fail(str(error))
    except crate_pipeline.StepFailed as failure:
        sys.stderr.write(failure.output)
        return fail(f"{args.output}: {failure} ({' '.join(failure.argv)})", EXIT_PROBLEM)
    except crate_pipeline.RecordMissing as missing:
        return fail(f"{args.output}: {missing}; fix: add CRATE(\"{args.crate}\", ...) to one of "
                    f"its sources", EXIT_PROBLEM)
    except crate_pipeline.RecordMismatch as mismatch:
        folder = (f"crates/{args.crate}" if args.crate in description["crates"]
                  else f"crate {args.crate}")
        return fail(f"{folder}: {mismatch}, but its folder is {args.crate}/; fix: make the "
                    f"first field of CRATE(...) \"{args.crate}\"", EXIT_PROBLEM)
    return EXIT_OK


def cmd_new(args):
    from . import crate_new
    return crate_new.run(args)


def cmd_build(args):
    from . import crate_build
    return crate_build.run(args)


def main(argv):
    parser = _Parser(prog=PROG, description="the crate pipeline's commands")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    commands.required = True

    p = commands.add_parser("folders")
    p.add_argument("crates_dir")
    p.add_argument("--check", metavar="LISTING")
    p.add_argument("--shown", default="crates", help="how messages name CRATES_DIR")
    p.set_defaults(run=cmd_folders)

    p = commands.add_parser("describe")
    p.add_argument("output")
    p.add_argument("sections", nargs=argparse.REMAINDER)
    p.set_defaults(run=cmd_describe)

    p = commands.add_parser("finish")
    p.add_argument("--description", required=True)
    p.add_argument("--crate", required=True)
    p.add_argument("-o", dest="output", required=True)
    p.add_argument("inputs", nargs="+")
    p.set_defaults(run=cmd_finish)

    # new and build-crate are what `./theseus new` and `./theseus
    # build-crate` run: their usage is the front door's.
    p = commands.add_parser("new", usage="./theseus new CRATE [--dir PATH]")
    p.add_argument("name")
    p.add_argument("--description", required=True)
    p.add_argument("--dir", metavar="PATH")
    p.set_defaults(run=cmd_new)

    p = commands.add_parser(
        "build-crate",
        usage="./theseus build-crate PATH [--out DIR] [--test | --bench] [--verbose]")
    p.add_argument("folder")
    p.add_argument("--description", required=True)
    p.add_argument("--out", metavar="DIR")
    what = p.add_mutually_exclusive_group()
    what.add_argument("--test", action="store_true")
    what.add_argument("--bench", action="store_true")
    p.add_argument("--verbose", action="store_true")
    p.set_defaults(run=cmd_build)

    for name, sub in commands.choices.items():
        sub.set_defaults(parser=sub)
    # Unknown arguments are the subcommand's to report, with its usage.
    args, unknown = parser.parse_known_args(argv)
    if unknown:
        args.parser.error(f"unrecognized arguments: {' '.join(unknown)}")
    return args.run(args)
