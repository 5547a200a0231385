"""Writing files safely: the ``--output`` checks and atomic writes.

Every file royalty writes (a table from ``--output``, a chart, a user's stored
plays) goes through :func:`write_atomic`: the new content is written to a
temporary file beside the target, flushed to disk and renamed over it, so a
crash or a full disk leaves the old file, never a torn one.

Only regular files are written. A device, a FIFO or a folder is refused rather
than replaced by a file (run as root, ``--output /dev/full`` used to swap the
device for a file), and a symbolic link is written through to the file it
points at, so the link stays a link.
"""

from __future__ import annotations

import contextlib
import errno
import os
import stat
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import BinaryIO

from royalty.config import royalty_home
from royalty.errors import UsageError

_KINDS = {
    stat.S_IFDIR: "a folder",
    stat.S_IFCHR: "a device",
    stat.S_IFBLK: "a device",
    stat.S_IFIFO: "a pipe (FIFO)",
    stat.S_IFSOCK: "a socket",
}


def output_target(output: Path, *, option: str = "--output", inputs: Sequence[Path] = ()) -> Path:
    """The file that writing ``output`` would really change, after checking it.

    A symbolic link is followed to its target. The result is a regular file or
    a name that does not exist yet, in a folder that does, and neither one of
    the ``inputs`` nor a file in the store (royalty never changes what it reads).

    Args:
        output: the path the user gave.
        option: how the user gave it, for the messages.
        inputs: the files the command reads (``--file``).

    Raises:
        UsageError: ``output`` is a folder, a device, a FIFO or a socket; its
            folder does not exist; the name cannot be used (too long…); or it
            is an input file or inside the store.

    Example:
        >>> output_target(Path("/tmp"))
        Traceback (most recent call last):
        ...
        royalty.errors.UsageError: --output /tmp is a folder; give a file name
    """
    shown = f"{option} {output}"
    try:
        target = Path(os.path.realpath(output.expanduser()))
        mode = os.stat(target).st_mode
    except FileNotFoundError:
        mode = None
    except (OSError, ValueError) as exc:
        raise UsageError(f"cannot write {shown}: {os_reason(exc)}") from None
    if mode is not None and not stat.S_ISREG(mode):
        kind = _KINDS.get(stat.S_IFMT(mode), "not a regular file")
        if stat.S_ISDIR(mode):
            raise UsageError(f"{shown} is a folder; give a file name")
        raise UsageError(f"{shown} is {kind}, not a file; give a file name")
    if not target.parent.is_dir():
        raise UsageError(f"cannot write {shown}: the folder {target.parent} does not exist")
    if mode is not None and any(_same_file(target, given) for given in inputs):
        raise UsageError(f"{shown} is a file this command reads; write the result elsewhere")
    store = Path(os.path.realpath(royalty_home().expanduser() / "users"))
    if target.is_relative_to(store):
        raise UsageError(f"{shown} is inside royalty's store ({store}); write it elsewhere")
    return target


def _same_file(target: Path, given: Path) -> bool:
    """Whether ``given`` (an input path) is the file ``target``."""
    try:
        return os.path.samefile(target, given.expanduser())
    except (OSError, ValueError):
        return False  # an input that cannot be looked at is reported by its reader


def write_atomic(target: Path, write: Callable[[BinaryIO], object]) -> None:
    """Write a file with ``write(fh)`` so that ``target`` is either old or new, never torn.

    The temporary file is ``.NAME.PID.tmp`` beside ``target``; it is removed if
    anything fails, and those left by royalty processes that were killed are
    removed here. A file that is replaced keeps its permissions; a new one gets
    the usual ones (0666 less the umask).

    Raises:
        OSError: the file cannot be written (the caller names what it was).
    """
    remove_stale_tmp(target)
    tmp = tmp_path(target)
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o666)
    try:
        with os.fdopen(fd, "wb") as fh:
            _copy_mode(target, fh.fileno())
            write(fh)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, target)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    # The rename lives in the folder: make it durable too.
    dir_fd = os.open(target.parent, os.O_RDONLY)
    try:
        os.fsync(dir_fd)
    finally:
        os.close(dir_fd)


def _copy_mode(target: Path, fd: int) -> None:
    """Give the temporary file the permissions of the file it replaces, if any."""
    try:
        mode = os.stat(target).st_mode
    except FileNotFoundError:
        return
    os.fchmod(fd, stat.S_IMODE(mode))


def tmp_path(target: Path, pid: int | None = None) -> Path:
    """The temporary file beside ``target`` that process ``pid`` writes to."""
    # Cut long names so that the temporary name still fits the 255-byte limit.
    return target.with_name(f".{target.name[:200]}.{pid or os.getpid()}.tmp")


def remove_stale_tmp(target: Path, *, all_stale: bool = False) -> None:
    """Remove temporary files of ``target`` left by killed writers.

    Args:
        target: the file whose ``.NAME.PID.tmp`` files to look for.
        all_stale: every such file is stale (the caller holds a lock that
            makes writers exclusive); otherwise only those of processes that
            no longer run are removed, so a live writer's file is left alone.
    """
    prefix = f".{target.name[:200]}."
    try:
        names = os.listdir(target.parent)
    except OSError:
        return  # the write itself will report the folder's problem
    for name in names:
        if not (name.startswith(prefix) and name.endswith(".tmp")):
            continue
        pid = name[len(prefix) : -len(".tmp")]
        if not pid.isdigit():
            continue
        if all_stale or not _running(int(pid)):
            # Gone already, or not ours to remove: harmless either way.
            with contextlib.suppress(OSError):
                (target.parent / name).unlink()


def _running(pid: int) -> bool:
    """Whether a process ``pid`` exists (ours counts as running)."""
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except (ProcessLookupError, OverflowError):  # no such process, or no such pid at all
        return False
    except PermissionError:  # another user's process
        return True
    return True


def os_reason(exc: BaseException) -> str:
    """A short reason for an OS error (``No space left on device``), without its path."""
    if isinstance(exc, OSError) and exc.errno == errno.ENAMETOOLONG:
        return "the name is too long"
    if isinstance(exc, OSError):
        return exc.strerror or str(exc)
    return str(exc)
