"""Per-stream rates by service, at the rights-holder level, with their sources.

The built-in table is package data (``rates.toml`` beside this module), taken
from PRICING-FACTS.md, the project's table of published figures. Each row
says what a service pays **rights holders** (the label or distributor, before
the artist's contract) per stream, in US dollars, with a low and a high
published figure, the year and the source. Users add or override rows in the
config file (``royalty.toml``)::

    [rates.spotify]          # override one figure of a built-in row
    rate = 0.0035
    source = "my distributor statement, 2025"

    [rates.qobuz]            # a new row needs rate, year and source
    name = "Qobuz"
    rate = 0.018
    year = 2024
    source = "where the figure comes from"
"""

from __future__ import annotations

import functools
import math
import tomllib
from collections.abc import Mapping
from dataclasses import asdict, dataclass, replace
from importlib import resources
from typing import Any, Final

from royalty.errors import UsageError

RIGHTS_HOLDER: Final = "rights holder"
"""The level of money a service pays out: to the label or distributor."""

ARTIST: Final = "artist"
"""The level of money that reaches the performer after their deal."""

DEFAULT_SERVICE: Final = "spotify"
"""The service priced when a deal is chosen without a service or a rate: the
essay's service."""

_FIELDS: Final = ("name", "rate", "low", "high", "level", "currency", "year", "source")
_CONFIG_SOURCE: Final = "your config file (royalty.toml)"


@dataclass(frozen=True)
class ServiceRate:
    """One row of the rates table.

    Attributes:
        service: lower-case slug, such as ``spotify`` or ``apple-music``.
        name: display name, such as ``Apple Music``.
        rate: default USD per stream paid to rights holders.
        low: lowest published figure.
        high: highest published figure.
        level: always ``"rights holder"``.
        currency: always ``"USD"``.
        year: the year the figure describes.
        source: where the figure comes from.
    """

    service: str
    name: str
    rate: float
    low: float
    high: float
    level: str
    currency: str
    year: int
    source: str

    def to_dict(self) -> dict[str, Any]:
        """The row as the ``royalty rates --format json`` object (no display name)."""
        row = asdict(self)
        del row["name"]
        return row


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


def _row(service: str, fields: Mapping[str, object], base: ServiceRate | None) -> ServiceRate:
    """Build (or override) one row from a TOML table, checking every value."""
    unknown = sorted(set(fields) - set(_FIELDS))
    if unknown:
        raise UsageError(
            f"rates.{service} has unknown key(s) {', '.join(unknown)}; use {', '.join(_FIELDS)}"
        )
    if base is None:
        missing = [k for k in ("rate", "year", "source") if k not in fields]
        if missing:
            raise UsageError(
                f"rates.{service} is a new service and needs {', '.join(missing)} "
                "(every rate must name its year and source)"
            )
    level = fields.get("level", RIGHTS_HOLDER)
    currency = fields.get("currency", "USD")
    if level != RIGHTS_HOLDER or currency != "USD":
        raise UsageError(
            f"rates.{service}: only rights-holder rates in USD are supported "
            f"(level = {RIGHTS_HOLDER!r}, currency = 'USD')"
        )
    year = fields.get("year", base.year if base else 0)
    if isinstance(year, bool) or not isinstance(year, int) or not 1900 <= year <= 2100:
        raise UsageError(f"rates.{service}.year must be a year such as 2024, got {year!r}")
    source = fields.get("source", _CONFIG_SOURCE if base else "")
    name = fields.get("name", base.name if base else service)
    if not isinstance(source, str) or not source.strip() or not isinstance(name, str):
        raise UsageError(f"rates.{service}.source and .name must be non-empty text")
    rate = _number(service, "rate", fields["rate"]) if "rate" in fields else None
    row = base or ServiceRate(service, name, 0.0, 0.0, 0.0, RIGHTS_HOLDER, "USD", year, source)
    rate = rate if rate is not None else row.rate
    low = _number(service, "low", fields["low"]) if "low" in fields else min(row.low or rate, rate)
    high = _number(service, "high", fields["high"]) if "high" in fields else max(row.high, rate)
    if not low <= rate <= high:
        raise UsageError(f"rates.{service}: need low <= rate <= high, got {low}, {rate}, {high}")
    return replace(row, name=name, rate=rate, low=low, high=high, year=year, source=source)


@functools.cache
def builtin_rates() -> tuple[ServiceRate, ...]:
    """The rates table shipped with royalty, in its file's order.

    Example:
        >>> [r.service for r in builtin_rates()][:3]
        ['spotify', 'spotify-2013', 'apple-music']
    """
    text = resources.files("royalty.pricing").joinpath("rates.toml").read_text("utf-8")
    data = tomllib.loads(text)
    return tuple(_row(service, fields, None) for service, fields in data.items())


def rates_table(config: Mapping[str, object] | None = None) -> tuple[ServiceRate, ...]:
    """The built-in rates with the config file's ``[rates.*]`` rows applied.

    Args:
        config: the parsed config file (``royalty.config.read_config()``), or
            None for the built-in table alone.

    Raises:
        UsageError: a ``[rates.*]`` row in the config is malformed.

    Example:
        >>> table = rates_table({"rates": {"spotify": {"rate": 0.004}}})
        >>> table[0].rate, table[0].source
        (0.004, 'your config file (royalty.toml)')
    """
    rows = {r.service: r for r in builtin_rates()}
    extra = (config or {}).get("rates", {})
    if not isinstance(extra, Mapping):
        raise UsageError("the config file's [rates] must be a table of [rates.<service>] tables")
    for name, fields in extra.items():
        if not isinstance(fields, Mapping):
            raise UsageError(f"rates.{name} in the config file must be a table")
        key = slug(str(name))
        rows[key] = _row(key, fields, rows.get(key))
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
