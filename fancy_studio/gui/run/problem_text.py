"""How the Problems list names nodes: as the user sees them (a step's title and function, a cell's
alias), never by id. The core's messages carry ids for the command line; here names take their place,
and the entry itself still leads to the node."""

from __future__ import annotations

import re
from collections.abc import Callable
from uuid import UUID

from fancy_studio.gui.document.document import WorkflowDocument

_STEP_SLUG_AND_ID = re.compile(r"\(([^(),\s]+), [0-9a-f]{8}\)")  # "(math.add, 5f0c6a86)"
_QUOTED_NAME_AND_ID = re.compile(r"('[^']*') \([0-9a-f]{8}\)")  # "'factor' (5f0c6a86)"
_NODE_BY_UUID = re.compile(r"(?:\b(?:step|cell) )?\b([0-9a-f]{8}(?:-[0-9a-f]{4}){3}-[0-9a-f]{12})\b")


def node_phrase(document: WorkflowDocument, node_id: UUID) -> str | None:
    """A node as a problem names it: "step 'Add' (math.add)", "cell 'factor'", "an unnamed cell"."""
    step = document.find_step(node_id)
    if step is not None:
        return f"step '{document.title_of(step)}' ({step.function_slug})"
    cell = document.find_cell(node_id)
    if cell is None:
        return None
    return f"cell '{cell.alias}'" if cell.alias else "an unnamed cell"


def readable_message(message: str, phrase: Callable[[UUID], str | None]) -> str:
    """`message` with the ids in it replaced by names: "step 'Add' (math.add, 5f0c6a86)" reads
    "step 'Add' (math.add)"; a whole id (an unnamed cell) becomes what `phrase` calls that node."""
    message = _STEP_SLUG_AND_ID.sub(r"(\1)", message)
    message = _QUOTED_NAME_AND_ID.sub(r"\1", message)
    return _NODE_BY_UUID.sub(lambda m: phrase(UUID(m[1])) or m[0], message)
