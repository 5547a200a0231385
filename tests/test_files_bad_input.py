"""Bad input: one line naming the file and the line or record, or skipped and counted."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import pytest

from royalty.errors import DataFormatError
from royalty.importers import read_files

GOOD_CSV = "Biome,Kora,Let Me,20 Nov 2020 09:35\n"
ACCOUNT = {"endTime": "2020-02-20 11:02", "artistName": "A", "trackName": "T", "msPlayed": 1000}


def account(**change: object) -> dict:
    return {**ACCOUNT, **change}


CASES: dict[str, tuple[bytes, str]] = {
    "empty": (b"", r"x\.dat: the file is empty"),
    "truncated json": (
        json.dumps([ACCOUNT, ACCOUNT]).encode()[:-30],
        r"x\.dat: line 1: .*truncated",
    ),
    "truncated csv row": (
        (GOOD_CSV * 2 + "Biome,Kora").encode(),
        r"x\.dat: line 3: expected 4 fields, found 2",
    ),
    "binary": (b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR", r"x\.dat: line 3: NUL byte"),
    "latin-1": ((GOOD_CSV + "Bj\xf6rk,Post,Army,20 Nov 2020 09:30\n").encode("latin-1"),
                r"x\.dat: line 2: byte 0xf6 is not UTF-8"),
    "nul in csv": ((GOOD_CSV + "A\0,B,C,20 Nov 2020 09:30\n").encode(), r"x\.dat: line 2: NUL"),
    "unknown": (b"hello, this is a letter\nnot a history\n", r"x\.dat: unknown format"),
    "unknown json": (b'{"name": "x"}', r"x\.dat: unknown format"),
    "missing field": (json.dumps([ACCOUNT, {"endTime": "2020-02-20 11:02", "artistName": "A",
                                           "trackName": "T"}]).encode(),
                      r"x\.dat: record 2: no 'msPlayed' field"),
    "wrong type": (json.dumps([account(msPlayed="abc")]).encode(),
                   r"x\.dat: record 1: msPlayed is 'abc', expected a whole number"),
    "before 2002": ((GOOD_CSV + "A,B,C,31 Dec 2001 23:59\n").encode(),
                    r"x\.dat: line 2: time 2001-12-31 23:59:00 UTC is before 2002"),
    "future": (json.dumps([account(endTime="2999-01-01 00:00")]).encode(),
               r"x\.dat: record 1: .* more than a day in the future"),
    "negative duration": (json.dumps([ACCOUNT, account(msPlayed=-5)]).encode(),
                          r"x\.dat: record 2: negative duration -5 ms"),
    "bad date": ((GOOD_CSV + "A,B,C,yesterday\n").encode(), r"x\.dat: line 2: .*'yesterday'"),
}  # fmt: skip


@pytest.mark.parametrize("case", sorted(CASES))
def test_bad_input_is_one_line_naming_the_place(tmp_path: Path, case: str) -> None:
    data, pattern = CASES[case]
    path = tmp_path / "x.dat"
    path.write_bytes(data)
    with pytest.raises(DataFormatError, match=pattern) as caught:
        read_files(path)
    assert "\n" not in str(caught.value)


ROW_CASES = ["truncated csv row", "latin-1", "nul in csv", "wrong type", "before 2002",
             "future", "negative duration", "bad date", "missing field"]  # fmt: skip


@pytest.mark.parametrize("case", ROW_CASES)
def test_skip_bad_rows_counts_them_instead(tmp_path: Path, case: str) -> None:
    data, _ = CASES[case]
    path = tmp_path / "x.dat"
    path.write_bytes(data)
    result = read_files(path, skip_bad_rows=True)
    assert result.skipped.get("bad rows") == 1
    good_rows = 2 if case == "truncated csv row" else 1
    assert len(result.plays) == good_rows - (1 if case in ("wrong type", "future") else 0)


def test_zip_with_no_history_is_an_error(tmp_path: Path) -> None:
    path = tmp_path / "my_spotify_data.zip"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("MyData/Userdata.json", json.dumps({"username": "x"}))
        zf.writestr("MyData/Read Me First.pdf", b"%PDF-1.4\0\0")
    with pytest.raises(DataFormatError, match=r"my_spotify_data\.zip: no listening history"):
        read_files(path)


def test_folder_with_no_history_is_an_error(tmp_path: Path) -> None:
    folder = tmp_path / "stuff"
    folder.mkdir()
    (folder / "notes.txt").write_text("nothing here\n")
    with pytest.raises(DataFormatError, match=r"stuff: no listening history"):
        read_files(folder)


def test_truncated_zip_is_an_error(tmp_path: Path) -> None:
    path = tmp_path / "a.zip"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("StreamingHistory0.json", json.dumps([ACCOUNT] * 50))
    path.write_bytes(path.read_bytes()[:60])
    with pytest.raises(DataFormatError, match=r"a\.zip"):
        read_files(path)


def test_one_bad_file_among_several_fails_the_whole_read(tmp_path: Path) -> None:
    good = tmp_path / "good.csv"
    good.write_text(GOOD_CSV)
    bad = tmp_path / "bad.csv"
    bad.write_text(GOOD_CSV + "A,B,C,31 Dec 2001 23:59\n")
    with pytest.raises(DataFormatError, match=r"bad\.csv: line 2"):
        read_files([good, bad])
