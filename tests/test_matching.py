"""Cross-source matching pairs as many plays as it can, and counts every play once."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cli_run import run, run_json
from fake_lastfm import API_KEY, FakeLastfm, Play
from royalty import matching, schema, store
from royalty.errors import UsageError
from royalty.importers import lastfm_api, read_files

# 2020-03-01 15:14:00 UTC, and the three plays of the same track as Last.fm has them.
T0 = 1_583_075_640
API_TIMES = [T0 + 33, T0 + 100, T0 + 105]  # 15:14:33, 15:15:40, 15:15:45
# The same three plays in a Last.fm CSV export: minutes only (15:14, 15:15, 15:15).
CSV = (
    "Bank,Dub Album,SB Dub,01 Mar 2020 15:14\n"
    "Bank,Dub Album,SB Dub,01 Mar 2020 15:15\n"
    "Bank,Dub Album,SB Dub,01 Mar 2020 15:15\n"
)


def api_page(times: list[int]) -> str:
    """A saved ``user.getRecentTracks`` page (newest first) holding ``times``."""
    tracks = [
        {"artist": {"#text": "Bank", "mbid": ""}, "name": "SB Dub", "mbid": "",
         "album": {"#text": "Dub Album", "mbid": ""}, "date": {"uts": str(t), "#text": ""}}
        for t in sorted(times, reverse=True)
    ]  # fmt: skip
    attr = {"page": "1", "perPage": "200", "totalPages": "1", "total": str(len(times))}
    return json.dumps({"recenttracks": {"track": tracks, "@attr": attr}})


def files(tmp_path: Path) -> tuple[Path, Path]:
    a, b = tmp_path / "a.csv", tmp_path / "b.json"
    a.write_text(CSV)
    b.write_text(api_page(API_TIMES))
    return a, b


@pytest.mark.parametrize("reverse", [False, True])
def test_repeats_of_one_track_are_all_matched_from_files(tmp_path: Path, reverse: bool) -> None:
    # Closest first paired 15:15 with 15:14:33 (27 s) and left 15:14 with nothing in reach.
    pair = list(files(tmp_path))
    result = read_files(pair[::-1] if reverse else pair)
    assert (len(result.plays), result.matched) == (3, 3)
    # The rows with seconds are kept, each at its own time.
    assert result.plays["played_at"].astype("int64").tolist() == [t * 1000 for t in API_TIMES]


def test_stats_on_both_files_counts_three_plays(tmp_path: Path) -> None:
    a, b = files(tmp_path)
    assert run_json("stats", "--file", str(a), "--file", str(b))["plays"] == 3


def test_a_csv_then_the_api_stores_three_plays(tmp_path: Path) -> None:
    a, _ = files(tmp_path)
    store.merge("rj", read_files(a).plays)
    plays = [Play(t, "Bank", "SB Dub", "Dub Album") for t in API_TIMES]
    with FakeLastfm(plays) as fake:
        summary = lastfm_api.import_user("rj", api_key=API_KEY, api_url=fake.url, timeout=2.0)
    assert (summary.new_plays, summary.total_plays) == (0, 3)
    assert store.load("rj")["source"].astype(str).tolist() == ["lastfm-api"] * 3


def frame(rows: list[tuple[int, str]], source: str) -> pd.DataFrame:
    """Plays at ``ms`` (milliseconds after 2020-03-01) of ``track`` by one artist."""
    data = {
        "played_at": pd.to_datetime([T0 * 1000 + ms for ms, _ in rows], unit="ms", utc=True),
        "artist": ["Bank"] * len(rows),
        "track": [track for _, track in rows],
    }
    return schema.normalize(pd.DataFrame(data), source=source)


WINDOW_MS = 90_000


@settings(max_examples=100, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.integers(0, 600_000),  # within ten minutes: many plays share a window
            st.sampled_from(["SB Dub", "sb  dub", "Other"]),
            st.integers(-WINDOW_MS, WINDOW_MS),
        ),
        max_size=25,
    )
)
def test_two_sources_of_the_same_plays_union_to_one(plays: list[tuple[int, str, int]]) -> None:
    """Whatever the jitter inside the window, every play of one source finds its twin."""
    a = frame([(t, track) for t, track, _ in plays], "a")
    b = frame([(t + jitter, track) for t, track, jitter in plays], "b")
    for held, batch in ((a, b), (b, a)):
        merged = matching.merge_plays(held, batch, window=WINDOW_MS / 1000)
        assert (merged.added, merged.matched, len(merged.plays)) == (0, len(plays), len(plays))


def test_a_held_play_standing_for_a_batch_row_is_not_matched_again() -> None:
    # The store holds one Spotify play; a batch brings it again (same source, same
    # second) and a Last.fm play a minute later that Spotify did not see. The held
    # play is the batch's Spotify row: it cannot also be the Last.fm play.
    spotify = frame([(0, "SB Dub")], "spotify")
    batch = schema.concat([spotify, frame([(60_000, "SB Dub")], "lastfm-csv")])
    merged = matching.merge_plays(spotify, batch)
    assert (merged.already, merged.matched, merged.added, len(merged.plays)) == (1, 0, 1, 2)


def test_the_same_second_from_two_sources_is_one_play() -> None:
    merged = matching.merge_plays(frame([(0, "SB Dub")], "a"), frame([(0, "SB Dub")], "b"))
    assert (merged.already, merged.matched, len(merged.plays)) == (0, 1, 1)


@pytest.mark.parametrize("window", ["-1", "nan", "inf", "1e300"])
def test_a_window_out_of_range_is_one_error_line(tmp_path: Path, window: str) -> None:
    with pytest.raises(UsageError, match="match window must be from 0 to 86,400 seconds"):
        matching.merge_plays(frame([(0, "x")], "a"), frame([(0, "x")], "b"), window=float(window))
    a, b = files(tmp_path)
    code, out, err = run("import", "listener", "--file", str(a), "--file", str(b),
                         "--match-window", window)  # fmt: skip
    assert (code, out) == (1, "")
    assert err.startswith("Error: ") and err.count("\n") == 1, err
    assert not store.has_user("listener")
