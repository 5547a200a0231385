"""Pricing models: pure functions from a plays DataFrame to priced frames.

Nothing here reads files, touches the network or prints. The foundation's
:func:`compare` prices at the artist level in USD (see :class:`CompareParams`
for the defaults and their sources). :func:`price` takes a :class:`Scenario`
(built with :func:`make_scenario`): a service's rights-holder rate, a deal,
the user-centric model, downloads, a currency and a projection. Every
default names its source; see :mod:`royalty.pricing.rates`,
:mod:`royalty.pricing.deals` and :mod:`royalty.pricing.scenario`.

Example:
    >>> from royalty import load_sample
    >>> from royalty.pricing import CompareParams, compare, totals
    >>> params = CompareParams(rate=0.0033)
    >>> totals(compare(load_sample(), params), params).artists > 1000
    True
"""

from royalty.pricing.breakdown import by_album, by_year
from royalty.pricing.compare import NEEDED_COLUMNS, RESULT_COLUMNS, Totals, compare, totals
from royalty.pricing.deals import DEALS, LABEL_RECEIPTS_PER_CD, Deal
from royalty.pricing.params import DEFAULT_PARAMS, CompareParams
from royalty.pricing.period import filter_period
from royalty.pricing.price import MONEY_COLUMNS, monthly_rates, price, result_columns
from royalty.pricing.rates import (
    ARTIST,
    RIGHTS_HOLDER,
    ServiceRate,
    builtin_rates,
    rates_table,
    service_rate,
)
from royalty.pricing.scenario import MODELS, Scenario, make_scenario
from royalty.pricing.sensitivity import sensitivity
from royalty.pricing.streaming import REL_TOL, breakeven_plays

__all__ = [
    "ARTIST",
    "DEALS",
    "DEFAULT_PARAMS",
    "LABEL_RECEIPTS_PER_CD",
    "MODELS",
    "MONEY_COLUMNS",
    "NEEDED_COLUMNS",
    "REL_TOL",
    "RESULT_COLUMNS",
    "RIGHTS_HOLDER",
    "CompareParams",
    "Deal",
    "Scenario",
    "ServiceRate",
    "Totals",
    "breakeven_plays",
    "builtin_rates",
    "by_album",
    "by_year",
    "compare",
    "filter_period",
    "make_scenario",
    "monthly_rates",
    "price",
    "rates_table",
    "result_columns",
    "sensitivity",
    "service_rate",
    "totals",
]
