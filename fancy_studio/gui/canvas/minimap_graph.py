"""What the minimap draws: every node's rectangle grouped by colour, every wire as a straight line, and the
frames and notes under them.

Kept up to date by node id, so a change costs what it touches: the minimap says which nodes changed (the
document's signals name them), and `update` reads only those from the scene's items. Everything is read
again only when asked (a new workflow, a new theme): about 0.1 s for the 20,000 nodes of a 10,000-step
workflow, which every edit paid when each one read them all. Nodes are keyed by their id's integer (a
`UUID` hashes in Python, several times slower).
"""

from __future__ import annotations

import itertools
from operator import itemgetter
from uuid import UUID

from PySide6.QtCore import QLineF, QRectF
from PySide6.QtGui import QColor

from fancy_studio.gui.canvas import style
from fancy_studio.gui.canvas.frame_item import FrameItem, frame_color
from fancy_studio.gui.canvas.node_items import CellNodeItem, StepNodeItem

CELL_ALPHA = 140
"""A cell is its type's colour, quieter than a step's header: on the canvas a cell's pill is mostly body."""
FRAME_ALPHA = 0.4
NOTE_COLORS = {True: "#6c6442", False: "#d9c77a"}
"""A note on the dark canvas and on the light one: its border's paper yellow (`note_item.py`)."""

Coords = tuple[float, float, float, float]
"""left, top, right, bottom"""


class MinimapGraph:
    """The nodes and wires of `scene`'s workflow, as the minimap paints them (scene coordinates)."""

    def __init__(self, scene, document) -> None:
        self._scene, self._document = scene, document
        self._coords: dict[int, Coords] = {}
        self._key: dict[int, int] = {}
        """Node -> the rgba of its colour (its group)."""
        self._groups: dict[int, dict[int, QRectF]] = {}
        self._lists: dict[int, list[QRectF]] = {}
        """Each group's rectangles as a list, made when first asked for after the group changed."""
        self._wires: dict[int, list[QLineF]] = {}
        """Step -> its wires."""
        self._steps_at: dict[int, list[UUID]] = {}
        """Cell -> the steps whose wires were drawn to it (some perhaps no longer, some twice)."""
        self._all_wires: list[QLineF] | None = None
        self._bounds: Coords | None = None
        self._touched: set[UUID] | None = None
        """The nodes to read at the next `update`; None: every node."""
        self._annotations: list[tuple[QRectF, QColor]] = []
        self._annotation_bounds: Coords | None = None
        self._annotations_touched = True
        self._hidden: set[UUID] = set()
        """The nodes collapsed frames hid at the last update (not drawn)."""

    # --- what changed --------------------------------------------------------------------------------

    def touch(self, node_id: UUID) -> None:
        """This node came, went, moved or changed (its size, its colour or its wires)."""
        if self._touched is not None:
            self._touched.add(node_id)

    def touch_all(self) -> None:
        """Read everything again at the next update (a new workflow, a new theme)."""
        self._touched = None
        self._annotations_touched = True

    def touch_annotations(self) -> None:
        """A frame or a note came, went or changed (a frame collapsed hides what it holds)."""
        self._annotations_touched = True

    def touch_groups(self) -> None:
        """Back from inside a group: its nodes at this level may have other ports (another size)."""
        for step in self._document.graph.steps:
            if step.group_id is not None:
                self.touch(step.id)

    def update(self) -> None:
        """Read the touched nodes (and the wires at them) from the scene."""
        if self._annotations_touched:
            self._read_annotations()
        touched, self._touched = self._touched, set()
        if touched is None:
            self._read_all()
            return
        hidden = self._hidden_nodes()
        if hidden != self._hidden:  # a frame collapsed or opened: what it holds shows or hides
            touched |= hidden.symmetric_difference(self._hidden)
            self._hidden = hidden
        rewire: set[UUID] = set()
        bounds = self._bounds
        for node_id in touched:
            key = node_id.int
            old = self._coords.get(key)
            if old is not None and bounds is not None and not _inside(old, bounds):
                bounds = None  # it was on the edge, which may come in: measure again below
            item = self._scene.item_for(node_id)
            if item is None:
                self._forget(key)
                self._wires.pop(key, None)
                rewire.update(self._steps_at.pop(key, ()))  # a cell gone: its wires go too
                continue
            coords = self._read(item)
            if isinstance(item, StepNodeItem):
                rewire.add(node_id)
                step = self._document.find_step(node_id)  # its cells' colours follow its outputs' types
                for cell_id in itertools.chain(step.inputs.values(), step.outputs.values()) if step else ():
                    if (cell := self._scene.item_for(cell_id)) is not None:
                        self._read(cell)
            else:
                rewire.update(step.id for step in self._document.steps_using(node_id))
            if bounds is not None and coords is not None:
                bounds = _united(bounds, coords)
        for step_id in rewire:
            step = self._document.find_step(step_id)
            if step is None:
                self._wires.pop(step_id.int, None)
            else:
                self._wire(step)
        self._all_wires = None
        self._bounds = bounds if bounds is not None or not touched else _bounds(self._coords.values())

    # --- what to draw --------------------------------------------------------------------------------

    def bounds(self) -> QRectF:
        """Every node's, frame's and note's rectangle, united (null when there is none)."""
        bounds = self._bounds
        if self._annotation_bounds is not None:
            bounds = self._annotation_bounds if bounds is None else _united(bounds, self._annotation_bounds)
        if bounds is None:
            return QRectF()
        left, top, right, bottom = bounds
        return QRectF(left, top, right - left, bottom - top)

    def is_empty(self) -> bool:
        return not self._coords and not self._annotations

    def annotations(self) -> list[tuple[QRectF, QColor]]:
        """(rectangle, colour) of each frame and note, in the order the canvas stacks them."""
        return self._annotations

    def groups(self):
        """(colour, rectangles) for each colour a node has."""
        for key, group in self._groups.items():
            if group:
                rects = self._lists.get(key)
                if rects is None:
                    rects = self._lists[key] = list(group.values())
                yield QColor.fromRgba(key), rects

    def wires(self) -> list[QLineF]:
        if self._all_wires is None:
            self._all_wires = list(itertools.chain.from_iterable(self._wires.values()))
        return self._all_wires

    # --- inside --------------------------------------------------------------------------------------

    def _read_all(self) -> None:
        for store in (self._coords, self._key, self._groups, self._lists, self._wires, self._steps_at):
            store.clear()
        self._all_wires = None
        self._hidden = self._hidden_nodes()
        for item in self._scene.node_items():
            self._read(item)
        for step in self._document.graph.steps:  # the level shown (the inside of a group, when entered)
            self._wire(step)
        self._bounds = _bounds(self._coords.values())

    def _read(self, item) -> Coords | None:
        """File a node's rectangle under its colour (its bounding rect: the ports' few pixels do not show);
        a node a collapsed frame hides is not drawn (None)."""
        node = item.node_id.int
        if not item.isVisible():  # in a collapsed frame
            self._forget(node)
            return None
        rect = item.rect()
        rect.translate(item.x(), item.y())
        color = _rgba(item)
        old = self._key.get(node)
        if old is not None:
            del self._groups[old][node]
            self._lists.pop(old, None)
        self._key[node] = color
        group = self._groups.get(color)
        if group is None:
            group = self._groups[color] = {}
        group[node] = rect
        self._lists.pop(color, None)
        coords = self._coords[node] = rect.getCoords()
        return coords

    def _forget(self, node: int) -> None:
        color = self._key.pop(node, None)
        if color is not None:
            del self._groups[color][node]
            self._lists.pop(color, None)
        self._coords.pop(node, None)

    def _wire(self, step) -> None:
        """A step's wires: from the cell's right to the step's left (an input), or the other way (an output)."""
        coords = self._coords
        key = step.id.int
        mine = coords.get(key)
        if mine is None:
            self._wires.pop(key, None)
            return
        left, top, right, bottom = mine
        middle = (top + bottom) / 2
        lines = []
        steps_at = self._steps_at
        for cell_id in step.inputs.values():
            cell_key = cell_id.int
            if (cell := coords.get(cell_key)) is not None:
                lines.append(QLineF(cell[2], (cell[1] + cell[3]) / 2, left, middle))
                steps_at.setdefault(cell_key, []).append(step.id)
        for cell_id in step.outputs.values():
            cell_key = cell_id.int
            if (cell := coords.get(cell_key)) is not None:
                lines.append(QLineF(right, middle, cell[0], (cell[1] + cell[3]) / 2))
                steps_at.setdefault(cell_key, []).append(step.id)
        self._wires[key] = lines


    def _hidden_nodes(self) -> set[UUID]:
        layer = getattr(self._scene, "annotations", None)
        return set(layer.hidden) if layer is not None else set()

    def _read_annotations(self) -> None:
        self._annotations_touched = False
        layer = getattr(self._scene, "annotations", None)
        items = [item for item in layer.items() if item.scene() is self._scene] if layer is not None else []
        items.sort(key=lambda item: item.zValue())
        dark = style.BACKGROUND.lightness() < 128
        annotations = []
        for item in items:
            rect = item.rect().translated(item.pos())
            if isinstance(item, FrameItem):
                color = frame_color(item.color, FRAME_ALPHA)
            else:
                color = QColor(NOTE_COLORS[dark])
            annotations.append((rect, color))
        self._annotations = annotations
        self._annotation_bounds = _bounds(rect.getCoords() for rect, _color in annotations)


def _rgba(item) -> int:
    """A step by its header (its function's category), a cell by its type, as on the canvas; never by
    its run state, so a run never changes the picture."""
    if isinstance(item, StepNodeItem):
        return item.header.rgba()
    if isinstance(item, CellNodeItem):
        return (item.color.rgba() & 0x00FFFFFF) | (CELL_ALPHA << 24)
    return style.NODE_BORDER.rgba()


def _inside(coords: Coords, bounds: Coords) -> bool:
    """Strictly inside: moving or removing it leaves the bounds as they are."""
    return (coords[0] > bounds[0] and coords[1] > bounds[1] and coords[2] < bounds[2]
            and coords[3] < bounds[3])


def _united(a: Coords, b: Coords) -> Coords:
    return min(a[0], b[0]), min(a[1], b[1]), max(a[2], b[2]), max(a[3], b[3])


def _bounds(coords) -> Coords | None:
    coords = list(coords)
    if not coords:
        return None
    return (min(map(itemgetter(0), coords)), min(map(itemgetter(1), coords)),
            max(map(itemgetter(2), coords)), max(map(itemgetter(3), coords)))
