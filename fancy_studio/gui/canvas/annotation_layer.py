"""The scene's frames and notes: their items, drawn from the document's signals, and what a frame does to
the nodes inside it.

What a frame holds is never stored: it is every node, note and smaller frame whose rectangle lies wholly
inside the frame's (expanded) rectangle. So

* dragging a frame carries what lies inside it when the drag starts, and the move of all of it is one
  undo step (`carry`, then `end_drag` for `WorkflowScene.commit_moves`);
* a collapsed frame hides what lies inside it, and the wires to a hidden node end at the frame's title bar
  (on its right edge for what leaves, its left edge for what arrives; a wire between two nodes hidden by
  the same frame is hidden too). Whatever comes to lie inside a collapsed frame (a node moved there)
  goes into it; a file opens with the same nodes hidden, since only geometry decides.

Frames and notes belong to the workflow's top level: inside a group (`document.graph`) there are none.
"""

from __future__ import annotations

from typing import TYPE_CHECKING
from uuid import UUID

from PySide6.QtCore import QPointF, QRectF
from PySide6.QtWidgets import QGraphicsItem

from fancy_studio.core import Frame, Note
from fancy_studio.gui.canvas.annotation_item import AnnotationItem
from fancy_studio.gui.canvas.frame_item import TITLE_HEIGHT, FrameItem
from fancy_studio.gui.canvas.node_items import NodeItem
from fancy_studio.gui.canvas.note_item import NoteItem

if TYPE_CHECKING:
    from fancy_studio.gui.canvas.scene import WorkflowScene


def item_rect(item: QGraphicsItem) -> QRectF:
    """An item's rectangle in the scene as containment sees it: a node's body, a frame's expanded size."""
    if isinstance(item, FrameItem):
        return item.full_rect()
    if isinstance(item, NodeItem):
        return item.body_rect().translated(item.pos())
    return item.rect().translated(item.pos())


class AnnotationLayer:
    """The frame and note items of one scene (see the module's docstring)."""

    def __init__(self, scene: WorkflowScene) -> None:
        self.scene, self.document = scene, scene.document
        self._items: dict[UUID, AnnotationItem] = {}
        self.hidden: dict[UUID, UUID] = {}
        """Node, note or frame id -> the collapsed frame that hides it (the outermost, if frames nest)."""
        self._hidden_wires: set[tuple[UUID, str, str]] = set()
        self._drag: tuple[FrameItem, QPointF, list[QGraphicsItem]] | None = None
        """While frames are dragged: the first frame, where its model puts it, and what the frames carry."""
        self.carrier: UUID | None = None
        """After `end_drag`: the frame that was dragged alone with what it carried, else None."""
        document = self.document
        document.annotation_added.connect(self._added)
        document.annotation_removed.connect(self._removed)
        document.annotation_changed.connect(self._changed)
        document.node_moved.connect(self._node_moved)
        document.nodes_moved.connect(lambda _positions: self.update_hidden())
        document.many_changed.connect(self.update_hidden)

    # --- items ---------------------------------------------------------------------------------------

    def rebuild(self) -> None:
        """Make an item for every frame and note (the scene has just been cleared, items and all)."""
        self._items.clear()
        self.hidden.clear()
        self._hidden_wires.clear()
        self._drag = None
        graph = self.document.graph  # inside a group (which has none of its own): no frame nor note
        for frame in getattr(graph, "frames", ()):
            self._add_item(FrameItem(self.document, frame.id))
        for note in getattr(graph, "notes", ()):
            self._add_item(NoteItem(self.document, note.id))
        self.update_hidden()

    @property
    def shown(self) -> bool:
        """Whether the canvas shows the top level, where frames and notes are (not the inside of a group)."""
        return self.document.graph is self.document.workflow

    def item_for(self, item_id: UUID) -> AnnotationItem | None:
        return self._items.get(item_id)

    def items(self) -> list[AnnotationItem]:
        return list(self._items.values())

    def selected_ids(self) -> set[UUID]:
        return {item.item_id for item in self._items.values() if item.isSelected()}

    def at(self, scene_pos: QPointF) -> tuple[AnnotationItem | None, str | None]:
        """The frame or note the pointer is on at `scene_pos` and which part of it ("title", "toggle",
        a resize part, None for a note's body); (None, None) where there is none (a frame's body)."""
        for item in self.scene.items(scene_pos):
            if isinstance(item, AnnotationItem):
                return item, item.part_at(item.mapFromScene(scene_pos))
            while item is not None and not isinstance(item, NodeItem):
                item = item.parentItem()
            if item is not None:
                return None, None  # a node (or its port) stands in front
        return None, None

    def _add_item(self, item: AnnotationItem) -> None:
        self._items[item.item_id] = item
        self.scene.addItem(item)

    def _added(self, model: Frame | Note) -> None:
        self._removed(model.id)
        if not self.shown:
            return
        self._add_item(FrameItem(self.document, model.id) if isinstance(model, Frame)
                       else NoteItem(self.document, model.id))
        self.update_hidden()

    def _removed(self, item_id: UUID) -> None:
        item = self._items.pop(item_id, None)
        if item is not None:
            self.scene.removeItem(item)
            self.update_hidden()

    def _changed(self, item_id: UUID) -> None:
        item = self._items.get(item_id)
        if item is not None:
            item.refresh()
            self.update_hidden()

    # --- collapsed frames ----------------------------------------------------------------------------

    def update_hidden(self) -> None:
        """Hide what lies inside collapsed frames and show the rest; re-place the wires of every node whose
        state changed or whose frame may have moved."""
        collapsed = self._collapsed_frames()
        if not collapsed and not self.hidden:
            return
        rects = [(frame, frame.full_rect()) for frame in collapsed]
        hidden: dict[UUID, UUID] = {}
        if rects:
            for key, item in self._candidates():
                rect = item_rect(item)
                for frame, frame_rect in rects:
                    if frame is not item and frame_rect.contains(rect):
                        hidden[key] = frame.item_id
                        break
        self._apply_hidden(hidden, collapsed)

    def _collapsed_frames(self) -> list[FrameItem]:
        """The collapsed frames, outermost (largest) first: a node inside two is hidden by the outer one."""
        frames = [item for item in self._items.values() if isinstance(item, FrameItem) and item.collapsed]
        frames.sort(key=lambda frame: -frame.full_size[0] * frame.full_size[1])
        return frames

    def _candidates(self):
        for node in self.scene.node_items():
            yield node.node_id, node
        yield from self._items.items()

    def _apply_hidden(self, hidden: dict[UUID, UUID], collapsed: list[FrameItem]) -> None:
        before = self.hidden
        self.hidden = hidden
        for key in before.keys() | hidden.keys():
            item = self.scene.item_for(key)
            if item is None:
                item = self._items.get(key)
            if item is not None and item.isVisible() != (key not in hidden):
                item.setVisible(key not in hidden)
        counts: dict[UUID, int] = {}
        for key, frame_id in hidden.items():
            if key not in self._items:
                counts[frame_id] = counts.get(frame_id, 0) + 1
        for frame in collapsed:
            if frame.hidden_count != counts.get(frame.item_id, 0):
                frame.hidden_count = counts.get(frame.item_id, 0)
                frame.refresh()
        for key in before.keys() | hidden.keys():
            node = self.scene.item_for(key)
            if node is not None:
                self.scene.node_item_moved(node)  # its block, and its wires to the frame's edge or back

    def _node_moved(self, node_id: UUID, _x: float, _y: float) -> None:
        """A node moved (a drag, an undo): it may have gone into a collapsed frame or come out of one."""
        frames = self._collapsed_frames()
        node = self.scene.item_for(node_id)
        if node is None or (not frames and not self.hidden):
            return
        rect = item_rect(node)
        frame_id = next((frame.item_id for frame in frames if frame.full_rect().contains(rect)), None)
        if frame_id != self.hidden.get(node_id):
            hidden = dict(self.hidden)
            if frame_id is None:
                hidden.pop(node_id, None)
            else:
                hidden[node_id] = frame_id
            self._apply_hidden(hidden, frames)

    @property
    def rerouting(self) -> bool:
        """Whether a wire ends at a collapsed frame or is hidden by one (else `wire_ends` changes nothing)."""
        return bool(self.hidden or self._hidden_wires)

    def wire_ends(self, wire, start: QPointF, end: QPointF) -> tuple[QPointF, QPointF]:
        """Where a wire from `start` to `end` is drawn: an end at a hidden node moves to its collapsed
        frame's title bar; a wire inside one collapsed frame is hidden (and shown again once it is not)."""
        step_id, side, _ = wire.key
        source, target = (wire.cell_id, step_id) if side == "inputs" else (step_id, wire.cell_id)
        source_frame, target_frame = self.hidden.get(source), self.hidden.get(target)
        if source_frame is not None and source_frame == target_frame:
            wire.setVisible(False)
            self._hidden_wires.add(wire.key)
        elif wire.key in self._hidden_wires:
            wire.setVisible(True)
            self._hidden_wires.discard(wire.key)
        if source_frame is not None and (frame := self._items.get(source_frame)) is not None:
            start = frame.mapToScene(QPointF(frame.rect().width(), TITLE_HEIGHT / 2))
        if target_frame is not None and (frame := self._items.get(target_frame)) is not None:
            end = frame.mapToScene(QPointF(0, TITLE_HEIGHT / 2))
        return start, end

    # --- dragging frames -----------------------------------------------------------------------------

    def carry(self, moving: list[QGraphicsItem]) -> list[QGraphicsItem]:
        """The pointer drags `moving` (the grabbed item and the selection): move what lies inside each
        frame among them along with it, and return those items (the scene places their wires)."""
        frames = [item for item in moving if isinstance(item, FrameItem)]
        if not frames:
            return []
        if self._drag is None:
            moved = {id(item) for item in moving}
            carried: dict[int, QGraphicsItem] = {}
            for frame in frames:
                model = frame.model
                inside = QRectF(model.x, model.y, model.width, model.height)  # where the drag started
                for _, item in self._candidates():
                    if id(item) not in moved and item is not frame and inside.contains(item_rect(item)):
                        carried[id(item)] = item
            self._drag = (frames[0], QPointF(frames[0].model.x, frames[0].model.y),
                          [(item, item.pos()) for item in carried.values()])
        frame, home, carried = self._drag
        delta = frame.pos() - home
        for item, start in carried:
            item.setPos(start + delta)
        return [item for item, _ in carried]

    def end_drag(self, snap) -> tuple[dict[UUID, tuple[float, float]], dict[UUID, tuple[float, float]]]:
        """The button is up: where the moved frames and notes go and where what the frames carried goes
        (moved as far as the first frame, after `snap`), as ({node id: (x, y)}, {frame or note id: (x, y)}).
        `carrier` is then the frame that carried the rest alone (or None)."""
        drag, self._drag = self._drag, None
        self.carrier = None
        nodes: dict[UUID, tuple[float, float]] = {}
        annotations: dict[UUID, tuple[float, float]] = {}
        carried: list = []
        dx = dy = None
        if drag is not None:
            frame, home, carried = drag
            x, y = snap(frame.x(), frame.y())
            dx, dy = x - home.x(), y - home.y()
        carried_ids = {id(item) for item, _ in carried}
        for item_id, item in self._items.items():
            model = item.model
            if model is None or id(item) in carried_ids:
                continue
            if (item.x(), item.y()) != (model.x, model.y):
                moved = (model.x + dx, model.y + dy) if dx is not None else snap(item.x(), item.y())
                annotations[item_id] = moved
        for item, start in carried:
            target = (start.x() + dx, start.y() + dy)
            if (dx, dy) == (0, 0):  # the frame snapped back home: so does what it carried, with no command
                item.setPos(start)
                if isinstance(item, NodeItem):
                    self.scene.node_item_moved(item)
            elif isinstance(item, AnnotationItem):
                annotations[item.item_id] = target
            else:
                nodes[item.node_id] = target
        for item_id, (x, y) in list(annotations.items()):
            model = self._items[item_id].model
            if (x, y) == (model.x, model.y):
                del annotations[item_id]
                self._items[item_id].refresh()  # snapped back home: no command, it jumps back
        carried_annotations = sum(isinstance(item, AnnotationItem) for item, _ in carried)
        if drag is not None and len(annotations) - carried_annotations == 1:
            self.carrier = drag[0].item_id  # the one frame the pointer moved: the rest came with it
        return nodes, annotations

    def forget_drag(self) -> None:
        """A new press: whatever the last drag carried is no longer being carried."""
        self._drag = None

    def put_back(self) -> None:
        """A refused move (a run reads the workflow): every frame and note where the model says."""
        for item in self._items.values():
            item.refresh()
