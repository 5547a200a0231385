"""Run the population models on Dask: a map over pieces of buckets and a tree of sums.

The only module that imports Dask. Each task reads a piece of a bucket (one
row group or a few: :func:`~royalty.population.pieces.plan` cuts them where
no listener spans the cut) with pyarrow, takes its integer columns and
returns their :class:`~royalty.population.models.Partial`; partials are
added eight at a time up to one. Pieces of about a million plays keep every
worker busy to the end even with few buckets, and Dask orders the graph so
sums run as soon as their inputs exist, so a worker holds about one row
group's plays and a few partials at a time, whatever the dataset's size. No
plays cross between workers: only the per-artist arrays do.

The graph is built with ``dask.delayed`` rather than ``dask.dataframe``: a
dataframe partition is a pandas frame, so each bucket would become one and
each result a frame again, conversions the counting has no use for (it works
on numpy arrays straight from pyarrow).

The two rules that need counts over the whole population (an artist's
streams and listeners in a month, for artist-centric; a track's streams over
12 months, for the threshold) need no pass before the map: an artist-month's
double weight multiplies that cell's summed capped streams, and a track's
eligibility multiplies its summed streams, so both are applied to the summed
counts (:mod:`royalty.population.payouts`).

The cluster is, in order of preference: a ``distributed.Client`` passed in,
the ``scheduler`` address (``tcp://HOST:8786``), the ``DASK_SCHEDULER_ADDRESS``
environment variable, or a new ``LocalCluster`` of worker processes (one per
core, one thread each), closed when the run ends. ``scheduler="in-process"``
runs the same functions one bucket after another in this process, without
Dask (for small populations, notebooks and tests).
"""

from __future__ import annotations

import contextlib
import logging
import os
import sys
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Final

from royalty.errors import RoyaltyError, UsageError
from royalty.population.models import Layout, Partial, bucket_partial
from royalty.population.pieces import Piece, plan, read_chunks

IN_PROCESS: Final = "in-process"
"""The ``scheduler`` value that runs without Dask, in this process."""
ENV_SCHEDULER: Final = "DASK_SCHEDULER_ADDRESS"
"""Environment variable naming an existing scheduler (Dask's own name for it)."""
SPLIT_EVERY: Final = 8
"""Partials added by one task of the reduction tree."""
MALLOC_SETTINGS: Final = {
    # Dask's nanny sets glibc's trim threshold to 64 KiB, so every bucket's freed
    # arrays go back to the system and the next bucket faults them in again;
    # 256 MiB keeps about one bucket's working memory.
    "MALLOC_TRIM_THRESHOLD_": str(256 * 2**20),
    # Setting the trim threshold also pins glibc's mmap threshold at 128 KiB: every
    # array of a task would be mapped and faulted in afresh (20 M plays in one
    # process: 340,000 page faults and 2.4 s, against 12,000 and 1.6 s with 32 MiB).
    "MALLOC_MMAP_THRESHOLD_": str(32 * 2**20),
    # Tasks run in a thread of the worker, and glibc gives such threads arenas of
    # their own whose heaps go back to the system as they empty (20 M plays in a
    # thread: 19,000 page faults a run, against 2,800 in the one main arena).
    "MALLOC_ARENA_MAX": "1",
}
"""glibc's memory settings for the worker processes of the local cluster royalty starts."""
LOCAL_WORKER_CONFIG: Final[dict[str, object]] = {
    # The sampling profiler feeds only the dashboard, which a local run does not start.
    "distributed.worker.profile.enabled": False,
    **{f"distributed.nanny.pre-spawn-environ.{k}": v for k, v in MALLOC_SETTINGS.items()},
}
"""Dask settings of the local cluster royalty starts (a cluster of yours keeps its own)."""


@dataclass(frozen=True)
class RunStats:
    """How a run went.

    Attributes:
        workers: worker processes used (0 in process).
        scheduler: the scheduler's address, ``local`` or ``in-process``.
        seconds: wall time of the map and reduction (not the cluster's start).
        peak_worker_mb: the highest peak resident memory of any worker, in MB
            (None when unknown, or in process).
    """

    workers: int
    scheduler: str
    seconds: float
    peak_worker_mb: float | None


def piece_task(piece: Piece, layout: Layout, cap: int) -> Partial:
    """One map task: read a piece of a bucket, row group by row group, and count it."""
    total = None
    tracks = "threshold" in layout.models
    for cols in read_chunks(Path(piece.path), tracks=tracks, first=piece.first, stop=piece.stop):
        part = bucket_partial(cols, layout, cap)
        total = part if total is None else total + part
    return _or_empty(total, layout)


def add_partials(*parts: Partial) -> Partial:
    """One reduction task: the sum of some partials."""
    total = parts[0]
    for part in parts[1:]:
        total = total + part
    return total


def run(
    paths: Sequence[Path],
    layout: Layout,
    cap: int,
    *,
    scheduler: object = None,
    workers: int | None = None,
    memory_limit: str | None = None,
    progress: bool = False,
) -> tuple[Partial, RunStats]:
    """Count every bucket and add the counts up.

    Args:
        paths: the bucket files.
        layout: months and sizes shared by every bucket.
        cap: the artist-centric monthly cap per listener.
        scheduler: a ``distributed.Client``, a scheduler address, ``"in-process"``,
            or None (``DASK_SCHEDULER_ADDRESS``, else a new local cluster).
        workers: worker processes of a new local cluster (default: one per core).
        memory_limit: memory limit of each worker of a new local cluster
            (for example ``"2GB"``; default: the machine's memory shared out).
        progress: draw Dask's progress bar on stderr.

    Raises:
        UsageError: the scheduler cannot be reached, or ``workers`` is below 1.
        RoyaltyError: a worker died (for example out of memory).
    """
    if workers is not None and workers < 1:
        raise UsageError(f"--workers must be at least 1, got {workers}")
    if scheduler == IN_PROCESS:
        start = time.perf_counter()
        pieces, plays = plan(paths)
        layout = replace(layout, plays=plays)
        total = None
        for piece in pieces:  # one piece at a time, added up as it goes
            part = piece_task(piece, layout, cap)
            total = part if total is None else total + part
        seconds = time.perf_counter() - start
        return _or_empty(total, layout), RunStats(0, IN_PROCESS, seconds, None)
    with _client(scheduler, workers, memory_limit) as (client, where):
        client.run(_warm_up)  # part of starting the workers, not of the run's time
        _warm_up()  # and here, where pyarrow reads the footers
        start = time.perf_counter()
        pieces, plays = plan(paths)
        layout = replace(layout, plays=plays)
        total = _compute(client, pieces, layout, cap, progress) if pieces else None
        seconds = time.perf_counter() - start
        peak = _peak_mb(client)
        count = len(client.scheduler_info(n_workers=-1).get("workers", {}))
    return _or_empty(total, layout), RunStats(count, where, seconds, peak)


def _or_empty(total: Partial | None, layout: Layout) -> Partial:
    from royalty.population.models import empty_partial

    return empty_partial(layout) if total is None else total


def _compute(client: Any, pieces: Sequence[Piece], layout: Layout, cap: int, show: bool) -> Partial:
    """Build the map-and-sum graph and compute it on ``client``."""
    from dask.delayed import delayed
    from distributed import KilledWorker

    level = [delayed(piece_task, pure=False)(piece, layout, cap) for piece in pieces]
    while len(level) > 1:
        level = [
            delayed(add_partials, pure=False)(*level[i : i + SPLIT_EVERY])
            for i in range(0, len(level), SPLIT_EVERY)
        ]
    future = client.compute(level[0])
    try:
        if show:
            from distributed.diagnostics.progressbar import TextProgressBar

            # The bar draws on stdout: send it to stderr, so output stays clean.
            # It is given the scheduler: our clients are never the default one.
            with contextlib.redirect_stdout(sys.stderr):
                TextProgressBar([future], scheduler=client.scheduler.address)  # type: ignore[no-untyped-call]
        result: Partial = future.result()
    except KilledWorker as exc:
        raise RoyaltyError(
            f"a Dask worker died while counting the buckets ({exc}); give the workers more "
            "memory or import the dataset with more --buckets"
        ) from None
    return result


@contextlib.contextmanager
def _client(
    scheduler: object, workers: int | None, memory_limit: str | None
) -> Iterator[tuple[Any, str]]:
    """The client to run on, and where it runs; a local cluster is closed afterwards."""
    from distributed import Client

    if isinstance(scheduler, Client):
        yield scheduler, str(scheduler.scheduler_info().get("address", "a given client"))
        return
    address = scheduler if isinstance(scheduler, str) else os.environ.get(ENV_SCHEDULER)
    if address:
        try:
            client = Client(address, set_as_default=False)  # type: ignore[no-untyped-call]
        except (OSError, TimeoutError, ValueError) as exc:
            raise UsageError(
                f"cannot reach the Dask scheduler at {address} ({exc}); start one with "
                "`dask scheduler` and `dask worker`, or leave out --scheduler "
                f"and {ENV_SCHEDULER} to run on this machine"
            ) from None
        with client:
            yield client, address
        return
    import dask
    from distributed import LocalCluster

    n = workers or os.cpu_count() or 1
    # Read by the workers as they start. The nanny lets this process's environment
    # win over its settings, and leaves its own there (64 KiB after any other
    # cluster): ours go in for the start and the environment is put back after.
    with dask.config.set(LOCAL_WORKER_CONFIG), _environ(MALLOC_SETTINGS):
        cluster = LocalCluster(  # type: ignore[no-untyped-call]
            n_workers=n,
            threads_per_worker=1,
            processes=True,
            dashboard_address=None,
            # No dashboard, and no HTTP server on Dask's usual port 8787 either
            # (busy when the user runs another cluster: Dask would warn).
            scheduler_kwargs={"dashboard_address": "127.0.0.1:0"},
            memory_limit=memory_limit or "auto",
            silence_logs=logging.ERROR,
        )
    # Results come straight from the workers, not through the scheduler: one hop
    # less for the summed counts (5.6 MB on 20 M plays: 6 ms against 13 ms).
    with (
        cluster,
        Client(cluster, set_as_default=False, direct_to_workers=True) as client,  # type: ignore[no-untyped-call]
    ):
        yield client, "local"


@contextlib.contextmanager
def _environ(values: dict[str, str]) -> Iterator[None]:
    """Set environment variables of this process, and put back what was there after."""
    before = {k: os.environ.get(k) for k in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for key, value in before.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def _warm_up() -> None:
    """Import what a map task and the planning need (on each worker and here, before the timer)."""
    import pyarrow.compute
    import pyarrow.parquet  # noqa: F401


def _peak_mb(client: Any) -> float | None:
    """The highest peak resident memory of the workers, in MB (Linux and macOS)."""
    try:
        peaks = client.run(_worker_peak_mb)
    except Exception:  # diagnostics only: never fail a finished run over them
        return None
    return max(peaks.values()) if peaks else None


def _worker_peak_mb() -> float:
    """This process's peak resident memory in MB (runs on a worker).

    On Linux it is the address space's high-water mark (``VmHWM``): the
    ``ru_maxrss`` of a worker the nanny started carries over the peak of the
    process that forked it (a big parent made idle workers look 600 MB large).
    """
    import resource

    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except (OSError, ValueError):
        pass
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / (1024 * 1024) if sys.platform == "darwin" else peak / 1024
