"""Read a tutorial's transcript out of its Markdown, to replay it.

The page's fenced blocks say what to do (docs/writing-a-crate.md, "Reading
the transcripts"):

  ```console     `$ CMD` runs CMD in a shell, `theseus> LINE` types LINE at
                 the console of the system `$ ./theseus run` started; the
                 lines under either are expected output, in order, with
                 `...` matching anything
  ```c file=P    write the block to $WORK/P
  ```c append=P  add the block at the end of $WORK/P
  ```c check=P   $WORK/P must hold exactly the block
  anything else  prose: not replayed
"""

import re
from dataclasses import dataclass, field

FENCE = re.compile(r"^```(.*)$")
RUN_SYSTEM = "./theseus run"


@dataclass
class Step:
    kind: str            # "shell", "start", "console", "write", "append", "check"
    text: str            # the command, the console line, or the file's path
    expected: list = field(default_factory=list)   # output lines, or the file's lines
    line: int = 0        # where in the page


def parse(markdown):
    """The steps of the page, in order."""
    steps = []
    block, info, start = None, None, 0
    for number, raw in enumerate(markdown.splitlines(), 1):
        fence = FENCE.match(raw)
        if fence and block is None:
            block, info, start = [], fence.group(1).strip(), number
            continue
        if fence and block is not None and not fence.group(1).strip():
            steps += _steps_of(info, block, start)
            block = None
            continue
        if block is not None:
            block.append(raw)
    if block is not None:
        raise ValueError(f"line {start}: a code block is never closed")
    return steps


def _steps_of(info, lines, start):
    words = info.split()
    language = words[0] if words else ""
    options = dict(word.split("=", 1) for word in words[1:] if "=" in word)
    if language == "console":
        return _console_steps(lines, start)
    if "file" in options:
        return [Step("write", options["file"], lines, start)]
    if "append" in options:
        return [Step("append", options["append"], lines, start)]
    if "check" in options:
        return [Step("check", options["check"], lines, start)]
    return []


def _console_steps(lines, start):
    steps = []
    for offset, line in enumerate(lines, 1):
        typed = line[len("theseus> "):].strip() if line.startswith("theseus> ") else ""
        if line.startswith("$ "):
            command = line[2:].strip()
            steps.append(Step("start" if command == RUN_SYSTEM else "shell", command, [],
                              start + offset))
        elif typed:
            steps.append(Step("console", typed, [], start + offset))
        elif steps:
            steps[-1].expected.append(line)  # a bare prompt is output too
        elif line.strip():
            raise ValueError(f"line {start + offset}: output before any command: {line!r}")
    return steps


def pattern(expected):
    """The regular expression an output line must match in full."""
    parts = [re.escape(part) for part in expected.rstrip().split("...")]
    return re.compile(".*?".join(parts) + r"\Z")


def unmatched(expected, output):
    """The first expected line that does not appear, in order, in output (a
    list of lines); None when all do."""
    lines = [line.rstrip() for line in output]
    at = 0
    for want in expected:
        regex = pattern(want)
        while at < len(lines) and not regex.match(lines[at]):
            at += 1
        if at == len(lines):
            return want
        at += 1
    return None
