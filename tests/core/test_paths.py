"""Relative paths in a workflow point at its file's folder, on every path the engine runs."""

from __future__ import annotations

import os
from pathlib import Path
from uuid import uuid4

import pytest

from fancy_studio.core import Engine, InMemoryStore, Workflow
from fancy_studio.core.functions import FunctionRegistry, fancy_function
from fancy_studio.core.paths import relative_to, resolve_path, workflow_folder
from tests.core.helpers import step

registry = FunctionRegistry(load_builtins=False)


@fancy_function("test_paths.read", registry=registry)
def read(path: str) -> str:
    return resolve_path(path).read_text()


def test_resolve_path_joins_relative_paths_to_the_folder(tmp_path):
    with relative_to(tmp_path):
        assert workflow_folder() == tmp_path.resolve()
        assert resolve_path("data/x.csv") == tmp_path.resolve() / "data" / "x.csv"
        assert resolve_path("/abs/x.csv") == Path("/abs/x.csv")
        assert resolve_path("~/x") == Path.home() / "x"
    assert workflow_folder() is None
    assert resolve_path("data/x.csv") == Path("data/x.csv")  # no folder: the working folder's


def test_an_empty_path_is_a_clear_error():
    with pytest.raises(ValueError, match="path is needed"):
        resolve_path("  ")


@pytest.mark.parametrize("workers", [1, 2])
def test_engine_run_with_a_folder_reads_relative_to_it(tmp_path, monkeypatch, workers):
    (tmp_path / "wf").mkdir()
    (tmp_path / "wf" / "in.txt").write_text("beside the workflow")
    (tmp_path / "in.txt").write_text("in the working folder")
    monkeypatch.chdir(tmp_path)
    workflow = Workflow(name="paths")
    path_cell = workflow.input_cell("path", "in.txt").id
    first, second = uuid4(), uuid4()
    workflow.add_step(step("test_paths.read", {"path": path_cell}, first))
    workflow.add_step(step("test_paths.read", {"path": path_cell}, second))
    store = InMemoryStore()
    result = Engine(store, registry=registry).run(workflow, folder=tmp_path / "wf", max_workers=workers)
    assert result.ok, result.errors
    assert store.get(first).value == store.get(second).value == "beside the workflow"
    store = InMemoryStore()
    Engine(store, registry=registry).run(workflow, max_workers=workers, reuse=False)
    assert store.get(first).value == "in the working folder"
    assert os.getcwd() == str(tmp_path)
