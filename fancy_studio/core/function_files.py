"""Functions files: a user's `.py` file of `@fancy_function`s, loaded by the studio or `fancy-studio run`.

A file is executed as a module of its own, named after its resolved path (`module_name`), so loading it
again replaces the functions it registered before (the registry refuses a slug only when another origin
holds it) and the functions it no longer defines are unregistered. It is executed one top-level statement
at a time: a statement that fails (an `import` of a package that is not installed, a decorator that
refuses a slug) is reported with the file and line and skipped, and the rest of the file still loads. A
file Python cannot compile (a syntax error) loads nothing: the problem names the file, the line and the
offending text, and what the file had registered before is unregistered (the registry reflects the file
as it is).

The module is registered with cloudpickle to be pickled *by value*: the kernel cannot import it by name,
so the functions are sent to it with their code (see `kernel/shipping.py`). A file's functions are
versioned by the file's content (`file_version`): after an edit and a reload, their results are computed
again.

A workflow names the files it needs in its metadata (`FUNCTIONS_FILES_KEY`, paths relative to the
workflow file): reading those names never loads anything; the caller decides (the studio asks, `run`
loads only what `--functions` gives).
"""

from __future__ import annotations
import __future__

import ast
import hashlib
import importlib.util
import os
import re
import sys
import types
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path, PurePosixPath
from typing import Any

from fancy_studio.core.functions import FunctionRegistry
from fancy_studio.core.functions import registry as default_registry

FUNCTIONS_FILES_KEY = "functions_files"
"""The workflow metadata key that lists the functions files it needs: paths relative to the workflow's
folder, with forward slashes (a list of strings; anything else there is ignored)."""
MODULE_PREFIX = "fancy_functions_file_"
MAX_FILE_BYTES = 16 * 1024 * 1024
"""A functions file larger than this is refused (source code, not data)."""


@dataclass(frozen=True)
class FileProblem:
    """One thing that went wrong loading a file: where (file and line, when known) and what."""

    path: Path
    line: int | None
    message: str
    text: str = ""
    """The offending line of the file, stripped (empty when unknown)."""

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}" if self.line is not None else str(self.path)
        shown = f" — `{self.text}`" if self.text else ""
        return f"{where}: {self.message}{shown}"


@dataclass(frozen=True)
class LoadReport:
    """What loading one file did: the slugs it registered, those it no longer defines (unregistered),
    and the problems met."""

    path: Path
    loaded: tuple[str, ...] = ()
    removed: tuple[str, ...] = ()
    problems: tuple[FileProblem, ...] = ()
    compiled: bool = True
    """False when the file could not be read or compiled: nothing from it loaded."""
    changed: frozenset[str] = field(default=frozenset())
    """Every slug whose function is new, replaced or gone: what a canvas showing them must redraw."""

    @property
    def ok(self) -> bool:
        return not self.problems

    def summary(self) -> str:
        """One line for a status bar or a terminal."""
        name = self.path.name
        if not self.compiled:
            return f"{name}: nothing loaded ({self.problems[0].message})"
        count = len(self.loaded)
        text = f"{name}: {count} function{'s' if count != 1 else ''} loaded"
        if self.problems:
            text += f", {len(self.problems)} problem{'s' if len(self.problems) != 1 else ''}"
        return text


def module_name(path: str | os.PathLike[str]) -> str:
    """The module a file is loaded as: stable for one resolved path, distinct for two."""
    resolved = str(Path(path).resolve())
    stem = re.sub(r"\W", "_", Path(resolved).stem.lower())[:40] or "file"
    digest = hashlib.blake2b(resolved.encode("utf-8", "surrogatepass"), digest_size=6).hexdigest()
    return f"{MODULE_PREFIX}{stem}_{digest}"


def file_version(source: str) -> str:
    """The version a file's functions keep their results under (unless one gives its own `version=`): a
    hash of the whole file, so any edit (to the function, a helper it calls, a constant it reads) has
    its results computed again, and the studio and the kernel agree on it."""
    digest = hashlib.blake2b(source.encode("utf-8", "surrogatepass"), digest_size=12).hexdigest()
    return f"file-{digest}"


def slugs_from(path: str | os.PathLike[str], registry: FunctionRegistry = default_registry) -> list[str]:
    """The slugs `path`'s last load registered (and still holds), sorted."""
    name = module_name(path)
    return sorted(f.slug for f in registry if getattr(f.func, "__module__", None) == name)


def load_functions_file(path: str | os.PathLike[str],
                        registry: FunctionRegistry = default_registry) -> LoadReport:
    """Load (or load again) the functions file at `path` into `registry`; never raises for a problem of
    the file's (see the module docstring): the report says what loaded and what went wrong where."""
    path = Path(path).expanduser().resolve()
    name = module_name(path)
    before = {f.slug: f for f in registry if getattr(f.func, "__module__", None) == name}
    source, problem = _read(path)
    code = None
    if problem is None:
        code, problem = _compile(path, source)
    if problem is not None:  # nothing loads: what the file registered before goes too
        for slug in before:
            registry.unregister(slug)
        _forget_module(name)
        return LoadReport(path, removed=tuple(sorted(before)), problems=(problem,), compiled=False,
                          changed=frozenset(before))
    for slug in before:  # the file as it is now registers its own (a function renamed keeps its slug)
        registry.unregister(slug)
    module = _new_module(name, path, code)
    problems = _execute(module, path, source, code)
    fresh = {f.slug for f in registry if getattr(f.func, "__module__", None) == name}
    version = file_version(source)
    for slug in fresh:
        function = registry.get(slug)
        if function.pinned_version is None:
            registry.register(replace(function, pinned_version=version))
    return LoadReport(path, loaded=tuple(sorted(fresh)), removed=tuple(sorted(set(before) - fresh)),
                      problems=tuple(problems), changed=frozenset(fresh) | frozenset(before))


def unload_functions_file(path: str | os.PathLike[str],
                          registry: FunctionRegistry = default_registry) -> list[str]:
    """Unregister every function `path` registered; the slugs that went."""
    name = module_name(path)
    gone = slugs_from(path, registry)
    for slug in gone:
        registry.unregister(slug)
    _forget_module(name)
    return gone


# --- reading and compiling -------------------------------------------------------------------------


def _read(path: Path) -> tuple[str, FileProblem | None]:
    try:
        if not path.is_file():
            what = "is a folder, not a Python file" if path.is_dir() else "does not exist"
            return "", FileProblem(path, None, f"the functions file {what}")
        if path.stat().st_size > MAX_FILE_BYTES:
            return "", FileProblem(path, None, f"the file is larger than {MAX_FILE_BYTES // 2**20} MB: "
                                               "not a functions file")
        data = path.read_bytes()
    except OSError as exc:
        return "", FileProblem(path, None, f"cannot read the file: {exc.strerror or exc}")
    try:
        return importlib.util.decode_source(data), None  # honours an encoding declaration, as import does
    except (UnicodeDecodeError, SyntaxError, LookupError) as exc:
        return "", FileProblem(path, None, f"cannot decode the file: {exc}")


def _compile(path: Path, source: str) -> tuple[ast.Module | None, FileProblem | None]:
    """The file's syntax tree, or the problem that keeps Python from compiling it (found by compiling the
    whole file first: a misplaced `from __future__`, a `return` outside a function are found there)."""
    try:
        compile(source, str(path), "exec", dont_inherit=True)
        return ast.parse(source, str(path)), None
    except SyntaxError as exc:
        text = (exc.text or "").strip()
        message = f"{type(exc).__name__}: {exc.msg}; nothing from this file was loaded"
        return None, FileProblem(path, exc.lineno, message, text)
    except ValueError as exc:  # null bytes in the source (3.11)
        return None, FileProblem(path, None, f"cannot compile the file: {exc}; nothing from it was loaded")


# --- executing ---------------------------------------------------------------------------------------


def _new_module(name: str, path: Path, tree: ast.Module) -> types.ModuleType:
    """A fresh module for the file, in `sys.modules` (dataclasses and `typing.get_type_hints` look the
    module up there) and registered with cloudpickle to travel by value."""
    module = types.ModuleType(name, ast.get_docstring(tree))
    module.__file__ = str(path)
    _forget_module(name)
    sys.modules[name] = module
    import cloudpickle

    cloudpickle.register_pickle_by_value(module)
    return module


def _forget_module(name: str) -> None:
    module = sys.modules.pop(name, None)
    if module is not None:
        import cloudpickle

        try:
            cloudpickle.unregister_pickle_by_value(module)
        except ValueError:
            pass  # it was never registered


def _execute(module: types.ModuleType, path: Path, source: str, tree: ast.Module) -> list[FileProblem]:
    """Run the file's top-level statements one by one; a failing one is reported and skipped."""
    lines = source.splitlines()
    flags = 0
    problems: list[FileProblem] = []
    for statement in tree.body:
        if isinstance(statement, ast.ImportFrom) and statement.module == "__future__":
            for alias in statement.names:
                feature = getattr(__future__, alias.name, None)
                flags |= getattr(feature, "compiler_flag", 0)
        code = compile(ast.Module(body=[statement], type_ignores=[]), str(path), "exec", flags=flags,
                       dont_inherit=True)
        start = min([statement.lineno, *(d.lineno for d in getattr(statement, "decorator_list", ()))])
        try:
            exec(code, module.__dict__)  # noqa: S102 - the user's own file, loaded at their request
        except (Exception, SystemExit) as exc:  # noqa: BLE001 - any failure is the file's, reported
            line = _failing_line(exc, str(path)) or start
            text = lines[line - 1].strip() if 0 < line <= len(lines) else ""
            message = f"{type(exc).__name__}: {exc}".rstrip(": ")
            problems.append(FileProblem(path, line, f"{message}; the statement at line {start} "
                                                    "was skipped", text))
    return problems


def _failing_line(exc: BaseException, filename: str) -> int | None:
    """The line of the file the exception came through last (the deepest frame in the file)."""
    line = None
    tb = exc.__traceback__
    while tb is not None:
        if tb.tb_frame.f_code.co_filename == filename:
            line = tb.tb_lineno
        tb = tb.tb_next
    return line


# --- the files a workflow names ----------------------------------------------------------------------


def named_files(metadata: Mapping[str, Any]) -> list[str]:
    """The functions files a workflow's metadata names, as written (strings only, no duplicates)."""
    value = metadata.get(FUNCTIONS_FILES_KEY)
    if not isinstance(value, list):
        return []
    seen: list[str] = []
    for item in value:
        if isinstance(item, str) and item.strip() and item not in seen:
            seen.append(item)
    return seen


def resolve_named(names: Iterable[str], folder: str | os.PathLike[str] | None) -> list[Path]:
    """The named files as absolute paths: a relative name from `folder`, the workflow file's folder (the
    current folder when the workflow has none)."""
    base = Path(folder if folder is not None else os.curdir).resolve()
    return [(base / Path(PurePosixPath(name))).resolve() for name in names]


def name_for(functions_file: str | os.PathLike[str], folder: str | os.PathLike[str] | None) -> str:
    """How a workflow in `folder` names `functions_file`: relative to the folder, forward slashes; the
    absolute path for a workflow with no folder yet (made relative when it is saved, see `rebased`) or
    when there is no relative path (another drive on Windows)."""
    target = Path(functions_file).resolve()
    if folder is None:
        return target.as_posix()
    try:
        return Path(os.path.relpath(target, Path(folder).resolve())).as_posix()
    except ValueError:
        return target.as_posix()


def rebased(metadata: Mapping[str, Any], old_folder: str | os.PathLike[str] | None,
            new_folder: str | os.PathLike[str]) -> list[str] | None:
    """The metadata's functions files named from `new_folder` (a Save As elsewhere), or None when there
    is nothing to change."""
    names = named_files(metadata)
    if not names:
        return None
    moved = [name_for(path, new_folder) for path in resolve_named(names, old_folder)]
    return None if moved == names else moved


def with_named(metadata: Mapping[str, Any], name: str) -> list[str]:
    """The metadata's list of functions files with `name` added (at the end, once)."""
    names = named_files(metadata)
    return names if name in names else [*names, name]
