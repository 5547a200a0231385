"""Price a listening history: streams against CDs per artist, year by year.

:func:`price` is the one entry point. Every paid stream is priced at the
figures of its own year (its month for the user-centric model); a CD is
bought when its album reaches ``min_album_plays`` paid streams and is priced
at the figures of that year; every amount is then stated in US dollars of
one year (:attr:`Scenario.dollars`, by default the year of the last play)
by CPI-U. Each figure's low and high are carried through, and each artist
gets a verdict. See :mod:`royalty.pricing.scenario` for the levels and sides
and :mod:`royalty.pricing.book` for the figures.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Final

import numpy as np
import pandas as pd

from royalty.pricing import _columns
from royalty.pricing.book import Book, Span
from royalty.pricing.money import (
    breakeven,
    cds_bought,
    crossover_ticks,
    downloads_bought,
    per_artist,
    verdicts,
)
from royalty.pricing.plays import Cells, Prepared, cells, prepare
from royalty.pricing.projection import project, projected_crossover
from royalty.pricing.scenario import Scenario
from royalty.pricing.timeutil import last_year, projection_tick, utc

SPAN_COLUMNS: Final = (
    "streaming_payout",
    "streaming_payout_low",
    "streaming_payout_high",
    "cd_payout",
    "cd_payout_low",
    "cd_payout_high",
    "difference",
)
"""The money columns every priced table has: both sides with their ranges, and the difference."""

RESULT_COLUMNS: Final[tuple[str, ...]] = (
    "artist",
    "plays",
    "streams",
    "streams_without_album",
    "albums",
    *SPAN_COLUMNS,
    "verdict",
    "breakeven_plays",
    "crossover_date",
)
"""The columns every :func:`price` result has, in order."""

MONEY_COLUMNS: Final = (
    *SPAN_COLUMNS,
    "pro_rata_payout",
    "user_centric_payout",
    "download_payout",
    "projected_streaming_payout",
)
"""Columns holding money (in the scenario's currency and dollars)."""

NEEDED_COLUMNS: Final[tuple[str, ...]] = ("played_at", "artist", "album", "track", "duration_ms")
"""The plays columns :func:`price` reads (load only these from the store)."""


def result_columns(scenario: Scenario) -> tuple[str, ...]:
    """The columns :func:`price` returns for ``scenario``, in order.

    Example:
        >>> from royalty.pricing import make_scenario
        >>> result_columns(make_scenario(deal="major", model="user-centric"))[-2:]
        ('pro_rata_payout', 'user_centric_payout')
    """
    extra: list[str] = []
    if scenario.model == "user-centric":
        extra += ["pro_rata_payout", "user_centric_payout"]
    if scenario.downloads:
        extra.append("download_payout")
    if scenario.project_to is not None:
        extra += ["projected_plays", "projected_streaming_payout", "projected_crossover_date"]
    return (*RESULT_COLUMNS, *extra)


@dataclass(frozen=True)
class FeeShare:
    """How much of the listener's fees each model pays to the artists they played.

    All amounts at the rights-holder level (before any deal), on the side
    priced, in the result's dollars and currency.

    Attributes:
        months: months of subscription (first to last month with a paid stream).
        fees: the fees of those months net of sales tax.
        pro_rata: what pro-rata per-stream rates paid the listener's artists.
        user_centric: what the user-centric split paid them.
    """

    months: int
    fees: float
    pro_rata: float
    user_centric: float


@dataclass(frozen=True)
class Pricing:
    """A priced history: the per-artist table and what priced it.

    Attributes:
        table: one row per artist with a paid stream (see :func:`price`).
        book: the figures used: ``book.dollars``, ``book.sources`` and the
            years each figure borrowed (``book.borrowed_lines()``).
        months: user-centric only: per month, ``month``, ``plays`` (paid
            streams), ``payout`` (the pool split) and ``rate`` (per stream).
        fee_share: user-centric only: the fees and what each model passed on.
        artists_with_plays: artists in the table.
    """

    table: pd.DataFrame
    book: Book
    months: pd.DataFrame | None
    fee_share: FeeShare | None


def price(plays: pd.DataFrame, scenario: Scenario | None = None) -> pd.DataFrame:
    """Price each artist's plays as streams and as CDs under ``scenario``.

    Args:
        plays: plays in the schema of :mod:`royalty.schema`. Only
            ``played_at`` and ``artist`` are required; ``album`` (no album: no
            CD), ``track`` (downloads and publishing), ``duration_ms`` (absent:
            every play is long enough) are read when present.
        scenario: what to price; default the foundation (the essay's figures).

    Returns:
        One row per artist with a paid stream, most paid streams first, then by
        name; the columns of :func:`result_columns`:

        - ``plays`` every play of the artist, ``streams`` the paid ones,
          ``streams_without_album`` paid streams with no album name (they buy
          no CD), ``albums`` CDs bought;
        - ``streaming_payout`` (``_low``, ``_high``), ``cd_payout`` (``_low``,
          ``_high``): amounts at the scenario's level and side, in US dollars
          of the book's year (times ``fx``); ``difference`` streams less CDs;
        - ``verdict``: ``streams`` (ahead at every combination of low and high
          figures), ``cds`` (CDs ahead at every one), ``depends`` or ``no-cd``;
        - ``breakeven_plays``: paid streams at which the running streaming
          income reaches the CD income (beyond the history at the latest
          month's value), 0 without CDs; ``crossover_date`` the time of that
          stream, NaT when it lies beyond the history.

    Raises:
        DataFormatError: a needed column is missing.
        UsageError: the projection date is not after the last play.

    Example:
        >>> from royalty import load_sample
        >>> table = price(load_sample())
        >>> round(float(table.set_index("artist").loc["Radiohead", "streaming_payout"]), 2)
        9.33
    """
    return price_details(plays, scenario).table


def price_details(plays: pd.DataFrame, scenario: Scenario | None = None) -> Pricing:
    """:func:`price` with the figures it used (sources, borrowed years, months, fees)."""
    scenario = scenario or Scenario()
    base, book = prepare_book(plays, scenario)
    return price_prepared(base, book)


def price_prepared(base: Prepared, book: Book) -> Pricing:
    """:func:`price_details` of plays already prepared with :func:`prepare_book`."""
    scenario = book.scenario
    grid = cells(base.artist, base.month, max(len(base.months), 1))

    values = stream_values(book, base)  # what one stream earns, per month
    value, months, fee_share = values.value, values.months, values.fee_share
    pro_rata = None
    if scenario.model == "user-centric":
        pro_rata = _payout(grid, values.pro_rata, base.n_artists).value
    streaming = _payout(grid, value, base.n_artists)
    cds = cds_bought(book, base)
    cd = cds.money
    found = breakeven(grid, value, cd.value, base.n_artists)
    nth = found.nth
    when = crossover_ticks(base, found)
    streams = np.bincount(base.artist, minlength=base.n_artists).astype(np.int64)
    played = np.flatnonzero(streams > 0)
    no_album = np.bincount(base.artist[base.album < 0], minlength=base.n_artists)
    f = scenario.factor
    out = pd.DataFrame(
        {
            "artist": pd.Series(np.asarray(base.names.take(played), dtype=object), dtype=str),
            "plays": base.plays[played],
            "streams": streams[played],
            "streams_without_album": no_album[played].astype(np.int64),
            "albums": cds.count[played],
            "streaming_payout": streaming.value[played] * f,
            "streaming_payout_low": streaming.low[played] * f,
            "streaming_payout_high": streaming.high[played] * f,
            "cd_payout": cd.value[played] * f,
            "cd_payout_low": cd.low[played] * f,
            "cd_payout_high": cd.high[played] * f,
            "difference": (streaming.value[played] - cd.value[played]) * f,
            "verdict": pd.Series(verdicts(streaming, cd, cds.count)[played], dtype=str),
            "breakeven_plays": nth[played],
            "crossover_date": utc(when[played], base.unit),
        }
    )
    if pro_rata is not None:
        out["pro_rata_payout"] = pro_rata[played] * f
        out["user_centric_payout"] = out["streaming_payout"]
    if scenario.downloads:
        out["download_payout"] = downloads_bought(book, base)[played] * f
    if scenario.project_to is not None:
        _project(out, base, played, scenario, value, cd.value)
    out = out.sort_values(["streams", "artist"], ascending=[False, True], kind="stable")
    table = out.reset_index(drop=True).loc[:, list(result_columns(scenario))]
    return Pricing(table, book, months, fee_share)


def prepare_book(
    plays: pd.DataFrame, scenario: Scenario, *, tracks: bool = False
) -> tuple[Prepared, Book]:
    """The paid streams of ``plays`` and the book of figures that prices them.

    The book states amounts in :attr:`Scenario.dollars`, or the dollars of the
    last paid stream's year. Track codes are prepared when the scenario needs
    them (downloads, publishing) or ``tracks`` asks for them.

    Raises:
        DataFormatError: a needed column is missing (``track`` for downloads).
    """
    if scenario.downloads:  # without titles no download could ever be bought
        _columns.require(plays, ("track",))
    tracks = tracks or scenario.downloads or scenario.side != "master"
    base = prepare(plays, scenario.min_seconds, tracks=tracks)
    book = Book(scenario, scenario.dollars or last_year(base))
    book.dollars_note()
    book.thresholds()
    return base, book


@dataclass(frozen=True)
class StreamValues:
    """What one paid stream earns in each month of ``Prepared.months``.

    Attributes:
        value: under the scenario's model (value, low, high), in the book's dollars.
        pro_rata: under pro-rata rates (the same as ``value`` for pro-rata).
        months: user-centric only: the months table of :class:`Pricing`.
        fee_share: user-centric only: the fees and what each model passed on.
    """

    value: Span
    pro_rata: Span
    months: pd.DataFrame | None
    fee_share: FeeShare | None


def stream_values(book: Book, base: Prepared) -> StreamValues:
    """Per month, what one paid stream earns: the year's rate, or the month's user-centric split."""
    years = base.years.tolist()
    pro_rata = _month_values(book, base, years)
    if book.scenario.model != "user-centric":
        return StreamValues(pro_rata, pro_rata, None, None)
    value, months, fee_share = _user_centric(book, base, years)
    return StreamValues(value, pro_rata, months, fee_share)


def _month_values(book: Book, base: Prepared, years: list[int], *, holder: bool = False) -> Span:
    """What one paid stream earns in each month under pro-rata rates (``holder``: no deal)."""
    if not years:
        return Span.flat(0.0, 0)
    distinct = sorted(set(years))
    per_year = book.stream_value(distinct, holder=holder)
    return per_year.take(np.searchsorted(np.array(distinct), np.array(years)))


def _payout(grid: Cells, value: Span, n_artists: int) -> Span:
    """Per artist code: the sum over their (month, count) cells of count × value."""

    return value.map(
        lambda per_month: per_artist(grid.outer, grid.count * per_month[grid.inner], n_artists)
    )


def _user_centric(
    book: Book, base: Prepared, years: list[int]
) -> tuple[Span, pd.DataFrame, FeeShare]:
    """Per month: the pool split over that month's paid streams, and the fee report."""
    s = book.scenario
    fee = book.fee(base.months)
    ratio = book.pool_ratio(years)
    holder = book.pool_ratio(years, share=False)
    per_month = np.bincount(base.month, minlength=len(base.months)).astype(np.int64)
    used = per_month > 0
    pool = ratio * fee
    value = pool.map(lambda money: money / np.where(used, per_month, 1))
    months = pd.DataFrame(
        {
            "month": pd.Series(base.months[used].astype("datetime64[s]")).dt.tz_localize("UTC"),
            "plays": per_month[used],
            "payout": pool.value[used] * s.factor,
            "rate": value.value[used] * s.factor,
        }
    )
    # What pro-rata rates paid the rights holders, before any deal, month by month.
    holder_value = _month_values(book, base, years, holder=True).value
    fees = FeeShare(
        months=len(base.months),
        fees=float(fee.sum()) * s.factor,
        pro_rata=float((per_month * holder_value).sum()) * s.factor,
        user_centric=float((fee * holder.value)[used].sum()) * s.factor,
    )
    return value, months, fees


def _project(
    out: pd.DataFrame,
    base: Prepared,
    played: np.ndarray,
    scenario: Scenario,
    value: Span,
    cd: np.ndarray,
) -> None:
    """Projected plays, streaming income and crossover at each artist's recent pace."""
    assert scenario.project_to is not None
    tick = projection_tick(scenario.project_to, base)
    forward = project(base.artist, base.ticks, base.unit, base.n_artists, tick)
    latest = float(value.value[-1]) if len(value.value) else 0.0
    streams = out["streams"].to_numpy()
    extra = forward.plays[played] - streams
    so_far = out["streaming_payout"].to_numpy(dtype=np.float64) / scenario.factor
    crossover = out["crossover_date"].dt.tz_convert(None).to_numpy()
    ticks = crossover.astype(f"datetime64[{base.unit}]").view(np.int64)
    needed = np.where(latest > 0, np.maximum(cd[played] - so_far, 0.0) / max(latest, 1e-300), 0.0)
    when = projected_crossover(
        np.zeros(len(played), dtype=np.int64),
        np.where(cd[played] > 0, np.ceil(needed), 0).astype(np.int64),
        ticks,
        forward.pace[played],
        forward.as_of,
        base.unit,
    )
    out["projected_plays"] = forward.plays[played]
    out["projected_streaming_payout"] = (so_far + extra * latest) * scenario.factor
    out["projected_crossover_date"] = utc(when, base.unit)


def monthly_rates(plays: pd.DataFrame, scenario: Scenario) -> pd.DataFrame:
    """The user-centric split month by month: ``month``, ``plays``, ``payout``, ``rate``.

    ``payout`` is the month's pool at the scenario's level and side (the fee
    of that month net of sales tax × the share paid out × the artist's share),
    ``rate`` the pool over the month's paid streams; in the scenario's dollars
    and currency.

    Raises:
        UsageError: the scenario has no rights-holder money to split (the
            foundation's bare artist-level rate).

    Example:
        >>> from royalty import load_sample
        >>> from royalty.pricing import make_scenario
        >>> months = monthly_rates(load_sample(), make_scenario(deal="none", dollars=2013))
        >>> round(float(months["payout"].iloc[-1]), 4)  # 9.99 × 0.586
        5.8541
    """
    if scenario.model != "user-centric":
        scenario = replace(scenario, model="user-centric")
    months = price_details(plays, scenario).months
    assert months is not None
    return months
