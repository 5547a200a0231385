"""The ``cumulative`` chart: each top artist's streaming income adding up, against their CDs."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt
import pandas as pd
from matplotlib.lines import Line2D

from royalty.charts._style import (
    COLOURS,
    DAY_TICKS,
    check_pricing,
    drawing,
    finish,
    footer_text,
    money_unit,
    plays_span,
    recipient,
    require_rows,
    require_top,
    year_axis,
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

    Each artist's streams are a solid line; their CD income (from ``result``)
    is a dashed line of the same colour; where the solid line reaches the
    dashed one (``result``'s ``crossover_date``) a circle marks it, labelled
    with the date. USD at the artist level, or, with a ``scenario``, at its
    level and in its currency (the axis and footer say which).

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
        ax: draw here; None makes a new 1200×675 figure.

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
    crossed = 0
    with drawing(ax) as ax:
        names = shown["artist"].astype(str).tolist()
        totals = shown["streaming_payout"].to_numpy(dtype=np.float64)
        cds = shown["cd_payout"].to_numpy(dtype=np.float64)
        crossings = _naive(shown["crossover_date"])
        for i, name in enumerate(names):
            colour = COLOURS[i % len(COLOURS)]
            curve = curves[curves["artist"] == name]
            x = np.concatenate([[start], _naive(curve["date"]), [end]]).astype("datetime64[ms]")
            y = np.concatenate([[0.0], curve["streaming_payout"].to_numpy() * factor, [totals[i]]])
            ax.step(x, y, where="post", color=colour, lw=2, gid="streaming", label=clean(name, 28))
            ax.plot([start, end], [cds[i]] * 2, ls="--", lw=1.3, color=colour, gid="cd")
            when = crossings[i]
            if not np.isnat(when):
                ax.plot([when], [cds[i]], marker="o", ms=9, mfc="white", mew=2,
                        mec=colour, ls="none", gid="crossover")  # fmt: skip
                ax.annotate(
                    str(when)[:10],
                    (when, cds[i]),
                    xytext=(-8, 8 + 12 * (crossed % 2)),
                    textcoords="offset points",
                    ha="right",
                    fontsize=9,
                    color=colour,
                    fontweight="bold",
                    bbox={"boxstyle": "round,pad=0.15", "fc": "white", "ec": "none", "alpha": 0.8},
                    gid="crossover-label",
                )
                crossed += 1
        handles, _ = ax.get_legend_handles_labels()
        handles += [
            Line2D([], [], ls="--", color="#555555", label="CD income (same colour)"),
            Line2D([], [], marker="o", mfc="white", mec="#555555", mew=2, ls="none",
                   label=f"Streams overtake the CDs ({crossed})"),
        ]  # fmt: skip
        ax.legend(handles=handles, loc="upper left", bbox_to_anchor=(1.0, 1.0), fontsize=9)
        year_axis(ax)
        ax.set_ylim(bottom=0)
        finish(
            ax,
            title=f"When streams caught up with CDs for {who}: top {len(shown)} artists by plays",
            xlabel="Year (UTC)",
            ylabel=f"Income to {recipient(scenario)} so far ({money_unit(scenario)})",
            footer=footer_text(params, span, scenario),
        )
    return ax
