"""The population charts: rank bands under each model, and Lorenz curves of payouts.

Both take a :class:`~royalty.population.compare.PopulationResult` (from
``royalty.population.compare.compare_population``) and draw it; the numbers
come from :mod:`royalty.population.bands`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Final

import numpy as np

from royalty.charts._style import COLOURS, drawing, finish
from royalty.errors import UsageError
from royalty.population.bands import bands, concentration, lorenz

if TYPE_CHECKING:
    from matplotlib.axes import Axes

    from royalty.population.compare import PopulationResult

MODEL_COLOURS: Final[dict[str, str]] = {
    "pro-rata": "#9ecae1",
    "user-centric": COLOURS[4],
    "artist-centric": COLOURS[3],
    "threshold": COLOURS[1],
}
"""One colour per model, pro-rata (the baseline) pale."""


def _require(result: PopulationResult) -> None:
    if result.artists.empty:
        raise UsageError("nothing to draw: no artist has a paid stream in this period")


def footer(result: PopulationResult) -> str:
    """The footer: population, money, thresholds as used."""
    d, p = result.dataset, result.params
    kind = "synthetic population" if d["synthetic"] else "population"
    lines = [
        f"{d['listeners']:,} listeners, {d['plays']:,} plays, {len(result.artists):,} artists "
        f"paid ({kind}, {(d['first_play'] or '?')[:10]} to {(d['last_play'] or '?')[:10]}).",
        f"USD at the rights-holder level: each paying listener adds {p.pool_per_listener:.2f} a "
        f"month to the pool (fee {p.fee:.2f}, VAT {p.vat:g}, payout ratio {p.payout_ratio:g}).",
    ]
    if "artist-centric" in result.models or "threshold" in result.models:
        lines.append(
            f"Scale {p.scale:g}: professional artist {p.pro_streams:,} streams from "
            f"{p.pro_listeners:,} listeners a month; cap {p.listener_cap:,} streams per listener "
            f"a month; track floor {p.track_floor:,} streams in 12 months."
        )
    lines.append("Made with royalty.")
    return "\n".join(lines)


def plot_population_bands(result: PopulationResult, *, ax: Axes | None = None) -> Axes:
    """Grouped bars: each pro-rata rank band's share of the money under each model.

    Bars other than pro-rata carry the band's change against pro-rata, in per cent.

    Args:
        result: what ``compare_population`` returned.
        ax: draw here; None makes a new 1200×675 figure.

    Returns:
        The Axes; one bar container per model (in ``result.models`` order),
        one bar per band.

    Raises:
        UsageError: no artist was paid.

    Example:
        >>> ax = plot_population_bands(result)  # doctest: +SKIP
        >>> len(ax.containers) == len(result.models)  # doctest: +SKIP
        True
    """
    _require(result)
    table = bands(result)
    n_models = len(result.models)
    x = np.arange(len(table), dtype=np.float64)
    width = 0.8 / n_models
    with drawing(ax) as ax:
        top = 0.0
        for i, (model, column) in enumerate(zip(result.models, result.columns, strict=True)):
            share = table[f"{column}_share"].to_numpy(dtype=np.float64) * 100
            top = max(top, float(share.max(initial=0)))
            bars = ax.bar(x + (i - (n_models - 1) / 2) * width, share, width=width * 0.95,
                          color=MODEL_COLOURS[model], label=model)  # fmt: skip
            if column == "pro_rata":
                labels = [f"{v:.1f}%" for v in share]
            else:
                change = table[f"{column}_change"].to_numpy(dtype=np.float64)
                labels = ["" if np.isnan(c) else f"{c:+.1f}%" for c in change]
            ax.bar_label(bars, labels=labels, padding=2, fontsize=7, rotation=90)
        ax.set_xticks(x, labels=[f"ranks {b}" for b in table["band"]])
        ax.set_ylim(0, max(top, 1.0) * 1.15)  # room for the rotated labels
        ax.grid(axis="x", visible=False)
        # Above the axes, as the other charts do: never over a tall bar.
        ax.legend(loc="lower left", bbox_to_anchor=(0.0, 1.0), ncols=n_models)
        finish(
            ax,
            title="Share of the money by artist rank under pro-rata, under each model",
            xlabel="Artists ranked by pro-rata payout (labels: change against pro-rata)",
            ylabel="Share of all payouts (%)",
            footer=footer(result),
            legend_above=True,
        )
    return ax


def plot_population_lorenz(result: PopulationResult, *, ax: Axes | None = None) -> Axes:
    """Lorenz curves of the artists' payouts under each model, Gini coefficients in the legend.

    Args:
        result: what ``compare_population`` returned.
        ax: draw here; None makes a new 1200×675 figure.

    Returns:
        The Axes: the line of equality first, then one line per model.

    Raises:
        UsageError: no artist was paid.

    Example:
        >>> ax = plot_population_lorenz(result)  # doctest: +SKIP
        >>> len(ax.lines) == len(result.models) + 1  # doctest: +SKIP
        True
    """
    _require(result)
    ginis = dict(zip(concentration(result)["model"], concentration(result)["gini"], strict=True))
    with drawing(ax) as ax:
        ax.plot([0, 100], [0, 100], color="#999999", linestyle="--", linewidth=1,
                label="Equal pay for every artist")  # fmt: skip
        for model, column in zip(result.models, result.columns, strict=True):
            xs, ys = lorenz(result.artists[column].to_numpy(dtype=np.float64))
            colour = "#3182bd" if model == "pro-rata" else MODEL_COLOURS[model]
            ax.plot(xs * 100, ys * 100, color=colour, linewidth=2,
                    label=f"{model} (Gini {ginis[model]:.3f})")  # fmt: skip
        ax.set_xlim(0, 100)
        ax.set_ylim(0, 100)
        ax.legend(loc="upper left")
        finish(
            ax,
            title="How unequally each model pays artists (Lorenz curves)",
            xlabel="Artists, lowest paid first (% of artists with a paid stream)",
            ylabel="Share of all payouts (%)",
            footer=footer(result),
        )
    return ax
