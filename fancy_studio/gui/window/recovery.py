"""Nothing lost on a crash: unsaved edits are kept in a recovery file, offered back at the next start.

At most a second after the first unsaved edit (undo and redo included), however quickly more edits
follow, and at once when a run starts (a step may kill the process), the document, if it has unsaved
changes, is written atomically to a file of its own in the recovery folder, with the path of the file it
came from. Saving, going back to the saved state, opening another workflow or closing the window
normally deletes it. So a recovery file that outlives its studio is a crashed session's work, and
`fancy-studio` offers to restore it when it starts. Whether its studio still runs is told by a lock file
the studio holds while it lives (see `session_lock`), not by its process id, which the system reuses.
Recovery files hold the user's work: 0600, in a 0700 folder.
"""

from __future__ import annotations

import json
import os
import time
from dataclasses import dataclass
from pathlib import Path
from uuid import uuid4

from PySide6.QtCore import QObject, QStandardPaths, QTimer
from PySide6.QtWidgets import QMessageBox, QWidget

from fancy_studio.core import FancyError, Workflow, parse_workflow
from fancy_studio.core.workflow_file import dump_workflow, write_atomically
from fancy_studio.gui.document.document import WorkflowDocument
from fancy_studio.gui.window.private_files import PRIVATE_FILE, private_folder
from fancy_studio.gui.window.session_lock import SessionLock, held

WRITE_DELAY_MS = 1000
"""How long after the first unsaved edit the recovery file is written (the edits that follow meanwhile
are written with it; a steady stream of edits is written every second, not postponed)."""
FORMAT = "fancy-studio-recovery/1"


def recovery_dir() -> Path:
    """Where recovery files live (a function so tests can point it at a temporary folder)."""
    base = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.AppDataLocation)
    return Path(base or Path.home() / ".fancy-studio") / "recovery"


@dataclass(frozen=True)
class Recovery:
    """A recovery file left by a session that did not end normally."""

    file: Path
    original: Path | None
    """The file the workflow was opened from or saved to, if any."""
    saved_at: float
    name: str
    lock: Path | None = None
    """The lock file its studio held (None in files from before locks)."""

    def load(self) -> Workflow:
        """The workflow as it was at the last write; raises `FancyError` for a damaged file."""
        try:
            envelope = json.loads(self.file.read_text(encoding="utf-8"))
            return parse_workflow(envelope["workflow"], str(self.file))
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise FancyError(f"{self.file.name}: cannot read the recovery file ({exc})") from exc

    def discard(self) -> None:
        self.file.unlink(missing_ok=True)
        if self.lock is not None:
            self.lock.unlink(missing_ok=True)


class RecoveryWriter(QObject):
    """Keeps one document's recovery file in step with its unsaved changes."""

    def __init__(self, document: WorkflowDocument, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.document = document
        self.file = recovery_dir() / f"{os.getpid()}-{uuid4().hex[:12]}.json"
        self.lock = SessionLock(self.file.with_suffix(".lock"))
        """Held while this studio lives, so that its file is never taken for a crashed session's."""
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(WRITE_DELAY_MS)
        self._timer.timeout.connect(self.write)
        document.undo_stack.indexChanged.connect(self._edited)
        document.undo_stack.cleanChanged.connect(lambda clean: self.discard() if clean else None)
        document.reset.connect(self.discard)

    def _edited(self, _index: int) -> None:
        if not self._timer.isActive():  # restarting it would postpone the write for as long as edits go on
            self._timer.start()

    @property
    def pending(self) -> bool:
        """Edits not yet in the recovery file (the timer runs from the first of them until the write)."""
        return self._timer.isActive()

    def flush(self) -> None:
        """Write now if edits are waiting (before a run: a step may end the process)."""
        if self.pending:
            self.write()

    def write(self) -> None:
        """Write the unsaved workflow now (or delete the file when there is nothing unsaved)."""
        self._timer.stop()
        if not self.document.modified:
            self.discard()
            return
        try:
            envelope = {"format": FORMAT, "pid": os.getpid(), "lock": self.lock.path.name,
                        "saved_at": time.time(),
                        "original": str(self.document.path) if self.document.path else None,
                        "workflow": dump_workflow(self.document.workflow)}
            private_folder(self.file.parent)
            self.lock.acquire()  # before the file exists: a reader never sees it unowned
            write_atomically(self.file, json.dumps(envelope).encode("utf-8"), overwrite_read_only=True,
                             new_file_mode=PRIVATE_FILE)
        except (OSError, FancyError):
            # a full or read-only disk, or a value no file can hold, must not break editing: the next
            # edit tries again (and Save says what is wrong)
            pass

    def discard(self) -> None:
        self._timer.stop()
        self.file.unlink(missing_ok=True)
        self.lock.release()


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return False  # this process has just started: its own files are a previous life's
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True  # exists, owned by someone else
    return True


def _lock_of(file: Path, envelope: dict) -> Path | None:
    name = envelope.get("lock")
    return file.parent / Path(name).name if isinstance(name, str) and name else None


def _studio_running(file: Path, envelope: dict) -> bool:
    """Whether the studio that wrote `file` still runs: its lock is held (or, for a file from before
    locks or where locks do not exist, its process id is alive)."""
    lock = _lock_of(file, envelope)
    if lock is not None:
        state = held(lock)
        if state is not None:
            return state
        if os.name == "posix" and not lock.exists():  # its studio ended (or discarded the file just now)
            return not file.exists()
    return _alive(int(envelope["pid"]))


def pending_recoveries() -> list[Recovery]:
    """Recovery files whose session is gone, newest first (another running studio's are left alone)."""
    found = []
    for file in recovery_dir().glob("*.json"):
        try:
            envelope = json.loads(file.read_text(encoding="utf-8"))
            if envelope.get("format") != FORMAT or _studio_running(file, envelope):
                continue
            original = Path(envelope["original"]) if envelope.get("original") else None
            name = original.name if original else json.loads(envelope["workflow"]).get("name") or "Untitled"
            found.append(Recovery(file, original, float(envelope["saved_at"]), name, _lock_of(file, envelope)))
        except (OSError, ValueError, KeyError, TypeError):
            continue  # not ours, or half-written by a crash mid-write (writes are atomic, so rare)
    return sorted(found, key=lambda recovery: recovery.saved_at, reverse=True)


def offer_restore(parent: QWidget, document: WorkflowDocument, writer: RecoveryWriter) -> Recovery | None:
    """At start-up: offer the newest crashed session's work; restore it into `document` if the user says
    yes, and return what was restored (None when nothing was).

    Restored work is unsaved work: the title shows it, Save writes to the file it came from, and `writer`
    keeps it again at once under this session's name. Declining deletes it (older ones wait their turn).
    The questions are asked over `parent`."""
    recoveries = pending_recoveries()
    if not recoveries:
        return None
    latest = recoveries[0]
    when = time.strftime("%Y-%m-%d %H:%M", time.localtime(latest.saved_at))
    answer = QMessageBox.question(
        parent, "Restore unsaved changes?",
        f"Fancy Studio did not close normally. Restore the unsaved changes to {latest.name} "
        f"(last kept {when})?\n\nNo deletes them.",
        QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No, QMessageBox.StandardButton.Yes)
    if answer != QMessageBox.StandardButton.Yes:
        latest.discard()
        return None
    try:
        workflow = latest.load()
    except FancyError as exc:
        QMessageBox.critical(parent, "Cannot restore", str(exc))
        latest.discard()
        return None
    document.replace(workflow, latest.original)
    document.undo_stack.resetClean()
    latest.discard()
    writer.write()
    return latest
