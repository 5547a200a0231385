"""The bundled sample: reproducible from its script, and shaped like the essay's listener."""

from __future__ import annotations

import csv
import gzip
import itertools
import os
import re
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd
import pytest

from royalty import sample, schema
from royalty.errors import RoyaltyError

ROOT = Path(__file__).resolve().parent.parent
COMMITTED = ROOT / "data" / "sample" / "plays.csv.gz"
HEADER = ["uts", "utc_time", "artist", "artist_mbid", "album", "album_mbid", "track", "track_mbid"]
MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
# Radiohead's studio albums up to 2013 and when each came out (UK release; In
# Rainbows as a download on 10 Oct 2007, The King of Limbs on 18 Feb 2011).
RADIOHEAD_RELEASES = {
    "Pablo Honey": "1993-02-22",
    "The Bends": "1995-03-13",
    "OK Computer": "1997-06-16",
    "Kid A": "2000-10-02",
    "Amnesiac": "2001-06-04",
    "Hail to the Thief": "2003-06-09",
    "In Rainbows": "2007-10-10",
    "The King of Limbs": "2011-02-18",
}
NZ_ACTS = {"The Phoenix Foundation", "Fat Freddy's Drop", "Bic Runga", "The Mint Chicks", "Shihad"}
UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}")


@pytest.fixture(scope="module")
def plays() -> pd.DataFrame:
    return sample.load_sample()


@pytest.fixture(scope="module")
def rows() -> list[list[str]]:
    with gzip.open(COMMITTED, "rt", encoding="utf-8", newline="") as f:
        return list(csv.reader(f))


def test_the_script_reproduces_the_committed_file_byte_for_byte(tmp_path: Path) -> None:
    out = tmp_path / "again.csv.gz"
    # -I -S: no site-packages, so the script can only use the standard library;
    # an odd time zone, locale and hash seed must not change a byte.
    env = {**os.environ, "TZ": "Asia/Kathmandu", "LC_ALL": "C", "PYTHONHASHSEED": "12345"}
    script = ROOT / "scripts" / "make_sample.py"
    cmd = [sys.executable, "-I", "-S", str(script), "--output", str(out)]
    done = subprocess.run(cmd, cwd=tmp_path, env=env, capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    made, committed = out.read_bytes(), COMMITTED.read_bytes()
    assert gzip.decompress(made) == gzip.decompress(committed), "the CSV content differs"
    assert made == committed, "same CSV, different gzip bytes (another zlib?)"


def test_the_file_is_a_modest_reproducible_gzip(rows: list[list[str]]) -> None:
    data = COMMITTED.read_bytes()
    assert 100_000 < len(data) < 5_000_000
    assert data[:2] == b"\x1f\x8b"
    assert data[4:8] == b"\0\0\0\0", "gzip mtime must be 0"
    assert not data[3] & 0x08, "no file name in the gzip header"
    text = gzip.decompress(data)
    assert b"\r" not in text
    assert text.startswith(b'"uts","utc_time","artist","artist_mbid","album"')


def test_the_file_is_a_ghan_style_export_newest_first(rows: list[list[str]]) -> None:
    assert rows[0] == HEADER
    body = rows[1:]
    assert len(body) == 60_000
    assert all(len(r) == 8 for r in body)
    uts = [int(r[0]) for r in body]
    assert all(a > b for a, b in itertools.pairwise(uts))
    for r in body[::997]:
        d = datetime.fromtimestamp(int(r[0]), UTC)
        assert r[1] == f"{d.day:02d} {MONTHS[d.month - 1]} {d.year}, {d.hour:02d}:{d.minute:02d}"


def test_every_line_quotes_every_field() -> None:
    text = gzip.decompress(COMMITTED.read_bytes()).decode("utf-8")
    lines = text.split("\n")
    assert lines[-1] == ""
    # Eight quoted fields: a line starts and ends with a quote and has 7 '","' joins
    # (more only when a title itself contains "," between quotes).
    assert all(ln.startswith('"') and ln.endswith('"') for ln in lines[:-1])
    assert all(ln.count('","') >= 7 for ln in lines[:-1])


def test_load_sample_gives_the_schema_and_sixty_thousand_plays(plays: pd.DataFrame) -> None:
    schema.validate(plays)
    assert list(plays.columns) == list(schema.COLUMNS)
    assert len(plays) == 60_000


def test_radiohead_and_sjd_have_the_essays_play_counts(plays: pd.DataFrame) -> None:
    counts = plays["artist"].value_counts()
    assert counts["Radiohead"] == 2_800
    assert counts["SJD"] == 1_500
    assert counts.index[0] == "Radiohead", "no artist is played more than Radiohead"
    assert len(NZ_ACTS & set(counts.index[:15])) >= 3


def test_the_essays_dollars_at_a_third_of_a_cent(plays: pd.DataFrame) -> None:
    counts = plays["artist"].value_counts()
    assert round(counts["Radiohead"] / 300, 2) == 9.33
    assert round(counts["SJD"] / 300, 2) == 5.00


def test_seven_years_from_may_2006_to_april_2013(plays: pd.DataFrame) -> None:
    t = plays["played_at"]
    assert pd.Timestamp("2006-05-01", tz="UTC") <= t.min() < pd.Timestamp("2006-05-08", tz="UTC")
    assert pd.Timestamp("2013-04-24", tz="UTC") <= t.max() < pd.Timestamp("2013-05-01", tz="UTC")


def test_about_165_plays_a_week_varying_from_week_to_week(plays: pd.DataFrame) -> None:
    t = plays["played_at"]
    full = t[(t >= "2006-05-08") & (t < "2013-04-29")]  # whole Monday-to-Sunday weeks
    weekly = full.dt.tz_localize(None).dt.to_period("W-SUN").value_counts()
    weeks = (pd.Timestamp("2013-04-29") - pd.Timestamp("2006-05-08")).days // 7
    mean = len(full) / weeks
    assert 150 < mean < 180
    assert weekly.min() < mean / 3, "some quiet weeks (trips away)"
    assert weekly.max() > 2 * mean, "some busy weeks"


def test_plays_never_overlap(plays: pd.DataFrame) -> None:
    t = plays["played_at"].sort_values()
    assert t.diff().dropna().min() >= pd.Timedelta(minutes=2)


def test_about_1500_artists_in_a_long_tail(plays: pd.DataFrame) -> None:
    counts = plays["artist"].value_counts()
    assert 1_400 <= len(counts) <= 1_600
    assert (counts == 1).sum() > 100, "many artists heard once"
    assert counts.iloc[:20].sum() < len(plays) / 2
    names = counts.index.astype(str)
    assert any(re.search(r"[\u3040-\u30ff\u4e00-\u9fff\uac00-\ud7af]", n) for n in names)
    assert any(re.search(r"[\u0400-\u04ff]", n) for n in names)
    for mark in ("&", ",", '"', "é"):
        assert any(mark in n for n in names), mark


def test_about_a_tenth_of_plays_have_no_album(plays: pd.DataFrame) -> None:
    assert 0.08 <= plays["album"].isna().mean() <= 0.12


def test_albums_have_real_looking_track_counts(plays: pd.DataFrame) -> None:
    tracks = plays.dropna(subset=["album"]).groupby(["artist", "album"], observed=True)["track"]
    assert tracks.nunique().max() <= 14


def test_radiohead_plays_its_studio_albums_only_after_release(plays: pd.DataFrame) -> None:
    rh = plays[plays["artist"] == "Radiohead"]
    assert rh["album"].notna().all()
    assert set(rh["album"].astype(str)) == set(RADIOHEAD_RELEASES)
    first = rh.groupby(rh["album"].astype(str))["played_at"].min()
    for album, released in RADIOHEAD_RELEASES.items():
        assert first[album] >= pd.Timestamp(released, tz="UTC"), album


def test_new_radiohead_albums_make_bursts(plays: pd.DataFrame) -> None:
    rh = plays.loc[plays["artist"] == "Radiohead", "played_at"]
    per_4_weeks = len(rh) / (365 / 4)
    for released in ("2007-10-10", "2011-02-18"):
        start = pd.Timestamp(released, tz="UTC")
        burst = ((rh >= start) & (rh < start + pd.Timedelta(weeks=4))).sum()
        assert burst > 2 * per_4_weeks, released


def test_some_rows_have_mbids(plays: pd.DataFrame) -> None:
    for col in ("artist_mbid", "album_mbid", "track_mbid"):
        share = plays[col].notna().mean()
        assert 0.2 < share < 0.9, col
        assert all(UUID.fullmatch(m) for m in plays[col].dropna().astype(str).unique()), col
    per_artist = plays.groupby("artist", observed=True)["artist_mbid"].nunique(dropna=False)
    assert (per_artist == 1).all(), "an artist's MBID is the same on every row"


def test_sample_path_prefers_the_packaged_copy(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    packaged = tmp_path / "_sample" / "plays.csv.gz"
    packaged.parent.mkdir()
    packaged.write_bytes(b"x")
    monkeypatch.setattr(sample, "files", lambda _: tmp_path)
    assert sample.sample_path() == packaged


def test_sample_path_falls_back_to_the_source_tree(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Installed from a wheel, the module has no source tree beside it: point it at ours.
    monkeypatch.setattr(sample, "files", lambda _: tmp_path)
    monkeypatch.setattr(sample, "_SOURCE_TREE_FILE", COMMITTED)
    assert sample.sample_path() == COMMITTED


@pytest.mark.parametrize("content", [None, b""])
def test_a_missing_or_empty_sample_is_an_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, content: bytes | None
) -> None:
    source = tmp_path / "data" / "plays.csv.gz"
    if content is not None:
        source.parent.mkdir()
        source.write_bytes(content)
    monkeypatch.setattr(sample, "files", lambda _: tmp_path)
    monkeypatch.setattr(sample, "_SOURCE_TREE_FILE", source)
    with pytest.raises(RoyaltyError, match=r"make_sample\.py"):
        sample.sample_path()


def test_the_readme_documents_regeneration() -> None:
    readme = (ROOT / "data" / "sample" / "README.md").read_text(encoding="utf-8")
    assert "synthetic" in readme.lower()
    assert "python scripts/make_sample.py" in readme
