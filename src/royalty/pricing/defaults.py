"""Whole-service defaults for comparisons that price many listeners at once.

``royalty population compare`` splits one pool a month among every artist
at the rights-holder level, recording and publishing together, at a flat
fee. Its defaults come from the same cited tables as one listener's
pricing (``figures.toml``): the latest US subscription price, the share of
revenue paid to all rights holders, and the 30-second rule.
"""

from __future__ import annotations

from typing import Final

from royalty.pricing.figures import figures
from royalty.pricing.params import DEFAULT_MIN_SECONDS as DEFAULT_MIN_SECONDS
from royalty.pricing.params import MIN_SECONDS_SOURCE

_US = figures().markets["us"]
_RATIO = figures().series["payout_ratio"].points[-1]

DEFAULT_FEE: Final = _US.prices[-1].price
"""USD a month: the latest US price of Spotify Premium Individual (figures.toml)."""
DEFAULT_PAYOUT_RATIO: Final = _RATIO.value
"""Share of revenue paid to rights holders, recording and publishing (figures.toml)."""
DEFAULT_VAT: Final = _US.vat
"""Sales tax included in the US price: none."""

SOURCES: Final[dict[str, str]] = {
    "fee": _US.prices[-1].source,
    "payout_ratio": _RATIO.source,
    "vat": _US.vat_source,
    "min_seconds": MIN_SECONDS_SOURCE,
}
"""Where each default comes from."""
