"""Checks across the crate set: unique names, link closure, duplicate
exports, declared alternatives (docs/archive-format.md "Across the set")."""

from harness import mkimage
from expect import assert_rejected, error

LOGGER_SOURCE = (
    '#include <theseus/crate.h>\n'
    'CRATE("logger", "1.0.0", "a second, undeclared log", "", "", "");\n'
    'CRATE_EXPORT void log_write(const char *text) { (void)text; }\n')


def test_unresolved_import(tmp_path, nano_core, toolchain, good_crates):
    user = toolchain.crate("user", source=(
        '#include <theseus/crate.h>\n'
        'CRATE("user", "1.0.0", "calls something nobody has", "", "", "");\n'
        'void missing_function(void);\n'
        'CRATE_EXPORT void user_main(void) { missing_function(); }\n'))
    assert_rejected(tmp_path, nano_core, [good_crates["log"], user], error(
        user, "undefined symbol 'missing_function' of crate 'user' is "
              "exported by no crate and not by the nano-core"))


def test_import_of_unexported_symbol_names_the_definer(tmp_path, nano_core, toolchain):
    keeper = toolchain.crate("keeper", source=(
        '#include <theseus/crate.h>\n'
        'CRATE("keeper", "1.0.0", "forgets to export", "", "", "");\n'
        'int keeper_secret(void) { return 42; }\n'))
    caller = toolchain.crate("caller", source=(
        '#include <theseus/crate.h>\n'
        'CRATE("caller", "1.0.0", "wants the secret", "", "", "");\n'
        'int keeper_secret(void);\n'
        'CRATE_EXPORT int caller_main(void) { return keeper_secret(); }\n'))
    assert_rejected(tmp_path, nano_core, [keeper, caller], error(
        caller, "undefined symbol 'keeper_secret' of crate 'caller' is "
                "exported by no crate and not by the nano-core (crate "
                "'keeper' defines it without CRATE_EXPORT)"))


def test_provider_missing_from_set(tmp_path, nano_core, good_crates):
    hello = good_crates["hello"]
    assert_rejected(tmp_path, nano_core, [hello],
                    error(hello, "crate 'hello' needs crate 'log', which is not in the set"),
                    error(hello, "undefined symbol 'log_write' of crate 'hello' is "
                                 "exported by no crate and not by the nano-core"))


def test_duplicate_export(tmp_path, nano_core, toolchain, good_crates):
    log = good_crates["log"]
    logger = toolchain.crate("logger", source=LOGGER_SOURCE)
    assert_rejected(tmp_path, nano_core, [log, logger], error(
        logger, f"symbol 'log_write' is exported by both 'log' ({log}) and "
                f"'logger' ({logger}), which are not alternatives of one crate"))


def test_export_clashing_with_nano_core(tmp_path, nano_core, toolchain):
    mine = toolchain.crate("mylib", source=(
        '#include <theseus/crate.h>\n'
        'CRATE("mylib", "1.0.0", "brings its own memcpy", "", "", "");\n'
        'CRATE_EXPORT void *memcpy(void *d, const void *s, unsigned long n)\n'
        '{ (void)s; (void)n; return d; }\n'))
    assert_rejected(tmp_path, nano_core, [mine], error(
        mine, "symbol 'memcpy' is exported both by crate 'mylib' and by the nano-core"))


def test_duplicate_crate_name(tmp_path, nano_core, toolchain, good_crates):
    log = good_crates["log"]
    again = toolchain.crate("log_again", source=(
        '#include <theseus/crate.h>\n'
        'CRATE("log", "9.9.9", "same name, other file", "", "", "");\n'))
    assert_rejected(tmp_path, nano_core, [log, again],
                    error(again, f"duplicate crate name 'log' (also in {log})"))


def test_same_object_twice(tmp_path, nano_core, good_crates):
    log = good_crates["log"]
    assert_rejected(tmp_path, nano_core, [log, log],
                    error(log, f"duplicate crate name 'log' (also in {log})"))


def test_reserved_crate_name(tmp_path, nano_core, toolchain):
    impostor = toolchain.crate("impostor", source=(
        '#include <theseus/crate.h>\n'
        'CRATE("nano_core", "1.0.0", "takes the reserved name", "", "", "");\n'))
    assert_rejected(tmp_path, nano_core, [impostor], error(
        impostor, "crate name 'nano_core' is reserved for the nano-core"))


def test_declared_alternatives_may_share_exports(tmp_path, nano_core, good_crates):
    output = tmp_path / "crates.archive"
    result = mkimage("build", "-o", output, "--nano-core", nano_core,
                     good_crates["log"], good_crates["log_v2"], good_crates["hello"])
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    listing = mkimage("list", output)
    assert listing.returncode == 0
    assert listing.stdout.splitlines()[1].startswith(
        "log_v2 2.0.0 [alternative of log]: ")


def test_alternative_without_its_original(tmp_path, nano_core, good_crates):
    log_v2, hello = good_crates["log_v2"], good_crates["hello"]
    assert_rejected(tmp_path, nano_core, [log_v2, hello],
                    error(log_v2, "crate 'log_v2' is declared an alternative of "
                                  "'log', which is not in the set"),
                    error(hello, "crate 'hello' needs crate 'log', which is not in the set"),
                    error(hello, "undefined symbol 'log_write' of crate 'hello' is "
                                 "exported only by alternative crates ('log_v2'), "
                                 "which are never loaded to satisfy an import"))


def test_alternative_of_an_alternative(tmp_path, nano_core, toolchain, good_crates):
    log_v3 = toolchain.crate("log_v3", source=(
        '#include <theseus/crate.h>\n'
        'CRATE("log_v3", "3.0.0", "chained alternative", "", "log_v2", "");\n'))
    assert_rejected(tmp_path, nano_core,
                    [good_crates["log"], good_crates["log_v2"], log_v3],
                    error(log_v3, "crate 'log_v3' is declared an alternative of "
                                  "'log_v2', which is itself an alternative of 'log'"))


def test_undeclared_alternative_clashes(tmp_path, nano_core, toolchain, good_crates):
    # Same exports as log, but not declared an alternative of it.
    log, logger = good_crates["log"], toolchain.crate("logger", source=LOGGER_SOURCE)
    log_v2 = good_crates["log_v2"]
    assert_rejected(tmp_path, nano_core, [log, log_v2, logger], error(
        logger, f"symbol 'log_write' is exported by both 'log' ({log}) and "
                f"'logger' ({logger}), which are not alternatives of one crate"))


def test_declared_needs_must_be_the_crates_it_imports_from(tmp_path, nano_core, toolchain, good_crates):
    log = good_crates["log"]
    quiet = toolchain.crate("quiet", source=(
        '#include <theseus/crate.h>\n'
        'CRATE("quiet", "1.0.0", "logs, but says it needs nothing", "", "", "");\n'
        'void log_write(const char *text);\n'
        'CRATE_EXPORT void quiet_main(void) { log_write("hi"); }\n'))
    assert_rejected(tmp_path, nano_core, [log, quiet], error(
        quiet, "crate 'quiet' declares needs '' but imports from 'log': add 'log' in the needs of its "
               "CRATE(...) line"))
    loud = toolchain.crate("loud", source=(
        '#include <theseus/crate.h>\n'
        'CRATE("loud", "1.0.0", "needs what it does not use", "", "", "log");\n'
        'CRATE_EXPORT void loud_main(void) { }\n'))
    assert_rejected(tmp_path, nano_core, [log, loud], error(
        loud, "crate 'loud' declares needs 'log' but imports from '': drop 'log' in the needs of its "
              "CRATE(...) line"))
