"""Many files at once: the work grows with the number of files, and every play counts once.

A timed test would be flaky on a shared machine, so these count the steps
whose number used to grow with the files: the merges (each copied everything
held so far) and the zip openings. ``benchmarks/bench_file_import.py`` times it.
"""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path
from typing import Any

import pytest

from royalty import matching
from royalty.importers import read_files
from royalty.importers.files import union_of_exports


def csv_rows(i: int) -> str:
    """Two plays a file, each file on its own day."""
    day = 1 + i % 28
    month = ["Jan", "Feb", "Mar", "Apr", "May", "Jun"][i // 28 % 6]
    year = 2010 + i // 168
    return (
        f"Artist {i},Album,Track A,{day:02d} {month} {year} 10:00\n"
        f"Artist {i},Album,Track B,{day:02d} {month} {year} 10:05\n"
    )


SPOTIFY = [{"ts": "2023-05-01T10:03:20Z", "ms_played": 200000,
            "master_metadata_album_artist_name": "Mitski",
            "master_metadata_track_name": "Nobody"}]  # fmt: skip


@pytest.fixture
def counted(monkeypatch: pytest.MonkeyPatch) -> dict[str, int]:
    """How often read_files merges plays and opens a zip."""
    calls = {"merge": 0, "zip": 0}
    real_merge, real_init = matching.merge_plays, zipfile.ZipFile.__init__

    def merge(*args: Any, **kwargs: Any) -> Any:
        calls["merge"] += 1
        return real_merge(*args, **kwargs)

    def init(self: zipfile.ZipFile, *args: Any, **kwargs: Any) -> None:
        calls["zip"] += 1
        real_init(self, *args, **kwargs)

    monkeypatch.setattr(matching, "merge_plays", merge)
    monkeypatch.setattr(zipfile.ZipFile, "__init__", init)
    return calls


def test_a_zip_of_many_files_merges_once_per_source_and_opens_once(
    tmp_path: Path, counted: dict[str, int]
) -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf:
        for i in range(120):
            zf.writestr(f"scrobbles/part_{i:04d}.csv", csv_rows(i))
        zf.writestr("spotify/endsong_0.json", json.dumps(SPOTIFY))
    path = tmp_path / "export.zip"
    path.write_bytes(buffer.getvalue())
    counted["zip"] = 0  # the one above, made by the test
    result = read_files(path)
    assert len(result.plays) == 241
    assert counted == {"merge": 1, "zip": 1}  # two sources: one merge, whatever the files


def test_a_folder_of_many_files_of_one_source_merges_nothing(
    tmp_path: Path, counted: dict[str, int]
) -> None:
    for i in range(100):
        (tmp_path / f"part_{i:04d}.csv").write_text(csv_rows(i))
    result = read_files(tmp_path)
    assert len(result.plays) == 200 and len(result.files) == 100
    assert counted["merge"] == 0


def test_overlapping_exports_of_one_source_keep_each_play_as_often_as_one_file_has_it(
    tmp_path: Path,
) -> None:
    x = "A,Al,X,01 May 2023 10:00\n"
    y = "A,Al,Y,01 May 2023 10:05\n"
    files = [(tmp_path / "1.csv", x * 2), (tmp_path / "2.csv", x + y), (tmp_path / "3.csv", x * 3)]
    for path, text in files:
        path.write_text(text)
    result = read_files([path for path, _ in files])
    assert sorted(result.plays["track"].tolist()) == ["X", "X", "X", "Y"]
    assert result.overlapping == 3  # of 7 rows, 4 plays
    assert result.matched == 0


def test_the_union_is_the_same_as_merging_file_by_file(tmp_path: Path) -> None:
    paths = []
    for i, days in enumerate([range(1, 9), range(5, 14), range(3, 6), range(12, 20)]):
        path = tmp_path / f"{i}.csv"
        path.write_text("".join(f"A,Al,T{d % 3},{d:02d} May 2023 10:00\n" for d in days))
        paths.append(path)
    frames = [read_files(p).plays for p in paths]
    united, repeated = union_of_exports(frames)
    held = frames[0]
    for frame in frames[1:]:  # the old way: one merge per file
        held = matching.merge_plays(held, frame).plays
    key = ["played_at", "artist", "track"]
    assert united.sort_values(key)[key].astype(str).values.tolist() == (
        held.sort_values(key)[key].astype(str).values.tolist()
    )
    assert repeated == sum(map(len, frames)) - len(held)
