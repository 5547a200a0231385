"""The ``cumulative`` chart: each top artist's streaming income adding up, against their CDs."""

from __future__ import annotations

import textwrap
from collections.abc import Iterable
from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt
import pandas as pd
from matplotlib.lines import Line2D

from royalty.charts._dates import date_axis
from royalty.charts._footer import footer_height, pricing_footer, unit_text
from royalty.charts._layout import corners, place
from royalty.charts._style import (
    DAY_TICKS,
    FIGSIZE,
    colours,
    drawing,
    finish,
    money,
    plays_span,
    recipient,
    require_rows,
    require_top,
)
from royalty.charts._text import clean
from royalty.pricing.ledger import Ledger, ledger
from royalty.pricing.scenario import Scenario

if TYPE_CHECKING:
    from matplotlib.axes import Axes

_DASH, _GAP = 4.0, 2.5
"""A CD line's dash and gap, in line widths: artists with the same CD income take turns along it."""

Floats = npt.NDArray[np.float64]
Times = npt.NDArray[np.datetime64]


def cumulative_payouts(
    plays: pd.DataFrame,
    scenario: Scenario | None = None,
    artists: Iterable[str] | None = None,
) -> pd.DataFrame:
    """Each artist's streaming and CD income so far, at the end of every day it grew.

    Streams are priced one by one at the figures of their month, CDs at the
    figures of the year they were bought, as :func:`royalty.price` prices
    them; so each artist's last row holds their ``streaming_payout`` and
    ``cd_payout``. Days are UTC.

    Args:
        plays: plays in the schema.
        scenario: what to price; None for the foundation.
        artists: only these artists (in this order); None for every artist.

    Returns:
        Columns ``artist`` (str), ``date`` (datetime64, UTC, start of the day),
        ``streams`` (int64, paid streams so far), ``streaming_payout`` and
        ``cd_payout`` (float64, so far, in the scenario's dollars and
        currency): one row per artist and day with a paid stream or a CD
        bought, by artist (in the order asked) then date.

    Example:
        >>> from royalty import load_sample
        >>> curve = cumulative_payouts(load_sample(), artists=["Radiohead"])
        >>> int(curve["streams"].iloc[-1]), round(float(curve["cd_payout"].iloc[-1]), 2)
        (2800, 12.0)
    """
    book = ledger(plays, scenario, artists=None if artists is None else list(artists))
    wanted = list(book.names) if artists is None else list(dict.fromkeys(artists))
    codes = book.names.get_indexer(pd.Index(wanted, dtype=object))
    codes = codes[codes >= 0]
    rank = np.full(len(book.names) + 1, -1, dtype=np.int64)
    rank[codes] = np.arange(len(codes))
    day = DAY_TICKS[book.unit]
    n_streams, n_cds = len(book.stream_ticks), len(book.cd_ticks)
    frame = pd.DataFrame(
        {
            "rank": rank[np.concatenate([book.stream_artist, book.cd_artist])],
            "day": np.concatenate([book.stream_ticks, book.cd_ticks]) // day,
            "streams": np.concatenate([np.ones(n_streams, np.int64), np.zeros(n_cds, np.int64)]),
            "streaming_payout": np.concatenate([book.stream_value, np.zeros(n_cds)]),
            "cd_payout": np.concatenate([np.zeros(n_streams), book.cd_value]),
        }
    )
    daily = frame[frame["rank"] >= 0].groupby(["rank", "day"], sort=True).sum()
    running = daily.groupby(level="rank").cumsum().reset_index()
    starts = (running["day"].to_numpy(dtype=np.int64) * day).view(f"datetime64[{book.unit}]")
    return pd.DataFrame(
        {
            "artist": pd.Series(
                np.asarray(book.names.take(codes[running["rank"].to_numpy()]), dtype=object),
                dtype=str,
            ),
            "date": pd.Series(starts).dt.tz_localize("UTC"),
            "streams": running["streams"].to_numpy(dtype=np.int64),
            "streaming_payout": running["streaming_payout"].to_numpy(dtype=np.float64),
            "cd_payout": running["cd_payout"].to_numpy(dtype=np.float64),
        }
    )


def _naive(values: pd.Series) -> Times:
    """UTC times as naive numpy datetimes, which matplotlib's date axis reads directly."""
    return np.asarray(values.dt.tz_convert(None).to_numpy(), dtype="datetime64[ms]")


def _curves(book: Ledger, codes: list[int]) -> list[tuple[Times, Floats, Times, Floats]]:
    """Per artist code: running streaming income (a point a day) and CD income (at each CD)."""
    unit, day = f"datetime64[{book.unit}]", DAY_TICKS[book.unit]
    s_order = np.lexsort((book.stream_ticks, book.stream_artist))
    s_artist, s_ticks = book.stream_artist[s_order], book.stream_ticks[s_order]
    s_value = book.stream_value[s_order]
    c_order = np.lexsort((book.cd_ticks, book.cd_artist))
    c_artist, c_ticks, c_value = (
        book.cd_artist[c_order], book.cd_ticks[c_order], book.cd_value[c_order]
    )  # fmt: skip
    out = []
    for code in codes:
        lo, hi = np.searchsorted(s_artist, [code, code + 1])
        ticks, running = s_ticks[lo:hi], np.cumsum(s_value[lo:hi])
        # One point per day (its last stream) keeps long histories light to draw.
        last = np.append(ticks[1:] // day != ticks[:-1] // day, True)
        a, b = np.searchsorted(c_artist, [code, code + 1])
        out.append((
            ticks[last].view(unit).astype("datetime64[ms]"),
            running[last],
            c_ticks[a:b].view(unit).astype("datetime64[ms]"),
            np.cumsum(c_value[a:b]),
        ))  # fmt: skip
    return out


def plot_cumulative(
    plays: pd.DataFrame,
    scenario: Scenario | None = None,
    *,
    top: int = 6,
    who: str = "this listener",
    ax: Axes | None = None,
) -> Axes:
    """Each top artist's running streaming income over time, against their CD income.

    Streams are priced one by one at the figures of their month (a solid line
    in a colour no other artist has); CD income is a dashed step line of the
    same colour that steps up on the day each CD was bought, by what that CD
    paid at the figures of its year. Both end on the artist's
    ``streaming_payout`` and ``cd_payout`` of :func:`royalty.price`. Artists
    whose CD income ends at the same amount take turns along their dashed
    lines, each drawing every k-th dash, so every colour shows where the
    lines run together. Where the streaming line reaches the artist's whole CD income
    (``crossover_date``) a circle marks it, labelled with the date wherever
    the label touches no other text. Everything is in US dollars of one year
    (the axis says which).

    Args:
        plays: the history, in the plays schema.
        scenario: what to price; None for the foundation.
        top: how many artists, most paid streams first.
        who: whose history, for the title.
        ax: draw here; None makes a new figure 1200 px wide, taller for a long
            legend or footer.

    Returns:
        The Axes. Its lines carry a gid: ``streaming`` (one per artist, most
        paid streams first), ``cd`` (one per artist) and ``crossover`` (one
        per artist that crossed).

    Raises:
        UsageError: no artist has a paid stream, or ``top`` is not at least 1.

    Example:
        >>> import royalty
        >>> ax = plot_cumulative(royalty.load_sample(), top=2)
        >>> [line.get_gid() for line in ax.get_lines()].count("streaming")
        2
    """
    require_top(top)
    book = ledger(plays, scenario, top=top)
    pricing = book.pricing
    s = pricing.book.scenario
    require_rows(pricing.table, "plays")
    shown = pricing.table.head(top)
    span = plays_span(plays)
    assert span is not None  # the table has rows, so plays have times
    start, end = (np.datetime64(t.replace(tzinfo=None), "ms") for t in span)
    names = shown["artist"].astype(str).tolist()
    totals = shown["streaming_payout"].to_numpy(dtype=np.float64)
    cd_totals = shown["cd_payout"].to_numpy(dtype=np.float64)
    crossings = _naive(shown["crossover_date"])
    curves = _curves(book, [int(c) for c in book.names.get_indexer(pd.Index(names))])
    # CD lines that end at the same income draw over each other from their last step on.
    steps = [round(float(total), 9) for total in cd_totals]
    palette = colours(len(names))
    footer = pricing_footer(pricing, span)
    base = max(FIGSIZE[1], 1.8 + 0.21 * (len(names) + 2))
    with drawing(ax, footer_height(footer, base)) as ax:
        marks = []
        for i, name in enumerate(names):
            s_x, s_y, c_x, c_y = curves[i]
            x = np.concatenate([[start], s_x[:1], s_x, [end]]).astype("datetime64[ms]")
            y = np.concatenate([[0.0, 0.0], s_y, [totals[i]]])
            albums = len(c_x)
            cd = (
                "no CD"
                if albums == 0
                else f"{albums} CD{'s' if albums > 1 else ''} {money(cd_totals[i], s)}"
            )
            ax.plot(x, y, color=palette[i], lw=2, gid="streaming",
                    label=f"{clean(name, 28)} ({cd})")  # fmt: skip
            # Artists whose CD income ends at the same amount run together once all have
            # bought their last CD: from there each draws every k-th dash of one shared tail.
            same = [j for j, other in enumerate(steps) if other == steps[i]]
            k, j = len(same), same.index(i)
            tail = max((curves[m][2][-1] for m in same if len(curves[m][2])), default=start)
            tail = tail if k > 1 else end
            ax.step(np.concatenate([[start], c_x, [tail]]).astype("datetime64[ms]"),
                    np.concatenate([[0.0], c_y, [cd_totals[i]]]), where="post",
                    ls="--", lw=1.3, color=palette[i], gid="cd")  # fmt: skip
            if k > 1:
                dashes = (_DASH, k * (_DASH + _GAP) - _DASH)
                ax.plot([tail, end], [cd_totals[i]] * 2, ls=(j * (_DASH + _GAP), dashes),
                        lw=1.3, color=palette[i], gid="cd-shared")  # fmt: skip
            when = crossings[i]
            if not np.isnat(when):
                ax.plot([when], [cd_totals[i]], marker="o", ms=9, mfc="white", mew=2,
                        mec=palette[i], ls="none", gid="crossover")  # fmt: skip
                # No box behind the date: a box would cut gaps into the lines beneath.
                marks.append(ax.annotate(
                    str(when)[:10], (when, cd_totals[i]), xytext=(-8, 8),
                    textcoords="offset points", fontsize=9, color=palette[i],
                    fontweight="bold", gid="crossover-label",
                ))  # fmt: skip
        handles, _ = ax.get_legend_handles_labels()
        handles.append(Line2D([], [], ls="--", color="#555555",
                              label="CD income as the CDs are bought (same colour)"))  # fmt: skip
        if marks:  # no entry for a ring the chart does not have
            ring = f"Streams reach the CD income ({len(marks)})"
            handles.append(Line2D([], [], marker="o", mfc="white", mec="#555555", mew=2,
                                  ls="none", label=ring))  # fmt: skip
        ax.legend(handles=handles, loc="upper left", bbox_to_anchor=(1.0, 1.0), fontsize=9)
        date_axis(ax, span[0], span[1])
        ax.set_ylim(bottom=0)
        finish(
            ax,
            title=f"When streams caught up with CDs for {who}: top {len(shown)} artists by plays",
            xlabel="Date (UTC)",
            # Wrapped: a rotated label longer than the axes would run into the footer.
            ylabel="\n".join(
                textwrap.wrap(
                    f"Income to {recipient(s)} so far ({unit_text(s, pricing.book.dollars)})", 50
                )
            ),
            footer=footer,
        )
        # Dates clear of the curves where some spot allows: nothing is cut out of a line.
        place(ax, [(mark, corners(8, 14)) for mark in marks], rather_not=ax.get_lines())
    return ax
