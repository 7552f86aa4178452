"""Files, paths and regular expressions (issue 14): reading and writing text and JSON, listing a folder,
path pieces, `text.regex_find_all` and `text.regex_replace`."""

from __future__ import annotations

import json
import os
from pathlib import Path
from uuid import uuid4

import pytest

from fancy_studio.core import Engine, InMemoryStore, StepStatus, Workflow, WorkflowStep
from fancy_studio.core.functions import RETURN, registry
from fancy_studio.core.library import files, text
from fancy_studio.core.library.limits import ResultTooLargeError
from fancy_studio.core.paths import relative_to


def test_text_round_trip_with_encodings(tmp_path: Path):
    target = tmp_path / "note.txt"
    assert files.write_text("héllo\nworld", str(target)) == str(target)
    assert files.read_text(str(target)) == "héllo\nworld"
    assert target.read_bytes() == "héllo\nworld".encode()
    (tmp_path / "old.txt").write_bytes("café".encode("latin-1"))
    assert files.read_text(str(tmp_path / "old.txt"), encoding="latin-1") == "café"
    with pytest.raises(ValueError, match="is not utf-8 text .* try another encoding"):
        files.read_text(str(tmp_path / "old.txt"))
    with pytest.raises(ValueError, match="unknown encoding 'klingon'"):
        files.read_text(str(target), encoding="klingon")


def test_a_missing_file_or_folder_is_named(tmp_path: Path):
    missing = str(tmp_path / "nope.txt")
    for read in (files.read_text, files.read_json):
        with pytest.raises(FileNotFoundError, match="no file '.*nope.txt'"):
            read(missing)
    with pytest.raises(IsADirectoryError, match="is a folder"):
        files.read_text(str(tmp_path))
    with pytest.raises(FileNotFoundError, match="the folder '.*gone' does not exist"):
        files.write_text("x", str(tmp_path / "gone" / "a.txt"))
    with pytest.raises(FileNotFoundError, match="no folder"):
        files.list_folder(str(tmp_path / "gone"))
    with pytest.raises(NotADirectoryError, match="is a file, not a folder"):
        files.list_folder(files.write_text("x", str(tmp_path / "a.txt")))


def test_json_round_trip_and_a_broken_file_names_line_and_column(tmp_path: Path):
    value = {"name": "Ada", "scores": [1, 2.5, None], "ok": True}
    path = files.write_json(value, str(tmp_path / "v.json"))
    assert files.read_json(path) == value
    assert json.loads(Path(path).read_text()) == value
    (tmp_path / "bad.json").write_text('{\n  "a": 1,\n  "b" 2\n}')
    with pytest.raises(ValueError, match=r"bad.json' is not valid JSON: line 3, column 7"):
        files.read_json(str(tmp_path / "bad.json"))
    with pytest.raises(TypeError, match="cannot be written as JSON"):
        files.write_json({"when": object()}, str(tmp_path / "x.json"))
    with pytest.raises(TypeError, match="cannot be written as JSON"):
        files.write_json([float("nan")], str(tmp_path / "x.json"))
    assert not (tmp_path / "x.json").exists()


def test_writers_are_atomic_and_always_run(tmp_path: Path):
    target = tmp_path / "out.txt"
    target.write_text("old")
    files.write_text("new", str(target))
    assert target.read_text() == "new" and sorted(os.listdir(tmp_path)) == ["out.txt"]
    for slug in ("files.write_text", "files.write_json"):
        assert registry.get(slug).cacheable is False
    for slug in ("files.read_text", "files.read_json", "files.list_folder"):
        assert registry.get(slug).fingerprint is not None


def test_list_folder_is_sorted_joins_the_folder_and_matches_a_pattern(tmp_path: Path):
    for name in ("b.csv", "a.csv", "notes.txt"):
        (tmp_path / name).write_text(name)
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "c.csv").write_text("c")
    folder = str(tmp_path)
    assert files.list_folder(folder) == [str(tmp_path / n) for n in ("a.csv", "b.csv", "notes.txt", "sub")]
    assert files.list_folder(folder, "*.csv") == [str(tmp_path / "a.csv"), str(tmp_path / "b.csv")]
    assert files.list_folder(folder, "**/*.csv")[-1] == str(tmp_path / "sub" / "c.csv")
    assert files.list_folder(folder, "*.xlsx") == []
    with pytest.raises(ValueError, match="relative pattern"):
        files.list_folder(folder, "/etc/*")
    with relative_to(tmp_path):  # relative to the workflow's folder, and the result stays relative
        assert files.list_folder("sub") == [os.path.join("sub", "c.csv")]
        assert files.read_text(files.list_folder("sub")[0]) == "c"


def test_path_pieces():
    assert files.path_name("data/sales.csv") == "sales.csv"
    assert files.path_stem("data/sales.csv") == "sales"
    assert files.path_suffix("data/sales.csv") == ".csv" and files.path_suffix("README") == ""
    assert files.path_parent("data/sales.csv") == "data" and files.path_parent("sales.csv") == "."
    assert files.path_join("data", "sales.csv") == os.path.join("data", "sales.csv")


def _reader_workflow(path: str) -> tuple[Workflow, WorkflowStep, object]:
    wf = Workflow(name="read")
    out = uuid4()
    read = wf.add_step(WorkflowStep(function_slug="files.read_text", params={"path": path},
                                    outputs={RETURN: out}))
    return wf, read, out


def test_a_changed_file_is_read_again_and_an_unchanged_one_reused(tmp_path: Path):
    (tmp_path / "in.txt").write_text("one")
    wf, read, out = _reader_workflow("in.txt")  # relative: to the workflow's folder
    engine = Engine(InMemoryStore())
    for _ in range(2):  # the fast path remembers a fingerprinted step only from the second run on
        assert engine.run(wf, folder=tmp_path).ok
    assert engine.run(wf, folder=tmp_path).step_status[read.id] is StepStatus.CACHED
    (tmp_path / "in.txt").write_text("two, longer")
    result = engine.run(wf, folder=tmp_path)
    assert result.step_status[read.id] is StepStatus.DONE and engine.store.get(out).value == "two, longer"


def test_a_missing_file_fails_its_step_naming_the_file(tmp_path: Path):
    wf, read, _ = _reader_workflow("missing.txt")
    result = Engine(InMemoryStore()).run(wf, folder=tmp_path)
    assert result.step_status[read.id] is StepStatus.FAILED
    assert "no file 'missing.txt'" in str(result.errors[read.id])


# --- regular expressions ---------------------------------------------------------------------------


def test_regex_find_all_gives_whole_matches():
    assert text.regex_find_all("The cat, the hat.", r"\w+") == ["The", "cat", "the", "hat"]
    assert text.regex_find_all("a1b22c333", r"(\d)+") == ["1", "22", "333"]  # whole matches, not groups
    assert text.regex_find_all("nothing here", r"\d") == []
    assert text.regex_find_all("", r"x*") == [""]


def test_regex_replace_with_groups():
    assert text.regex_replace("2024-03-15", r"(\d+)-(\d+)-(\d+)", r"\3/\2/\1") == "15/03/2024"
    assert text.regex_replace("a  b   c", r"\s+", " ") == "a b c"
    assert text.regex_replace("Ada Lovelace", r"(?P<first>\w+) (?P<last>\w+)", r"\g<last>, \g<first>") \
        == "Lovelace, Ada"


@pytest.mark.parametrize("call", [
    lambda: text.regex_find_all("x", "(unclosed"),
    lambda: text.regex_replace("x", "[a-", "y"),
])
def test_a_bad_pattern_says_so_with_res_message(call):
    with pytest.raises(ValueError, match="is not a valid regular expression: .* at position"):
        call()


def test_a_bad_replacement_and_an_absurd_result_are_refused():
    with pytest.raises(ValueError, match=r"replacement '\\\\2' is not valid .* invalid group reference 2"):
        text.regex_replace("abc", "(b)", r"\2")
    with pytest.raises(ResultTooLargeError, match="regex_replace: the result would have"):
        text.regex_replace("x" * 1000, "", "y" * 20_000)  # an empty pattern matches 1,001 times
