"""The kernel pages a stored table for the studio's table viewer: between runs, read from the store's file,
sorted and filtered there; the studio holds only the value's summary."""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

from fancy_studio.core import CancelToken, SqliteStore, Workflow, WorkflowStep, fancy_function
from fancy_studio.core.table_source import TableQuery
from fancy_studio.core.value_summary import StoredSummary
from fancy_studio.kernel import Kernel, KernelBusy, KernelError, KernelState
from tests.kernel.kernel_functions import REGISTRY, chain, registry_with_builtins

ROWS = 300_000

PAGES_REGISTRY = registry_with_builtins()


@fancy_function("pages_test.table", registry=PAGES_REGISTRY, cacheable=False)
def make_table(rows: int) -> Any:
    """A table large enough that the studio's store keeps only its summary."""
    numbers = np.arange(rows)
    return pd.DataFrame({"n": numbers, "half": numbers // 2, "name": [f"row {i}" for i in range(rows)],
                         "score": np.where(numbers % 7 == 0, np.nan, (numbers * 37 % 1000) / 10)})


def expected_table(rows: int = ROWS) -> pd.DataFrame:
    return make_table(rows)


def page_when_ready(kernel: Kernel, *args: Any, timeout: float = 60.0) -> dict[str, Any]:
    """A page, asked again while the kernel says it is busy (starting, or running)."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            return kernel.table_page(*args)
        except KernelBusy:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.05)


@pytest.fixture(scope="module")
def key_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One signing key for the module: the kernel (started once, and again after a kill) and the tests'
    stores must sign and check pickles with the same key (each test has its own config folder otherwise)."""
    return tmp_path_factory.mktemp("config")


@pytest.fixture(autouse=True)
def one_key(monkeypatch: pytest.MonkeyPatch, key_home: Path) -> None:
    monkeypatch.setenv("XDG_CONFIG_HOME", str(key_home))


@pytest.fixture(scope="module")
def kernel(key_home: Path) -> Iterator[Kernel]:
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("XDG_CONFIG_HOME", str(key_home))
        kernel = Kernel(grace=0.5)
        kernel.start()
        assert kernel.wait_ready(60)
    yield kernel
    kernel.shutdown()


@pytest.fixture
def stored_table(tmp_path: Path) -> tuple[Path, Any]:
    """A store file holding `expected_table()` in one cell, as a run would have left it."""
    path = tmp_path / "tables.fancystore"
    store = SqliteStore(path)
    cell = store.put(expected_table(), "orders")
    store.close()
    return path, cell.id


def test_the_studio_holds_a_summary_and_the_kernel_pages_the_table(kernel: Kernel, stored_table) -> None:
    path, cell_id = stored_table
    studio = SqliteStore(path, summaries=True)
    try:
        assert type(studio.get(cell_id).value) is StoredSummary  # the studio never loads it
    finally:
        studio.close()
    page = page_when_ready(kernel, path, cell_id, 0, 100, TableQuery())
    assert page["columns"] == ["n", "half", "name", "score"]
    assert page["dtypes"][:2] == ["int64", "int64"] and page["dtypes"][3] == "float64"
    assert page["row_count"] == page["total_rows"] == ROWS
    assert page["cells"][2][:3] == ["row 0", "row 1", "row 2"]
    assert len(page["cells"][0]) == 100

    middle = kernel.table_page(path, cell_id, 150_000, 10, TableQuery())
    assert middle["start"] == 150_000 and middle["cells"][0] == list(range(150_000, 150_010))
    end = kernel.table_page(path, cell_id, ROWS - 5, 100, TableQuery())
    assert end["cells"][0] == list(range(ROWS - 5, ROWS))  # a page past the end is cut short


def test_sorting_and_filtering_happen_in_the_kernel(kernel: Kernel, stored_table) -> None:
    path, cell_id = stored_table
    table = expected_table()
    descending = page_when_ready(kernel, path, cell_id, 0, 50, TableQuery(sort_column=3, descending=True))
    order = table["score"].sort_values(ascending=False, kind="stable", na_position="last").index[:50]
    assert descending["rows"] == list(order)
    assert descending["cells"][3] == table["score"].to_numpy()[order].tolist()

    last = kernel.table_page(path, cell_id, ROWS - 3, 3, TableQuery(sort_column=3, descending=True))
    assert all(math.isnan(value) for value in last["cells"][3])  # NaN last, sorted either way

    found = kernel.table_page(path, cell_id, 0, 1000, TableQuery(filter_text="ROW 12345"))
    assert found["row_count"] == 11  # "row 12345" and "row 123450" … "row 123459"
    assert found["cells"][2][0] == "row 12345"
    in_column = kernel.table_page(path, cell_id, 0, 10, TableQuery(filter_text="12345", filter_column=0))
    assert in_column["cells"][0] == [12345, 112345, 123450, 123451, 123452, 123453, 123454, 123455, 123456,
                                     123457]


def test_a_value_that_is_no_table_or_a_wrong_column_is_an_error_and_the_kernel_lives_on(
        kernel: Kernel, stored_table) -> None:
    path, cell_id = stored_table
    store = SqliteStore(path)
    number = store.put(42, "answer")
    store.close()
    with pytest.raises(KernelError, match="a int is not a table"):
        page_when_ready(kernel, path, number.id, 0, 10, TableQuery())
    with pytest.raises(KernelError, match="no column 7 .*n, half, name, score"):
        kernel.table_page(path, cell_id, 0, 10, TableQuery(sort_column=7))
    assert kernel.table_page(path, cell_id, 0, 1, TableQuery())["cells"][0] == [0]


def test_a_rewritten_value_is_read_anew(kernel: Kernel, stored_table) -> None:
    path, cell_id = stored_table
    assert page_when_ready(kernel, path, cell_id, 0, 1, TableQuery())["row_count"] == ROWS
    store = SqliteStore(path)
    store.put(expected_table(ROWS // 2), id=cell_id)
    store.close()
    assert kernel.table_page(path, cell_id, 0, 1, TableQuery())["row_count"] == ROWS // 2


def test_a_run_writes_a_table_the_kernel_then_pages(kernel: Kernel, tmp_path: Path) -> None:
    workflow = Workflow()
    rows = workflow.input_cell("rows", ROWS)
    table = workflow.output_cell("table")
    workflow.add_step(WorkflowStep(function_slug="pages_test.table", inputs={"rows": rows.id},
                                   outputs={"return": table.id}))
    path = tmp_path / "run.fancystore"
    assert kernel.run(workflow, store_path=path, registry=PAGES_REGISTRY).ok
    page = page_when_ready(kernel, path, table.id, ROWS - 1, 1, TableQuery(sort_column=1))
    assert page["cells"][1] == [(ROWS - 1) // 2]


def test_pages_wait_for_a_run_and_a_kernel_that_was_killed_is_started_again(kernel: Kernel,
                                                                             stored_table) -> None:
    """A page is refused at once while a run goes (it never interleaves with one); the kernel killed by Stop
    is replaced, and the fresh one reads the table from the file."""
    path, cell_id = stored_table
    workflow, _steps, _cells = chain("kernel_test.forever")
    cancel = CancelToken()
    runner = threading.Thread(target=lambda: kernel.run(workflow, store_path=None, registry=REGISTRY,
                                                        cancel=cancel))
    runner.start()
    try:
        deadline = time.monotonic() + 30
        while kernel.state is not KernelState.RUNNING and time.monotonic() < deadline:
            time.sleep(0.02)
        with pytest.raises(KernelBusy, match="running"):
            kernel.table_page(path, cell_id, 0, 10, TableQuery())
    finally:
        cancel.cancel()  # the step never returns: killed after the grace
        runner.join(30)
    page = page_when_ready(kernel, path, cell_id, 0, 3, TableQuery(sort_column=0, descending=True))
    assert page["cells"][0] == [ROWS - 1, ROWS - 2, ROWS - 3]


def test_a_page_asked_while_another_is_answered_is_refused_soon(kernel: Kernel, stored_table) -> None:
    """Two viewers: the second caller does not stall behind the first's long question (a decode, a sort)."""
    path, cell_id = stored_table
    assert page_when_ready(kernel, path, cell_id, 0, 1, TableQuery())["cells"][0] == [0]
    with kernel._page_lock:  # another caller's question is out
        began = time.monotonic()
        with pytest.raises(KernelBusy, match="reading another table"):
            kernel.table_page(path, cell_id, 0, 1, TableQuery())
        assert time.monotonic() - began < 5  # not the 120 s a page may take
    assert kernel.table_page(path, cell_id, 1, 1, TableQuery())["cells"][0] == [1]
