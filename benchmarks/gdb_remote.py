"""A minimal client of GDB's remote serial protocol, enough to stop a QEMU
guest, read and write its memory and registers, and let it run again:
how the fault campaign flips bits from outside the guest, so that a fault
does not depend on the kernel's cooperation."""

import socket
import time

# QEMU's x86-64 register order for 'p'/'P' (gdb's amd64 target description).
REGISTERS = ["rax", "rbx", "rcx", "rdx", "rsi", "rdi", "rbp", "rsp",
             "r8", "r9", "r10", "r11", "r12", "r13", "r14", "r15", "rip"]


class RemoteError(Exception):
    pass


def _checksum(data):
    return sum(data) & 0xFF


class Remote:
    def __init__(self, host, port, timeout=10):
        deadline = time.monotonic() + timeout
        while True:
            try:
                self.sock = socket.create_connection((host, port), timeout=timeout)
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise RemoteError(f"no gdbstub at {host}:{port}")
                time.sleep(0.05)
        self.sock.settimeout(timeout)
        self.described = False  # has the target description been read?
        self.buffer = b""

    def _read(self, n=4096):
        chunk = self.sock.recv(n)
        if not chunk:
            raise RemoteError("the gdbstub closed the connection")
        self.buffer += chunk

    def _packet(self):
        """The next $...#xx packet (acknowledged)."""
        while True:
            start = self.buffer.find(b"$")
            end = self.buffer.find(b"#", start + 1) if start >= 0 else -1
            if start >= 0 and end >= 0 and len(self.buffer) >= end + 3:
                body = self.buffer[start + 1:end]
                self.buffer = self.buffer[end + 3:]
                self.sock.sendall(b"+")
                return body
            self._read()

    def command(self, text, reply=True):
        data = text.encode()
        self.sock.sendall(b"$" + data + b"#%02x" % _checksum(data))
        while True:  # the acknowledgement
            if self.buffer[:1] == b"+":
                self.buffer = self.buffer[1:]
                break
            if self.buffer[:1] == b"-":
                raise RemoteError(f"the gdbstub refused {text!r}")
            self._read()
        return self._packet().decode() if reply else None

    def stop(self):
        """Halt the guest (a ^C), waiting for the stop reply."""
        self.sock.sendall(b"\x03")
        return self._packet().decode()

    def read(self, address, length):
        out = self.command(f"m{address:x},{length:x}")
        if out.startswith("E"):
            raise RemoteError(f"cannot read {length} bytes at {address:#x}: {out}")
        return bytes.fromhex(out)

    def write(self, address, data):
        out = self.command(f"M{address:x},{len(data):x}:{data.hex()}")
        if out != "OK":
            raise RemoteError(f"cannot write {len(data)} bytes at {address:#x}: {out}")

    def register(self, name):
        out = self.command(f"p{REGISTERS.index(name):x}")
        return int.from_bytes(bytes.fromhex(out), "little")

    def set_register(self, name, value):
        if not self.described:
            # QEMU's stub takes 'P' only from a client that has read the
            # target description (it answers '' before).
            self.command("qXfer:features:read:target.xml:0,ffb")
            self.described = True
        out = self.command(f"P{REGISTERS.index(name):x}={value.to_bytes(8, 'little').hex()}")
        if out != "OK":
            raise RemoteError(f"cannot write register {name}: {out!r}")
        if self.register(name) != value:
            raise RemoteError(f"register {name} did not take the value written")

    def detach(self):
        """Let the guest run on and leave it."""
        self.command("D")

    def close(self):
        try:
            self.sock.close()
        except OSError:
            pass
