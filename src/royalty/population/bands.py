"""What the whole-service studies publish: rank bands, concentration, winners and losers.

Artists are ranked by their pro-rata payout (the market-centric status quo)
into the bands of CNM/Deloitte's 2021 study of France: 1–10, 11–100,
101–1,000, 1,001–10,000 and beyond. Each band's share of the money under
each model, and its change against pro-rata in per cent, is the table the
studies print. Concentration (the top-10 share, the top-1 % share and the
Gini coefficient) ranks artists by each model's own payouts.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Final

import numpy as np
import numpy.typing as npt

from royalty.population.params import COLUMN

if TYPE_CHECKING:
    import pandas as pd

    from royalty.population.compare import PopulationResult

BANDS: Final = ((1, 10), (11, 100), (101, 1_000), (1_001, 10_000), (10_001, None))
"""Ranks under pro-rata, first and last (None: no end), as CNM/Deloitte 2021."""

CNM_DELOITTE_2021: Final[dict[str, float]] = {
    "1–10": -17.2,
    "11–100": 1.3,
    "101–1,000": 2.2,
    "1,001–10,000": 0.5,
    "beyond 10,000": 5.2,
}
"""Change in payouts under user-centric by artist rank, in per cent: CNM/Deloitte
2021 (France, Spotify and Deezer data), reported by Music Ally, 28 January 2021."""


def band_label(first: int, last: int | None) -> str:
    """``1–10``, ``1,001–10,000``, ``beyond 10,000``."""
    return f"beyond {first - 1:,}" if last is None else f"{first:,}–{last:,}"


def bands(result: PopulationResult) -> pd.DataFrame:
    """Each pro-rata rank band's artists and share of the money under each model.

    Returns:
        One row per band that has artists: ``band``, ``artists``, then per
        model its share (``<column>_share``, 0–1) and, for every model but
        pro-rata, ``<column>_change``: the band's change against pro-rata in
        per cent (NaN when pro-rata pays the band nothing).

    Example:
        >>> table = bands(result)  # doctest: +SKIP
        >>> table.loc[0, ["band", "user_centric_change"]].tolist()  # doctest: +SKIP
        ['1–10', -14.3]
    """
    import pandas as pd

    frame = result.artists  # already ranked by the pro-rata payout
    rows = []
    for first, last in BANDS:
        chunk = frame.iloc[first - 1 : last]
        if chunk.empty:
            break
        row: dict[str, object] = {"band": band_label(first, last), "artists": len(chunk)}
        base = _share(chunk, frame, "pro_rata")
        for column in result.columns:
            share = _share(chunk, frame, column)
            row[f"{column}_share"] = share
            if column != "pro_rata":
                row[f"{column}_change"] = (share / base - 1) * 100 if base > 0 else math.nan
        rows.append(row)
    return pd.DataFrame(rows)


def _share(chunk: pd.DataFrame, frame: pd.DataFrame, column: str) -> float:
    total = float(frame[column].sum())
    return float(chunk[column].sum()) / total if total > 0 else 0.0


def gini(values: npt.ArrayLike) -> float:
    """The Gini coefficient of payouts: 0 when all are equal, near 1 when one takes all.

    Example:
        >>> gini([1, 1, 1, 1]), gini([0, 0, 0, 4])
        (0.0, 0.75)
    """
    x = np.sort(np.asarray(values, dtype=np.float64))
    n, total = len(x), float(x.sum())
    if n == 0 or total <= 0:
        return 0.0
    ranks = np.arange(1, n + 1, dtype=np.float64)
    return float((2 * ranks - n - 1) @ x / (n * total))


def lorenz(values: npt.ArrayLike, points: int = 512) -> tuple[npt.NDArray[np.float64], ...]:
    """The Lorenz curve: share of artists (poorest first) against their share of the money.

    Returns at most ``points`` + 1 points from (0, 0) to (1, 1).

    Example:
        >>> x, y = lorenz([1, 3])
        >>> x.tolist(), y.tolist()
        ([0.0, 0.5, 1.0], [0.0, 0.25, 1.0])
    """
    v = np.sort(np.asarray(values, dtype=np.float64))
    n = len(v)
    total = float(v.sum())
    cum = np.concatenate([[0.0], np.cumsum(v) / total]) if total > 0 else np.zeros(n + 1)
    idx = np.unique(np.linspace(0, n, min(n, points) + 1).round().astype(np.int64))
    return idx / max(n, 1), cum[idx]


def concentration(result: PopulationResult) -> pd.DataFrame:
    """The top-10 share, top-1 % share and Gini coefficient under each model.

    The top 1 % is the best-paid ceil(1 %) of the artists with a paid stream
    (at least one artist); each model ranks by its own payouts.
    """
    import pandas as pd

    n = len(result.artists)
    top_pct = max(1, math.ceil(n / 100))
    rows = []
    for model, column in zip(result.models, result.columns, strict=True):
        paid = np.sort(result.artists[column].to_numpy(dtype=np.float64))[::-1]
        total = float(paid.sum())
        rows.append(
            {
                "model": model,
                "top_10_share": float(paid[:10].sum()) / total if total > 0 else 0.0,
                "top_1pct_share": float(paid[:top_pct].sum()) / total if total > 0 else 0.0,
                "gini": gini(paid),
            }
        )
    return pd.DataFrame(rows)


TOLERANCE: Final = 1e-9
"""Relative change below which an artist is counted as unchanged (rounding noise)."""


def gains(result: PopulationResult) -> pd.DataFrame:
    """How many artists gain and lose against pro-rata under each other model, and by how much.

    Returns:
        One row per model other than pro-rata: ``gain``, ``lose``, ``same``
        (artist counts), then the change in per cent of those who gain
        (``gain_q1``, ``gain_median``, ``gain_q3``) and of those who lose
        (``lose_q1``, ``lose_median``, ``lose_q3``; negative), NaN when nobody does.
    """
    import pandas as pd

    base = result.artists["pro_rata"].to_numpy(dtype=np.float64)
    rows = []
    for model in result.models[1:]:
        pay = result.artists[COLUMN[model]].to_numpy(dtype=np.float64)
        change = np.divide(pay - base, base, out=np.zeros_like(base), where=base > 0) * 100
        up = change > TOLERANCE * 100
        down = change < -TOLERANCE * 100
        row: dict[str, object] = {
            "model": model,
            "gain": int(up.sum()),
            "lose": int(down.sum()),
            "same": int(len(base) - up.sum() - down.sum()),
        }
        for name, mask in (("gain", up), ("lose", down)):
            q = np.percentile(change[mask], [25, 50, 75]) if mask.any() else [math.nan] * 3
            row.update({f"{name}_q1": q[0], f"{name}_median": q[1], f"{name}_q3": q[2]})
        rows.append(row)
    return pd.DataFrame(rows)
