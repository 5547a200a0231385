"""When streams overtook CDs: the time of each artist's n-th play.

The crossover date of an artist is the start of their ``breakeven_plays``-th
qualifying play in time order. Finding the n-th play of every artist at once
needs the plays grouped by artist and ordered by time within each group. A
full stable argsort of ten million rows is slow, so this module sorts one
int64 key per play, ``artist << bits | time``, whose order is exactly that
grouping (numpy sorts plain integers several times faster than it argsorts).
Only the plays of artists that have a crossover take part.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from royalty.pricing._columns import NAT

_KEY_BITS = 62  # keep keys clear of the sign bit


def nth_play_ticks(
    artist: npt.NDArray[np.integer],
    ticks: npt.NDArray[np.int64],
    nth: npt.NDArray[np.int64],
    plays: npt.NDArray[np.int64],
) -> npt.NDArray[np.int64]:
    """Per artist code, the time of that artist's ``nth`` play in time order.

    Args:
        artist: artist code of each play, in ``0 .. len(nth)-1``.
        ticks: start of each play as int64 ticks; NaT (:data:`NAT`) sorts last.
        nth: 1-based rank of the wanted play per artist; 0 for none.
        plays: number of plays per artist (``bincount(artist)``).

    Returns:
        The ticks of the wanted play, or :data:`NAT` where ``nth`` is 0 or
        larger than the artist's plays.

    Example:
        >>> import numpy as np
        >>> nth_play_ticks(np.array([0, 1, 0, 0]), np.array([30, 10, 20, 5]),
        ...                np.array([2, 2]), np.array([3, 1])).tolist()
        [20, -9223372036854775808]
    """
    out = np.full(len(nth), NAT, dtype=np.int64)
    wanted = (nth >= 1) & (nth <= plays)
    if not wanted.any():
        return out
    members = np.flatnonzero(wanted)
    if 2 * int(plays[members].sum()) >= len(artist):
        # Most plays take part: sorting them all is cheaper than picking them out.
        counts = plays
        sub_artist, sub_ticks = artist.astype(np.int64), ticks
    else:
        counts = np.where(wanted, plays, 0)
        rows = wanted[artist]
        sub_artist, sub_ticks = artist[rows].astype(np.int64), ticks[rows]
    starts = np.cumsum(counts) - counts
    pick = starts[members] + nth[members] - 1
    out[members] = _picked_ticks(sub_artist, sub_ticks, len(nth), pick)
    return out


def _picked_ticks(
    group: npt.NDArray[np.int64],
    ticks: npt.NDArray[np.int64],
    n_groups: int,
    pick: npt.NDArray[np.int64],
) -> npt.NDArray[np.int64]:
    """The ticks at positions ``pick`` once ordered by group, then time (NaT last).

    ``group`` must be a private copy: it is overwritten.
    """
    group_bits = max(n_groups - 1, 1).bit_length()
    low = int(ticks.min())
    has_nat = low == NAT
    if not has_nat:
        time_bits = max(int(ticks.max()) - low, 1).bit_length()
        if group_bits + time_bits <= _KEY_BITS:
            # Times relative to the earliest fit beside the group: one sort does it.
            key = ticks - low
            np.left_shift(group, time_bits, out=group)
            key |= group
            key.sort()
            return (key[pick] & ((1 << time_bits) - 1)) + low
    # Fine units (ns) or a long span: order by time first, then sort by group
    # with the row's rank in time as the tie-break, which keeps the key small.
    latest = np.iinfo(np.int64).max
    if has_nat:
        ticks = np.where(ticks == NAT, latest, ticks)
    if not bool(np.all(ticks[1:] >= ticks[:-1])):
        order = np.argsort(ticks, kind="stable")
        ticks, group = ticks[order], group[order]
    rank_bits = max(len(ticks) - 1, 1).bit_length()
    result: npt.NDArray[np.int64]
    if group_bits + rank_bits <= _KEY_BITS:
        key = np.left_shift(group, rank_bits, out=group)
        key |= np.arange(len(ticks), dtype=np.int64)
        key.sort()
        result = ticks[key[pick] & ((1 << rank_bits) - 1)]
    else:  # pragma: no cover - needs billions of plays
        result = ticks[np.lexsort((ticks, group))[pick]]
    return np.where(result == latest, NAT, result) if has_nat else result
