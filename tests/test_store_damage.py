"""A damaged store file is an error, never different numbers.

Flip bytes of a stored file, anywhere, and read it back: every trial must give
exactly the stored plays, or royalty's "the stored plays of USER are damaged"
error. Never a different frame, never another exception.
"""

from __future__ import annotations

import json
import random
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from cli_run import run
from royalty import schema, store, store_io
from royalty.errors import StoreError

ARTISTS = ["Radiohead", "SJD", "Björk", "The Phoenix Foundation", "Aldous Harding"]


def history(n: int = 600, seed: int = 7) -> pd.DataFrame:
    """``n`` plays over a year: several artists, albums, durations and some MBIDs."""
    rng = random.Random(seed)
    start = pd.Timestamp("2023-01-01", tz="UTC")
    rows = []
    for i in range(n):
        artist = rng.choice(ARTISTS)
        rows.append(
            {
                "played_at": start + pd.Timedelta(minutes=rng.randrange(525_600)),
                "artist": artist,
                "track": f"{artist} song {rng.randrange(12)}",
                "album": f"{artist} album {rng.randrange(3)}" if i % 7 else None,
                "track_mbid": f"{rng.getrandbits(128):032x}" if i % 3 == 0 else None,
                "duration_ms": rng.randrange(20_000, 400_000) if i % 5 else None,
            }
        )
    frame = pd.DataFrame(rows)
    frame["duration_ms"] = frame["duration_ms"].astype("Int64")
    return schema.normalize(frame, source="test")


def read_back(since: datetime | None = None) -> pd.DataFrame | None:
    """The stored plays, or None for the store's own "damaged" error."""
    try:
        return store.load("listener", since=since)
    except StoreError as exc:
        message = str(exc)
    assert "the stored plays of listener are damaged (" in message
    assert "import them again" in message
    return None


def flips(size: int, trials: int, seed: int) -> list[tuple[int, int]]:
    """``trials`` (offset, non-zero xor mask) pairs over a file of ``size`` bytes."""
    rng = random.Random(seed)
    return [(rng.randrange(size), rng.randrange(1, 256)) for _ in range(trials)]


@pytest.mark.parametrize("group_rows", [None, 128])
def test_every_flipped_byte_gives_the_same_plays_or_the_damaged_error(
    monkeypatch: pytest.MonkeyPatch, group_rows: int | None
) -> None:
    if group_rows:  # several row groups, so that a period skips some
        monkeypatch.setattr(store_io, "ROW_GROUP_ROWS", group_rows)
    store.merge("listener", history())
    path = store.plays_path("listener")
    good = path.read_bytes()
    since = datetime(2023, 7, 1, tzinfo=UTC)
    expected, expected_since = store.load("listener"), store.load("listener", since=since)
    outcomes = {"same": 0, "error": 0}
    # As many flips in the footer (metadata, statistics, offsets) as in the
    # pages, though it is the smaller part of the file.
    footer_start = len(good) - 8 - int.from_bytes(good[-8:-4], "little")
    offsets = flips(footer_start, 150, seed=12)
    offsets += [(footer_start + i, m) for i, m in flips(len(good) - footer_start, 150, seed=13)]
    for offset, mask in offsets:
        damaged = bytearray(good)
        damaged[offset] ^= mask
        path.write_bytes(bytes(damaged))
        for loaded, wanted in ((read_back(), expected), (read_back(since), expected_since)):
            if loaded is None:
                outcomes["error"] += 1
            else:
                pd.testing.assert_frame_equal(loaded, wanted, obj=f"flip at byte {offset}")
                outcomes["same"] += 1
    assert outcomes["error"] > len(offsets)  # most flips are caught, not shrugged off


@pytest.mark.parametrize("column", ["played_at", "artist", "album", "duration_ms"])
def test_compare_on_a_damaged_column_is_one_error_line_and_other_users_still_work(
    column: str,
) -> None:
    store.merge("listener", history())
    store.merge("other", history(50, seed=1))
    other = run("compare", "--user", "other", "--format", "json")
    path = store.plays_path("listener")
    chunk = pq.read_metadata(path).row_group(0).column(schema.COLUMNS.index(column))
    start = chunk.dictionary_page_offset if chunk.has_dictionary_page else chunk.data_page_offset
    damaged = bytearray(path.read_bytes())
    damaged[start + chunk.total_compressed_size // 2] ^= 0xFF
    path.write_bytes(bytes(damaged))
    code, out, err = run("compare", "--user", "listener")
    assert code == 1 and out == ""
    assert err.startswith("Error: the stored plays of listener are damaged (")
    assert len(err.strip().splitlines()) == 1
    assert run("compare", "--user", "other", "--format", "json") == other
    assert json.loads(other[1])  # a real result, not an empty one


@pytest.mark.parametrize("group_rows", [None, 100])
def test_the_store_reads_as_pandas_reads_it(
    monkeypatch: pytest.MonkeyPatch, group_rows: int | None
) -> None:
    if group_rows:
        monkeypatch.setattr(store_io, "ROW_GROUP_ROWS", group_rows)
    store.merge("listener", history())
    pd.testing.assert_frame_equal(
        store.load("listener"), pd.read_parquet(store.plays_path("listener"))
    )
    since, until = datetime(2023, 3, 1, tzinfo=UTC), datetime(2023, 9, 1, tzinfo=UTC)
    period = store.load("listener", columns=["artist", "duration_ms"], since=since, until=until)
    everything = pd.read_parquet(store.plays_path("listener"))
    inside = (everything["played_at"] >= since) & (everything["played_at"] < until)
    pd.testing.assert_frame_equal(
        period, everything.loc[inside, ["artist", "duration_ms"]].reset_index(drop=True)
    )


def test_a_store_is_written_with_page_checksums(tmp_path: Path) -> None:
    store.merge("listener", history(100))
    path = store.plays_path("listener")
    data = bytearray(path.read_bytes())
    # Flip a byte of the first page's values (past its header): only a CRC can tell.
    data[60] ^= 0x01
    path.write_bytes(bytes(data))
    with pytest.raises(StoreError, match="damaged"):
        store.load("listener")


def test_a_period_reads_only_the_row_groups_it_needs(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(store_io, "ROW_GROUP_ROWS", 100)
    store.merge("listener", history())  # 600 plays in time order: six row groups
    read: list[list[int]] = []
    original = pq.ParquetFile.read_row_groups

    def spy(self: pq.ParquetFile, groups: list[int], **kwargs: object) -> object:
        read.append(list(groups))
        return original(self, groups, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(pq.ParquetFile, "read_row_groups", spy)
    times = store.load("listener", columns=["played_at"])["played_at"]
    since, until = times.iloc[150], times.iloc[250]  # inside the second and third groups
    period = store.load("listener", since=since, until=until)
    assert read[-1] == [1, 2]
    assert period["played_at"].between(since, until, inclusive="left").all()
    assert len(period) == ((times >= since) & (times < until)).sum()


def test_an_ordered_dictionary_in_the_schema_is_damage_not_an_ordered_categorical() -> None:
    # A flipped bit in Arrow's schema can mark a column ordered while every
    # checksum of royalty's own still matches.
    store.merge("listener", history(50))
    path = store.plays_path("listener")
    table = pq.read_table(path)
    field = table.schema.field("artist")
    ordered = pa.dictionary(field.type.index_type, field.type.value_type, ordered=True)
    table = table.set_column(1, field.with_type(ordered), table.column("artist").cast(ordered))
    pq.write_table(table, path, write_page_checksum=True)
    with pytest.raises(StoreError, match=r"damaged \(column artist is dictionary"):
        store.load("listener")
