"""The `fancy-studio` command: run a workflow headless, list functions, or open the studio.

Exit codes of `run`: 0 when every step succeeded, 1 when a step failed or was skipped (a function it needs
is not installed) or the run was interrupted, 2 when the file cannot be read or the workflow cannot run as
written. Problems are one line on stderr, never a traceback. Steps are named as the studio names them (their
own label, else their function's title); text that comes from the file is printed with its control
characters escaped, so a file cannot drive the terminal.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import signal
import sys
import threading
import unicodedata
from collections.abc import Iterator
from typing import Any, TextIO

from fancy_studio.cli_values import json_value, value_text
from fancy_studio.core.durations import duration_text

EXIT_OK, EXIT_STEP_FAILED, EXIT_BAD_INPUT = 0, 1, 2


def _run_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="fancy-studio run", description="Run a workflow file headless.")
    parser.add_argument("file", help="a workflow JSON file")
    parser.add_argument("--json", action="store_true", help="print the result as JSON on stdout")
    parser.add_argument("--workers", type=int, default=1, metavar="N",
                        help="run independent steps on N threads (default 1): faster for steps that release "
                             "the GIL (I/O, numpy, pandas); for pure-Python steps use --dask local:N")
    parser.add_argument("--quiet", "-q", action="store_true", help="no progress on stderr")
    parser.add_argument("--store", metavar="PATH",
                        help="keep results in this store file (SQLite) and reuse them on the next run")
    parser.add_argument("--no-cache", action="store_true",
                        help="run every step, even one whose stored result could be reused (it is still stored)")
    parser.add_argument("--isolate", action="store_true",
                        help="run the steps in a separate kernel process: a step that crashes, hangs past its "
                             "timeout or ignores Ctrl+C fails instead of taking the command down")
    parser.add_argument("--dask", metavar="TARGET",
                        help="run the steps on a Dask cluster: 'local' or 'local:N' starts one of N worker "
                             "processes (default: one per core) for this run; 'tcp://HOST:PORT' uses a running "
                             "scheduler (needs the dask extra: pip install 'fancy-studio[dask]')")
    parser.add_argument("--verbose", "-v", action="store_true",
                        help="more progress: with --dask, the worker that ran each step")
    _functions_option(parser)
    return parser


def _functions_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--functions", action="append", default=[], metavar="FILE",
                        help="load the @fancy_function's of this Python file first (repeatable); the "
                             "functions files a workflow names are never loaded without it")


def load_functions_files(paths: list[str], err: TextIO, *, quiet: bool = False) -> bool:
    """Load each `--functions` file; False (after one clear line) when one does not exist or is not a
    file. A problem inside a file (a syntax error, an import that fails) is a warning naming the file and
    line: the file's other functions still load, and a step that needs a missing one is skipped."""
    from fancy_studio.core.function_files import load_functions_file

    for name in paths:
        if not os.path.isfile(name):
            what = "is not a file" if os.path.exists(name) else "does not exist"
            print(f"fancy-studio: the functions file {terminal_text(name)} {what}", file=err)
            return False
    for name in paths:
        report = load_functions_file(name)
        for problem in report.problems:
            print(f"fancy-studio: warning: {terminal_text(problem)}", file=err)
        if not quiet and report.compiled:  # (one that did not compile was said just above)
            print(f"fancy-studio: {terminal_text(report.summary())}", file=err)
    return True


def _named_but_not_given(workflow: Any, path: str, given: list[str], err: TextIO) -> None:
    """When functions are missing, say which functions files the workflow names that were not given with
    `--functions` (they are never loaded on the workflow's word alone)."""
    from fancy_studio.core import registry
    from fancy_studio.core.function_files import named_files, resolve_named

    names = named_files(workflow.metadata)
    if not names:
        return
    steps = [*workflow.steps, *(step for definition in workflow.groups for step in definition.steps)]
    if all(step.group_id is not None or step.function_slug in registry for step in steps):
        return
    loaded = {os.path.realpath(name) for name in given}
    folder = os.path.dirname(os.path.abspath(path))
    missing = [name for name, resolved in zip(names, resolve_named(names, folder), strict=True)
               if str(resolved) not in loaded]
    if missing:
        print(f"fancy-studio: {terminal_text(path)} names functions files that were not given with "
              f"--functions: {', '.join(terminal_text(name) for name in missing)} (add --functions FILE "
              "for each to load it)", file=err)


_UNPRINTABLE = frozenset(("Cc", "Cf", "Zl", "Zp", "Cs"))
"""Unicode categories escaped before printing: control (escape sequences, carriage return, backspace),
format (bidirectional overrides that reorder what is shown), line and paragraph separators, surrogates."""


def terminal_text(text: object) -> str:
    """`text` as one safe line for a terminal: every control or format character shown as its escape."""
    text = str(text)
    if text.isprintable():  # the common case: nothing to do
        return text
    return "".join(ch.encode("unicode_escape").decode("ascii") if unicodedata.category(ch) in _UNPRINTABLE
                   else ch for ch in text)


def step_title(step: Any, registry: Any) -> str:
    """What the studio calls a step: its own label, else its function's title (the slug when the function
    is not installed)."""
    if step.label:
        return step.label
    function = registry.find(step.function_slug)
    return function.title if function is not None else step.function_slug


@contextlib.contextmanager
def _ctrl_c_cancels(cancel: Any, *, interrupt: bool = True) -> Iterator[None]:
    """While running, Ctrl+C cancels the run and then interrupts it (as Python's own handler would).

    The token is set first, so the engine can tell the user's Ctrl+C from a step's own
    `KeyboardInterrupt`: that one, raised while the token is not set, is the step's failure. With
    `interrupt=False` (a kernel runs the steps) it only cancels: the kernel stops, or is killed after its
    grace period."""
    if threading.current_thread() is not threading.main_thread():
        yield  # only the main thread may install a signal handler
        return

    def on_ctrl_c(signum: int, frame: object) -> None:
        cancel.cancel()
        if interrupt:
            raise KeyboardInterrupt

    previous = signal.signal(signal.SIGINT, on_ctrl_c)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


def run_command(argv: list[str], out: TextIO = sys.stdout, err: TextIO = sys.stderr) -> int:
    args = _run_parser().parse_args(argv)
    from fancy_studio.core import FancyError, load_workflow, registry

    try:
        workflow = load_workflow(args.file)
    except FancyError as exc:
        print(f"fancy-studio: {terminal_text(exc)}", file=err)
        return EXIT_BAD_INPUT
    if not load_functions_files(args.functions, err, quiet=args.quiet):
        return EXIT_BAD_INPUT
    _named_but_not_given(workflow, args.file, args.functions, err)
    for problem in registry.plugin_errors:
        print(f"fancy-studio: warning: {terminal_text(problem)}", file=err)
    spec = None
    if args.dask is not None:
        spec = _dask_spec(args.dask, err)
        if spec is None:
            return EXIT_BAD_INPUT
        if args.workers > 1:
            print("fancy-studio: warning: --workers does not apply with --dask (the cluster's workers run the "
                  "steps)", file=err)
    if args.isolate:
        return _run_isolated(workflow, args, out, err, spec)
    from fancy_studio.kernel.executors import ExecutorKeeper

    keeper = ExecutorKeeper()  # the cluster, reached (or started) before anything runs; stopped after
    try:
        executor = keeper.executor(spec)
    except FancyError as exc:  # an unreachable scheduler, a cluster that cannot start: one line
        print(f"fancy-studio: {terminal_text(exc)}", file=err)
        return EXIT_BAD_INPUT
    try:
        return _run_here(workflow, args, out, err, executor)
    finally:
        keeper.close()


def _dask_spec(target: str, err: TextIO) -> dict[str, Any] | None:
    """`--dask TARGET` as an executor description (see `kernel.executors`); None after one clear line
    when Dask is not installed or the target is not one."""
    from fancy_studio.core import FancyError
    from fancy_studio.kernel import executors

    if not executors.dask_installed():
        print(f"fancy-studio: --dask needs Dask, which is not installed: {executors.INSTALL_HINT}", file=err)
        return None
    from fancy_studio.core.dask.cluster import parse_dask_target

    try:
        parsed = parse_dask_target(target)
    except FancyError as exc:
        print(f"fancy-studio: --dask: {terminal_text(exc)}", file=err)
        return None
    if parsed.address is not None:
        return executors.scheduler(parsed.address)
    return executors.local_cluster(parsed.workers)


def _run_here(workflow: Any, args: argparse.Namespace, out: TextIO, err: TextIO, executor: Any) -> int:
    """Run in this process (on `executor` when given: a Dask cluster)."""
    from fancy_studio.core import InMemoryStore

    if args.store is not None:
        from fancy_studio.core import SqliteStore

        try:
            store: Any = SqliteStore(args.store)
        except Exception as exc:  # not a store file, no permission, a full disk: one clear line
            print(f"fancy-studio: cannot open the store {terminal_text(args.store)}: {terminal_text(exc)}",
                  file=err)
            return EXIT_BAD_INPUT
    else:
        store = InMemoryStore()
    with contextlib.closing(store) if hasattr(store, "close") else contextlib.nullcontext():
        from fancy_studio.core import Engine

        def execute(callbacks: Any, cancel: Any) -> Any:
            with _ctrl_c_cancels(cancel):
                return Engine(store, executor=executor).run(
                    workflow, callbacks=callbacks, max_workers=max(1, args.workers), cancel=cancel,
                    reuse=not args.no_cache, folder=_folder_of(args.file))

        return _run_on(execute, lambda: contextlib.nullcontext(store), workflow, args, out, err)


def _folder_of(file: str) -> str:
    """Where the workflow's relative paths point: its file's folder (see `core.paths`)."""
    return os.path.dirname(os.path.abspath(file))


def _run_isolated(workflow: Any, args: argparse.Namespace, out: TextIO, err: TextIO,
                  executor: dict[str, Any] | None = None) -> int:
    """`--isolate`: the steps run in a kernel; the outputs are read back from the store it wrote (a
    temporary one without `--store`). `--workers` does not apply: a kernel runs one step at a time. With
    `--dask`, the kernel is the cluster's client (`executor` describes the cluster: see `kernel.executors`);
    a scheduler it cannot reach is a `KernelError`, one line, exit 2."""
    import tempfile

    from fancy_studio.core import SqliteStore
    from fancy_studio.kernel import Kernel, KernelError

    with tempfile.TemporaryDirectory(prefix="fancy-studio-run-") as folder:
        path = args.store if args.store is not None else os.path.join(folder, "run.fancystore")
        kernel = Kernel()
        kernel.start()

        def execute(callbacks: Any, cancel: Any) -> Any:
            with _ctrl_c_cancels(cancel, interrupt=False):
                return kernel.run(workflow, store_path=path, callbacks=callbacks, cancel=cancel,
                                  folder=_folder_of(args.file), reuse=not args.no_cache, executor=executor)

        try:
            return _run_on(execute, lambda: contextlib.closing(SqliteStore(path)), workflow, args, out, err)
        except KernelError as exc:
            print(f"fancy-studio: {terminal_text(exc)}", file=err)
            return EXIT_BAD_INPUT
        except Exception as exc:  # the store the kernel wrote cannot be read back
            print(f"fancy-studio: cannot read the store {terminal_text(path)}: {terminal_text(exc)}", file=err)
            return EXIT_BAD_INPUT
        finally:
            kernel.shutdown()


def _run_on(execute: Any, reading: Any, workflow: Any, args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    """Run with `execute(callbacks, cancel)`, then report, reading the outputs from `reading()`'s store. A
    workflow with groups is reported as it runs, flattened: a step inside a group is named by the groups it
    is in ("Adder › Increment")."""
    from fancy_studio.core import CancelToken, FancyError, RunCallbacks, StepStatus, registry
    from fancy_studio.core.groups import flatten

    try:
        flattened = flatten(workflow)
    except FancyError:
        flattened = None  # the run says what is wrong with its groups
    else:
        workflow = flattened.workflow
    total = len(workflow.steps)
    titles: dict[Any, str] = {}

    def title(step: Any) -> str:
        name = titles.get(step.id)
        if name is None:
            name = step_title(step, registry)
            if flattened is not None and step.id in flattened.step_paths:
                groups = [instance.label or definition.name for instance, definition in flattened.instances(step.id)]
                name = " › ".join([*groups, name])
            name = titles[step.id] = terminal_text(name)
        return name

    def where(step: Any) -> str:
        """The slug and short id, to find the step by (in the file, or with the studio's Find)."""
        return f"({terminal_text(step.function_slug)}, {str(step.id)[:8]})"

    def started(step: Any) -> None:
        if not args.quiet:
            print(f"… {title(step)}", file=err, flush=True)

    workers: dict[Any, str] = {}
    """The Dask worker that ran each step (told before the step's end), named with `--verbose`."""

    def finished(step: Any, seconds: float) -> None:
        if not args.quiet:
            worker = workers.get(step.id) if getattr(args, "verbose", False) else None
            on = f", worker {terminal_text(worker.split('://', 1)[-1])}" if worker else ""
            print(f"✓ {title(step)} ({duration_text(seconds)}{on})", file=err, flush=True)

    def failed(step: Any, error: Any) -> None:
        print(f"✗ {title(step)} {where(step)}: {terminal_text(error)}", file=err, flush=True)

    def cached(step: Any) -> None:
        if not args.quiet:
            print(f"✓ {title(step)} (cached)", file=err, flush=True)

    def bypassed(step: Any) -> None:
        if not args.quiet:
            print(f"↷ {title(step)} (bypassed)", file=err, flush=True)

    callbacks = RunCallbacks(on_step_started=started, on_step_finished=finished, on_step_failed=failed,
                             on_step_cached=cached, on_step_bypassed=bypassed,
                             on_step_placed=lambda step, address: workers.__setitem__(step.id, address))
    cancel = CancelToken()
    try:
        result = execute(callbacks, cancel)
    except FancyError as exc:
        print(f"fancy-studio: {terminal_text(args.file)}: {terminal_text(exc)}", file=err)
        return EXIT_BAD_INPUT
    except KeyboardInterrupt:  # Ctrl+C outside a step (between steps, in the parallel run's wait)
        print("fancy-studio: interrupted", file=err)
        return EXIT_STEP_FAILED
    if result.cancelled:
        print("fancy-studio: interrupted", file=err)
    if result.skip_reasons:
        steps = {step.id: step for step in workflow.steps}
        for step_id, reason in result.skip_reasons.items():
            if result.step_status[step_id] is StepStatus.SKIPPED:  # (a bypassed step was told as it went)
                step = steps[step_id]
                print(f"– {title(step)} {where(step)}: skipped: {terminal_text(reason)}", file=err)

    read = {cell for step in workflow.steps for cell in step.inputs.values()}
    outputs = [cell_id for step in workflow.steps for cell_id in step.outputs.values() if cell_id not in read]
    with reading() as store:
        shown = [store.get(cell_id) for cell_id in outputs if cell_id in store]
    if args.json:
        payload = {
            "ok": result.ok,
            "duration": result.duration,
            "steps": {
                str(step_id): {
                    "status": status.value,
                    "seconds": result.timings.get(step_id),
                    "error": str(result.errors[step_id]) if step_id in result.errors else None,
                    "reason": result.skip_reasons.get(step_id),
                }
                for step_id, status in result.step_status.items()
            },
            "outputs": [{"id": str(c.id), "alias": c.alias, "value": json_value(c.value)} for c in shown],
        }
        json.dump(payload, out, indent=2, allow_nan=False)  # always valid JSON: see cli_values
        out.write("\n")
    else:
        for cell in shown:
            print(f"{terminal_text(cell.alias or cell.id)} = {terminal_text(value_text(cell.value))}", file=out)
        if not args.quiet:
            summary = ", ".join(
                f"{result.count(s)} {s.value}" for s in StepStatus if result.count(s) and s is not StepStatus.PENDING
            )
            print(f"{total} steps: {summary} in {duration_text(result.duration)}", file=err)
    return EXIT_OK if result.ok else EXIT_STEP_FAILED


def functions_command(argv: list[str], out: TextIO = sys.stdout) -> int:
    parser = argparse.ArgumentParser(prog="fancy-studio functions", description="List the registered functions.")
    parser.add_argument("--json", action="store_true")
    _functions_option(parser)
    args = parser.parse_args(argv)
    from fancy_studio.core import registry

    if not load_functions_files(args.functions, sys.stderr, quiet=True):
        return EXIT_BAD_INPUT

    if args.json:
        json.dump([
            {"slug": f.slug, "title": f.title, "category": f.category, "description": f.description,
             "inputs": [{"name": p.name, "type": p.type_name, "required": p.required} for p in f.inputs],
             "outputs": [{"name": p.name, "type": p.type_name} for p in f.outputs]}
            for f in registry
        ], out, indent=2)
        out.write("\n")
        return EXIT_OK
    category = None
    for function in registry:
        if function.category != category:
            category = function.category
            print(f"{terminal_text(category)}:", file=out)
        # titles, categories and type names come from plugins: escaped like text from a file
        inputs = ", ".join(f"{p.name}: {p.type_name}" for p in function.inputs)
        outputs = ", ".join(f"{p.name}: {p.type_name}" for p in function.outputs)
        print(f"  {terminal_text(function.slug):24} {terminal_text(function.title)} "
              f"({terminal_text(inputs)}) -> {terminal_text(outputs)}", file=out)
    return EXIT_OK


def studio_command(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="fancy-studio", description="Open the studio (or: run FILE, functions).")
    parser.add_argument("file", nargs="?", help="a workflow file to open")
    _functions_option(parser)
    args = parser.parse_args(argv)
    for name in args.functions:  # a problem inside a file is the studio's to show; a missing file is ours
        if not os.path.isfile(name):
            print(f"fancy-studio: the functions file {terminal_text(name)} does not exist", file=sys.stderr)
            return EXIT_BAD_INPUT
    from fancy_studio.gui.window.platform_check import platform_problem

    if (problem := platform_problem()) is not None:  # one clear line, not Qt's abort
        print(problem, file=sys.stderr)
        return EXIT_BAD_INPUT
    try:
        from fancy_studio.gui.app import main as studio_main  # type: ignore[import-not-found]
    except ImportError:
        print("fancy-studio: the studio window is not built yet; use 'fancy-studio run FILE' "
              "to run a workflow and 'fancy-studio functions' to list functions", file=sys.stderr)
        return EXIT_BAD_INPUT
    return int(studio_main([args.file] if args.file else [], functions_files=args.functions))


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv and argv[0] == "run":
        return run_command(argv[1:])
    if argv and argv[0] == "functions":
        return functions_command(argv[1:])
    return studio_command(argv)


if __name__ == "__main__":
    raise SystemExit(main())
