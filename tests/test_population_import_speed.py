"""The fast paths of ``royalty population import`` give the same results as the plain ones."""

from __future__ import annotations

import threading
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from population_files import spark_rows, write_spark_folder
from royalty.population import chunks
from royalty.population.dataset import open_dataset
from royalty.population.ids import Ids
from royalty.population.importer import import_population
from royalty.population.tables import stable_order


def plays(n: int, seed: int) -> pd.DataFrame:
    """Names drawn from small pools, so chunks share most of theirs, with new ones too."""
    rng = np.random.default_rng(seed)
    return pd.DataFrame(
        {
            "user": [f"u{i}" for i in rng.integers(0, 40, n)],
            "artist": [f"a{i}" for i in rng.integers(0, 30, n)],
            "track": [f"t{i}" for i in rng.integers(0, 25, n)],
        }
    )


def chunk_of(frame: pd.DataFrame) -> pa.Table:
    return chunks.chunk(
        {
            "user": pa.array(frame["user"]),
            "played_at": pa.array(np.zeros(len(frame), dtype=np.int64)).cast(pa.timestamp("ms")),
            "artist": pa.array(frame["artist"]),
            "track": pa.array(frame["track"]),
        }
    )


def test_ids_over_many_chunks_and_a_reload_are_the_order_of_first_appearance(
    tmp_path: Path,
) -> None:
    frames = [plays(300, seed) for seed in range(6)]
    ids = Ids(4)
    got: list[np.ndarray] = []
    for number, frame in enumerate(frames):
        if number == 3:  # as a later import does: ids read back from the tables
            paths = [tmp_path / f"{n}.parquet" for n in ("artists", "tracks", "users")]
            for path, table in zip(paths, ids.tables(), strict=True):
                pq.write_table(table, path)
            ids = Ids.load(*paths, buckets=4)
        encoded = ids.encode(chunk_of(frame))
        got.append(np.stack([encoded.user_id, encoded.artist_id, encoded.track_id]))
    whole = pd.concat(frames, ignore_index=True)
    # The reference: pandas numbers values in order of first appearance.
    users = pd.factorize(whole["user"])[0]
    artists = pd.factorize(whole["artist"])[0]
    tracks = pd.factorize(whole["artist"] + "\0" + whole["track"])[0]
    assert np.concatenate(got, axis=1).tolist() == [
        users.tolist(),
        artists.tolist(),
        tracks.tolist(),
    ]
    names = dict(zip(tracks.tolist(), (whole["track"]).tolist(), strict=False))
    assert ids.track_names == [names[i] for i in range(len(names))]


def test_radix_order_of_few_large_values_is_numpys_stable_argsort() -> None:
    rng = np.random.default_rng(3)
    for low, high in ((60_000, 70_000), (0, 200_000), (1_000_000, 1_000_100)):
        values = rng.integers(low, high, 50_000).astype(np.int32)
        assert stable_order(values).tolist() == np.argsort(values, kind="stable").tolist()
    assert stable_order(np.zeros(0, dtype=np.int32)).tolist() == []


def test_bucket_files_keep_parquet_dictionaries_for_text_only(tmp_path: Path) -> None:
    import_population([write_spark_folder(tmp_path / "dump", spark_rows())], tmp_path / "pop")
    path = open_dataset(tmp_path / "pop").bucket_paths[0]
    group = pq.ParquetFile(path).metadata.row_group(0)
    encodings = {
        group.column(i).path_in_schema: group.column(i).encodings for i in range(group.num_columns)
    }
    for column in ("user_id", "played_at", "artist_id", "track_id"):
        assert not any("DICTIONARY" in e for e in encodings[column]), column
    for column in ("user", "artist", "track"):
        assert any("DICTIONARY" in e for e in encodings[column]), column


def test_a_bucket_from_many_parts_is_written_from_whole_columns(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from royalty.population import spill, writer

    monkeypatch.setattr(spill, "SPILL_ROWS", 1)  # one part for each chunk read
    seen: list[pa.Table] = []
    write = writer.Generation.write_bucket

    def spy(self: writer.Generation, index: int, table: pa.Table, *args: object) -> None:
        seen.append(table)
        write(self, index, table, *args)  # type: ignore[arg-type]

    monkeypatch.setattr(writer.Generation, "write_bucket", spy)
    dump = write_spark_folder(tmp_path / "dump", spark_rows())
    import_population([dump], tmp_path / "pop", buckets=1)
    (table,) = seen
    assert table.num_rows == 5
    assert {table.column(name).num_chunks for name in table.column_names} == {1}
    assert open_dataset(tmp_path / "pop").plays == 5


def test_slices_are_written_by_one_thread_beside_the_labelling(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from royalty.population import writer

    monkeypatch.setattr(writer, "SLICE_ROWS", 2)  # five plays of three listeners: two slices
    threads: list[str] = []
    write = pq.ParquetWriter.write_table

    def spy(self: pq.ParquetWriter, table: pa.Table, *args: object, **kwargs: object) -> None:
        if "played_at" in table.column_names:  # a bucket's slice, not an id table
            threads.append(threading.current_thread().name)
        write(self, table, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(pq.ParquetWriter, "write_table", spy)
    dump = write_spark_folder(tmp_path / "dump", spark_rows())
    import_population([dump], tmp_path / "pop", buckets=1)
    assert len(threads) == 2
    assert all(name.startswith("royalty-write") for name in threads)
    plays = pq.read_table(open_dataset(tmp_path / "pop").bucket_paths[0])
    assert plays.num_rows == 5
    assert pq.ParquetFile(open_dataset(tmp_path / "pop").bucket_paths[0]).num_row_groups == 2
    keys = list(zip(plays["user_id"].to_pylist(), plays["played_at"].to_pylist(), strict=True))
    assert keys == sorted(keys)


def test_a_failed_write_in_the_thread_is_raised_and_leaves_the_dataset(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from royalty.population import writer

    dump = write_spark_folder(tmp_path / "dump", spark_rows())
    import_population([dump], tmp_path / "pop", buckets=1)
    before = {p: p.read_bytes() for p in sorted((tmp_path / "pop").rglob("*")) if p.is_file()}
    monkeypatch.setattr(writer, "SLICE_ROWS", 2)
    write = pq.ParquetWriter.write_table
    calls: list[int] = []

    def failing(self: pq.ParquetWriter, table: pa.Table, *args: object, **kwargs: object) -> None:
        if "played_at" in table.column_names:  # a bucket's slice, not an id table
            calls.append(table.num_rows)
        if len(calls) == 2:
            raise OSError("disk full")
        write(self, table, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(pq.ParquetWriter, "write_table", failing)
    more = [{**spark_rows()[0], "listened_at": 1_600_000_900, "user_id": 5}]
    write_spark_folder(tmp_path / "dump2", spark_rows() + more)
    with pytest.raises(OSError, match="disk full"):
        import_population([tmp_path / "dump2"], tmp_path / "pop")
    after = {p: p.read_bytes() for p in sorted((tmp_path / "pop").rglob("*")) if p.is_file()}
    assert after == before
    assert not [t for t in threading.enumerate() if t.name.startswith("royalty-write")]


def test_parts_are_written_by_one_thread_while_reading_goes_on(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from royalty.population import spill

    monkeypatch.setattr(spill, "SPILL_ROWS", 1)  # one spill for each chunk read
    threads: list[str] = []
    write = spill._write_parts

    def spy(parts: list[tuple[Path, pa.Table]]) -> None:
        threads.append(threading.current_thread().name)
        write(parts)

    monkeypatch.setattr(spill, "_write_parts", spy)
    dump = write_spark_folder(tmp_path / "dump", spark_rows())
    import_population([dump], tmp_path / "pop", buckets=2)
    import_population([dump], tmp_path / "pop2", buckets=2)
    assert len(threads) == 4  # two files, two chunks: two spills an import
    assert all(name.startswith("royalty-spill") for name in threads)
    assert not [t for t in threading.enumerate() if t.name.startswith("royalty-spill")]


def test_a_failed_part_write_is_raised_and_leaves_no_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from royalty.population import spill

    monkeypatch.setattr(spill, "SPILL_ROWS", 1)
    written: list[int] = []
    write = spill._write_parts

    def failing(parts: list[tuple[Path, pa.Table]]) -> None:
        written.append(len(parts))
        if len(written) == 1:
            raise OSError("disk full")
        write(parts)

    monkeypatch.setattr(spill, "_write_parts", failing)
    dump = write_spark_folder(tmp_path / "dump", spark_rows())
    with pytest.raises(OSError, match="disk full"):
        import_population([dump], tmp_path / "pop", buckets=2)
    assert not (tmp_path / "pop").exists()
    assert not [t for t in threading.enumerate() if t.name.startswith("royalty-spill")]


def test_spark_row_groups_are_read_in_even_chunks_without_scraps(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from collections import Counter

    from population_files import spark_table
    from royalty.population import sources_dumps
    from royalty.population.sources import open_source

    monkeypatch.setattr(sources_dumps, "CHUNK_ROWS", 4)
    rows = [{**spark_rows()[0], "listened_at": 1_600_000_000 + i} for i in range(23)]
    (tmp_path / "dump").mkdir()
    # Row groups of 5 rows (and a last of 3), then one of 13: read as whole groups and
    # 13 as 5 + 5 + 3, never as 4 + 1 (a chunk of CHUNK_ROWS and a scrap).
    pq.write_table(spark_table(rows), tmp_path / "dump" / "0.parquet", row_group_size=5)
    pq.write_table(spark_table(rows[10:]), tmp_path / "dump" / "1.parquet")
    read = [c.num_rows for c in open_source(tmp_path / "dump").chunks(Counter())]
    assert read == [5, 5, 5, 5, 3, 5, 5, 3]
