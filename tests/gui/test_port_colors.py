"""A port and its wire wear their type's colour in the current theme, also after View ▸ Theme switches.

Ports remember the colour of each type (12,000 ports of a 3,000-step undo have a handful of types), so
these tests check that what is remembered follows the theme.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtGui import QAction, QColor
from PySide6.QtTest import QTest

from fancy_studio.gui.canvas import style
from fancy_studio.gui.canvas.port_item import PortKind
from fancy_studio.gui.window import theme
from fancy_studio.gui.window.main_window import MainWindow
from tests.example_ids import MULTIPLY

EXAMPLE = Path(__file__).parents[2] / "resources" / "examples" / "temperature.json"


@pytest.fixture(autouse=True)
def _default_theme_after():
    yield
    theme.apply_theme(theme.DEFAULT)  # later tests start from the look they always had


def choose(window: MainWindow, name: str) -> None:
    """View ▸ Theme ▸ `name`, as the user picks it."""
    window.findChild(QAction, f"theme-{name}-action").trigger()
    QTest.qWait(10)


def multiply_colors(window: MainWindow) -> tuple[QColor, QColor, QColor]:
    """Multiply's first input port, its output port, and the wire leaving that output."""
    item = window.scene.item_for(MULTIPLY)
    return (item.port(PortKind.STEP_INPUT, "a").color, item.port(PortKind.STEP_OUTPUT, "return").color,
            window.scene.wire_for(MULTIPLY, "outputs", "return").pen().color())


def test_ports_and_wires_take_the_number_colour_of_each_theme_in_turn(qtbot):
    window = MainWindow()
    qtbot.addWidget(window)
    window.show()
    assert window.open_workflow(EXAMPLE)
    for name, colors in (("dark", style.DARK), ("light", style.LIGHT), ("dark", style.DARK)):
        choose(window, name)
        number = QColor(colors["_NUMBER"])
        assert multiply_colors(window) == (number, number, number), name
