#!/usr/bin/python3
"""crate_tool: the crate pipeline's commands (docs/writing-a-crate.md).

  crate_tool.py folders CRATES_DIR [--check LISTING]
      print the crate folders under CRATES_DIR, one `NAME SOURCE...` line
      each (meson's discovery); with --check, exit 0 when LISTING (what the
      build was configured with) still matches, 1 when it does not
  crate_tool.py describe OUTPUT ::SECTION VALUE...
      write the crate build description (crates/meson.build calls it)
  crate_tool.py finish --description JSON --crate NAME -o OUT INPUT...
      merge INPUTs into OUT and run the description's steps on it
  crate_tool.py new NAME --description JSON [--dir PATH]
      write a crate skeleton: PATH/NAME/ (default: the tree's crates/)
  crate_tool.py build-crate PATH --description JSON [--out DIR] [--test | --bench]
      build the crate folder PATH out of tree into DIR/NAME.o
      (default DIR: PATH/build)

Errors are one line each, `theseus: ...` or `FILE[:LINE:COL]: error: ...`;
exit status 0 done, 1 the crate has a problem (or its tests failed),
2 bad usage or input.
"""

import os
import sys

# As mkimage.py: compiled bytecode goes to the user's cache, not the tree.
if sys.pycache_prefix is None:
    sys.pycache_prefix = os.path.join(
        os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache"),
        "theseus-mkimage")
sys.path.insert(0, os.path.dirname(os.path.realpath(__file__)))

from theseus_image.crate_cli import main  # noqa: E402

if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
