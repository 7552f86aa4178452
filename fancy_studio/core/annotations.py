"""Frames and notes: what a user draws on the canvas to organise a workflow, kept in its file.

A `Frame` is a titled, coloured rectangle behind nodes; a `Note` is a block of text (plain, or Markdown
rendered by the studio). Both are layout data, like node positions: the engine never reads them. Which
nodes a frame holds is not stored: it is the nodes whose rectangle lies inside the frame's, so moving a
node out of a frame takes it out.
"""

from __future__ import annotations

from typing import Literal, get_args
from uuid import UUID, uuid4

from pydantic import BaseModel, ConfigDict, Field

FrameColor = Literal["gray", "red", "orange", "yellow", "green", "teal", "blue", "purple"]
"""A frame's colour, by name: the studio draws each name in a shade that suits its light or dark look."""
FRAME_COLORS: tuple[str, ...] = get_args(FrameColor)
"""The colour names in palette order."""

MIN_FRAME_WIDTH, MIN_FRAME_HEIGHT = 120.0, 60.0
"""The studio never resizes a frame below this (a file may hold a smaller one: any positive size loads)."""
MIN_NOTE_WIDTH, MIN_NOTE_HEIGHT = 80.0, 40.0


_FINITE = {"allow_inf_nan": False}
_SIZE = {"gt": 0, "allow_inf_nan": False}


class Frame(BaseModel):
    """A titled, coloured rectangle drawn behind nodes (`x`, `y`: its top-left corner in scene coordinates).

    Collapsed, it shows only its title bar and hides the nodes inside its rectangle; their wires end at its
    edge. Its size is kept, for when it is expanded again."""

    model_config = ConfigDict(extra="forbid", validate_assignment=True)

    id: UUID = Field(default_factory=uuid4)
    title: str = "Frame"
    color: FrameColor = "gray"
    collapsed: bool = False
    x: float = Field(default=0.0, **_FINITE)
    y: float = Field(default=0.0, **_FINITE)
    width: float = Field(default=400.0, **_SIZE)
    height: float = Field(default=240.0, **_SIZE)


class Note(BaseModel):
    """A block of text on the canvas; with `markdown`, the studio renders it as Markdown."""

    model_config = ConfigDict(extra="forbid", validate_assignment=True)

    id: UUID = Field(default_factory=uuid4)
    text: str = ""
    markdown: bool = False
    x: float = Field(default=0.0, **_FINITE)
    y: float = Field(default=0.0, **_FINITE)
    width: float = Field(default=240.0, **_SIZE)
    height: float = Field(default=120.0, **_SIZE)


def duplicate_id(groups: dict[str, list]) -> str | None:
    """Why the ids of these items are not unique ("two frames have the id …", "the id … is used by both a
    step and a note"), or None. `groups` maps a kind ("step", "cell", "frame", "note") to its items."""
    seen: dict[UUID, str] = {}
    for kind, items in groups.items():
        for item in items:
            other = seen.get(item.id)
            if other is None:
                seen[item.id] = kind
            elif other == kind:
                return f"two {kind}s have the id {item.id}: each {kind} needs its own id"
            else:
                return f"the id {item.id} is used by both a {other} and a {kind}"
    return None
