"""The palette: search narrows the function tree, and a function row drags out as its slug."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from fancy_studio.core import registry
from fancy_studio.gui.mime import FUNCTION_MIME
from fancy_studio.gui.panels.palette import SLUG_ROLE, PaletteWidget


@pytest.fixture
def palette(qtbot):
    widget = PaletteWidget()
    qtbot.addWidget(widget)
    return widget


def test_lists_every_registered_function(palette: PaletteWidget):
    assert sorted(palette.visible_slugs()) == sorted(f.slug for f in registry)


def test_filter_narrows_to_matching_entries_case_insensitively(palette: PaletteWidget, qtbot):
    qtbot.keyClicks(palette.search, "MULTIPLY")
    slugs = palette.visible_slugs()
    assert "math.multiply" in slugs
    assert "text.format" not in slugs
    assert all("multiply" in " ".join((f.title, f.slug, f.description)).lower()
               for f in registry if f.slug in slugs)
    palette.search.clear()
    assert len(palette.visible_slugs()) == len(registry)


def test_filter_with_no_match_leaves_the_tree_empty(palette: PaletteWidget):
    palette.search.setText("no-such-function-anywhere")
    assert palette.visible_slugs() == []
    assert palette.proxy.rowCount() == 0


def _function_index(palette: PaletteWidget, slug: str):
    for row in range(palette.model.rowCount()):
        category = palette.model.index(row, 0)
        for child in range(palette.model.rowCount(category)):
            index = palette.model.index(child, 0, category)
            if index.data(SLUG_ROLE) == slug:
                return index
    raise AssertionError(f"{slug} not in the palette")


def test_mime_data_of_a_function_carries_its_slug(palette: PaletteWidget):
    index = _function_index(palette, "math.add")
    data = palette.model.mimeData([index])
    assert FUNCTION_MIME in palette.model.mimeTypes()
    assert bytes(data.data(FUNCTION_MIME)).decode("utf-8") == "math.add"
    assert palette.model.flags(index) & Qt.ItemFlag.ItemIsDragEnabled
    assert not palette.model.flags(index.parent()) & Qt.ItemFlag.ItemIsDragEnabled
    assert palette.model.mimeData([index.parent()]) is None


def test_tooltip_names_inputs_and_outputs_with_types(palette: PaletteWidget):
    tip = _function_index(palette, "math.add").data(Qt.ItemDataRole.ToolTipRole)
    function = registry.get("math.add")
    for port in function.inputs + function.outputs:
        assert f"{port.name}: {port.type_name}" in tip


def test_activating_an_entry_emits_its_slug(palette: PaletteWidget, qtbot):
    proxy_index = palette.proxy.mapFromSource(_function_index(palette, "text.format"))
    with qtbot.waitSignal(palette.function_activated) as blocker:
        palette.tree.activated.emit(proxy_index)
    assert blocker.args == ["text.format"]
