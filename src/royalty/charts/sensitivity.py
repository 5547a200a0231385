"""The ``sensitivity`` chart: how the verdict moves with the per-stream rate."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, Final

import numpy as np
import pandas as pd
from matplotlib.ticker import PercentFormatter

from royalty.charts._style import drawing, finish, footer_text, require_rows
from royalty.charts._text import clean
from royalty.pricing._columns import require

if TYPE_CHECKING:
    from matplotlib.axes import Axes

    from royalty.pricing import CompareParams, ServiceRate

RATE_RANGE: Final = (0.0003, 0.02)
"""USD per stream, from well under the essay's "tenth of a cent" to Napster's 2019 rate."""

ESSAY_RATE: Final = 1 / 300
"""The essay's "about a third of a cent per stream"."""


def sensitivity_rates(n: int = 60) -> list[float]:
    """``n`` rates spread evenly on a log scale over :data:`RATE_RANGE`.

    Example:
        >>> rates = sensitivity_rates(3)
        >>> [round(r, 5) for r in rates]
        [0.0003, 0.00245, 0.02]
    """
    return [float(r) for r in np.geomspace(*RATE_RANGE, n)]


def plot_sensitivity(
    table: pd.DataFrame,
    *,
    services: Sequence[ServiceRate] = (),
    params: CompareParams | None = None,
    who: str = "this listener",
    span: tuple[Any, Any] | None = None,
    ax: Axes | None = None,
) -> Axes:
    """Share of artists, and of plays, whose streams beat their CDs, against the rate.

    Args:
        table: :func:`royalty.sensitivity` output (``rate``, ``artists_share``,
            ``plays_share``), for rates such as :func:`sensitivity_rates`.
        services: rows of the rates table (:func:`royalty.rates_table`) to mark
            with dotted vertical lines. Those are rights-holder rates; the
            footer says so.
        params: the CD side's parameters ``table`` was computed with.
        who: whose history, for the title.
        span: first and last play, for the footer.
        ax: draw here; None makes a new 1200×675 figure.

    Returns:
        The Axes, with a log-scaled x axis; lines carry the gids ``artists``,
        ``plays``, ``essay`` (the third of a cent) and ``service`` (one each).

    Example:
        >>> import royalty
        >>> plays = royalty.load_sample()
        >>> ax = plot_sensitivity(royalty.sensitivity(plays, rates=sensitivity_rates(5)))
        >>> ax.get_xscale()
        'log'
    """
    require(table, ("rate", "artists_share", "plays_share"))
    require_rows(table, "rates")
    ordered = table.sort_values("rate")
    rate = ordered["rate"].to_numpy(dtype=np.float64)
    with drawing(ax) as ax:
        ax.plot(rate, ordered["artists_share"].to_numpy(dtype=np.float64), lw=2.2,
                color="#1f77b4", gid="artists", label="Share of artists")  # fmt: skip
        ax.plot(rate, ordered["plays_share"].to_numpy(dtype=np.float64), lw=2.2,
                color="#d62728", gid="plays", label="Share of plays")  # fmt: skip
        for service in services:
            ax.axvline(service.rate, color="#999999", ls=":", lw=1, gid="service")
            ax.annotate(clean(service.name, 24), (service.rate, 1.0),
                        xycoords=("data", "axes fraction"), xytext=(2, -4),
                        textcoords="offset points", rotation=90, va="top", fontsize=7,
                        color="#555555", gid="service-label")  # fmt: skip
        ax.axvline(ESSAY_RATE, color="#2ca02c", ls="--", lw=1.8, gid="essay",
                   label="The essay's third of a cent")  # fmt: skip
        ax.set_xscale("log")
        ax.set_xlim(min(RATE_RANGE[0], rate.min()), max(RATE_RANGE[1], rate.max()))
        ax.set_ylim(0, 1.02)
        ax.yaxis.set_major_formatter(PercentFormatter(1.0))
        ax.xaxis.set_major_formatter(lambda x, _pos: f"{x:g}")
        ax.legend(loc="lower left", bbox_to_anchor=(0.0, 1.0), ncols=3, fontsize=9)
        note = "Dotted lines: published service rates, paid to rights holders (before the "
        note += "artist's share)." if services else ""
        footer = footer_text(None, span)
        if params is not None:
            footer = (
                f"CD margin USD {params.cd_margin:,.2f} per album; album bought after "
                f"{params.min_album_plays} plays; plays under {params.min_seconds:g} s unpaid. "
                + note + "\n" + footer
            )  # fmt: skip
        elif note:
            footer = note + "\n" + footer
        finish(
            ax,
            title=f"When streams beat CDs for {who}: share of artists and plays by rate",
            xlabel="Rate per stream (USD, log scale)",
            ylabel="Earn more from streams than CDs",
            footer=footer,
            legend_above=True,
        )
    return ax
