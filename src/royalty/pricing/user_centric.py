"""The user-centric model: one listener's subscription split among their artists.

Each UTC calendar month with at least one qualifying play, the listener's fee
net of VAT times the payout ratio, ``F / (1 + V) × R``, is split among that
month's artists in proportion to their qualifying plays, then multiplied by
the artist's share of the deal. Months without plays pay nobody (the fee of
an idle month is not carried anywhere). So the implied per-stream rate of a
month is ``F / (1 + V) × R × share / plays that month``: heavy listeners pay
less per stream (docs/pricing-sources.md, "User-centric versus pro-rata").

Every play's value depends only on its month, so an artist's payout is one
weighted bincount: no grouping by (artist, month) is needed.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from royalty.pricing._columns import NAT
from royalty.pricing.streaming import REL_TOL


@dataclass(frozen=True)
class MonthlySplit:
    """The user-centric split of one history.

    Attributes:
        payout: per artist code, the sum of their monthly shares.
        starts: the first instant of each calendar month from the first play
            to the last, as ``datetime64[M]``.
        plays: qualifying plays in each of those months.
    """

    payout: npt.NDArray[np.float64]
    starts: np.ndarray[Any, np.dtype[np.datetime64]]
    plays: npt.NDArray[np.int64]


def user_centric_split(
    artist: npt.NDArray[np.integer],
    ticks: npt.NDArray[np.int64],
    unit: str,
    n_artists: int,
    pool: float,
) -> MonthlySplit:
    """Split ``pool`` in each UTC calendar month among that month's artists by plays.

    Args:
        artist: artist code of each qualifying play.
        ticks: start of each play, int64 ticks in ``unit``; NaT plays pay nothing.
        unit: numpy time unit of ``ticks``.
        n_artists: number of artist codes.
        pool: money split each month with plays: ``F / (1 + V) × R × share``.

    Example:
        >>> import numpy as np
        >>> t = np.array(["2010-01-01", "2010-01-31T23:59", "2010-01-05", "2010-03-01"],
        ...              "datetime64[ms]").view(np.int64)
        >>> split = user_centric_split(np.array([0, 0, 1, 1]), t, "ms", 2, 6.0)
        >>> split.payout.tolist(), split.plays.tolist(), str(split.starts[1])
        ([4.0, 8.0], [3, 0, 1], '2010-02')
    """
    valid = ticks != NAT
    all_valid = bool(valid.all())
    if not valid.any():  # no plays, or none with a time
        empty = np.array([], dtype="datetime64[M]")
        return MonthlySplit(np.zeros(n_artists), empty, np.zeros(0, dtype=np.int64))
    lo = int(ticks.min()) if all_valid else int(ticks[valid].min())
    hi = int(ticks.max())
    first, last = np.array([lo, hi], dtype=np.int64).view(f"datetime64[{unit}]").astype("M8[M]")
    starts = np.arange(first, last + 1, dtype="datetime64[M]")
    edges = starts.astype(f"datetime64[{unit}]").view(np.int64)
    n_months = len(starts)
    if all_valid and bool(np.all(ticks[1:] >= ticks[:-1])):
        # Sorted (as the store keeps plays): each month is one slice of rows.
        bounds = np.append(np.searchsorted(ticks, edges, side="left"), len(ticks))
        per_month = np.diff(bounds)
        weight = _weights(pool, per_month)
        per_play = np.repeat(weight, per_month)
    else:
        index = np.searchsorted(edges, ticks, side="right") - 1
        index[~valid] = n_months  # a slot that pays nothing
        per_month = np.bincount(index, minlength=n_months + 1)[:n_months]
        weight = np.append(_weights(pool, per_month), 0.0)
        per_play = weight[index]
    summed = np.bincount(artist, weights=per_play, minlength=n_artists)
    payout: npt.NDArray[np.float64] = np.asarray(summed, dtype=np.float64)
    return MonthlySplit(payout, starts, per_month.astype(np.int64))


def _weights(pool: float, per_month: npt.NDArray[np.integer]) -> npt.NDArray[np.float64]:
    """What one play is worth in each month: the pool over that month's plays."""
    weight = np.zeros(len(per_month), dtype=np.float64)
    played = per_month > 0
    weight[played] = pool / per_month[played]
    return weight


def breakeven_at(
    cd_payout: npt.NDArray[np.float64], per_stream: npt.NDArray[np.float64]
) -> npt.NDArray[np.int64]:
    """Smallest ``n`` with ``n × per_stream ≥ cd_payout`` per artist (tolerance 1e-9).

    Like :func:`royalty.pricing.breakeven_plays` but with a rate per artist;
    0 where the CD payout or the rate is 0 (nothing to reach, or never).

    Example:
        >>> import numpy as np
        >>> breakeven_at(np.array([9.0, 0.0, 1.0]), np.array([0.5, 0.1, 0.0])).tolist()
        [18, 0, 0]
    """
    target = cd_payout * (1.0 - REL_TOL)
    ok = (per_stream > 0) & (cd_payout > 0)
    n = np.zeros(len(cd_payout), dtype=np.float64)
    n[ok] = np.minimum(np.ceil(target[ok] / per_stream[ok]), float(2**62))
    n = np.where(ok & (n > 1) & ((n - 1.0) * per_stream >= target), n - 1.0, n)
    n = np.where(ok & (n * per_stream < target), n + 1.0, n)
    return n.astype(np.int64)
