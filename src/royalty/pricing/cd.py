"""The CD side: which albums the listener would have bought.

The purchase model: the listener buys one CD of each album they played at
least ``min_album_plays`` times (counting qualifying plays only). An album is
an (artist, album name) pair, and an artist's plays with no album name count
together as one album of theirs. Each CD bought pays the artist ``cd_margin``.
"""

from __future__ import annotations

from typing import Final

import numpy as np
import numpy.typing as npt

_DENSE_LIMIT: Final = 1 << 22
"""Largest (artist × album) grid counted densely with one bincount; bigger
grids are counted by sorting the pairs that occur instead."""


def albums_bought(
    artist: npt.NDArray[np.integer],
    album: npt.NDArray[np.integer],
    n_artists: int,
    n_albums: int,
    min_plays: int,
) -> npt.NDArray[np.int64]:
    """Per artist code, the number of albums played at least ``min_plays`` times.

    Args:
        artist: artist code of each qualifying play, in ``0 .. n_artists-1``.
        album: album code of each play, in ``0 .. n_albums-1``, or -1 for none.
        n_artists: number of artist codes.
        n_albums: number of album codes.
        min_plays: plays at which an album counts as bought (at least 1).

    Example:
        >>> import numpy as np
        >>> albums_bought(np.array([0, 0, 0, 1]), np.array([-1, -1, 0, 0]), 2, 1, 2).tolist()
        [1, 0]
    """
    width = n_albums + 1  # slot 0 is "no album"
    # In place: at ten million plays each temporary costs tens of milliseconds.
    pair = artist.astype(np.int64)
    pair *= width
    pair += album
    pair += 1
    if n_artists * width <= max(_DENSE_LIMIT, 2 * len(pair)):
        counts = np.bincount(pair, minlength=n_artists * width)
        bought = np.flatnonzero(counts >= min_plays) // width
    else:
        pairs, counts = np.unique(pair, return_counts=True)
        bought = pairs[counts >= min_plays] // width
    return np.bincount(bought, minlength=n_artists).astype(np.int64)
