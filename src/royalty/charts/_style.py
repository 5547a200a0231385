"""The shared look of royalty's charts: one style, one footer, one way to get Axes."""

from __future__ import annotations

import contextlib
import textwrap
from collections.abc import Iterator
from datetime import datetime
from typing import TYPE_CHECKING, Any, Final

import matplotlib as mpl
import pandas as pd

from royalty.charts._text import clean, families
from royalty.errors import UsageError
from royalty.pricing.rates import RIGHTS_HOLDER

if TYPE_CHECKING:
    from matplotlib.axes import Axes

    from royalty.pricing import Scenario

FIGSIZE: Final = (12.0, 6.75)
"""Inches; at the 100 dpi of the figure this is 1200×675 px, 16:9."""

TITLE_WIDTH: Final = 90
"""Characters a title line holds before it wraps (14 pt bold on a 1200 px figure)."""

SAVE_DPI: Final = 150
"""Resolution of saved PNGs: 1800×1012 px at :data:`FIGSIZE`."""

COLOURS: Final[tuple[str, ...]] = (
    "#1f77b4",
    "#d62728",
    "#2ca02c",
    "#9467bd",
    "#ff7f0e",
    "#17becf",
    "#8c564b",
    "#e377c2",
    "#7f7f7f",
    "#bcbd22",
)
"""Line colours, in order (matplotlib's tab10, reordered so the first few differ most)."""

MORE_COLOURS: Final[tuple[str, ...]] = (
    "#393b79", "#637939", "#8c6d31", "#843c39", "#7b4173",
    "#6b6ecf", "#b5cf6b", "#e7ba52", "#d6616b", "#ce6dbd",
    "#3182bd", "#e6550d", "#31a354", "#756bb1", "#636363",
    "#9c9ede", "#cedb9c", "#e7cb94", "#e7969c", "#de9ed6",
    "#6baed6", "#fd8d3c", "#74c476", "#9e9ac8", "#969696",
    "#aec7e8", "#ffbb78", "#98df8a", "#ff9896", "#c5b0d5",
)  # fmt: skip
"""After :data:`COLOURS`: matplotlib's tab20b, tab20c and tab20's light half, none repeated."""


DAY_TICKS: Final[dict[str, int]] = {
    "s": 86_400,
    "ms": 86_400_000,
    "us": 86_400_000_000,
    "ns": 86_400_000_000_000,
}
"""Ticks in a day, for each unit ``played_at`` may have."""


def rc() -> dict[Any, Any]:
    """The matplotlib settings of every royalty chart."""
    return {
        "figure.figsize": FIGSIZE,
        "figure.dpi": 100,
        "savefig.dpi": SAVE_DPI,
        "font.family": list(families()),
        "font.size": 11,
        "axes.titlesize": 14,
        "axes.titleweight": "bold",
        "axes.labelsize": 11,
        "axes.spines.top": False,
        "axes.spines.right": False,
        "axes.grid": True,
        "grid.alpha": 0.3,
        "legend.frameon": False,
    }


@contextlib.contextmanager
def chart_style() -> Iterator[None]:
    """Draw with royalty's look inside this block (fonts, sizes, grid), then restore.

    Example:
        >>> import matplotlib.pyplot as plt
        >>> with chart_style():
        ...     fig, ax = plt.subplots()
        >>> fig.get_size_inches().tolist()
        [12.0, 6.75]
        >>> plt.close(fig)
    """
    with mpl.rc_context(rc()):
        yield


def colours(n: int) -> list[str]:
    """``n`` colours, all different: :data:`COLOURS`, then :data:`MORE_COLOURS`, then hues.

    Example:
        >>> len(set(colours(45)))
        45
    """
    palette = list(COLOURS + MORE_COLOURS)
    if n <= len(palette):
        return palette[:n]
    from matplotlib import colormaps
    from matplotlib.colors import to_hex

    # Past the named palette, evenly spaced hues: 4 digits of hex keep them apart.
    extra = [to_hex(colormaps["hsv"](i / (n - len(palette)))) for i in range(n - len(palette))]
    return palette + [c for c in dict.fromkeys(extra) if c not in palette]


def rows_height(n: int) -> float:
    """Height in inches of a bar chart of ``n`` artists: 16:9 up to 10, then growing.

    Each artist's row needs room for two bars and their value labels (8 pt)
    without touching the next row's.
    """
    return max(FIGSIZE[1], 2.6 + 0.42 * n)


def money(value: float, scenario: Scenario | None) -> str:
    """A value label: ``$12.00`` in US dollars, bare digits when the axis names another currency.

    Example:
        >>> print(money(12.0, None))
        \\$12.00
    """
    if scenario is not None and scenario.currency != "USD":
        return f"{value:,.2f}"  # the axis names the currency
    # Escaped: two dollar signs in one label would otherwise start mathtext.
    return rf"\${value:,.2f}"


@contextlib.contextmanager
def drawing(ax: Axes | None, height: float = FIGSIZE[1]) -> Iterator[Axes]:
    """Draw on ``ax``, or on a new figure 1200 px wide and ``height`` inches high, in the style.

    The new figure is made before the style applies: pyplot loads the backend
    then, and a backend that changes settings as it loads (IPython's inline
    backend turns on interactive mode) must not have them undone when the
    style is left, or the notebook would stop showing figures.
    """
    if ax is not None:
        with chart_style():
            yield ax
        return
    import matplotlib.pyplot as plt  # pyplot, so that notebooks show the figure

    fig = plt.figure(figsize=(FIGSIZE[0], height), dpi=100, layout="constrained")
    with chart_style():
        yield fig.add_subplot()


def finish(
    ax: Axes, *, title: str, xlabel: str, ylabel: str, footer: str, legend_above: bool = False
) -> None:
    """Set the cleaned title and axis labels, fonts on tick labels, and a small footer.

    With ``legend_above``, the title leaves room for a legend placed just above the axes.
    """
    # Wrapped: a long history name (a file's) would run the title off the figure.
    wrapped = "\n".join(textwrap.wrap(clean(title), TITLE_WIDTH))
    ax.set_title(wrapped, loc="left", pad=28 if legend_above else 10)
    ax.set_xlabel(clean(xlabel))
    ax.set_ylabel(clean(ylabel))
    # Tick labels are made at draw time, maybe outside chart_style: fix their fonts now.
    ax.tick_params(labelfontfamily=list(families()))
    # Alone on its figure, the footer starts at the figure's left edge: a long source
    # line then has the whole width, however wide the artist names make the margin.
    fig = ax.get_figure(root=True)
    alone = fig is not None and len(fig.axes) == 1
    ax.annotate(
        clean(footer),
        xy=(0.0, 0.0),
        xycoords=("figure fraction" if alone else "axes fraction", ax.xaxis.label),
        xytext=(8 if alone else 0, -6),
        textcoords="offset points",
        ha="left",
        va="top",
        fontsize=8,
        color="#555555",
        gid="footer",
    )


def span_text(first: Any, last: Any) -> str:
    """``plays 2006-05-01 to 2013-04-30`` for two timestamps (empty when unknown)."""
    if first is None or last is None or pd.isna(first) or pd.isna(last):
        return ""
    return f"Plays from {pd.Timestamp(first):%Y-%m-%d} to {pd.Timestamp(last):%Y-%m-%d} (UTC)."


def plays_span(plays: pd.DataFrame) -> tuple[datetime, datetime] | None:
    """First and last ``played_at`` of a plays frame, None when it has none."""
    when = plays["played_at"]
    if not len(when) or when.isna().all():
        return None
    return pd.Timestamp(when.min()).to_pydatetime(), pd.Timestamp(when.max()).to_pydatetime()


def recipient(scenario: Scenario | None) -> str:
    """Who receives the amounts: ``the artist`` or ``rights holders``."""
    if scenario is not None and scenario.level == RIGHTS_HOLDER:
        return "rights holders"
    return "the artist"


def plain_footer(span: tuple[Any, Any] | None) -> str:
    """The footer of a chart of plays (no money): the data span."""
    return "\n".join(p for p in (span_text(*span) if span else "", "Made with royalty.") if p)


def require_rows(frame: pd.DataFrame, what: str) -> None:
    """Refuse to draw an empty chart."""
    if not len(frame):
        raise UsageError(f"no {what} to chart: choose a longer period or another history")


def require_top(top: int) -> None:
    """``top`` must be a positive count of artists."""
    if isinstance(top, bool) or not isinstance(top, int) or top < 1:
        raise UsageError(f"top must be a whole number of artists, at least 1, got {top}")
