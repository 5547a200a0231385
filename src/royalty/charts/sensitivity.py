"""The ``sensitivity`` chart: how the verdict moves with the per-stream rate."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import TYPE_CHECKING, Final, Literal

import numpy as np
import pandas as pd
from matplotlib.ticker import PercentFormatter

from royalty.charts._footer import footer_height, pricing_footer, unit_text
from royalty.charts._layout import Spot, place
from royalty.charts._style import FIGSIZE, drawing, finish, plays_span, recipient, require_rows
from royalty.charts._text import clean
from royalty.pricing.book import Book
from royalty.pricing.price import price_details
from royalty.pricing.scenario import Scenario
from royalty.pricing.sensitivity import sensitivity

if TYPE_CHECKING:
    from matplotlib.axes import Axes

    from royalty.pricing import ServiceRate

RATE_RANGE: Final = (0.0003, 0.02)
"""USD per stream, from well under the essay's "tenth of a cent" to Napster's 2019 rate."""

ESSAY_YEAR: Final = 2013
"""The year of the essay's "about a third of a cent per stream" (the foundation's rate)."""


def sensitivity_rates(n: int = 60) -> list[float]:
    """``n`` rates spread evenly on a log scale over :data:`RATE_RANGE`.

    Example:
        >>> rates = sensitivity_rates(3)
        >>> [round(r, 5) for r in rates]
        [0.0003, 0.00245, 0.02]
    """
    return [float(r) for r in np.geomspace(*RATE_RANGE, n)]


def service_marker(service: ServiceRate, scenario: Scenario, dollars: int) -> float:
    """What one stream of ``service`` paid in ``dollars``'s year, at the scenario's level and side.

    In US dollars of that year, times ``fx``. The year's figure, or the
    nearest cited year's carried by CPI-U. The foundation (no deal) marks
    the rights-holder rate itself.

    Example:
        >>> from royalty.pricing import Scenario, service_rate
        >>> round(service_marker(service_rate("spotify"), Scenario(), 2013), 4)
        0.007
    """
    probe = replace(
        scenario, service=service.service, rates=(service,), rate=None, model="pro-rata"
    )
    return float(Book(probe, dollars).stream_value([dollars]).value[0]) * scenario.factor


def plot_sensitivity(
    plays: pd.DataFrame,
    scenario: Scenario | None = None,
    *,
    rates: Sequence[float] | None = None,
    services: Sequence[ServiceRate] = (),
    who: str = "this listener",
    ax: Axes | None = None,
) -> Axes:
    """Share of artists with a CD, and of their plays, whose streams beat their CDs, by rate.

    Only artists with a CD bought count (see :func:`royalty.sensitivity`): the
    legend and footer say how many. The CD side is priced as
    :func:`royalty.price` prices it (each CD at the figures of its year, in US
    dollars of one year, at the scenario's level and side); the rates swept
    are flat amounts per stream at that same level, side and currency. Each
    service in ``services`` is marked with a dotted line where one of its
    streams lands at that level and side in the dollars' year (its figure of
    that year, or the nearest cited year's); its name sits beside the line
    where it touches no other name and no line.

    Args:
        plays: the history, in the plays schema.
        scenario: what prices the CD side; None for the foundation.
        rates: rates to sweep, in US dollars (:func:`sensitivity_rates` when
            None); shown in the scenario's currency.
        services: rows of the rates table (:func:`royalty.rates_table`) to mark.
        who: whose history, for the title.
        ax: draw here; None makes a new figure 1200 px wide.

    Returns:
        The Axes, with a log-scaled x axis; lines carry the gids ``artists``,
        ``plays``, ``essay`` (the third of a cent) and ``service`` (one each).

    Example:
        >>> import royalty
        >>> ax = plot_sensitivity(royalty.load_sample(), rates=sensitivity_rates(5))
        >>> ax.get_xscale()
        'log'
    """
    scenario = scenario or Scenario()
    factor = scenario.factor
    # sensitivity() compares with the CD side in the currency shown: sweep in it too.
    swept = [r * factor for r in (sensitivity_rates() if rates is None else rates)]
    table = sensitivity(plays, scenario, swept)
    require_rows(table, "rates")
    pricing = price_details(plays, scenario)
    dollars = pricing.book.dollars
    ordered = table.sort_values("rate")
    rate = ordered["rate"].to_numpy(dtype=np.float64)
    with_cd = _with_cd(ordered)
    # The foundation's rate of the essay's year, as the book states it in these dollars.
    essay = float(Book(Scenario(), dollars).master_rate([ESSAY_YEAR]).value[0]) * factor
    marks = [service_marker(service, scenario, dollars) for service in services]
    notes = [_cd_note(with_cd)]
    if services:
        level = "rights holders" if scenario.foundation else recipient(scenario)
        notes.append(
            f"Dotted lines: what one stream of each service paid in {dollars} (or the nearest "
            f"year with a figure), to {level}, on the side priced; sources: `royalty rates`."
        )
    skip = () if scenario.foundation else ("rate",)  # the sweep stands in for the service's rate
    footer = pricing_footer(pricing, plays_span(plays), notes=notes, skip=skip)
    with drawing(ax, footer_height(footer, FIGSIZE[1])) as ax:
        ax.plot(rate, ordered["artists_share"].to_numpy(dtype=np.float64), lw=2.2,
                color="#1f77b4", gid="artists", label=f"Share of the {with_cd}")  # fmt: skip
        ax.plot(rate, ordered["plays_share"].to_numpy(dtype=np.float64), lw=2.2,
                color="#d62728", gid="plays", label="Share of their plays")  # fmt: skip
        labels = []
        for service, at in zip(services, marks, strict=True):
            ax.axvline(at, color="#999999", ls=":", lw=1, gid="service")
            labels.append(ax.annotate(clean(service.name, 24), (at, 1.0),
                          xycoords=("data", "axes fraction"), xytext=(2, -4),
                          textcoords="offset points", rotation=90, va="top", fontsize=7,
                          color="#555555", gid="service-label"))  # fmt: skip
        ax.axvline(essay, color="#2ca02c", ls="--", lw=1.8, gid="essay",
                   label=f"The essay's third of a cent ({ESSAY_YEAR})")  # fmt: skip
        ax.set_xscale("log")
        # Wide enough for every marker too: times a deal's share, some fall below the range.
        ax.set_xlim(
            min(RATE_RANGE[0] * factor, rate.min(), essay / 1.1, *(m / 1.1 for m in marks)),
            max(RATE_RANGE[1] * factor, rate.max(), essay * 1.1, *(m * 1.1 for m in marks)),
        )
        ax.set_ylim(0, 1.02)
        ax.yaxis.set_major_formatter(PercentFormatter(1.0))
        ax.xaxis.set_major_formatter(lambda x, _pos: f"{x:g}")
        ax.legend(loc="lower left", bbox_to_anchor=(0.0, 1.0), ncols=3, fontsize=9)
        finish(
            ax,
            title=f"When streams beat CDs for {who}: share of artists and plays by rate",
            xlabel=f"Rate per stream to {recipient(scenario)} "
            f"({unit_text(scenario, dollars)}, log scale)",
            ylabel="Earn more from streams than CDs",
            footer=footer,
            legend_above=True,
        )
        # Each name beside its dotted line, where it touches no other name and no line.
        place(ax, [(label, _SPOTS) for label in labels], avoid=ax.get_lines())
    return ax


def _cd_note(with_cd: str) -> str:
    """The footer's first line: who counts, or why both lines stay at 0."""
    if with_cd.startswith("0 "):
        return (
            "No artist has a CD bought (no album reached the plays to buy it): nothing to compare."
        )
    return f"Only the {with_cd} count: artists with no CD bought have nothing to compare with."


def _with_cd(table: pd.DataFrame) -> str:
    """``artists with a CD (12)``, or without the count for a table that lacks it."""
    if "artists_with_cd" not in table.columns or not len(table):
        return "artists with a CD"
    n = int(table["artists_with_cd"].iloc[0])
    return f"{n:,} artist{'' if n == 1 else 's'} with a CD"


def _spot(y: float, side: int) -> Spot:
    """A spot for a rotated service name: top, middle or bottom, right or left of its line."""
    ha: Literal["left", "right"] = "left" if side > 0 else "right"
    if y == 1.0:
        return Spot(2.0 * side, -4.0, ha, "top", y)
    if y == 0.0:
        return Spot(2.0 * side, 4.0, ha, "bottom", y)
    return Spot(2.0 * side, 0.0, ha, "center", y)


_SPOTS: Final = tuple(_spot(y, side) for y in (1.0, 0.0, 0.5, 0.75, 0.25) for side in (1, -1))
