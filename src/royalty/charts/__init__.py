"""Charts of royalty's results: ``plot_*(frame, *, ax=None) -> Axes``.

Each money chart takes the plays and a :class:`royalty.Scenario` (None for
the foundation), prices them with :func:`royalty.pricing.price_details` (so
its footer names the dollars' year, the level, the side, the sources used and
the years that borrowed a figure), draws with one shared style
(:func:`chart_style`) and returns the Axes. Nothing here shows or saves a figure: the CLI saves,
a notebook shows. Every label goes through :func:`clean`, so names in scripts
that no installed font can draw lose those characters instead of turning into
boxes.

Example:
    >>> import royalty
    >>> from royalty.charts import plot_compare
    >>> s = royalty.make_scenario(service="spotify", deal="indie", dollars=2024)
    >>> ax = plot_compare(royalty.load_sample(), s, top=3)
    >>> ax.get_xlabel()
    'Income to the artist (US dollars of 2024, artist level, recording side (master))'
"""

from royalty.charts._style import chart_style
from royalty.charts._text import clean, families
from royalty.charts.compare import plot_compare
from royalty.charts.cumulative import cumulative_payouts, plot_cumulative
from royalty.charts.sensitivity import plot_sensitivity, sensitivity_rates, service_marker
from royalty.charts.timeline import plot_timeline, weekly_plays
from royalty.charts.user_centric import plot_user_centric

__all__ = [
    "chart_style",
    "clean",
    "cumulative_payouts",
    "families",
    "plot_compare",
    "plot_cumulative",
    "plot_sensitivity",
    "plot_timeline",
    "plot_user_centric",
    "sensitivity_rates",
    "service_marker",
    "weekly_plays",
]
