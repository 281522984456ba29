"""Checks across the whole crate set: names, alternatives, link closure.

Rules (docs/archive-format.md, "Across the set"): crate names are unique;
every undefined symbol of every crate is exported by the nano-core or by
exactly one non-ALTERNATIVE crate; a symbol is exported by at most one crate
unless all its exporters belong to one alternative family (a crate plus the
crates declared alternatives of it); no crate exports what the nano-core
exports; every import has the type signature its providers define (all
of them: an alternative may be swapped in for the default); a crate's
declared needs (CRATE(..., needs)) are exactly the crates it imports from,
so the metadata cannot drift from the code.
"""

from dataclasses import dataclass, field

from . import attest
from .elfcheck import shown
from .errors import InputError

NANO_CORE = "nano_core"


def family(crate):
    """The crate an alternative stands in for; a plain crate is its own family."""
    return crate.info.alternative_of or crate.name


@dataclass
class Resolution:
    problems: list = field(default_factory=list)
    # crate name -> {imported symbol: provider crate name or NANO_CORE}
    providers: dict = field(default_factory=dict)


def _describe(crate):
    return f"'{crate.name}' ({crate.file})"


def _signature_problem(crate, symbol, provider_name, provider_signatures):
    """The reason crate's import of symbol does not match its provider, or None."""
    if crate.signatures is None or provider_signatures is None:
        return None  # an unchecked crate (refused elsewhere), or no record
    ref = crate.signatures.refs.get(symbol)
    if ref is None:
        if symbol in attest.COMPILER_RUNTIME:
            return None
        return "the importer has no type signature for it"
    definition = provider_signatures.defs.get(symbol)
    if definition is None:
        return f"{provider_name} has no type signature for it"
    return attest.mismatch(ref, definition)


def resolve(crates, kernel_exports, kernel_signatures=None):
    """Check the set and resolve every import; problems are InputErrors.
    kernel_signatures: the nano-core's record (None: not compared)."""
    result = Resolution()
    problems = result.problems
    by_name = {}
    for crate in crates:
        if crate.name == NANO_CORE:
            problems.append(InputError(
                crate.file, f"crate name '{NANO_CORE}' is reserved for the nano-core"))
        if crate.name in by_name:
            problems.append(InputError(
                crate.file, f"duplicate crate name '{crate.name}' (also in "
                            f"{by_name[crate.name].file})"))
        else:
            by_name[crate.name] = crate

    for crate in crates:
        target = crate.info.alternative_of
        if target:
            original = by_name.get(target)
            if original is None:
                problems.append(InputError(
                    crate.file, f"crate '{crate.name}' is declared an "
                                f"alternative of '{target}', which is not in the set"))
            elif original.info.alternative_of:
                problems.append(InputError(
                    crate.file, f"crate '{crate.name}' is declared an "
                                f"alternative of '{target}', which is itself an "
                                f"alternative of '{original.info.alternative_of}'"))
        for needed in crate.info.needs:
            if needed not in by_name:
                problems.append(InputError(
                    crate.file, f"crate '{crate.name}' needs crate '{needed}', "
                                f"which is not in the set"))

    exporters = {}
    for crate in crates:
        for symbol in crate.exports:
            if symbol in kernel_exports:
                problems.append(InputError(
                    crate.file, f"symbol '{shown(symbol)}' is exported both by crate "
                                f"'{crate.name}' and by the nano-core"))
                continue
            earlier = exporters.setdefault(symbol, [])
            clash = next((other for other in earlier
                          if family(other) != family(crate)), None)
            if clash is not None:
                problems.append(InputError(
                    crate.file, f"symbol '{shown(symbol)}' is exported by both "
                                f"{_describe(clash)} and {_describe(crate)}, "
                                f"which are not alternatives of one crate"))
            earlier.append(crate)

    for crate in crates:
        providers = result.providers.setdefault(crate.name, {})
        for symbol in crate.imports:
            if symbol in kernel_exports:
                providers[symbol] = NANO_CORE
                why = _signature_problem(crate, symbol, "the nano-core", kernel_signatures)
                if why:
                    problems.append(InputError(crate.file, (
                        f"crate '{crate.name}' imports '{shown(symbol)}' from the nano-core "
                        f"with another type: {why}")))
                continue
            candidates = exporters.get(symbol, [])
            for candidate in candidates:
                why = _signature_problem(crate, symbol, f"crate '{candidate.name}'",
                                         candidate.signatures)
                if why:
                    problems.append(InputError(crate.file, (
                        f"crate '{crate.name}' imports '{shown(symbol)}' from crate "
                        f"'{candidate.name}' with another type: {why}")))
            defaults = [c for c in candidates if not c.info.alternative_of]
            if defaults:
                providers[symbol] = defaults[0].name
                continue
            providers[symbol] = None
            if candidates:
                names = ", ".join(f"'{c.name}'" for c in candidates)
                problem = (f"undefined symbol '{shown(symbol)}' of crate '{crate.name}' "
                           f"is exported only by alternative crates ({names}), "
                           f"which are never loaded to satisfy an import")
            else:
                problem = (f"undefined symbol '{shown(symbol)}' of crate '{crate.name}' "
                           f"is exported by no crate and not by the nano-core")
                hiders = [c.name for c in crates if symbol in c.hidden_globals]
                if hiders:
                    problem += (f" (crate '{hiders[0]}' defines it without "
                                f"CRATE_EXPORT)")
            problems.append(InputError(crate.file, problem))
        _check_needs(crate, providers, problems)
    return result


def _check_needs(crate, providers, problems):
    """The declared needs must be the crates the imports resolve to."""
    if None in providers.values():
        return  # an unresolved import is reported already
    imported = {p for p in providers.values() if p not in (NANO_CORE, crate.name)}
    declared = set(crate.info.needs)
    if imported == declared:
        return
    missing, extra = sorted(imported - declared), sorted(declared - imported)
    parts = []
    if missing:
        parts.append("add " + ", ".join(f"'{n}'" for n in missing))
    if extra:
        parts.append("drop " + ", ".join(f"'{n}'" for n in extra))
    problems.append(InputError(
        crate.file, f"crate '{crate.name}' declares needs '{','.join(sorted(declared))}' but imports "
                    f"from '{','.join(sorted(imported))}': {' and '.join(parts)} in the needs of its CRATE(...) line"))
