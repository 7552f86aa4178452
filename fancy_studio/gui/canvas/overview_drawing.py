"""How the canvas draws when zoomed out: ports hidden and hairline wires, then one layer for every block.

A mixin of `WorkflowScene` (`scene.py`), kept apart so each file holds one concern: switching between the
node items drawing themselves and the overview (`set_overview`) or the blocks layer (`set_blocks`,
`blocks_layer.py`) drawing them, and telling that layer when a node, a wire or the selection changes.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import QGraphicsItem

from fancy_studio.gui.canvas.blocks_layer import BlocksLayer
from fancy_studio.gui.canvas.node_items import NodeItem

NO_CONTENTS = QGraphicsItem.GraphicsItemFlag.ItemHasNoContents


class OverviewDrawing:
    """The zoomed-out half of `WorkflowScene` (which sets every attribute used here)."""

    overview: bool
    blocks: BlocksLayer | None
    run_status: Any
    _nodes: dict
    _wires: dict

    def set_overview(self, overview: bool) -> None:
        """Zoomed far out (below `style.LOW_DETAIL`) ports are hidden and wires are hairlines, so a frame
        of a 10,000-step workflow costs no Python call per port or wire; zoomed in, all comes back."""
        if overview == self.overview:
            return
        self.overview = overview
        for item in self._nodes.values():
            item.set_ports_visible(not overview)
        for wire in self._wires.values():
            wire.set_overview(overview)

    def set_blocks(self, blocks: bool) -> None:
        """Zoomed out so far that no title fits on a block (below `blocks_layer.BLOCKS_LOD`), one item
        paints every node's block and the node items paint nothing (they stay for selection, hit-testing
        and tooltips): a frame of 20,000 nodes costs one `drawRects` per colour, not 20,000 items' work."""
        if blocks == (self.blocks is not None):
            return
        items = self._nodes.values()
        outdated = []
        for item in items:
            item.setFlag(NO_CONTENTS, blocks)
            item.drawn_by_layer = blocks
            if not blocks:
                item.update()  # what changed while the layer drew it (see `NodeItem.repaint`)
                if getattr(item, "value_outdated", False):
                    outdated.append(item.node_id)
        if outdated and self.run_status is not None:
            # values a run stored meanwhile: read in the run's catch-up slices, not all at once
            self._dirty_cells.extend(outdated)
            self._generation += 1
            self._schedule_catch_up()
        for wire in self._wires.values():
            wire.setFlag(NO_CONTENTS, blocks)
        if blocks:
            self.blocks = BlocksLayer(self._wires.values)
            self._seat_blocks()
            self.blocks.fill(item for item in items if item.isVisible())  # not the nodes collapsed frames hide
        else:
            if self.blocks.scene() is self:
                self.removeItem(self.blocks)
            self.blocks = None

    def _seat_blocks(self) -> None:
        """The blocks layer is in the scene while it has nodes to draw (an empty canvas holds no item)."""
        blocks = self.blocks
        if blocks is not None and (blocks.scene() is self) != bool(self._nodes):
            if self._nodes:
                self.addItem(blocks)
            else:
                self.removeItem(blocks)

    def restyle(self, item: NodeItem) -> None:
        """A node's block may have changed colour, place or size: tell the blocks layer, if it draws them."""
        if self.blocks is not None:
            if item.isVisible():
                self.blocks.node_changed(item)
            else:  # inside a collapsed frame
                self.blocks.node_removed(item.node_id)

    def restyle_wires(self) -> None:
        """A wire came, went, moved or changed colour: tell the blocks layer, if it draws them."""
        if self.blocks is not None:
            self.blocks.wires_changed()

    def _selection_to_blocks(self) -> None:
        if self.blocks is not None:
            self.blocks.selection_changed(self.selectedItems(), self._nodes)
