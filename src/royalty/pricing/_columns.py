"""The plays columns that pricing needs, as flat numpy arrays of codes.

Pricing works on integer codes, never on strings, so that ten million plays
cost a few vectorised passes. Categorical columns (the store's dtype) give
their codes for free; other columns are factorised once.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import pandas as pd

from royalty.errors import DataFormatError

NAT: int = int(np.iinfo(np.int64).min)
"""The int64 value of numpy's NaT."""


@dataclass(frozen=True)
class Codes:
    """One text column as codes into a list of names; -1 marks a missing value."""

    codes: npt.NDArray[np.integer]
    names: pd.Index


@dataclass(frozen=True)
class Times:
    """``played_at`` as int64 ticks since the epoch (UTC), NaT as :data:`NAT`."""

    ticks: npt.NDArray[np.int64]
    unit: str


def require(plays: pd.DataFrame, columns: tuple[str, ...]) -> None:
    """Raise :class:`DataFormatError` naming any of ``columns`` that ``plays`` lacks."""
    missing = [c for c in columns if c not in plays.columns]
    if missing:
        raise DataFormatError(
            f"plays are missing the column(s) {', '.join(missing)}; "
            "load them with royalty.store.load or royalty.schema.normalize"
        )


def codes(series: pd.Series) -> Codes:
    """Codes and names of a text column (categorical or not)."""
    if isinstance(series.dtype, pd.CategoricalDtype):
        return Codes(series.cat.codes.to_numpy(), series.cat.categories)
    found, uniques = pd.factorize(series, use_na_sentinel=True)
    return Codes(np.asarray(found), pd.Index(uniques))


def times(series: pd.Series) -> Times:
    """``played_at`` as UTC ticks; naive times are taken to be UTC already."""
    if not isinstance(series.dtype, (pd.DatetimeTZDtype, np.dtype)) or series.dtype.kind != "M":
        try:
            series = pd.to_datetime(series, utc=True)
        except (ValueError, TypeError) as exc:
            raise DataFormatError(f"plays column 'played_at' is not a time: {exc}") from exc
    if isinstance(series.dtype, pd.DatetimeTZDtype):
        # Converting to zone None gives the UTC wall times as a view, not a copy.
        series = series.dt.tz_convert(None)
    values = series.to_numpy()
    unit = np.datetime_data(values.dtype)[0]
    return Times(values.view(np.int64), unit)


def qualifying(plays: pd.DataFrame, min_seconds: float) -> npt.NDArray[np.bool_] | None:
    """Which plays count as streams: unknown duration, or at least ``min_seconds``.

    Returns None when every play qualifies (so callers can skip a copy), and
    treats a frame without a ``duration_ms`` column as all durations unknown.
    """
    if "duration_ms" not in plays.columns:
        return None
    duration = plays["duration_ms"]
    if duration.dtype == object:
        duration = pd.to_numeric(duration)
    short = duration.lt(min_seconds * 1000.0)
    if short.dtype != bool:  # a nullable boolean: a missing duration is not short
        short = short.fillna(False)
    mask = ~short.to_numpy(dtype=bool)
    return None if mask.all() else mask
