"""Functions files (issue 14): a user's .py file of @fancy_functions, loaded, reported, reloaded."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from fancy_studio.core import Engine, InMemoryStore, Workflow, load_workflow, registry, save_workflow
from fancy_studio.core.function_files import (
    FUNCTIONS_FILES_KEY,
    load_functions_file,
    module_name,
    name_for,
    named_files,
    rebased,
    resolve_named,
    slugs_from,
    unload_functions_file,
    with_named,
)
from tests.core.helpers import step

GOOD = '''\
"""Sales helpers."""
from __future__ import annotations

from typing import NamedTuple

from fancy_studio.core import fancy_function


class Bounds(NamedTuple):
    low: int
    high: int


@fancy_function("mine.double")
def double(x: int) -> int:
    """Twice x."""
    return x * 2


@fancy_function("mine.bounds")
def bounds(x: int, spread: int = 1) -> Bounds:
    return Bounds(x - spread, x + spread)
'''

BROKEN = '''\
from fancy_studio.core import fancy_function


@fancy_function("broken.half")
def half(x: float) -> float:
    return x /
'''


@pytest.fixture
def files(tmp_path):
    """Write files into tmp_path; every file written is unloaded afterwards (the registry is global)."""
    written: list[Path] = []

    def write(name: str, text: str) -> Path:
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text), encoding="utf-8")
        written.append(path)
        return path

    yield write
    for path in written:
        unload_functions_file(path)


def test_a_file_with_a_syntax_error_beside_a_good_one_the_good_one_loads(files):
    good, bad = files("good.py", GOOD), files("bad.py", BROKEN)
    good_report = load_functions_file(good)
    bad_report = load_functions_file(bad)

    assert good_report.ok and good_report.loaded == ("mine.bounds", "mine.double")
    assert registry.get("mine.double")(x=21) == 42
    assert registry.get("mine.double").description == "Twice x."
    assert [p.name for p in registry.get("mine.bounds").outputs] == ["low", "high"]

    assert not bad_report.compiled and bad_report.loaded == ()
    [problem] = bad_report.problems
    assert problem.path == bad.resolve() and problem.line == 6 and problem.text == "return x /"
    assert "SyntaxError" in problem.message and "nothing from this file was loaded" in problem.message
    assert str(problem).startswith(f"{bad.resolve()}:6: SyntaxError")
    assert "broken.half" not in registry


def test_a_failing_import_is_reported_with_its_line_and_the_rest_of_the_file_loads(files):
    path = files("needs.py", '''\
        from fancy_studio.core import fancy_function
        import surely_not_an_installed_package_xyz

        @fancy_function("needs.triple")
        def triple(x: int) -> int:
            return 3 * x
        ''')
    report = load_functions_file(path)
    assert report.compiled and report.loaded == ("needs.triple",)
    [problem] = report.problems
    assert problem.line == 2 and problem.text == "import surely_not_an_installed_package_xyz"
    assert "No module named 'surely_not_an_installed_package_xyz'" in problem.message
    assert registry.get("needs.triple")(x=2) == 6


def test_a_decorator_that_refuses_is_reported_at_the_decorator_and_the_builtin_is_kept(files):
    builtin = registry.get("math.increment")
    path = files("clash.py", '''\
        from fancy_studio.core import fancy_function

        @fancy_function("mine.fine")
        def fine(x: int) -> int:
            return x

        @fancy_function("math.increment")
        def increment(x: int) -> int:
            return x + 100

        @fancy_function("Not A Slug")
        def bad(x: int) -> int:
            return x
        ''')
    report = load_functions_file(path)
    assert report.loaded == ("mine.fine",)
    assert [(p.line, p.text) for p in report.problems] == [(7, '@fancy_function("math.increment")'),
                                                           (11, '@fancy_function("Not A Slug")')]
    assert "already registered by fancy_studio.core.library.math.increment" in report.problems[0].message
    assert registry.get("math.increment") is builtin


def test_two_files_cannot_register_the_same_slug(files):
    first = files("a/funcs.py", 'from fancy_studio.core import fancy_function\n'
                                '@fancy_function("mine.same")\ndef same(x: int) -> int:\n    return 1\n')
    second = files("b/funcs.py", 'from fancy_studio.core import fancy_function\n'
                                 '@fancy_function("mine.same")\ndef same(x: int) -> int:\n    return 2\n')
    assert module_name(first) != module_name(second)
    assert load_functions_file(first).loaded == ("mine.same",)
    report = load_functions_file(second)
    assert report.loaded == () and report.problems[0].line == 2
    assert module_name(first) in report.problems[0].message
    assert registry.get("mine.same")(x=0) == 1


def test_loading_again_takes_the_edit_and_unregisters_what_the_file_no_longer_defines(files):
    path = files("good.py", GOOD)
    load_functions_file(path)
    old = registry.get("mine.double")
    edited = GOOD.replace("return x * 2", "return x * 20").split('@fancy_function("mine.bounds")')[0]
    path.write_text(edited, encoding="utf-8")
    report = load_functions_file(path)
    assert report.loaded == ("mine.double",) and report.removed == ("mine.bounds",)
    assert "mine.bounds" not in registry
    assert registry.get("mine.double")(x=1) == 20
    assert registry.get("mine.double").version != old.version
    assert slugs_from(path) == ["mine.double"]


def test_a_function_renamed_in_the_file_keeps_its_slug(files):
    path = files("good.py", GOOD)
    load_functions_file(path)
    path.write_text(GOOD.replace("def double(", "def twice("), encoding="utf-8")
    report = load_functions_file(path)
    assert report.ok and "mine.double" in report.loaded


def test_a_syntax_error_on_reload_unregisters_what_the_file_had_loaded(files):
    path = files("good.py", GOOD)
    load_functions_file(path)
    path.write_text(GOOD + "\ndef oops(:\n", encoding="utf-8")
    report = load_functions_file(path)
    assert not report.compiled and set(report.removed) == {"mine.double", "mine.bounds"}
    assert report.problems[0].line == GOOD.count("\n") + 2
    assert "mine.double" not in registry
    path.write_text(GOOD, encoding="utf-8")
    assert load_functions_file(path).loaded == ("mine.bounds", "mine.double")


def test_a_missing_file_is_a_problem_without_a_line(tmp_path):
    report = load_functions_file(tmp_path / "nowhere.py")
    assert not report.compiled and report.problems[0].line is None
    assert "does not exist" in report.problems[0].message
    assert report.summary() == "nowhere.py: nothing loaded (the functions file does not exist)"


def test_unload_unregisters_the_files_functions(files):
    path = files("good.py", GOOD)
    load_functions_file(path)
    assert unload_functions_file(path) == ["mine.bounds", "mine.double"]
    assert "mine.double" not in registry and module_name(path) not in sys.modules


def test_the_versions_follow_the_file_and_a_given_version_is_kept(files):
    path = files("versions.py", '''\
        from fancy_studio.core import fancy_function

        LIMIT = 3

        @fancy_function("ver.limited")
        def limited(x: int) -> int:
            return min(x, LIMIT)

        @fancy_function("ver.pinned", version="7")
        def pinned(x: int) -> int:
            return x
        ''')
    load_functions_file(path)
    before = registry.get("ver.limited").version
    assert registry.get("ver.pinned").version == "7"
    path.write_text(path.read_text().replace("LIMIT = 3", "LIMIT = 4"), encoding="utf-8")
    load_functions_file(path)  # only a constant the function reads changed: its results are not reused
    assert registry.get("ver.limited").version != before and registry.get("ver.pinned").version == "7"


def test_a_function_from_a_file_runs_in_another_process_that_cannot_import_the_file(files, tmp_path):
    """The kernel cannot import the file's module: its functions travel by value (cloudpickle)."""
    import cloudpickle

    path = files("good.py", GOOD)
    load_functions_file(path)
    blob = tmp_path / "function.pickle"
    blob.write_bytes(cloudpickle.dumps(registry.get("mine.bounds")))
    code = ("import pickle, sys; f = pickle.loads(open(sys.argv[1], 'rb').read()); "
            "print(f.func(10, 2), f.version)")
    done = subprocess.run([sys.executable, "-c", code, str(blob)], check=False, capture_output=True,
                          text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["Bounds(low=8,", "high=12)", registry.get("mine.bounds").version]


def test_an_engine_run_uses_a_loaded_function(files):
    path = files("good.py", GOOD)
    load_functions_file(path)
    wf = Workflow(name="uses mine")
    x = wf.input_cell("x", 5)
    out = wf.output_cell("y")
    wf.add_step(step("mine.double", {"x": x.id}, out.id))
    store = InMemoryStore()
    assert Engine(store).run(wf).ok and store.get(out.id).value == 10


def test_the_files_a_workflow_names_live_in_its_metadata_and_need_no_schema_change(tmp_path):
    wf = Workflow(name="named")
    workflow_path = tmp_path / "flows" / "named.json"
    workflow_path.parent.mkdir()
    name = name_for(tmp_path / "lib" / "sales.py", workflow_path.parent)
    assert name == "../lib/sales.py"
    wf.metadata[FUNCTIONS_FILES_KEY] = with_named(wf.metadata, name)
    assert with_named(wf.metadata, name) == ["../lib/sales.py"]  # once
    save_workflow(wf, workflow_path)
    again = load_workflow(workflow_path)
    assert again.schema_version == wf.schema_version == 2
    assert named_files(again.metadata) == ["../lib/sales.py"]
    named = resolve_named(named_files(again.metadata), workflow_path.parent)
    assert named == [(tmp_path / "lib" / "sales.py").resolve()]
    assert rebased(again.metadata, workflow_path.parent, tmp_path) == ["lib/sales.py"]  # Save As, a folder up
    assert rebased(again.metadata, workflow_path.parent, workflow_path.parent) is None


def test_an_untitled_workflow_names_a_file_by_its_absolute_path_until_it_is_saved(tmp_path):
    absolute = name_for(tmp_path / "sales.py", None)
    assert absolute == (tmp_path / "sales.py").resolve().as_posix()
    assert rebased({FUNCTIONS_FILES_KEY: [absolute]}, None, tmp_path / "flows") == ["../sales.py"]


def test_a_malformed_list_of_files_is_ignored_not_fatal():
    assert named_files({FUNCTIONS_FILES_KEY: "funcs.py"}) == []
    assert named_files({FUNCTIONS_FILES_KEY: ["a.py", 3, None, "", "a.py", "b.py"]}) == ["a.py", "b.py"]
