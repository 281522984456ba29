"""Child processes that do not outlive us.

QEMU runs in a session of its own, so one kill reaches all of it and the
terminal's signals do not; the price is that nothing ends it when its
parent dies. A test runner killed at its timeout would leave its guests
running for ever, each one a core's worth of TCG."""

import ctypes
import os
import signal

PR_SET_PDEATHSIG = 1  # <linux/prctl.h>


def die_with_parent():
    """A preexec_fn for subprocess.Popen: the child gets SIGKILL when the
    thread that started it ends."""
    parent = os.getpid()

    def arm():
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
        if os.getppid() != parent:  # the parent ended before prctl took
            os.kill(os.getpid(), signal.SIGKILL)
    return arm
