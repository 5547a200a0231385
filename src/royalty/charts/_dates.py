"""Date ticks chosen by the span of a history: days, weeks, months or years, always labelled.

Matplotlib's year locator puts no tick inside a few months of one year, and a
span of a few months labelled only by year reads "2020 … 2020". Here the step
is chosen from the span so that between 2 and :data:`MAX_TICKS` ticks fall on
whole hours, days, Mondays, month starts or years, and the axis is widened to the
ticks around the data, so the first and last ticks are always drawn.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Final

import pandas as pd

if TYPE_CHECKING:
    from matplotlib.axes import Axes

MAX_TICKS: Final = 12
"""At most this many labelled ticks: 12 "Mar 2020" labels fit a 1200 px chart with a legend."""

STEPS: Final[tuple[tuple[str, int], ...]] = (
    ("hour", 1),
    ("hour", 2),
    ("hour", 3),
    ("day", 1),
    ("day", 2),
    ("week", 1),
    ("week", 2),
    ("month", 1),
    ("month", 2),
    ("month", 3),
    ("month", 6),
    ("year", 1),
    ("year", 2),
    ("year", 5),
    ("year", 10),
    ("year", 20),
    ("year", 50),
    ("year", 100),
)
"""Tick steps, finest first; the first that needs at most :data:`MAX_TICKS` ticks is used."""


def _floor(when: pd.Timestamp, unit: str, step: int) -> pd.Timestamp:
    """The last tick at or before ``when`` for ticks every ``step`` ``unit``."""
    day = when.normalize()
    if unit == "hour":
        return day + pd.Timedelta(hours=when.hour // step * step)
    if unit == "day":
        return day
    if unit == "week":
        return day - pd.Timedelta(days=day.day_of_week)  # weeks start on Monday, as the timeline's
    if unit == "month":
        month = (when.month - 1) // step * step + 1  # quarters start in Jan, Apr, Jul, Oct
        return pd.Timestamp(year=when.year, month=month, day=1)
    return pd.Timestamp(year=when.year // step * step, month=1, day=1)


def _offset(unit: str, step: int) -> pd.DateOffset:
    if unit == "hour":
        return pd.DateOffset(hours=step)
    if unit == "day":
        return pd.DateOffset(days=step)
    if unit == "week":
        return pd.DateOffset(weeks=step)
    if unit == "month":
        return pd.DateOffset(months=step)
    return pd.DateOffset(years=step)


def date_ticks(first: datetime, last: datetime) -> tuple[list[pd.Timestamp], list[str]]:
    """Tick times around ``first``…``last`` (naive UTC) and their labels, all distinct.

    The ticks run from the tick at or before ``first`` to the first tick after
    ``last``, so there are always at least two. Hours read "15:00" (the
    first also names its day) and midnights name the day; days and weeks read
    "4 Mar", with the year under the first label and wherever the year
    changes; months read "Mar 2020"; years "2020".

    Example:
        >>> date_ticks(datetime(2020, 3, 4, 20), datetime(2020, 3, 5, 1))[1]
        ['20:00\\n4 Mar 2020', '21:00', '22:00', '23:00', '5 Mar', '01:00', '02:00']
        >>> date_ticks(datetime(2020, 1, 10), datetime(2020, 8, 2))[1][:3]
        ['Jan 2020', 'Feb 2020', 'Mar 2020']
    """
    start, end = (pd.Timestamp(t) for t in (first, last))
    if start.tzinfo is not None:  # the axis is naive UTC, as matplotlib reads numpy times
        start, end = start.tz_convert(None), end.tz_convert(None)
    for unit, step in STEPS:
        low = _floor(start, unit, step)
        ticks = [low]
        while ticks[-1] <= end and len(ticks) <= MAX_TICKS:
            ticks.append(ticks[-1] + _offset(unit, step))
        # Hours repeat after a day: past that, "18:00" would label two ticks.
        # (A day from midnight to midnight is fine: both ends are labelled by their date.)
        day = pd.Timedelta(days=1)
        repeats = ticks[-1] - ticks[0] > day or (ticks[-1] - ticks[0] == day and low.hour > 0)
        if len(ticks) <= MAX_TICKS and not (unit == "hour" and repeats):
            break
    return ticks, _labels(ticks, unit)


def _labels(ticks: list[pd.Timestamp], unit: str) -> list[str]:
    if unit == "year":
        return [f"{t:%Y}" for t in ticks]
    if unit == "month":
        return [f"{t:%b %Y}" for t in ticks]
    labels = []
    for i, tick in enumerate(ticks):
        if unit == "hour" and tick.hour:
            # Hours read "15:00"; the first tick also names its day, and midnights theirs.
            labels.append(f"{tick:%H:%M}" + (f"\n{tick.day} {tick:%b %Y}" if i == 0 else ""))
            continue
        text = f"{tick.day} {tick:%b}"
        if i == 0 or tick.year != ticks[i - 1].year:
            text += f"\n{tick.year}"
        labels.append(text)
    return labels


def date_axis(ax: Axes, first: datetime, last: datetime) -> None:
    """Label the date x axis of ``ax`` with :func:`date_ticks` and widen it to the outer ticks."""
    import matplotlib.dates as mdates
    from matplotlib.ticker import NullLocator

    ticks, labels = date_ticks(first, last)
    where = [float(mdates.date2num(t.to_pydatetime())) for t in ticks]  # type: ignore[no-untyped-call]
    ax.set_xticks(where, labels=labels)
    ax.xaxis.set_minor_locator(NullLocator())
    ax.set_xlim(where[0], where[-1])
