"""Row groups of whole listeners, the engine's pieces, and datasets written before them."""

from __future__ import annotations

import itertools
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow.parquet as pq
import pytest

from population_files import spark_rows, write_spark_folder
from population_helpers import dataset, random_plays, reference
from royalty.population import pieces as planning
from royalty.population import writer
from royalty.population.compare import compare_population
from royalty.population.dataset import DatasetInfo, open_dataset
from royalty.population.generate import GeneratorParams, generate_population
from royalty.population.importer import import_population
from royalty.population.params import COLUMN, MODELS, PopulationParams
from royalty.population.tables import row_group_cuts

PARAMS = PopulationParams(scale=50, listener_cap=40)


@pytest.fixture(scope="module")
def client() -> Iterator[Any]:
    from distributed import Client, LocalCluster

    with (
        LocalCluster(
            n_workers=2,
            threads_per_worker=1,
            dashboard_address=None,
            scheduler_kwargs={"dashboard_address": "127.0.0.1:0"},
        ) as cluster,
        Client(cluster, set_as_default=False) as cl,
    ):
        yield cl


def user_groups(path: Path) -> list[np.ndarray]:
    """The user ids of each row group of a bucket file."""
    parquet = pq.ParquetFile(path)
    return [
        parquet.read_row_group(g, columns=["user_id"])["user_id"].to_numpy()
        for g in range(parquet.num_row_groups)
    ]


def assert_whole_listeners(info: DatasetInfo, slice_rows: int, most_plays: int) -> None:
    """Every bucket has several row groups, none sharing a listener, none far past the size."""
    for path in info.bucket_paths:
        groups = user_groups(path)
        assert len(groups) > 1
        for before, after in itertools.pairwise(groups):
            assert before[-1] < after[0]  # sorted, and no listener on both sides
        assert all(len(g) < slice_rows + most_plays for g in groups)
        assert sum(len(g) for g in groups) == pq.ParquetFile(path).metadata.num_rows


def test_cuts_fall_between_listeners_and_are_even() -> None:
    users = np.repeat(np.arange(100), np.arange(1, 101))  # listener u has u + 1 plays
    cuts = row_group_cuts(users, 1000)
    assert cuts[0] == 0 and cuts[-1] == len(users)
    assert all(users[c - 1] != users[c] for c in cuts[1:-1])
    sizes = np.diff(cuts)
    assert len(sizes) == -(-len(users) // 1000)
    assert sizes.max() - sizes.min() <= 2 * 100  # even up to a listener's plays
    assert row_group_cuts(np.full(50, 7), 10) == [0, 50]  # one listener is never split
    assert row_group_cuts(np.zeros(0, dtype=np.int32), 10) == [0]


def test_written_generated_and_imported_buckets_hold_whole_listeners(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(writer, "SLICE_ROWS", 2_000)
    plays = random_plays(listeners=600, plays=20_000, artists=50, seed=3)
    info = dataset(plays, tmp_path / "written", buckets=2)
    assert_whole_listeners(info, 2_000, int(plays["user"].value_counts().max()))

    generated = generate_population(
        GeneratorParams(listeners=500, listens=30_000, seed=2, buckets=2), tmp_path / "gen"
    )
    assert_whole_listeners(generated, 2_000, 30_000 // 10)

    monkeypatch.setattr(writer, "SLICE_ROWS", 2)
    rows = spark_rows() + [
        {**spark_rows()[1], "listened_at": 1_600_001_000 + u, "user_id": u} for u in range(20, 30)
    ]
    import_population([write_spark_folder(tmp_path / "dump", rows)], tmp_path / "imp", buckets=1)
    groups = user_groups(open_dataset(tmp_path / "imp").bucket_paths[0])
    assert sum(len(g) for g in groups) == len(rows) - 1  # the sixth spark row has no artist
    assert len(groups) > 5  # groups of about two plays; the listener of three plays is whole
    for before, after in itertools.pairwise(groups):
        assert before[-1] < after[0]


def test_pieces_are_row_groups_cut_between_listeners(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(writer, "SLICE_ROWS", 2_000)
    plays = random_plays(listeners=600, plays=20_000, artists=50, seed=4)
    info = dataset(plays, tmp_path / "pop", buckets=2)
    groups = sum(pq.ParquetFile(p).num_row_groups for p in info.bucket_paths)

    monkeypatch.setattr(planning, "PIECE_ROWS", 1)
    pieces, total = planning.plan(info.bucket_paths)
    assert total == len(plays)
    assert len(pieces) == groups  # one task per row group
    assert [(p.stop or 0) - p.first for p in pieces] == [1] * groups
    assert sum(p.rows for p in pieces) == len(plays)

    monkeypatch.setattr(planning, "PIECE_ROWS", 5_000)
    gathered, _ = planning.plan(info.bucket_paths)
    assert len(gathered) < len(pieces)
    assert all(p.rows >= 5_000 or p.stop == pq.ParquetFile(p.path).num_row_groups for p in gathered)
    assert sum(p.rows for p in gathered) == len(plays)


def test_many_pieces_on_two_workers_equal_the_pandas_reference(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, client: Any
) -> None:
    monkeypatch.setattr(writer, "SLICE_ROWS", 3_000)
    plays = random_plays(listeners=2000, plays=40_000, artists=300, seed=8)
    info = dataset(plays, tmp_path / "pop", buckets=3)
    monkeypatch.setattr(planning, "PIECE_ROWS", 1)  # planned here, in the client
    assert len(planning.plan(info.bucket_paths)[0]) > 10
    result = compare_population(info.path, MODELS, PARAMS, scheduler=client)
    check_against_reference(result, plays)
    alone = compare_population(info.path, MODELS, PARAMS, scheduler="in-process")
    pd.testing.assert_frame_equal(alone.artists, result.artists, rtol=1e-12)


def test_a_dataset_written_before_whole_listener_row_groups_is_read_whole(
    tmp_path: Path, client: Any
) -> None:
    plays = random_plays(listeners=1500, plays=30_000, artists=200, seed=5)
    info = dataset(plays, tmp_path / "pop", buckets=3)
    old = tmp_path / "old"
    shutil.copytree(info.path, old)
    for bucket in open_dataset(old).bucket_paths:  # row groups of 700 rows, as before
        pq.write_table(pq.read_table(bucket), bucket, row_group_size=700)
    split = [g for p in open_dataset(old).bucket_paths for g in itertools.pairwise(user_groups(p))]
    assert any(before[-1] == after[0] for before, after in split)  # listeners span groups
    pieces, total = planning.plan(open_dataset(old).bucket_paths)
    assert total == len(plays)
    for piece in pieces:  # each piece ends where a listener ends: most are whole buckets
        groups = user_groups(Path(piece.path))
        stop = len(groups) if piece.stop is None else piece.stop
        assert stop == len(groups) or groups[stop - 1][-1] < groups[stop][0]
    result = compare_population(old, MODELS, PARAMS, scheduler=client)
    check_against_reference(result, plays)
    new = compare_population(info.path, MODELS, PARAMS, scheduler=client)
    pd.testing.assert_frame_equal(result.artists, new.artists, rtol=1e-12)


def test_a_bucket_without_user_statistics_is_one_piece(tmp_path: Path) -> None:
    plays = random_plays(listeners=300, plays=5_000, artists=30, seed=6)
    info = dataset(plays, tmp_path / "pop", buckets=1)
    (bucket,) = info.bucket_paths
    pq.write_table(pq.read_table(bucket), bucket, row_group_size=100, write_statistics=False)
    pieces, total = planning.plan(info.bucket_paths)
    assert [(p.first, p.stop) for p in pieces] == [(0, pq.ParquetFile(bucket).num_row_groups)]
    assert total == len(plays)
    result = compare_population(info.path, MODELS, PARAMS, scheduler="in-process")
    check_against_reference(result, plays)


def test_an_unreadable_footer_is_planned_whole_and_bounds_nothing(tmp_path: Path) -> None:
    plays = random_plays(listeners=300, plays=5_000, artists=30, seed=6)
    info = dataset(plays, tmp_path / "pop", buckets=2)
    info.bucket_paths[1].write_bytes(b"PAR1 not parquet")
    pieces, total = planning.plan(info.bucket_paths)
    assert total is None
    assert pieces[-1] == planning.Piece(str(info.bucket_paths[1]))


def check_against_reference(result: Any, plays: pd.DataFrame) -> None:
    ref = reference(plays, PARAMS)
    got = result.artists.set_index("artist").loc[ref.index]
    assert got["plays"].tolist() == ref["plays"].tolist()
    assert got["listeners"].tolist() == ref["listeners"].tolist()
    for model in result.models:
        np.testing.assert_allclose(got[COLUMN[model]], ref[COLUMN[model]], rtol=1e-9, atol=1e-9)


def test_a_boundary_is_cut_only_where_both_sides_show_their_listeners() -> None:
    # A writer may leave statistics out of some row groups (or some columns).
    assert planning._apart(4, 5)
    assert not planning._apart(5, 5)  # listener 5 ends one group and starts the next
    assert not planning._apart(None, 5) and not planning._apart(4, None)


def test_a_map_task_reads_without_loading_pandas(tmp_path: Path) -> None:
    # pyarrow's to_numpy and fill_null import pandas: 0.2 s in each new worker's first task.
    import subprocess
    import sys

    plays = random_plays(listeners=200, plays=3_000, artists=20, seed=1)
    plays.loc[plays.index[:50], "duration_ms"] = None  # unknown durations count as streams
    info = dataset(plays, tmp_path / "pop", buckets=1)
    script = f"""
import sys
from royalty.population import engine, models, pieces
import numpy as np
(piece,), plays = pieces.plan([{str(info.bucket_paths[0])!r}])
starts = np.arange(np.datetime64("2023-01"), np.datetime64("2024-03"), dtype="M8[M]")
layout = models.Layout(starts, {info.artists}, {info.tracks}, plays=plays)
part = engine.piece_task(piece, layout, 40)
print(int(part.streams.sum()), "pandas" in sys.modules)
"""
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    streams = int((plays["duration_ms"].isna() | (plays["duration_ms"] >= 30_000)).sum())
    assert out.stdout.split() == [str(streams), "False"]
