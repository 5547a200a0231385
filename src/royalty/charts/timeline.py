"""The ``timeline`` chart: how much the listener played, week by week."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from royalty.charts._dates import date_axis
from royalty.charts._style import (
    DAY_TICKS,
    drawing,
    finish,
    plain_footer,
    plays_span,
    require_rows,
)
from royalty.pricing import _columns

if TYPE_CHECKING:
    from matplotlib.axes import Axes

_MONDAY_SHIFT = 3  # 1970-01-01, day 0, was a Thursday: shift 3 days so weeks start on Monday


def weekly_plays(plays: pd.DataFrame) -> pd.DataFrame:
    """Plays per week (Monday to Sunday, UTC), with the empty weeks in between.

    Every play counts, short ones too (as in ``royalty stats``).

    Returns:
        Columns ``week`` (datetime64, UTC, Monday 00:00) and ``plays`` (int64),
        one row per week from the first play's week to the last's.

    Example:
        >>> import pandas as pd
        >>> at = pd.to_datetime(["2024-01-01", "2024-01-07", "2024-01-15"], utc=True)
        >>> weekly_plays(pd.DataFrame({"played_at": at}))["plays"].tolist()
        [2, 0, 1]
    """
    _columns.require(plays, ("played_at",))
    times = _columns.times(plays["played_at"])
    ticks = times.ticks[times.ticks != _columns.NAT]
    day = DAY_TICKS[times.unit]
    if not len(ticks):
        return pd.DataFrame(
            {"week": pd.Series([], dtype="datetime64[ms, UTC]"), "plays": np.array([], np.int64)}
        )
    week = (ticks + _MONDAY_SHIFT * day) // (7 * day)
    first = int(week.min())
    counts = np.bincount(week - first).astype(np.int64)
    starts = (np.arange(first, first + len(counts)) * 7 - _MONDAY_SHIFT) * day
    return pd.DataFrame(
        {
            "week": pd.Series(starts.view(f"datetime64[{times.unit}]")).dt.tz_localize("UTC"),
            "plays": counts,
        }
    )


def plot_timeline(
    plays: pd.DataFrame,
    *,
    who: str = "this listener",
    estimate: float | None = None,
    ax: Axes | None = None,
) -> Axes:
    """Plays per week as bars, a 4-week rolling mean, and the average as a reference line.

    Args:
        plays: plays in the schema (only ``played_at`` is read).
        who: whose history, for the title.
        estimate: a plays-a-week figure to compare with, such as the listener's
            own estimate (the essay's 222); drawn as a dotted line.
        ax: draw here; None makes a new 1200×675 figure.

    Returns:
        The Axes: one bar per week (its first container), and lines with the
        gids ``rolling`` (from two weeks on), ``average`` and, with
        ``estimate``, ``estimate``.
        The average is plays divided by the weeks from the first play to the
        last, as ``royalty stats`` computes it.

    Raises:
        UsageError: there are no plays.

    Example:
        >>> import royalty
        >>> ax = plot_timeline(royalty.load_sample())
        >>> ax.get_ylabel()
        'Plays per week'
    """
    weeks = weekly_plays(plays)
    require_rows(weeks, "plays")
    span = plays_span(plays)
    assert span is not None
    n = int(weeks["plays"].sum())
    average = n / max((span[1] - span[0]) / pd.Timedelta(weeks=1), 1.0)
    x = weeks["week"].dt.tz_convert(None).to_numpy()
    rolling = weeks["plays"].rolling(4, min_periods=1).mean().to_numpy()
    with drawing(ax) as ax:
        ax.bar(x, weeks["plays"].to_numpy(), width=np.timedelta64(7, "D"), align="edge",
               color="#c6dbef", label="Plays in the week")  # fmt: skip
        if len(x) > 1:  # one week has no line to draw: no legend entry for it either
            middle = x + np.timedelta64(84, "h")  # the rolling mean sits mid-week
            ax.plot(middle, rolling, color="#08519c", lw=1.8, gid="rolling",
                    label="4-week rolling mean")  # fmt: skip
        ax.axhline(average, color="#d62728", ls="--", lw=1.5, gid="average",
                   label=f"Average: {average:,.0f} plays a week")  # fmt: skip
        if estimate is not None:
            ax.axhline(estimate, color="#ff7f0e", ls=":", lw=2, gid="estimate",
                       label=f"Estimate: {estimate:,.0f} plays a week")  # fmt: skip
        # The ticks cover the weeks drawn, from the first Monday to the end of the last week.
        week_end = (x[-1] + np.timedelta64(7, "D") - np.timedelta64(1, "s")).astype("datetime64[s]")
        date_axis(ax, pd.Timestamp(x[0]), pd.Timestamp(week_end))
        ax.grid(axis="x", visible=False)
        ax.legend(loc="lower left", bbox_to_anchor=(0.0, 1.0), ncols=4, fontsize=9)
        ax.set_ylim(0, max(float(weeks["plays"].max()), estimate or 0.0) * 1.05)
        finish(
            ax,
            title=f"Plays per week for {who}: {n:,} plays",
            xlabel="Date (UTC; each bar is a week from Monday)",
            ylabel="Plays per week",
            footer=plain_footer(span),
            legend_above=True,
        )
    return ax
