"""The Parquet store: multiset merge, atomic writes, the writer lock, user names."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq
import pytest

from royalty import schema, store
from royalty.errors import StoreError, StoreLockedError, UnknownUserError, UserNameError


def plays(*rows: tuple[str, str, str], source: str = "test") -> pd.DataFrame:
    """A schema frame from (time, artist, track) triples."""
    frame = pd.DataFrame(rows, columns=["played_at", "artist", "track"])
    frame["played_at"] = pd.to_datetime(frame["played_at"], utc=True)
    return schema.normalize(frame, source=source)


def keys(frame: pd.DataFrame) -> list[tuple[str, str, str]]:
    return sorted(
        (t.isoformat(), str(a), str(k))
        for t, a, k in zip(frame["played_at"], frame["artist"], frame["track"], strict=True)
    )


A1 = ("2010-01-01T10:00:00", "Radiohead", "Airbag")
A2 = ("2010-01-01T10:04:00", "Radiohead", "Paranoid Android")
B1 = ("2010-01-02T09:00:00", "SJD", "Beautiful Haze")


def test_identical_rows_in_one_batch_are_separate_plays() -> None:
    result = store.merge("listener", plays(A1, A1, A2))
    assert (result.added, result.total) == (3, 3)
    assert keys(store.load("listener")) == keys(plays(A1, A1, A2))


def test_remerging_the_same_batch_changes_nothing() -> None:
    batch = plays(A1, A1, A2, B1)
    store.merge("listener", batch)
    before = store.plays_path("listener").read_bytes()
    result = store.merge("listener", batch)
    assert (result.added, result.total) == (0, 4)
    assert store.plays_path("listener").read_bytes() == before


def test_overlapping_batch_adds_only_what_is_new() -> None:
    store.merge("listener", plays(A1, A1, A2))
    result = store.merge("listener", plays(A1, A2, B1))  # newer export: one A1 fewer, B1 new
    assert (result.added, result.total) == (1, 4)
    result = store.merge("listener", plays(A1, A1, A1, B1))  # a third A1 is a new play
    assert (result.added, result.total) == (1, 5)
    assert keys(store.load("listener")) == keys(plays(A1, A1, A1, A2, B1))


def test_store_is_sorted_by_time_and_keeps_the_schema() -> None:
    store.merge("listener", plays(B1, A1))
    store.merge("listener", plays(A2))
    loaded = store.load("listener")
    assert loaded["played_at"].is_monotonic_increasing
    schema.validate(loaded)


def test_time_statistics_are_written_so_periods_skip_row_groups() -> None:
    store.merge("listener", plays(A1, B1))
    group = pq.ParquetFile(store.plays_path("listener")).metadata.row_group(0)
    names = [group.column(i).path_in_schema for i in range(group.num_columns)]
    stats = group.column(names.index("played_at")).statistics
    assert stats is not None and stats.has_min_max
    assert pd.Timestamp(stats.min) == pd.Timestamp(A1[0], tz="UTC")


def test_load_reads_only_the_columns_asked_for() -> None:
    store.merge("listener", plays(A1, B1))
    loaded = store.load("listener", columns=["played_at", "artist"])
    assert list(loaded.columns) == ["played_at", "artist"]


def test_load_period_is_inclusive_then_exclusive() -> None:
    store.merge("listener", plays(A1, A2, B1))
    since = pd.Timestamp(A2[0], tz="UTC").to_pydatetime()
    until = pd.Timestamp(B1[0], tz="UTC").to_pydatetime()
    loaded = store.load("listener", since=since, until=until)
    assert keys(loaded) == keys(plays(A2))


def test_unknown_user_is_a_clear_error() -> None:
    with pytest.raises(UnknownUserError, match="royalty import nobody"):
        store.load("nobody")


def test_a_failed_write_leaves_the_previous_state(monkeypatch: pytest.MonkeyPatch) -> None:
    store.merge("listener", plays(A1, A2))
    path = store.plays_path("listener")
    before = path.read_bytes()

    def torn_write(table: object, where: object, **kwargs: object) -> None:
        where.write(b"PAR1 half a file")  # type: ignore[attr-defined]
        raise OSError("disk full")

    monkeypatch.setattr(pq, "write_table", torn_write)
    with pytest.raises(StoreError, match="disk full; the stored plays are unchanged"):
        store.merge("listener", plays(B1))
    assert path.read_bytes() == before
    assert keys(store.load("listener")) == keys(plays(A1, A2))
    assert sorted(p.name for p in path.parent.iterdir()) == [".lock", "plays.parquet"]


def test_user_names_are_case_insensitive() -> None:
    store.merge("Listener", plays(A1))
    store.merge("LISTENER", plays(A1, A1))
    assert len(store.load("listener")) == 2
    assert [u.user for u in store.users()] == ["listener"]


@pytest.mark.parametrize(
    "name",
    ["../x", "a/b", "", "a" * 65, ".hidden", "-x", "a b", "..", ".", "abc/../../etc", "名前"],
)
def test_bad_user_names_are_refused(name: str, royalty_home: Path) -> None:
    with pytest.raises(UserNameError):
        store.merge(name, plays(A1))
    with pytest.raises(UserNameError):
        store.user_dir(name)
    assert not royalty_home.exists() or not any(royalty_home.rglob("*.parquet"))


@pytest.mark.parametrize("name", ["rj", "a" * 15, "Tom_Jones-2", "x", "1abc", "a" * 64, "j.doe"])
def test_good_user_names_are_accepted(name: str) -> None:
    assert store.validate_user(name) == name


def test_users_lists_counts_ranges_and_newest_first() -> None:
    store.merge("first", plays(A1, A2))
    store.merge("second", plays(B1))
    listed = store.users()
    assert [u.user for u in listed] == ["second", "first"]
    first = listed[1]
    assert first.plays == 2
    assert first.first_play == pd.Timestamp(A1[0], tz="UTC")
    assert first.last_play == pd.Timestamp(A2[0], tz="UTC")
    assert listed[0].updated_at >= first.updated_at
    assert store.most_recent_user() == "second"
    assert store.newest_play("first") == pd.Timestamp(A2[0], tz="UTC")


def test_no_users_yet() -> None:
    assert store.users() == []
    assert store.most_recent_user() is None


def test_second_writer_is_refused_and_told_who_holds_the_lock(
    lock_holder: subprocess.Popen[str],
) -> None:
    holder = lock_holder
    with pytest.raises(StoreLockedError, match=f"pid {holder.pid}"):
        store.merge("listener", plays(B1))
    assert not store.has_user("listener")
    store.merge("someone", plays(B1))  # other users are not locked


def test_lock_is_freed_when_the_holder_is_killed(lock_holder: subprocess.Popen[str]) -> None:
    holder = lock_holder
    os.kill(holder.pid, signal.SIGKILL)
    holder.wait()
    assert store.merge("listener", plays(A1)).added == 1


def test_lock_is_reentrant_within_one_process() -> None:
    with store.lock("listener"), store.lock("listener"):
        assert store.merge("listener", plays(A1)).added == 1
    with store.lock("listener"):
        pass


def test_the_same_play_from_two_sources_is_stored_once_in_either_order() -> None:
    lastfm = plays(("2010-01-01T10:00:00", "Radiohead", "Airbag"), source="lastfm-csv")
    spotify_frame = plays(("2010-01-01T10:00:42", "radiohead ", "AIRBAG"), source="spotify")
    spotify_frame["duration_ms"] = pd.array([284_000], dtype="Int64")
    for first, second, user in ((lastfm, spotify_frame, "one"), (spotify_frame, lastfm, "two")):
        store.merge(user, first)
        result = store.merge(user, second)
        assert (result.added, result.matched, result.total) == (0, 1, 1)
        kept = store.load(user)
        assert kept["duration_ms"].tolist() == [284_000]  # the row with more information


def test_plays_from_two_sources_outside_the_window_stay_apart() -> None:
    store.merge("listener", plays(("2010-01-01T10:00:00", "Radiohead", "Airbag"), source="a"))
    result = store.merge(
        "listener", plays(("2010-01-01T10:01:31", "Radiohead", "Airbag"), source="b")
    )
    assert (result.added, result.matched, result.total) == (1, 0, 2)
    result = store.merge(
        "listener",
        plays(("2010-01-01T10:03:00", "Radiohead", "Airbag"), source="c"),
        window=200,
    )
    assert (result.added, result.matched, result.total) == (0, 1, 2)


def test_lock_file_names_the_command_but_never_its_options(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(
        sys, "argv", ["/usr/bin/royalty", "import", "listener", "--api-key", "s3cret"]
    )
    with store.lock("listener"):
        held = (store.user_dir("listener") / ".lock").read_text()
    assert held == f"pid {os.getpid()}: royalty import listener"


def test_merging_nothing_into_nothing_creates_no_user() -> None:
    assert store.merge("listener", schema.empty()) == store.MergeResult(added=0, total=0)
    assert not store.has_user("listener")
    assert store.users() == []
