"""Telling a live studio from a dead one: a lock file the studio holds (flock) while it lives.

A process id alone cannot tell: after a crash the id is soon given to another process, and the crashed
session's recovery file would look owned by a live studio and never be offered. The kernel releases a
`flock` when its process ends, however it ends (a crash, `kill -9`, a power cut wipes it anyway), so "is
this lock held?" is exactly "is its studio still running?". Where `fcntl` does not exist (Windows), `held`
answers None and the caller falls back on the process id.
"""

from __future__ import annotations

import os
from pathlib import Path

try:
    import fcntl
except ImportError:  # Windows
    fcntl = None

PRIVATE_FILE = 0o600


class SessionLock:
    """A lock file held by this process from `acquire` until `release` (or the process's end)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._fd: int | None = None

    @property
    def is_acquired(self) -> bool:
        return self._fd is not None

    def acquire(self) -> bool:
        """Create and lock the file (0600); True when this process now holds it. Raises `OSError`."""
        if self._fd is not None:
            return True
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT | getattr(os, "O_CLOEXEC", 0), PRIVATE_FILE)
        if fcntl is not None:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError:
                os.close(fd)
                return False
        self._fd = fd
        return True

    def release(self) -> None:
        """Delete the file and let go of the lock (the file first: nobody can then lock a file in use)."""
        if self._fd is None:
            return
        self.path.unlink(missing_ok=True)
        os.close(self._fd)
        self._fd = None


def held(path: Path) -> bool | None:
    """True while a live process holds the lock at `path`, False when none does; None when this cannot
    be told (no such file, or no `flock` here)."""
    if fcntl is None:
        return None
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_CLOEXEC", 0))
    except OSError:
        return None
    try:  # shared: conflicts with the owner's exclusive lock, and works on a read-only descriptor on NFS too
        fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
    except BlockingIOError:
        return True
    except OSError:
        return None
    finally:
        os.close(fd)  # closing lets go of a lock taken just now
    return False
