"""Align and distribute the selection: View ▸ Align, and a node's menu when several items are selected.

Align Left / Right / Top / Bottom line the selected nodes, frames and notes up on the outermost edge among
them; Align Horizontal Centres puts their centres on one vertical line (the middle of the selection),
Align Vertical Centres on one horizontal line. Distribute Horizontally / Vertically keeps the outermost
two where they are and spaces the rest between them with equal gaps, in their order along that axis
(where they do not fit, the gaps are one grid step, from the first). Each is ONE undoable command named
after it. A frame moved carries what lies inside it, as a drag does.

Align needs two selected items, Distribute three: the actions are disabled below that, and while a run
reads the workflow.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from uuid import UUID

from PySide6.QtCore import QObject, QRectF
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QGraphicsItem, QMenu, QWidget
from shiboken6 import isValid

from fancy_studio.gui.canvas.annotation_layer import item_rect
from fancy_studio.gui.canvas.frame_item import FrameItem
from fancy_studio.gui.canvas.node_items import NodeItem
from fancy_studio.gui.window_action import window_action

MIN_GAP = 20.0
"""Distribute's gap when the items do not fit between the outermost two (the canvas's grid step)."""


@dataclass(frozen=True)
class Box:
    """A selected item as align sees it: its id, whether it is a node, and its rectangle in the scene."""

    item_id: UUID
    is_node: bool
    rect: QRectF


def _left(boxes: list[Box]) -> dict[UUID, tuple[float, float]]:
    left = min(b.rect.left() for b in boxes)
    return {b.item_id: (left, b.rect.top()) for b in boxes}


def _right(boxes: list[Box]) -> dict[UUID, tuple[float, float]]:
    right = max(b.rect.right() for b in boxes)
    return {b.item_id: (right - b.rect.width(), b.rect.top()) for b in boxes}


def _top(boxes: list[Box]) -> dict[UUID, tuple[float, float]]:
    top = min(b.rect.top() for b in boxes)
    return {b.item_id: (b.rect.left(), top) for b in boxes}


def _bottom(boxes: list[Box]) -> dict[UUID, tuple[float, float]]:
    bottom = max(b.rect.bottom() for b in boxes)
    return {b.item_id: (b.rect.left(), bottom - b.rect.height()) for b in boxes}


def _bounds(boxes: list[Box]) -> QRectF:
    rect = QRectF(boxes[0].rect)
    for box in boxes[1:]:
        rect = rect.united(box.rect)
    return rect


def _horizontal_centres(boxes: list[Box]) -> dict[UUID, tuple[float, float]]:
    middle = _bounds(boxes).center().x()
    return {b.item_id: (round(middle - b.rect.width() / 2), b.rect.top()) for b in boxes}


def _vertical_centres(boxes: list[Box]) -> dict[UUID, tuple[float, float]]:
    middle = _bounds(boxes).center().y()
    return {b.item_id: (b.rect.left(), round(middle - b.rect.height() / 2)) for b in boxes}


def _distribute(boxes: list[Box], horizontal: bool) -> dict[UUID, tuple[float, float]]:
    start = (lambda r: r.left()) if horizontal else (lambda r: r.top())
    size = (lambda r: r.width()) if horizontal else (lambda r: r.height())
    ordered = sorted(boxes, key=lambda b: (start(b.rect) + size(b.rect) / 2, start(b.rect)))
    first, last = ordered[0].rect, ordered[-1].rect
    room = start(last) + size(last) - start(first) - sum(size(b.rect) for b in ordered)
    gap = room / (len(ordered) - 1)
    if gap < 0:
        gap = MIN_GAP
    at = start(first)
    placed = {}
    for box in ordered:
        here = round(at)
        placed[box.item_id] = (here, box.rect.top()) if horizontal else (box.rect.left(), here)
        at += size(box.rect) + gap
    return placed


@dataclass(frozen=True)
class Arrangement:
    name: str
    """The action's objectName."""
    text: str
    """The menu entry; without its '&', the undo step's name."""
    tip: str
    arrange: Callable[[list[Box]], dict[UUID, tuple[float, float]]]
    minimum: int


ARRANGEMENTS = (
    Arrangement("align-left-action", "Align &Left", "Line the selection up on its leftmost edge", _left, 2),
    Arrangement("align-right-action", "Align &Right", "Line the selection up on its rightmost edge", _right, 2),
    Arrangement("align-top-action", "Align &Top", "Line the selection up on its topmost edge", _top, 2),
    Arrangement("align-bottom-action", "Align &Bottom", "Line the selection up on its lowest edge", _bottom, 2),
    Arrangement("align-horizontal-centres-action", "Align &Horizontal Centres",
                "Put the selection's centres on one vertical line", _horizontal_centres, 2),
    Arrangement("align-vertical-centres-action", "Align &Vertical Centres",
                "Put the selection's centres on one horizontal line", _vertical_centres, 2),
    Arrangement("distribute-horizontally-action", "Distribute Hori&zontally",
                "Equal gaps between the selected items, left to right (the outermost two stay)",
                lambda boxes: _distribute(boxes, True), 3),
    Arrangement("distribute-vertically-action", "Distribute V&ertically",
                "Equal gaps between the selected items, top to bottom (the outermost two stay)",
                lambda boxes: _distribute(boxes, False), 3),
)
ALIGN_COUNT = 6
"""The first six are alignments, the rest distributions (a separator between them in the menus)."""


class AlignActions(QObject):
    """The window's align and distribute actions, enabled by what the canvas has selected."""

    def __init__(self, window: QWidget, scene, document) -> None:
        super().__init__(window)
        self.scene, self.document = scene, document
        self.actions: list[QAction] = []
        for arrangement in ARRANGEMENTS:
            action = window_action(window, arrangement.name, arrangement.text,
                                   lambda _=False, a=arrangement: self.apply(a), tip=arrangement.tip)
            self.actions.append(action)
        scene.selectionChanged.connect(self.update_enabled)
        document.undo_stack.lock_changed.connect(lambda _locked: self.update_enabled())
        self.update_enabled()

    def boxes(self) -> list[Box]:
        """The selected nodes, frames and notes, each with its rectangle (a node's body, a frame's
        expanded size)."""
        boxes = []
        for node_id in self.scene.selected_ids():
            if (item := self.scene.item_for(node_id)) is not None:
                boxes.append(Box(node_id, True, item_rect(item)))
        for item_id in self.scene.selected_annotation_ids():
            if (item := self.scene.annotations.item_for(item_id)) is not None:
                boxes.append(Box(item_id, False, item_rect(item)))
        return boxes

    def selected_count(self) -> int:
        return len(self.scene.selected_ids()) + len(self.scene.selected_annotation_ids())

    def update_enabled(self) -> None:
        """On with enough items selected, off while a run reads the workflow."""
        if not isValid(self.scene):  # the window is going away
            return
        count = 0 if self.document.undo_stack.locked else self.selected_count()
        for arrangement, action in zip(ARRANGEMENTS, self.actions):
            action.setEnabled(count >= arrangement.minimum)

    def fill_menu(self, menu: QMenu) -> QMenu:
        """An Align submenu of `menu` with every action (a node's menu on a multi-selection)."""
        submenu = menu.addMenu("A&lign")
        submenu.setObjectName("align-context-menu")
        submenu.addActions(self.actions[:ALIGN_COUNT])
        submenu.addSeparator()
        submenu.addActions(self.actions[ALIGN_COUNT:])
        return submenu

    def apply(self, arrangement: Arrangement) -> bool:
        """Arrange the selection as ONE undoable command; False when there were too few or none moved."""
        boxes = self.boxes()
        if len(boxes) < arrangement.minimum:
            return False
        targets = arrangement.arrange(boxes)
        node_moves: dict[UUID, tuple[float, float]] = {}
        annotation_moves: dict[UUID, tuple[float, float]] = {}
        selected = {box.item_id for box in boxes}
        for box in boxes:
            x, y = targets[box.item_id]
            dx, dy = x - box.rect.left(), y - box.rect.top()
            if (dx, dy) == (0, 0):
                continue
            if box.is_node:
                old_x, old_y = self.document.position(box.item_id)
                node_moves[box.item_id] = (old_x + dx, old_y + dy)
            else:
                model = self.document.find_annotation(box.item_id)
                annotation_moves[box.item_id] = (model.x + dx, model.y + dy)
                item = self.scene.annotations.item_for(box.item_id)
                if isinstance(item, FrameItem):
                    self._carry(item, box.rect, dx, dy, selected, node_moves, annotation_moves)
        text = arrangement.text.replace("&", "")
        if not annotation_moves:
            return self.document.arrange_nodes(node_moves, text)
        stack = self.document.undo_stack
        stack.beginMacro(text)
        try:
            self.document.move_items(node_moves, annotation_moves)
        finally:
            stack.endMacro()
        return True

    def _carry(self, frame: FrameItem, rect: QRectF, dx: float, dy: float, selected: set[UUID],
               node_moves: dict[UUID, tuple[float, float]],
               annotation_moves: dict[UUID, tuple[float, float]]) -> None:
        """What lies inside a moved frame (and is not itself arranged) moves with it, as in a drag."""
        inside: list[tuple[UUID, bool, QGraphicsItem]] = []
        inside += [(item.node_id, True, item) for item in self.scene.node_items()]
        inside += [(item.item_id, False, item) for item in self.scene.annotations.items() if item is not frame]
        for item_id, is_node, item in inside:
            if item_id in selected or item_id in node_moves or item_id in annotation_moves:
                continue
            if not rect.contains(item_rect(item)):
                continue
            if is_node and isinstance(item, NodeItem):
                x, y = self.document.position(item_id)
                node_moves[item_id] = (x + dx, y + dy)
            elif not is_node and (model := self.document.find_annotation(item_id)) is not None:
                annotation_moves[item_id] = (model.x + dx, model.y + dy)
