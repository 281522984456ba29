"""The KBENCH line protocol, as both guests speak it (benchmarks/README.md).

    KBENCH BEGIN <count>                      (Linux: KBENCH BEGIN linux iters=<n>)
    KBENCH INFO <key>=<value>                 a fact about the run (tsc_hz, ...)
    KBENCH CRATE <crate> <count>              a crate's own benchmarks follow
    KBENCH RUN <benchmark>
    KBENCH RESULT name=<figure> unit=cycles median=<x> min=<x> max=<x> n=<k> batch=<b> [key=value ...]
    KBENCH SKIP <figure> <reason>             no number, and why
    KBENCH FAIL <benchmark> <reason>
    KBENCH DONE <benchmark>
    KBENCH LIST <benchmark> [manual]
    KBENCH END ...
"""

import re

LINE = re.compile(r"^KBENCH (BEGIN|INFO|CRATE|RUN|RESULT|SKIP|FAIL|DONE|LIST|END|LINUX)\b ?(.*)$")
NUMBER = re.compile(r"^-?\d+(\.\d+)?$")
REQUIRED = ("name", "unit", "median", "min", "max", "n")


class Malformed(ValueError):
    pass


def parse_result(rest):
    """The fields of a RESULT line as a dict; numbers as int/float.
    Raises Malformed when a required field is missing or not a number."""
    fields = {}
    for word in rest.split():
        key, sep, value = word.partition("=")
        if not sep or not key:
            raise Malformed(f"not key=value: {word!r}")
        if NUMBER.match(value):
            value = float(value) if "." in value else int(value)
        fields[key] = value
    missing = [k for k in REQUIRED if k not in fields]
    if missing:
        raise Malformed(f"missing {', '.join(missing)}")
    for k in ("median", "min", "max", "n"):
        if not isinstance(fields[k], (int, float)):
            raise Malformed(f"{k} is not a number")
    if not fields["min"] <= fields["median"] <= fields["max"]:
        raise Malformed("median outside min..max")
    return fields


def events(output):
    """(kind, payload) for every KBENCH line of a console log, in order.
    RESULT payloads are dicts; a bad RESULT line gives ('MALFORMED', text)."""
    out = []
    for raw in output.splitlines():
        m = LINE.match(raw.strip())
        if not m:
            continue
        kind, rest = m.group(1), m.group(2).strip()
        if kind == "RESULT":
            try:
                out.append(("RESULT", parse_result(rest)))
            except Malformed as e:
                out.append(("MALFORMED", f"{rest} ({e})"))
        else:
            out.append((kind, rest))
    return out


def split_name(rest):
    """'name reason words' -> (name, reason)."""
    name, _, reason = rest.partition(" ")
    return name, reason.strip()
