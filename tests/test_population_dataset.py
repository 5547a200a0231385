"""The population dataset layout: write, open, read, and the errors of a folder that is not one."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq
import pytest
from hypothesis import given
from hypothesis import strategies as st

from royalty.errors import DataFormatError, UsageError
from royalty.population.dataset import (
    BUCKET_COLUMNS,
    open_dataset,
    read_bucket,
    read_table,
    write_dataset,
)
from royalty.population.ids import bucket_of


def plays_frame() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "user": ["ann", "bob", "ann", "cy", "ann", "bob"],
            "played_at": pd.to_datetime(
                [
                    "2020-01-02",
                    "2020-01-01",
                    "2020-01-01",
                    "2020-02-01",
                    "2020-01-01",
                    "2020-03-05",
                ],
                utc=True,
            ),
            "artist": ["Low", "Yes", "Low", "Zola", "Wire", "Yes"],
            "track": ["Words", "Yours", "Words", "Zed", "Outdoor", "Yours"],
            "album": [None, "Fragile", "", "Z", None, None],
            "track_mbid": [None, None, "m-words", None, None, None],
            "duration_ms": [200_000, None, 3_000, 4_000, 5_000, 6_000],
            "source": "test",
        }
    )


def test_round_trip_keeps_every_play_with_ids_and_sorted(tmp_path: Path) -> None:
    info = write_dataset(plays_frame(), tmp_path / "pop", buckets=3, sources=[])
    assert (info.plays, info.listeners, info.artists, info.tracks) == (6, 3, 4, 4)
    assert info.buckets == 3 and len(info.bucket_paths) == 3
    assert all(p.is_file() for p in info.bucket_paths)
    assert info.first_play == pd.Timestamp("2020-01-01", tz="UTC")
    assert info.last_play == pd.Timestamp("2020-03-05", tz="UTC")
    frames = [read_bucket(p) for p in info.bucket_paths]
    every = pd.concat(frames, ignore_index=True)
    assert tuple(every.columns) == BUCKET_COLUMNS and len(every) == 6
    assert str(every["played_at"].dtype) == "datetime64[ms, UTC]"
    assert str(every["duration_ms"].dtype) == "Int64"
    assert every["user_id"].dtype == "int32" and every["artist_id"].dtype == "int32"
    artists = read_table(info.artists_path).set_index("artist_id")["artist"]
    tracks = read_table(info.tracks_path).set_index("track_id")
    users = read_table(info.users_path)
    # Ids name the same things as the text columns.
    assert (every["artist_id"].map(artists) == every["artist"].astype(str)).all()
    assert (every["track_id"].map(tracks["track"]) == every["track"].astype(str)).all()
    assert sorted(users["user_id"]) == [0, 1, 2]
    assert tracks.loc[tracks["track"] == "Words", "track_mbid"].tolist() == ["m-words"]
    for index, frame in enumerate(frames):
        assert list(frame["user"].astype(str).unique()) == [
            u for u in frame["user"].astype(str).unique() if bucket_of([u], 3)[0] == index
        ]
        key = list(zip(frame["user_id"], frame["played_at"], strict=True))
        assert key == sorted(key)
    assert users.set_index("user")["bucket"].to_dict() == {
        u: bucket_of([u], 3)[0] for u in ("ann", "bob", "cy")
    }
    # Empty text is missing, as in the one-listener store.
    assert every["album"].isna().sum() == 4


def test_bucket_files_have_the_contract_types(tmp_path: Path) -> None:
    info = write_dataset(plays_frame(), tmp_path / "pop", buckets=1)
    schema = pq.read_schema(info.bucket_paths[0])
    assert schema.names == list(BUCKET_COLUMNS)
    assert str(schema.field("played_at").type) == "timestamp[ms, tz=UTC]"
    assert str(schema.field("user_id").type) == "int32"
    assert str(schema.field("duration_ms").type) == "int64"
    assert str(schema.field("artist").type) == "dictionary<values=string, indices=int32, ordered=0>"


def test_bucket_hash_is_stable_across_processes() -> None:
    # BLAKE2b of the UTF-8 name: the same on every machine and run (not Python's hash()).
    assert bucket_of(["user_000001", "rj", "Łukasz"], 1000) == [
        int.from_bytes(__import__("hashlib").blake2b(n.encode(), digest_size=8).digest(), "big")
        % 1000
        for n in ("user_000001", "rj", "Łukasz")
    ]


def test_rewriting_switches_generation_and_drops_the_old(tmp_path: Path) -> None:
    first = write_dataset(plays_frame(), tmp_path / "pop", buckets=2)
    second = write_dataset(plays_frame().head(2), tmp_path / "pop", buckets=2)
    assert second.generation != first.generation and not first.generation.exists()
    assert second.plays == 2
    assert sorted(p.name for p in (tmp_path / "pop").iterdir()) == [
        ".lock", second.generation.name, "population.json"
    ]  # fmt: skip


def test_reader_ignores_a_half_written_generation(tmp_path: Path) -> None:
    info = write_dataset(plays_frame(), tmp_path / "pop", buckets=2)
    stale = tmp_path / "pop" / "gen-000009" / "buckets"
    stale.mkdir(parents=True)
    (stale / "bucket-00000.parquet").write_bytes(b"torn")
    (tmp_path / "pop" / ".population.json.1.tmp").write_text("{")
    again = open_dataset(tmp_path / "pop")
    assert again.generation == info.generation and again.plays == 6
    # The next write removes the leftovers and numbers past them.
    newer = write_dataset(plays_frame(), tmp_path / "pop", buckets=2)
    assert newer.generation.name == "gen-000010"
    assert not stale.exists() and not (tmp_path / "pop" / ".population.json.1.tmp").exists()


def test_synthetic_generator_and_sources_are_recorded(tmp_path: Path) -> None:
    sources = [{"kind": "generate", "path": "", "plays": 6}]
    info = write_dataset(
        plays_frame(), tmp_path / "pop", synthetic=True, sources=sources,  # type: ignore[list-item]
        generator={"seed": 1},
    )  # fmt: skip
    assert info.synthetic and info.generator == {"seed": 1}
    assert list(info.sources) == sources
    meta = json.loads((tmp_path / "pop" / "population.json").read_text())
    assert meta["format"] == "royalty-population" and meta["version"] == 1


@pytest.mark.parametrize(
    ("make", "words"),
    [
        (lambda p: None, "no such folder"),
        (lambda p: p.write_text("x"), "is a file"),
        (lambda p: p.mkdir(), "no population.json"),
        (lambda p: (p.mkdir(), (p / "population.json").write_text("{nope")), "cannot read"),
        (
            lambda p: (p.mkdir(), (p / "population.json").write_text('{"format": "other"}')),
            "not a royalty population file",
        ),
        (
            lambda p: (
                p.mkdir(),
                (p / "population.json").write_text(
                    '{"format": "royalty-population", "version": 1}'
                ),
            ),
            "incomplete",
        ),
    ],
)
def test_not_a_dataset_is_one_line_error(tmp_path: Path, make: object, words: str) -> None:
    path = tmp_path / "pop"
    make(path)  # type: ignore[operator]
    with pytest.raises(DataFormatError, match=words) as err:
        open_dataset(path)
    assert "\n" not in str(err.value)


def test_missing_bucket_file_is_damage(tmp_path: Path) -> None:
    info = write_dataset(plays_frame(), tmp_path / "pop", buckets=2)
    info.bucket_paths[1].unlink()
    with pytest.raises(DataFormatError, match=r"damaged.*bucket-00001"):
        open_dataset(tmp_path / "pop")


def test_writing_into_a_folder_of_other_things_is_refused(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("mine")
    with pytest.raises(UsageError, match="not empty"):
        write_dataset(plays_frame(), tmp_path)
    assert [p.name for p in tmp_path.iterdir()] == ["notes.txt"]


def test_plays_without_user_are_refused(tmp_path: Path) -> None:
    with pytest.raises(DataFormatError, match="user"):
        write_dataset(plays_frame().drop(columns=["user"]), tmp_path / "pop")


@given(st.lists(st.integers(0, 2**31 - 1) | st.integers(0, 5), max_size=300))
def test_radix_order_is_numpys_stable_argsort(values: list[int]) -> None:
    import numpy as np

    from royalty.population.tables import stable_order

    array = np.array(values, dtype=np.int32)
    assert stable_order(array).tolist() == np.argsort(array, kind="stable").tolist()
