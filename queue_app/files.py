"""Writing a file so that it survives a power cut: temp file, fsync, rename, fsync the folder."""

from __future__ import annotations

import os
from pathlib import Path


def write_durably(path: Path, content: bytes, *, exclusive: bool = False) -> None:
    """Write `path` owner-only (0600) and atomically, and return only once it is on disk.

    A rename is only durable once the folder holding it is synced too: without that, a power cut
    right after the caller recorded "delivered" can lose the only copy of a report.
    """
    temporary = path.with_name(f".{path.name}.tmp")
    flags = os.O_WRONLY | os.O_CREAT | (os.O_EXCL if exclusive else os.O_TRUNC)
    try:
        fd = os.open(temporary, flags, 0o600)
        with os.fdopen(fd, "wb") as out:
            out.write(content)
            out.flush()
            os.fsync(out.fileno())
        temporary.replace(path)
    except OSError:
        temporary.unlink(missing_ok=True)
        raise
    sync_folder(path.parent)


def sync_folder(folder: Path) -> None:
    """Sync a directory to disk, so that the names created or renamed in it are on disk."""
    fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
