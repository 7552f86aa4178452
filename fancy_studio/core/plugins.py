"""Which installed distributions' `fancy_studio.functions` entry points are plugins to load.

Python puts the current folder first on `sys.path` for `python -m fancy_studio` (and `-c`), so a folder
holding a `*.dist-info` that declares the entry point would have its code imported just by running the
command there (a downloaded archive, a shared folder). Plugins come from where packages are installed,
never from that implicit entry: a distribution found in the current folder is skipped when the folder is on
the path only because Python put it there. A plugin installed properly (editable in a source checkout too)
is also found in site-packages, and that copy is loaded: distributions are de-duplicated by name only after
the current folder's are left out (the standard `entry_points()` keeps the first copy of a name, which would
be the current folder's).
"""

from __future__ import annotations

import os
import re
import sys
from importlib.metadata import Distribution, EntryPoint, distributions


def plugin_entry_points(group: str) -> list[EntryPoint]:
    """The entry points in `group` of every installed distribution, one copy per distribution name, the
    current folder's left out (see the module docstring)."""
    untrusted = implicit_current_folder()
    seen: set[str] = set()
    found: list[EntryPoint] = []
    for dist in distributions():
        if untrusted is not None and _location(dist) == untrusted:
            continue
        name = _normalized(dist)
        if name in seen:
            continue
        seen.add(name)
        found.extend(entry for entry in dist.entry_points if entry.group == group)
    return found


def implicit_current_folder() -> str | None:
    """The current folder (resolved) when Python put it on `sys.path` itself: `sys.path[0]` is '' or the
    current folder (`-m`, `-c`, the interactive prompt) and `-P` / PYTHONSAFEPATH did not turn that off."""
    if getattr(sys.flags, "safe_path", False) or not sys.path:
        return None
    try:
        first = os.path.realpath(sys.path[0] or os.curdir)
        here = os.path.realpath(os.getcwd())
    except (OSError, ValueError):
        return None
    return here if first == here else None


def _location(dist: Distribution) -> str | None:
    """The `sys.path` folder a distribution was found in (resolved), if it has one."""
    try:
        return os.path.realpath(str(dist.locate_file("")))
    except (OSError, ValueError, NotImplementedError, TypeError):
        return None


def _normalized(dist: Distribution) -> str:
    try:
        name = dist.metadata["Name"]
    except Exception:  # noqa: BLE001 - unreadable metadata: a name of its own
        name = None
    return re.sub(r"[-_.]+", "-", name).lower() if isinstance(name, str) else f"?{id(dist)}"
