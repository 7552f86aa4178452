"""Telling whether a process has ended, for tests that check no kernel is left behind."""

from __future__ import annotations

import time
from pathlib import Path


def gone(pid: int, within: float = 15.0) -> bool:
    """True once `pid` has ended, waiting up to `within` seconds (a zombie waiting to be reaped counts as
    ended: it runs nothing). Reads the process table in /proc (Linux)."""
    deadline = time.monotonic() + within
    while True:
        try:
            state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
        except (FileNotFoundError, ProcessLookupError):
            return True
        if state in ("Z", "X"):
            return True
        if time.monotonic() >= deadline:
            return False
        time.sleep(0.05)
