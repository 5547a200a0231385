"""Restrict plays to a period of time."""

from __future__ import annotations

from datetime import datetime

import pandas as pd

from royalty.errors import UsageError
from royalty.pricing._columns import require


def _stamp(name: str, value: datetime) -> pd.Timestamp:
    stamp = pd.Timestamp(value)
    if stamp.tzinfo is None:
        raise UsageError(
            f"{name} must be a timezone-aware time (for example 2010-01-01T00:00:00+00:00), "
            f"got {value}"
        )
    return stamp.tz_convert("UTC")


def filter_period(
    plays: pd.DataFrame, since: datetime | None = None, until: datetime | None = None
) -> pd.DataFrame:
    """The plays that started in ``[since, until)``: since inclusive, until exclusive.

    Either bound may be None (no bound). The rows keep their index labels and
    order. Sorted plays (the store keeps them sorted by ``played_at``) are cut
    by binary search; unsorted plays are filtered row by row.

    Args:
        plays: plays with a timezone-aware ``played_at`` column.
        since: first instant to keep, timezone-aware (a ``datetime`` or
            ``pandas.Timestamp``).
        until: first instant to drop, timezone-aware.

    Raises:
        UsageError: a bound is naive (no time zone), or ``since`` is not
            before ``until`` (an equal pair would select nothing, which is
            never what was meant).

    Example:
        >>> from datetime import UTC, datetime
        >>> from royalty import load_sample
        >>> year = filter_period(load_sample(), datetime(2010, 1, 1, tzinfo=UTC),
        ...                      datetime(2011, 1, 1, tzinfo=UTC))
        >>> int(year["played_at"].dt.year.unique()[0])
        2010
    """
    require(plays, ("played_at",))
    lo = None if since is None else _stamp("since", since)
    hi = None if until is None else _stamp("until", until)
    if lo is not None and hi is not None and lo >= hi:
        raise UsageError(f"since ({lo.isoformat()}) must be before until ({hi.isoformat()})")
    if lo is None and hi is None:
        return plays
    times = plays["played_at"]
    if times.is_monotonic_increasing:
        start = 0 if lo is None else int(times.searchsorted(lo, side="left"))
        stop = len(times) if hi is None else int(times.searchsorted(hi, side="left"))
        return plays.iloc[start:stop]
    keep = pd.Series(True, index=plays.index)
    if lo is not None:
        keep &= times >= lo
    if hi is not None:
        keep &= times < hi
    return plays[keep]
