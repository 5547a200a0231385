"""The central half of the population models: split each month's pool.

From the summed :class:`~royalty.population.models.Partial` of every bucket,
each model turns each month's pool into payouts per artist. The pool of a
month is ``fee / (1 + vat) × payout ratio`` for every listener with at least
one paid stream that month (a play of unknown duration, or of at least 30
seconds, inside the period). Every model pays each month's pool out exactly:

- **pro-rata**: by the artist's share of the month's streams;
- **user-centric**: each listener's own pool by that listener's streams
  (settled per bucket, see :func:`~royalty.population.models.bucket_partial`);
- **artist-centric**: by weighted streams, where a listener's streams past
  the monthly cap count ``cap / plays`` each and a professional artist's
  (enough streams from enough listeners that month) count double;
- **threshold**: by the streams of tracks that had at least the floor of
  streams in the paid month and the 11 calendar months before it (over every
  play in the dataset, paid period or not; months before the dataset's first
  play count as none). The money of tracks under the floor goes back to the
  month's pool.

A month in which no stream passes a model's rule (no track over the floor)
is split pro-rata instead, so no money is lost; :attr:`Payouts.fallback_months`
counts them.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from royalty.population.models import F64, I64, Layout, Partial
from royalty.population.params import WINDOW_MONTHS, PopulationParams


@dataclass(frozen=True)
class Payouts:
    """Each model's payout per artist id, with the monthly pools they split.

    Attributes:
        models: the models computed, in order.
        payout: per model, USD per artist id (unrounded).
        plays: paid streams per artist id in the period.
        listeners: distinct listeners per artist id in the period.
        pools: USD paid out in each month of the layout.
        payers: listeners with a paid stream in each month.
        fallback_months: per model, months split pro-rata because nothing
            passed the model's rule.
        professional: artist-centric: artist-months counted double.
    """

    models: tuple[str, ...]
    payout: dict[str, F64]
    plays: I64
    listeners: I64
    pools: F64
    payers: I64
    fallback_months: dict[str, int]
    professional: int


def split(
    partial: Partial, layout: Layout, params: PopulationParams, track_artist: I64 | None
) -> Payouts:
    """Each model's payouts from the summed counts of every bucket.

    Args:
        partial: the sum of every bucket's counts.
        layout: the months and sizes the counts were made with.
        params: fee, ratio, VAT and thresholds.
        track_artist: artist id of each track id (threshold model only).
    """
    pool = params.pool_per_listener
    pools: F64 = (partial.payers * pool).astype(np.float64)
    streams: F64 = partial.streams.astype(np.float64)  # whole counts: exact as float64
    payout: dict[str, F64] = {}
    fallback: dict[str, int] = {}
    professional = 0
    for model in layout.models:
        if model == "pro-rata":
            weights, months = streams, 0
        elif model == "user-centric":
            payout[model] = partial.user_centric * pool
            fallback[model] = 0
            continue
        elif model == "artist-centric":
            assert partial.capped is not None and partial.month_listeners is not None
            pro = (streams >= params.pro_streams) & (
                partial.month_listeners >= params.pro_listeners
            )
            professional = int(np.count_nonzero(pro))
            weights, months = partial.capped * np.where(pro, 2.0, 1.0), 0
        else:
            assert track_artist is not None, "the threshold model needs each track's artist"
            weights, months = _eligible(partial, layout, params, track_artist)
        payout[model], extra = _split_by(weights, streams, pools)
        fallback[model] = months + extra
    return Payouts(
        models=layout.models,
        payout=payout,
        plays=partial.streams.sum(axis=0, dtype=np.int64),
        listeners=partial.artist_listeners.astype(np.int64),
        pools=pools,
        payers=partial.payers,
        fallback_months=fallback,
        professional=professional,
    )


def _split_by(weights: F64, streams: F64, pools: F64) -> tuple[F64, int]:
    """Split each month's pool by ``weights``, or by streams where no weight is left."""
    total = weights.sum(axis=1)
    empty = (total <= 0) & (pools > 0)
    if empty.any():
        weights = weights.copy()
        weights[empty] = streams[empty]
        total = weights.sum(axis=1)
    rate = np.divide(pools, total, out=np.zeros_like(pools), where=total > 0)
    shares: F64 = rate @ weights
    return shares, int(np.count_nonzero(empty))


def _eligible(
    partial: Partial, layout: Layout, params: PopulationParams, track_artist: I64
) -> tuple[F64, int]:
    """Threshold: paid streams per month × artist of tracks over the floor."""
    keys, both, paid = partial.track_keys, partial.track_all, partial.track_paid
    assert keys is not None and both is not None and paid is not None
    m = layout.months
    # keys are sorted by track, then month: a running total per track, read
    # at (track, month) and at (track, month - 12), gives the window's streams.
    running = np.cumsum(both)
    track = keys // m
    window = running - _running_before(
        keys, running, np.maximum(keys - (WINDOW_MONTHS - 1), track * m)
    )
    ok = (window >= params.track_floor) & (paid > 0)
    cell = (keys[ok] % m) * layout.artists + track_artist[track[ok]]
    weights = np.bincount(cell, weights=paid[ok], minlength=m * layout.artists).astype(np.float64)
    shaped: F64 = weights.reshape(m, layout.artists)
    return shaped, 0


def _running_before(keys: I64, running: I64, start: I64) -> npt.NDArray[np.int64]:
    """The running total of keys below ``start`` (each key's window begins there)."""
    at = np.searchsorted(keys, start, side="left") - 1
    out = np.where(at >= 0, running[np.maximum(at, 0)], 0)
    return out.astype(np.int64)
