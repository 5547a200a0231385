"""The cited yearly figures: CPI-U, CD and download prices, publishing rates, fees.

The tables are package data (``figures.toml`` beside this module; per-stream
rates are in ``rates.toml``, see :mod:`royalty.pricing.rates`). Every figure
names its year and source and keeps the low and high that the sources give
(both equal to the figure when none was published).

A year without a figure **borrows** the nearest cited year (the earlier one
on a tie). Money is carried to the borrowing year by CPI-U, so a borrowed
price keeps its buying power; a share or a percentage is used as it is.
Callers collect what was borrowed so the output can say so.
"""

from __future__ import annotations

import datetime as dt
import functools
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from importlib import resources
from typing import Any, Final

from royalty.errors import UsageError


@dataclass(frozen=True)
class Cited:
    """One cited figure: its value with low and high, for ``year`` to ``until``.

    Attributes:
        year: the first year the figure describes.
        until: the last year it describes (the same as ``year`` for one year).
        value: the figure (USD of its year for money).
        low: the lowest published figure.
        high: the highest published figure.
        source: where it comes from.
    """

    year: int
    until: int
    value: float
    low: float
    high: float
    source: str

    def covers(self, year: int) -> bool:
        """Whether ``year`` is one of the years this figure is cited for."""
        return self.year <= year <= self.until


@dataclass(frozen=True)
class Priced:
    """A figure as used for one year: in that year's dollars for money.

    Attributes:
        value: the figure for the year.
        low: its low.
        high: its high.
        cited: the cited figure it comes from.
        borrowed: True when ``cited`` is another year's figure.
    """

    value: float
    low: float
    high: float
    cited: Cited
    borrowed: bool


@dataclass(frozen=True)
class Cpi:
    """CPI-U annual averages by year, with their source."""

    values: Mapping[int, float]
    name: str
    source: str

    def nearest(self, year: int) -> int:
        """The year of the table nearest to ``year`` (itself when it is in the table)."""
        return min(self.values, key=lambda y: (abs(y - year), y))

    def level(self, year: int) -> float:
        """The index for ``year``, the nearest year's when the table lacks it."""
        return self.values[self.nearest(year)]

    def factor(self, from_year: int, to_year: int) -> float:
        """What one dollar of ``from_year`` is worth in dollars of ``to_year``.

        Example:
            >>> cpi = figures().cpi
            >>> round(10.75 * cpi.factor(2004, 2024), 2)
            17.85
        """
        return self.level(to_year) / self.level(from_year)


@dataclass(frozen=True)
class Series:
    """One cited yearly series, such as the CD's label receipts.

    Attributes:
        key: its name in ``figures.toml``.
        name: what it is, in words.
        unit: its unit, such as ``USD per album``.
        money: True for an amount of money (carried by CPI-U when borrowed).
        points: the cited figures, in year order.
    """

    key: str
    name: str
    unit: str
    money: bool
    points: tuple[Cited, ...]

    def cited(self, year: int) -> tuple[Cited, bool]:
        """The figure for ``year`` and whether it is borrowed from another year."""
        for point in self.points:
            if point.covers(year):
                return point, False

        def distance(p: Cited) -> tuple[int, int]:
            return (min(abs(p.year - year), abs(p.until - year)), p.year)

        return min(self.points, key=distance), True

    def at(self, year: int, cpi: Cpi) -> Priced:
        """The figure for ``year``, in dollars of ``year`` for money.

        Example:
            >>> f = figures()
            >>> p = f.series["cd_label_receipts"].at(2024, f.cpi)
            >>> round(p.value, 2), p.borrowed, p.cited.year
            (17.85, True, 2004)
        """
        point, borrowed = self.cited(year)
        scale = 1.0
        if borrowed and self.money:
            anchor = point.until if year > point.until else point.year
            scale = cpi.factor(anchor, year)
        return Priced(point.value * scale, point.low * scale, point.high * scale, point, borrowed)


@dataclass(frozen=True)
class FeePrice:
    """A subscription price from a date on."""

    start: dt.date
    price: float
    source: str


@dataclass(frozen=True)
class Market:
    """A market's subscription prices (a service's individual plan) and its sales tax."""

    key: str
    name: str
    currency: str
    vat: float
    vat_source: str
    prices: tuple[FeePrice, ...]

    def price_at(self, month: dt.date) -> tuple[FeePrice, bool]:
        """The price in force on ``month`` and whether it is borrowed (before the first)."""
        current = [p for p in self.prices if p.start <= month]
        return (current[-1], False) if current else (self.prices[0], True)


@dataclass(frozen=True)
class Figures:
    """Every cited yearly table: CPI-U, the series and the markets."""

    cpi: Cpi
    series: Mapping[str, Series]
    markets: Mapping[str, Market]


def _cited(key: str, row: Mapping[str, Any]) -> Cited:
    year = int(row["year"])
    until = int(row.get("until", year))
    value = float(row["value"])
    low, high = float(row.get("low", value)), float(row.get("high", value))
    if not low <= value <= high or until < year:
        raise ValueError(f"figures.toml: {key} {year}: need low <= value <= high")
    return Cited(year, until, value, low, high, str(row["source"]))


def _series(key: str, table: Mapping[str, Any]) -> Series:
    points = tuple(sorted((_cited(key, row) for row in table["years"]), key=lambda p: p.year))
    return Series(key, table["name"], table["unit"], bool(table["money"]), points)


def _market(key: str, table: Mapping[str, Any]) -> Market:
    prices = tuple(
        FeePrice(row["from"], float(row["price"]), row["source"]) for row in table["prices"]
    )
    return Market(
        key,
        table["name"],
        table["currency"],
        float(table["vat"]),
        table["vat_source"],
        tuple(sorted(prices, key=lambda p: p.start)),
    )


@functools.cache
def figures() -> Figures:
    """The figures shipped with royalty (``figures.toml``), read once.

    Example:
        >>> figures().series["mechanical_per_track"].at(2010, figures().cpi).value
        0.091
    """
    text = resources.files("royalty.pricing").joinpath("figures.toml").read_text("utf-8")
    data = tomllib.loads(text)
    cpi = data["cpi"]
    return Figures(
        Cpi({int(y): float(v) for y, v in cpi["values"].items()}, cpi["name"], cpi["source"]),
        {key: _series(key, table) for key, table in data["series"].items()},
        {key: _market(key, table) for key, table in data["fees"].items()},
    )


MARKETS: Final = ("us", "nz")
"""The markets whose subscription prices are cited (``--market``)."""


def market(key: str) -> Market:
    """The market ``key`` (``us`` or ``nz``).

    Raises:
        UsageError: no such market.
    """
    found = figures().markets.get(key.strip().lower())
    if found is None:
        raise UsageError(f"unknown market {key!r}; choose one of {', '.join(figures().markets)}")
    return found


def year_span(years: Iterable[int]) -> str:
    """Years as short ranges: ``2006-2010, 2012``.

    Example:
        >>> year_span([2012, 2006, 2007, 2008])
        '2006-2008, 2012'
    """
    ordered = sorted(set(years))
    parts: list[str] = []
    start = prev = None
    for year in ordered:
        if prev is not None and year == prev + 1:
            prev = year
            continue
        if start is not None:
            parts.append(str(start) if start == prev else f"{start}-{prev}")
        start = prev = year
    if start is not None:
        parts.append(str(start) if start == prev else f"{start}-{prev}")
    return ", ".join(parts)
