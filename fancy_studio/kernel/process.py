"""One kernel process seen from the studio: start it, read what it says, stop or kill it, say how it ended.

Processes are started from one long-lived thread of the studio's (`_Launcher`): on Linux the kernel asks to
be killed when the thread that started it ends, and the thread that calls `Kernel.run` (a QThread) may
not live as long as the kernel should. The child gets the studio's environment and `sys.path`, its own
`python -m fancy_studio.kernel`, and never the parent's `__main__` (no multiprocessing spawn).
"""

from __future__ import annotations

import json
import os
import queue
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from typing import Any

from fancy_studio.kernel.protocol import (
    CANCEL,
    SHUTDOWN,
    SLOT_FD_ENV,
    SYS_PATH_ENV,
    WARM_ENV,
    ChannelClosed,
    StepSlot,
    decode_json,
    read_message,
    write_message,
)
from fancy_studio.kernel.shipping import ChunkMirror


def exit_detail(returncode: int | None, *, unexpected: bool = False) -> str:
    """How a process ended, as the studio says it: "signal 11, SIGSEGV", "exit code 3". An `unexpected`
    SIGKILL (not the studio's Stop or timeout) says who most likely sent it: Linux's out-of-memory killer
    ends the largest process that way, with no chance for a MemoryError."""
    if returncode is None:
        return "unknown"
    if returncode < 0:
        try:
            name = signal.Signals(-returncode).name
        except ValueError:
            return f"signal {-returncode}"
        if unexpected and -returncode == signal.SIGKILL:
            return f"signal {-returncode}, {name}: killed from outside, most often by the system when memory ran out"
        return f"signal {-returncode}, {name}"
    return f"exit code {returncode}"


class _Launcher:
    """A daemon thread that starts every kernel process (see the module docstring)."""

    def __init__(self) -> None:
        self._jobs: queue.Queue[Callable[[], None]] = queue.Queue()
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()

    def submit(self, job: Callable[[], None]) -> None:
        with self._lock:
            if self._thread is None:
                self._thread = threading.Thread(target=self._serve, name="kernel-launcher", daemon=True)
                self._thread.start()
        self._jobs.put(job)

    def _serve(self) -> None:
        while True:
            self._jobs.get()()


_launcher = _Launcher()


class KernelProcess:
    """A child process, its pipes and the messages it sent (`inbox`: decoded JSON, then one
    {"t": "exit"} when it has ended)."""

    def __init__(self, on_ready: Callable[[KernelProcess], None],
                 on_exit: Callable[[KernelProcess], None], warm: tuple[str, ...] = ()) -> None:
        self.warm = warm
        """Libraries the kernel imports in the background once ready (`protocol.WARM_ENV`)."""
        self.inbox: queue.Queue[dict[str, Any]] = queue.Queue()
        self.pages: queue.Queue[dict[str, Any]] = queue.Queue()
        """Its answers to table page requests (`pages`), then one {"t": "exit"} when it has ended."""
        self.ready = threading.Event()
        self.ended = threading.Event()
        self.popen: subprocess.Popen[bytes] | None = None
        self.slot: StepSlot | None = None
        self.detail: str | None = None
        """How it ended, once it has."""
        self.expected_end = False
        """Set before a stop or kill the studio asked for: its end is not a death."""
        self.started_at = time.monotonic()
        self.ready_after: float | None = None
        """Seconds from asking for the process to its "ready" message."""
        self.mirror = ChunkMirror()
        """The workflow chunks this process holds (see `shipping`)."""
        self._on_ready, self._on_exit = on_ready, on_exit
        self._write_lock = threading.Lock()

    @property
    def pid(self) -> int | None:
        return None if self.popen is None else self.popen.pid

    def start(self) -> None:
        """Start the process in the background (on the launcher thread)."""
        _launcher.submit(self._spawn)

    def _spawn(self) -> None:
        try:
            self.slot = StepSlot.create()
            env = dict(os.environ)
            env[SYS_PATH_ENV] = json.dumps(sys.path)
            env[SLOT_FD_ENV] = str(self.slot.fd)
            if self.warm:
                env[WARM_ENV] = ",".join(self.warm)
            # the child must find this very package before it takes sys.path over
            package_root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
            env["PYTHONPATH"] = os.pathsep.join(filter(None, [package_root, env.get("PYTHONPATH")]))
            self.popen = subprocess.Popen(
                [sys.executable, "-m", "fancy_studio.kernel"], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                pass_fds=(self.slot.fd,), env=env, close_fds=True)
        except Exception as exc:  # noqa: BLE001 - no Python, no fork, no memory: the kernel cannot start
            self._ended(f"could not start: {exc}")
            return
        threading.Thread(target=self._read, name=f"kernel-{self.popen.pid}-reader", daemon=True).start()

    def _read(self) -> None:
        assert self.popen is not None and self.popen.stdout is not None
        fd = self.popen.stdout.fileno()
        while True:
            try:
                message = decode_json(read_message(fd))
            except (ChannelClosed, OSError):
                break
            except ValueError:  # not our protocol: a kernel that cannot be trusted to speak it
                self.kill()
                break
            if message["t"] == "ready" and not self.ready.is_set():
                self.ready_after = time.monotonic() - self.started_at
                self.ready.set()
                self._on_ready(self)
                continue
            (self.pages if message["t"] == "page" else self.inbox).put(message)
        returncode = self.popen.wait()
        self._ended(exit_detail(returncode, unexpected=not self.expected_end))

    def _ended(self, detail: str) -> None:
        self.detail = detail
        self.ended.set()
        self._on_exit(self)  # (the kernel says "died" before a run that reads the message restarts it)
        self.inbox.put({"t": "exit", "detail": detail})
        self.pages.put({"t": "exit", "detail": detail})

    def wait_ready(self, timeout: float | None) -> bool:
        """True once ready; False if it ended first or `timeout` passed."""
        deadline = None if timeout is None else time.monotonic() + timeout
        while not self.ready.is_set() and not self.ended.is_set():
            left = None if deadline is None else deadline - time.monotonic()
            if left is not None and left <= 0:
                break
            self.ready.wait(0.05 if left is None else min(0.05, left))
        return self.ready.is_set() and not self.ended.is_set()

    def send(self, payload: bytes) -> bool:
        """Write one message; False when the process is gone."""
        popen = self.popen
        if popen is None or popen.stdin is None or self.ended.is_set():
            return False
        with self._write_lock:
            try:
                write_message(popen.stdin.fileno(), payload)
            except (OSError, ValueError):
                return False
        return True

    def cancel(self, run_id: int) -> bool:
        return self.send(CANCEL + str(run_id).encode())

    def kill(self) -> None:
        self.expected_end = True
        if self.popen is not None and self.popen.poll() is None:
            try:
                self.popen.kill()
            except OSError:
                pass

    def stop(self, timeout: float) -> None:
        """Ask it to exit, kill it after `timeout`, and wait until it has ended."""
        self.expected_end = True
        popen = self.popen
        if popen is None:
            return
        self.send(SHUTDOWN)
        try:
            popen.wait(timeout)
        except subprocess.TimeoutExpired:
            self.kill()
        self.close()

    def close(self) -> None:
        """Wait for the ended process and let its pipes and slot go."""
        popen = self.popen
        self.ended.wait(10)  # its reader has seen the end: nothing reads the pipe any more
        if popen is not None:
            try:
                popen.wait(5)
            except subprocess.TimeoutExpired:
                popen.kill()
                popen.wait()
            for pipe in (popen.stdin, popen.stdout):
                if pipe is not None:
                    try:
                        pipe.close()
                    except OSError:
                        pass
        if self.slot is not None and self.ended.is_set():
            self.slot.close()
            self.slot = None
