"""The wire between the studio and its kernel: length-prefixed messages on the child's stdin and stdout.

Each message is an 8-byte big-endian length and that many bytes. What the studio sends its own child
(a workflow's chunks, then a run naming them with its input cells and functions) is pickles; what the
kernel sends back (events, results, errors as text) is JSON, so the studio never unpickles anything a
kernel wrote.

Beside the pipes, one shared 8-byte slot (`StepSlot`, a memory-mapped file both processes hold) says
which plan position the kernel started last. The kernel writes it as each step starts, so the studio
knows which step was running even when the kernel dies before it could say so, or is stuck in a C call
that holds the GIL (and so cannot send anything).
"""

from __future__ import annotations

import json
import mmap
import os
import struct
from typing import Any

HEADER = struct.Struct(">Q")
RUN, CANCEL, SHUTDOWN, CHUNK_MESSAGE, PAGE = b"R", b"C", b"S", b"W", b"P"
"""The first byte of each message the studio sends; a run's pickle (or Stop's run number, or a workflow
chunk's digest and body: see `shipping`, or a table page request: see `pages`) follows."""
SYS_PATH_ENV = "FANCY_STUDIO_KERNEL_SYS_PATH"
"""The studio's `sys.path` (JSON), which the kernel takes as its own before importing anything else."""
SLOT_FD_ENV = "FANCY_STUDIO_KERNEL_SLOT_FD"
"""The file descriptor of the shared step slot, inherited by the kernel."""
WARM_ENV = "FANCY_STUDIO_KERNEL_WARM"
"""Libraries the kernel imports in the background once it is ready (comma separated; see `WARMABLE`)."""
WARMABLE = frozenset({"pandas", "pyarrow", "numpy", "matplotlib"})
"""What `WARM_ENV` may name: heavy libraries a first table page or chart would otherwise wait for."""


class ChannelClosed(EOFError):
    """The other end of the pipe is gone (the process exited, or closed it)."""


def write_message(fd: int, payload: bytes) -> None:
    """Write one message whole (a pipe write may be partial)."""
    data = memoryview(HEADER.pack(len(payload)) + payload)
    while data:
        written = os.write(fd, data)
        data = data[written:]


def read_exactly(fd: int, size: int) -> bytes:
    chunks = []
    while size:
        chunk = os.read(fd, min(size, 1 << 20))
        if not chunk:
            raise ChannelClosed
        chunks.append(chunk)
        size -= len(chunk)
    return b"".join(chunks)


def read_message(fd: int) -> bytes:
    (size,) = HEADER.unpack(read_exactly(fd, HEADER.size))
    return read_exactly(fd, size)


def encode_json(message: dict[str, Any]) -> bytes:
    return json.dumps(message, separators=(",", ":"), allow_nan=True).encode()


def decode_json(payload: bytes) -> dict[str, Any]:
    message = json.loads(payload)
    if not isinstance(message, dict) or not isinstance(message.get("t"), str):
        raise ValueError("a kernel message is a JSON object with a type 't'")
    return message


class StepSlot:
    """The plan position of the step the kernel started last (-1: none yet), in shared memory."""

    def __init__(self, fd: int) -> None:
        self.fd = fd
        self._map = mmap.mmap(fd, HEADER.size)
        self._view = memoryview(self._map).cast("q")

    @classmethod
    def create(cls) -> StepSlot:
        """A new slot in an unnamed file (unlinked at once: only the two processes hold it)."""
        import tempfile

        folder = "/dev/shm" if os.path.isdir("/dev/shm") else None
        handle, path = tempfile.mkstemp(prefix="fancy-kernel-", dir=folder)
        os.unlink(path)
        os.ftruncate(handle, HEADER.size)
        slot = cls(handle)
        slot.set(-1)
        return slot

    def set(self, position: int) -> None:
        self._view[0] = position

    def get(self) -> int:
        return self._view[0]

    def setter(self) -> Any:
        """`view.__setitem__`, bound: the kernel's per-step write is one C call."""
        return self._view.__setitem__

    def close(self) -> None:
        self._view.release()
        self._map.close()
        os.close(self.fd)
