"""Reading and writing tables (issue 14): round trips of CSV, JSON, Parquet and Excel through real files;
a missing file named; a changed file read again (the fingerprint); a writer that writes on every run,
atomically, leaving the old file whole and no temporary file when it fails."""

from __future__ import annotations

import errno
import os
from pathlib import Path

import pandas as pd
import pytest

from fancy_studio.core import Engine, SqliteStore, StepStatus, Workflow, WorkflowStep
from fancy_studio.core.errors import ReadOnlyFileError
from fancy_studio.core.functions import registry
from fancy_studio.core.paths import relative_to
from tests.core.helpers import PlainStore


def call(slug: str, *args, **kwargs):
    return registry.get(slug).func(*args, **kwargs)


def orders() -> pd.DataFrame:
    return pd.DataFrame({"region": ["West", "East", None], "amount": [120.5, 80.0, None], "units": [3, 1, 2]})


def same_rows(read: pd.DataFrame, written: pd.DataFrame) -> None:
    assert list(read.columns) == list(written.columns)
    assert read.astype(object).where(read.notna(), None).values.tolist() == \
        written.astype(object).where(written.notna(), None).values.tolist()


def leftovers(folder: Path) -> list[str]:
    return sorted(name for name in os.listdir(folder) if name.endswith(".tmp"))


# --- round trips ------------------------------------------------------------------------------------


def test_csv_round_trip_without_an_index_column(tmp_path: Path) -> None:
    path = tmp_path / "orders.csv"
    assert call("table.write_csv", orders(), str(path)) == str(path)
    assert path.read_text(encoding="utf-8").splitlines() == [
        "region,amount,units", "West,120.5,3", "East,80.0,1", ",,2"]
    read = call("table.read_csv", str(path))
    same_rows(read, orders())
    assert read["units"].dtype == "int64"


def test_parquet_round_trip_keeps_types(tmp_path: Path) -> None:
    path = tmp_path / "orders.parquet"
    table = orders().assign(when=pd.to_datetime(["2024-01-01", "2024-02-01", None]))
    assert call("table.write_parquet", table, str(path)) == str(path)
    read = call("table.read_parquet", str(path))
    same_rows(read, table)
    assert read["when"].dtype.kind == "M" and read["units"].dtype == "int64"
    assert list(read.index) == [0, 1, 2]


def test_json_tables_as_records_columns_and_lines(tmp_path: Path) -> None:
    rows = tmp_path / "rows.json"
    rows.write_text('[{"region": "West", "amount": 120}, {"region": "East"}]', encoding="utf-8")
    read = call("table.read_json", str(rows))
    assert list(read.columns) == ["region", "amount"] and read["region"].tolist() == ["West", "East"]
    assert read["amount"].iloc[0] == 120 and pd.isna(read["amount"].iloc[1])
    columns = tmp_path / "columns.json"
    columns.write_text('{"region": ["West", "East"], "amount": [1, 2]}', encoding="utf-8")
    assert call("table.read_json", str(columns))["amount"].tolist() == [1, 2]
    lines = tmp_path / "rows.jsonl"
    lines.write_text('{"a": 1}\n\n{"a": 2, "b": "x"}\n', encoding="utf-8")
    assert call("table.read_json", str(lines))["a"].tolist() == [1, 2]
    empty = tmp_path / "empty.json"
    empty.write_text("[]", encoding="utf-8")
    assert call("table.read_json", str(empty)).shape == (0, 0)


def test_json_that_is_not_a_table_says_where_and_why(tmp_path: Path) -> None:
    broken = tmp_path / "broken.json"
    broken.write_text('[{"a": 1},\n {"a": }]', encoding="utf-8")
    expected = r"broken.json' is not valid JSON: Expecting value at line 2, column 8"
    with pytest.raises(ValueError, match=expected):
        call("table.read_json", str(broken))
    scalar = tmp_path / "number.json"
    scalar.write_text("42", encoding="utf-8")
    expected = "holds no table: a JSON table is a list of objects .* it holds a int"
    with pytest.raises(ValueError, match=expected):
        call("table.read_json", str(scalar))
    lines = tmp_path / "bad.jsonl"
    lines.write_text('{"a": 1}\n[1, 2]\n', encoding="utf-8")
    with pytest.raises(TypeError, match="bad.jsonl' line 2 is not an object"):
        call("table.read_json", str(lines))
    ragged = tmp_path / "ragged.json"
    ragged.write_text('{"a": [1, 2], "b": [1]}', encoding="utf-8")
    with pytest.raises(ValueError, match="cannot read .*ragged.json' as a table"):
        call("table.read_json", str(ragged))


def test_excel_sheets_by_name_and_position(tmp_path: Path) -> None:
    path = tmp_path / "book.xlsx"
    with pd.ExcelWriter(path, engine="openpyxl") as book:
        orders().to_excel(book, sheet_name="Orders", index=False)
        pd.DataFrame({"region": ["West"], "target": [500]}).to_excel(book, sheet_name="Targets", index=False)
    same_rows(call("table.read_excel", str(path)), orders())
    assert call("table.read_excel", str(path), "Targets")["target"].tolist() == [500]
    assert call("table.read_excel", str(path), sheet=1)["region"].tolist() == ["West"]
    with pytest.raises(ValueError, match="has no sheet 'Sales'; its sheets: Orders, Targets"):
        call("table.read_excel", str(path), "Sales")
    expected = r"has 2 sheet\(s\) \(Orders, Targets\); there is no sheet at position 2"
    with pytest.raises(ValueError, match=expected):
        call("table.read_excel", str(path), 2)
    not_a_book = tmp_path / "notes.xlsx"
    not_a_book.write_text("hello", encoding="utf-8")
    with pytest.raises(ValueError, match="cannot read .*notes.xlsx' as an Excel workbook"):
        call("table.read_excel", str(not_a_book))


def test_csv_edge_cases(tmp_path: Path) -> None:
    empty = tmp_path / "empty.csv"
    empty.write_text("", encoding="utf-8")
    assert call("table.read_csv", str(empty)).shape == (0, 0)
    header = tmp_path / "header.csv"
    header.write_text("region,amount\n", encoding="utf-8")
    read = call("table.read_csv", str(header))
    assert read.empty and list(read.columns) == ["region", "amount"]
    ragged = tmp_path / "ragged.csv"
    ragged.write_text("a,b\n1,2\n3,4,5,6\n", encoding="utf-8")
    with pytest.raises(ValueError, match="cannot read .*ragged.csv' as CSV"):
        call("table.read_csv", str(ragged))
    nothing = tmp_path / "nothing.csv"
    call("table.write_csv", pd.DataFrame(), str(nothing))
    assert nothing.exists()
    call("table.write_csv", orders().head(0), str(nothing))
    assert nothing.read_text(encoding="utf-8") == "region,amount,units\n"
    assert list(call("table.read_csv", str(nothing)).columns) == ["region", "amount", "units"]


def test_a_file_that_is_not_parquet(tmp_path: Path) -> None:
    fake = tmp_path / "fake.parquet"
    fake.write_text("region,amount\n", encoding="utf-8")
    with pytest.raises(ValueError, match="cannot read .*fake.parquet' as Parquet"):
        call("table.read_parquet", str(fake))


# --- missing files, folders ------------------------------------------------------------------------


READERS = ["table.read_csv", "table.read_json", "table.read_parquet", "table.read_excel"]


@pytest.mark.parametrize("slug", READERS)
def test_a_missing_file_is_named(slug: str, tmp_path: Path) -> None:
    missing = tmp_path / "sales_2024.csv"
    with pytest.raises(FileNotFoundError) as caught:
        call(slug, str(missing))
    assert str(caught.value) == f"{slug}: no file {str(missing)!r} (looked for {missing})"
    with pytest.raises(IsADirectoryError, match="is a folder, not a file"):
        call(slug, str(tmp_path))
    with pytest.raises(TypeError, match="'path' must be the path of a file"):
        call(slug, "")


def test_a_relative_path_is_relative_to_the_workflows_folder(tmp_path: Path) -> None:
    (tmp_path / "data").mkdir()
    with relative_to(tmp_path):
        call("table.write_csv", orders(), "data/out.csv")
        assert (tmp_path / "data" / "out.csv").exists()
        same_rows(call("table.read_csv", "data/out.csv"), orders())
        with pytest.raises(FileNotFoundError, match=f"no file 'data/in.csv' \\(looked for {tmp_path}"):
            call("table.read_csv", "data/in.csv")


@pytest.mark.parametrize("slug", ["table.write_csv", "table.write_parquet"])
def test_a_writer_refuses_a_missing_folder_a_folder_and_a_non_table(slug: str, tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match="the folder .*no_such_folder' does not exist"):
        call(slug, orders(), str(tmp_path / "no_such_folder" / "out"))
    assert not (tmp_path / "no_such_folder").exists()
    with pytest.raises(IsADirectoryError, match="is a folder"):
        call(slug, orders(), str(tmp_path))
    with pytest.raises(TypeError, match="'table' must be a table"):
        call(slug, [{"a": 1}], str(tmp_path / "out"))


# --- atomic writes -------------------------------------------------------------------------------------


@pytest.mark.parametrize("slug", ["table.write_csv", "table.write_parquet"])
@pytest.mark.parametrize("failing", ["fsync", "replace"])
def test_a_failed_write_leaves_the_old_file_and_no_temp_file(slug, failing, tmp_path, monkeypatch) -> None:
    path = tmp_path / "out.data"
    path.write_bytes(b"the old content")

    def disk_full(*args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, failing, disk_full)
    with pytest.raises(OSError, match="No space left on device"):
        call(slug, orders(), str(path))
    monkeypatch.undo()
    assert path.read_bytes() == b"the old content"
    assert leftovers(tmp_path) == []
    call(slug, orders(), str(path))  # and once the disk has room, it is written
    assert path.read_bytes() != b"the old content" and leftovers(tmp_path) == []


def test_a_table_parquet_cannot_hold_leaves_the_old_file(tmp_path: Path) -> None:
    path = tmp_path / "out.parquet"
    call("table.write_parquet", orders(), str(path))
    before = path.read_bytes()
    mixed = pd.DataFrame({"v": [1, "a", 2.5]})
    with pytest.raises(ValueError, match="table.write_parquet: cannot write the table as Parquet"):
        call("table.write_parquet", mixed, str(path))
    assert path.read_bytes() == before and leftovers(tmp_path) == []


def test_a_read_only_file_is_not_overwritten(tmp_path: Path) -> None:
    path = tmp_path / "locked.csv"
    path.write_text("keep me", encoding="utf-8")
    path.chmod(0o444)
    try:
        with pytest.raises(ReadOnlyFileError, match="'locked.csv' is read-only; nothing was written"):
            call("table.write_csv", orders(), str(path))
        assert path.read_text(encoding="utf-8") == "keep me"
    finally:
        path.chmod(0o644)


# --- runs: fingerprints and writers -------------------------------------------------------------------


def copy_workflow(source: Path, target: Path) -> tuple[Workflow, WorkflowStep, WorkflowStep]:
    """read_csv(source) → write_csv(target)."""
    wf = Workflow(name="copy")
    table = wf.output_cell("table")
    written = wf.output_cell("written")
    read = wf.add_step(WorkflowStep(function_slug="table.read_csv", outputs={"return": table.id},
                                    params={"path": str(source)}, label="Read orders"))
    write = wf.add_step(WorkflowStep(function_slug="table.write_csv", inputs={"table": table.id},
                                     outputs={"return": written.id}, params={"path": str(target)}))
    return wf, read, write


@pytest.mark.parametrize("on_disk", [False, True], ids=["store in memory", "sqlite store"])
def test_a_changed_file_is_read_again_and_a_deleted_output_is_written_again(on_disk, tmp_path: Path) -> None:
    source, target = tmp_path / "in.csv", tmp_path / "out.csv"
    source.write_text("a\n1\n", encoding="utf-8")
    wf, read, write = copy_workflow(source, target)
    engine = Engine(SqliteStore(tmp_path / "results.db") if on_disk else PlainStore())
    first = engine.run(wf)
    assert first.ok and target.read_text(encoding="utf-8") == "a\n1\n"

    target.unlink()  # the user deletes the output and runs again: the file read is reused, the write is not
    second = engine.run(wf)
    assert second.step_status[read.id] is StepStatus.CACHED
    assert second.step_status[write.id] is StepStatus.DONE
    assert target.read_text(encoding="utf-8") == "a\n1\n"

    source.write_text("a\n1\n2\n", encoding="utf-8")  # the input changes: read again
    os.utime(source, ns=(source.stat().st_atime_ns, source.stat().st_mtime_ns + 1_000_000))
    third = engine.run(wf)
    assert third.step_status[read.id] is StepStatus.DONE
    assert target.read_text(encoding="utf-8") == "a\n1\n2\n"


def test_the_fingerprint_is_size_and_modification_time(tmp_path: Path) -> None:
    path = tmp_path / "in.csv"
    path.write_text("a\n1\n", encoding="utf-8")
    function = registry.get("table.read_csv")
    assert function.fingerprint is not None and function.cacheable
    before = function.fingerprint(path=str(path))
    assert before == f"{path.stat().st_size}:{path.stat().st_mtime_ns}"
    os.utime(path, ns=(path.stat().st_atime_ns, path.stat().st_mtime_ns + 5))
    assert function.fingerprint(path=str(path)) != before
    assert registry.get("table.read_excel").fingerprint(path=str(path), sheet=0) is not None
    for writer in ("table.write_csv", "table.write_parquet"):
        assert registry.get(writer).cacheable is False


@pytest.mark.parametrize(("writer", "reader", "name"), [
    ("table.write_csv", "table.read_csv", "e.csv"),
    ("table.write_parquet", "table.read_parquet", "e.parquet"),
])
def test_empty_tables_round_trip(writer: str, reader: str, name: str, tmp_path: Path) -> None:
    path = str(tmp_path / name)
    call(writer, pd.DataFrame(), path)
    assert call(reader, path).shape == (0, 0)
    call(writer, orders().head(0), path)
    read = call(reader, path)
    assert read.empty and list(read.columns) == ["region", "amount", "units"]
