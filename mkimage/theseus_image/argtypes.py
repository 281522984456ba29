"""argparse types for the command lines of the tools: a bad number is a
usage error that names the option's value, never a traceback or a run
with a meaningless setting (0 jobs, -5 iterations, a negative timeout)."""

import argparse
import math


def _whole_number(text, least, refusal):
    """int(text) when it is a decimal whole number of at least `least`,
    else a usage error saying `refusal`."""
    try:
        value = int(text, 10)
    except ValueError:
        value = least - 1
    if value < least:
        raise argparse.ArgumentTypeError(refusal)
    return value


def positive_int(text):
    """An integer of at least 1 (counts: iterations, boots, jobs)."""
    return _whole_number(text, 1, f"invalid count '{text}' (a whole number, 1 or more)")


def non_negative_int(text):
    """An integer of at least 0 (a seed, a number of random picks)."""
    return _whole_number(text, 0, f"invalid number '{text}' (a whole number, 0 or more)")


def byte_count(text):
    """A size in bytes, 0 or more."""
    return _whole_number(text, 0, f"invalid byte count '{text}'")


def seconds(text):
    """A time limit: finite and more than 0."""
    try:
        value = float(text)
    except ValueError:
        value = -1.0
    if not (0 < value and math.isfinite(value)):
        raise argparse.ArgumentTypeError(f"invalid timeout '{text}' (seconds, more than 0)")
    return value
