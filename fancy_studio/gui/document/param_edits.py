"""The document's undoable edits of a step's params and bypass, and Convert to Cell and back.

Apart from `document.py` because they are one feature with their commands (`param_commands.py`), which
work each edit out; these are only the document's entry points to them. `ParamEdits` is mixed into
`WorkflowDocument`; the model changes the commands call (`set_step_params`, `set_step_bypass`) stay on
the document.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from fancy_studio.core import CellSpec


class ParamEdits:
    """`WorkflowDocument`'s params and bypass: set, clear, bypass, convert (each one undo step)."""

    def set_param(self, step_id: UUID, name: str, value: Any) -> None:
        """Give a step's input a literal value of its own (a param), as one undo step."""
        from fancy_studio.gui.document.param_commands import set_param

        set_param(self, step_id, name, value)

    def clear_param(self, step_id: UUID, name: str) -> None:
        """Drop a step's param: the input takes its function's default again (one undo step)."""
        from fancy_studio.gui.document.param_commands import clear_param

        clear_param(self, step_id, name)

    def set_bypass(self, step_ids: set[UUID], bypass: bool) -> None:
        """Bypass the steps (or stop bypassing them) as ONE undo step; steps already so are left alone."""
        from fancy_studio.gui.document.param_commands import set_bypass

        set_bypass(self, step_ids, bypass)

    def param_to_cell(self, step_id: UUID, name: str, value: Any, x: float, y: float,
                      alias: str) -> CellSpec | None:
        """Convert to Cell: the input's value (its param, else what the caller starts it with) moves into a
        new input cell at (x, y) wired to it, to share it between steps; one undo step. The cell, or None."""
        from fancy_studio.gui.document.param_commands import param_to_cell

        return param_to_cell(self, step_id, name, value, x, y, alias)

    def cell_to_params(self, cell_id: UUID) -> bool:
        """Convert to Parameters: an input cell that only feeds inputs becomes a param of each step it
        feeds, and goes; one undo step. False (nothing done) when `why_not_cell_to_params` says why."""
        from fancy_studio.gui.document.param_commands import cell_to_params

        return cell_to_params(self, cell_id)

    def why_not_cell_to_params(self, cell_id: UUID) -> str | None:
        """None when the cell can become params of the steps it feeds, else the reason it cannot."""
        cell = self.find_cell(cell_id)
        if cell is None:
            return "unknown cell"
        if not cell.has_value:
            return f"'{cell.alias or 'cell'}' has no value of its own: a step computes it"
        if self.producer_of(cell_id) is not None:
            return f"'{cell.alias or 'cell'}' is written by a step"
        if not self.readers_of(cell_id):
            return f"'{cell.alias or 'cell'}' feeds no step"
        return None
