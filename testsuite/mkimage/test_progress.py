"""The progress display of long commands (theseus_image/progress.py): the
item, done of total, the time left at the pace so far; plain lines when
not on a terminal, one bar line redrawn in place on one."""

import io
import os
import sys

from harness import REPO

sys.path.insert(0, os.path.join(REPO, "mkimage"))
from theseus_image.progress import Progress, duration  # noqa: E402


class Clock:
    def __init__(self):
        self.now = 100.0

    def __call__(self):
        return self.now


def test_plain_lines_say_the_item_the_count_and_the_time_left():
    out, clock = io.StringIO(), Clock()
    p = Progress("bench", 4, stream=out, bar=False, clock=clock)
    p.step("boot 1")
    clock.now += 10
    p.step("boot 2")
    clock.now += 10
    p.step("push shell")
    p.finish()
    assert out.getvalue().splitlines() == [
        "bench: [1/4] boot 1",                       # nothing done yet: no estimate
        "bench: [2/4] boot 2 (about 30 s left)",     # 10 s for one, three to go
        "bench: [3/4] push shell (about 20 s left)",
    ]


def test_a_total_learnt_late_is_added():
    out = io.StringIO()
    p = Progress("bench", 0, stream=out, bar=False, clock=Clock())
    p.add(2)
    p.step("crate_load")
    assert out.getvalue() == "bench: [1/2] crate_load\n"


def test_on_a_terminal_one_line_is_redrawn_and_cleared():
    out, clock = io.StringIO(), Clock()
    p = Progress("bench", 2, stream=out, bar=True, clock=clock)
    p.step("a")
    clock.now += 60
    p.step("b")
    p.finish()
    text = out.getvalue()
    assert "\n" not in text and text.count("\r") == 4  # two draws, then a clear: "\r   \r"
    assert "[##########..........] [2/2] b (about 1 min left)" in text
    assert text.endswith("\r")


def test_durations_read_as_a_person_says_them():
    assert [duration(s) for s in (4.4, 59.6, 60, 95, 3600 + 120)] == \
        ["4 s", "1 min", "1 min", "1 min 35 s", "1 h 2 min"]
