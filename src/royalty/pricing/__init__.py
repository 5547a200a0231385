"""Pricing: pure functions from a plays DataFrame to priced frames.

Nothing here reads files, touches the network or prints. :func:`price` is
the one entry point: it prices each artist's paid streams against the CDs
(and downloads) the listener would have bought, year by year, at one level
(rights holder or artist) and side (master, publishing or both), in US
dollars of one year, with each figure's low and high and a verdict. A
:class:`Scenario` (built with :func:`make_scenario`) says what to price; the
default is the foundation, the essay's figures. Every figure names its
source: see :mod:`royalty.pricing.figures`, :mod:`royalty.pricing.rates` and
:mod:`royalty.pricing.deals`.

Example:
    >>> from royalty import load_sample
    >>> from royalty.pricing import make_scenario, price, totals
    >>> table = price(load_sample(), make_scenario(service="spotify", deal="indie"))
    >>> sum(totals(table).verdicts.values()) == len(table)
    True
"""

from royalty.pricing.breakdown import by_album, by_year
from royalty.pricing.compare import VERDICTS, Totals, compare, totals
from royalty.pricing.deals import DEALS, Deal
from royalty.pricing.figures import MARKETS, figures
from royalty.pricing.params import DEFAULT_PARAMS, CompareParams
from royalty.pricing.period import filter_period
from royalty.pricing.price import (
    MONEY_COLUMNS,
    NEEDED_COLUMNS,
    RESULT_COLUMNS,
    Pricing,
    monthly_rates,
    price,
    price_details,
    result_columns,
)
from royalty.pricing.rates import (
    ARTIST,
    RIGHTS_HOLDER,
    ServiceRate,
    builtin_rates,
    rates_table,
    service_rate,
)
from royalty.pricing.scenario import MODELS, SIDES, Scenario, make_scenario
from royalty.pricing.sensitivity import sensitivity
from royalty.pricing.streaming import REL_TOL

__all__ = [
    "ARTIST",
    "DEALS",
    "DEFAULT_PARAMS",
    "MARKETS",
    "MODELS",
    "MONEY_COLUMNS",
    "NEEDED_COLUMNS",
    "REL_TOL",
    "RESULT_COLUMNS",
    "RIGHTS_HOLDER",
    "SIDES",
    "VERDICTS",
    "CompareParams",
    "Deal",
    "Pricing",
    "Scenario",
    "ServiceRate",
    "Totals",
    "builtin_rates",
    "by_album",
    "by_year",
    "compare",
    "figures",
    "filter_period",
    "make_scenario",
    "monthly_rates",
    "price",
    "price_details",
    "rates_table",
    "result_columns",
    "sensitivity",
    "service_rate",
    "totals",
]
