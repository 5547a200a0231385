"""Per-stream rates by service and year, at the rights-holder level, with their sources.

The built-in table is package data (``rates.toml`` beside this module), taken
from docs/pricing-sources.md, the project's table of published figures, and the
sources named on each row. Each service has one or more yearly figures: what
it paid **rights holders** of the **recording** (the label or distributor,
before the artist's contract, without the songwriters' publishing money) per
stream, in US dollars of that year, with a low and a high published figure and
the source. A year without a figure borrows the nearest cited year (see
:mod:`royalty.pricing.figures`). Users add or override figures in the config
file (``royalty.toml``)::

    [rates.spotify]          # one year's figure (added, or replacing the cited one)
    rate = 0.0035
    year = 2025
    source = "my distributor statement, 2025"

    [rates.qobuz]            # without a year: one figure used in every year
    name = "Qobuz"
    rate = 0.018
    source = "where the figure comes from"
"""

from __future__ import annotations

import functools
import math
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, replace
from importlib import resources
from typing import Any, Final

from royalty.errors import UsageError
from royalty.pricing.figures import Cited, Series

RIGHTS_HOLDER: Final = "rights holder"
"""The level of money a service pays out: to the label or distributor."""

ARTIST: Final = "artist"
"""The level of money that reaches the performer after their deal."""

DEFAULT_SERVICE: Final = "spotify"
"""The service priced when a deal is chosen without a service or a rate: the
essay's service."""

_FIELDS: Final = ("name", "rate", "low", "high", "year", "source", "level", "currency")
_CONFIG_SOURCE: Final = "your config file (royalty.toml)"
EVERY_YEAR: Final = (1, 9999)
"""The years a figure without a year (a flat figure from the config) covers."""


@dataclass(frozen=True)
class ServiceRate:
    """One service of the rates table: its yearly per-stream figures.

    Attributes:
        service: lower-case slug, such as ``spotify`` or ``apple-music``.
        name: display name, such as ``Apple Music``.
        years: the cited figures (``value`` is USD per stream, rights-holder
            level, recording side, in dollars of its year), in year order.
        flat: True when one figure from the config applies to every year as
            given (not carried by CPI-U).
    """

    service: str
    name: str
    years: tuple[Cited, ...]
    flat: bool = False

    @property
    def latest(self) -> Cited:
        """The most recent cited figure."""
        return self.years[-1]

    @property
    def rate(self) -> float:
        """The most recent figure's rate (USD per stream)."""
        return self.latest.value

    @property
    def year(self) -> int:
        """The year of the most recent figure."""
        return self.latest.year

    @property
    def source(self) -> str:
        """The source of the most recent figure."""
        return self.latest.source

    def series(self) -> Series:
        """The figures as a yearly series (money, carried by CPI-U when borrowed)."""
        return Series(self.service, f"{self.name} rate per stream", "USD", True, self.years)

    def rows(self) -> list[dict[str, Any]]:
        """One ``royalty rates --format json`` object per yearly figure."""
        return [
            {
                "service": self.service,
                "year": None if self.flat else p.year,
                "rate": p.value,
                "low": p.low,
                "high": p.high,
                "level": RIGHTS_HOLDER,
                "side": "recording",
                "currency": "USD",
                "source": p.source,
            }
            for p in self.years
        ]


def slug(name: str) -> str:
    """The slug of a service name: lower case, words joined by hyphens.

    Example:
        >>> slug("Apple Music")
        'apple-music'
    """
    return "-".join(name.strip().lower().replace("_", " ").split())


def _number(service: str, key: str, value: object) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise UsageError(f"rates.{service}.{key} must be a number, got {value!r}")
    if value <= 0:
        raise UsageError(f"rates.{service}.{key} must be above 0 dollars per stream, got {value}")
    return float(value)


def _figure(service: str, fields: Mapping[str, object], source: str) -> Cited:
    """One yearly figure from a TOML table (``rate``, optional ``low``/``high``/``year``)."""
    rate = _number(service, "rate", fields["rate"])
    low = _number(service, "low", fields["low"]) if "low" in fields else rate
    high = _number(service, "high", fields["high"]) if "high" in fields else rate
    if not low <= rate <= high:
        raise UsageError(f"rates.{service}: need low <= rate <= high, got {low}, {rate}, {high}")
    year = fields.get("year")
    if year is None:
        first, last = EVERY_YEAR
    elif isinstance(year, bool) or not isinstance(year, int) or not 1900 <= year <= 2100:
        raise UsageError(f"rates.{service}.year must be a year such as 2024, got {year!r}")
    else:
        first = last = year
    return Cited(first, last, rate, low, high, source)


def _override(service: str, fields: Mapping[str, object], base: ServiceRate | None) -> ServiceRate:
    """Apply one config ``[rates.<service>]`` table to the built-in row (or start one)."""
    unknown = sorted(set(fields) - set(_FIELDS))
    if unknown:
        raise UsageError(
            f"rates.{service} has unknown key(s) {', '.join(unknown)}; use {', '.join(_FIELDS)}"
        )
    if (
        fields.get("level", RIGHTS_HOLDER) != RIGHTS_HOLDER
        or fields.get("currency", "USD") != "USD"
    ):
        raise UsageError(
            f"rates.{service}: only rights-holder rates in USD are supported "
            f"(level = {RIGHTS_HOLDER!r}, currency = 'USD')"
        )
    if "rate" not in fields:
        raise UsageError(f"rates.{service} needs a rate (USD per stream)")
    source = fields.get("source", _CONFIG_SOURCE if base else None)
    name = fields.get("name", base.name if base else service)
    if not isinstance(source, str) or not source.strip():
        raise UsageError(
            f"rates.{service} is a new service and needs a source "
            "(every rate must name where it comes from)"
            if base is None
            else f"rates.{service}.source must be non-empty text"
        )
    if not isinstance(name, str) or not name.strip():
        raise UsageError(f"rates.{service}.name must be non-empty text")
    figure = _figure(service, fields, source)
    if figure.year == EVERY_YEAR[0]:  # no year: one figure for every year
        return ServiceRate(service, name, (figure,), flat=True)
    kept = () if base is None or base.flat else base.years
    years = tuple(sorted((*(p for p in kept if p.year != figure.year), figure), key=_year))
    return replace(base, name=name, years=years) if base else ServiceRate(service, name, years)


def _year(point: Cited) -> int:
    return point.year


def _builtin(service: str, table: Mapping[str, Any]) -> ServiceRate:
    years = tuple(
        sorted((_figure(service, row, str(row["source"])) for row in table["years"]), key=_year)
    )
    return ServiceRate(service, str(table["name"]), years)


@functools.cache
def builtin_rates() -> tuple[ServiceRate, ...]:
    """The rates table shipped with royalty, in its file's order.

    Example:
        >>> [r.service for r in builtin_rates()][:3]
        ['spotify', 'spotify-2013', 'apple-music']
    """
    text = resources.files("royalty.pricing").joinpath("rates.toml").read_text("utf-8")
    data = tomllib.loads(text)
    return tuple(_builtin(service, table) for service, table in data.items())


def rates_table(config: Mapping[str, object] | None = None) -> tuple[ServiceRate, ...]:
    """The built-in rates with the config file's ``[rates.*]`` tables applied.

    Args:
        config: the parsed config file (``royalty.config.read_config()``), or
            None for the built-in table alone.

    Raises:
        UsageError: a ``[rates.*]`` table in the config is malformed.

    Example:
        >>> table = rates_table({"rates": {"spotify": {"rate": 0.004, "year": 2025}}})
        >>> table[0].rate, table[0].year, table[0].source
        (0.004, 2025, 'your config file (royalty.toml)')
    """
    rows = {r.service: r for r in builtin_rates()}
    extra = (config or {}).get("rates", {})
    if not isinstance(extra, Mapping):
        raise UsageError("the config file's [rates] must be a table of [rates.<service>] tables")
    for name, fields in extra.items():
        if not isinstance(fields, Mapping):
            raise UsageError(f"rates.{name} in the config file must be a table")
        key = slug(str(name))
        rows[key] = _override(key, fields, rows.get(key))
    return tuple(rows.values())


def service_rate(service: str, table: tuple[ServiceRate, ...] | None = None) -> ServiceRate:
    """The row for ``service`` (a slug or display name, any case).

    Raises:
        UsageError: no such service in the table.

    Example:
        >>> service_rate("Apple Music").rate
        0.0062
    """
    wanted = slug(service)
    for row in table if table is not None else builtin_rates():
        if row.service == wanted:
            return row
    known = ", ".join(r.service for r in table or builtin_rates())
    raise UsageError(f"unknown service {service!r}; choose one of {known} (see `royalty rates`)")
