"""Name the ways writing the index folder fails (full disk, read-only, no permission) in one error.

The write itself stays atomic (index/store.py): whatever fails, the live version is untouched, so
the message can say so. Only failures on files inside the index folder are translated; anything
else (a source file, the model) passes through unchanged. Does not retry or clean up.
"""

from __future__ import annotations

import contextlib
import errno
import os
import re
import sqlite3
from collections.abc import Iterator
from pathlib import Path

from index.errors import IndexWriteError

GENERIC_FIX = "check the folder and the disk, then run it again"
_FIX = {
    errno.ENOSPC: "free some space (or pass --index-dir on another disk) and run it again",
    errno.EDQUOT: "free some space within your quota (or pass --index-dir elsewhere) and run it again",
    errno.EROFS: "make the folder writable or pass --index-dir to a writable folder",
    errno.EACCES: "make the folder writable for this user or pass --index-dir to another folder",
    errno.EPERM: "make the folder writable for this user or pass --index-dir to another folder",
}
# SQLite reports I/O failures in words; the records file it writes is always inside the index folder.
_SQLITE = {
    "database or disk is full": errno.ENOSPC,
    "attempt to write a readonly database": errno.EROFS,
    "disk i/o error": errno.EIO,
}
# faiss.write_index: "... write error in PATH: 65454 != 307200 (No space left on device)"
# or "... could not open PATH for writing: No space left on device"
_FAISS_WRITE = (
    re.compile(r"write error in (?P<path>\S+?): .*\((?P<reason>[^()]*)\)\s*$"),
    re.compile(r"could not open (?P<path>\S+) for writing: (?P<reason>[^:]+?)\s*$"),
)
_WRITE_ERRNOS = frozenset({errno.ENOSPC, errno.EDQUOT, errno.EROFS, errno.EIO, errno.EFBIG})
_BY_STRERROR = {os.strerror(code): code for code in (*_FIX, errno.EIO)}


@contextlib.contextmanager
def writing(index_dir: Path) -> Iterator[None]:
    """Raise ``IndexWriteError`` with the cause and the fix when a write under ``index_dir`` fails."""
    try:
        yield
    except OSError as exc:
        # A failed write() names no file; nothing but the index is written while it is held.
        ours = _inside(exc.filename, index_dir) if exc.filename is not None else exc.errno in _WRITE_ERRNOS
        if not ours:
            raise
        raise IndexWriteError(message(index_dir, exc.errno, exc.strerror or str(exc))) from exc
    except sqlite3.OperationalError as exc:
        code = next((c for words, c in _SQLITE.items() if words in str(exc).lower()), None)
        if code is None:
            raise
        raise IndexWriteError(message(index_dir, code, str(exc))) from exc
    except RuntimeError as exc:
        found = next((m for p in _FAISS_WRITE if (m := p.search(str(exc).strip()))), None)
        if found is None or not _inside(found.group("path"), index_dir):
            raise
        reason = found.group("reason")
        raise IndexWriteError(message(index_dir, _BY_STRERROR.get(reason), reason)) from exc


def message(index_dir: Path, code: int | None, reason: str) -> str:
    """One line: what failed, that nothing changed, and what to do."""
    cause = os.strerror(code).lower() if code is not None else reason.lower()
    fix = _FIX.get(code, GENERIC_FIX) if code is not None else GENERIC_FIX
    return f"cannot write the index at {index_dir} ({cause}); the previous index is unchanged; {fix}"


def _inside(path: object, folder: Path) -> bool:
    if not isinstance(path, str):
        return False
    absolute, root = os.path.abspath(path), os.path.abspath(folder)
    return absolute == root or absolute.startswith(root + os.sep)
