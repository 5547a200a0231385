"""Times for pricing: UTC series from ticks, the history's last year, a projection date."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import numpy as np
import pandas as pd

from royalty.errors import UsageError
from royalty.pricing.plays import Prepared


def utc(ticks: np.ndarray[Any, np.dtype[np.int64]], unit: str) -> pd.Series:
    """int64 ticks in ``unit`` (NaT as int64 min) as a UTC datetime Series."""
    stamps = pd.Series(ticks.view(f"datetime64[{unit}]"))
    return stamps.dt.tz_localize("UTC")


def last_year(base: Prepared) -> int:
    """The calendar year (UTC) of the last paid stream; this year without any."""
    if len(base.months) == 0:
        return datetime.now(UTC).year
    return int(base.years[-1])


def projection_tick(when: datetime, base: Prepared) -> int:
    """``when`` as ticks in the plays' unit, checked to lie after the last paid stream.

    Raises:
        UsageError: the date is not after the last paid stream.
    """
    horizon = pd.Timestamp(when).tz_convert("UTC")
    if base.unit == "ns" and horizon >= pd.Timestamp("2262-04-11", tz="UTC"):
        # Nanosecond times end in April 2262; a later date would wrap round.
        raise UsageError(f"the projection date {horizon.date()} is too far: give one before 2262")
    stamp = np.array([horizon.tz_convert(None).to_datetime64()])
    tick = int(stamp.astype(f"datetime64[{base.unit}]").view(np.int64)[0])
    if len(base.ticks) and tick <= int(base.ticks.max()):
        last = utc(np.array([base.ticks.max()], dtype=np.int64), base.unit).iloc[0]
        raise UsageError(
            f"the projection date {horizon.isoformat()} must be after the last play "
            f"({last.isoformat()})"
        )
    return tick
