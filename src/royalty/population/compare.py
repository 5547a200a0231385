"""``compare_population``: every model's payout per artist across a population.

The library entry point of ``royalty population compare``: it opens a
dataset, counts every bucket on Dask (:mod:`royalty.population.engine`),
splits each month's pool under each model (:mod:`royalty.population.payouts`)
and joins the artists' names once, at the end.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from royalty.errors import UsageError
from royalty.population.params import COLUMN, MODEL_SOURCES, MODELS, PopulationParams

if TYPE_CHECKING:
    import pandas as pd

    from royalty.population.dataset import DatasetInfo
    from royalty.population.engine import RunStats


@dataclass(frozen=True)
class PopulationResult:
    """Each model's payout per artist, with what it was computed from.

    Attributes:
        artists: one row per artist with a paid stream in the period: ``artist``,
            ``plays`` (paid streams), ``listeners`` and one USD column per model
            (``pro_rata``, ``user_centric``, ``artist_centric``, ``threshold``),
            unrounded, sorted by the pro-rata payout (largest first).
        months: per UTC month of the period: ``month``, ``payers`` (listeners
            with a paid stream) and ``pool`` (USD paid out under every model).
        models: the models computed; pro-rata, the baseline, always first.
        params: fee, ratio, VAT and thresholds as used.
        dataset: what the dataset says of itself (path, plays, listeners,
            artists, synthetic, artist names, first and last play).
        since: first instant paid, or None.
        until: first instant not paid, or None.
        fallback_months: per model, months split pro-rata because no stream
            passed the model's rule.
        professional_artist_months: artist-centric: artist-months counted double.
        run: how the run went (workers, scheduler, seconds, peak memory).
    """

    artists: pd.DataFrame
    months: pd.DataFrame
    models: tuple[str, ...]
    params: PopulationParams
    dataset: dict[str, Any]
    since: datetime | None
    until: datetime | None
    fallback_months: dict[str, int] = field(default_factory=dict)
    professional_artist_months: int = 0
    run: RunStats | None = None

    @property
    def columns(self) -> list[str]:
        """The payout columns, in model order."""
        return [COLUMN[m] for m in self.models]

    def meta(self) -> dict[str, Any]:
        """Models, sources, parameters, population and period, for ``--with-meta``."""
        return {
            "population": self.dataset,
            "period": {
                "since": None if self.since is None else self.since.isoformat(),
                "until": None if self.until is None else self.until.isoformat(),
            },
            "models": [
                {"model": m, "column": COLUMN[m], "source": MODEL_SOURCES[m]} for m in self.models
            ],
            "parameters": self.params.meta(),
            "fallback_months": self.fallback_months,
            "professional_artist_months": self.professional_artist_months,
        }


def check_models(models: Sequence[str] | None) -> tuple[str, ...]:
    """The models to run, in display order, pro-rata (the baseline) always first."""
    chosen = list(models or MODELS)
    unknown = [m for m in chosen if m not in MODELS]
    if unknown:
        raise UsageError(f"no payout model called {unknown[0]!r}; choose from {', '.join(MODELS)}")
    return tuple(m for m in MODELS if m in chosen or m == "pro-rata")


def compare_population(
    path: str | Path,
    models: Sequence[str] | None = None,
    params: PopulationParams | None = None,
    *,
    since: datetime | None = None,
    until: datetime | None = None,
    scheduler: object = None,
    workers: int | None = None,
    memory_limit: str | None = None,
    progress: bool = False,
) -> PopulationResult:
    """Price a population's streams under each payout model.

    Args:
        path: a dataset folder (``royalty population import`` or ``generate``).
        models: any of ``pro-rata``, ``user-centric``, ``artist-centric``,
            ``threshold`` (default all; pro-rata is always computed, as the
            baseline of every change).
        params: fee, payout ratio, VAT, 30-second rule and ``scale``.
        since: pay only plays from this instant on (timezone-aware).
        until: pay only plays before this instant.
        scheduler: where to run: None (``DASK_SCHEDULER_ADDRESS``, else a new
            local cluster of worker processes), an address such as
            ``tcp://10.0.0.5:8786``, a ``distributed.Client``, or
            ``"in-process"`` (no Dask: for small populations).
        workers: worker processes of a new local cluster (default one per core).
        memory_limit: memory limit per worker of a new local cluster (``"2GB"``).
        progress: show Dask's progress bar on stderr.

    Raises:
        DataFormatError: ``path`` is not a population dataset.
        UsageError: a bad model, period, parameter or scheduler.

    Example:
        >>> result = compare_population("pop", scheduler="in-process")  # doctest: +SKIP
        >>> result.artists[["artist", "pro_rata", "user_centric"]].head(3)  # doctest: +SKIP
    """
    from royalty.population import engine
    from royalty.population.dataset import open_dataset
    from royalty.population.payouts import split

    chosen = check_models(models)
    params = params or PopulationParams()
    lo, hi = _bounds(since, until)
    info = open_dataset(path)
    layout = _layout(info, chosen, params, lo, hi)
    partial, stats = engine.run(
        info.bucket_paths, layout, params.listener_cap, scheduler=scheduler,
        workers=workers, memory_limit=memory_limit, progress=progress,
    )  # fmt: skip
    track_artist = _track_artists(info) if "threshold" in chosen else None
    payouts = split(partial, layout, params, track_artist)
    return PopulationResult(
        artists=_artists_frame(info, payouts),
        months=_months_frame(layout, payouts),
        models=chosen,
        params=params,
        dataset=_describe(info),
        since=since,
        until=until,
        fallback_months=payouts.fallback_months,
        professional_artist_months=payouts.professional,
        run=stats,
    )


def _bounds(since: datetime | None, until: datetime | None) -> tuple[int | None, int | None]:
    """The period as ms since the epoch, checked."""
    for name, value in (("since", since), ("until", until)):
        if value is not None and value.tzinfo is None:
            raise UsageError(f"{name} must be a timezone-aware time, got {value}")
    if since is not None and until is not None and since >= until:
        raise UsageError(f"since ({since.isoformat()}) must be before until ({until.isoformat()})")
    lo = None if since is None else int(since.timestamp() * 1000)
    hi = None if until is None else int(until.timestamp() * 1000)
    return lo, hi


def _layout(
    info: DatasetInfo,
    models: tuple[str, ...],
    params: PopulationParams,
    lo: int | None,
    hi: int | None,
) -> Any:
    """Every month of the dataset: the threshold looks back before the period."""
    import numpy as np

    from royalty.population.models import Layout

    if info.first_play is None or info.last_play is None:
        starts = np.array([], dtype="datetime64[M]")
    else:
        first, last = (
            np.datetime64(t.replace(tzinfo=None), "M") for t in (info.first_play, info.last_play)
        )
        starts = np.arange(first, last + 1, dtype="datetime64[M]")
    return Layout(
        starts=starts, artists=info.artists, tracks=info.tracks, since_ms=lo, until_ms=hi,
        min_ms=int(np.ceil(params.min_seconds * 1000)), models=models,
    )  # fmt: skip


def _track_artists(info: DatasetInfo) -> Any:
    """Artist id of each track id, from the tracks table."""
    import numpy as np
    import pyarrow.parquet as pq

    table = pq.read_table(info.tracks_path, columns=["track_id", "artist_id"])
    out = np.zeros(info.tracks, dtype=np.int64)
    out[table.column("track_id").to_numpy()] = table.column("artist_id").to_numpy()
    return out


def _artists_frame(info: DatasetInfo, payouts: Any) -> pd.DataFrame:
    """One row per artist with a paid stream, names joined from the artists table."""
    import numpy as np
    import pandas as pd
    import pyarrow.parquet as pq

    played = np.flatnonzero(payouts.plays > 0)
    table = pq.read_table(info.artists_path, columns=["artist_id", "artist"])
    names = np.empty(info.artists, dtype=object)
    names[table.column("artist_id").to_numpy()] = table.column("artist").to_pylist()
    frame = pd.DataFrame(
        {
            "artist": pd.array(names[played], dtype="str"),
            "plays": payouts.plays[played],
            "listeners": payouts.listeners[played],
        }
    )
    for model in payouts.models:
        frame[COLUMN[model]] = payouts.payout[model][played]
    frame = frame.sort_values(["pro_rata", "plays", "artist"], ascending=[False, False, True])
    return frame.reset_index(drop=True)


def _months_frame(layout: Any, payouts: Any) -> pd.DataFrame:
    """Pools per month, for the months of the period with a paying listener."""
    import pandas as pd

    keep = payouts.payers > 0
    return pd.DataFrame(
        {
            "month": [str(m) for m in layout.starts[keep]],
            "payers": payouts.payers[keep],
            "pool": payouts.pools[keep],
        }
    )


def _describe(info: DatasetInfo) -> dict[str, Any]:
    """The dataset's own summary, for headers and ``--with-meta``."""
    return {
        "path": str(info.path),
        "plays": info.plays,
        "listeners": info.listeners,
        "artists": info.artists,
        "synthetic": info.synthetic,
        "artist_names": info.artist_names,
        "first_play": None if info.first_play is None else info.first_play.isoformat(),
        "last_play": None if info.last_play is None else info.last_play.isoformat(),
        "sources": [dict(s) for s in info.sources],
        "generator": info.generator,
    }
