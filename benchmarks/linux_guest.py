"""The Linux baseline guest: Debian's kernel, a busybox initramfs and our
static benchmark program, booted under the same QEMU as Theseus.

Nothing is installed on the host: the kernel package is fetched with
`apt-get download`, the files needed are taken out of it with `dpkg-deb`,
and everything is cached under the cache folder (build/bench/linux/),
keyed by the package version, so later runs work offline.
"""

import json
import lzma
import os
import shutil
import stat
import subprocess
import tarfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
SOURCES = os.path.join(HERE, "linux")
METAPACKAGE = "linux-image-amd64"
BUSYBOX = "/bin/busybox"  # from Debian's busybox-static
BUSYBOX_APPLETS = ("sh", "mount", "poweroff", "echo", "cat", "insmod", "rmmod")
# The module for the load+link comparison: small, no dependencies, and
# unloadable (a library module with no init or exit function). First found wins.
MODULE_CANDIDATES = ("kernel/lib/crc16.ko", "kernel/lib/crc-itu-t.ko", "kernel/lib/crc7.ko")
INIT_MARKER = b"KBENCH LINUX INIT"
DONE_MARKER = b"KBENCH LINUX DONE"


class Unavailable(Exception):
    """The Linux baseline cannot run here; str() says why in a few words."""


def _run(cmd, **kw):
    return subprocess.run(cmd, capture_output=True, text=True, **kw)


def resolve_package():
    """(package, version) of the kernel image linux-image-amd64 depends on."""
    deps = _run(["apt-cache", "depends", METAPACKAGE])
    if deps.returncode:
        raise Unavailable(f"apt-cache knows no {METAPACKAGE} (run apt-get update)")
    package = None
    for line in deps.stdout.splitlines():
        line = line.strip()
        if line.startswith("Depends:") and "linux-image-" in line:
            package = line.split(":", 1)[1].strip().strip("<>")
            break
    if not package:
        raise Unavailable(f"cannot tell which kernel {METAPACKAGE} depends on")
    policy = _run(["apt-cache", "policy", package])
    version = None
    for line in policy.stdout.splitlines():
        if line.strip().startswith("Candidate:"):
            version = line.split(":", 1)[1].strip()
    return package, version


def _extract(deb, root):
    """The kernel image and the candidate modules out of the package."""
    wanted = ("./boot/vmlinuz-", "./lib/modules/")
    tar = subprocess.Popen(["dpkg-deb", "--fsys-tarfile", deb], stdout=subprocess.PIPE)
    found = {}
    with tarfile.open(fileobj=tar.stdout, mode="r|*") as tf:
        for member in tf:
            name = member.name
            if not member.isfile() or not name.startswith(wanted):
                continue
            rel = name.split("/lib/modules/", 1)[-1]
            is_module = any(rel.split("/", 1)[-1] in (c, c + ".xz") for c in MODULE_CANDIDATES)
            if name.startswith("./boot/vmlinuz-") or is_module:
                target = os.path.join(root, name[2:])
                os.makedirs(os.path.dirname(target), exist_ok=True)
                with tf.extractfile(member) as src, open(target, "wb") as dst:
                    shutil.copyfileobj(src, dst)
                found[name[2:]] = target
    if tar.wait():
        raise Unavailable(f"dpkg-deb could not read {os.path.basename(deb)}")
    return found


def fetch_kernel(cache, log):
    """The cached kernel and module, downloading the package when the cache
    does not hold the current version. Returns the stamp dict."""
    os.makedirs(cache, exist_ok=True)
    stamp_path = os.path.join(cache, "package.json")
    stamp = None
    if os.path.exists(stamp_path):
        with open(stamp_path) as f:
            stamp = json.load(f)
    try:
        package, version = resolve_package()
    except Unavailable:
        if stamp:  # no apt lists, but a cached kernel: use it
            return dict(stamp, cached=True)
        raise
    if stamp and stamp.get("package") == package and stamp.get("version") == version \
            and all(os.path.exists(stamp[k]) for k in ("vmlinuz", "module")):
        return dict(stamp, cached=True)

    log(f"bench: downloading {package} {version} (apt-get download)")
    for old in os.listdir(cache):
        if old.endswith(".deb"):
            os.remove(os.path.join(cache, old))
    t0 = time.monotonic()
    dl = _run(["apt-get", "download", package], cwd=cache)
    seconds = time.monotonic() - t0
    debs = [f for f in os.listdir(cache) if f.endswith(".deb")]
    if dl.returncode or not debs:
        if stamp and all(os.path.exists(stamp[k]) for k in ("vmlinuz", "module")):
            log(f"bench: download failed; using the cached {stamp['package']} {stamp['version']}")
            return dict(stamp, cached=True)
        raise Unavailable("no network: apt-get download failed: "
                          + (dl.stderr.strip().splitlines() or ["?"])[-1])
    deb = os.path.join(cache, debs[0])
    size = os.path.getsize(deb)
    root = os.path.join(cache, "root")
    shutil.rmtree(root, ignore_errors=True)
    t1 = time.monotonic()
    found = _extract(deb, root)
    unpack_seconds = time.monotonic() - t1
    os.remove(deb)  # 70 MB we no longer need: the two files are kept
    vmlinuz = next((p for n, p in found.items() if n.startswith("boot/vmlinuz-")), None)
    module = None
    for cand in MODULE_CANDIDATES:
        module = next((p for n, p in found.items() if n.endswith(cand) or n.endswith(cand + ".xz")), None)
        if module:
            break
    if not vmlinuz or not module:
        raise Unavailable(f"{package} has no vmlinuz or none of {', '.join(MODULE_CANDIDATES)}")
    if module.endswith(".xz"):
        with lzma.open(module) as src, open(module[:-3], "wb") as dst:
            shutil.copyfileobj(src, dst)
        module = module[:-3]
    stamp = {"package": package, "version": version, "vmlinuz": vmlinuz, "module": module,
             "download_bytes": size, "download_seconds": round(seconds, 2),
             "unpack_seconds": round(unpack_seconds, 2)}
    with open(stamp_path, "w") as f:
        json.dump(stamp, f, indent=1)
    return dict(stamp, cached=False)


def _newer(target, *sources):
    return os.path.exists(target) and all(os.path.getmtime(target) >= os.path.getmtime(s) for s in sources)


def build_programs(cache):
    """Our static benchmark program and the do-nothing spawn child, built
    with the host compiler (they run in the Linux guest)."""
    out = os.path.join(cache, "programs")
    os.makedirs(out, exist_ok=True)
    bench = os.path.join(out, "linux_bench")
    child = os.path.join(out, "spawn_child")
    src_bench = os.path.join(SOURCES, "linux_bench.c")
    src_child = os.path.join(SOURCES, "spawn_child.c")
    gcc = shutil.which("gcc")
    if not gcc:
        raise Unavailable("no host C compiler (gcc) for the Linux benchmark program")
    for target, src, flags in ((bench, src_bench, ["-O2"]),
                               (child, src_child, ["-O2", "-nostdlib", "-fno-stack-protector"])):
        if _newer(target, src):
            continue
        # Built aside and renamed: a concurrent run never sees half a file.
        r = _run([gcc, "-static", "-Wall", "-Wextra", *flags, "-o", f"{target}.{os.getpid()}", src])
        if r.returncode == 0:
            os.replace(f"{target}.{os.getpid()}", target)
        if r.returncode:
            hint = " (static glibc missing: install libc6-dev)" if "-lc" in r.stderr else ""
            raise Unavailable(f"cannot build {os.path.basename(src)}{hint}: "
                              + (r.stderr.strip().splitlines() or ["?"])[-1])
    return bench, child


def _is_static_elf(path):
    """True for an ELF with no program interpreter (runs without ld.so)."""
    with open(path, "rb") as f:
        data = f.read(1 << 16)
    if data[:4] != b"\x7fELF" or data[4] != 2:
        return False
    phoff = int.from_bytes(data[32:40], "little")
    phentsize = int.from_bytes(data[54:56], "little")
    phnum = int.from_bytes(data[56:58], "little")
    for i in range(phnum):
        off = phoff + i * phentsize
        if int.from_bytes(data[off:off + 4], "little") == 3:  # PT_INTERP
            return False
    return True


class Cpio:
    """An uncompressed newc cpio archive: what the kernel unpacks as its
    initramfs (no cpio tool needed)."""

    def __init__(self):
        self.parts = []
        self.ino = 1

    def _entry(self, name, mode, data=b"", rdev=(0, 0)):
        name_bytes = name.encode() + b"\0"
        fields = (self.ino, mode, 0, 0, 1, 0, len(data), 0, 0, rdev[0], rdev[1], len(name_bytes), 0)
        self.ino += 1
        header = b"070701" + b"".join(b"%08X" % v for v in fields)
        self.parts.append(header + name_bytes)
        self._pad()
        self.parts.append(data)
        self._pad()

    def _pad(self):
        size = sum(len(p) for p in self.parts)
        self.parts.append(b"\0" * (-size % 4))

    def dir(self, name):
        self._entry(name, stat.S_IFDIR | 0o755)

    def file(self, name, data, mode=0o644):
        self._entry(name, stat.S_IFREG | mode, data)

    def symlink(self, name, target):
        self._entry(name, stat.S_IFLNK | 0o777, target.encode())

    def chardev(self, name, major, minor):
        self._entry(name, stat.S_IFCHR | 0o600, rdev=(major, minor))

    def bytes(self):
        self.ino = 0
        self._entry("TRAILER!!!", 0)
        return b"".join(self.parts)


def build_initramfs(cache, bench, child, module):
    if not os.path.exists(BUSYBOX) or not _is_static_elf(BUSYBOX):
        raise Unavailable(f"{BUSYBOX} is missing or not static (install busybox-static)")
    c = Cpio()
    for d in ("bin", "dev", "proc", "sys", "lib", "lib/modules"):
        c.dir(d)
    c.chardev("dev/console", 5, 1)
    c.chardev("dev/null", 1, 3)

    def read(p):
        with open(p, "rb") as f:
            return f.read()

    c.file("bin/busybox", read(BUSYBOX), 0o755)
    for applet in BUSYBOX_APPLETS:
        c.symlink(f"bin/{applet}", "busybox")
    c.file("init", read(os.path.join(SOURCES, "init.sh")), 0o755)
    c.file("linux_bench", read(bench), 0o755)
    c.file("spawn_child", read(child), 0o755)
    c.file("lib/modules/" + os.path.basename(module), read(module))  # its name is the module's
    path = os.path.join(cache, "initramfs.cpio")
    with open(f"{path}.{os.getpid()}", "wb") as f:
        f.write(c.bytes())
    os.replace(f"{path}.{os.getpid()}", path)  # atomically: another run may be booting it
    return path


def prepare(cache, log):
    """Everything a boot needs: {'vmlinuz', 'initramfs', 'module', package facts}.
    Raises Unavailable with the reason when the baseline cannot run."""
    stamp = fetch_kernel(cache, log)
    bench, child = build_programs(cache)
    stamp["initramfs"] = build_initramfs(cache, bench, child, stamp["module"])
    stamp["module_name"] = os.path.basename(stamp["module"])
    return stamp


def append_line(mode, iterations):
    """The kernel command line: serial console, quiet, no reboot on panic
    (-no-reboot ends QEMU), and our words for /init (see init.sh)."""
    return f"console=ttyS0 quiet panic=-1 lbench={mode} lbench_iters={iterations}"
