"""royalty: what did my listening pay the artists?

The public API for notebooks and scripts. Names load lazily (PEP 562), so
``import royalty`` and the ``royalty`` command start without pandas.

Example:
    >>> import royalty
    >>> plays = royalty.load_sample()
    >>> table = royalty.compare(plays, royalty.CompareParams(rate=1 / 300))
    >>> round(float(table.set_index("artist").loc["Radiohead", "streaming_payout"]), 2)
    9.33
"""

from typing import TYPE_CHECKING

__version__ = "0.1.0"

# public name -> (module, attribute in that module)
_LAZY: dict[str, tuple[str, str]] = {
    "load_sample": ("royalty.sample", "load_sample"),
    "load_history": ("royalty.history", "load_history"),
    "History": ("royalty.history", "History"),
    "CompareParams": ("royalty.pricing", "CompareParams"),
    "compare": ("royalty.pricing", "compare"),
    "totals": ("royalty.pricing", "totals"),
    "filter_period": ("royalty.pricing", "filter_period"),
    "Scenario": ("royalty.pricing", "Scenario"),
    "make_scenario": ("royalty.pricing", "make_scenario"),
    "price": ("royalty.pricing", "price"),
    "monthly_rates": ("royalty.pricing", "monthly_rates"),
    "sensitivity": ("royalty.pricing", "sensitivity"),
    "rates_table": ("royalty.pricing", "rates_table"),
    "plot_compare": ("royalty.charts", "plot_compare"),
    "plot_cumulative": ("royalty.charts", "plot_cumulative"),
    "plot_timeline": ("royalty.charts", "plot_timeline"),
    "plot_sensitivity": ("royalty.charts", "plot_sensitivity"),
    "plot_user_centric": ("royalty.charts", "plot_user_centric"),
    "plot_population_bands": ("royalty.charts.population", "plot_population_bands"),
    "plot_population_lorenz": ("royalty.charts.population", "plot_population_lorenz"),
    "compare_population": ("royalty.population.compare", "compare_population"),
    "generate_population": ("royalty.population.generate", "generate_population"),
    "GeneratorParams": ("royalty.population.generate", "GeneratorParams"),
    "PopulationParams": ("royalty.population.params", "PopulationParams"),
    "population_bands": ("royalty.population.bands", "bands"),
    "population_concentration": ("royalty.population.bands", "concentration"),
    "population_gains": ("royalty.population.bands", "gains"),
    "summarize": ("royalty.stats", "summarize"),
    "Stats": ("royalty.stats", "Stats"),
    "merge_plays": ("royalty.store", "merge"),
    "load_plays": ("royalty.store", "load"),
    "list_users": ("royalty.store", "users"),
    "RoyaltyError": ("royalty.errors", "RoyaltyError"),
    "PLAYS_COLUMNS": ("royalty.schema", "COLUMNS"),
}

__all__ = [
    "PLAYS_COLUMNS",
    "CompareParams",
    "GeneratorParams",
    "History",
    "PopulationParams",
    "RoyaltyError",
    "Scenario",
    "Stats",
    "__version__",
    "compare",
    "compare_population",
    "filter_period",
    "generate_population",
    "list_users",
    "load_history",
    "load_plays",
    "load_sample",
    "make_scenario",
    "merge_plays",
    "monthly_rates",
    "plot_compare",
    "plot_cumulative",
    "plot_population_bands",
    "plot_population_lorenz",
    "plot_sensitivity",
    "plot_timeline",
    "plot_user_centric",
    "population_bands",
    "population_concentration",
    "population_gains",
    "price",
    "rates_table",
    "sensitivity",
    "summarize",
    "totals",
]

if TYPE_CHECKING:  # for type checkers and IDEs; at run time __getattr__ loads these
    from royalty.charts import (
        plot_compare,
        plot_cumulative,
        plot_sensitivity,
        plot_timeline,
        plot_user_centric,
    )
    from royalty.charts.population import plot_population_bands, plot_population_lorenz
    from royalty.errors import RoyaltyError
    from royalty.history import History, load_history
    from royalty.population.bands import bands as population_bands
    from royalty.population.bands import concentration as population_concentration
    from royalty.population.bands import gains as population_gains
    from royalty.population.compare import compare_population
    from royalty.population.generate import GeneratorParams, generate_population
    from royalty.population.params import PopulationParams
    from royalty.pricing import (
        CompareParams,
        Scenario,
        compare,
        filter_period,
        make_scenario,
        monthly_rates,
        price,
        rates_table,
        sensitivity,
        totals,
    )
    from royalty.sample import load_sample
    from royalty.schema import COLUMNS as PLAYS_COLUMNS
    from royalty.stats import Stats, summarize
    from royalty.store import load as load_plays
    from royalty.store import merge as merge_plays
    from royalty.store import users as list_users


del TYPE_CHECKING  # the namespace holds the public API only (see __dir__)


def __getattr__(name: str) -> object:
    import importlib  # here, not at the top: `royalty.importlib` is no public name

    try:
        module, attr = _LAZY[name]
    except KeyError:
        raise AttributeError(f"module 'royalty' has no attribute {name!r}") from None
    value = getattr(importlib.import_module(module), attr)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    """The public API, each name once: what ``dir(royalty)`` and completion show."""
    return sorted(__all__)
