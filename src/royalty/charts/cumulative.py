"""The ``cumulative`` chart: each top artist's streaming income adding up, against their CDs."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt
import pandas as pd
from matplotlib.lines import Line2D

from royalty.charts._dates import date_axis
from royalty.charts._layout import corners, place
from royalty.charts._style import (
    DAY_TICKS,
    FIGSIZE,
    check_pricing,
    colours,
    drawing,
    finish,
    footer_text,
    money,
    money_unit,
    plays_span,
    recipient,
    require_rows,
    require_top,
)
from royalty.charts._text import clean
from royalty.errors import UsageError
from royalty.pricing import _columns
from royalty.pricing.compare import compare
from royalty.pricing.params import DEFAULT_PARAMS, CompareParams
from royalty.pricing.price import price
from royalty.pricing.scenario import Scenario

if TYPE_CHECKING:
    from matplotlib.axes import Axes

_DASH, _GAP = 4.0, 2.5
"""A CD line's dash and gap, in line widths: artists at one level take turns along it."""


def cumulative_payouts(
    plays: pd.DataFrame,
    params: CompareParams = DEFAULT_PARAMS,
    artists: Iterable[str] | None = None,
) -> pd.DataFrame:
    """Each artist's streaming payout so far, at the end of every day they were played.

    Counts the same qualifying plays as :func:`royalty.compare` (unknown
    duration, or at least ``params.min_seconds``), so an artist's last value
    equals their ``streaming_payout`` there. Days are UTC.

    Args:
        plays: plays in the schema (``played_at``, ``artist``; ``duration_ms`` if known).
        params: the rate and the shortest paid play.
        artists: only these artists (in this order); None for every artist.

    Returns:
        Columns ``artist`` (str), ``date`` (datetime64, UTC, start of the day),
        ``plays`` (int64, qualifying plays up to the end of that day) and
        ``streaming_payout`` (float64, USD at the artist level): one row per
        artist and day with plays, by artist (in the order asked) then date.

    Example:
        >>> from royalty import load_sample
        >>> curve = cumulative_payouts(load_sample(), artists=["Radiohead"])
        >>> int(curve["plays"].iloc[-1])
        2800
    """
    _columns.require(plays, ("played_at", "artist"))
    names = _columns.codes(plays["artist"])
    ticks = _columns.times(plays["played_at"])
    wanted_names = list(names.names) if artists is None else list(dict.fromkeys(artists))
    wanted = names.names.get_indexer(pd.Index(wanted_names, dtype=object))
    mask = np.isin(names.codes, wanted[wanted >= 0]) & (ticks.ticks != _columns.NAT)
    keep = _columns.qualifying(plays, params.min_seconds)
    if keep is not None:
        mask &= keep
    day = DAY_TICKS[ticks.unit]
    counted = (
        pd.DataFrame({"code": names.codes[mask], "day": ticks.ticks[mask] // day})
        .groupby(["code", "day"], sort=True)
        .size()
    )
    running = counted.groupby(level="code").cumsum()
    order = {code: i for i, code in enumerate(wanted) if code >= 0}
    frame = running.reset_index(name="plays")
    frame["rank"] = frame["code"].map(order)
    frame = frame.sort_values(["rank", "day"], kind="stable", ignore_index=True)
    starts = (frame["day"].to_numpy(dtype=np.int64) * day).view(f"datetime64[{ticks.unit}]")
    count = frame["plays"].to_numpy(dtype=np.int64)
    return pd.DataFrame(
        {
            "artist": pd.Series(
                np.asarray(names.names.take(frame["code"].to_numpy()), dtype=object), dtype=str
            ),
            "date": pd.Series(starts).dt.tz_localize("UTC"),
            "plays": count,
            "streaming_payout": count * params.rate,
        }
    )


def _naive(values: pd.Series) -> npt.NDArray[np.datetime64]:
    """UTC times as naive numpy datetimes, which matplotlib's date axis reads directly."""
    return np.asarray(values.dt.tz_convert(None).to_numpy(), dtype="datetime64[ms]")


def plot_cumulative(
    plays: pd.DataFrame,
    result: pd.DataFrame | None = None,
    *,
    params: CompareParams | None = None,
    scenario: Scenario | None = None,
    top: int = 6,
    who: str = "this listener",
    ax: Axes | None = None,
) -> Axes:
    """Cumulative streaming payout over time for the top artists, with their CD income.

    Each artist's streams are a solid line in a colour no other artist has;
    their CD income (from ``result``) is a dashed line of the same colour, and
    its amount is in the legend beside the name. Artists with the same CD
    income share one dashed line, each drawing every k-th dash in their
    colour. Where the solid line reaches the dashed one (``result``'s
    ``crossover_date``) a circle marks it, labelled with the date wherever
    the label touches no other text (a date with no room is left out). Date
    ticks are days, weeks, months or years, chosen by the span of the plays.
    USD at the artist level, or, with a ``scenario``, at its level and in its
    currency (the axis and footer say which).

    Args:
        plays: the plays ``result`` was computed from.
        result: :func:`royalty.compare` of ``plays`` with ``params`` (or
            :func:`royalty.price` of ``scenario``); None computes it.
        params: the model's parameters (must be the ones behind ``result``);
            None for the defaults, or the scenario's.
        scenario: price at this scenario's level and currency (pro-rata):
            its service, deal and currency go on the axis and footer.
        top: how many artists (the first rows of ``result``).
        who: whose history, for the title.
        ax: draw here; None makes a new figure 1200 px wide, 675 px high, taller
            when the legend of more than 25 artists needs it.

    Returns:
        The Axes. Its lines carry a gid: ``streaming`` (one per artist, in
        ``result`` order), ``cd`` (one per artist) and ``crossover`` (one per
        artist that crossed).

    Raises:
        UsageError: there are no plays, ``top`` is not at least 1, ``params``
            differ from the scenario's, or the scenario is not pro-rata.

    Example:
        >>> import royalty
        >>> ax = plot_cumulative(royalty.load_sample(), top=2)
        >>> [line.get_gid() for line in ax.get_lines()].count("streaming")
        2
    """
    require_top(top)
    check_pricing(params, scenario)
    if scenario is not None and scenario.model != "pro-rata":
        raise UsageError("the cumulative chart prices pro-rata: plays × the rate, day by day")
    params = scenario.params if scenario else params or DEFAULT_PARAMS
    if result is None:
        result = compare(plays, params) if scenario is None else price(plays, scenario)
    require_rows(result, "plays")
    shown = result.head(top)
    curves = cumulative_payouts(plays, params, shown["artist"])
    factor = 1.0 if scenario is None else scenario.factor  # USD to the currency shown
    span = plays_span(plays)
    assert span is not None  # result has rows, so plays has times
    start, end = (
        np.datetime64(span[0].replace(tzinfo=None)),
        np.datetime64(span[1].replace(tzinfo=None)),
    )
    names = shown["artist"].astype(str).tolist()
    totals = shown["streaming_payout"].to_numpy(dtype=np.float64)
    cds = shown["cd_payout"].to_numpy(dtype=np.float64)
    crossings = _naive(shown["crossover_date"])
    palette = colours(len(names))
    with drawing(ax, max(FIGSIZE[1], 1.8 + 0.21 * (len(names) + 2))) as ax:
        marks = []
        for i, name in enumerate(names):
            curve = curves[curves["artist"] == name]
            x = np.concatenate([[start], _naive(curve["date"]), [end]]).astype("datetime64[ms]")
            y = np.concatenate([[0.0], curve["streaming_payout"].to_numpy() * factor, [totals[i]]])
            cd = "no CD" if cds[i] <= 0 else f"CDs {money(cds[i], scenario)}"
            ax.step(x, y, where="post", color=palette[i], lw=2, gid="streaming",
                    label=f"{clean(name, 28)} ({cd})")  # fmt: skip
            # Artists with the same CD income share one line: each draws every k-th dash.
            same = np.flatnonzero(np.isclose(cds, cds[i], rtol=1e-9, atol=0.0))
            k, j = len(same), int(np.searchsorted(same, i))
            dashes = (_DASH, k * (_DASH + _GAP) - _DASH)
            ax.plot([start, end], [cds[i]] * 2, ls=(j * (_DASH + _GAP), dashes), lw=1.3,
                    color=palette[i], gid="cd")  # fmt: skip
            when = crossings[i]
            if not np.isnat(when):
                ax.plot([when], [cds[i]], marker="o", ms=9, mfc="white", mew=2,
                        mec=palette[i], ls="none", gid="crossover")  # fmt: skip
                # No box behind the date: a box would cut gaps into the lines beneath.
                marks.append(ax.annotate(
                    str(when)[:10], (when, cds[i]), xytext=(-8, 8), textcoords="offset points",
                    fontsize=9, color=palette[i], fontweight="bold", gid="crossover-label",
                ))  # fmt: skip
        handles, _ = ax.get_legend_handles_labels()
        handles.append(Line2D([], [], ls="--", color="#555555", label="CD income (same colour)"))
        if marks:  # no entry for a ring the chart does not have
            ring = f"Streams overtake the CDs ({len(marks)})"
            handles.append(Line2D([], [], marker="o", mfc="white", mec="#555555", mew=2,
                                  ls="none", label=ring))  # fmt: skip
        ax.legend(handles=handles, loc="upper left", bbox_to_anchor=(1.0, 1.0), fontsize=9)
        date_axis(ax, span[0], span[1])
        ax.set_ylim(bottom=0)
        finish(
            ax,
            title=f"When streams caught up with CDs for {who}: top {len(shown)} artists by plays",
            xlabel="Date (UTC)",
            ylabel=f"Income to {recipient(scenario)} so far ({money_unit(scenario)})",
            footer=footer_text(params, span, scenario),
        )
        # Dates clear of the curves where some spot allows: nothing is cut out of a line.
        place(ax, [(mark, corners(8, 14)) for mark in marks], rather_not=ax.get_lines())
    return ax
