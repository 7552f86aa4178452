"""Before Qt starts: can it open a window here? If not, say why in one line instead of Qt's abort.

On Linux, Qt draws through its xcb plugin, which needs X11 libraries that a minimal system (a server, a
container, a fresh WSL) lacks; Qt then aborts with "could not load the Qt platform plugin xcb" and a
core dump. Without any display it aborts too. This module imports no Qt (importing QtGui already needs
some of these libraries), so it can run first and name what is missing and how to install it.
"""

from __future__ import annotations

import ctypes
import importlib.util
import os
import re
import sys
from collections.abc import Mapping
from pathlib import Path

XCB_LIBRARIES: dict[str, str] = {
    "libEGL.so.1": "libegl1",
    "libGL.so.1": "libgl1",
    "libfontconfig.so.1": "libfontconfig1",
    "libfreetype.so.6": "libfreetype6",
    "libdbus-1.so.3": "libdbus-1-3",
    "libglib-2.0.so.0": "libglib2.0-0",
    "libX11.so.6": "libx11-6",
    "libX11-xcb.so.1": "libx11-xcb1",
    "libxkbcommon.so.0": "libxkbcommon0",
    "libxkbcommon-x11.so.0": "libxkbcommon-x11-0",
    "libxcb.so.1": "libxcb1",
    "libxcb-cursor.so.0": "libxcb-cursor0",
    "libxcb-icccm.so.4": "libxcb-icccm4",
    "libxcb-image.so.0": "libxcb-image0",
    "libxcb-keysyms.so.1": "libxcb-keysyms1",
    "libxcb-randr.so.0": "libxcb-randr0",
    "libxcb-render.so.0": "libxcb-render0",
    "libxcb-render-util.so.0": "libxcb-render-util0",
    "libxcb-shape.so.0": "libxcb-shape0",
    "libxcb-shm.so.0": "libxcb-shm0",
    "libxcb-sync.so.1": "libxcb-sync1",
    "libxcb-util.so.1": "libxcb-util1",
    "libxcb-xfixes.so.0": "libxcb-xfixes0",
    "libxcb-xkb.so.1": "libxcb-xkb1",
}
"""The system libraries PySide6's xcb plugin and QtGui link against (`objdump -p` of libqxcb.so,
libQt6XcbQpa, libQt6Gui), each with the Debian/Ubuntu package that holds it."""

_MISSING_LIBRARY = re.compile(r"(\S+\.so(?:\.\d+)*): cannot open shared object file")


def _loads(library: str) -> bool:
    try:
        ctypes.CDLL(library)
    except OSError:
        return False
    return True


def _xcb_plugin() -> Path | None:
    """PySide6's libqxcb.so, found without importing PySide6 (its import loads Qt)."""
    spec = importlib.util.find_spec("PySide6")
    for folder in (spec.submodule_search_locations or []) if spec is not None else []:
        plugin = Path(folder) / "Qt" / "plugins" / "platforms" / "libqxcb.so"
        if plugin.is_file():
            return plugin
    return None


def missing_library_in(error: str) -> str | None:
    """The library a dynamic loader error names as not found ("libfoo.so.1: cannot open shared …")."""
    match = _MISSING_LIBRARY.search(error)
    return Path(match[1]).name if match else None


def missing_xcb_libraries() -> list[str]:
    """The libraries the xcb plugin needs that this system cannot load (empty when it can load them all)."""
    missing = [library for library in XCB_LIBRARIES if not _loads(library)]
    if missing:
        return missing
    plugin = _xcb_plugin()
    if plugin is None:
        return []
    try:  # one the list does not know (a newer PySide6): the loader names it
        ctypes.CDLL(str(plugin))
    except OSError as error:
        library = missing_library_in(str(error))
        return [library] if library else []
    return []


def _would_use_xcb(environ: Mapping[str, str]) -> bool:
    requested = environ.get("QT_QPA_PLATFORM", "").split(";")[0].split(":")[0].strip()
    if requested:
        return requested == "xcb"
    return not environ.get("WAYLAND_DISPLAY")  # a Wayland session: Qt uses its Wayland plugin


def platform_problem(environ: Mapping[str, str] | None = None, platform: str | None = None) -> str | None:
    """One line saying why the studio cannot open a window here, or None when it can (as far as we know)."""
    environ = os.environ if environ is None else environ
    if not (sys.platform if platform is None else platform).startswith("linux"):
        return None
    requested = environ.get("QT_QPA_PLATFORM", "").strip()
    if requested and not requested.startswith(("xcb", "wayland")):
        return None  # offscreen, vnc, eglfs…: the user chose, Qt answers
    if _would_use_xcb(environ) and (missing := missing_xcb_libraries()):
        packages = sorted({XCB_LIBRARIES[lib] for lib in missing if lib in XCB_LIBRARIES})
        install = f"; on Debian/Ubuntu: sudo apt-get install {' '.join(packages)}" if packages else ""
        return (f"fancy-studio: Qt cannot open a window: the system libraries {', '.join(missing)} "
                f"are missing{install}")
    if not environ.get("DISPLAY") and not environ.get("WAYLAND_DISPLAY"):
        return ("fancy-studio: no display to open the studio on (neither DISPLAY nor WAYLAND_DISPLAY is "
                "set); start it in a desktop session, or run a workflow headless: fancy-studio run FILE")
    if requested.startswith("xcb") and not environ.get("DISPLAY"):
        return "fancy-studio: QT_QPA_PLATFORM is xcb but DISPLAY is not set: no X server to open a window on"
    return None
