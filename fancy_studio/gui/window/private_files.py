"""The studio's own files are the user's alone: recovery copies and settings are 0600 in 0700 folders.

A recovery file holds unsaved work (a copy of a 0600 workflow included) and the settings name the files
the user works on; under the usual umask 022 both would be readable by every account on the machine.
QSettings keeps the permission bits of the file it rewrites, so the settings file is made 0600 whenever
it exists (at start-up, and after the window saved its layout on closing); a settings file that QSettings
creates during a first session is 0644 until then, inside the 0700 folder made at start-up.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from PySide6.QtCore import QSettings

PRIVATE_FILE = 0o600
PRIVATE_FOLDER = 0o700
OWN_FOLDER_NAME = "FancyStudio"
"""The settings folder Qt makes for the studio (~/.config/FancyStudio): ours to close to others."""


def private_folder(folder: Path) -> Path:
    """Create `folder` (and missing parents) and make it 0700; return it. Raises `OSError`."""
    folder.mkdir(mode=PRIVATE_FOLDER, parents=True, exist_ok=True)
    if stat.S_IMODE(folder.stat().st_mode) != PRIVATE_FOLDER:
        folder.chmod(PRIVATE_FOLDER)
    return folder


def keep_settings_private(settings: QSettings) -> None:
    """Make the settings file 0600 (if it exists) and its folder 0700 when the folder is the studio's own
    (or is made here). A registry or property-list store, or any failure, is left alone: privacy of the
    settings must never keep the studio from starting."""
    if os.name != "posix" or settings.format() not in (QSettings.Format.NativeFormat, QSettings.Format.IniFormat):
        return
    path = Path(settings.fileName())
    if not path.is_absolute() or path.suffix not in (".conf", ".ini"):
        return
    try:
        if not path.parent.exists() or path.parent.name == OWN_FOLDER_NAME:
            private_folder(path.parent)
        if path.exists() and stat.S_IMODE(path.stat().st_mode) & 0o077:
            path.chmod(PRIVATE_FILE)
    except OSError:
        pass
