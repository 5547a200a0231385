"""How the verdict moves with the per-stream rate.

For each rate in a range, :func:`sensitivity` counts the artists whose
streaming income beats their CD income, and the share of plays those
artists account for. The CD side does not depend on the rate, so the albums
are counted once and each rate costs one pass over the artists.
"""

from __future__ import annotations

import math
from collections.abc import Iterable

import numpy as np
import pandas as pd

from royalty.errors import UsageError
from royalty.pricing.cd import albums_bought
from royalty.pricing.compare import prepare
from royalty.pricing.params import DEFAULT_PARAMS, CompareParams
from royalty.pricing.streaming import streams_win


def sensitivity(
    plays: pd.DataFrame, params: CompareParams = DEFAULT_PARAMS, rates: Iterable[float] = ()
) -> pd.DataFrame:
    """For each rate, which artists earn more from streams than from CDs.

    The rates are at the level of ``params.cd_margin`` (artist level with the
    defaults); ``params.rate`` itself is not used. Only artists with a CD
    bought (an album reaching ``params.min_album_plays`` plays) count: an
    artist with no CD has nothing to compare with, and would count as a win
    at any rate. Ties are not wins (see
    :func:`royalty.pricing.streaming.streams_win`).

    Args:
        plays: plays in the schema of :mod:`royalty.schema`.
        params: the CD margin and the thresholds.
        rates: the per-stream rates to try, each above 0.

    Returns:
        One row per rate, in the order given: ``rate``, ``artists`` (artists
        with a CD whose streams beat their CDs), ``artists_share`` (of the
        artists with a CD), ``plays`` (the qualifying plays of those artists),
        ``plays_share`` (of the qualifying plays of all artists with a CD) and
        ``artists_with_cd`` (how many artists have a CD: the same on every
        row). Shares are 0 when no artist has a CD.

    Raises:
        UsageError: a rate is not a positive finite number.

    Example:
        >>> from royalty import load_sample
        >>> table = sensitivity(load_sample(), CompareParams(), [0.001, 0.01])
        >>> bool(table["artists_share"].is_monotonic_increasing)
        True
    """
    wanted = [float(r) for r in rates]
    for rate in wanted:
        if not (math.isfinite(rate) and rate > 0):
            raise UsageError(f"every rate must be a positive number, got {rate}")
    base = prepare(plays, params.min_seconds)
    n = len(base.names)
    plays_per = np.bincount(base.artist, minlength=n).astype(np.int64)
    cd = albums_bought(base.artist, base.album, n, base.n_albums, params.min_album_plays)
    with_cd = (plays_per > 0) & (cd > 0)
    counts, cd_pay = plays_per[with_cd], cd[with_cd] * params.cd_margin
    total = int(counts.sum())
    rows = []
    for rate in wanted:
        wins = streams_win(counts * rate, cd_pay)
        won_plays = int(counts[wins].sum())
        rows.append(
            {
                "rate": rate,
                "artists": int(wins.sum()),
                "artists_share": float(wins.mean()) if len(counts) else 0.0,
                "plays": won_plays,
                "plays_share": won_plays / total if total else 0.0,
                "artists_with_cd": len(counts),
            }
        )
    columns = ["rate", "artists", "artists_share", "plays", "plays_share", "artists_with_cd"]
    return pd.DataFrame(rows, columns=columns).astype(
        {"rate": "float64", "artists": "int64", "plays": "int64", "artists_with_cd": "int64"}
    )
