"""How long something took, in the words a person reads at a glance: the studio and the CLI say it alike."""

from __future__ import annotations


def duration_text(seconds: float | None) -> str:
    """'2 µs', '12 ms', '1.2 s', '3 min 5 s'; empty when unknown."""
    if seconds is None:
        return ""
    if seconds < 0.001:
        return f"{seconds * 1e6:.0f} µs"
    if seconds < 1:
        return f"{seconds * 1e3:.0f} ms"
    if seconds < 60:
        return f"{seconds:.1f} s"
    return f"{int(seconds // 60)} min {seconds % 60:.0f} s"
