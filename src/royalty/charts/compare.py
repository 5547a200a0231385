"""The ``compare`` chart: streaming against CD income for the top artists, with their ranges."""

from __future__ import annotations

from typing import TYPE_CHECKING, Final

import numpy as np
import pandas as pd
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from royalty.charts._footer import footer_height, pricing_footer, unit_text
from royalty.charts._style import (
    drawing,
    finish,
    money,
    plays_span,
    recipient,
    require_rows,
    require_top,
    rows_height,
)
from royalty.charts._text import clean
from royalty.pricing.price import price_details

if TYPE_CHECKING:
    from matplotlib.artist import Artist
    from matplotlib.axes import Axes

    from royalty.pricing import Scenario

VERDICT_COLOURS: Final[dict[str, str]] = {
    "streams": "#2ca02c",
    "depends": "#f2b134",
    "cds": "#9ecae1",
    "no-cd": "#d9d9d9",
}
"""Streaming bars by verdict (see :func:`royalty.price`)."""

VERDICT_TEXT: Final[dict[str, str]] = {
    "streams": "Streams ahead at every figure",
    "depends": "Streams: depends on the figures",
    "cds": "CDs ahead at every figure",
    "no-cd": "Streams, no CD bought",
}
"""The legend's words for each verdict."""

CD: Final = "#7f7f7f"
"""CD income bars."""

RANGE: Final = "#333333"
"""The low-to-high whiskers."""


def plot_compare(
    plays: pd.DataFrame,
    scenario: Scenario | None = None,
    *,
    top: int = 15,
    who: str = "this listener",
    ax: Axes | None = None,
) -> Axes:
    """Horizontal bars: each top artist's streaming income beside their CD income.

    Prices ``plays`` with :func:`royalty.pricing.price_details` (the
    foundation by default). Each bar is the point value, its whisker the low
    to high range that the cited figures allow; the streaming bar's colour is
    the artist's verdict, and artists whose streams are ahead at every figure
    have a bold name. The axis names the dollars' year, the level and the
    side; the footer the sources used and the years that borrowed a figure.

    Args:
        plays: the history, in the plays schema.
        scenario: what to price (:func:`royalty.make_scenario`); None for the foundation.
        top: how many artists, most paid streams first.
        who: whose history, for the title ("rj", "the bundled sample").
        ax: draw here; None makes a new figure 1200 px wide, 675 px high up to
            10 artists and taller beyond, so that rows never touch.

    Returns:
        The Axes. Its bar containers (``ax.containers`` of type
        ``BarContainer``) are the streaming bars, then the CD bars, one bar per
        artist, top artist first; each has its whiskers as ``.errorbar``.

    Raises:
        UsageError: no artist has a paid stream, or ``top`` is not at least 1.

    Example:
        >>> import royalty
        >>> ax = plot_compare(royalty.load_sample(), top=5)
        >>> ax.get_xlabel()
        'Income to the artist (US dollars of 2013, artist level, recording side (master))'
    """
    require_top(top)
    pricing = price_details(plays, scenario)
    result = pricing.table
    require_rows(result, "artists")
    s = pricing.book.scenario
    shown = result.head(top)
    n = len(shown)

    def column(name: str) -> np.ndarray:
        return shown[name].to_numpy(dtype=np.float64)

    streaming, cd = column("streaming_payout"), column("cd_payout")
    ranges = {
        "streams": (streaming, column("streaming_payout_low"), column("streaming_payout_high")),
        "cds": (cd, column("cd_payout_low"), column("cd_payout_high")),
    }
    verdicts = shown["verdict"].astype(str).tolist()
    albums = shown["albums"].to_numpy()
    footer = pricing_footer(pricing, plays_span(plays))
    y = np.arange(n)[::-1].astype(np.float64)  # the top artist at the top
    with drawing(ax, footer_height(footer, rows_height(n))) as ax:
        height = 0.4
        err = {"ecolor": RANGE, "capsize": 3, "elinewidth": 1}
        for (key, (value, low, high)), at, colour in (
            (
                ("streams", ranges["streams"]),
                y + height / 2,
                [VERDICT_COLOURS[v] for v in verdicts],
            ),
            (("cds", ranges["cds"]), y - height / 2, CD),
        ):
            ax.barh(at, value, height=height, color=colour, xerr=[value - low, high - value],
                    error_kw=err, label="Streams" if key == "streams" else "CD income")  # fmt: skip
            for x, where, v, bought in zip(np.maximum(high, value), at, value, albums, strict=True):
                # An artist with no CD has no CD income to show, rather than $0.00 of it.
                text = "no CD" if key == "cds" and not bought else money(v, s)
                ax.annotate(text, (x, where), xytext=(5, 0), textcoords="offset points",
                            va="center", fontsize=8, gid=f"{key}-value")  # fmt: skip
        ax.set_yticks(y, labels=[clean(a, 30) for a in shown["artist"]])
        for label, verdict in zip(ax.get_yticklabels(), verdicts, strict=True):
            if verdict == "streams":
                label.set_fontweight("bold")
        ax.set_ylim(-0.7, n - 0.3)
        widest = max(float(np.max(ranges["streams"][2], initial=0)),
                     float(np.max(ranges["cds"][2], initial=0)), 0.01)  # fmt: skip
        ax.set_xlim(0, widest * 1.15)
        ax.grid(axis="y", visible=False)
        counts = {v: verdicts.count(v) for v in VERDICT_COLOURS}
        # Only what some bar shows: an entry for no bar reads as missing data.
        handles: list[Artist] = [
            Patch(color=VERDICT_COLOURS[v], label=f"{VERDICT_TEXT[v]} ({counts[v]} of {n})")
            for v in VERDICT_COLOURS
            if counts[v]
        ]
        handles.append(Patch(color=CD, label="CD income"))
        handles.append(Line2D([], [], color=RANGE, marker="|", ms=8, lw=1,
                              label="Low to high (cited ranges)"))  # fmt: skip
        ax.legend(handles=handles, loc="upper left", bbox_to_anchor=(1.0, 1.0), fontsize=9,
                  title="Verdict (streams bar)", title_fontsize=9, alignment="left")  # fmt: skip
        finish(
            ax,
            title=f"Streams against CDs for {who}: top {n} artists by plays",
            xlabel=f"Income to {recipient(s)} ({unit_text(s, pricing.book.dollars)})",
            ylabel="Artist",
            footer=footer,
        )
    return ax
