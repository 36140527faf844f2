"""Small real file systems for the full-disk and read-only tests: a size-limited tmpfs, remounted read-only.

Root ignores permission bits, so a ``chmod`` test proves nothing when CI runs as root; a tmpfs that
is full, or mounted read-only, refuses root as well. Needs the right to mount (root, or
CAP_SYS_ADMIN); ``MountUnavailable`` says why when it is missing, and callers skip with that reason.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path


class MountUnavailable(RuntimeError):
    """This machine does not let us mount a tmpfs (not root, or no mount tool / permission)."""


def _mount(*args: str) -> None:
    if shutil.which("mount") is None:
        raise MountUnavailable("no `mount` command on this machine")
    done = subprocess.run(["mount", *args], capture_output=True, text=True, timeout=30)
    if done.returncode != 0:
        raise MountUnavailable(f"`mount {' '.join(args)}` failed: {done.stderr.strip() or done.returncode}")


@contextlib.contextmanager
def small_tmpfs(path: Path, size_kb: int, options: str = "") -> Iterator[Path]:
    """Mount a tmpfs of ``size_kb`` KiB at ``path`` (created) for the duration of the block.

    ``options`` adds mount options, e.g. ``nr_inodes=40`` to run out of inodes instead of space.
    """
    if os.geteuid() != 0:
        raise MountUnavailable("mounting a size-limited tmpfs needs root (CI runs as root)")
    path.mkdir(parents=True, exist_ok=True)
    _mount("-t", "tmpfs", "-o", f"size={size_kb}k,mode=0755{',' + options if options else ''}", "sanad-test", str(path))
    try:
        yield path
    finally:
        subprocess.run(["umount", "-l", str(path)], capture_output=True, timeout=30)


def remount_readonly(path: Path) -> None:
    """Make a mounted tmpfs read-only: every write, root's included, fails with EROFS."""
    _mount("-o", "remount,ro", str(path))


def free_bytes(path: Path) -> int:
    stats = os.statvfs(path)
    return stats.f_bavail * stats.f_frsize


def fill(path: Path, leave_bytes: int) -> Path:
    """Write a filler file so that about ``leave_bytes`` stay free on the file system of ``path``."""
    filler = path / "filler.bin"
    filler.unlink(missing_ok=True)
    size = max(0, free_bytes(path) - leave_bytes)
    with filler.open("wb", buffering=0) as f:
        block = b"\0" * (1 << 16)
        while size > 0:
            try:
                size -= f.write(block[: min(size, len(block))])
            except OSError:
                break
    return filler
