"""What counts as a play on a Last.fm page: the same rules as the file importers.

A page's plays are checked as :mod:`royalty.importers._common` checks a file's rows:
a time before 2002 (when Last.fm began) or more than a day after the import started is
bad, and stops the import unless bad plays are skipped; a play without an artist or a
track title is skipped and counted, like such a row in an export file.
"""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Final

from royalty import schema
from royalty.importers._lastfm_wire import NO_TIME, PageRow

if TYPE_CHECKING:
    import pandas as pd

SOURCE: Final = "lastfm-api"
EARLIEST_UTS: Final = int(schema.EARLIEST_PLAY.timestamp())
"""The file importers' earliest play, in Unix seconds."""
FUTURE_SLACK: Final = int(schema.FUTURE_SLACK.total_seconds())
"""Seconds after the start of the import that a play may still carry (clock skew)."""

# The same words as the file importers' summary (royalty.importers._common), which
# this module does not import: it would load pandas before the first request.
NO_ARTIST: Final = "no artist"
NO_TRACK: Final = "no track title"
BAD_ROW: Final = "bad rows"


class BadPlay(Exception):
    """A play whose time cannot be right; the message says which and why."""


def sort_rows(
    rows: list[PageRow], *, started: int, skip_bad: bool
) -> tuple[list[PageRow], Counter[str]]:
    """The plays of one page worth storing, and how many were skipped, by reason.

    Args:
        rows: the page's dated plays, in the page's order (newest first).
        started: when the import started (Unix seconds), for the future check.
        skip_bad: skip and count a play with an impossible time instead of raising.

    Raises:
        BadPlay: a play has no time, or is dated before 2002 or more than a day in the
            future.
    """
    skipped: Counter[str] = Counter()
    kept: list[PageRow] = []
    latest = started + FUTURE_SLACK
    for n, row in enumerate(rows, start=1):
        uts = row[0]
        if not EARLIEST_UTS <= uts <= latest:
            if not skip_bad:
                raise BadPlay(f"play {n}: {_why(uts)}")
            skipped[BAD_ROW] += 1
        elif not row[1].strip():
            skipped[NO_ARTIST] += 1
        elif not row[2].strip():
            skipped[NO_TRACK] += 1
        else:
            kept.append(row)
    return kept, skipped


def _why(uts: int) -> str:
    if uts == NO_TIME:
        return "its time is missing or not a whole number of seconds (uts)"
    if uts < EARLIEST_UTS:
        return f"time {_show(uts)} is before 2002, when Last.fm began"
    return f"time {_show(uts)} is more than a day in the future"


def _show(uts: int) -> str:
    try:
        return datetime.fromtimestamp(uts, UTC).strftime("%Y-%m-%d %H:%M:%S UTC")
    except (OverflowError, OSError, ValueError):  # beyond what a date can hold
        return f"{uts} (Unix seconds)"


def frame(rows: list[PageRow]) -> pd.DataFrame:
    """Rows as a plays frame in the schema.

    Text is stripped, and blanks made missing, here in Python, and the columns built as
    categoricals: :func:`schema.normalize` then has no string conversion left to do, which
    is most of its cost on a frame of plain strings.
    """
    import pandas as pd

    from royalty import schema

    names = ("artist", "track", "album", "artist_mbid", "album_mbid", "track_mbid")
    columns = list(zip(*rows, strict=True)) if rows else [()] * (len(names) + 1)
    data: dict[str, object] = {
        "played_at": pd.to_datetime(pd.Series(columns[0], dtype="int64"), unit="s", utc=True)
    }
    for name, values in zip(names, columns[1:], strict=True):
        data[name] = pd.Categorical([(v.strip() or None) if v else None for v in values])
    data["source"] = pd.Categorical([SOURCE] * len(rows))
    return schema.normalize(pd.DataFrame(data))
