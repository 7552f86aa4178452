"""The status bar's run indicator: steps done of steps total, and the time since Run was clicked."""

from __future__ import annotations

from PySide6.QtCore import QElapsedTimer, QTimer
from PySide6.QtWidgets import QHBoxLayout, QLabel, QProgressBar, QWidget

from fancy_studio.core.durations import duration_text

TICK_MS = 100


def elapsed_text(ms: int) -> str:
    """The ticking clock: tenths of a second, then minutes."""
    seconds = ms / 1000
    if seconds < 60:
        return f"{seconds:.1f} s"
    return f"{int(seconds // 60)}:{seconds % 60:04.1f}"


class RunProgress(QWidget):
    """Empty until a run starts; shows a bar and a ticking clock while it goes, a summary after."""

    def __init__(self, elapsed: QElapsedTimer, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("run-progress")
        self._elapsed = elapsed
        self.bar = QProgressBar(self)
        self.bar.setObjectName("run-progress-bar")
        self.bar.setFormat("%v / %m steps")
        self.bar.setFixedWidth(200)
        self.bar.setTextVisible(True)
        self.clock = QLabel(self)
        self.clock.setObjectName("run-clock")
        self.clock.setMinimumWidth(60)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 4, 0)
        layout.addWidget(self.bar)
        layout.addWidget(self.clock)
        self._ticker = QTimer(self)
        self._ticker.setInterval(TICK_MS)
        self._ticker.timeout.connect(self._tick)
        # The bar keeps its space while hidden: showing it must not change the status bar's height, which
        # would resize the canvas (and refit a large workflow) at the start and end of every run.
        policy = self.bar.sizePolicy()
        policy.setRetainSizeWhenHidden(True)
        self.bar.setSizePolicy(policy)
        self.bar.hide()

    def begin(self) -> None:
        self.bar.setRange(0, 0)  # busy until the plan says how many steps there are
        self.bar.show()
        self.clock.setText("0.0 s")
        self._ticker.start()

    def set_progress(self, done: int, total: int) -> None:
        if self.bar.maximum() != max(total, 1):
            self.bar.setRange(0, max(total, 1))
        self.bar.setValue(done)

    def end(self, summary: str) -> None:
        self._ticker.stop()
        self.bar.hide()
        self.clock.setText(f"{summary} · {duration_text(self._elapsed.elapsed() / 1000)}")  # not "0.0 s"

    def clear(self) -> None:
        """Show nothing: the run it spoke of belonged to a document that has been replaced."""
        self._ticker.stop()
        self.bar.hide()
        self.clock.clear()

    def _tick(self) -> None:
        self.clock.setText(elapsed_text(self._elapsed.elapsed()))
