"""Nothing lost on a crash: unsaved edits are kept in a recovery file, offered back at the next start.

A second after each edit (undo and redo included) the document, if it has unsaved changes, is written
atomically to a file of its own in the recovery folder, with the path of the file it came from and the
id of the process. Saving, going back to the saved state, opening another workflow or closing the
window normally deletes it. So a recovery file that outlives its process is a crashed session's work,
and `fancy-studio` offers to restore it when it starts.
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

WRITE_DELAY_MS = 1000
"""How long after an edit the recovery file is written (edits in quick succession are written once)."""
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

    def load(self) -> Workflow:
        """The workflow as it was at the last write; raises `FancyError` for a damaged file."""
        try:
            envelope = json.loads(self.file.read_text(encoding="utf-8"))
            return parse_workflow(envelope["workflow"], str(self.file))
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise FancyError(f"{self.file.name}: cannot read the recovery file ({exc})") from exc

    def discard(self) -> None:
        self.file.unlink(missing_ok=True)


class RecoveryWriter(QObject):
    """Keeps one document's recovery file in step with its unsaved changes."""

    def __init__(self, document: WorkflowDocument, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.document = document
        self.file = recovery_dir() / f"{os.getpid()}-{uuid4().hex[:12]}.json"
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(WRITE_DELAY_MS)
        self._timer.timeout.connect(self.write)
        document.undo_stack.indexChanged.connect(lambda _index: self._timer.start())
        document.undo_stack.cleanChanged.connect(lambda clean: self.discard() if clean else None)
        document.reset.connect(self.discard)

    def write(self) -> None:
        """Write the unsaved workflow now (or delete the file when there is nothing unsaved)."""
        self._timer.stop()
        if not self.document.modified:
            self.discard()
            return
        envelope = {"format": FORMAT, "pid": os.getpid(), "saved_at": time.time(),
                    "original": str(self.document.path) if self.document.path else None,
                    "workflow": dump_workflow(self.document.workflow)}
        try:
            self.file.parent.mkdir(parents=True, exist_ok=True)
            write_atomically(self.file, json.dumps(envelope).encode("utf-8"))
        except OSError:
            pass  # a full or read-only disk must not break editing; the next edit tries again

    def discard(self) -> None:
        self._timer.stop()
        self.file.unlink(missing_ok=True)


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


def pending_recoveries() -> list[Recovery]:
    """Recovery files whose session is gone, newest first (another running studio's are left alone)."""
    found = []
    for file in recovery_dir().glob("*.json"):
        try:
            envelope = json.loads(file.read_text(encoding="utf-8"))
            if envelope.get("format") != FORMAT or _alive(int(envelope["pid"])):
                continue
            original = Path(envelope["original"]) if envelope.get("original") else None
            name = original.name if original else json.loads(envelope["workflow"]).get("name") or "Untitled"
            found.append(Recovery(file, original, float(envelope["saved_at"]), name))
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
