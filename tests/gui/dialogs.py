"""Pre-answered message boxes for GUI tests: no test can block on a modal dialog."""

from __future__ import annotations

from PySide6.QtWidgets import QMessageBox


class Answer:
    """Stands in for a QMessageBox static method: records each call's arguments, gives a fixed answer."""

    def __init__(self, answer: QMessageBox.StandardButton = QMessageBox.StandardButton.Ok) -> None:
        self.answer = answer
        self.calls: list[tuple] = []

    def __call__(self, *args, **kwargs):
        self.calls.append(args)
        return self.answer

    @property
    def asked(self) -> list[str]:
        """The texts shown (QMessageBox's static methods take parent, title, text, …)."""
        return [call[2] for call in self.calls if len(call) > 2]


def answer_dialogs(monkeypatch) -> dict[str, Answer]:
    """Answer `question` with Discard, `critical` and `warning` with Ok; return the stand-ins by name."""
    answers = {"question": Answer(QMessageBox.StandardButton.Discard), "critical": Answer(),
               "warning": Answer()}
    for name, answer in answers.items():
        monkeypatch.setattr(QMessageBox, name, answer)
    return answers
