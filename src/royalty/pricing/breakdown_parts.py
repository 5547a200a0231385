"""The pieces both breakdowns share: columns, the priced setup, money per group.

See :mod:`royalty.pricing.breakdown` for what the breakdowns are.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

import numpy as np
import numpy.typing as npt
import pandas as pd

from royalty.errors import UsageError
from royalty.pricing import _columns
from royalty.pricing.book import Book, Span
from royalty.pricing.money import Priced, cd_prices, download_prices
from royalty.pricing.plays import Ints, Prepared, cells
from royalty.pricing.price import prepare_book, stream_values
from royalty.pricing.scenario import Scenario

Floats = npt.NDArray[np.float64]

SPAN_COLUMNS: Final = (
    "streaming_payout",
    "streaming_payout_low",
    "streaming_payout_high",
    "cd_payout",
    "cd_payout_low",
    "cd_payout_high",
    "difference",
)
"""The money columns of every breakdown, in order."""

RUNNING_COLUMNS: Final = (
    "cumulative_streaming_payout",
    "cumulative_cd_payout",
    "cumulative_difference",
)
"""The running totals of a year breakdown."""


def money_columns(scenario: Scenario) -> list[str]:
    extra: list[str] = []
    if scenario.model == "user-centric":
        extra += ["pro_rata_payout", "user_centric_payout"]
    if scenario.downloads:
        extra.append("download_payout")
    return [*SPAN_COLUMNS, *extra]


def year_columns(scenario: Scenario, *, total: bool = False) -> tuple[str, ...]:
    """The columns :func:`by_year` returns for ``scenario``, in order.

    Example:
        >>> from royalty.pricing import make_scenario
        >>> year_columns(make_scenario())[:5]
        ('artist', 'year', 'plays', 'streams', 'albums')
    """
    who = ("year", "artists") if total else ("artist", "year")
    return (*who, "plays", "streams", "albums", *money_columns(scenario), *RUNNING_COLUMNS)


def album_columns(scenario: Scenario) -> tuple[str, ...]:
    """The columns :func:`by_album` returns for ``scenario``, in order.

    Example:
        >>> from royalty.pricing import make_scenario
        >>> album_columns(make_scenario())[:8]
        ('artist', 'album', 'plays', 'streams', 'tracks', 'bought', 'bought_on', 'cd_year')
    """
    head = ("artist", "album", "plays", "streams", "tracks", "bought", "bought_on", "cd_year")
    return (*head, *money_columns(scenario))


@dataclass(frozen=True)
class Breakdown:
    """A breakdown and what priced it.

    Attributes:
        table: the rows (see :func:`by_year` and :func:`by_album`).
        book: the figures used: ``book.dollars``, ``book.sources`` and
            ``book.borrowed_lines()``, as :func:`~royalty.pricing.price_details` has them.
        by: ``year``, ``year-total`` or ``album``.
        artists_kept: artists in the table (after ``top``).
        artists_played: artists with a paid stream.
        plays_without_time: plays of those artists with no time (in no year).
    """

    table: pd.DataFrame
    book: Book
    by: str
    artists_kept: int
    artists_played: int
    plays_without_time: int


@dataclass(frozen=True)
class Setup:
    base: Prepared
    book: Book
    value: Span  # per month, under the scenario's model
    pro_rata: Span | None  # per month, user-centric only
    cds: Priced
    downloads: Priced | None
    artist: npt.NDArray[np.integer]  # every play's artist code (-1: none)
    rank: pd.Series  # artist code -> place in price()'s order (kept artists only)
    played: int


def setup(plays: pd.DataFrame, scenario: Scenario | None, top: int) -> Setup:
    scenario = scenario or Scenario()
    if scenario.project_to is not None:
        raise UsageError("a breakdown covers the plays you have; it takes no projection date")
    if top < 0:
        raise UsageError(f"top must be 0 (every artist) or more, got {top}")
    base, book = prepare_book(plays, scenario, tracks=True)
    values = stream_values(book, base)
    # The same order of calls as price_details, so the book names the same sources.
    cds = cd_prices(book, base)
    downloads = download_prices(book, base) if scenario.downloads else None
    streams = np.bincount(base.artist, minlength=base.n_artists)
    played = np.flatnonzero(streams)
    order = pd.DataFrame(
        {"code": played, "streams": streams[played], "artist": base.names.take(played).astype(str)}
    ).sort_values(["streams", "artist"], ascending=[False, True], kind="stable")
    rank = pd.Series(np.arange(len(order)), index=order["code"].to_numpy())
    if top:
        rank = rank[rank < top]
    uc = values.pro_rata if scenario.model == "user-centric" else None
    artist = _columns.codes(plays["artist"]).codes  # the codes prepare() gave (deterministic)
    return Setup(base, book, values.value, uc, cds, downloads, artist, rank, len(played))


def _add(total: dict[str, Floats], group: Ints, n: int, span: Span, name: str) -> None:
    """Add ``span`` per item into ``total[name]`` (and ``_low``, ``_high``) by ``group``."""
    for suffix, values in (("", span.value), ("_low", span.low), ("_high", span.high)):
        total[name + suffix] = total.get(name + suffix, np.zeros(n)) + np.bincount(
            group, weights=values, minlength=n
        )


def group_money(
    setup: Setup, stream_group: Ints, cd_group: Ints, dl_group: Ints | None, n: int
) -> dict[str, Floats]:
    """Every money column per group, given each paid stream's, CD's and download's group."""
    s, base = setup.book.scenario, setup.base
    out: dict[str, Floats] = {}
    grid = cells(stream_group, base.month, max(len(base.months), 1))
    count = grid.count.astype(np.float64)
    value = setup.value
    earned = Span(value.value[grid.inner], value.low[grid.inner], value.high[grid.inner])
    _add(out, grid.outer, n, earned * count, "streaming_payout")
    _add(out, cd_group, n, setup.cds.money, "cd_payout")
    if setup.pro_rata is not None:
        pro = np.bincount(grid.outer, weights=count * setup.pro_rata.value[grid.inner], minlength=n)
        out["pro_rata_payout"] = pro.astype(np.float64)
        out["user_centric_payout"] = out["streaming_payout"]
    if setup.downloads is not None and dl_group is not None:
        weights = setup.downloads.money.value
        out["download_payout"] = np.bincount(dl_group, weights=weights, minlength=n).astype(
            np.float64
        )
    out["difference"] = out["streaming_payout"] - out["cd_payout"]
    f = s.factor
    return {k: v * f for k, v in out.items()}


def reaching(member: Ints, ticks: Ints, n: int, k: int) -> Ints:
    """Per pair bought, the paid stream at which it reached ``k`` paid streams (time order)."""
    inside = np.flatnonzero(member >= 0)
    order = inside[np.lexsort((ticks[inside], member[inside]))]
    starts = np.searchsorted(member[order], np.arange(n))
    reached: Ints = order[starts + k - 1]
    return reached
