"""The ``user-centric`` chart: each top artist's pro-rata payout beside their user-centric one.

The numbers come from :func:`royalty.price` under ``model="user-centric"``
(its ``pro_rata_payout`` and ``user_centric_payout`` columns); this module
only draws them and writes the scenario's parameters into the footer.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Final

import numpy as np
import pandas as pd
from matplotlib.patches import Patch

from royalty.charts._style import (
    drawing,
    finish,
    level_text,
    money,
    money_unit,
    require_rows,
    require_top,
    rows_height,
    shown_in,
    span_text,
)
from royalty.charts._text import clean
from royalty.pricing._columns import require

if TYPE_CHECKING:
    from matplotlib.axes import Axes

    from royalty.pricing import Scenario

PRO_RATA: Final = "#9ecae1"
"""Pro-rata bars (the model services use today)."""
MORE: Final = "#ff7f0e"
"""User-centric bars of artists the listener's own fee pays more than pro-rata."""
LESS: Final = "#fdd0a2"
"""User-centric bars of the others."""


def plot_user_centric(
    frame: pd.DataFrame,
    *,
    top: int = 15,
    scenario: Scenario | None = None,
    who: str = "this listener",
    span: tuple[Any, Any] | None = None,
    ax: Axes | None = None,
) -> Axes:
    """Horizontal bars: each top artist's pro-rata payout beside their user-centric payout.

    Pro-rata pays plays × the service's rate; user-centric splits the
    listener's own monthly fee (net of VAT, times the payout ratio, times the
    artist's share) among the artists played that month, by plays. Artists
    whom the user-centric split pays more get a dark orange bar. Value labels
    carry a dollar sign in US dollars; in another currency the axis names it.

    Args:
        frame: :func:`royalty.price` output under a user-centric scenario
            (``artist``, ``pro_rata_payout``, ``user_centric_payout``), most
            played first.
        top: how many artists (the first rows of ``frame``).
        scenario: the scenario ``frame`` was priced with: its level, currency,
            rate, fee, payout ratio, VAT and share go on the axis and footer.
        who: whose history, for the title.
        span: first and last play, for the footer.
        ax: draw here; None makes a new figure 1200 px wide, 675 px high up to
            10 artists and taller beyond, so that rows never touch.

    Returns:
        The Axes. Its first bar container holds the pro-rata bars and its
        second the user-centric bars, one bar per artist, top artist first.

    Raises:
        UsageError: ``frame`` is empty, or ``top`` is not at least 1.
        DataFormatError: ``frame`` lacks a user-centric column.

    Example:
        >>> import royalty
        >>> s = royalty.make_scenario(deal="major", model="user-centric")
        >>> ax = plot_user_centric(royalty.price(royalty.load_sample(), s), top=5, scenario=s)
        >>> len(ax.containers[1])
        5
    """
    require(frame, ("artist", "pro_rata_payout", "user_centric_payout"))
    require_rows(frame, "artists")
    require_top(top)
    shown = frame.head(top)
    n = len(shown)
    pro = shown["pro_rata_payout"].to_numpy(dtype=np.float64)
    uc = shown["user_centric_payout"].to_numpy(dtype=np.float64)
    more = uc > pro
    unit = money_unit(scenario) if scenario else "currency and level as priced"
    y = np.arange(n)[::-1].astype(np.float64)  # the top artist at the top
    with drawing(ax, rows_height(n)) as ax:
        height = 0.4
        bars = ax.barh(y + height / 2, pro, height=height, color=PRO_RATA, label="Pro-rata")
        ucs = ax.barh(y - height / 2, uc, height=height, color=[MORE if m else LESS for m in more],
                      label="User-centric")  # fmt: skip
        for container, values in ((bars, pro), (ucs, uc)):
            labels = [money(v, scenario) if scenario else f"{v:,.2f}" for v in values]
            ax.bar_label(container, labels=labels, padding=3, fontsize=8)
        # Plain names: the bar's colour already says which model pays more, and when the
        # listener's fee goes to few artists, bold would mark every name.
        ax.set_yticks(y, labels=[clean(a, 30) for a in shown["artist"]])
        ax.set_ylim(-0.7, n - 0.3)
        ax.set_xlim(0, max(float(pro.max(initial=0)), float(uc.max(initial=0)), 0.01) * 1.12)
        ax.grid(axis="y", visible=False)
        above = int(more.sum())
        # Only colours that some bar has: an entry for no bar reads as missing data.
        kinds = [
            (PRO_RATA, "Pro-rata: plays × rate", n),
            (MORE, f"User-centric, above pro-rata ({above} of {n})", above),
            (LESS, f"User-centric, not above pro-rata ({n - above} of {n})", n - above),
        ]
        ax.legend(
            handles=[Patch(color=c, label=label) for c, label, count in kinds if count],
            loc="lower left",
            bbox_to_anchor=(0.0, 1.0),
            ncols=3,
        )  # fmt: skip
        finish(
            ax,
            title=f"Pro-rata against user-centric for {who}: top {n} artists by plays",
            xlabel=f"Payout ({unit})",
            ylabel="Artist",
            footer=footer(scenario, span),
            legend_above=True,
        )
    return ax


def footer(scenario: Scenario | None, span: tuple[Any, Any] | None) -> str:
    """The footer: the pro-rata rate, the fee, payout ratio, VAT, share, and the data span.

    Example:
        >>> import royalty
        >>> s = royalty.make_scenario(service="spotify", model="user-centric")
        >>> print(footer(s, None).splitlines()[2])
        USD 8.03 a month split among the month's artists by plays.
    """
    lines = []
    if scenario is not None:
        where = f" ({scenario.service})" if scenario.service else ""
        lines.append(
            f"Pro-rata: USD {scenario.params.rate:.4g} per stream{where} at the "
            f"{level_text(scenario)}; plays under {scenario.params.min_seconds:g} s unpaid."
        )
        share = 1.0 if scenario.share is None else scenario.share
        deal = f" ({scenario.deal} deal)" if scenario.deal not in (None, "none") else ""
        deal = " (no deal)" if scenario.deal == "none" else deal
        lines.append(
            f"User-centric: fee USD {scenario.fee:,.2f} a month, VAT {scenario.vat:.0%}, "
            f"payout ratio {scenario.payout_ratio:g}, artist's share {share:.0%}{deal}:\n"
            f"USD {scenario.pool * share:,.2f} a month split among the month's artists by plays."
        )
        lines.append(shown_in(scenario))
    if span is not None:
        lines.append(span_text(*span))
    lines.append("Made with royalty.")
    return "\n".join(line for line in lines if line)
