#!/usr/bin/python3
"""boot: start the nano-core and its crate archive under QEMU.

Usage: boot.py run --kernel nano_core.elf [--initrd crates.archive] ...
       boot.py accel --kernel nano_core.elf [--accel auto|kvm|tcg] [--shell]

`run` is what `./theseus run` does; `accel` decides the accelerator every
boot of a command uses (theseus_image/accel.py). The QEMU options live in
theseus_image/launch.py, which the test suites and benchmarks import.
"""

import os
import sys

# As mkimage.py: compiled bytecode goes to the user's cache, not the tree.
if sys.pycache_prefix is None:
    sys.pycache_prefix = os.path.join(
        os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache"),
        "theseus-mkimage")
sys.path.insert(0, os.path.dirname(os.path.realpath(__file__)))

from theseus_image.launch import main  # noqa: E402

if __name__ == "__main__":
    sys.exit(main())
