"""The writer lock of a user's stored plays (see :func:`royalty.store.lock`).

One writer at a time per user: an OS-level ``flock`` on ``users/<name>/.lock``,
which the kernel frees when the process ends, even by ``kill -9``.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Final

from royalty.errors import StoreError, StoreLockedError
from royalty.fileio import os_reason, remove_stale_tmp

PLAYS_FILE: Final = "plays.parquet"
LOCK_FILE: Final = ".lock"

# Locks this process holds, by lock path: (file descriptor, depth). flock locks
# belong to an open file description, so a second open() in the same process
# would conflict with the first; re-entry is counted here instead.
_held: dict[Path, tuple[int, int]] = {}


@contextlib.contextmanager
def hold(user: str, folder: Path) -> Iterator[None]:
    """Hold the writer lock of ``user``, whose plays are in ``folder``, for a ``with`` block.

    The lock is an OS-level ``flock`` on ``users/<name>/.lock``: the kernel
    frees it when the process ends, even by ``kill -9``. Re-entrant within one
    process. Temporary files that killed writers left are removed once the
    lock is held (writers are exclusive, so none of them is being written).
    When the block ends with nothing stored for ``user`` (a failed first
    import), the lock file and the folders made for it are removed again.

    Raises:
        StoreLockedError: another process holds the lock; the message names it.
        StoreError: the user's folder or lock file cannot be made.
    """
    path = folder / LOCK_FILE
    if path in _held:
        fd, depth = _held[path]
        _held[path] = (fd, depth + 1)
        try:
            yield
        finally:
            fd, depth = _held[path]
            _held[path] = (fd, depth - 1)
        return
    fd, made = _acquire(user, folder)
    os.ftruncate(fd, 0)
    os.pwrite(fd, f"pid {os.getpid()}: {_command_name()}".encode(), 0)
    _held[path] = (fd, 1)
    try:
        remove_stale_tmp(folder / PLAYS_FILE, all_stale=True)
        yield
    finally:
        fd, _ = _held.pop(path)
        os.ftruncate(fd, 0)
        if not (folder / PLAYS_FILE).exists():
            _remove_empty(folder, made)  # still locked: nobody else can be using them
        fcntl.flock(fd, fcntl.LOCK_UN)
        os.close(fd)


def _acquire(user: str, folder: Path) -> tuple[int, list[Path]]:
    """Make ``folder``, open and lock its lock file: (descriptor, folders made)."""
    path = folder / LOCK_FILE
    made: list[Path] = []
    for _ in range(10):
        made += _make_folder(folder)
        try:
            fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
        except IsADirectoryError:
            raise StoreError(
                f"{path} should be royalty's lock file but is a folder; remove it and try again"
            ) from None
        except FileNotFoundError:
            continue  # another writer removed the empty folder just now: make it again
        except OSError as exc:
            raise StoreError(f"cannot write the lock file {path}: {os_reason(exc)}") from None
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.pread(fd, 1000, 0).decode("utf-8", "replace").strip() or "unknown process"
            os.close(fd)
            raise StoreLockedError(
                f"{user}'s history is being written by another royalty process ({holder}); "
                "wait for it to finish and try again"
            ) from None
        try:
            now, held = os.stat(path), os.fstat(fd)
            same = (now.st_dev, now.st_ino) == (held.st_dev, held.st_ino)
        except FileNotFoundError:
            same = False
        if same:
            return fd, made
        os.close(fd)  # the lock file was removed by a writer that stored nothing: again
    raise StoreError(f"cannot lock {path}: it keeps being removed; try again")


def _make_folder(folder: Path) -> list[Path]:
    """Make ``folder`` and its parents; returns those made, deepest first."""
    missing = []
    parent = folder
    while not os.path.lexists(parent) and parent != parent.parent:
        missing.append(parent)
        parent = parent.parent
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise StoreError(
            f"cannot write to the data folder: {folder}: {os_reason(exc)}; "
            "set ROYALTY_HOME to a folder you can write to"
        ) from None
    return missing


def _remove_empty(folder: Path, made: list[Path]) -> None:
    """Remove the lock file and ``folder`` if nothing else is in it, then the parents made."""
    with contextlib.suppress(OSError):
        (folder / LOCK_FILE).unlink()
    for empty in [folder, *made]:
        with contextlib.suppress(OSError):  # not empty, or not ours: leave it
            empty.rmdir()


def _command_name() -> str:
    """The running command, for the lock file: ``royalty import rj``.

    Only the program and its leading words are kept, never options, so a
    secret given on the command line (``--api-key``) cannot reach the file.
    """
    program = os.path.basename(sys.argv[0]) if sys.argv else "python"
    if program in ("__main__.py", "-c", ""):
        program = "royalty" if program == "__main__.py" else "python"
    words = []
    for arg in sys.argv[1:3]:
        if arg.startswith("-"):
            break
        words.append(arg)
    return " ".join([program, *words])
