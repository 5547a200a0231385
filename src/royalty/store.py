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
never a torn file. Every file carries checksums that every read verifies (see
:mod:`royalty.store_io`): a damaged file is an error, never different numbers.
``users`` or a user's folder may be symbolic links (to another disk, say).
A store that cannot be read or written is a :class:`StoreError` that leaves
it as it was.
"""

from __future__ import annotations

import contextlib
import os
import re
import stat
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Final

from royalty import schema
from royalty.config import royalty_home
from royalty.errors import StoreError, UnknownUserError, UserNameError
from royalty.fileio import os_reason
from royalty.store_io import read_footer, read_plays, write_plays
from royalty.store_lock import PLAYS_FILE, hold

if TYPE_CHECKING:
    import pandas as pd

_LASTFM_RE: Final = re.compile(r"[A-Za-z][A-Za-z0-9_-]{1,14}")
# A stored name is one plain folder name: it cannot be empty, "." or "..", hold a
# separator or start with "-" or "." (a hidden folder, or an option to a shell tool).
_USER_RE: Final = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")


@dataclass(frozen=True)
class UserInfo:
    """What ``royalty users`` shows for one stored user.

    ``problem`` says why the user's plays cannot be read (then ``plays`` is 0
    and the times are unknown); it is None for a readable store.
    """

    user: str
    plays: int
    first_play: datetime | None
    last_play: datetime | None
    updated_at: datetime
    problem: str | None = None


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


def validate_user(name: str, *, lastfm: bool = False) -> str:
    """Return ``name`` if it is a valid user name, else raise.

    A stored user (made from export files, say) needs a safe name: 1 to 64
    letters, digits, ``.``, ``_`` and ``-``, starting with a letter or digit,
    so that it is one plain folder name that cannot climb out of the store.
    With ``lastfm``, Last.fm's own rule applies: 2 to 15 characters, letters,
    digits, ``_`` and ``-``, starting with a letter.

    Example:
        >>> validate_user("katarzynajanicka")
        'katarzynajanicka'
        >>> validate_user("rj", lastfm=True)
        'rj'
    """
    if lastfm and not (isinstance(name, str) and _LASTFM_RE.fullmatch(name)):
        raise UserNameError(
            f"{name!r} is not a valid Last.fm user name: use 2 to 15 letters, digits, '_' "
            "or '-', starting with a letter"
        )
    if not isinstance(name, str) or not _USER_RE.fullmatch(name):
        raise UserNameError(
            f"{name!r} is not a valid user name: use 1 to 64 letters, digits, '.', '_' or "
            "'-', starting with a letter or digit"
        )
    return name


def user_dir(user: str, home: Path | None = None) -> Path:
    """The folder that holds ``user``'s plays (not created).

    ``users`` is resolved once, so a symbolic link there (or as the user's
    folder) works; a valid name is one plain folder name, so it cannot
    climb out of ``users``.
    """
    name = validate_user(user).lower()
    users_root = ((home or royalty_home()).expanduser() / "users").resolve()
    path = users_root / name
    if path.parent != users_root or path.name != name:  # defence in depth
        raise UserNameError(f"{user!r} would be stored outside {users_root}")
    return path


def plays_path(user: str, home: Path | None = None) -> Path:
    """The Parquet file holding ``user``'s plays."""
    return user_dir(user, home) / PLAYS_FILE


def has_user(user: str, home: Path | None = None) -> bool:
    """Whether any plays are stored for ``user``.

    Raises:
        StoreError: something other than a file is where the plays belong.
    """
    return _stored(plays_path(user, home))


def _stored(path: Path) -> bool:
    """Whether ``path`` is a stored file of plays; False when there is none.

    Raises:
        StoreError: ``path`` is a folder or a device, or cannot be looked at.
    """
    try:
        mode = os.stat(path).st_mode
    except (FileNotFoundError, NotADirectoryError):
        return False
    except OSError as exc:
        raise StoreError(f"cannot read {path}: {os_reason(exc)}") from None
    if not stat.S_ISREG(mode):
        raise StoreError(
            f"{path} should be a file of stored plays but is not a regular file; "
            "move it away and import again"
        )
    return True


def lock(user: str, home: Path | None = None) -> contextlib.AbstractContextManager[None]:
    """Hold ``user``'s writer lock for the body of a ``with`` block.

    See :func:`royalty.store_lock.hold`: an OS-level lock that the kernel
    frees when the process ends, re-entrant within one process. A failed
    first import leaves no folder or lock file behind.

    Raises:
        StoreLockedError: another process holds the lock; the message names it.
        StoreError: the user's folder or lock file cannot be made.

    Example:
        >>> with lock("rj"):  # doctest: +SKIP
        ...     merge("rj", plays)
    """
    return hold(validate_user(user), user_dir(user, home))


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
        StoreError: the stored file is damaged or cannot be read.
    """
    path = plays_path(user, home)
    if not _stored(path):
        raise UnknownUserError(
            f"no plays are stored for {user!r}; run `royalty import {user}` first "
            "(`royalty users` lists who is stored)"
        )
    name = validate_user(user).lower()
    return read_plays(name, path, columns=columns, since=since, until=until)


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

    Raises:
        StoreError: the stored plays are damaged, or the new file cannot be
            written (a full disk…); the stored plays are then unchanged.

    Example:
        >>> merge("rj", plays).added  # doctest: +SKIP
        60000
    """
    from royalty import matching

    batch = schema.categorize(schema.normalize(plays))
    with lock(user, home):
        path = plays_path(user, home)
        if _stored(path):
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
        try:
            write_plays(combined, path)
        except OSError as exc:
            raise StoreError(
                f"cannot save the plays of {validate_user(user).lower()} in {path}: "
                f"{os_reason(exc)}; the stored plays are unchanged"
            ) from None
        return result


def users(home: Path | None = None) -> list[UserInfo]:
    """Every stored user, most recently updated first, read from file footers only.

    A user whose file cannot be read is listed last, with ``problem`` saying
    why; it never hides the others.
    """
    root = (home or royalty_home()).expanduser() / "users"
    try:
        folders = sorted(root.iterdir())
    except (FileNotFoundError, NotADirectoryError):
        return []
    except OSError as exc:
        raise StoreError(f"cannot list the stored users in {root}: {os_reason(exc)}") from None
    found: list[UserInfo] = []
    broken: list[UserInfo] = []
    for folder in folders:
        path = folder / PLAYS_FILE
        if not _USER_RE.fullmatch(folder.name) or not os.path.lexists(path):
            continue
        try:
            if not _stored(path):
                continue  # a dangling link: nothing stored
            info = read_footer(folder.name, path)[1]
        except StoreError as exc:
            broken.append(_unreadable(folder.name, path, str(exc)))
            continue
        found.append(UserInfo(user=folder.name, plays=info.plays, first_play=info.first_play,
                              last_play=info.last_play, updated_at=info.updated_at))  # fmt: skip
    found.sort(key=lambda u: u.updated_at, reverse=True)
    return found + broken


def delete(user: str, home: Path | None = None) -> UserInfo:
    """Delete ``user``'s stored plays, holding the user's lock; returns what was deleted.

    The user's folder goes too when nothing else is in it. A damaged file is
    deleted like any other (its ``problem`` says why it could not be read).

    Raises:
        UnknownUserError: nothing is stored for ``user``.
        StoreLockedError: another process is writing this user's history.
        StoreError: the file cannot be removed; it is then left as it was.

    Example:
        >>> delete("rj").plays  # doctest: +SKIP
        60000
    """
    name = validate_user(user).lower()
    with lock(user, home):
        path = plays_path(user, home)
        if not _stored(path):
            raise UnknownUserError(
                f"no plays are stored for {user!r}, so there is nothing to delete "
                "(`royalty users` lists who is stored)"
            )
        try:
            info = read_footer(name, path)[1]
            gone = UserInfo(name, info.plays, info.first_play, info.last_play, info.updated_at)
        except StoreError as exc:
            gone = _unreadable(name, path, str(exc))
        try:
            path.unlink()
        except OSError as exc:
            raise StoreError(f"cannot delete {path}: {os_reason(exc)}") from None
    return gone  # leaving the lock removed the lock file and the emptied folder


def _unreadable(user: str, path: Path, problem: str) -> UserInfo:
    """The listing of a user whose plays cannot be read."""
    try:
        updated = datetime.fromtimestamp(os.lstat(path).st_mtime, UTC)
    except OSError:
        updated = datetime.fromtimestamp(0, UTC)
    return UserInfo(user, plays=0, first_play=None, last_play=None, updated_at=updated,
                    problem=problem)  # fmt: skip


def most_recent_user(home: Path | None = None) -> str | None:
    """The readable user whose history was updated last, or None when there is none."""
    readable = [u for u in users(home) if u.problem is None]
    return readable[0].user if readable else None


def newest_play(
    user: str, home: Path | None = None, *, source: str | None = None
) -> datetime | None:
    """The start time of ``user``'s newest stored play (of ``source``, if given), or None.

    Without ``source`` this reads the file's footer only; with it, the
    ``played_at`` and ``source`` columns.
    """
    if not has_user(user, home):
        return None
    if source is None:
        return read_footer(validate_user(user).lower(), plays_path(user, home))[1].last_play
    plays = load(user, columns=["played_at", "source"], home=home)
    times = plays["played_at"][plays["source"] == source]
    return None if times.empty else times.max().to_pydatetime()
