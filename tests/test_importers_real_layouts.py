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


@pytest.mark.parametrize("given", ["librefm", "libre.fm", "lastfm-csv"])
def test_libre_fm_format_names(tmp_path: Path, given: str) -> None:
    path = write(tmp_path / "librefm.txt", LIBRE_COMMENTS + "Artist,Track,Time\nA,T,1700000000\n")
    assert read_files(path, input_format=given).plays["played_at"].tolist() == [AT]


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


def test_a_first_row_whose_artist_starts_with_a_hash_is_a_play(tmp_path: Path) -> None:
    """Only lines before a header are comments; this file has no header."""
    text = "#1 Dads,About Face,So Soldier,20 Nov 2020 09:35\nA,B,C,20 Nov 2020 09:40\n"
    plays = read_files(write(tmp_path / "scrobbles.csv", text)).plays
    assert plays["artist"].tolist() == ["#1 Dads", "A"]


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


def test_json_array_of_listens_is_recognised_past_a_damaged_first_record(tmp_path: Path) -> None:
    doc = [{"listened_at": 1700000000}, listen(1700000300, "B", "Two")]
    path = write(tmp_path / "listens.json", json.dumps(doc))
    with pytest.raises(DataFormatError, match=r"listens\.json: record 1: no 'track_metadata'"):
        read_files(path)
    assert read_files(path, skip_bad_rows=True).plays["track"].tolist() == ["Two"]


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


def test_rockbox_artist_starting_with_a_hash_is_a_play(tmp_path: Path) -> None:
    """Header lines start with # and hold no tab; a play's fields are tab-separated."""
    log = "#AUDIOSCROBBLER/1.1\n#TZ/UTC\n#1 Dads\tAbout Face\tSo Soldier\t1\t200\tL\t1700000000\t\n"
    plays = read_files(write(tmp_path / ".scrobbler.log", log)).plays
    assert plays["artist"].tolist() == ["#1 Dads"]


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
