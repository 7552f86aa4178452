"""Issue 10, case 17: `python -m fancy_studio` in a folder that holds a `*.dist-info` declaring a
`fancy_studio.functions` entry point must not import it (Python puts the current folder on sys.path for
`-m`); a plugin installed properly still loads, also when the current folder holds a copy of its metadata
(a source checkout with an editable install)."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path


def _distribution(folder: Path, name: str, entry: str, module: str, code: str) -> None:
    """A minimal installed distribution in `folder`: NAME-1.0.dist-info, an entry point, its module."""
    info = folder / f"{name}-1.0.dist-info"
    info.mkdir(parents=True)
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {name}\nVersion: 1.0\n")
    (info / "entry_points.txt").write_text(f"[fancy_studio.functions]\n{name} = {entry}\n")
    (folder / f"{module}.py").write_text(textwrap.dedent(code))


EVIL = """
    from pathlib import Path
    Path({marker!r}).write_text("imported")

    def register(registry):
        Path({marker!r}).write_text("registered")
"""

GOOD = """
    from fancy_studio.core.functions import describe

    def shout(text: str) -> str:
        '''The text, louder.'''
        return text.upper() + "!"

    def register(registry):
        registry.register(describe(shout, "goodplug.shout"))
"""


def _fancy(cwd: Path, *args: str, site: Path | None = None):
    # the test's own import path, without the current folder (as for an installed fancy-studio)
    paths = [p for p in sys.path if p and Path(p).resolve() != cwd.resolve()]
    if site is not None:
        paths.insert(0, str(site))
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(paths)}
    env.pop("PYTHONSAFEPATH", None)
    return subprocess.run([sys.executable, "-m", "fancy_studio", *args], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=60)


def test_a_dist_info_in_the_current_folder_is_not_imported(tmp_path: Path):
    here = tmp_path / "downloads"
    marker = tmp_path / "marker.txt"
    _distribution(here, "evil", "evil_module:register", "evil_module", EVIL.format(marker=str(marker)))
    done = _fancy(here, "functions")
    assert done.returncode == 0, done.stderr
    assert not marker.exists(), "the current folder's plugin was imported"
    assert "math.increment" in done.stdout


def test_a_properly_installed_plugin_still_loads_beside_a_hostile_folder(tmp_path: Path):
    site, here = tmp_path / "site", tmp_path / "downloads"
    marker = tmp_path / "marker.txt"
    _distribution(site, "goodplug", "good_plugin:register", "good_plugin", GOOD)
    _distribution(here, "evil", "evil_module:register", "evil_module", EVIL.format(marker=str(marker)))
    done = _fancy(here, "functions", site=site)
    assert done.returncode == 0, done.stderr
    assert "goodplug.shout" in done.stdout
    assert not marker.exists()


def test_a_plugin_whose_metadata_is_also_in_the_current_folder_loads_from_where_it_is_installed(tmp_path):
    """A source checkout of a plugin (its `.dist-info`/`.egg-info` in the folder) that is also installed:
    the installed copy loads; the folder's copy, first on the path, is not the one trusted."""
    site, here = tmp_path / "site", tmp_path / "checkout"
    marker = tmp_path / "marker.txt"
    _distribution(site, "goodplug", "good_plugin:register", "good_plugin", GOOD)
    evil = EVIL.format(marker=str(marker))
    _distribution(here, "goodplug", "checkout_copy:register", "checkout_copy", evil)
    done = _fancy(here, "functions", site=site)
    assert done.returncode == 0, done.stderr
    assert "goodplug.shout" in done.stdout
    assert not marker.exists()


def test_running_from_this_source_checkout_still_lists_the_library():
    """`python -m fancy_studio` in the project folder (which holds the package and its egg-info)."""
    root = Path(__file__).parents[2]
    done = _fancy(root, "functions")
    assert done.returncode == 0, done.stderr
    assert "math.increment" in done.stdout and "text.upper" in done.stdout
