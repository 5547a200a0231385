"""Carrying plays forward: each artist at their trailing-365-day pace.

The pace of an artist is their qualifying plays in the 365 days up to the
last play of the history, divided by 365. Projected plays grow at that pace
from the last play to the projection date. The CD side is held fixed (the
albums already bought), so the projected crossover is the day the streaming
income at that pace reaches the CD income: the actual crossover when it has
already happened, NaT when the pace is zero or the day lies past the year
9999.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from royalty.pricing._columns import NAT

WINDOW_DAYS = 365
"""Length of the trailing window that sets each artist's pace."""

_TICKS_PER_SECOND = {"s": 1, "ms": 10**3, "us": 10**6, "ns": 10**9}
_LAST_TICK_SECONDS = 253_402_300_799  # 9999-12-31T23:59:59Z


@dataclass(frozen=True)
class Projection:
    """Per artist code: plays a day, and the projected plays at the horizon."""

    pace: npt.NDArray[np.float64]
    plays: npt.NDArray[np.float64]
    as_of: int
    """Ticks of the history's last qualifying play (the start of the projection)."""


def project(
    artist: npt.NDArray[np.integer],
    ticks: npt.NDArray[np.int64],
    unit: str,
    n_artists: int,
    horizon: int,
) -> Projection:
    """Project each artist's qualifying plays to the ``horizon`` (ticks in ``unit``).

    Example:
        >>> import numpy as np
        >>> day = 86_400
        >>> p = project(np.array([0, 0, 1]), np.array([0, 300, 365]) * day, "s", 2, 730 * day)
        >>> (p.pace * 365).tolist(), p.plays.tolist()
        ([1.0, 1.0], [3.0, 2.0])
    """
    per_second = _TICKS_PER_SECOND[unit]
    valid = ticks != NAT
    as_of = int(ticks[valid].max()) if valid.any() else 0
    since = as_of - WINDOW_DAYS * 86_400 * per_second
    recent = valid & (ticks > since)
    counts = np.bincount(artist[recent], minlength=n_artists).astype(np.float64)
    pace = counts / WINDOW_DAYS
    days = (horizon - as_of) / (86_400 * per_second)
    total = np.bincount(artist, minlength=n_artists).astype(np.float64)
    return Projection(pace, total + pace * days, as_of)


def projected_crossover(
    plays: npt.NDArray[np.int64],
    breakeven: npt.NDArray[np.int64],
    crossover: npt.NDArray[np.int64],
    pace: npt.NDArray[np.float64],
    as_of: int,
    unit: str,
) -> npt.NDArray[np.int64]:
    """When each artist's streams reach their CD income at their pace (ticks, NaT for never).

    Args:
        plays: qualifying plays so far.
        breakeven: plays needed (0 when there is no CD income).
        crossover: ticks of the actual crossover, NaT if not reached.
        pace: plays a day.
        as_of: ticks of the last play of the history.
        unit: the unit of the ticks.

    Example:
        >>> import numpy as np
        >>> nat = np.iinfo(np.int64).min
        >>> projected_crossover(np.array([5, 5, 5]), np.array([10, 3, 10]),
        ...     np.array([nat, 7, nat]), np.array([1.0, 1.0, 0.0]), 0, "s").tolist()
        [432000, 7, -9223372036854775808]
    """
    per_day = 86_400.0 * _TICKS_PER_SECOND[unit]
    out = np.full(len(plays), NAT, dtype=np.int64)
    reached = crossover != NAT
    out[reached] = crossover[reached]
    ahead = ~reached & (breakeven > plays) & (pace > 0)
    when = as_of + (breakeven[ahead] - plays[ahead]) / pace[ahead] * per_day
    limit = _LAST_TICK_SECONDS * float(_TICKS_PER_SECOND[unit])
    out[ahead] = np.where(when <= limit, when, float(NAT)).astype(np.int64)
    return out
