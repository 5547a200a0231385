"""Random populations and a plain pandas reference of every payout model, for the tests.

The reference is written from the models' definitions with pandas group-bys,
independently of royalty.population.models (which counts with numpy per bucket).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from royalty.population.dataset import DatasetInfo, write_dataset
from royalty.population.params import PopulationParams


def random_plays(listeners: int, plays: int, artists: int, seed: int = 0) -> pd.DataFrame:
    """Plays over 14 months: Zipf-like artists, heavy-tailed listeners, some short plays."""
    rng = np.random.default_rng(seed)
    activity = rng.pareto(1.5, listeners) + 0.05
    user = rng.choice(listeners, plays, p=activity / activity.sum())
    popularity = 1.0 / np.arange(1, artists + 1) ** 1.1
    artist = rng.choice(artists, plays, p=popularity / popularity.sum())
    track = rng.integers(0, 3, plays)
    start = np.datetime64("2023-01-01T00:00", "ms").astype(np.int64)
    span = np.int64(425 * 24 * 3600 * 1000)
    when = start + rng.integers(0, span, plays)
    duration = rng.choice([-1, 10_000, 200_000], plays, p=[0.3, 0.05, 0.65])
    return pd.DataFrame(
        {
            "user": [f"listener-{u:05d}" for u in user],
            "played_at": pd.to_datetime(when, unit="ms", utc=True),
            "artist": [f"Artist {a:04d}" for a in artist],
            "track": [f"Song {t}" for t in track],
            "duration_ms": pd.array(np.where(duration < 0, None, duration), dtype="Int64"),
            "source": "test",
        }
    )


def dataset(plays: pd.DataFrame, path: Path, buckets: int = 5) -> DatasetInfo:
    return write_dataset(plays, path, buckets=buckets, synthetic=True, sources=[])


def reference(plays: pd.DataFrame, params: PopulationParams) -> pd.DataFrame:
    """Every model's payout per artist, USD, by pandas group-bys over all plays."""
    short = plays["duration_ms"].lt(params.min_seconds * 1000).fillna(False).astype(bool)
    p = plays.loc[~short, ["user", "artist", "track", "played_at"]].copy()
    p["month"] = p["played_at"].dt.tz_convert(None).dt.to_period("M")
    pools = p.groupby("month")["user"].nunique() * params.pool_per_listener
    month_pool = p["month"].map(pools)

    month_streams = p.groupby("month")["user"].transform("size")
    pro_rata = (month_pool / month_streams).groupby(p["artist"]).sum()

    listener_month = p.groupby(["user", "month"])["artist"].transform("size")
    user_centric = (params.pool_per_listener / listener_month).groupby(p["artist"]).sum()

    capped = np.minimum(1.0, params.listener_cap / listener_month)
    am = p.groupby(["month", "artist"])
    pro = (am["user"].transform("size") >= params.pro_streams) & (
        am["user"].transform("nunique") >= params.pro_listeners
    )
    weight = capped * np.where(pro, 2.0, 1.0)
    artist_centric = (
        (month_pool * weight / weight.groupby(p["month"]).transform("sum"))
        .groupby(p["artist"])
        .sum()
    )

    months = pd.period_range(p["month"].min(), p["month"].max(), freq="M")
    per_track = p.groupby([p["artist"], p["track"], "month"]).size().unstack(fill_value=0)
    per_track = per_track.reindex(columns=months, fill_value=0)
    window = per_track.T.rolling(12, min_periods=1).sum().T  # the month and the 11 before
    eligible = (window >= params.track_floor).stack()
    ok = pd.Series(
        eligible.reindex(pd.MultiIndex.from_frame(p[["artist", "track", "month"]])).to_numpy(),
        index=p.index,
    )
    ok_streams = ok.groupby(p["month"]).transform("sum")
    # a month where no track passes is split pro-rata
    share = np.where(ok_streams > 0, ok / ok_streams.where(ok_streams > 0, 1), 1 / month_streams)
    threshold = (month_pool * share).groupby(p["artist"]).sum()

    out = pd.DataFrame(
        {
            "plays": p.groupby("artist").size(),
            "listeners": p.groupby("artist")["user"].nunique(),
            "pro_rata": pro_rata,
            "user_centric": user_centric,
            "artist_centric": artist_centric,
            "threshold": threshold,
        }
    )
    return out.fillna(0.0)
