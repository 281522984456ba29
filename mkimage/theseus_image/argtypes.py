"""argparse types for the command lines of the tools: a bad number is a
usage error that names the option's value, never a traceback or a run
with a meaningless setting (0 jobs, -5 iterations, a negative timeout)."""

import argparse
import math


def positive_int(text):
    """An integer of at least 1 (counts: iterations, boots, jobs)."""
    try:
        value = int(text, 10)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"invalid count '{text}' (a whole number, 1 or more)")
    return value


def non_negative_int(text):
    """An integer of at least 0 (a seed, a number of random picks)."""
    try:
        value = int(text, 10)
    except ValueError:
        value = -1
    if value < 0:
        raise argparse.ArgumentTypeError(f"invalid number '{text}' (a whole number, 0 or more)")
    return value


def seconds(text):
    """A time limit: finite and more than 0."""
    try:
        value = float(text)
    except ValueError:
        value = -1.0
    if not (0 < value and math.isfinite(value)):
        raise argparse.ArgumentTypeError(f"invalid timeout '{text}' (seconds, more than 0)")
    return value
