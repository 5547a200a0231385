"""Last.fm CSV exports: every layout and quirk, on files the tests write."""

from __future__ import annotations

import gzip
from pathlib import Path

import pandas as pd
import pytest

from royalty import schema
from royalty.errors import DataFormatError
from royalty.importers.lastfm_csv import read_lastfm_csv

GHAN_HEADER = "uts,utc_time,artist,artist_mbid,album,album_mbid,track,track_mbid"
MBID = "0b4ab1bb-c382-349e-af18-592e702c6bc6"


def ghan_row(uts: int, artist: str, track: str, album: str = "", mbid: str = "") -> str:
    stamp = pd.Timestamp(uts, unit="s").strftime("%d %b %Y, %H:%M")
    fields = [str(uts), stamp, artist, mbid, album, "", track, ""]
    return ",".join(f'"{f}"' for f in fields)


def write(path: Path, text: str, *, bom: bool = False, crlf: bool = False) -> Path:
    if crlf:
        text = text.replace("\n", "\r\n")
    path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + text.encode("utf-8"))
    return path


def test_ghan_reads_uts_as_the_start_and_keeps_every_field(tmp_path: Path) -> None:
    # 1700000000 is 2023-11-14 22:13:20 UTC (worked out with `date -u -d @1700000000`).
    text = "\n".join(
        [
            GHAN_HEADER,
            ghan_row(1700000000, "The Cure", "Primary", "Faith", MBID),
            ghan_row(1700000300, "Go‐Go’s", "This Town, Again"),
        ]
    )
    plays = read_lastfm_csv(write(tmp_path / "ghan.csv", text + "\n"))
    schema.validate(plays)
    assert plays["played_at"].tolist() == [
        pd.Timestamp("2023-11-14 22:13:20", tz="UTC"),
        pd.Timestamp("2023-11-14 22:18:20", tz="UTC"),
    ]
    assert plays["artist"].tolist() == ["The Cure", "Go‐Go’s"]
    assert plays["track"].tolist() == ["Primary", "This Town, Again"]
    assert plays["album"].iloc[0] == "Faith"
    assert pd.isna(plays["album"].iloc[1])
    assert plays["artist_mbid"].iloc[0] == MBID
    assert pd.isna(plays["artist_mbid"].iloc[1])
    assert plays["duration_ms"].isna().all()
    assert set(plays["source"]) == {"lastfm-csv"}


@pytest.mark.parametrize(
    ("bom", "crlf"), [(False, False), (True, False), (False, True), (True, True)]
)
def test_ghan_bom_and_crlf_give_the_same_plays(tmp_path: Path, bom: bool, crlf: bool) -> None:
    text = "\n".join([GHAN_HEADER, ghan_row(1700000000, "Sigur Rós", "Hoppípolla")]) + "\n"
    plays = read_lastfm_csv(write(tmp_path / "x.csv", text, bom=bom, crlf=crlf))
    assert plays["artist"].tolist() == ["Sigur Rós"]
    assert plays["track"].tolist() == ["Hoppípolla"]
    assert plays["played_at"].iloc[0] == pd.Timestamp(1700000000, unit="s", tz="UTC")


def test_gzip_is_detected_from_the_magic_bytes_not_the_name(tmp_path: Path) -> None:
    text = "\n".join([GHAN_HEADER, ghan_row(1700000000, "Björk", "Jóga")]) + "\n"
    path = tmp_path / "plain-name.csv"
    path.write_bytes(gzip.compress(text.encode()))
    plays = read_lastfm_csv(path)
    assert plays["artist"].tolist() == ["Björk"]


def test_identical_rows_stay_separate_plays(tmp_path: Path) -> None:
    row = ghan_row(1700000000, "A", "B")
    plays = read_lastfm_csv(write(tmp_path / "x.csv", f"{GHAN_HEADER}\n{row}\n{row}\n"))
    assert len(plays) == 2


def test_ghan_bad_uts_names_the_line(tmp_path: Path) -> None:
    good = ghan_row(1700000000, "A", "B")
    bad = good.replace('"1700000000"', '"soon"', 1)
    path = write(tmp_path / "bad.csv", f"{GHAN_HEADER}\n{good}\n{bad}\n")
    with pytest.raises(DataFormatError, match=r"bad\.csv: line 3: uts 'soon'"):
        read_lastfm_csv(path)
