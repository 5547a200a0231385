"""The plays as flat code arrays, and the counts every pricing rule is built from.

Pricing works on integer codes and int64 times, never on strings, so ten
million plays cost a few vectorised passes. A **paid stream** is a play with
an artist, a known time, and a duration that is unknown or at least the
scenario's shortest paid play (the 30-second rule).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Final

import numpy as np
import numpy.typing as npt
import pandas as pd

from royalty.pricing import _columns

Ints = npt.NDArray[np.int64]

_DENSE_LIMIT: Final = 1 << 22
"""Largest grid of (key × key) cells counted densely with one bincount; bigger
grids are counted by sorting the pairs that occur instead."""


@dataclass(frozen=True)
class Prepared:
    """The paid streams as code arrays, shared by every pricing rule.

    Attributes:
        artist: artist code of each paid stream.
        album: album code of each paid stream (-1 for none).
        track: track code of each paid stream (-1 for none), or None when not asked for.
        ticks: start of each paid stream, int64 ticks in ``unit``.
        unit: numpy time unit of ``ticks``.
        month: index of each paid stream's UTC calendar month in ``months``.
        months: the calendar months from the first paid stream to the last.
        names: artist names, indexed by code.
        n_albums: number of album codes.
        n_tracks: number of track codes.
        plays: per artist code, every play with that artist (paid or not).
        keep: which input rows are paid streams, or None for all of them.
        ordered: True when the paid streams are in time order (as the store keeps them).
    """

    artist: Ints | npt.NDArray[np.integer]
    album: npt.NDArray[np.integer]
    track: npt.NDArray[np.integer] | None
    ticks: Ints
    unit: str
    month: Ints
    months: np.ndarray[Any, np.dtype[np.datetime64]]
    names: pd.Index
    n_albums: int
    n_tracks: int
    plays: Ints
    keep: npt.NDArray[np.bool_] | None
    ordered: bool = False

    @property
    def years(self) -> Ints:
        """The calendar year of each month in ``months``."""
        return self.months.astype("datetime64[Y]").astype(np.int64) + 1970

    @property
    def n_artists(self) -> int:
        """Number of artist codes."""
        return len(self.names)


def prepare(plays: pd.DataFrame, min_seconds: float, *, tracks: bool = False) -> Prepared:
    """Code arrays of the paid streams (with an artist and a time, long enough)."""
    _columns.require(plays, ("played_at", "artist"))
    artists = _columns.codes(plays["artist"])
    n = len(plays)
    if "album" in plays.columns:
        albums = _columns.codes(plays["album"])
    else:
        albums = _columns.Codes(np.full(n, -1, dtype=np.int8), pd.Index([]))
    if tracks and "track" in plays.columns:
        track_codes = _columns.codes(plays["track"])
    else:
        track_codes = _columns.Codes(np.full(n, -1, dtype=np.int8), pd.Index([]))
    when = _columns.times(plays["played_at"])

    codes = artists.codes
    named = codes >= 0
    every = np.bincount(codes[named] if not named.all() else codes, minlength=len(artists.names))
    keep = _columns.qualifying(plays, min_seconds)
    timed = when.ticks != _columns.NAT
    for mask in (named, timed):
        if not mask.all():
            keep = mask if keep is None else keep & mask
    album, track, ticks = albums.codes, track_codes.codes, when.ticks
    if keep is not None:
        codes, album, track, ticks = codes[keep], album[keep], track[keep], ticks[keep]
    month, months = month_index(ticks, when.unit)
    return Prepared(
        codes,
        album,
        track if tracks else None,
        ticks,
        when.unit,
        month,
        months,
        artists.names,
        len(albums.names),
        len(track_codes.names),
        every.astype(np.int64),
        keep,
        bool(np.all(ticks[1:] >= ticks[:-1])),
    )


def month_index(ticks: Ints, unit: str) -> tuple[Ints, np.ndarray[Any, np.dtype[np.datetime64]]]:
    """Each tick's UTC calendar month, as an index into the months it spans.

    Example:
        >>> t = np.array(["2010-01-31", "2010-03-01"], "datetime64[s]").view(np.int64)
        >>> index, months = month_index(t, "s")
        >>> index.tolist(), [str(m) for m in months]
        ([0, 2], ['2010-01', '2010-02', '2010-03'])
    """
    if len(ticks) == 0:
        return np.zeros(0, dtype=np.int64), np.array([], dtype="datetime64[M]")
    lo, hi = np.array([ticks.min(), ticks.max()]).view(f"datetime64[{unit}]").astype("M8[M]")
    months = np.arange(lo, hi + 1, dtype="datetime64[M]")
    edges = months.astype(f"datetime64[{unit}]").view(np.int64)
    if bool(np.all(ticks[1:] >= ticks[:-1])):
        # Sorted (as the store keeps plays): each month is one slice of rows.
        bounds = np.searchsorted(ticks, edges, side="left")
        per_month = np.diff(np.append(bounds, len(ticks)))
        return np.repeat(np.arange(len(months), dtype=np.int64), per_month), months
    index = np.searchsorted(edges, ticks, side="right") - 1
    return index.astype(np.int64), months


@dataclass(frozen=True)
class Cells:
    """Counts of the (outer, inner) pairs that occur, sorted by outer then inner."""

    outer: Ints
    inner: Ints
    count: Ints


def cells(outer: npt.NDArray[np.integer], inner: npt.NDArray[np.integer], n_inner: int) -> Cells:
    """Count each (outer, inner) pair; ``inner`` codes must lie in ``0 .. n_inner-1``.

    Example:
        >>> c = cells(np.array([1, 0, 1, 1]), np.array([2, 0, 2, 0]), 3)
        >>> c.outer.tolist(), c.inner.tolist(), c.count.tolist()
        ([0, 1, 1], [0, 0, 2], [1, 1, 2])
    """
    width = max(n_inner, 1)
    key = outer.astype(np.int64)
    key *= width
    key += inner
    n_outer = int(outer.max()) + 1 if len(outer) else 0
    if n_outer * width <= max(_DENSE_LIMIT, 2 * len(key)):
        counts = np.bincount(key, minlength=n_outer * width)
        found = np.flatnonzero(counts)
        number = counts[found]
    else:
        found, number = np.unique(key, return_counts=True)
    return Cells(found // width, found % width, number.astype(np.int64))


def group_cumsum(values: npt.NDArray[Any], group: Ints) -> npt.NDArray[Any]:
    """Running sums of ``values`` within runs of equal ``group`` (sorted), exact per group."""
    if len(values) == 0:
        return values.copy()
    return pd.Series(values).groupby(group, sort=False).cumsum().to_numpy()


@dataclass(frozen=True)
class Pairs:
    """Compact ids of the (artist, name) pairs that occur, such as albums or tracks.

    Attributes:
        ids: per row, the pair's id, or ``n`` for a row without a name.
        n: number of pairs.
        artist: per pair id, its artist code.
    """

    ids: Ints
    n: int
    artist: Ints


def pair_ids(
    artist: npt.NDArray[np.integer], inner: npt.NDArray[np.integer], n_inner: int
) -> Pairs:
    """Number the (artist, inner) pairs; rows with ``inner`` -1 get the id ``n``.

    Most album and track names belong to one artist, so a pair is first taken
    to be its name's code (no sorting); only rows whose name also appears
    under another artist are numbered by sorting their pairs.

    Example:
        >>> p = pair_ids(np.array([0, 1, 0, 1]), np.array([0, 0, -1, 1]), 2)
        >>> p.ids.tolist(), p.n, p.artist.tolist()
        ([0, 2, 3, 1], 3, [0, 1, 1])
    """
    artist = artist.astype(np.int64, copy=False)
    named = inner >= 0
    code = np.where(named, inner, n_inner).astype(np.int64)
    owner = np.full(n_inner + 1, -1, dtype=np.int64)
    # Reversed, so the first row of each name writes last: its artist owns the name.
    owner[code[::-1]] = artist[::-1]
    owner[n_inner] = -1
    other = named & (owner[code] != artist)
    ids = code
    extra_artist = np.zeros(0, dtype=np.int64)
    n = n_inner
    if other.any():
        width = max(n_inner, 1)
        keys, inverse = np.unique(artist[other] * width + inner[other], return_inverse=True)
        ids = ids.copy()
        ids[other] = n_inner + inverse
        extra_artist = keys // width
        n = n_inner + len(keys)
    ids = np.where(named, ids, n) if not named.all() else ids
    return Pairs(ids, n, np.concatenate([owner[:n_inner], extra_artist]))
