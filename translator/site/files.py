"""Writing files so that a crash or a kill never leaves half of one, and hashing them."""

from __future__ import annotations

import fcntl
import hashlib
import os
import sys
import time
from _thread import get_ident
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from ..errors import InputError


def digest(data: bytes) -> str:
    """A short, stable content hash: ``sha256:`` and 16 hex digits."""
    return "sha256:" + hashlib.sha256(data).hexdigest()[:16]


def inside(root: Path, path: Path) -> Path:
    """``path``, checked to lie inside ``root`` once every symlink of its folder is resolved
    (a file that is itself a symlink is replaced by the write, never followed): a setting
    or a link can never make the tool write elsewhere."""
    folder = path.parent.resolve()
    if not folder.is_relative_to(root.resolve()):
        raise InputError(f"would write outside the site root ({folder})", path)
    return path


SITE_LOCK = ".translator-cache/lock"


@contextmanager
def site_locked(root: Path, waiting: Callable[[str], None]) -> Iterator[None]:
    """One run of the tool at a time on a site (two would each write back the catalogs
    they read): a run that finds another at work tells ``waiting`` who holds the lock,
    then waits for it. The lock dies with its holder; the file names the last one."""
    path = inside(root, root / SITE_LOCK)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            waiting(os.pread(fd, 512, 0).decode("utf-8", "replace").strip() or "another run")
            fcntl.flock(fd, fcntl.LOCK_EX)
        since = time.strftime("%Y-%m-%d %H:%M:%S")
        holder = f"pid {os.getpid()} ({' '.join(sys.argv[:4])}), since {since}"
        os.ftruncate(fd, 0)
        os.pwrite(fd, holder.encode(), 0)
        yield
    finally:
        os.close(fd)


def write_atomic(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` through a temporary file and a rename. The temporary
    file is named for its process: one left by a writer that was killed (SIGKILL runs no
    cleanup) is removed by the next write of the same file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    _remove_orphans(path)
    fd, tmp = _temporary(path)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        tmp.chmod(path.stat().st_mode & 0o777 if path.exists() else 0o644)
        tmp.replace(path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def _temporary(path: Path) -> tuple[int, Path]:
    """A new file beside ``path``, ``.<name>.<pid>.<random>.tmp``, opened for writing
    (what ``tempfile.mkstemp`` does, without importing tempfile into every command)."""
    while True:
        tmp = path.parent / f".{path.name}.{os.getpid()}.{os.urandom(6).hex()}.tmp"
        try:
            return os.open(
                tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC | os.O_NOFOLLOW, 0o600
            ), tmp
        except FileExistsError:  # pragma: no cover - 48 random bits
            continue


def _remove_orphans(path: Path) -> None:
    """Delete the temporary files of ``path`` whose writing process is gone. A folder is
    listed once a process (a build writes thousands of files into one folder): what a
    writer killed later leaves is removed by the next process that writes there."""
    prefix = f".{path.name}."
    for name in _leftovers(path.parent):
        if not name.startswith(prefix):
            continue
        pid = name[len(prefix) :].partition(".")[0]
        if not pid.isdigit() or _alive(int(pid)):
            continue
        (path.parent / name).unlink(missing_ok=True)


_listed: dict[Path, list[str]] = {}  # folder -> its temporary files when first written to


def _leftovers(folder: Path) -> list[str]:
    if folder not in _listed:
        try:
            with os.scandir(folder) as found:
                names = [e.name for e in found if e.name[0] == "." and e.name[-4:] == ".tmp"]
        except OSError:
            names = []
        _listed[folder] = names
    return _listed[folder]


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # another user's process
    return True


# (thread, folder) -> the ``locked`` blocks that thread is in, in that folder (by thread id
# from _thread: importing threading for a threading.local would cost check a millisecond)
_held: dict[tuple[int, str], int] = {}


def _forget_other_threads() -> None:
    """In a forked child only the forking thread goes on: the other threads' blocks are not
    the child's (as a threading.local forgets them), lest a new thread reusing one of their
    ids skip the lock."""
    me = get_ident()
    for key in [key for key in _held if key[0] != me]:
        del _held[key]


os.register_at_fork(after_in_child=_forget_other_threads)


@contextmanager
def locked(path: Path) -> Iterator[None]:
    """Hold an exclusive lock on the folder of ``path`` while reading and rewriting files
    in it, so two processes (a site worker and a CLI run) never interleave their updates.
    The folder itself is locked (files in it are replaced by renames, and no lock file is
    left behind); the lock is reentrant within a process and dies with it: a killed
    holder never leaves it taken."""
    folder = path.parent
    folder.mkdir(parents=True, exist_ok=True)
    key = (get_ident(), str(folder.resolve()))
    if _held.get(key):
        _held[key] += 1
        try:
            yield
        finally:
            _held[key] -= 1
        return
    fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        _held[key] = 1
        try:
            yield
        finally:
            del _held[key]
    finally:
        os.close(fd)
