"""The ``user-centric`` chart: each top artist's pro-rata payout beside their user-centric one.

The numbers come from :func:`royalty.pricing.price_details` under
``model="user-centric"`` (its ``pro_rata_payout`` and ``user_centric_payout``
columns, and how much of the listener's fees each model passes on); this
module only draws them and writes the figures used into the footer.
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING, Final

import numpy as np
import pandas as pd
from matplotlib.patches import Patch

from royalty.charts._footer import footer_height, pricing_footer, unit_text
from royalty.charts._style import (
    drawing,
    finish,
    money,
    plays_span,
    require_rows,
    require_top,
    rows_height,
)
from royalty.charts._text import clean
from royalty.pricing.price import FeeShare, price_details
from royalty.pricing.scenario import make_scenario

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
    plays: pd.DataFrame,
    scenario: Scenario | None = None,
    *,
    top: int = 15,
    who: str = "this listener",
    ax: Axes | None = None,
) -> Axes:
    """Horizontal bars: each top artist's pro-rata payout beside their user-centric payout.

    Pro-rata pays each stream the service's rate of its year; user-centric
    splits the listener's own monthly fee (of that month, net of sales tax,
    times the share paid to the side priced, times the artist's share of
    master money) among the artists played that month, by paid streams.
    Artists whom the user-centric split pays more get a dark orange bar. The
    footer says how much of the listener's fees each model passes on to the
    artists they played, and the sources used.

    Args:
        plays: the history, in the plays schema.
        scenario: what to price, under either model (it is priced
            user-centric); None for Spotify at the rights-holder level
            (``make_scenario(deal="none", model="user-centric")``).
        top: how many artists, most paid streams first.
        who: whose history, for the title.
        ax: draw here; None makes a new figure 1200 px wide, 675 px high up to
            10 artists and taller beyond, so that rows never touch.

    Returns:
        The Axes. Its first bar container holds the pro-rata bars and its
        second the user-centric bars, one bar per artist, top artist first.

    Raises:
        UsageError: no artist has a paid stream, ``top`` is not at least 1, or
            the scenario has no rights-holder money to split (the foundation).

    Example:
        >>> import royalty
        >>> s = royalty.make_scenario(deal="major", model="user-centric")
        >>> ax = plot_user_centric(royalty.load_sample(), s, top=5)
        >>> len(ax.containers[1])
        5
    """
    require_top(top)
    if scenario is None:
        scenario = make_scenario(deal="none", model="user-centric")
    elif scenario.model != "user-centric":
        scenario = replace(scenario, model="user-centric")
    pricing = price_details(plays, scenario)
    frame = pricing.table
    require_rows(frame, "artists")
    shown = frame.head(top)
    n = len(shown)
    pro = shown["pro_rata_payout"].to_numpy(dtype=np.float64)
    uc = shown["user_centric_payout"].to_numpy(dtype=np.float64)
    more = uc > pro
    notes = [] if pricing.fee_share is None else [fee_note(pricing.fee_share, scenario)]
    footer = pricing_footer(pricing, plays_span(plays), notes=notes)
    y = np.arange(n)[::-1].astype(np.float64)  # the top artist at the top
    with drawing(ax, footer_height(footer, rows_height(n))) as ax:
        height = 0.4
        bars = ax.barh(y + height / 2, pro, height=height, color=PRO_RATA, label="Pro-rata")
        ucs = ax.barh(y - height / 2, uc, height=height, color=[MORE if m else LESS for m in more],
                      label="User-centric")  # fmt: skip
        for container, values in ((bars, pro), (ucs, uc)):
            labels = [money(v, scenario) for v in values]
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
            (PRO_RATA, "Pro-rata: each stream at its year's rate", n),
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
            xlabel=f"Payout ({unit_text(scenario, pricing.book.dollars)})",
            ylabel="Artist",
            footer=footer,
            legend_above=True,
        )
    return ax


def fee_note(fees: FeeShare, scenario: Scenario) -> str:
    """How much of the listener's fees each model passes on to the artists they played.

    Example:
        >>> import royalty
        >>> from royalty.pricing import price_details
        >>> s = royalty.make_scenario(deal="none", model="user-centric", fee=10.0)
        >>> print(fee_note(price_details(royalty.load_sample(), s).fee_share, s)[:60])
        Of the listener's fees ($840.00 over 84 months, net of sales
    """

    def amount(value: float) -> str:  # plain text: clean() escapes the dollar sign
        return f"${value:,.2f}" if scenario.fx is None else f"{value:,.2f} {scenario.currency}"

    def part(value: float) -> str:
        share = f" ({value / fees.fees:.0%})" if fees.fees > 0 else ""
        return amount(value) + share

    return (
        f"Of the listener's fees ({amount(fees.fees)} over {fees.months} months, net of "
        f"sales tax), pro-rata paid the artists they played {part(fees.pro_rata)} and "
        f"user-centric {part(fees.user_centric)}, at the rights-holder level."
    )
