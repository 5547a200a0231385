"""Portable players' .scrobbler.log files."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from royalty.errors import DataFormatError
from royalty.importers import read_files

HEAD = "#AUDIOSCROBBLER/1.1\n#TZ/{tz}\n#CLIENT/Rockbox sansae200 $Revision$\n"


def log(tmp_path: Path, tz: str, *lines: str) -> Path:
    path = tmp_path / ".scrobbler.log"
    path.write_text(HEAD.format(tz=tz) + "\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_only_l_rows_are_plays(tmp_path: Path) -> None:
    path = log(
        tmp_path,
        "UTC",
        "Portishead\tDummy\tRoads\t9\t305\tL\t1700000000\tb1a9c0e9-d987-4042-ae91-78d6a3267d69",
        "Portishead\tDummy\tGlory Box\t11\t301\tS\t1700000400\t",
        "Björk\tPost\tArmy of Me\t1\t234\tL\t1700000800",  # no MBID field at all
    )
    result = read_files(path)
    assert dict(result.skipped) == {"skipped on the player (S rows)": 1}
    plays = result.plays
    assert plays["track"].tolist() == ["Roads", "Army of Me"]
    assert plays["duration_ms"].tolist() == [305000, 234000]
    assert plays["played_at"].tolist() == [
        pd.Timestamp(1700000000, unit="s", tz="UTC"),
        pd.Timestamp(1700000800, unit="s", tz="UTC"),
    ]
    assert plays["track_mbid"].iloc[0] == "b1a9c0e9-d987-4042-ae91-78d6a3267d69"
    assert set(plays["source"]) == {"scrobbler-log"}


def test_unknown_tz_needs_a_time_zone_and_names_the_option(tmp_path: Path) -> None:
    path = log(tmp_path, "UNKNOWN", "A\tB\tC\t1\t200\tL\t1700000000\t")
    with pytest.raises(DataFormatError, match=r"\.scrobbler\.log: line 2: .*--tz"):
        read_files(path)


def test_unknown_tz_times_are_local_wall_clock(tmp_path: Path) -> None:
    # 1700000000 read as a wall clock is 2023-11-14 22:13:20; in Berlin (UTC+1 in
    # November) that is 21:13:20 UTC.
    path = log(tmp_path, "UNKNOWN", "A\tB\tC\t1\t200\tL\t1700000000\t")
    plays = read_files(path, tz="Europe/Berlin").plays
    assert plays["played_at"].tolist() == [pd.Timestamp("2023-11-14 21:13:20", tz="UTC")]
