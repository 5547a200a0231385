"""The ``compare`` chart: streaming against CD income for the top artists."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
from matplotlib.patches import Patch

from royalty.charts._style import (
    check_pricing,
    drawing,
    finish,
    footer_text,
    money,
    money_unit,
    recipient,
    require_rows,
    require_top,
    rows_height,
)
from royalty.charts._text import clean
from royalty.pricing._columns import require
from royalty.pricing.streaming import streams_win

if TYPE_CHECKING:
    from matplotlib.axes import Axes

    from royalty.pricing import CompareParams, Scenario

WIN = "#2ca02c"
"""Streaming bars of artists whose streams beat their CDs."""
LOSE = "#9ecae1"
"""Streaming bars of the others."""
CD = "#7f7f7f"
"""CD income bars."""


def plot_compare(
    result: pd.DataFrame,
    *,
    top: int = 15,
    params: CompareParams | None = None,
    scenario: Scenario | None = None,
    who: str = "this listener",
    span: tuple[Any, Any] | None = None,
    ax: Axes | None = None,
) -> Axes:
    """Horizontal bars: each top artist's streaming payout beside their CD payout.

    Artists whose streams paid more than their CDs get a green bar and a bold
    name. Amounts are USD at the artist level, as :func:`royalty.compare` gives,
    or, with a ``scenario``, at its level and in its currency, as
    :func:`royalty.price` gives; the axis and footer say which.

    Args:
        result: a :func:`royalty.compare` frame (or :func:`royalty.price` of
            ``scenario``), most played first.
        top: how many artists (the first rows of ``result``).
        params: the parameters ``result`` was computed with, for the footer.
        scenario: the scenario ``result`` was priced with: its level, currency,
            service and deal go on the axis and footer (``params`` then is
            its ``params``, or None).
        who: whose history, for the title ("rj", "the bundled sample").
        span: first and last play, for the footer.
        ax: draw here; None makes a new figure 1200 px wide, 675 px high up to
            10 artists and taller beyond, so that rows never touch.

    Returns:
        The Axes. Its first bar container holds the streaming bars and its
        second the CD bars, one bar per artist, top artist first.

    Raises:
        UsageError: ``result`` is empty, ``top`` is not at least 1, or
            ``params`` differ from the scenario's.
        DataFormatError: ``result`` lacks a compare column.

    Example:
        >>> import royalty
        >>> ax = plot_compare(royalty.compare(royalty.load_sample()), top=5)
        >>> len(ax.containers[0])
        5
        >>> s = royalty.make_scenario(service="spotify", deal="major")
        >>> plot_compare(royalty.price(royalty.load_sample(), s), scenario=s).get_xlabel()
        'Income to the artist (USD, artist level)'
    """
    check_pricing(params, scenario)
    require(result, ("artist", "streaming_payout", "cd_payout"))
    require_rows(result, "artists")
    require_top(top)
    shown = result.head(top)
    n = len(shown)
    streaming = shown["streaming_payout"].to_numpy(dtype=np.float64)
    cd = shown["cd_payout"].to_numpy(dtype=np.float64)
    wins = streams_win(streaming, cd)
    y = np.arange(n)[::-1].astype(np.float64)  # the top artist at the top
    with drawing(ax, rows_height(n)) as ax:
        height = 0.4
        bars = ax.barh(
            y + height / 2,
            streaming,
            height=height,
            color=[WIN if w else LOSE for w in wins],
            label="Streams",
        )
        cds = ax.barh(y - height / 2, cd, height=height, color=CD, label="CD income")
        for container, values in ((bars, streaming), (cds, cd)):
            ax.bar_label(container, labels=[money(v, scenario) for v in values], padding=3,
                         fontsize=8)  # fmt: skip
        ax.set_yticks(y, labels=[clean(a, 30) for a in shown["artist"]])
        for label, won in zip(ax.get_yticklabels(), wins, strict=True):
            if won:
                label.set_fontweight("bold")
        ax.set_ylim(-0.7, n - 0.3)
        ax.set_xlim(0, max(float(streaming.max(initial=0)), float(cd.max(initial=0)), 0.01) * 1.12)
        ax.grid(axis="y", visible=False)
        won = int(wins.sum())
        # Only colours that some bar has: an entry for no bar reads as missing data.
        kinds = [(WIN, f"Streams, beating the CDs ({won} of {n})", won),
                 (LOSE, f"Streams, not beating the CDs ({n - won} of {n})", n - won),
                 (CD, "CD income", n)]  # fmt: skip
        ax.legend(
            handles=[Patch(color=c, label=label) for c, label, count in kinds if count],
            loc="lower left",
            bbox_to_anchor=(0.0, 1.0),
            ncols=3,
        )
        finish(
            ax,
            title=f"Streams against CDs for {who}: top {n} artists by plays",
            xlabel=f"Income to {recipient(scenario)} ({money_unit(scenario)})",
            ylabel="Artist",
            footer=footer_text(params, span, scenario),
            legend_above=True,
        )
    return ax
