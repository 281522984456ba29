#!/usr/bin/python3
"""mkimage: pack Theseus crate objects into the crate archive and boot image.

Usage: mkimage.py {build,list,verify,extract,graph} ...  (docs/mkimage.md)
"""

import os
import sys

# mkimage runs from the source tree: keep compiled bytecode out of it, in
# the user's cache directory (compiling the package costs ~80 ms a run).
if sys.pycache_prefix is None:
    sys.pycache_prefix = os.path.join(
        os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache"),
        "theseus-mkimage")
sys.path.insert(0, os.path.dirname(os.path.realpath(__file__)))

from theseus_image.cli import main  # noqa: E402

if __name__ == "__main__":
    sys.exit(main())
