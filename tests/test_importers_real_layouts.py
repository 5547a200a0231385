"""Exports as other tools really write them: Libre.fm, lastfm.ghan.nl, ListenBrainz, Rockbox.

Every file here is written by the test, from the layouts those tools document
or write; none is copied from another project.
"""

from __future__ import annotations

import json
import zipfile
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from royalty import schema
from royalty.errors import DataFormatError
from royalty.importers import read_files

T = pd.Timestamp
# 1700000000 is 2023-11-14 22:13:20 UTC (`date -u -d @1700000000`).
AT = T("2023-11-14 22:13:20", tz="UTC")


def write(path: Path, text: str) -> Path:
    path.write_bytes(text.encode("utf-8"))
    return path


# --- Libre.fm CSV exports -------------------------------------------------------------

LIBRE_COMMENTS = "# Libre.fm export for bob\n# generated 2024-01-01\n"


@pytest.mark.parametrize(
    ("header", "row"),
    [
        ("Artist,Track,Album,Time", "Kraftwerk,Computer Love,Computer World,1700000000"),
        ("userid,Artist,Track,Album,Time", "7,Kraftwerk,Computer Love,Computer World,1700000000"),
        ("Artist,Track,Time", "Kraftwerk,Computer Love,1700000000"),
        ("userid,Artist,Track,Time", "7,Kraftwerk,Computer Love,1700000000"),
    ],
)
def test_libre_fm_csv_with_comment_lines(tmp_path: Path, header: str, row: str) -> None:
    path = write(tmp_path / "librefm.csv", LIBRE_COMMENTS + header + "\n" + row + "\n")
    result = read_files(path)
    assert result.files[0].format == "lastfm-csv"
    plays = result.plays
    schema.validate(plays)
    assert plays["played_at"].tolist() == [AT]  # Time is unix seconds
    assert plays["artist"].tolist() == ["Kraftwerk"]
    assert plays["track"].tolist() == ["Computer Love"]
    if "Album" in header:
        assert plays["album"].tolist() == ["Computer World"]


def test_libre_fm_csv_saved_as_utf7(tmp_path: Path) -> None:
    """Some exports were saved as UTF-7: ``#`` reads ``+ACM-`` and names are encoded too."""
    # By hand: + starts a run of base64 UTF-16 (U+0023 '#' is ACM, U+00F6 'ö' is APY,
    # U+00F3 'ó' is APM), - ends it.
    text = (
        b"+ACM- Libre.fm export\nArtist,Track,Album,Time\nBj+APY-rk,J+APM-ga,Homogenic,1700000000\n"
    )
    path = tmp_path / "librefm.csv"
    path.write_bytes(text)
    plays = read_files(path).plays
    assert plays["artist"].tolist() == ["Björk"]
    assert plays["track"].tolist() == ["Jóga"]
    assert plays["played_at"].tolist() == [AT]


def test_libre_fm_bad_row_is_named_by_its_line_in_the_file(tmp_path: Path) -> None:
    text = LIBRE_COMMENTS + "Artist,Track,Time\nA,B,1700000000\nC,D,soon\n"
    with pytest.raises(DataFormatError, match=r"librefm\.csv: line 5: .*'soon'"):
        read_files(write(tmp_path / "librefm.csv", text))


@pytest.mark.parametrize("header", [None, "Artist,Album,Track,Date"])
def test_csv_with_cr_only_line_ends_as_excel_for_mac_saves(
    tmp_path: Path, header: str | None
) -> None:
    rows = ["Biome,Kora,Let Me,20 Nov 2020 09:35", "Björk,Post,Army of Me,20 Nov 2020 09:40"]
    lines = ([header] if header else []) + rows
    path = tmp_path / "mac.csv"
    path.write_bytes("\r".join(lines).encode("utf-8") + b"\r")
    plays = read_files(path).plays
    assert plays["artist"].tolist() == ["Biome", "Björk"]
    assert plays["played_at"].tolist() == [
        T("2020-11-20 09:35", tz="UTC"),
        T("2020-11-20 09:40", tz="UTC"),
    ]


def test_cr_only_csv_names_the_bad_line(tmp_path: Path) -> None:
    path = tmp_path / "mac.csv"
    path.write_bytes(b"A,B,C,20 Nov 2020 09:35\rD,E,F,someday\r")
    with pytest.raises(DataFormatError, match=r"mac\.csv: line 2: .*'someday'"):
        read_files(path)


# --- lastfm.ghan.nl JSON --------------------------------------------------------------


def ghan_page(number: int, *tracks: dict[str, Any]) -> dict[str, Any]:
    attr = {"user": "bob", "page": str(number), "perPage": "200", "totalPages": "2"}
    return {"track": list(tracks), "@attr": attr}


def api_track(uts: int | None, artist: str, name: str) -> dict[str, Any]:
    track: dict[str, Any] = {
        "artist": {"mbid": "", "#text": artist},
        "name": name,
        "album": {"mbid": "", "#text": "Album"},
        "mbid": "",
    }
    if uts is None:
        track["@attr"] = {"nowplaying": "true"}
    else:
        track["date"] = {"uts": str(uts), "#text": "14 Nov 2023, 22:13"}
    return track


def test_ghan_json_export_is_a_list_of_bare_pages(tmp_path: Path) -> None:
    doc = [
        ghan_page(1, api_track(None, "Now", "Playing"), api_track(1700000300, "B", "Two")),
        ghan_page(2, api_track(1700000000, "A", "One")),
    ]
    path = write(tmp_path / "bob.json", json.dumps(doc))
    result = read_files(path)
    assert result.files[0].format == "lastfm-json"
    assert dict(result.skipped) == {"now playing (no date)": 1}
    assert result.plays["track"].tolist() == ["One", "Two"]
    assert result.plays["played_at"].tolist() == [AT, AT + pd.Timedelta(seconds=300)]
    assert result.plays["album"].tolist() == ["Album", "Album"]


def test_ghan_page_without_a_track_list_names_the_page(tmp_path: Path) -> None:
    doc = [ghan_page(1, api_track(1700000000, "A", "One")), {"track": 5, "@attr": {}}]
    with pytest.raises(DataFormatError, match=r"bob\.json: page 2: no recenttracks\.track"):
        read_files(write(tmp_path / "bob.json", json.dumps(doc)))


# --- ListenBrainz export --------------------------------------------------------------


def listen(at: int, artist: str, track: str) -> dict[str, Any]:
    return {
        "inserted_at": at + 5,
        "listened_at": at,
        "recording_msid": "5d7c0a0d-0b1f-4d8e-8a3e-3c1f3b3f3b3f",
        "track_metadata": {
            "artist_name": artist,
            "track_name": track,
            "release_name": "Release",
            "additional_info": {"duration_ms": 200000},
            "mbid_mapping": None,
        },
        "user_name": "bob",
    }


def jsonl(*records: dict[str, Any]) -> str:
    return "".join(json.dumps(r) + "\n" for r in records)


FEEDBACK = jsonl(
    {"recording_msid": "a", "recording_mbid": None, "score": 1, "created": 1700000000},
    {"recording_msid": None, "recording_mbid": "b", "score": -1, "created": 1700000100},
)
PINNED = jsonl(
    {"recording_msid": "a", "recording_mbid": None, "blurb_content": None,
     "pinned_until": 1700600000, "created": 1700000000},
    {"recording_msid": "c", "recording_mbid": "d", "blurb_content": "good",
     "pinned_until": 1700600100, "created": 1700000100},
)  # fmt: skip
USER = json.dumps({"user_id": 42, "username": "bob"})


def test_listenbrainz_export_zip_passes_over_feedback_pins_and_user(tmp_path: Path) -> None:
    path = tmp_path / "listenbrainz_bob_1700000000.zip"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("user.json", USER)
        zf.writestr("feedback.jsonl", FEEDBACK)
        zf.writestr("pinned_recording.jsonl", PINNED)
        zf.writestr("listens/2023/11.jsonl", jsonl(listen(1700000000, "A", "One"),
                                                   listen(1700000300, "B", "Two")))  # fmt: skip
    result = read_files(path)
    assert result.plays["track"].tolist() == ["One", "Two"]
    passed = {Path(f.name).name: f.note for f in result.passed_over}
    assert set(passed) == {"user.json", "feedback.jsonl", "pinned_recording.jsonl"}
    assert "not ListenBrainz listens" in passed["feedback.jsonl"]


@pytest.mark.parametrize("text", [FEEDBACK, PINNED, FEEDBACK.splitlines()[0]])
def test_jsonl_of_other_records_named_directly_is_not_a_history(tmp_path: Path, text: str) -> None:
    with pytest.raises(DataFormatError, match=r"feedback\.jsonl: unknown format"):
        read_files(write(tmp_path / "feedback.jsonl", text))


def test_jsonl_is_recognised_from_its_records_not_only_its_first_line(tmp_path: Path) -> None:
    """A damaged first line does not hide the listens after it (skipped as a bad row)."""
    text = '{"listened_at": 17000\n' + jsonl(listen(1700000000, "A", "One"))
    path = write(tmp_path / "11.jsonl", text + jsonl(listen(1700000300, "B", "Two")))
    result = read_files(path, skip_bad_rows=True)
    assert result.files[0].format == "listenbrainz"
    assert result.plays["track"].tolist() == ["One", "Two"]
    assert dict(result.skipped) == {"bad rows": 1}
    with pytest.raises(DataFormatError, match=r"11\.jsonl: line 1: "):
        read_files(path)


def test_listens_after_other_records_are_listenbrainz(tmp_path: Path) -> None:
    """A non-listen first record makes the file ListenBrainz with a bad record, not unknown."""
    path = write(tmp_path / "x.jsonl", FEEDBACK + jsonl(listen(1700000000, "A", "One")))
    with pytest.raises(DataFormatError, match=r"x\.jsonl: line 1: no 'listened_at' field"):
        read_files(path)
    assert read_files(path, skip_bad_rows=True).plays["track"].tolist() == ["One"]


# --- Rockbox .scrobbler.log -----------------------------------------------------------


def test_rockbox_untagged_artist_is_no_artist(tmp_path: Path) -> None:
    log = (
        "#AUDIOSCROBBLER/1.1\n#TZ/UTC\n#CLIENT/Rockbox ipod6g $Revision$\n"
        "<Untagged>\t\t01 - track01.mp3\t\t215\tL\t1700000000\t\n"
        "<UNTAGGED>\t\ttrack02.flac\t\t180\tL\t1700000300\t\n"
        "Kraftwerk\tComputer World\tComputer Love\t4\t435\tL\t1700000600\t\n"
    )
    result = read_files(write(tmp_path / ".scrobbler.log", log))
    assert dict(result.skipped) == {"no artist": 2}
    assert result.plays["artist"].tolist() == ["Kraftwerk"]


# --- Spotify --------------------------------------------------------------------------


def extended(ts: str, **change: Any) -> dict[str, Any]:
    rec = {
        "ts": ts,
        "platform": "ios",
        "ms_played": 1000,
        "conn_country": "DE",
        "master_metadata_track_name": "T",
        "master_metadata_album_artist_name": "A",
        "master_metadata_album_album_name": "Al",
        "spotify_track_uri": "spotify:track:x",
    }
    rec.update(change)
    return rec


def test_spotify_record_without_ms_played_is_a_bad_row(tmp_path: Path) -> None:
    first = extended("2024-08-02T12:00:30Z")
    del first["ms_played"]  # the first record too: recognising must not depend on it
    doc = [first, extended("2024-08-02T12:10:30Z")]
    path = write(tmp_path / "Streaming_History_Audio_2024.json", json.dumps(doc))
    with pytest.raises(DataFormatError, match=r"record 1: no 'ms_played' field"):
        read_files(path)
    result = read_files(path, skip_bad_rows=True)
    assert dict(result.skipped) == {"bad rows": 1}
    assert result.plays["played_at"].tolist() == [T("2024-08-02 12:10:29", tz="UTC")]


def test_spotify_history_under_any_name_in_a_folder_is_never_passed_over(tmp_path: Path) -> None:
    """A damaged Spotify file is an error in a folder too, whatever it is called."""
    folder = tmp_path / "exports"
    folder.mkdir()
    first = extended("2024-08-02T12:00:30Z")
    del first["ms_played"]
    write(folder / "my history.json", json.dumps([first]))
    write(folder / "notes.txt", "remember the milk\n")
    with pytest.raises(DataFormatError, match=r"my history\.json: record 1: no 'ms_played'"):
        read_files(folder)
    write(folder / "my history.json", json.dumps([extended("2024-08-02T12:00:30Z")]))
    result = read_files(folder)
    assert [f.format for f in result.files] == ["spotify-extended", None]
    account = [{"endTime": "2020-02-20 11:02", "artistName": "A", "trackName": "T"}]
    write(folder / "my history.json", json.dumps(account))
    with pytest.raises(DataFormatError, match=r"my history\.json: record 1: no 'msPlayed'"):
        read_files(folder)


# --- Maloja ---------------------------------------------------------------------------


def scrobble(at: int, artists: Any, title: str, **extra: Any) -> dict[str, Any]:
    track = {"artists": artists, "title": title, "album": extra.pop("album", None),
             "length": 300}  # fmt: skip
    return {"time": at, "track": track, "duration": extra.pop("duration", None),
            "origin": "client:default", **extra}  # fmt: skip


def test_maloja_export(tmp_path: Path) -> None:
    doc = {
        "maloja": {"export_time": 1700001000},
        "scrobbles": [
            scrobble(1700000000, ["Kraftwerk"], "Computer Love", duration=435,
                     album={"albumtitle": "Computer World", "artists": ["Kraftwerk"]}),
            scrobble(1700000300, ["Daft Punk", "Pharrell Williams"], "Get Lucky"),
            scrobble(1700000600, [], "Nobody"),
        ],
    }  # fmt: skip
    path = write(tmp_path / "maloja_export_2023_11_14_22_30_00.json", json.dumps(doc, indent=3))
    result = read_files(path)
    assert result.files[0].format == "maloja"
    assert dict(result.skipped) == {"no artist": 1}
    plays = result.plays
    schema.validate(plays)
    assert plays["artist"].tolist() == ["Kraftwerk", "Daft Punk, Pharrell Williams"]
    assert plays["track"].tolist() == ["Computer Love", "Get Lucky"]
    assert plays["album"].tolist()[0] == "Computer World"
    assert plays["duration_ms"].tolist()[0] == 435000
    assert pd.isna(plays["duration_ms"].iloc[1])
    assert plays["played_at"].tolist() == [AT, AT + pd.Timedelta(seconds=300)]
    assert set(plays["source"]) == {"maloja"}


def test_maloja_bad_scrobble_is_named(tmp_path: Path) -> None:
    doc = {"maloja": {}, "scrobbles": [scrobble(1700000000, "A", "T"), {"time": 1700000300}]}
    path = write(tmp_path / "export.json", json.dumps(doc))
    with pytest.raises(DataFormatError, match=r"export\.json: record 2: no 'track' object"):
        read_files(path)
    doc["scrobbles"][1] = scrobble(1700000300, [1, 2], "T")
    write(path, json.dumps(doc))
    with pytest.raises(DataFormatError, match=r"record 2: track\.artists is \[1, 2\]"):
        read_files(path)


# --- Koito ----------------------------------------------------------------------------


def named(text: str, **extra: Any) -> dict[str, Any]:
    aliases = [{"alias": text + " (old)", "source": "User", "is_primary": False},
               {"alias": text, "source": "Canonical", "is_primary": True}]  # fmt: skip
    return {"mbid": extra.pop("mbid", None), "aliases": aliases, **extra}


def koito_listen(at: str, artists: list[str], title: str) -> dict[str, Any]:
    return {
        "listened_at": at,
        "client": "test client",
        "track": named(title, duration=354),
        "album": named("LP3", image_url="", various_artists=False, mbid=MBID_ALBUM),
        "artists": [named(a, image_url="", is_primary=False) for a in artists],
    }


MBID_ALBUM = "d0ec30bd-7cdc-417c-979d-5a0631b8a161"


def test_koito_export_is_not_taken_for_listenbrainz(tmp_path: Path) -> None:
    """Koito's export has a "listens" list too, but not ListenBrainz's listens."""
    doc = {
        "version": "1",
        "exported_at": "2024-01-01T00:00:00Z",
        "user": "koito",
        "listens": [
            koito_listen("2023-11-14T22:13:20Z", ["American Football", "Elizabeth Powell"], "Wave"),
            koito_listen("2023-11-14T22:18:20Z", [], "Unknown"),
        ],
    }
    result = read_files(write(tmp_path / "koito_export.json", json.dumps(doc, indent=2)))
    assert result.files[0].format == "koito"
    assert dict(result.skipped) == {"no artist": 1}
    plays = result.plays
    schema.validate(plays)
    assert plays["played_at"].tolist() == [AT]
    assert plays["artist"].tolist() == ["American Football, Elizabeth Powell"]
    assert plays["track"].tolist() == ["Wave"]  # the primary alias, not the first
    assert plays["album"].tolist() == ["LP3"]
    assert plays["album_mbid"].tolist() == [MBID_ALBUM]
    assert plays["duration_ms"].tolist() == [354000]
    assert set(plays["source"]) == {"koito"}
    doc["listens"][0]["listened_at"] = "yesterday"
    write(tmp_path / "koito_export.json", json.dumps(doc))
    with pytest.raises(DataFormatError, match=r"record 1: listened_at 'yesterday' is not a time"):
        read_files(tmp_path / "koito_export.json")


# --- Pano Scrobbler -------------------------------------------------------------------

PANO_HEADER = (
    "timeHuman,timeMs,artist,track,album,albumArtist,durationMs,"
    "mediaPlayerPackage,mediaPlayerName,mediaPlayerVersion,event"
)
PANO_ROWS = [
    ("14 Nov 2023, 23:13", 1700000000000, "Kraftwerk", "Computer Love", "Computer World",
     "Kraftwerk", 435000, "org.videolan.vlc", "VLC", "3.5", "scrobble"),
    ("14 Nov 2023, 23:14", 1700000060000, "Kraftwerk", "Computer Love", "", "", None, "", "",
     "", "love"),
    ("14 Nov 2023, 23:18", 1700000300000, "Björk", "Jóga, live", "", "", None, "", "", "",
     "scrobble"),
]  # fmt: skip


def pano_csv(rows: list[tuple[Any, ...]]) -> str:
    import csv
    import io

    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(PANO_HEADER.split(","))
    writer.writerows(["null" if v is None else v for v in row] for row in rows)
    return out.getvalue()


def pano_jsonl(rows: list[tuple[Any, ...]]) -> str:
    keys = PANO_HEADER.split(",")
    return "".join(json.dumps(dict(zip(keys, row, strict=True))) + "\n" for row in rows)


@pytest.mark.parametrize("kind", ["csv", "jsonl"])
def test_pano_scrobbler_files(tmp_path: Path, kind: str) -> None:
    text = pano_csv(PANO_ROWS) if kind == "csv" else pano_jsonl(PANO_ROWS)
    result = read_files(write(tmp_path / f"scrobbles.{kind}", text))
    assert result.files[0].format == "pano-scrobbler"
    assert dict(result.skipped) == {"loved or unloved (not plays)": 1}
    plays = result.plays
    schema.validate(plays)
    assert plays["played_at"].tolist() == [AT, AT + pd.Timedelta(seconds=300)]
    assert plays["artist"].tolist() == ["Kraftwerk", "Björk"]
    assert plays["track"].tolist() == ["Computer Love", "Jóga, live"]
    assert plays["duration_ms"].tolist()[0] == 435000
    assert pd.isna(plays["duration_ms"].iloc[1])
    assert set(plays["source"]) == {"pano-scrobbler"}


@pytest.mark.parametrize("kind", ["csv", "jsonl"])
def test_pano_scrobbler_bad_time_names_its_line(tmp_path: Path, kind: str) -> None:
    rows = [*PANO_ROWS[:1], ("x", "soon", "A", "T", "", "", None, "", "", "", "scrobble")]
    text = pano_csv(rows) if kind == "csv" else pano_jsonl(rows)
    line = 3 if kind == "csv" else 2
    with pytest.raises(DataFormatError, match=rf"line {line}: timeMs is 'soon'"):
        read_files(write(tmp_path / f"scrobbles.{kind}", text))
    assert len(read_files(tmp_path / f"scrobbles.{kind}", skip_bad_rows=True).plays) == 1


# --- Spinitron ------------------------------------------------------------------------


def spin(start: str, artist: str | None, song: str, duration: int | None = 435) -> dict:
    return {"id": 1, "playlist_id": 7, "start": start, "end": start, "duration": duration,
            "timezone": "Europe/Berlin", "classical": False, "artist": artist,
            "release": "Computer World", "va": False, "label": "EMI", "song": song,
            "isrc": None, "upc": None}  # fmt: skip


@pytest.mark.parametrize("wrapped", [True, False])
def test_spinitron_spins(tmp_path: Path, wrapped: bool) -> None:
    spins = [
        spin("2023-11-14T23:13:20+0100", "Kraftwerk", "Computer Love"),  # 22:13:20 UTC
        spin("2023-11-14T17:18:20-0500", "Kraftwerk", "Pocket Calculator", None),
        spin("2023-11-14T23:30:00+0100", None, "Station ID"),
    ]
    doc = {"items": spins, "_links": {}, "_meta": {"totalCount": 3}} if wrapped else spins
    result = read_files(write(tmp_path / "spins.json", json.dumps(doc)))
    assert result.files[0].format == "spinitron"
    assert dict(result.skipped) == {"no artist": 1}
    plays = result.plays
    schema.validate(plays)
    assert plays["played_at"].tolist() == [AT, AT + pd.Timedelta(seconds=300)]
    assert plays["track"].tolist() == ["Computer Love", "Pocket Calculator"]
    assert plays["album"].tolist() == ["Computer World"] * 2
    assert plays["duration_ms"].tolist()[0] == 435000
    assert pd.isna(plays["duration_ms"].iloc[1])
    spins[1]["start"] = "soon"
    write(tmp_path / "spins.json", json.dumps(doc))
    with pytest.raises(DataFormatError, match=r"spins\.json: record 2: start 'soon' is not a time"):
        read_files(tmp_path / "spins.json")
