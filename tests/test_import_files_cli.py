"""`royalty import USER --file PATH`: export files into the store, all or nothing."""

from __future__ import annotations

import json
import subprocess
import zipfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from cli_run import run
from royalty import store

START = datetime(2024, 7, 1, 10, 0, 0, tzinfo=UTC)
TRACKS = [("Radiohead", "Kid A", "Idioteque", 309_000), ("SJD", "Dandelion", "I Love You", 201_000)]


def plays(n: int, offset: int = 0) -> list[tuple[datetime, str, str, str, int]]:
    """n plays, one every 10 minutes, alternating two tracks (start, artist, album, track, ms)."""
    out = []
    for i in range(offset, offset + n):
        artist, album, track, ms = TRACKS[i % 2]
        out.append((START + timedelta(minutes=10 * i), artist, album, track, ms))
    return out


def lastfm_csv(path: Path, rows: list[tuple[datetime, str, str, str, int]]) -> Path:
    """A lastfm-to-csv export: no header, minute precision, newest first."""
    lines = [
        f"{artist},{album},{track},{start:%d %b %Y %H:%M}\n"
        for start, artist, album, track, _ in sorted(rows, reverse=True)
    ]
    path.write_text("".join(lines), encoding="utf-8")
    return path


def spotify_json(path: Path, rows: list[tuple[datetime, str, str, str, int]]) -> Path:
    """A Spotify extended streaming history of the same plays, stamped at their end."""
    records = [
        {
            "ts": (start + timedelta(milliseconds=ms, seconds=7)).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "ms_played": ms,
            "master_metadata_track_name": track,
            "master_metadata_album_artist_name": artist,
            "master_metadata_album_album_name": album,
            "spotify_track_uri": "spotify:track:0000000000000000000000",
            "reason_start": "trackdone",
            "reason_end": "trackdone",
            "skipped": False,
        }
        for start, artist, album, track, ms in rows
    ]
    path.write_text(json.dumps(records), encoding="utf-8")
    return path


@pytest.mark.parametrize("spotify_first", [True, False])
def test_the_same_plays_from_spotify_and_lastfm_are_stored_once(
    tmp_path: Path, spotify_first: bool
) -> None:
    csv_file = lastfm_csv(tmp_path / "scrobbles.csv", plays(6))
    json_file = spotify_json(tmp_path / "Streaming_History_Audio_2024.json", plays(8))
    first, second = (json_file, csv_file) if spotify_first else (csv_file, json_file)
    code, out, err = run("import", "listener", "--file", str(first))
    assert code == 0, err
    code, out, err = run("import", "listener", "--file", str(second))
    assert code == 0, err
    assert "6 matched across sources" in out
    stored = store.load("listener")
    assert len(stored) == 8  # the union: 6 plays in both, 2 only on Spotify
    assert stored["duration_ms"].notna().all()  # the row with the duration was kept


def test_both_sources_in_one_command(tmp_path: Path) -> None:
    code, out, err = run(
        "import",
        "listener",
        "--file",
        str(lastfm_csv(tmp_path / "a.csv", plays(6))),
        "--file",
        str(spotify_json(tmp_path / "b.json", plays(8))),
    )
    assert code == 0, err
    assert out.startswith("listener: 8 new plays from 2 files (14 rows)")
    assert "6 matched across sources" in out
    assert len(store.load("listener")) == 8


def test_reimporting_a_file_changes_nothing_and_a_newer_export_adds_only_new_plays(
    tmp_path: Path,
) -> None:
    older = lastfm_csv(tmp_path / "older.csv", plays(5))
    newer = lastfm_csv(tmp_path / "newer.csv", plays(9))
    assert run("import", "listener", "--file", str(older))[0] == 0
    before = store.plays_path("listener").read_bytes()
    code, out, _ = run("import", "listener", "--file", str(older))
    assert code == 0
    assert "0 new plays" in out
    assert "5 already stored" in out
    assert store.plays_path("listener").read_bytes() == before
    code, out, _ = run("import", "listener", "--file", str(newer))
    assert "4 new plays" in out
    assert len(store.load("listener")) == 9


def test_a_zip_of_several_files(tmp_path: Path) -> None:
    csv_file = lastfm_csv(tmp_path / "scrobbles.csv", plays(4))
    json_file = spotify_json(tmp_path / "Streaming_History_Audio_2024.json", plays(4, offset=10))
    archive = tmp_path / "my_data.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.write(csv_file, "export/scrobbles.csv")
        zf.write(json_file, "export/Streaming_History_Audio_2024.json")
        zf.writestr("export/Userdata.json", json.dumps({"username": "someone"}))
    code, out, err = run("import", "listener", "--file", str(archive))
    assert code == 0, err
    assert "8 new plays from 2 files" in out
    assert "1 other file passed over" in out


def test_one_bad_file_leaves_the_store_exactly_as_it_was(tmp_path: Path) -> None:
    assert (
        run("import", "listener", "--file", str(lastfm_csv(tmp_path / "a.csv", plays(3))))[0] == 0
    )
    before = store.plays_path("listener").read_bytes()
    good = lastfm_csv(tmp_path / "b.csv", plays(3, offset=5))
    bad = tmp_path / "c.json"
    bad.write_text('[{"ts": "2024-07-01T10:00:00Z", "ms_played": "abc"', encoding="utf-8")
    code, out, err = run("import", "listener", "--file", str(good), "--file", str(bad))
    assert code == 1
    assert out == ""
    assert err.startswith("Error: ")
    assert "c.json" in err
    assert len(err.strip().splitlines()) == 1
    assert store.plays_path("listener").read_bytes() == before


def test_since_and_until_limit_a_file_import(tmp_path: Path) -> None:
    path = lastfm_csv(tmp_path / "a.csv", plays(12))  # 10:00 .. 11:50 on 2024-07-01
    code, out, err = run(
        "import", "listener", "--file", str(path),
        "--since", "2024-07-01T10:30", "--until", "2024-07-01T11:00",
    )  # fmt: skip
    assert code == 0, err
    assert "skipped 9 (9 outside since/until)" in out
    assert len(store.load("listener")) == 3


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--until", "2024-01-01"], "--until only applies to files"),
        (["--input-format", "lastfm-csv"], "--input-format only applies to files"),
        (["--tz", "Pacific/Auckland"], "--tz only applies to files"),
        (["--skip-bad-rows"], "no Last.fm API key"),  # it applies to Last.fm plays too
        (["--match-window", "-1", "--file", "x.csv"], "--match-window"),
        (["--file", "no-such-file.csv"], "no-such-file.csv"),
        (["--file", "x.csv", "--since", "2024-02-01", "--until", "2024-01-01"], "after --until"),
    ],
)
def test_bad_import_options_give_one_error_line(args: list[str], message: str) -> None:
    code, out, err = run("import", "listener", *args)
    assert code == 1
    assert out == ""
    assert err.startswith("Error: ")
    assert message in err
    assert len(err.strip().splitlines()) == 1


def test_bad_user_name_for_a_file_import(tmp_path: Path) -> None:
    code, _, err = run("import", "../etc", "--file", str(lastfm_csv(tmp_path / "a.csv", plays(1))))
    assert code == 1
    assert "not a valid user name" in err


def test_a_second_writer_is_refused_at_once(
    tmp_path: Path, lock_holder: subprocess.Popen[str]
) -> None:
    code, _, err = run(
        "import", "listener", "--file", str(lastfm_csv(tmp_path / "a.csv", plays(2)))
    )
    assert code == 1
    assert f"pid {lock_holder.pid}" in err
    assert not store.has_user("listener")


def test_compare_uses_the_imported_files(tmp_path: Path) -> None:
    run("import", "listener", "--file", str(lastfm_csv(tmp_path / "a.csv", plays(4))))
    code, out, err = run("compare", "--format", "json")
    assert code == 0
    assert "bundled sample" not in err
    assert {row["artist"]: row["plays"] for row in json.loads(out)} == {"Radiohead": 2, "SJD": 2}
