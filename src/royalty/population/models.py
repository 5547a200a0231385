"""The per-bucket half of the population models: arrays in, summable arrays out.

Every listener's plays live in one bucket, so everything that depends on one
listener (their monthly pool, their plays that month, the artist-centric cap)
is settled inside the bucket. What a bucket returns is a :class:`Partial`:
dense counts per month × artist (and sparse counts per track × month for the
threshold model) that add up across buckets. :mod:`royalty.population.payouts`
then splits each month's pool from the summed counts. Nothing here reads files
or knows Dask: the engine reads a bucket's integer columns and calls
:func:`bucket_partial` on them.

Months are UTC calendar months, numbered from the first month of the dataset
(:class:`Layout`), so arrays from different buckets line up.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Any, Final

import numpy as np
import numpy.typing as npt

I64 = npt.NDArray[np.int64]
F64 = npt.NDArray[np.float64]
Counts = npt.NDArray[np.integer[Any]]
"""Whole counts: int32 where the plays counted fit in it (:attr:`Layout.count_type`), else
int64; one piece's month × artist counts may be uint16 (:func:`_narrow`)."""

MODELS: Final = ("pro-rata", "user-centric", "artist-centric", "threshold")
"""The payout models, in the order they are shown. Defined here, not in
:mod:`royalty.population.params`, so that workers import numpy and nothing of
the pricing package (which loads pandas)."""

NO_DURATION: Final = np.iinfo(np.int64).max
"""Stands for an unknown duration in :attr:`BucketColumns.duration_ms` (never short)."""


@dataclass(frozen=True)
class Layout:
    """The shape every bucket's arrays share.

    Attributes:
        starts: first instant of each UTC calendar month from the dataset's
            first play to its last, as ``datetime64[M]``.
        artists: number of artist ids (ids are dense, 0 … artists-1).
        tracks: number of track ids.
        since_ms: first instant paid (ms since the epoch, UTC), or None.
        until_ms: first instant no longer paid, or None.
        min_ms: plays of known duration shorter than this are not streams.
        models: the models to prepare for.
        plays: how many plays are counted in all, or None when unknown.
    """

    starts: np.ndarray
    artists: int
    tracks: int
    since_ms: int | None = None
    until_ms: int | None = None
    min_ms: int = 30_000
    models: tuple[str, ...] = MODELS
    plays: int | None = None

    @property
    def months(self) -> int:
        """Number of months in the layout."""
        return len(self.starts)

    @property
    def count_type(self) -> type[np.signedinteger[Any]]:
        """The integer type of the dense counts: no count exceeds the plays counted.

        int32 when the plays are known to fit, which halves the month × artist
        arrays each task writes, sends and adds up; else int64.
        """
        fits = self.plays is not None and self.plays <= np.iinfo(np.int32).max
        return np.int32 if fits else np.int64

    def edges_ms(self) -> I64:
        """The first instant of each month, ms since the epoch."""
        edges: I64 = self.starts.astype("datetime64[ms]").view(np.int64)
        return edges


@dataclass(frozen=True)
class BucketColumns:
    """The integer columns of one bucket, rows sorted by (user_id, played_at).

    Attributes:
        user_id: listener id of each play.
        played_ms: start of each play, ms since the epoch (UTC).
        artist_id: artist id of each play.
        track_id: track id of each play.
        duration_ms: how long each play lasted, :data:`NO_DURATION` where unknown.
    """

    user_id: npt.NDArray[np.integer]
    played_ms: I64
    artist_id: npt.NDArray[np.integer]
    track_id: npt.NDArray[np.integer]
    duration_ms: I64

    def rows(self, start: int, stop: int | None = None) -> BucketColumns:
        """Rows ``start`` to ``stop`` (views, no copy); track ids stay empty if they were."""
        tracks = self.track_id[start:stop] if len(self.track_id) else self.track_id
        cut = slice(start, stop)
        return BucketColumns(
            self.user_id[cut],
            self.played_ms[cut],
            self.artist_id[cut],
            tracks,
            self.duration_ms[cut],
        )

    def then(self, later: BucketColumns) -> BucketColumns:
        """These rows followed by ``later``'s."""
        return BucketColumns(
            *(np.concatenate([getattr(self, f.name), getattr(later, f.name)]) for f in fields(self))
        )


@dataclass
class Partial:
    """Counts from some buckets that add up, field by field, with the next bucket's.

    Attributes:
        streams: streams paid in the period, per month × artist (shape M×A),
            as :attr:`Layout.count_type`.
        payers: listeners with a paid stream, per month (M): they make the pool.
        artist_listeners: distinct listeners of each artist in the period (A),
            as :attr:`Layout.count_type`.
        user_centric: per artist, the sum over listener-months of the share
            of that listener's month the artist had (A): the payout in units
            of one listener's monthly pool.
        capped: artist-centric: streams per month × artist after each
            listener's monthly cap (M×A), or None.
        month_listeners: artist-centric: distinct listeners per month × artist
            (M×A, as :attr:`Layout.count_type`), or None.
        track_keys: threshold: sorted keys ``track × M + month`` with streams
            in the whole dataset, or None.
        track_all: threshold: streams of each key over the whole dataset.
        track_paid: threshold: streams of each key in the period.
    """

    streams: Counts
    payers: I64
    artist_listeners: Counts
    user_centric: F64
    capped: F64 | None = None
    month_listeners: Counts | None = None
    track_keys: I64 | None = None
    track_all: I64 | None = None
    track_paid: I64 | None = None

    def __add__(self, other: Partial) -> Partial:
        """The counts of both, as if their buckets were one."""
        out: dict[str, Any] = {}
        for f in fields(self):
            if f.name.startswith("track_"):
                continue
            mine, theirs = getattr(self, f.name), getattr(other, f.name)
            if mine is None or theirs is None:
                out[f.name] = None
            else:  # uint16 counts of one piece add up as int32 at least (see _narrow)
                out[f.name] = np.add(mine, theirs, dtype=np.result_type(mine, theirs, np.int32))
        if self.track_keys is not None and other.track_keys is not None:
            keys, both, paid = _merge_sparse(self, other)
            out.update(track_keys=keys, track_all=both, track_paid=paid)
        return Partial(**out)


def empty_partial(layout: Layout) -> Partial:
    """The counts of no plays at all (what an empty bucket returns)."""
    m, a, count = layout.months, layout.artists, layout.count_type
    ac = "artist-centric" in layout.models
    th = "threshold" in layout.models
    return Partial(
        streams=np.zeros((m, a), dtype=count),
        payers=np.zeros(m, dtype=np.int64),
        artist_listeners=np.zeros(a, dtype=count),
        user_centric=np.zeros(a, dtype=np.float64),
        capped=np.zeros((m, a), dtype=np.float64) if ac else None,
        month_listeners=np.zeros((m, a), dtype=count) if ac else None,
        track_keys=np.zeros(0, dtype=np.int64) if th else None,
        track_all=np.zeros(0, dtype=np.int64) if th else None,
        track_paid=np.zeros(0, dtype=np.int64) if th else None,
    )


def bucket_partial(cols: BucketColumns, layout: Layout, cap: int) -> Partial:
    """The summable counts of one bucket's plays.

    Args:
        cols: the bucket's integer columns, sorted by (user_id, played_at).
        layout: months and sizes shared by every bucket.
        cap: artist-centric monthly cap on one listener's monetised streams.

    Example:
        >>> import numpy as np
        >>> ms = np.array(["2024-01-03", "2024-01-09", "2024-02-01"], "M8[ms]").view(np.int64)
        >>> cols = BucketColumns(np.array([0, 0, 1]), ms, np.array([0, 1, 1]),
        ...                      np.array([0, 1, 1]), np.full(3, NO_DURATION))
        >>> starts = np.array(["2024-01", "2024-02"], "M8[M]")
        >>> p = bucket_partial(cols, Layout(starts, 2, 2, models=("pro-rata",)), 1000)
        >>> p.streams.tolist(), p.payers.tolist(), p.user_centric.tolist()
        ([[1, 1], [0, 1]], [1, 1], [0.5, 1.5])
    """
    n = len(cols.played_ms)
    if n == 0:
        return empty_partial(layout)
    m = layout.months
    month = np.searchsorted(layout.edges_ms(), cols.played_ms, side="right") - 1
    # A listener's number within the bucket: rows are sorted by user, so it
    # steps at each change of user (no hashing or sorting of ids).
    user = np.empty(n, dtype=np.int64)
    user[0] = 0
    np.cumsum(cols.user_id[1:] != cols.user_id[:-1], out=user[1:])
    users = int(user[-1]) + 1
    artist = cols.artist_id.astype(np.int64, copy=False)
    stream = cols.duration_ms >= layout.min_ms  # unknown durations are NO_DURATION: streams
    end = (layout.starts[-1] + 1).astype("datetime64[ms]").view(np.int64) if m else 0
    outside = (month < 0) | (cols.played_ms >= end)
    if outside.any():  # plays outside the dataset's own span: counted nowhere
        stream = stream & ~outside
        month = np.where(outside, 0, month)
    paid = _in_period(stream, cols.played_ms, layout)
    out = _paid_counts(month, user, users, artist, paid, layout, cap)
    if "threshold" in layout.models:
        keys, both, in_period = _track_counts(cols.track_id, month, stream, paid, layout.months)
        out.track_keys, out.track_all, out.track_paid = keys, both, in_period
    return out


def _in_period(stream: npt.NDArray[np.bool_], played: I64, layout: Layout) -> npt.NDArray[np.bool_]:
    """Streams that started inside the paid period."""
    paid = stream
    if layout.since_ms is not None:
        paid = paid & (played >= layout.since_ms)
    if layout.until_ms is not None:
        paid = paid & (played < layout.until_ms)
    return paid


def _paid_counts(
    month: I64,
    user: I64,
    users: int,
    artist: I64,
    paid: npt.NDArray[np.bool_],
    layout: Layout,
    cap: int,
) -> Partial:
    """Counts of the streams paid in the period (every model's base)."""
    m, a, count = layout.months, layout.artists, layout.count_type
    if not paid.all():
        month, user, artist = month[paid], user[paid], artist[paid]
    cell = month * a + artist
    streams = _narrow(np.bincount(cell, minlength=m * a), count).reshape(m, a)
    listener_month = user * m + month
    per_lm = np.bincount(listener_month, minlength=users * m)
    payers = np.count_nonzero(per_lm.reshape(users, m), axis=0).astype(np.int64)
    lm_plays = per_lm[listener_month]
    # Each listener-month is one pool; the artist's part of it is its share of
    # that listener's streams that month.
    user_centric: F64 = np.bincount(artist, weights=1.0 / lm_plays, minlength=a).astype(np.float64)
    listeners = np.bincount(_distinct(user * a + artist) % a, minlength=a).astype(count)
    out = Partial(streams, payers, listeners, user_centric)
    if "artist-centric" in layout.models:
        # Past the cap, each of a listener's streams that month counts cap / plays.
        weight = np.minimum(1.0, cap / lm_plays)
        capped = np.bincount(cell, weights=weight, minlength=m * a).astype(np.float64)
        out.capped = capped.reshape(m, a)
        seen = _distinct(listener_month * a + artist) % (m * a)
        out.month_listeners = _narrow(np.bincount(seen, minlength=m * a), count).reshape(m, a)
    return out


def _narrow(counts: I64, count: type[np.signedinteger[Any]]) -> Counts:
    """Dense counts of one piece as ``count``, or as uint16 when int32 would do and they fit.

    A piece of a million plays rarely has 65,536 in one month × artist cell:
    half the bytes to keep, send and add. uint16 only stands in for int32 (the
    plays fit in int32), and sums of it are int32 (:meth:`Partial.__add__`).
    """
    small = np.iinfo(np.uint16).max
    if count is np.int32 and (counts.size == 0 or int(counts.max()) <= small):
        return counts.astype(np.uint16)
    return counts.astype(count)


def _distinct(keys: I64) -> I64:
    """The distinct values of keys that start with the listener number.

    Rows come sorted by listener, so these keys are runs of a few hundred
    unsorted values in increasing blocks: a stable sort (timsort) merges the
    blocks almost for free, about twice as fast as hashing them. Repeats in a
    row (a listener playing one artist's album) are dropped before the sort.
    """
    if len(keys) > 1:
        keys = keys[np.concatenate([[True], keys[1:] != keys[:-1]])]
    ordered = np.sort(keys, kind="stable")
    first = np.empty(len(ordered), dtype=bool)
    first[:1] = True
    np.not_equal(ordered[1:], ordered[:-1], out=first[1:])
    out: I64 = ordered[first]
    return out


def _track_counts(
    track: npt.NDArray[np.integer],
    month: I64,
    stream: npt.NDArray[np.bool_],
    paid: npt.NDArray[np.bool_],
    months: int,
) -> tuple[I64, I64, I64]:
    """Streams per (track, month), over the whole dataset and in the period (sparse)."""
    key = track.astype(np.int64)[stream] * months + month[stream]
    keys, inverse = np.unique(key, return_inverse=True)
    both = np.bincount(inverse, minlength=len(keys)).astype(np.int64)
    in_period = np.bincount(inverse, weights=paid[stream], minlength=len(keys)).astype(np.int64)
    return keys.astype(np.int64), both, in_period


def _merge_sparse(x: Partial, y: Partial) -> tuple[I64, I64, I64]:
    """Add two sparse (track, month) counts."""
    assert x.track_keys is not None and y.track_keys is not None
    assert x.track_all is not None and y.track_all is not None
    assert x.track_paid is not None and y.track_paid is not None
    keys, inverse = np.unique(np.concatenate([x.track_keys, y.track_keys]), return_inverse=True)
    both = np.bincount(inverse, np.concatenate([x.track_all, y.track_all]), len(keys))
    paid = np.bincount(inverse, np.concatenate([x.track_paid, y.track_paid]), len(keys))
    return keys.astype(np.int64), both.astype(np.int64), paid.astype(np.int64)
