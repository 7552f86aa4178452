"""One kernel for each test module (a kernel start is a process start): tests that kill it go on with
the fresh one it restarts."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from fancy_studio.kernel import Kernel


@pytest.fixture(scope="module")
def kernel() -> Iterator[Kernel]:
    kernel = Kernel(grace=0.5)
    kernel.start()
    yield kernel
    kernel.shutdown()
