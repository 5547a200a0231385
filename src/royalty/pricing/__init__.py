"""Pricing models: pure functions from a plays DataFrame to priced frames.

Nothing here reads files, touches the network or prints. Every figure is at
the artist level and in USD; see :class:`CompareParams` for the defaults and
their sources.

Example:
    >>> from royalty import load_sample
    >>> from royalty.pricing import CompareParams, compare, totals
    >>> params = CompareParams(rate=0.0033)
    >>> totals(compare(load_sample(), params), params).artists > 1000
    True
"""

from royalty.pricing.compare import NEEDED_COLUMNS, RESULT_COLUMNS, Totals, compare, totals
from royalty.pricing.params import DEFAULT_PARAMS, CompareParams
from royalty.pricing.period import filter_period
from royalty.pricing.streaming import REL_TOL, breakeven_plays

__all__ = [
    "DEFAULT_PARAMS",
    "NEEDED_COLUMNS",
    "REL_TOL",
    "RESULT_COLUMNS",
    "CompareParams",
    "Totals",
    "breakeven_plays",
    "compare",
    "filter_period",
    "totals",
]
