"""Issue 10 case 4: saving through links, and over a read-only file.

A symlink's target is written (the link stays a link), also when it lies on another filesystem; a file
with several hard links keeps them all, each seeing the new content; a read-only file is not overwritten
unless the caller says so, and then stays read-only.
"""

from __future__ import annotations

import os
import shutil
import stat
import tempfile
from pathlib import Path

import pytest

from fancy_studio.core import Workflow
from fancy_studio.core.errors import ReadOnlyFileError
from fancy_studio.core.workflow_file import load_workflow, save_workflow


def saved(tmp_path: Path, name: str = "real.json", title: str = "old") -> Path:
    path = tmp_path / name
    save_workflow(Workflow(name=title), path)
    return path


def test_saving_through_a_symlink_writes_the_file_it_points_to(tmp_path):
    real = saved(tmp_path)
    link = tmp_path / "link.json"
    link.symlink_to(real.name)  # relative, as `ln -s real.json link.json` makes it
    save_workflow(Workflow(name="new"), link)
    assert link.is_symlink() and os.readlink(link) == "real.json"
    assert load_workflow(real).name == "new"


def test_saving_through_a_chain_of_symlinks_into_another_folder(tmp_path):
    (tmp_path / "data").mkdir()
    (tmp_path / "work").mkdir()
    real = saved(tmp_path / "data")
    first = tmp_path / "data" / "current.json"
    first.symlink_to("real.json")
    second = tmp_path / "work" / "flow.json"
    second.symlink_to(Path("..") / "data" / "current.json")
    save_workflow(Workflow(name="new"), second)
    assert second.is_symlink() and first.is_symlink()
    assert load_workflow(real).name == "new"
    assert sorted(p.name for p in (tmp_path / "work").iterdir()) == ["flow.json"]  # no temporary left here
    assert sorted(p.name for p in (tmp_path / "data").iterdir()) == ["current.json", "real.json"]


def test_saving_through_a_dangling_symlink_creates_its_target(tmp_path):
    link = tmp_path / "link.json"
    link.symlink_to("not-yet.json")
    save_workflow(Workflow(name="new"), link)
    assert link.is_symlink() and load_workflow(tmp_path / "not-yet.json").name == "new"


@pytest.fixture
def other_filesystem(tmp_path):
    """A folder on another filesystem than tmp_path (tmpfs /dev/shm), removed afterwards."""
    if not Path("/dev/shm").is_dir():
        pytest.skip("no /dev/shm here")
    folder = Path(tempfile.mkdtemp(prefix="fancy-save-links-", dir="/dev/shm"))
    try:
        if os.stat(folder).st_dev == os.stat(tmp_path).st_dev:
            pytest.skip("/dev/shm and the test folder are on the same filesystem")
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def test_saving_through_a_symlink_into_another_filesystem(tmp_path, other_filesystem):
    real = saved(other_filesystem)
    link = tmp_path / "flow.json"
    link.symlink_to(real)
    save_workflow(Workflow(name="new"), link)  # was: "Invalid cross-device link"
    assert link.is_symlink() and load_workflow(real).name == "new"
    assert sorted(p.name for p in other_filesystem.iterdir()) == ["real.json"]


def test_a_hard_linked_file_keeps_its_links_and_both_names_see_the_new_content(tmp_path):
    real = saved(tmp_path, title="old " * 1000)  # longer than the new content: the rest is cut off
    twin = tmp_path / "twin.json"
    os.link(real, twin)
    inode = os.stat(real).st_ino
    save_workflow(Workflow(name="new"), real)
    assert os.stat(real).st_ino == os.stat(twin).st_ino == inode and os.stat(real).st_nlink == 2
    assert load_workflow(twin).name == "new" and load_workflow(real).name == "new"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["real.json", "twin.json"]


def test_a_hard_linked_file_that_cannot_be_rewritten_keeps_the_new_content_beside_it(tmp_path, monkeypatch):
    """The in-place copy is not atomic: when it fails, the complete new content is kept and named."""
    real = saved(tmp_path)
    os.link(real, tmp_path / "twin.json")
    real_ftruncate = os.ftruncate

    def disk_fails(fd, length):
        raise OSError(5, "Input/output error")

    monkeypatch.setattr(os, "ftruncate", disk_fails)
    with pytest.raises(OSError, match="complete new content is in") as caught:
        save_workflow(Workflow(name="new"), real)
    monkeypatch.setattr(os, "ftruncate", real_ftruncate)
    kept = Path(str(caught.value).rsplit("complete new content is in ", 1)[1])
    assert kept.parent == tmp_path and load_workflow(kept).name == "new"


def test_a_read_only_file_is_not_overwritten_unless_asked(tmp_path):
    real = saved(tmp_path)
    real.chmod(0o444)
    before = real.read_bytes()
    with pytest.raises(ReadOnlyFileError, match="'real.json' is read-only") as caught:
        save_workflow(Workflow(name="new"), real)
    assert caught.value.path == real and isinstance(caught.value, PermissionError)
    assert real.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["real.json"]
    save_workflow(Workflow(name="new"), real, overwrite_read_only=True)
    assert load_workflow(real).name == "new"
    assert stat.S_IMODE(os.stat(real).st_mode) == 0o444  # still read-only


def test_a_read_only_file_behind_a_symlink_is_refused_too(tmp_path):
    real = saved(tmp_path)
    real.chmod(0o444)
    link = tmp_path / "link.json"
    link.symlink_to("real.json")
    with pytest.raises(ReadOnlyFileError, match="'link.json' is read-only"):
        save_workflow(Workflow(name="new"), link)
    assert load_workflow(real).name == "old"


def test_a_read_only_hard_linked_file_can_be_overwritten_when_asked(tmp_path):
    real = saved(tmp_path)
    os.link(real, tmp_path / "twin.json")
    real.chmod(0o444)
    with pytest.raises(ReadOnlyFileError):
        save_workflow(Workflow(name="new"), real)
    save_workflow(Workflow(name="new"), real, overwrite_read_only=True)
    assert load_workflow(tmp_path / "twin.json").name == "new"
    assert stat.S_IMODE(os.stat(real).st_mode) == 0o444 and os.stat(real).st_nlink == 2
