"""What the inspector says about a group's node: its name, what is inside, its ports and parameters."""

from __future__ import annotations

import html
from typing import Any

from fancy_studio.core import WorkflowStep


def group_html(document: Any, step: WorkflowStep, run_status: Any = None) -> str:
    """The inspector's text for a group instance (a missing definition says so)."""
    esc = html.escape
    definition = document.definition_of(step)
    if definition is None:
        return (f"<b>{esc(step.label or 'Missing group')}</b><br><code>{esc(step.function_slug)}</code>"
                "<p style='color:#d33'>This group's definition is not in the workflow: the node keeps its "
                "wiring but cannot run.</p>")
    count = len(definition.steps)
    others = len(document.instances_of(definition.id)) - 1
    rows = [f"<b>{esc(step.label or definition.name)}</b><br><i>group '{esc(definition.name)}'</i>",
            f"<p>{count} step{'s' if count != 1 else ''} inside"
            + (f"; used {others} more time{'s' if others != 1 else ''} in this workflow (editing the group "
               "edits every one)" if others > 0 else "") + ". Double-click or Tab opens it.</p>"]
    if definition.description:
        rows.append(f"<p>{esc(definition.description)}</p>")
    for title, names in (("Inputs", definition.inputs), ("Outputs", definition.outputs),
                         ("Parameters", definition.params)):
        if names:
            rows.append(f"<p><b>{title}</b></p><ul>")
            for name in names:
                value = f" = {esc(repr(step.params[name]))}" if name in step.params else ""
                rows.append(f"<li>{esc(name)}{value}</li>")
            rows.append("</ul>")
    if run_status is not None:
        from fancy_studio.gui.panels.inspector import last_run_html

        rows.append(last_run_html(run_status.info(step.id)))
    return "".join(rows)
