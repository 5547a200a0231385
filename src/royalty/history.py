"""Choosing which listening history a command works on, and for which dates.

Every analysis command picks its data the same way: the user named with
``--user``; else the user whose history was imported most recently; else the
bundled sample (and it says so).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Final

from royalty import store
from royalty.errors import UnknownUserError, UsageError

if TYPE_CHECKING:
    import pandas as pd

_DATE_ONLY = re.compile(r"\d{4}-\d{2}-\d{2}")


@dataclass(frozen=True)
class History:
    """A chosen history.

    Attributes:
        plays: the plays (only the requested columns), within the period.
        label: whose plays these are, for titles ("rj", "the bundled sample",
            "scrobbles.csv").
        user: the stored user name, or None for files and the bundled sample.
        files: the files read, when the plays come from files.
    """

    plays: pd.DataFrame
    label: str
    user: str | None
    files: tuple[str, ...] = ()

    @property
    def is_sample(self) -> bool:
        """Whether these plays come from the bundled sample."""
        return self.user is None and not self.files


def parse_date(text: str, *, end: bool = False) -> datetime:
    """Read a date or date-time given on the command line, as UTC.

    ``YYYY-MM-DD`` means the start of that day, or with ``end=True`` the start
    of the next day, so that ``--until 2012-12-31`` includes the 31st. A
    date-time without a zone is taken as UTC. A moment beyond what Python's
    dates hold (the day after 9999-12-31) becomes the first or last one they do.

    Example:
        >>> parse_date("2012-12-31", end=True).isoformat()
        '2013-01-01T00:00:00+00:00'
    """
    value = text.strip()
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise UsageError(
            f"cannot read {text!r} as a date: use YYYY-MM-DD or YYYY-MM-DDTHH:MM"
        ) from None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    try:
        parsed = parsed.astimezone(UTC)
        if end and _DATE_ONLY.fullmatch(value):
            parsed += timedelta(days=1)
    except OverflowError:  # 9999-12-31 as an end, or 0001-01-01 east of UTC
        return (datetime.max if parsed.year > 1 else datetime.min).replace(tzinfo=UTC)
    return parsed


_FIRST: Final = datetime(1970, 1, 1, tzinfo=UTC)
"""No play is older: royalty refuses plays before 2002, when Last.fm began."""
_LAST: Final = datetime(2262, 4, 11, tzinfo=UTC)
"""The last day pandas' timestamps (nanoseconds in 64 bits) can hold."""


def parse_period(since: str | None, until: str | None) -> tuple[datetime | None, datetime | None]:
    """Parse ``--since`` (inclusive) and ``--until`` (inclusive of a whole date).

    Returns the start (inclusive) and end (exclusive) as UTC datetimes. Dates
    far from any play mean what a user means by them: ``--since 0001-01-01``
    is from the first play, ``--until 9999-12-31`` has no upper bound (None),
    and a period entirely before 1970 or after 2262 holds no plays.

    Raises:
        UsageError: a date cannot be read, or the period is empty.

    Example:
        >>> parse_period("0001-01-01", "9999-12-31")
        (datetime.datetime(1970, 1, 1, 0, 0, tzinfo=datetime.timezone.utc), None)
    """
    start = parse_date(since) if since else None
    stop = parse_date(until, end=True) if until else None
    if start is not None and stop is not None and start >= stop:
        raise UsageError(f"--since {since} is after --until {until}: the period is empty")
    if start is not None:
        start = min(max(start, _FIRST), _LAST)
    if stop is not None:
        stop = None if stop > _LAST else max(stop, _FIRST)
    return start, stop


def load_history(
    user: str | None = None,
    *,
    files: Sequence[str | Path] = (),
    input_format: str | None = None,
    tz: str | None = None,
    skip_bad_rows: bool = False,
    columns: Sequence[str] | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    home: Path | None = None,
    max_file_size: int | None = None,
) -> History:
    """Load the plays a command should work on.

    Args:
        user: a stored user; None picks the most recently imported one, or the
            bundled sample when nothing has been imported.
        files: listening-history files, zips or folders to read instead of the
            store (see :func:`royalty.importers.read_files`); the store is not
            touched.
        input_format: with ``files``, force this format instead of sniffing.
        tz: with ``files``, the time zone of local times (``.scrobbler.log``).
        skip_bad_rows: with ``files``, skip and count bad rows instead of failing.
        columns: the schema columns to read (default: all).
        since: keep plays starting at or after this time.
        until: keep plays starting before this time.
        home: the store's folder (default ``ROYALTY_HOME``).
        max_file_size: with ``files``, the most bytes one file or zip member
            may hold (default 1,000 MB).

    Raises:
        UnknownUserError: ``user`` has no stored plays.
        UsageError: both ``user`` and ``files`` were given.
        DataFormatError: a file cannot be read.

    Example:
        >>> load_history(columns=["artist"]).label  # nothing imported yet
        'the bundled sample'
    """
    if files:
        if user is not None:
            raise UsageError("give either --user or --file, not both")
        return _from_files(
            files, input_format, tz, skip_bad_rows, columns, since, until, max_file_size
        )
    if user is not None:
        store.validate_user(user)
        if not store.has_user(user, home):
            known = ", ".join(u.user for u in store.users(home)) or "none yet"
            raise UnknownUserError(
                f"no plays are stored for {user!r} (stored users: {known}); "
                f"run `royalty import {user}` first"
            )
        chosen = user.lower()
    else:
        chosen = store.most_recent_user(home) or ""
    if chosen:
        plays = store.load(chosen, columns=columns, since=since, until=until, home=home)
        return History(plays=plays, label=chosen, user=chosen)

    from royalty.sample import SAMPLE_LABEL, load_sample

    plays = load_sample()
    if since is not None:
        plays = plays[plays["played_at"] >= since]
    if until is not None:
        plays = plays[plays["played_at"] < until]
    if columns is not None:
        plays = plays[list(columns)]
    return History(plays=plays.reset_index(drop=True), label=SAMPLE_LABEL, user=None)


def _from_files(
    files: Sequence[str | Path],
    input_format: str | None,
    tz: str | None,
    skip_bad_rows: bool,
    columns: Sequence[str] | None,
    since: datetime | None,
    until: datetime | None,
    max_file_size: int | None,
) -> History:
    from royalty.importers import read_files

    result = read_files(
        list(files),
        input_format=input_format,
        since=since,
        until=until,
        tz=tz,
        skip_bad_rows=skip_bad_rows,
        max_file_size=max_file_size,
    )
    plays = result.plays if columns is None else result.plays[list(columns)]
    names = tuple(str(f) for f in files)
    label = Path(names[0]).name if len(names) == 1 else f"{len(names)} files"
    return History(plays=plays.reset_index(drop=True), label=label, user=None, files=names)
