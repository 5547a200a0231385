"""The Parquet store: every importer writes here and every command reads here.

Layout under ``ROYALTY_HOME``::

    users/<name>/plays.parquet   one Parquet file per user, sorted by played_at,
                                 columns and dtypes as in royalty.schema
    users/<name>/.lock           held (flock) by the process writing that user

``<name>`` is the Last.fm user name in lower case (Last.fm names are not case
sensitive). The file's key-value metadata holds ``royalty.updated_at``,
``royalty.first_play``, ``royalty.last_play`` and ``royalty.plays`` so that
listing users reads only the file footers.

Writes are atomic: the new file is written beside the old one, flushed to disk
and renamed over it, so a reader or a crash sees the old state or the new one,
never a torn file.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import re
import sys
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Final

from royalty import schema
from royalty.config import royalty_home
from royalty.errors import StoreError, StoreLockedError, UnknownUserError, UserNameError

if TYPE_CHECKING:
    import pandas as pd

PLAYS_FILE: Final = "plays.parquet"
LOCK_FILE: Final = ".lock"
_META_PREFIX: Final = "royalty."
_USER_RE: Final = re.compile(r"[A-Za-z][A-Za-z0-9_-]{1,14}")

# Locks this process holds, by lock path: (file descriptor, depth). flock locks
# belong to an open file description, so a second open() in the same process
# would conflict with the first; re-entry is counted here instead.
_held: dict[Path, tuple[int, int]] = {}


@dataclass(frozen=True)
class UserInfo:
    """What ``royalty users`` shows for one stored user."""

    user: str
    plays: int
    first_play: datetime | None
    last_play: datetime | None
    updated_at: datetime


@dataclass(frozen=True)
class MergeResult:
    """What a merge did.

    Attributes:
        added: new plays stored.
        total: the user's plays afterwards.
        matched: batch plays found to be a stored play from another source.
    """

    added: int
    total: int
    matched: int = 0


def validate_user(name: str) -> str:
    """Return ``name`` if it is a valid Last.fm user name, else raise.

    Last.fm's rule: 2 to 15 characters, letters, digits, ``_`` and ``-``,
    starting with a letter. Nothing else can reach the file system.

    Example:
        >>> validate_user("rj")
        'rj'
    """
    if not isinstance(name, str) or not _USER_RE.fullmatch(name):
        raise UserNameError(
            f"{name!r} is not a valid user name: use 2 to 15 letters, digits, '_' or '-', "
            "starting with a letter"
        )
    return name


def user_dir(user: str, home: Path | None = None) -> Path:
    """The folder that holds ``user``'s plays (not created)."""
    root = (home or royalty_home()).expanduser().resolve()
    path = (root / "users" / validate_user(user).lower()).resolve()
    if path.parent != root / "users":  # defence in depth; validation already prevents it
        raise UserNameError(f"{user!r} would be stored outside {root}")
    return path


def plays_path(user: str, home: Path | None = None) -> Path:
    """The Parquet file holding ``user``'s plays."""
    return user_dir(user, home) / PLAYS_FILE


def has_user(user: str, home: Path | None = None) -> bool:
    """Whether any plays are stored for ``user``."""
    return plays_path(user, home).is_file()


@contextlib.contextmanager
def lock(user: str, home: Path | None = None) -> Iterator[None]:
    """Hold ``user``'s writer lock for the body of the ``with`` block.

    The lock is an OS-level ``flock`` on ``users/<name>/.lock``: the kernel
    frees it when the process ends, even by ``kill -9``. Re-entrant within one
    process.

    Raises:
        StoreLockedError: another process holds the lock; the message names it.
    """
    folder = user_dir(user, home)
    folder.mkdir(parents=True, exist_ok=True)
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
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        holder = os.pread(fd, 1000, 0).decode("utf-8", "replace").strip() or "unknown process"
        os.close(fd)
        raise StoreLockedError(
            f"{user}'s history is being written by another royalty process ({holder}); "
            "wait for it to finish and try again"
        ) from None
    os.ftruncate(fd, 0)
    os.pwrite(fd, f"pid {os.getpid()}: {_command_name()}".encode(), 0)
    _held[path] = (fd, 1)
    try:
        yield
    finally:
        fd, depth = _held.pop(path)
        os.ftruncate(fd, 0)
        fcntl.flock(fd, fcntl.LOCK_UN)
        os.close(fd)


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


def load(
    user: str,
    *,
    columns: Sequence[str] | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    home: Path | None = None,
) -> pd.DataFrame:
    """Load ``user``'s stored plays, reading only ``columns`` (default: all).

    ``since`` is inclusive and ``until`` exclusive, both compared with
    ``played_at``; only the matching row groups are read.

    Raises:
        UnknownUserError: nothing is stored for ``user``.
    """
    import pandas as pd

    path = plays_path(user, home)
    if not path.is_file():
        raise UnknownUserError(
            f"no plays are stored for {user!r}; run `royalty import {user}` first "
            "(`royalty users` lists who is stored)"
        )
    filters: list[tuple[str, str, object]] = []
    if since is not None:
        filters.append(("played_at", ">=", pd.Timestamp(since)))
    if until is not None:
        filters.append(("played_at", "<", pd.Timestamp(until)))
    try:
        return pd.read_parquet(
            path,
            columns=list(columns) if columns is not None else None,
            filters=filters or None,
        )
    except (OSError, ValueError) as exc:
        raise StoreError(f"cannot read {path}: {exc}") from exc


def merge(
    user: str, plays: pd.DataFrame, *, window: float = 90.0, home: Path | None = None
) -> MergeResult:
    """Merge a batch of plays into ``user``'s history.

    Two steps (see :mod:`royalty.matching`):

    1. A multiset union keyed on (``played_at``, ``artist``, ``track``): for
       each key the store keeps the larger of the stored count and the batch's
       count. So two identical rows in one batch are two plays, merging the
       same batch again adds nothing, and a batch that overlaps the stored
       history adds only what is new.
    2. Plays from *different* sources (say Spotify and Last.fm) of the same
       artist and track, starting at most ``window`` seconds apart, are one
       play; the row that carries more information is kept.

    Takes the user's lock for the write.

    Example:
        >>> merge("rj", plays).added  # doctest: +SKIP
        60000
    """
    from royalty import matching

    batch = schema.categorize(schema.normalize(plays))
    with lock(user, home):
        path = plays_path(user, home)
        if path.is_file():
            stored = load(user, home=home)
            merged = matching.merge_plays(stored, batch, window=window)
            result = MergeResult(
                added=merged.added, total=len(stored) + merged.added, matched=merged.matched
            )
            if merged.added == 0 and merged.replaced == 0:
                return result
            combined = merged.plays
        elif len(batch) == 0:
            return MergeResult(added=0, total=0)  # nothing to store: no empty history
        else:
            combined = batch
            result = MergeResult(added=len(batch), total=len(batch))
        combined = combined.sort_values("played_at", kind="stable", ignore_index=True)
        _write_atomic(combined, path)
        return result


def _write_atomic(plays: pd.DataFrame, path: Path) -> None:
    """Write ``plays`` to ``path`` so that the file is either old or new, never torn."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    table = pa.Table.from_pandas(plays, preserve_index=False)
    meta = dict(table.schema.metadata or {})
    first = plays["played_at"].min() if len(plays) else None
    last = plays["played_at"].max() if len(plays) else None
    extra = {
        "updated_at": datetime.now(UTC).isoformat(),
        "plays": str(len(plays)),
        "first_play": first.isoformat() if first is not None else "",
        "last_play": last.isoformat() if last is not None else "",
    }
    meta.update({(_META_PREFIX + k).encode(): v.encode() for k, v in extra.items()})
    table = table.replace_schema_metadata(meta)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        with open(tmp, "wb") as fh:
            # Statistics only where load() filters: on the text columns they
            # would double the time of every write and serve no query of ours.
            pq.write_table(
                table, fh, compression="zstd", write_statistics=["played_at", "duration_ms"]
            )
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    dir_fd = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(dir_fd)
    finally:
        os.close(dir_fd)


def _parse_time(text: str) -> datetime | None:
    return datetime.fromisoformat(text) if text else None


def users(home: Path | None = None) -> list[UserInfo]:
    """Every stored user, most recently updated first, read from file footers only."""
    import pyarrow.parquet as pq

    root = (home or royalty_home()) / "users"
    if not root.is_dir():
        return []
    found: list[UserInfo] = []
    for folder in sorted(root.iterdir()):
        path = folder / PLAYS_FILE
        if not path.is_file() or not _USER_RE.fullmatch(folder.name):
            continue
        try:
            meta = pq.read_schema(path).metadata or {}
        except (OSError, ValueError) as exc:
            raise StoreError(f"cannot read {path}: {exc}") from exc
        info = {
            k.decode()[len(_META_PREFIX) :]: v.decode()
            for k, v in meta.items()
            if k.startswith(_META_PREFIX.encode())
        }
        updated = _parse_time(info.get("updated_at", ""))
        if updated is None:
            updated = datetime.fromtimestamp(path.stat().st_mtime, UTC)
        found.append(
            UserInfo(
                user=folder.name,
                plays=int(info.get("plays") or pq.read_metadata(path).num_rows),
                first_play=_parse_time(info.get("first_play", "")),
                last_play=_parse_time(info.get("last_play", "")),
                updated_at=updated,
            )
        )
    found.sort(key=lambda u: u.updated_at, reverse=True)
    return found


def most_recent_user(home: Path | None = None) -> str | None:
    """The user whose history was updated last, or None when nothing is stored."""
    listed = users(home)
    return listed[0].user if listed else None


def newest_play(
    user: str, home: Path | None = None, *, source: str | None = None
) -> datetime | None:
    """The start time of ``user``'s newest stored play (of ``source``, if given), or None.

    Without ``source`` this reads the file's footer only; with it, the
    ``played_at`` and ``source`` columns.
    """
    if source is None:
        for info in users(home):
            if info.user == validate_user(user).lower():
                return info.last_play
        return None
    if not has_user(user, home):
        return None
    plays = load(user, columns=["played_at", "source"], home=home)
    times = plays["played_at"][plays["source"] == source]
    return None if times.empty else times.max().to_pydatetime()
