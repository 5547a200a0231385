"""Import semantics: idempotence, the multiset merge, stable ids, and runs killed part-way."""

from __future__ import annotations

import hashlib
import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from population_files import spark_rows, write_spark_folder
from royalty.population import writer
from royalty.population.dataset import open_dataset, read_bucket, read_table
from royalty.population.importer import import_population

ROOT = Path(__file__).resolve().parents[1]


def snapshot(folder: Path) -> dict[str, str]:
    """Every file under ``folder`` by path, with a hash of its bytes."""
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def content(folder: Path) -> tuple[pd.DataFrame, list[pd.DataFrame]]:
    """The dataset's plays (in bucket order) and its id tables."""
    info = open_dataset(folder)
    plays = pd.concat([read_bucket(p) for p in info.bucket_paths], ignore_index=True)
    plays = plays.astype(dict.fromkeys(("user", "artist", "track", "album", "source"), "object"))
    tables = [read_table(p) for p in (info.artists_path, info.tracks_path, info.users_path)]
    return plays, tables


def assert_same(a: Path, b: Path) -> None:
    plays_a, tables_a = content(a)
    plays_b, tables_b = content(b)
    pd.testing.assert_frame_equal(plays_a, plays_b, check_categorical=False)
    for x, y in zip(tables_a, tables_b, strict=True):
        pd.testing.assert_frame_equal(x, y)
    bucket_bytes = [snapshot(open_dataset(f).generation / "buckets") for f in (a, b)]
    assert bucket_bytes[0] == bucket_bytes[1]


def more_rows() -> list[dict[str, object]]:
    """The spark rows plus a new artist and twenty new listeners (new plays in every bucket)."""
    extra = [
        {**spark_rows()[0], "listened_at": 1_600_000_600, "user_id": 11, "artist_name": "Can"},
        {**spark_rows()[2], "listened_at": 1_600_000_700},
    ]
    extra += [
        {**spark_rows()[1], "listened_at": 1_600_001_000 + u, "user_id": u} for u in range(20, 40)
    ]
    return spark_rows() + extra


def test_reimport_changes_nothing_byte_for_byte(tmp_path: Path) -> None:
    src = write_spark_folder(tmp_path / "dump")
    first = import_population([src], tmp_path / "pop", buckets=2)
    before = snapshot(tmp_path / "pop")
    again = import_population([src], tmp_path / "pop")
    assert (again.read, again.added, again.created) == (first.read, 0, False)
    assert snapshot(tmp_path / "pop") == before


def test_new_plays_are_added_and_ids_stay_stable(tmp_path: Path) -> None:
    import_population([write_spark_folder(tmp_path / "d1")], tmp_path / "pop", buckets=2)
    _, (artists, tracks, users) = content(tmp_path / "pop")
    result = import_population([write_spark_folder(tmp_path / "d2", more_rows())], tmp_path / "pop")
    assert result.added == 22 and result.dataset.plays == 27
    _, (artists2, tracks2, users2) = content(tmp_path / "pop")
    # Existing names keep their ids; new ones are appended.
    for old, new in ((artists, artists2), (tracks, tracks2), (users, users2)):
        pd.testing.assert_frame_equal(old, new.head(len(old)))
    assert artists2["artist"].tolist()[len(artists) :] == ["Can"]
    assert users2["user"].tolist()[len(users) :] == ["11"] + [str(u) for u in range(20, 40)]
    # The same as importing everything at once, apart from id order.
    import_population([tmp_path / "d2"], tmp_path / "fresh", buckets=2)
    keys = ["user", "played_at", "artist", "track"]
    merged = content(tmp_path / "pop")[0][keys].sort_values(keys, ignore_index=True)
    fresh = content(tmp_path / "fresh")[0][keys].sort_values(keys, ignore_index=True)
    pd.testing.assert_frame_equal(merged, fresh)


def test_merge_keeps_the_larger_count_of_identical_plays(tmp_path: Path) -> None:
    row = spark_rows()[0]
    import_population([write_spark_folder(tmp_path / "two", [row, row])], tmp_path / "pop")
    assert open_dataset(tmp_path / "pop").plays == 2  # two identical rows are two plays
    one = import_population([write_spark_folder(tmp_path / "one", [row])], tmp_path / "pop")
    assert one.added == 0 and one.dataset.plays == 2
    three = import_population(
        [write_spark_folder(tmp_path / "three", [row, row, row])], tmp_path / "pop"
    )
    assert three.added == 1 and three.dataset.plays == 3


def test_buckets_of_an_existing_dataset_cannot_change(tmp_path: Path) -> None:
    from royalty.errors import UsageError

    src = write_spark_folder(tmp_path / "dump")
    import_population([src], tmp_path / "pop", buckets=2)
    before = snapshot(tmp_path / "pop")
    with pytest.raises(UsageError, match="has 2 buckets"):
        import_population([src], tmp_path / "pop", buckets=3)
    assert snapshot(tmp_path / "pop") == before


def test_default_buckets_follow_the_sources_size(tmp_path: Path) -> None:
    from royalty.population.importer import BUCKET_BYTES, default_buckets
    from royalty.population.sources import open_source

    src = open_source(write_spark_folder(tmp_path / "dump"))
    assert default_buckets([src]) == 1
    big = type(src)(kind=src.kind, path=src.path, size=10 * BUCKET_BYTES, reader=src.reader)
    assert default_buckets([big]) == 10
    more = type(src)(kind=src.kind, path=src.path, size=10 * BUCKET_BYTES + 1, reader=src.reader)
    assert default_buckets([more]) == 11  # no bucket above the aim


def test_a_failure_part_way_leaves_the_dataset_and_a_rerun_completes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import_population([write_spark_folder(tmp_path / "d1")], tmp_path / "pop", buckets=3)
    before = snapshot(tmp_path / "pop")
    import_population([tmp_path / "d1"], tmp_path / "ref", buckets=3)
    calls = []
    real = writer.Generation.write_bucket

    def failing(self: writer.Generation, index: int, *args: object) -> None:
        calls.append(index)
        if len(calls) == 2:
            raise OSError("disk full")
        real(self, index, *args)  # type: ignore[arg-type]

    monkeypatch.setattr(writer.Generation, "write_bucket", failing)
    d2 = write_spark_folder(tmp_path / "d2", more_rows())
    with pytest.raises(OSError, match="disk full"):
        import_population([d2], tmp_path / "pop")
    assert snapshot(tmp_path / "pop") == before  # the failed run's folder is gone
    monkeypatch.setattr(writer.Generation, "write_bucket", real)
    import_population([d2], tmp_path / "pop")
    import_population([d2], tmp_path / "ref")
    assert_same(tmp_path / "pop", tmp_path / "ref")


KILLER = textwrap.dedent(
    """
    import os, signal, sys
    from royalty.population import writer
    from royalty.population.importer import import_population

    real = writer.Generation.write_bucket
    seen = []

    def write_then_die(self, index, *args):
        real(self, index, *args)
        seen.append(index)
        if len(seen) == int(sys.argv[3]):
            os.kill(os.getpid(), signal.SIGKILL)

    writer.Generation.write_bucket = write_then_die
    import_population([sys.argv[1]], sys.argv[2])
    """
)


@pytest.mark.parametrize("after", [1, 3])
def test_an_import_killed_part_way_then_rerun_equals_an_uninterrupted_one(
    tmp_path: Path, after: int
) -> None:
    import_population([write_spark_folder(tmp_path / "d1")], tmp_path / "pop", buckets=4)
    import_population([tmp_path / "d1"], tmp_path / "ref", buckets=4)
    before = snapshot(tmp_path / "pop")
    d2 = write_spark_folder(tmp_path / "d2", more_rows())
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    proc = subprocess.run(
        [sys.executable, "-c", KILLER, str(d2), str(tmp_path / "pop"), str(after)],
        env=env, capture_output=True, text=True, check=False, timeout=120,
    )  # fmt: skip
    assert proc.returncode == -signal.SIGKILL, proc.stderr
    # The killed run left a half-written generation beside the intact dataset.
    left = snapshot(tmp_path / "pop")
    assert {k: v for k, v in left.items() if k in before} == before
    assert len(left) > len(before)
    assert open_dataset(tmp_path / "pop").plays == 5
    import_population([d2], tmp_path / "pop")
    import_population([d2], tmp_path / "ref")
    assert_same(tmp_path / "pop", tmp_path / "ref")
    assert sorted(p.name for p in (tmp_path / "pop").iterdir()) == [
        ".lock", open_dataset(tmp_path / "pop").generation.name, "population.json"
    ]  # fmt: skip


keys = st.lists(st.tuples(st.integers(0, 2), st.integers(0, 2), st.integers(0, 2)), max_size=25)


@given(old=keys, batches=st.lists(keys, min_size=1, max_size=3))
def test_merge_keeps_the_largest_count_of_any_batch(
    old: list[tuple[int, int, int]], batches: list[list[tuple[int, int, int]]]
) -> None:
    from collections import Counter

    import pyarrow as pa

    from royalty.population.importer import _merge

    rows = [(key, number) for number, batch in enumerate(batches) for key in batch]

    def table(keys: list[tuple[int, int, int]], batch: list[int]) -> pa.Table:
        return pa.table(
            {
                "user_id": pa.array([k[0] for k in keys], pa.int32()),
                "played_at": pa.array([k[1] for k in keys], pa.timestamp("ms", tz="UTC")),
                "track_id": pa.array([k[2] for k in keys], pa.int32()),
                "batch": pa.array(batch, pa.int16()),
                "row": pa.array(range(len(keys)), pa.int64()),
            }
        )

    new = table([k for k, _ in rows], [b for _, b in rows])
    added, count = _merge(table(old, [0] * len(old)).drop_columns(["batch"]), new)
    # The store's rule with each source as one batch: every key ends with the
    # largest count that the stored plays or any one source has.
    counts = [Counter(old), *(Counter(b) for b in batches)]
    every = set().union(*counts)
    want = {k: max(c[k] for c in counts) - counts[0][k] for k in every}
    got = Counter(
        zip(added["user_id"].to_pylist(), added["played_at"].cast("int64").to_pylist(),
            added["track_id"].to_pylist(), strict=True)
    )  # fmt: skip
    assert count == added.num_rows == sum(want.values())
    assert {k: got[k] for k in every} == want


def test_population_json_lists_each_source_once_by_its_full_path(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import json

    write_spark_folder(tmp_path / "d1")
    write_spark_folder(tmp_path / "d2", more_rows())
    monkeypatch.chdir(tmp_path)
    import_population([Path("d1")], tmp_path / "pop")
    # d2 holds every play of d1: overlapping sources add each play once.
    import_population([tmp_path / "d1", Path("d2")], tmp_path / "pop")
    meta = json.loads((tmp_path / "pop" / "population.json").read_text())
    assert meta["sources"] == [
        {"kind": "listenbrainz-spark", "path": str(tmp_path / "d1"), "plays": 5},
        {"kind": "listenbrainz-spark", "path": str(tmp_path / "d2"), "plays": 27},
    ]
    assert (meta["plays"], meta["listeners"], meta["artist_names"]) == (27, 24, "names")
    assert meta["first_play"].startswith("2020-09-13T12:26:40")
