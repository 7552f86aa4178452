"""How the Datums dock words a datum's lineage, a value kept in memory only, and a stale value.

Plain functions of the core's `Lineage`, so the table model stays about rows and the words can be
tested (and changed) in one place.
"""

from __future__ import annotations

import string
import time

from fancy_studio.core.durations import duration_text
from fancy_studio.core.result_cache import Lineage

HASH_CHARS = 8
"""A content hash or a code version is shown by its first characters: enough to tell two apart."""

IN_MEMORY_NOTE = "in memory only"
IN_MEMORY_TIP = ("Kept in memory only: this value cannot be written to the store file, so it is not kept "
                 "when the studio closes (the next run after a restart computes it again).")

_HEX = frozenset(string.hexdigits)


def short_hash(digest: str) -> str:
    return digest[:HASH_CHARS] + "…" if len(digest) > HASH_CHARS else digest


def version_text(version: str) -> str:
    """A pinned version as written ("2.1"); a version that is a hash of the code, shortened."""
    if len(version) > HASH_CHARS + 4 and set(version) <= _HEX:
        return version[:HASH_CHARS]
    return version


def function_text(lineage: Lineage | None) -> str:
    """'math.add 3fa2b9c1': the function and the version of it that made the value."""
    if lineage is None:
        return ""
    return f"{lineage.slug} {version_text(lineage.version)}" if lineage.version else lineage.slug


def took_text(lineage: Lineage | None) -> str:
    """How long the step took when it made the value (a reused value keeps its first run's time)."""
    return "" if lineage is None else duration_text(lineage.duration)


def lineage_tooltip(lineage: Lineage, step_title: str) -> str:
    """Everything the store recorded about where the value came from, a line each."""
    made = time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(lineage.made_at))
    lines = [f"Made by {step_title or 'step ' + str(lineage.step_id)[:8]}: {lineage.slug}, "
             f"version {version_text(lineage.version) or '—'}",
             f"at {made}, took {duration_text(lineage.duration)}"]
    if lineage.input_hashes:
        lines.append("from inputs (content hashes):")
        hashes = sorted(lineage.input_hashes.items())
        lines.extend(f"  {port} = {short_hash(digest)}" for port, digest in hashes)
    else:
        lines.append("from no inputs")
    lines.append(f"recipe key: {short_hash(lineage.key)}")
    return "\n".join(lines)


def stale_text(reason: str) -> str:
    """'stale: input 'celsius' changed' (the run status's reason, as the inspector words it)."""
    return f"stale: {reason}"
