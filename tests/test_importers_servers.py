"""Self-hosted scrobble servers' and apps' exports: Maloja, Koito, Pano Scrobbler, Spinitron.

Every file here is written by the test, from the layouts those programs write;
none is copied from another project.
"""

from __future__ import annotations

import json
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


@pytest.mark.parametrize("given", ["pano-scrobbler", "panoscrobbler", "Pano"])
def test_pano_scrobbler_format_names(tmp_path: Path, given: str) -> None:
    path = write(tmp_path / "scrobbles.txt", pano_jsonl(PANO_ROWS))
    assert read_files(path, input_format=given).files[0].format == "pano-scrobbler"
