"""How the canvas shows a run: node states and computed values caught up in slices, spinners turning.

A mixin of `WorkflowScene` (`scene.py`), kept apart so each file holds one concern: the run's news
arrives as lists of step ids from the `RunStatusModel`; the scene repaints those nodes (and the cells a
finished step computed) for at most `RUN_SLICE_SECONDS` per event-loop turn, at most every
`RUN_REPAINT_MS` while steps still run, so a 10,000-step run never freezes the window while the canvas
catches up.
"""

from __future__ import annotations

import time
from typing import Any
from uuid import UUID

from fancy_studio.gui.run.status import RunStatusModel, StepState

RUN_REPAINT_MS = 100
"""While a run goes, the canvas catches up with its events at most this often (ten times a second is
enough to watch; a run shorter than this is painted once, when it ends)."""
RUN_SLICE_SECONDS = 0.008
"""How long one event-loop turn may spend repainting nodes after a run batch. A time, not a count: what a
node costs varies a hundredfold (a computed cell reads its value from the store file, which a loaded
machine or a busy disk slows down), and a count of 1,500 nodes once took 340 ms in one turn."""
CLOCK_EVERY = 32
"""Nodes between two looks at the clock (reading it costs more than a cheap node)."""


class RunDrawing:
    """The run-state half of `WorkflowScene` (which sets every attribute used here)."""

    run_status: Any
    document: Any

    def set_run_status(self, status: RunStatusModel) -> None:
        """Draw run states and computed values from `status` from now on."""
        self.run_status = status
        status.changed.connect(self._on_run_changed)

    def _on_run_changed(self, step_ids: list[UUID]) -> None:
        self._dirty_steps.extend(step_ids)
        self._generation += 1  # what was shown before this news may be out of date again
        self._schedule_catch_up()

    def _schedule_catch_up(self) -> None:
        """While steps still run, catch up at most every RUN_REPAINT_MS: each slice of Python work here
        takes the GIL from the run's thread. Once the run is over, catch up at once."""
        interval = RUN_REPAINT_MS if self.run_status.active else 0
        timer = self._dirty_timer
        if (self._dirty_steps or self._dirty_cells) and (not timer.isActive() or timer.interval() > interval):
            timer.start(interval)

    def _show_run_changes(self) -> None:
        """Repaint nodes whose run state or value changed, for at most `RUN_SLICE_SECONDS` per event-loop turn.

        A 10,000-step run can change every node within one batch; doing them in slices keeps the event
        loop turning (no long freeze) while the canvas catches up.
        """
        deadline = time.perf_counter() + RUN_SLICE_SECONDS
        budget = CLOCK_EVERY
        nodes, status, running = self._nodes, self.run_status, self._running_ids
        steps, cells = self._dirty_steps, self._dirty_cells
        find_step = self.document.find_step
        generation = self._generation
        blocks = self.blocks
        while steps and budget:
            step_id = steps.pop()
            item = nodes.get(step_id)
            if item is not None:
                if item.shown_generation == generation:
                    continue  # a duplicate (started, then done): already shown as it is now
                item.shown_generation = generation
                item.show_run_state()
                if blocks is not None:
                    blocks.node_changed(item)
            budget -= 1
            if not budget:
                budget = CLOCK_EVERY if time.perf_counter() < deadline else 0
            state = status.state(step_id)
            if state is StepState.RUNNING:
                running.add(step_id)
            else:
                running.discard(step_id)
                if state in (StepState.DONE, StepState.CACHED, StepState.BYPASSED) and (step := find_step(step_id)) is not None:
                    cells.extend(step.outputs.values())  # their values are in the store now
        while cells and budget:
            cell_id = cells.pop()
            item = nodes.get(cell_id)
            if item is not None:
                if item.shown_generation == generation:
                    continue
                item.shown_generation = generation
                item.show_run_state()
            budget -= 1
            if not budget:
                budget = CLOCK_EVERY if time.perf_counter() < deadline else 0
        self._schedule_catch_up()
        if running and not self._spinner.isActive():
            self._spinner.start()
        elif not running:
            self._spinner.stop()

    def _turn_spinners(self) -> None:
        self.spinner_phase = (self.spinner_phase + 1) % 12
        for step_id in self._running_ids:
            if (item := self._nodes.get(step_id)) is not None:
                item.update()
