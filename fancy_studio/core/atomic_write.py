"""Writing a file so that a crash, a full disk or a kill mid-write never leaves it half-written.

The bytes go to a temporary file beside the file they replace, are flushed to disk, and the temporary
file is renamed over the target only once complete. Around that core:

- **Links.** A symlink (or a chain of them) is resolved first: the file it points to is written, beside
  itself, so the link stays a link and a link into another filesystem works (a rename cannot cross
  filesystems). A file with several hard links (``st_nlink > 1``) cannot be replaced by a rename without
  splitting it in two (the other names would keep the old content), so it is written in place instead: the
  complete new content goes to the temporary file first (flushed), then is copied into the file, which is
  truncated and flushed; the temporary file is removed only after that succeeded. That in-place copy is not
  atomic: if it fails halfway, the error names the temporary file that holds the complete new content.
- **Permissions.** The file keeps its permission bits (a 0600 file stays 0600); a new file gets
  ``new_file_mode`` (by default what the umask allows). A read-only file (no write permission for the user)
  is not overwritten unless the caller says so: `ReadOnlyFileError`.
- **Leftovers.** The temporary file is named ``.NAME.PID.XXXXXXXX.tmp``. A save killed mid-write leaves it
  behind; the next successful save of the same file removes such leftovers whose writer process is gone or
  which have not changed for `STALE_TEMP_SECONDS` (and the ``.NAME.XXXXXXXX.tmp`` files of older versions,
  by age). Nothing else is touched.
"""

from __future__ import annotations

import os
import re
import stat
import tempfile
import time
from pathlib import Path

from fancy_studio.core.errors import ReadOnlyFileError

STALE_TEMP_SECONDS = 60.0
"""A leftover temporary file unchanged this long is stale even if its writer's process id is alive (ids
are reused; a live writer keeps writing, and renames its file within moments)."""
_TEMP_RANDOM = r"[a-z0-9_]{8}"  # what tempfile.mkstemp puts between prefix and suffix
MAX_STEM_BYTES = 200
"""A longer file name is cut to this in its temporary file's name (which adds up to 36 bytes)."""


def write_atomically(path: str | os.PathLike[str], data: bytes, *, overwrite_read_only: bool = False,
                     new_file_mode: int | None = None) -> None:
    """Write `data` to `path` (see the module's docstring): all of it, or nothing changes.

    Raises `ReadOnlyFileError` for an existing read-only file unless `overwrite_read_only`, and `OSError`
    for anything the disk refuses (the old file is then as it was)."""
    target = Path(os.path.realpath(path))
    try:
        existing: os.stat_result | None = os.stat(target)
    except FileNotFoundError:
        existing = None
    if existing is not None and not overwrite_read_only and is_read_only(target, existing):
        raise ReadOnlyFileError(Path(path))
    temp = _write_temp(target, data)
    if existing is not None and existing.st_nlink > 1 and stat.S_ISREG(existing.st_mode):
        _copy_in_place(temp, target, existing, data)
    else:
        try:
            _keep_attributes(temp, existing, new_file_mode)
            os.replace(temp, target)
        except BaseException:
            _remove(temp)
            raise
        _sync_folder(target.parent)
    remove_stale_temporaries(target)


def is_read_only(path: Path, status: os.stat_result | None = None) -> bool:
    """True when the user may not write `path`: no owner write bit (which binds even root in the studio's
    sense: the user marked it read-only), or no write access at all."""
    status = status or os.stat(path)
    return not status.st_mode & stat.S_IWUSR or not os.access(path, os.W_OK)


def temp_prefix(target: Path) -> str:
    return f".{_temp_stem(target)}.{os.getpid()}."


def _temp_stem(target: Path) -> str:
    """The target's name, cut so that the temporary file's name fits the usual 255-byte limit."""
    encoded = target.name.encode("utf-8", "surrogateescape")
    if len(encoded) <= MAX_STEM_BYTES:
        return target.name
    return encoded[:MAX_STEM_BYTES].decode("utf-8", "ignore")


def _write_temp(target: Path, data: bytes) -> Path:
    """The complete new content in a temporary file beside `target`, flushed to disk (0600 until renamed)."""
    handle, name = tempfile.mkstemp(prefix=temp_prefix(target), suffix=".tmp", dir=target.parent)
    try:
        with os.fdopen(handle, "wb") as temp:
            temp.write(data)
            temp.flush()
            os.fsync(temp.fileno())
    except BaseException:
        _remove(Path(name))
        raise
    return Path(name)


def _copy_in_place(temp: Path, target: Path, existing: os.stat_result, data: bytes) -> None:
    """Rewrite a hard-linked file's content in place, so every name of it sees the new content.

    `temp` already holds the complete new content: it is removed once the copy succeeded, and kept (and
    named in the error) if the copy failed after it began."""
    made_writable = False
    try:
        if not existing.st_mode & stat.S_IWUSR:  # a read-only file the caller chose to overwrite
            os.chmod(target, stat.S_IMODE(existing.st_mode) | stat.S_IWUSR)
            made_writable = True
        fd = os.open(target, os.O_WRONLY | getattr(os, "O_BINARY", 0))
    except BaseException:
        _remove(temp)
        if made_writable:
            os.chmod(target, stat.S_IMODE(existing.st_mode))
        raise
    try:
        try:
            view = memoryview(data)
            while view:
                view = view[os.write(fd, view):]
            os.ftruncate(fd, len(data))
            os.fsync(fd)
        finally:
            os.close(fd)
            if made_writable:
                os.chmod(target, stat.S_IMODE(existing.st_mode))
    except OSError as exc:
        raise OSError(exc.errno, f"{exc.strerror or exc}; '{target.name}' has other hard links and was being "
                                 f"rewritten in place: the complete new content is in {temp}") from exc
    _remove(temp)


def _keep_attributes(temp: Path, existing: os.stat_result | None, new_file_mode: int | None) -> None:
    """Give the temporary file the target's permission bits (and owner, where allowed) before the rename."""
    if existing is None:
        os.chmod(temp, new_file_mode if new_file_mode is not None else 0o666 & ~_umask())
        return
    os.chmod(temp, stat.S_IMODE(existing.st_mode))
    if hasattr(os, "chown"):
        mine = os.stat(temp)
        if (mine.st_uid, mine.st_gid) != (existing.st_uid, existing.st_gid):
            try:
                os.chown(temp, existing.st_uid, existing.st_gid)
            except OSError:
                pass  # only root may give a file away; the group may still be refused: keep ours


def remove_stale_temporaries(target: Path) -> list[Path]:
    """Remove leftovers of interrupted saves of `target` (see the module's docstring); return them."""
    name = re.escape(_temp_stem(target))
    ours = re.compile(rf"\.{name}\.(?P<pid>\d+)\.{_TEMP_RANDOM}\.tmp")
    older = re.compile(rf"\.{name}\.{_TEMP_RANDOM}\.tmp")  # before the writer's pid was in the name
    removed = []
    try:
        candidates = list(os.scandir(target.parent))
    except OSError:
        return removed
    now = time.time()
    for entry in candidates:
        match = ours.fullmatch(entry.name)
        if match is None and older.fullmatch(entry.name) is None:
            continue
        try:
            status = entry.stat(follow_symlinks=False)
        except OSError:
            continue
        if not stat.S_ISREG(status.st_mode):
            continue
        old = now - status.st_mtime > STALE_TEMP_SECONDS
        writer_gone = match is not None and int(match["pid"]) != os.getpid() and not _process_exists(int(match["pid"]))
        if old or writer_gone:
            path = Path(entry.path)
            if _remove(path):
                removed.append(path)
    return removed


def _process_exists(pid: int) -> bool:
    if os.name == "nt":
        return True  # os.kill(pid, 0) would send Ctrl+C there: rely on the file's age
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (OSError, OverflowError, ValueError):
        return True  # exists but is someone else's, or cannot be asked: assume alive
    return True


def _remove(path: Path) -> bool:
    try:
        os.unlink(path)
    except FileNotFoundError:
        return False
    except OSError:
        return False
    return True


def _sync_folder(folder: Path) -> None:
    """Flush the rename itself to disk (POSIX; elsewhere a folder cannot be opened, and that is fine)."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask
