"""The kernel: a separate Python process that runs the engine for the studio (issue 12; no Qt).

`Kernel` is the studio's side: start, run, restart, shut down. The process itself is
`python -m fancy_studio.kernel` (`child`), which imports this package first: so the exports are loaded
on first use, and the kernel process says it is ready before the engine is imported.
See docs/spec/008-kernel.md.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from fancy_studio.kernel.kernel import Kernel, KernelBusy, KernelError, KernelState

__all__ = ["Kernel", "KernelBusy", "KernelError", "KernelState"]


def __getattr__(name: str) -> Any:
    if name in __all__:
        from fancy_studio.kernel import kernel

        return getattr(kernel, name)
    raise AttributeError(f"module 'fancy_studio.kernel' has no attribute {name!r}")
