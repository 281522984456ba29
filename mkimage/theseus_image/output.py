"""Output files that appear whole or not at all."""

import os
import tempfile

from .errors import EnvironmentFailure


class PendingFile:
    """A temporary file beside `path`, renamed over it by commit().

    The temporary lives in the destination directory so that the rename is
    atomic; until commit() nothing exists under `path`.
    """

    def __init__(self, path):
        self.path = path
        directory = os.path.dirname(os.path.abspath(path))
        try:
            handle, self.temp = tempfile.mkstemp(
                dir=directory, prefix=f".{os.path.basename(path)}.", suffix=".tmp")
        except OSError as error:
            raise EnvironmentFailure(f"{path}: cannot create: {error.strerror}") from None
        os.close(handle)

    def write(self, data):
        try:
            with open(self.temp, "wb") as output:
                output.write(data)
        except OSError as error:
            raise EnvironmentFailure(f"{self.path}: cannot write: {error.strerror}") from None

    def commit(self):
        try:
            with open(self.temp, "rb+") as written:
                os.fsync(written.fileno())
            # mkstemp makes the file 0600; give it the mode a plain open would.
            umask = os.umask(0)
            os.umask(umask)
            os.chmod(self.temp, 0o666 & ~umask)
            os.replace(self.temp, self.path)
            directory = os.open(os.path.dirname(os.path.abspath(self.path)), os.O_RDONLY)
            try:
                os.fsync(directory)
            finally:
                os.close(directory)
        except OSError as error:
            self.discard()
            raise EnvironmentFailure(f"{self.path}: cannot write: {error.strerror}") from None

    def discard(self):
        try:
            os.unlink(self.temp)
        except FileNotFoundError:
            pass


def write_file(path, data):
    pending = PendingFile(path)
    try:
        pending.write(data)
        pending.commit()
    except BaseException:
        pending.discard()
        raise
