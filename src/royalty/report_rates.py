"""Render ``royalty rates``: the cited yearly figures, every year or one year.

Each row is one figure for one year: a service's per-stream rate (rights
holder level, recording side), a CD or download figure, the publishing rate,
a subscription price, with its low, high, unit and source. For one year
(``--year``), each figure is the one that year uses: its own, or the nearest
cited year's (money carried by CPI-U), marked as borrowed.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

import pandas as pd

from royalty.pricing import RIGHTS_HOLDER, ServiceRate
from royalty.pricing.figures import Cited, Series, figures
from royalty.textfmt import ellipsize, render_markdown, render_table

_SIDES = {
    "cd_label_receipts": ("rights holder", "both"),
    "cd_artist_major": ("artist", "master"),
    "cd_profit_indie": ("rights holder", "both"),
    "cd_artist_diy": ("artist", "both"),
    "mechanical_per_track": ("rights holder", "publishing"),
    "stream_publishing_rate": ("rights holder", "publishing"),
    "recording_share": ("rights holder", "master"),
    "payout_ratio": ("rights holder", "both"),
    "track_price": ("retail", "both"),
    "store_cut": ("retail", "both"),
}
"""The level and side of each figure series."""


def _row(
    figure: str, service: str | None, name: str, unit: str, year: int | None
) -> dict[str, Any]:
    return {
        "figure": figure,
        "service": service,
        "name": name,
        "year": year,
        "cited_year": year,
        "borrowed": False,
        "value": 0.0,
        "low": 0.0,
        "high": 0.0,
        "unit": unit,
        "level": RIGHTS_HOLDER,
        "side": "master",
        "source": "",
    }


def _points(series: Series, year: int | None) -> list[tuple[int | None, Cited, float, bool]]:
    """(year shown, cited figure, scale to the year's dollars, borrowed) per row."""
    if year is None:
        return [(p.year, p, 1.0, False) for p in series.points]
    priced = series.at(year, figures().cpi)
    scale = priced.value / priced.cited.value if priced.cited.value else 1.0
    return [(year, priced.cited, scale, priced.borrowed)]


def rates_rows(table: Sequence[ServiceRate], year: int | None = None) -> list[dict[str, Any]]:
    """Every figure as rows (see the module docstring); ``year`` picks one year."""
    rows: list[dict[str, Any]] = []
    for service in table:
        series = service.series()
        points = (
            [(None, service.latest, 1.0, False)] if service.flat and year is None else None
        ) or _points(series, year)
        for shown, cited, scale, borrowed in points:
            row = _row("rate", service.service, service.name, "USD per stream", shown)
            flat = service.flat
            row.update(
                cited_year=None if flat else cited.year,
                borrowed=borrowed and not flat,
                value=cited.value * (1.0 if flat else scale),
                low=cited.low * (1.0 if flat else scale),
                high=cited.high * (1.0 if flat else scale),
                source=cited.source + (" (used in every year)" if flat else ""),
            )
            rows.append(row)
    for key, series in figures().series.items():
        level, side = _SIDES.get(key, (RIGHTS_HOLDER, "both"))
        for shown, cited, scale, borrowed in _points(series, year):
            row = _row(key, None, series.name, series.unit, shown)
            row.update(
                cited_year=cited.year,
                borrowed=borrowed,
                value=cited.value * scale,
                low=cited.low * scale,
                high=cited.high * scale,
                level=level,
                side=side,
                source=cited.source,
            )
            rows.append(row)
    for market in figures().markets.values():
        for price in market.prices:
            start = price.start.year
            if year is not None and not _in_force(market.prices, price, year):
                continue
            row = _row("fee", None, market.name, f"{market.currency} a month", year or start)
            row.update(
                cited_year=start,
                value=price.price,
                low=price.price,
                high=price.price,
                level="retail",
                side="both",
                source=f"from {price.start.isoformat()}: {price.source}",
            )
            rows.append(row)
    return rows


def _in_force(prices: Sequence[Any], price: Any, year: int) -> bool:
    """Whether ``price`` was in force at some time in ``year`` (or is the first, before any)."""
    later = [p.start for p in prices if p.start > price.start]
    end = later[0].year if later else 9999
    first = prices[0] is price
    return (price.start.year <= year <= end) or (first and year < price.start.year)


def rates_json(rows: Sequence[dict[str, Any]]) -> str:
    """The rows as a JSON array of objects."""
    return json.dumps(list(rows), ensure_ascii=False, indent=2) + "\n"


def rates_csv(rows: Sequence[dict[str, Any]]) -> str:
    """The rows as CSV with the JSON keys as columns."""
    text: str = pd.DataFrame(list(rows)).to_csv(index=False, lineterminator="\n")
    return text


_HEADERS = ("Figure", "Year", "Value", "Low", "High", "Unit", "Source")


def rates_text(
    rows: Sequence[dict[str, Any]], year: int | None = None, *, markdown: bool = False
) -> str:
    """The rows as a terminal or Markdown table, with a note on levels and borrowing."""
    if year is None:
        title = "Cited figures by year (US dollars of each year unless the unit says otherwise)"
    else:
        title = f"The figures {year} uses (US dollars of {year}; * borrowed from the year shown)"
    note = (
        "Per-stream rates are paid to rights holders for the recording, before the artist's "
        "deal (see --deal). A year without a figure uses the nearest cited year's, money carried "
        "by CPI-U. Add or override rates in royalty.toml under [rates.<service>]."
    )
    cells = []
    for r in rows:
        name = f"{r['name']} ({r['service']})" if r["service"] else str(r["name"])
        when = "every year" if r["year"] is None and r["cited_year"] is None else str(r["year"])
        if r["borrowed"]:
            when = f"{r['year']} *{r['cited_year']}"
        source = str(r["source"])
        cells.append(
            [
                name if markdown else ellipsize(name, 44),
                when,
                f"{r['value']:.5g}",
                f"{r['low']:.5g}",
                f"{r['high']:.5g}",
                str(r["unit"]),
                source if markdown else ellipsize(source, 60),
            ]
        )
    right = (False, False, True, True, True, False, False)
    cpi = figures().cpi
    cpi_line = f"CPI-U ({cpi.source}): " + ", ".join(
        f"{y} {v:g}"
        for y, v in sorted(cpi.values.items())
        if year is None or y == cpi.nearest(year)
    )
    if markdown:
        table = render_markdown(_HEADERS, cells, right=right)
        return f"### {title}\n\n{note}\n\n{table}\n\n{cpi_line}\n"
    return f"{title}\n{note}\n\n{render_table(_HEADERS, cells, right=right)}\n\n{cpi_line}\n"
