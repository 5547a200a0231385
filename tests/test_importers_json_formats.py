"""Spotify, ListenBrainz and saved Last.fm API pages, on files the tests write."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from royalty import schema
from royalty.importers import read_files

T = pd.Timestamp


def dump(path: Path, doc: Any) -> Path:
    path.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    return path


def extended(ts: str, ms: int, artist: str | None, track: str | None, **extra: Any) -> dict:
    rec = {
        "ts": ts,
        "platform": "android",
        "ms_played": ms,
        "conn_country": "PL",
        "master_metadata_track_name": track,
        "master_metadata_album_artist_name": artist,
        "master_metadata_album_album_name": "Album" if artist else None,
        "spotify_track_uri": "spotify:track:x" if artist else None,
        "episode_name": None if artist else "Episode",
        "reason_start": "trackdone",
        "reason_end": "trackdone",
        "shuffle": False,
        "skipped": None,
    }
    rec.update(extra)
    return rec


def test_spotify_account_start_is_end_minus_duration(tmp_path: Path) -> None:
    doc = [
        {"endTime": "2020-02-20 11:02", "artistName": "Dawid Podsiadło",
         "trackName": "Małomiasteczkowy", "msPlayed": 177864},
        {"endTime": "2020-02-20 11:06", "artistName": "A", "trackName": "Short",
         "msPlayed": 5000},
    ]  # fmt: skip
    result = read_files(dump(tmp_path / "StreamingHistory0.json", doc))
    plays = result.plays
    schema.validate(plays)
    # 11:02:00.000 - 177.864 s = 10:59:02.136
    assert plays["played_at"].tolist() == [
        T("2020-02-20 10:59:02.136", tz="UTC"),
        T("2020-02-20 11:05:55", tz="UTC"),
    ]
    assert plays["duration_ms"].tolist() == [177864, 5000]  # under 30 s is kept
    assert plays["artist"].iloc[0] == "Dawid Podsiadło"
    assert set(plays["source"]) == {"spotify-account"}


def test_spotify_extended_skips_podcasts_and_keeps_skipped_flags(tmp_path: Path) -> None:
    doc = [
        extended("2024-08-02T12:00:30Z", 197124, "Cascada", "Everytime We Touch", skipped=False),
        extended("2024-08-02T11:56:55Z", 11677, "MitiS", "Moments", skipped=True),
        extended("2024-08-01T10:00:00Z", 60000, None, None),  # a podcast
        extended("2024-08-03T09:00:00Z", 1000, "MitiS", "Moments", skipped=None),
    ]
    result = read_files(dump(tmp_path / "endsong_0.json", doc))
    assert dict(result.skipped) == {"no artist": 1}
    plays = result.plays
    assert plays["played_at"].tolist() == [
        T("2024-08-02 11:56:43.323", tz="UTC"),
        T("2024-08-02 11:57:12.876", tz="UTC"),  # 12:00:30 - 197.124 s
        T("2024-08-03 08:59:59", tz="UTC"),
    ]
    assert plays["album"].tolist() == ["Album"] * 3
    assert set(plays["source"]) == {"spotify-extended"}
    assert result.files[0].rows == 4


def test_spotify_extended_recognised_by_content_under_any_name(tmp_path: Path) -> None:
    doc = [extended("2024-08-02T12:00:30Z", 1000, "A", "T")]
    result = read_files(dump(tmp_path / "whatever.txt", doc))
    assert result.files[0].format == "spotify-extended"


def listen(at: float | int, artist: str, track: str, **meta: Any) -> dict:
    return {"listened_at": at, "track_metadata": {"artist_name": artist, "track_name": track,
            "release_name": meta.pop("release", None), **meta}}  # fmt: skip


MBID = "e1f1e33e-2e4c-4d43-b91b-7064068d3283"


def test_listenbrainz_api_shape_with_mbids_none_and_null_mapping(tmp_path: Path) -> None:
    doc = {
        "listens": [
            listen(1700000000, "Kiss", "Strutter", release="Kiss",
                   additional_info={"artist_mbids": [MBID], "recording_mbid": "None"},
                   mbid_mapping=None),
            listen(1700000300.5, "Kiss", "Deuce",
                   mbid_mapping={"recording_mbid": MBID, "artist_mbids": []}),
        ]
    }  # fmt: skip
    plays = read_files(dump(tmp_path / "listens.json", doc)).plays
    assert plays["played_at"].tolist() == [
        T(1700000000, unit="s", tz="UTC"),
        T(1700000300500, unit="ms", tz="UTC"),
    ]
    assert plays["artist_mbid"].iloc[0] == MBID
    assert pd.isna(plays["track_mbid"].iloc[0])  # "None" is no MBID
    assert plays["track_mbid"].iloc[1] == MBID
    assert plays["album"].iloc[0] == "Kiss"
    assert set(plays["source"]) == {"listenbrainz"}


@pytest.mark.parametrize("shape", ["array", "payload", "jsonl"])
def test_listenbrainz_other_shapes(tmp_path: Path, shape: str) -> None:
    items = [listen(1700000000, "A", "B"), listen(1700000600, "C", "D")]
    path = tmp_path / "l.data"
    if shape == "array":
        dump(path, items)
    elif shape == "payload":
        dump(path, {"payload": {"count": 2, "listens": items}})
    else:
        path.write_text("\n".join(json.dumps(i) for i in items) + "\n", encoding="utf-8")
    plays = read_files(path).plays
    assert plays["artist"].tolist() == ["A", "C"]


def test_lastfm_api_pages_skip_now_playing(tmp_path: Path) -> None:
    def track(artist: str, name: str, uts: str | None, **kw: Any) -> dict:
        t: dict[str, Any] = {"artist": {"#text": artist, "mbid": ""}, "name": name,
                             "album": {"#text": "", "mbid": ""}, "mbid": ""}  # fmt: skip
        if uts is None:
            t["@attr"] = {"nowplaying": "true"}
        else:
            t["date"] = {"uts": uts, "#text": "x"}
        t.update(kw)
        return t

    pages = [
        {"recenttracks": {"track": [track("A", "Now", None), track("A", "One", "1700000000")]}},
        {"recenttracks": {"track": [track("B", "Two", "1600000000")]}},
    ]
    result = read_files(dump(tmp_path / "pages.json", pages))
    assert result.files[0].format == "lastfm-json"
    assert dict(result.skipped) == {"now playing (no date)": 1}
    assert result.plays["track"].tolist() == ["Two", "One"]
    assert set(result.plays["source"]) == {"lastfm-api"}


def test_fixed_width_spotify_times_agree_with_pandas_iso8601() -> None:
    """The byte reader of Spotify's times gives what pandas' ISO 8601 parser gives, or NaN."""
    import numpy as np
    from hypothesis import given, settings
    from hypothesis import strategies as st

    from royalty.importers._dates import parse_iso_fixed

    two = st.integers(0, 61).map(lambda v: f"{v:02d}")
    year = st.sampled_from(["1969", "2002", "2024", "2199", "2200", "20x4"])
    extended = st.builds(
        lambda y, mo, d, h, mi, s, sep, z: f"{y}-{mo}-{d}{sep}{h}:{mi}:{s}{z}",
        year, two, two, two, two, two, st.sampled_from(["T", " "]), st.sampled_from(["Z", "z"]),
    )  # fmt: skip
    account = st.builds(lambda y, mo, d, h, mi: f"{y}-{mo}-{d} {h}:{mi}", year, two, two, two, two)

    @settings(max_examples=300, deadline=None)
    @given(st.lists(extended, min_size=1, max_size=30) | st.lists(account, min_size=1, max_size=30))
    def check(values: list[str]) -> None:
        fast = parse_iso_fixed(values)
        assert fast is not None
        read = ~np.isnan(fast)
        expected = pd.to_datetime(pd.Series(values), format="ISO8601", utc=True, errors="coerce")
        assert expected[read].notna().all()
        want = expected[read].astype("datetime64[ms, UTC]").astype("int64").to_numpy()
        assert fast[read].tolist() == want.astype(float).tolist()
        # Whatever pandas reads in these layouts, the byte reader reads too (years 1970-2199).
        in_range = np.array([v[:4].isdigit() and 1970 <= int(v[:4]) < 2200 for v in values])
        pandas_read = expected.notna().to_numpy()
        plain = np.array([(v[10:11] == "T" and v[-1] == "Z") or len(v) == 16 for v in values])
        assert not (pandas_read & in_range & plain & ~read).any()

    check()
    assert parse_iso_fixed(["2024-08-02T12:00:30Z", None]) is None
    assert parse_iso_fixed(["2024-08-02T12:00:30+01:00"]) is None
