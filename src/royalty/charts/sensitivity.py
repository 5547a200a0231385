"""The ``sensitivity`` chart: how the verdict moves with the per-stream rate."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, Final, Literal

import numpy as np
import pandas as pd
from matplotlib.ticker import PercentFormatter

from royalty.charts._layout import Spot, place
from royalty.charts._style import (
    check_pricing,
    drawing,
    finish,
    footer_text,
    money_unit,
    recipient,
    require_rows,
    shown_in,
    terms_text,
)
from royalty.charts._text import clean
from royalty.pricing._columns import require
from royalty.pricing.rates import ARTIST

if TYPE_CHECKING:
    from matplotlib.axes import Axes

    from royalty.pricing import CompareParams, Scenario, ServiceRate

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
    scenario: Scenario | None = None,
    who: str = "this listener",
    span: tuple[Any, Any] | None = None,
    ax: Axes | None = None,
) -> Axes:
    """Share of artists with a CD, and of their plays, whose streams beat their CDs, by rate.

    Only artists with a CD bought count (see :func:`royalty.sensitivity`): the
    legend and footer say how many. Each service's name sits beside its
    dotted line where it touches no other name and no line.

    The rates swept are per-stream rates at the level of the CD side. Without
    a ``scenario`` that is the foundation's: artist-level rates in USD against
    the artist's CD margin. With one, the sweep is at the scenario's level:
    at the rights-holder level (``deal="none"``) the rates are what rights
    holders receive and the CD side is the label's receipts per CD; at the
    artist level (a deal or share) they are what reaches the artist and the CD
    side is the artist's net per CD. Compute ``table`` with the scenario's
    ``params`` (its CD side). The services' rights-holder rates are then
    marked where they land at that level (times the artist's share), and
    every rate is shown in the scenario's currency. The verdict at each rate
    does not depend on the currency: both sides convert alike.

    Args:
        table: :func:`royalty.sensitivity` output (``rate``, ``artists_share``,
            ``plays_share``), for rates such as :func:`sensitivity_rates`.
        services: rows of the rates table (:func:`royalty.rates_table`) to mark
            with dotted vertical lines. Those are rights-holder rates; the
            footer says so.
        params: the CD side's parameters ``table`` was computed with.
        scenario: the scenario whose ``params`` ``table`` was computed with:
            its level, share and currency place the markers and label the
            axis and footer (``params`` then is its ``params``, or None).
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
    check_pricing(params, scenario)
    require(table, ("rate", "artists_share", "plays_share"))
    require_rows(table, "rates")
    ordered = table.sort_values("rate")
    factor = 1.0 if scenario is None else scenario.factor  # USD to the currency shown
    # A service's rights-holder rate, at the scenario's level: what reaches the artist.
    share = 1.0 if scenario is None or scenario.share is None else scenario.share
    rate = ordered["rate"].to_numpy(dtype=np.float64) * factor
    with_cd = _with_cd(ordered)
    with drawing(ax) as ax:
        ax.plot(rate, ordered["artists_share"].to_numpy(dtype=np.float64), lw=2.2,
                color="#1f77b4", gid="artists", label=f"Share of the {with_cd}")  # fmt: skip
        ax.plot(rate, ordered["plays_share"].to_numpy(dtype=np.float64), lw=2.2,
                color="#d62728", gid="plays", label="Share of their plays")  # fmt: skip
        labels = []
        for service in services:
            at = service.rate * share * factor
            ax.axvline(at, color="#999999", ls=":", lw=1, gid="service")
            labels.append(ax.annotate(clean(service.name, 24), (at, 1.0),
                          xycoords=("data", "axes fraction"), xytext=(2, -4),
                          textcoords="offset points", rotation=90, va="top", fontsize=7,
                          color="#555555", gid="service-label"))  # fmt: skip
        ax.axvline(ESSAY_RATE * factor, color="#2ca02c", ls="--", lw=1.8, gid="essay",
                   label="The essay's third of a cent")  # fmt: skip
        ax.set_xscale("log")
        # Wide enough for every marker too: times a deal's share, some fall below the range.
        marks = [s.rate * share * factor for s in services]
        ax.set_xlim(
            min(RATE_RANGE[0] * factor, rate.min(), *(m / 1.1 for m in marks)),
            max(RATE_RANGE[1] * factor, rate.max(), *(m * 1.1 for m in marks)),
        )
        ax.set_ylim(0, 1.02)
        ax.yaxis.set_major_formatter(PercentFormatter(1.0))
        ax.xaxis.set_major_formatter(lambda x, _pos: f"{x:g}")
        ax.legend(loc="lower left", bbox_to_anchor=(0.0, 1.0), ncols=3, fontsize=9)
        footer = _footer(services, params, scenario, span)
        finish(
            ax,
            title=f"When streams beat CDs for {who}: share of artists and plays by rate",
            xlabel=_xlabel(scenario),
            ylabel="Earn more from streams than CDs",
            footer=f"{_cd_note(with_cd)}\n{footer}",
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


def _xlabel(scenario: Scenario | None) -> str:
    if scenario is None:
        return "Rate per stream (USD, log scale)"
    return f"Rate per stream to {recipient(scenario)} ({money_unit(scenario)}, log scale)"


def _footer(
    services: Sequence[ServiceRate],
    params: CompareParams | None,
    scenario: Scenario | None,
    span: tuple[Any, Any] | None,
) -> str:
    """The CD side, what the dotted lines are, the terms and currency, and the data span."""
    note = ""
    if services and scenario is not None and scenario.share is not None:
        note = "Dotted lines: published service rates, paid to rights holders"
        if scenario.level == ARTIST:
            note += f", times the artist's share ({scenario.share:.0%})"
        note += "."
    elif services:
        note = "Dotted lines: published service rates, paid to rights holders (before the "
        note += "artist's share)."
    if scenario is not None:
        params = scenario.params
    lines = [terms_text(scenario)] if scenario is not None else []
    if params is not None:
        to = " to rights holders" if scenario is not None and scenario.level != ARTIST else ""
        lines.append(
            f"CD margin USD {params.cd_margin:,.2f} per album{to}; album bought after "
            f"{params.min_album_plays} plays; plays under {params.min_seconds:g} s unpaid. " + note
        )
    elif note:
        lines.append(note)
    lines += [shown_in(scenario), footer_text(None, span)]
    return "\n".join(line.strip() for line in lines if line)
