"""A value no file can hold (NaN put into a cell's list in place, past the model's checks) must not break
the recovery writer's timer: it writes nothing, keeps the last good copy, and tries again on the next edit."""

from __future__ import annotations

import json
import math
import shutil

from fancy_studio.core import parse_workflow
from fancy_studio.gui.document.document import WorkflowDocument
from fancy_studio.gui.window.recovery import RecoveryWriter
from tests.example_ids import CELSIUS, EXAMPLE, MULTIPLY


def test_a_value_no_file_can_hold_leaves_the_last_recovery_copy_and_editing_goes_on(qtbot, tmp_path):
    mine = tmp_path / "temperature.json"
    shutil.copyfile(EXAMPLE, mine)
    document = WorkflowDocument()
    document.open(mine)
    writer = RecoveryWriter(document, parent=document)
    document.move_nodes({MULTIPLY: (10.0, 20.0)})
    writer.write()
    kept = json.loads(writer.file.read_text(encoding="utf-8"))["workflow"]
    assert parse_workflow(kept).layout[MULTIPLY].x == 10.0

    cell = next(c for c in document.workflow.cells if c.id == CELSIUS)
    cell.__dict__["value"] = [1.0, math.nan]  # in place, as a function's mutable result could
    document.move_nodes({MULTIPLY: (30.0, 20.0)})
    writer.write()  # raised UnsavableValueError out of the timer's slot before

    still = json.loads(writer.file.read_text(encoding="utf-8"))["workflow"]
    assert parse_workflow(still).layout[MULTIPLY].x == 10.0  # the last good copy is kept

    cell.__dict__["value"] = 21.5
    document.move_nodes({MULTIPLY: (40.0, 20.0)})
    writer.write()
    assert parse_workflow(json.loads(writer.file.read_text(encoding="utf-8"))["workflow"]).layout[MULTIPLY].x == 40.0
    writer.discard()
