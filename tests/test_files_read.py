"""read_files end to end: zips, folders, windows, overlaps and cross-source matching."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import pandas as pd
import pytest

from royalty import matching, schema
from royalty.importers import read_files

T = pd.Timestamp

# Three plays, as Spotify's extended history records them: ts is the END.
# start = ts - ms_played: 10:03:20 - 200 s = 10:00:00; 10:08:00 - 240 s = 10:04:00;
# 10:12:30 - 250 s = 10:08:20.
SPOTIFY = [
    ("2023-05-01T10:03:20Z", 200000, "Mitski", "Nobody"),
    ("2023-05-01T10:08:00Z", 240000, "Mitski", "Washing Machine Heart"),
    ("2023-05-01T10:12:30Z", 250000, "Phoebe Bridgers", "Motion Sickness"),
]
# The same three plays scrobbled to Last.fm, at minute precision, a few seconds late,
# with different case and spacing, plus one play only Last.fm saw.
LASTFM = (
    "MITSKI,Be the Cowboy,nobody,01 May 2023 10:00\n"
    "Mitski,Be the Cowboy,Washing  Machine Heart,01 May 2023 10:05\n"
    "Phoebe Bridgers,Stranger in the Alps,Motion Sickness,01 May 2023 10:09\n"
    "Big Thief,Capacity,Mythological Beauty,01 May 2023 11:00\n"
)


def spotify_file(path: Path, records: list[tuple[str, int, str, str]] = SPOTIFY) -> Path:
    doc = [
        {"ts": ts, "ms_played": ms, "master_metadata_album_artist_name": a,
         "master_metadata_track_name": t, "master_metadata_album_album_name": None}
        for ts, ms, a, t in records
    ]  # fmt: skip
    path.write_text(json.dumps(doc))
    return path


def lastfm_file(path: Path) -> Path:
    path.write_text(LASTFM)
    return path


@pytest.mark.parametrize("spotify_first", [True, False])
def test_same_plays_from_two_sources_count_once_in_either_order(
    tmp_path: Path, spotify_first: bool
) -> None:
    files = [spotify_file(tmp_path / "endsong_0.json"), lastfm_file(tmp_path / "lastfm.csv")]
    result = read_files(files if spotify_first else files[::-1])
    assert result.matched == 3
    assert len(result.plays) == 4  # the union: three shared plays and Big Thief
    # The Spotify rows carry the duration and the seconds, so they are kept.
    kept = result.plays.set_index("track")
    assert kept.loc["Nobody", "source"] == "spotify-extended"
    assert kept.loc["Nobody", "played_at"] == T("2023-05-01 10:00:00", tz="UTC")
    assert kept.loc["Mythological Beauty", "source"] == "lastfm-csv"


def test_matching_gives_the_same_union_whichever_order(tmp_path: Path) -> None:
    a = read_files(spotify_file(tmp_path / "endsong_0.json")).plays
    b = read_files(lastfm_file(tmp_path / "lastfm.csv")).plays
    ab = matching.merge_plays(a, b).plays.sort_values("played_at", ignore_index=True)
    ba = matching.merge_plays(b, a).plays.sort_values("played_at", ignore_index=True)
    pd.testing.assert_frame_equal(ab.astype(str), ba.astype(str))


def test_plays_outside_the_window_are_not_matched(tmp_path: Path) -> None:
    a = read_files(spotify_file(tmp_path / "endsong_0.json")).plays
    b = read_files(lastfm_file(tmp_path / "lastfm.csv")).plays
    # Washing Machine Heart is 60 s apart; Motion Sickness 40 s; Nobody 0 s.
    assert matching.merge_plays(a, b, window=30).matched == 1
    assert matching.merge_plays(a, b, window=50).matched == 2


def test_same_source_repeats_are_never_matched() -> None:
    row = {"played_at": [T("2023-05-01 10:00", tz="UTC")], "artist": ["A"], "track": ["B"]}
    one = schema.normalize(pd.DataFrame(row), source="lastfm-csv")
    later = one.assign(played_at=one["played_at"] + pd.Timedelta(seconds=30))
    merged = matching.merge_plays(one, later)
    assert (merged.matched, merged.added, len(merged.plays)) == (0, 1, 2)


def test_same_file_twice_and_overlapping_exports_add_nothing_twice(tmp_path: Path) -> None:
    old = tmp_path / "old.csv"
    old.write_text("A,X,B,01 May 2023 10:00\nA,X,B,01 May 2023 10:00\n")
    new = tmp_path / "new.csv"
    new.write_text("A,X,B,01 May 2023 10:00\nA,X,B,01 May 2023 10:00\nC,X,D,02 May 2023 10:00\n")
    twice = read_files([old, old])
    assert (len(twice.plays), twice.overlapping) == (2, 2)
    both = read_files([old, new])
    assert (len(both.plays), both.overlapping, both.matched) == (3, 2, 0)


def test_zip_of_several_files_passes_over_the_rest(tmp_path: Path) -> None:
    spotify = spotify_file(tmp_path / "s.json").read_text()
    path = tmp_path / "my_data.zip"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("MyData/Streaming_History_Audio_2023.json", spotify)
        zf.writestr("MyData/Userdata.json", json.dumps({"username": "x"}))
        zf.writestr("MyData/lastfm.csv", LASTFM)
        wilco = {"artist_name": "Wilco", "track_name": "Jesus, Etc."}
        zf.writestr(
            "listens/2023/5.jsonl",
            json.dumps({"listened_at": 1682935200, "track_metadata": wilco}),
        )
    result = read_files(path)
    formats = {f.name.split("/")[-1]: f.format for f in result.files}
    assert formats == {
        "Streaming_History_Audio_2023.json": "spotify-extended",
        "Userdata.json": None,
        "lastfm.csv": "lastfm-csv",
        "5.jsonl": "listenbrainz",
    }
    assert [f.name for f in result.passed_over] == [f"{path}/MyData/Userdata.json"]
    assert (len(result.plays), result.matched) == (5, 3)


def test_folder_is_read_recursively(tmp_path: Path) -> None:
    (tmp_path / "a" / "b").mkdir(parents=True)
    spotify_file(tmp_path / "a" / "b" / "endsong_1.json")
    lastfm_file(tmp_path / "a" / "scrobbles.csv")
    result = read_files(tmp_path / "a")
    assert (len(result.plays), result.matched) == (4, 3)


def test_since_and_until_skip_and_count(tmp_path: Path) -> None:
    path = lastfm_file(tmp_path / "lastfm.csv")
    result = read_files(path, since="2023-05-01T10:01", until=T("2023-05-01 11:00"))
    assert result.plays["track"].tolist() == ["Washing  Machine Heart", "Motion Sickness"]
    assert result.skipped == {"outside since/until": 2}  # 10:00 before, 11:00 not before until


def test_forced_format_overrides_sniffing(tmp_path: Path) -> None:
    from royalty.errors import DataFormatError

    path = lastfm_file(tmp_path / "lastfm.csv")
    assert read_files(path, input_format="lastfm-to-csv").files[0].format == "lastfm-csv"
    with pytest.raises(DataFormatError, match=r"lastfm\.csv"):
        read_files(path, input_format="spotify-extended")


def test_frames_without_mbids_concatenate_with_frames_that_have_them(tmp_path: Path) -> None:
    plain = lastfm_file(tmp_path / "plain.csv")
    ghan = tmp_path / "ghan.csv"
    ghan.write_text(
        "uts,utc_time,artist,artist_mbid,album,album_mbid,track,track_mbid\n"
        '"1700000000","","A","0b4ab1bb-c382-349e-af18-592e702c6bc6","","","B",""\n'
    )
    both = schema.concat([read_files(plain).plays, read_files(ghan).plays])
    schema.validate(both)
    assert both["artist_mbid"].notna().sum() == 1


def test_by_time_is_a_stable_sort() -> None:
    """The shortcut for sorted and reverse-sorted exports orders rows as a stable sort does."""
    import numpy as np
    from hypothesis import given, settings
    from hypothesis import strategies as st

    from royalty.importers.files import by_time

    @settings(max_examples=300, deadline=None)
    @given(st.lists(st.integers(0, 6), max_size=30), st.sampled_from(["as is", "up", "down"]))
    def check(values: list[int], shape: str) -> None:
        if shape != "as is":
            values = sorted(values, reverse=shape == "down")
        times = np.array(values, dtype="datetime64[ms]")
        assert by_time(times).tolist() == np.argsort(times, kind="stable").tolist()

    check()
    assert by_time(np.array([5, 3, 3, 1])).tolist() == [3, 1, 2, 0]  # by hand: runs 5|3,3|1


def test_csv_names_are_strings_and_the_store_keeps_categoricals(tmp_path: Path) -> None:
    """A CSV's names come back as pandas strings; merged with a categorical source, or
    stored, they become categoricals, and the values never change on the way."""
    from royalty import store

    csv_plays = read_files(lastfm_file(tmp_path / "scrobbles.csv")).plays
    assert isinstance(csv_plays["artist"].dtype, pd.StringDtype)
    assert isinstance(csv_plays["album"].dtype, pd.StringDtype)
    assert isinstance(csv_plays["source"].dtype, pd.CategoricalDtype)
    schema.validate(csv_plays)

    both = read_files([spotify_file(tmp_path / "endsong_0.json"), tmp_path / "scrobbles.csv"])
    assert isinstance(both.plays["artist"].dtype, pd.CategoricalDtype)
    assert both.matched == 3

    store.merge("listener", csv_plays)
    stored = store.load("listener")
    for col in schema.TEXT_COLUMNS:
        assert isinstance(stored[col].dtype, pd.CategoricalDtype), col
        assert stored[col].astype(object).tolist() == csv_plays[col].astype(object).tolist()


def test_schema_concat_and_categorize_join_the_two_text_forms() -> None:
    def frame(artists: list[str], text: str) -> pd.DataFrame:
        raw = pd.DataFrame(
            {
                "played_at": pd.to_datetime([1_600_000_000 + i for i in range(len(artists))],
                                            unit="s", utc=True),
                "artist": pd.Series(artists, dtype=text),
                "track": pd.Series(["t"] * len(artists), dtype=text),
            }
        )  # fmt: skip
        return schema.normalize(raw, source="test")

    strings, cats = frame(["a", "b"], "str"), frame(["b", "c"], "category")
    assert isinstance(strings["artist"].dtype, pd.StringDtype)
    mixed = schema.concat([strings, cats])
    assert isinstance(mixed["artist"].dtype, pd.CategoricalDtype)
    assert mixed["artist"].tolist() == ["a", "b", "b", "c"]
    same = schema.concat([strings, strings])
    assert isinstance(same["artist"].dtype, pd.StringDtype)
    assert same["artist"].tolist() == ["a", "b", "a", "b"]
    stored = schema.categorize(strings)
    assert isinstance(stored["track"].dtype, pd.CategoricalDtype)
    assert stored["artist"].tolist() == ["a", "b"]
    with pytest.raises(Exception, match="expected category or str"):
        schema.validate(strings.assign(artist=strings["artist"].astype(object)))


def test_a_newest_first_export_comes_back_oldest_first_with_rows_intact(tmp_path: Path) -> None:
    """Sorting moves every column that varies, and keeps ties in file order."""
    lines = [
        "C,Album C,Third,01 May 2023 12:00",
        "B,,Second b,01 May 2023 11:00",
        "B,Album B,Second a,01 May 2023 11:00",
        "A,Album A,First,01 May 2023 10:00",
    ]
    path = tmp_path / "newest_first.csv"
    path.write_text("\n".join(lines) + "\n")
    plays = read_files(path).plays
    assert plays["played_at"].is_monotonic_increasing
    got = list(zip(plays["artist"], plays["track"], plays["album"].fillna("-"), strict=True))
    assert got == [
        ("A", "First", "Album A"),
        ("B", "Second b", "-"),
        ("B", "Second a", "Album B"),
        ("C", "Third", "Album C"),
    ]
    assert set(plays["source"].astype(str)) == {"lastfm-csv"}
    assert plays["duration_ms"].isna().all()

    # A JSON reader gives categoricals: those are reordered too.
    spotify = read_files(spotify_file(tmp_path / "endsong_0.json", SPOTIFY[::-1])).plays
    assert isinstance(spotify["artist"].dtype, pd.CategoricalDtype)
    got = list(zip(spotify["track"], spotify["duration_ms"], strict=True))
    assert got == [(t, ms) for _, ms, _, t in SPOTIFY]
