"""Where the studio's bundled files (examples, icons) are, in a source checkout and when installed.

The repository keeps them in the top-level `resources/` folder; `pyproject.toml` installs that folder as
the package `fancy_studio_resources`, so a non-editable `pip install .` carries them too.
"""

from __future__ import annotations

from pathlib import Path


def resources_dir() -> Path:
    checkout = Path(__file__).resolve().parents[1] / "resources"
    if checkout.is_dir():
        return checkout
    import fancy_studio_resources

    return Path(fancy_studio_resources.__file__).parent


def examples_dir() -> Path:
    return resources_dir() / "examples"


def icons_dir() -> Path:
    return resources_dir() / "icons"


def default_example() -> Path:
    return examples_dir() / "temperature.json"


def is_bundled(path: str | Path) -> bool:
    """True for a file among the bundled resources (an example): the studio reads it but never writes it,
    since it belongs to the installation (site-packages for a normal install), not to the user."""
    try:
        Path(path).resolve().relative_to(resources_dir().resolve())
    except ValueError:
        return False
    return True
