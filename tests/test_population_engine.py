"""The engine on Dask: each model equals the pandas reference, every month pays its pool."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

from population_helpers import dataset, random_plays, reference
from royalty.errors import DataFormatError, UsageError
from royalty.population.compare import compare_population
from royalty.population.params import COLUMN, MODELS, PopulationParams

PARAMS = PopulationParams(scale=50, listener_cap=40)  # thresholds that bite at this size
NO_HTTP: dict[str, Any] = {"scheduler_kwargs": {"dashboard_address": "127.0.0.1:0"}}
"""Schedulers on any free port: two clusters at once must not both want Dask's 8787."""


@pytest.fixture(scope="module")
def population(tmp_path_factory: pytest.TempPathFactory) -> tuple[pd.DataFrame, Path]:
    plays = random_plays(listeners=3000, plays=60_000, artists=400, seed=7)
    path = tmp_path_factory.mktemp("pop") / "pop"
    dataset(plays, path, buckets=6)
    return plays, path


@pytest.fixture(scope="session")
def client() -> Iterator[Any]:
    """One LocalCluster of two worker processes for every test that needs one."""
    from distributed import Client, LocalCluster

    with (
        LocalCluster(n_workers=2, threads_per_worker=1, dashboard_address=None, **NO_HTTP) as c,
        Client(c, set_as_default=False) as cl,
    ):
        yield cl


def check_against_reference(result: Any, plays: pd.DataFrame, params: PopulationParams) -> None:
    ref = reference(plays, params)
    got = result.artists.set_index("artist")
    assert sorted(got.index) == sorted(ref.index)
    got = got.loc[ref.index]
    assert got["plays"].tolist() == ref["plays"].tolist()
    assert got["listeners"].tolist() == ref["listeners"].tolist()
    for model in result.models:
        col = COLUMN[model]
        np.testing.assert_allclose(got[col], ref[col], rtol=1e-9, atol=1e-9, err_msg=model)


def test_every_model_equals_the_pandas_reference_on_a_cluster(
    population: tuple[pd.DataFrame, Path], client: Any
) -> None:
    plays, path = population
    result = compare_population(path, MODELS, PARAMS, scheduler=client)
    assert result.models == MODELS
    check_against_reference(result, plays, PARAMS)
    assert result.run is not None and result.run.workers == 2
    assert result.professional_artist_months > 0  # the artist-centric rule did something
    assert (result.artists["threshold"] == 0).any()  # and the floor too


def test_every_month_pays_out_its_pool_exactly(
    population: tuple[pd.DataFrame, Path], client: Any
) -> None:
    _, path = population
    result = compare_population(path, MODELS, PARAMS, scheduler=client)
    pool = result.months["pool"].sum()
    assert pool == pytest.approx(result.months["payers"].sum() * PARAMS.pool_per_listener)
    for column in result.columns:
        assert result.artists[column].sum() == pytest.approx(pool, rel=1e-12), column


def test_in_process_gives_the_same_numbers(
    population: tuple[pd.DataFrame, Path], client: Any
) -> None:
    _, path = population
    on_dask = compare_population(path, MODELS, PARAMS, scheduler=client).artists
    local = compare_population(path, MODELS, PARAMS, scheduler="in-process").artists
    pd.testing.assert_frame_equal(on_dask, local, rtol=1e-12)


def test_a_period_pays_only_its_plays(population: tuple[pd.DataFrame, Path]) -> None:
    plays, path = population
    since, until = datetime(2023, 4, 1, tzinfo=UTC), datetime(2023, 9, 1, tzinfo=UTC)
    params = PopulationParams(scale=50, listener_cap=40)
    result = compare_population(
        path, ("pro-rata", "user-centric"), params, since=since, until=until,
        scheduler="in-process",
    )  # fmt: skip
    inside = plays[(plays["played_at"] >= since) & (plays["played_at"] < until)]
    ref = reference(inside, params)
    got = result.artists.set_index("artist").loc[ref.index]
    np.testing.assert_allclose(got["pro_rata"], ref["pro_rata"], rtol=1e-9)
    np.testing.assert_allclose(got["user_centric"], ref["user_centric"], rtol=1e-9)
    assert result.months["month"].tolist() == [f"2023-0{m}" for m in range(4, 9)]


def test_only_chosen_models_and_pro_rata_always(population: tuple[pd.DataFrame, Path]) -> None:
    _, path = population
    result = compare_population(path, ["threshold"], PARAMS, scheduler="in-process")
    assert result.models == ("pro-rata", "threshold")
    assert list(result.artists.columns) == ["artist", "plays", "listeners", "pro_rata", "threshold"]


def test_bad_input_is_a_royalty_error(tmp_path: Path) -> None:
    with pytest.raises(DataFormatError):
        compare_population(tmp_path, scheduler="in-process")
    with pytest.raises(UsageError, match="payout model"):
        compare_population(tmp_path, ["market"], scheduler="in-process")
    later = datetime(2024, 1, 1, tzinfo=UTC)
    with pytest.raises(UsageError, match="before"):
        compare_population(tmp_path, since=later, until=later, scheduler="in-process")


def copy_times(info: Any, target: Path, times: int) -> int:
    """A dataset of every bucket of ``info`` ``times`` over: each listener appears that many
    times (in as many buckets), so every count and payout is that many times the original's."""
    import json
    import shutil

    gen = target / info.generation.name
    (gen / "buckets").mkdir(parents=True)
    for name in ("artists.parquet", "tracks.parquet", "users.parquet"):
        shutil.copy(info.generation / name, gen / name)
    index = 0
    for _ in range(times):
        for path in info.bucket_paths:
            shutil.copy(path, gen / "buckets" / f"bucket-{index:05d}.parquet")
            index += 1
    meta = json.loads((info.path / "population.json").read_text("utf-8"))
    meta.update(buckets=index, plays=meta["plays"] * times)
    (target / "population.json").write_text(json.dumps(meta), "utf-8")
    return index


def test_out_of_core_a_dataset_three_times_a_workers_memory_limit(tmp_path: Path) -> None:
    import dask
    from distributed import Client, LocalCluster

    from royalty.population.dataset import open_dataset
    from royalty.population.generate import GeneratorParams, generate_population

    small = generate_population(
        GeneratorParams(listeners=10_000, listens=1_000_000, seed=3, buckets=8), tmp_path / "s"
    )
    copies = 75
    copy_times(small, tmp_path / "big", copies)
    big = open_dataset(tmp_path / "big")
    # A worker with numpy, pyarrow and Dask loaded takes 280 to 370 MB under
    # pytest (more late in the suite than alone), and holds a few partials
    # (tens of MB) besides the row group it counts, so the limit cannot go
    # much lower without the nanny killing an idle worker.
    limit = 700_000_000  # bytes
    # What the engine reads of every play (5 integer columns, 28 bytes): the
    # whole dataset at once would need three times a worker's memory limit.
    assert big.plays * 28 >= 3 * limit
    memory = {
        # no pausing or spilling: only the nanny's kill at 95 % of the limit
        "distributed.worker.memory.target": False,
        "distributed.worker.memory.spill": False,
        "distributed.worker.memory.pause": False,
    }
    models = ("pro-rata", "user-centric", "artist-centric")
    with (
        dask.config.set(memory),
        LocalCluster(n_workers=2, threads_per_worker=1, dashboard_address=None,
                     memory_limit=limit, **NO_HTTP) as cluster,
        Client(cluster, set_as_default=False) as client,
    ):  # fmt: skip
        result = compare_population(big.path, models, scheduler=client)
    assert result.run is not None and result.run.peak_worker_mb is not None
    assert result.run.peak_worker_mb * 2**20 < limit  # (the kill is at 95 %)
    # the copies reach the artist-centric thresholds as the original does at that scale
    once = compare_population(
        small.path, models, PopulationParams(scale=copies), scheduler="in-process"
    )
    pd.testing.assert_series_equal(result.artists["plays"], once.artists["plays"] * copies)
    for column in ("pro_rata", "user_centric", "artist_centric"):
        np.testing.assert_allclose(result.artists[column], once.artists[column] * copies, rtol=1e-9)


def test_progress_bar_goes_to_stderr_and_output_stays_clean(
    population: tuple[pd.DataFrame, Path], client: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    _, path = population
    compare_population(path, ("pro-rata",), PARAMS, scheduler=client, progress=True)
    captured = capsys.readouterr()
    assert captured.out == ""
    assert "Completed" in captured.err


def test_the_default_local_cluster_starts_beside_another_and_closes(
    population: tuple[pd.DataFrame, Path], client: Any
) -> None:
    # `client`'s cluster is running: the engine's own must not want its ports
    # (a warning here is an error in the suite).
    _, path = population
    result = compare_population(path, ("pro-rata",), PARAMS, workers=2)
    assert result.run is not None
    assert (result.run.scheduler, result.run.workers) == ("local", 2)
    assert result.run.peak_worker_mb is not None and result.run.peak_worker_mb > 0


def test_the_local_cluster_workers_keep_their_freed_memory(client: Any) -> None:
    # glibc hands blocks above its mmap threshold back at once; the nanny's trim
    # setting pins that threshold at 128 KiB, so every array of a task would be
    # mapped and faulted in afresh. Both settings reach the worker processes,
    # even after another cluster (`client`'s) left Dask's own in this process.
    import os

    from royalty.population import engine

    before = dict(os.environ)
    with engine._client(None, 1, None) as (local, where):
        env = local.run(lambda: {k: v for k, v in os.environ.items() if k.startswith("MALLOC_")})
        assert local.direct_to_workers  # results skip the scheduler's hop
    assert where == "local"
    (seen,) = env.values()
    assert seen["MALLOC_MMAP_THRESHOLD_"] == str(32 * 2**20)
    assert seen["MALLOC_TRIM_THRESHOLD_"] == str(256 * 2**20)
    assert seen["MALLOC_ARENA_MAX"] == "1"
    assert dict(os.environ) == before  # and this process's environment is as it was


def test_a_generated_population_equals_the_pandas_reference(tmp_path: Path, client: Any) -> None:
    from royalty.population.dataset import read_bucket
    from royalty.population.generate import GeneratorParams, generate_population

    info = generate_population(
        GeneratorParams(listeners=3000, listens=80_000, seed=9, buckets=4), tmp_path / "g"
    )
    frames = [read_bucket(p) for p in info.bucket_paths]
    plays = pd.concat(frames, ignore_index=True)
    for column in ("user", "artist", "track"):
        plays[column] = plays[column].astype(str)
    params = PopulationParams(scale=100, listener_cap=60)
    result = compare_population(info.path, MODELS, params, scheduler=client)
    check_against_reference(result, plays, params)
    assert result.professional_artist_months > 0 and (result.artists["threshold"] == 0).any()


def test_buckets_of_many_row_groups_give_the_same_payouts(
    population: tuple[pd.DataFrame, Path], tmp_path: Path
) -> None:
    import shutil

    import pyarrow.parquet as pq

    from royalty.population.dataset import open_dataset
    from royalty.population.pieces import read_chunks

    _, path = population
    copy = tmp_path / "pop"
    shutil.copytree(path, copy)
    info = open_dataset(copy)
    for bucket in info.bucket_paths:  # the same rows, in row groups of 500
        pq.write_table(pq.read_table(bucket), bucket, row_group_size=500)
    assert pq.ParquetFile(info.bucket_paths[0]).num_row_groups > 10
    # each chunk holds whole listeners: none is split between two chunks
    chunks = list(read_chunks(info.bucket_paths[0]))
    firsts = [int(c.user_id[0]) for c in chunks]
    lasts = [int(c.user_id[-1]) for c in chunks]
    assert all(last < first for last, first in zip(lasts, firsts[1:], strict=False))
    assert (
        sum(len(c.user_id) for c in chunks)
        == pq.ParquetFile(info.bucket_paths[0]).metadata.num_rows
    )
    whole = compare_population(path, MODELS, PARAMS, scheduler="in-process").artists
    grouped = compare_population(copy, MODELS, PARAMS, scheduler="in-process").artists
    pd.testing.assert_frame_equal(grouped, whole, rtol=1e-12)


def test_a_damaged_bucket_is_a_data_format_error_from_the_workers(
    population: tuple[pd.DataFrame, Path], tmp_path: Path, client: Any
) -> None:
    import shutil

    from royalty.population.dataset import open_dataset

    _, path = population
    copy = tmp_path / "pop"
    shutil.copytree(path, copy)
    open_dataset(copy).bucket_paths[2].write_bytes(b"PAR1 this is not parquet")
    for scheduler in (client, "in-process"):
        with pytest.raises(DataFormatError, match=r"cannot read the bucket .*bucket-00002"):
            compare_population(copy, ("pro-rata",), PARAMS, scheduler=scheduler)


def test_a_workers_peak_memory_is_its_own_not_its_parents() -> None:
    import multiprocessing

    from royalty.population.engine import _worker_peak_mb

    held = bytearray(300 * 2**20)  # this process now holds 300 MB more
    held[::4096] = b"\x01" * len(held[::4096])
    with multiprocessing.get_context("spawn").Pool(1) as pool:
        child = pool.apply(_worker_peak_mb)
    # A fresh interpreter that imported nothing of ours: far below what its parent holds.
    assert child < 150
    assert _worker_peak_mb() > 300
