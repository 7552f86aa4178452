"""PySide6 6.12.0 on CPython 3.11 aborts ("none_dealloc") after a few thousand void Qt calls.

The project pins PySide6-Essentials below 6.12 on Python < 3.12; this keeps the crash from coming back.
It runs in a subprocess so an abort fails this test rather than the whole suite.
"""

from __future__ import annotations

import subprocess
import sys

SCRIPT = """
from PySide6.QtCore import QPointF
point = QPointF()
for i in range(20_000):
    point.setX(float(i))   # a void Qt method
print("ok", point.x())
"""


def test_twenty_thousand_void_qt_calls_do_not_abort():
    done = subprocess.run([sys.executable, "-c", SCRIPT], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "ok 19999.0"
