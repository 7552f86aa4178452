"""The document's connection checks: may this cell feed that input, this output write that cell, a new cell
chain two steps? None when it may, else the reason, which the canvas shows while a wire is dragged.

Apart from `document.py` because they only read: types (`core/typecheck.py`) and the graph's reach
(cycles), through the document's queries and indexes, and change nothing. `ConnectionChecks` is mixed
into `WorkflowDocument`.
"""

from __future__ import annotations

from uuid import UUID

from fancy_studio.core import WorkflowStep
from fancy_studio.core.typecheck import accepts, value_accepted


class ConnectionChecks:
    """`WorkflowDocument`'s checks of a wire before it is made (read only)."""

    def why_not_connect_output(self, step_id: UUID, output: str, cell_id: UUID) -> str | None:
        """None when step's output may write the cell, else the reason it may not."""
        step, cell = self.find_step(step_id), self.find_cell(cell_id)
        if step is None or cell is None:
            return "unknown step or cell"
        producer = self.producer_of(cell_id)
        if producer is not None and producer[0].id != step_id:
            return f"'{cell.alias or 'cell'}' is already written by another step"
        if cell.has_value:
            return f"'{cell.alias or 'cell'}' is an input cell with its own value"
        if self._reaches(cell_id, step_id):
            return "that would make a cycle"
        port = self.output_port(step, output)  # a group's node: what the step inside gives (levels.py)
        for reader, name in self.readers_of(cell_id) if port is not None else ():
            for expected in self.input_ports(reader, name):
                if not accepts(expected.type, port.type):
                    reader_title = self._reader_title(reader)
                    return f"{port.type_name} cannot feed {reader_title}'s {name} ({expected.type_name})"
        return None

    def _reader_title(self, step: WorkflowStep) -> str:
        function = self.function_of(step)
        return function.title if function is not None else self.title_of(step)

    def why_not_connect_input(self, step_id: UUID, input_name: str, cell_id: UUID) -> str | None:
        """None when the cell may feed the step's input, else the reason it may not."""
        step, cell = self.find_step(step_id), self.find_cell(cell_id)
        if step is None or cell is None:
            return "unknown step or cell"
        if cell_id in step.outputs.values() or self._reaches_step(step_id, cell_id):
            return "that would make a cycle"
        producer = self.producer_of(cell_id)
        port = self.output_port(*producer) if producer is not None else None
        for expected in self.input_ports(step, input_name):  # a group's node: the inputs inside it feeds
            if cell.has_value and not value_accepted(expected.type, cell.value):
                return f"{type(cell.value).__name__} value cannot feed {input_name} ({expected.type_name})"
            if port is not None and not accepts(expected.type, port.type):
                return f"{port.type_name} cannot feed {input_name} ({expected.type_name})"
        return None

    def why_not_chain(self, writer_id: UUID, output: str, reader_id: UUID, input_name: str) -> str | None:
        """None when a new cell may carry `writer`'s output into `reader`'s input, else the reason."""
        writer, reader = self.find_step(writer_id), self.find_step(reader_id)
        if writer is None or reader is None:
            return "unknown step"
        if writer_id == reader_id or any(self._reaches(c, writer_id) for c in reader.outputs.values()):
            return "that would make a cycle"
        port = self.output_port(writer, output)
        for expected in self.input_ports(reader, input_name) if port is not None else ():
            if not accepts(expected.type, port.type):
                return f"{port.type_name} cannot feed {input_name} ({expected.type_name})"
        return None

    def _reaches(self, cell_id: UUID, step_id: UUID) -> bool:
        """Does the value of `cell_id` flow (through steps) into `step_id`?"""
        seen: set[UUID] = set()
        frontier = [cell_id]
        while frontier:
            cell = frontier.pop()
            for reader, _ in self.readers_of(cell):
                if reader.id == step_id:
                    return True
                if reader.id not in seen:
                    seen.add(reader.id)
                    frontier.extend(reader.outputs.values())
        return False

    def _reaches_step(self, step_id: UUID, cell_id: UUID) -> bool:
        """Does `step_id`'s output flow into `cell_id`'s producer (so reading it closes a loop)?"""
        producer = self.producer_of(cell_id)
        if producer is None:
            return False
        if producer[0].id == step_id:
            return True
        return any(self._reaches(out, producer[0].id) for out in self.find_step(step_id).outputs.values())
