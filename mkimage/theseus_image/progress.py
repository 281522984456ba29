"""What a long command is doing, as it goes: the current item, how many of
the total are done, and the time left (from the pace so far). On a
terminal, one bar line redrawn in place; otherwise one plain line per
item, so that a log shows the same story:

    bench: [ 7/31] crate_load.shell (about 1 min 20 s left)

Used by `./theseus bench` and `./theseus faults`.
"""

import shutil
import sys
import time


def duration(seconds):
    seconds = int(round(seconds))
    if seconds < 60:
        return f"{seconds} s"
    minutes, seconds = divmod(seconds, 60)
    if minutes < 60:
        return f"{minutes} min {seconds} s" if seconds else f"{minutes} min"
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes} min"


class Progress:
    """Progress of `total` items under `label`. `step(item)` says an item
    is starting (the one before it is done); `finish()` ends the display.
    `total` may grow (`add`): a benchmark boot learns its count late."""

    def __init__(self, label, total, stream=None, bar=None, clock=time.monotonic):
        self.label = label
        self.total = total
        self.done = 0
        self.current = None
        self.stream = stream or sys.stderr
        self.bar = self.stream.isatty() if bar is None else bar
        self.clock = clock
        self.started = clock()
        self.drawn = False

    def add(self, count):
        self.total += count
        self.draw()

    def step(self, item):
        """`item` starts; the previous one, if any, is done."""
        if self.current is not None:
            self.done += 1
        self.current = item
        self.draw()

    def left(self):
        """Seconds left by the pace so far, or None before any item is done."""
        if self.done == 0 or self.total <= self.done:
            return None
        return (self.clock() - self.started) / self.done * (self.total - self.done)

    def text(self):
        width = len(str(self.total))
        left = self.left()
        tail = f" (about {duration(left)} left)" if left is not None else ""
        return f"[{min(self.done + 1, self.total):>{width}}/{self.total}] {self.current}{tail}"

    def draw(self):
        if self.current is None:
            return
        if not self.bar:
            self.stream.write(f"{self.label}: {self.text()}\n")
            self.stream.flush()
            return
        columns = shutil.get_terminal_size((80, 24)).columns
        filled = int(20 * self.done / self.total) if self.total else 0
        line = f"{self.label} [{'#' * filled}{'.' * (20 - filled)}] {self.text()}"
        self.stream.write("\r" + line[:columns - 1].ljust(columns - 1))
        self.stream.flush()
        self.drawn = True

    def finish(self):
        """All done: the bar's line is cleared (plain lines need nothing)."""
        if self.current is not None:
            self.done += 1
            self.current = None
        if self.bar and self.drawn:
            columns = shutil.get_terminal_size((80, 24)).columns
            self.stream.write("\r" + " " * (columns - 1) + "\r")
            self.stream.flush()
            self.drawn = False
