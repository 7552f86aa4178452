"""Issue 10 case 5: a save killed mid-write leaves its temporary file behind; the next save removes it.

Only our own leftovers for that file go: temporaries whose writer process is gone, or which nobody has
written for a while. A save in progress (its process alive, its file fresh) and every other file stay.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

from fancy_studio.core import Workflow
from fancy_studio.core.atomic_write import STALE_TEMP_SECONDS
from fancy_studio.core.workflow_file import load_workflow, save_workflow

ROOT = Path(__file__).parents[2]

SAVE_FOREVER = textwrap.dedent("""
    import sys
    from fancy_studio.core import Workflow
    from fancy_studio.core.workflow_file import save_workflow
    workflow = Workflow(name="big", metadata={"notes": ["x" * 1000] * 20_000})  # about 20 MB of JSON
    print("ready", flush=True)
    while True:
        save_workflow(workflow, sys.argv[1])
""")


def temporaries(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.endswith(".tmp"))


def kill_mid_save(tmp_path: Path, target: Path) -> None:
    """Run a process that saves a big workflow over and over; SIGKILL it while a temporary file exists."""
    script = tmp_path / "save_forever.py"
    script.write_text(SAVE_FOREVER)
    for _attempt in range(20):
        process = subprocess.Popen([sys.executable, str(script), str(target)], cwd=ROOT, stdout=subprocess.PIPE)
        try:
            assert process.stdout.readline() == b"ready\n"
            deadline = time.monotonic() + 30
            while not temporaries(target.parent) and time.monotonic() < deadline:
                time.sleep(0.001)
        finally:
            process.send_signal(signal.SIGKILL)
            process.wait()
            process.stdout.close()
        if temporaries(target.parent):
            return
    raise AssertionError("no save was caught mid-write in 20 tries")


def test_a_save_after_a_killed_save_removes_its_leftover(tmp_path):
    folder = tmp_path / "work"
    folder.mkdir()
    target = folder / "flow.json"
    save_workflow(Workflow(name="mine"), target)
    kill_mid_save(tmp_path, target)
    leftovers = temporaries(folder)
    assert leftovers and all(name.startswith(".flow.json.") for name in leftovers)
    unrelated = [".flow.json.backup.tmp", ".flow.json.tmp", "flow.json.12345.abcdefgh.tmp",
                 ".flow.json.12345.abcdefgh.tmp.keep", ".other.json.12345.abcdefgh.tmp"]
    for name in unrelated:
        (folder / name).write_text("not ours to delete")
    save_workflow(Workflow(name="after"), target)
    assert load_workflow(target).name == "after"
    assert temporaries(folder) == sorted(n for n in unrelated if n.endswith(".tmp"))
    assert (folder / ".flow.json.12345.abcdefgh.tmp.keep").exists()


def dead_pid() -> int:
    process = subprocess.Popen([sys.executable, "-c", "pass"])
    process.wait()
    return process.pid


def test_only_stale_temporaries_of_the_saved_file_are_removed(tmp_path):
    target = tmp_path / "flow.json"
    save_workflow(Workflow(name="mine"), target)
    gone = tmp_path / f".flow.json.{dead_pid()}.k2j4h5g6.tmp"  # its writer was killed
    saving_now = tmp_path / f".flow.json.{os.getppid()}.a1b2c3d4.tmp"  # a live process writing right now
    old_live = tmp_path / f".flow.json.{os.getppid()}.zz99yy88.tmp"  # alive, but untouched for long
    older_version = tmp_path / ".flow.json.ab_cd123.tmp"  # the name before the pid was in it
    fresh_older_version = tmp_path / ".flow.json.qwertyui.tmp"
    a_folder = tmp_path / f".flow.json.{dead_pid()}.folder00.tmp"
    for path in (gone, saving_now, old_live, older_version, fresh_older_version):
        path.write_bytes(b"{")
    a_folder.mkdir()
    long_ago = time.time() - STALE_TEMP_SECONDS - 10
    for path in (old_live, older_version):
        os.utime(path, (long_ago, long_ago))
    save_workflow(Workflow(name="after"), target)
    assert not gone.exists() and not old_live.exists() and not older_version.exists()
    assert saving_now.exists() and fresh_older_version.exists() and a_folder.is_dir()


def test_a_file_whose_name_is_near_the_length_limit_saves_and_cleans_up(tmp_path):
    """The temporary file's name adds to the target's: a 250-byte name must still save."""
    target = tmp_path / ("é" * 60 + "w" * 120 + ".json")  # 245 bytes in UTF-8
    save_workflow(Workflow(name="long"), target)
    stale = tmp_path / f".{('é' * 60 + 'w' * 80)}.{dead_pid()}.abcd1234.tmp"  # its cut name
    stale.write_bytes(b"{")
    save_workflow(Workflow(name="longer"), target)
    assert load_workflow(target).name == "longer"
    assert sorted(p.name for p in tmp_path.iterdir()) == [target.name]
