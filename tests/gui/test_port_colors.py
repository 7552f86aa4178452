"""A port and its wire wear their type's colour in the current theme, also after View ▸ Theme switches.

Ports remember the colour of each type (12,000 ports of a 3,000-step undo have a handful of types), so
these tests check that what is remembered follows the theme.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtGui import QAction, QColor
from PySide6.QtTest import QTest

from fancy_studio.core import Workflow, WorkflowStep, fancy_function, save_workflow
from fancy_studio.core.data_types import DataFrame, Image
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


@fancy_function("test_port_colors.table")
def _table(rows: int) -> DataFrame:
    """A table port's colour is all this test needs of it."""
    raise NotImplementedError


@fancy_function("test_port_colors.chart")
def _chart(data: DataFrame) -> Image:
    raise NotImplementedError


def test_table_and_image_ports_have_colours_of_their_own_in_each_theme(qtbot, tmp_path):
    wf = Workflow(name="colours")
    rows, data, picture = wf.input_cell("rows", 3), wf.output_cell("data"), wf.output_cell("picture")
    first = wf.add_step(WorkflowStep(function_slug="test_port_colors.table", inputs={"rows": rows.id},
                                     outputs={"return": data.id}))
    second = wf.add_step(WorkflowStep(function_slug="test_port_colors.chart", inputs={"data": data.id},
                                      outputs={"return": picture.id}))
    path = tmp_path / "colours.json"
    save_workflow(wf, path)
    window = MainWindow()
    qtbot.addWidget(window)
    window.show()
    assert window.open_workflow(path)
    for name, colors in (("light", style.LIGHT), ("dark", style.DARK)):
        choose(window, name)
        table_color, image_color = QColor(colors["_TABLE"]), QColor(colors["_IMAGE"])
        scene = window.scene
        assert scene.item_for(first.id).port(PortKind.STEP_OUTPUT, "return").color == table_color, name
        assert scene.item_for(second.id).port(PortKind.STEP_INPUT, "data").color == table_color, name
        assert scene.item_for(second.id).port(PortKind.STEP_OUTPUT, "return").color == image_color, name
        assert scene.wire_for(second.id, "outputs", "return").pen().color() == image_color, name
        others = {QColor(colors[key]).name() for key in ("_NUMBER", "_TEXT", "_LIST", "_BOOL", "_DICT")}
        others.add(QColor(colors["_ANY"]).name())
        assert table_color.name() not in others and image_color.name() not in others


def test_pandas_own_dataframe_class_wears_the_table_colour():
    import pandas

    assert style.type_color(pandas.DataFrame) == style.type_color(DataFrame) == QColor(style._TABLE)
