"""Bypassed steps: not called; a value passes through them instead, as through a muted node in Blender.

A bypassed step's first input whose type is that of one of its outputs passes its value (the wired cell's,
else the step's param, else the function's default) to the first such output. Its other outputs get no
value: the steps that read them are skipped, as after a failure, with the reason why. A step is never
half-bypassed: the choice is made from the function's ports alone, when the plan is compiled.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from fancy_studio.core.functions import REQUIRED, FancyFunction
from fancy_studio.core.params import fresh
from fancy_studio.core.run_types import StepStatus

if TYPE_CHECKING:
    from fancy_studio.core.step_run import StepRun
    from fancy_studio.core.validation import CompiledStep

NO_PASS_THROUGH = "bypassed: no input of the output's type"


def _same_type(a: Any, b: Any) -> bool:
    try:
        return bool(a == b)
    except Exception:  # noqa: BLE001 - a hint with an odd __eq__
        return a is b


def pass_through(function: FancyFunction) -> tuple[str, str] | None:
    """(input, output) for a bypassed call of `function`: the first input (in signature order) whose type
    hint is that of an output, and the first output of that type; None when no input has one."""
    for port in function.inputs:
        for output in function.outputs:
            if _same_type(port.type, output.type):
                return port.name, output.name
    return None


def bypass_step(run: StepRun, compiled: CompiledStep) -> None:
    """Pass the bypassed step's value on (see the module docstring); skip it instead when the input it
    passes on will never be written (a failure or skip before it)."""
    step, function = compiled[0], compiled[1]
    pair = run.plan.bypassed.get(step.id)
    title = step.label or function.title
    reason = NO_PASS_THROUGH
    target = None
    if pair is not None:
        source, target = pair
        cell_id = step.inputs.get(source)
        if cell_id is not None and cell_id.int in run.blocked:
            run.skip(step)
            return
        target_cell = step.outputs.get(target)
        reason = f"bypassed: input '{source}' passes through to output '{target}'"
        if target_cell is not None:
            try:
                value = _passed_value(run, compiled, source)
                run.store.put(value, _alias(compiled, target), id=target_cell, produced_by=step.id)
            except BaseException as exc:  # an input the store cannot give, a value it cannot keep
                if not run.interrupted(exc):
                    run.fail(step, function, exc, 0.0, record_timing=False)
                return
    lost = {name: cell for name, cell in step.outputs.items() if name != target}
    with run.lock:
        run.status[step.id] = StepStatus.BYPASSED
        run.skip_reasons[step.id] = reason
        for name, cell in lost.items():
            run.blocked.add(cell.int)
            run.missing[cell.int] = (f"depends on step '{title}', which is bypassed and passes nothing to its "
                                     f"output '{name}' ({NO_PASS_THROUGH})")
    run.report_not_called(step, run.callbacks.on_step_bypassed)


def _passed_value(run: StepRun, compiled: CompiledStep, source: str) -> Any:
    step = compiled[0]
    cell_id = step.inputs.get(source)
    if cell_id is not None:
        value_of = run.value_of
        return value_of(cell_id) if value_of is not None else run.store.get(cell_id).value
    kind, keys = compiled[4], compiled[5]
    from fancy_studio.core.validation import CALL_PARAMS

    if kind == CALL_PARAMS and source in keys[1]:
        return fresh({source: keys[1][source]})[source]
    default = compiled[1].input_ports[source].default
    return None if default is REQUIRED else default


def _alias(compiled: CompiledStep, output: str) -> str | None:
    named = compiled[9]
    if named is None:
        return compiled[8]
    return next((alias for name, _key, _cell, alias in named if name == output), None)
