"""What a money chart says about its own numbers: dollars, level, side, sources, borrowed years.

Every pricing chart prices through :func:`royalty.pricing.price_details`,
whose :class:`~royalty.pricing.book.Book` records the year of the dollars,
the sources actually used (a value the user typed reads "the value you
gave") and the years that borrowed another year's figure. The footer
writes those down, so a chart read on its own says what it shows.
"""

from __future__ import annotations

import textwrap
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, Final

from royalty.charts._style import span_text

if TYPE_CHECKING:
    from royalty.pricing import Pricing, Scenario

FOOTER_WIDTH: Final = 165
"""Characters a footer line holds before it wraps (8 pt on a 1200 px figure)."""

FOOTER_LINE: Final = 0.135
"""Inches one footer line takes (8 pt, with its spacing)."""

SIDES: Final[dict[str, str]] = {
    "master": "recording side (master)",
    "publishing": "publishing side (songwriter)",
    "both": "recording and publishing sides (both)",
}
"""How each side reads in a label."""


def dollars_text(scenario: Scenario, dollars: int) -> str:
    """``US dollars of 2013``, or ``NZD at 1.6 per US dollar of 2013``.

    Example:
        >>> from royalty.pricing import make_scenario
        >>> dollars_text(make_scenario(deal="major", currency="NZD", fx=1.6), 2013)
        'NZD at 1.6 per US dollar of 2013'
    """
    if scenario.fx is None:
        return f"US dollars of {dollars}"
    return f"{scenario.currency} at {scenario.fx:g} per US dollar of {dollars}"


def unit_text(scenario: Scenario, dollars: int) -> str:
    """An axis's unit: ``US dollars of 2013, artist level, recording side (master)``.

    Example:
        >>> from royalty.pricing import make_scenario
        >>> unit_text(make_scenario(service="spotify", side="both"), 2024)
        'US dollars of 2024, rights-holder level, recording and publishing sides (both)'
    """
    level = scenario.level.replace(" ", "-")
    return f"{dollars_text(scenario, dollars)}, {level} level, {SIDES[scenario.side]}"


def terms_text(scenario: Scenario) -> str:
    """The service, deal and thresholds behind the numbers, in one line.

    Example:
        >>> from royalty.pricing import make_scenario
        >>> print(terms_text(make_scenario(service="spotify", deal="major")).split(";")[0])
        Spotify's rates per stream, major deal
    """
    if scenario.foundation:
        what = "The essay's figures" if scenario.rate is None else "Your rate per stream"
    else:
        what = f"{scenario.service_row().name}'s rates per stream"
    if scenario.deal == "none":
        what += ", no deal (what rights holders receive)"
    elif scenario.deal is not None:
        what += f", {scenario.deal} deal"
    if scenario.artist_share is not None:
        what += f", artist's share {scenario.artist_share:.0%} (the value you gave)"
    if scenario.model == "user-centric":
        what += f", user-centric ({scenario.market.upper()} fees)"
    return (
        f"{what}; a CD is bought at its album's {_nth(scenario.min_album_plays)} paid stream; "
        f"plays under {scenario.min_seconds:g} s are not paid."
    )


def _nth(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def pricing_footer(
    pricing: Pricing,
    span: tuple[Any, Any] | None,
    *,
    notes: Sequence[str] = (),
    skip: Sequence[str] = (),
) -> str:
    """The footer of a money chart: what the amounts are, the sources used, borrowed years.

    Args:
        pricing: :func:`royalty.pricing.price_details` of what the chart shows.
        span: first and last play.
        notes: lines of the chart's own, after the terms.
        skip: source keys the chart does not use (the sensitivity chart sweeps
            the rate instead of using a service's).

    Example:
        >>> import royalty
        >>> from royalty.pricing import price_details
        >>> text = pricing_footer(price_details(royalty.load_sample()), None)
        >>> print(text.splitlines()[0])
        Amounts in US dollars of 2013 (by CPI-U), at the artist level, recording side (master).
    """
    book = pricing.book
    s = book.scenario
    level = s.level.replace(" ", "-")
    lines = [
        f"Amounts in {dollars_text(s, book.dollars)} (by CPI-U), at the {level} level, "
        f"{SIDES[s.side]}.",
        terms_text(s),
        *notes,
    ]
    used = [text for key, text in book.sources.items() if key not in skip]
    lines += [f"Source: {text}" for text in used]
    lines += [f"Borrowed: {text}" for text in book.borrowed_lines()]
    if span is not None:
        lines.append(span_text(*span))
    lines.append("Made with royalty.")
    return wrap(lines)


def wrap(lines: Sequence[str]) -> str:
    """Lines wrapped to :data:`FOOTER_WIDTH`, continuations indented."""
    out: list[str] = []
    for line in lines:
        if line:
            out += textwrap.wrap(
                line, FOOTER_WIDTH, subsequent_indent="    ", break_on_hyphens=False
            )
    return "\n".join(out)


def footer_height(footer: str, base: float) -> float:
    """A figure's height in inches: ``base``, plus room for a footer of more than 5 lines."""
    return base + FOOTER_LINE * max(0, footer.count("\n") + 1 - 5)
