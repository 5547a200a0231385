"""How the verdict moves with the per-stream rate.

For each flat rate in a range, :func:`sensitivity` counts the artists whose
streaming income at that rate beats their CD income, and the share of paid
streams those artists account for. The CD side is priced once, year by
year, as :func:`~royalty.pricing.price` prices it; each rate then costs one
pass over the artists.
"""

from __future__ import annotations

import math
from collections.abc import Iterable

import numpy as np
import pandas as pd

from royalty.errors import UsageError
from royalty.pricing.compare import foundation
from royalty.pricing.params import DEFAULT_PARAMS, CompareParams
from royalty.pricing.price import price
from royalty.pricing.scenario import Scenario
from royalty.pricing.streaming import streams_win


def sensitivity(
    plays: pd.DataFrame,
    params: CompareParams | Scenario = DEFAULT_PARAMS,
    rates: Iterable[float] = (),
) -> pd.DataFrame:
    """For each rate, which artists earn more from streams than from CDs.

    The rates are flat amounts per paid stream at the level, side and
    currency of the CD side (``params``: the foundation's CD margin, or a
    scenario's CD figures); the rate of ``params`` itself is not used. Only
    artists with a CD bought count: an artist with no CD has nothing to
    compare with, and would count as a win at any rate. Ties are not wins
    (see :func:`royalty.pricing.streaming.streams_win`).

    Returns:
        One row per rate, in the order given: ``rate``, ``artists`` (artists
        with a CD whose streams beat their CDs), ``artists_share`` (of the
        artists with a CD), ``plays`` (the paid streams of those artists),
        ``plays_share`` (of the paid streams of all artists with a CD) and
        ``artists_with_cd`` (the same on every row). Shares are 0 when no
        artist has a CD.

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
    scenario = foundation(params) if isinstance(params, CompareParams) else params
    table = price(plays, scenario)
    with_cd = table["albums"].to_numpy() > 0
    counts = table["streams"].to_numpy()[with_cd]
    cd_pay = table["cd_payout"].to_numpy(dtype=np.float64)[with_cd]
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
