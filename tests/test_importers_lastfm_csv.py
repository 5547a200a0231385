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


def test_lastfm_to_csv_no_header_now_playing_and_repeats(tmp_path: Path) -> None:
    from royalty.importers import read_files

    text = (
        "Biome,UNITY,Unity,\n"  # now playing: no date
        "Biome,Kora,Let Me,20 Nov 2020 09:35\n"
        "Biome,,Kitemare,20 Nov 2020 09:28\n"
        "Biome,,Kitemare,20 Nov 2020 09:28\n"  # a repeat: still a play
    )
    result = read_files(write(tmp_path / "export.csv", text))
    plays = result.plays
    assert len(plays) == 3
    assert dict(result.skipped) == {"now playing (no date)": 1}
    assert plays["played_at"].tolist() == [
        pd.Timestamp("2020-11-20 09:28", tz="UTC"),
        pd.Timestamp("2020-11-20 09:28", tz="UTC"),
        pd.Timestamp("2020-11-20 09:35", tz="UTC"),
    ]
    assert plays["album"].isna().tolist() == [True, True, False]
    assert result.files[0].format == "lastfm-csv"


def test_utc_time_header_with_comma_in_date_and_quoted_names(tmp_path: Path) -> None:
    text = (
        "utc_time,artist,album,track\n"
        '"24 Jan 2023, 09:42",*67,"Cast a Spell, Single",Cast a Spell\n'
        '"1 Feb 2023, 00:05",Кино,,Группа крови\n'
    )
    plays = read_lastfm_csv(write(tmp_path / "x.csv", text))
    assert plays["played_at"].tolist() == [
        pd.Timestamp("2023-01-24 09:42", tz="UTC"),
        pd.Timestamp("2023-02-01 00:05", tz="UTC"),
    ]
    assert plays["album"].iloc[0] == "Cast a Spell, Single"
    assert plays["artist"].iloc[1] == "Кино"


def test_capitalised_artist_album_track_date_header(tmp_path: Path) -> None:
    text = "Artist,Album,Track,Date\nA,B,C,03 Mar 2021 17:00\n"
    plays = read_lastfm_csv(write(tmp_path / "x.csv", text))
    assert plays["played_at"].tolist() == [pd.Timestamp("2021-03-03 17:00", tz="UTC")]
    assert (plays["artist"].iloc[0], plays["album"].iloc[0], plays["track"].iloc[0]) == (
        "A",
        "B",
        "C",
    )


NAMES = [
    "🎸 Emoji Band",
    "坂本龍一",
    "فيروز",  # right-to-left
    "Ame\u0301lie",  # e + combining acute, kept decomposed
    'Say "Hi", Again',
]


@pytest.mark.parametrize("name", NAMES)
def test_text_is_kept_exactly(tmp_path: Path, name: str) -> None:
    quoted = '"' + name.replace('"', '""') + '"'
    text = f"{GHAN_HEADER}\n" + f'"1700000000","",{quoted},"","","",{quoted},""\n'
    plays = read_lastfm_csv(write(tmp_path / "x.csv", text, bom=True, crlf=True))
    assert plays["artist"].iloc[0] == name
    assert plays["track"].iloc[0] == name


def test_fast_date_parser_agrees_with_strptime() -> None:
    import pyarrow as pa
    from hypothesis import given, settings
    from hypothesis import strategies as st

    from royalty.importers._dates import parse_day_month_year

    moments = st.datetimes(
        min_value=pd.Timestamp("2002-01-01").to_pydatetime(),
        max_value=pd.Timestamp("2040-12-31").to_pydatetime(),
    )
    layouts = st.sampled_from(["%d %b %Y %H:%M", "%d %b %Y, %H:%M", "%d %b %Y %H:%M:%S"])

    @settings(max_examples=300, deadline=None)
    @given(moments, layouts, st.booleans())
    def check(moment: object, layout: str, strip_zero: bool) -> None:
        stamp = pd.Timestamp(moment).floor("s")
        if "%S" not in layout:
            stamp = stamp.floor("min")
        text = stamp.strftime(layout)
        if strip_zero and text.startswith("0"):
            text = text[1:]  # lastfm-to-csv writes "1 Feb" as well as "01 Feb"
        expected = stamp.value // 1_000_000
        assert parse_day_month_year(pa.array([text])).tolist() == [float(expected)]

    check()


@pytest.mark.parametrize(
    "text", ["31 Apr 2020 10:00", "12 Foo 2020 10:00", "1 Jan 2020 25:00", "1 Jan 2020", "x" * 20]
)
def test_fast_date_parser_rejects_impossible_dates(text: str) -> None:
    import pyarrow as pa

    from royalty.importers._dates import parse_day_month_year

    assert pd.isna(parse_day_month_year(pa.array([text]))[0])


def test_fast_date_parser_batches_agree_with_the_general_reader() -> None:
    """The fixed-width pass gives, on whole mixed batches, what the byte walker gives alone."""
    import numpy as np
    import pyarrow as pa
    from hypothesis import given, settings
    from hypothesis import strategies as st

    from royalty.importers._dates import _parse_general, parse_day_month_year

    day = st.integers(0, 32).map(str) | st.integers(0, 32).map(lambda d: f"{d:02d}")
    hour = st.integers(0, 25).map(str) | st.integers(0, 25).map(lambda h: f"{h:02d}")
    month = st.sampled_from(["Jan", "Feb", "Apr", "Dec", "Foo", "jan"])
    year = st.sampled_from(["1969", "2002", "2024", "2199", "2200", "20x4"])
    tail = st.sampled_from(["", ":07", ":61", ":5", " "])
    date = st.builds(
        lambda d, m, y, comma, h, mi, t: f"{d} {m} {y}{comma} {h}:{mi:02d}{t}",
        day, month, year, st.sampled_from(["", ","]), hour, st.integers(0, 61), tail,
    )  # fmt: skip
    texts = st.lists(date | st.sampled_from(["", " ", "x" * 17]) | st.none(), max_size=40)

    @settings(max_examples=300, deadline=None)
    @given(texts, st.integers(0, 3))
    def check(values: list[str | None], cut: int) -> None:
        strings = pa.array(values, type=pa.string()).slice(min(cut, len(values)))
        fast = parse_day_month_year(strings)
        slow = _parse_general(strings)
        assert np.array_equal(fast, slow, equal_nan=True)

    check()


def test_fast_date_parser_reads_runs_of_one_date_like_the_general_reader() -> None:
    """Sorted exports repeat each date for many rows; reading a run once gives the same times."""
    import numpy as np
    import pyarrow as pa
    from hypothesis import given, settings
    from hypothesis import strategies as st

    from royalty.importers._dates import _parse_general, parse_day_month_year

    # Dates that differ only at the start, in the middle, or in the year's last digit.
    day = st.sampled_from(
        ["01 Jan 2020", "01 Jan 2021", "31 Jan 2020", "29 Feb 2020", "30 Feb 2020", "1x Mar 2020"]
    )
    clock = st.sampled_from(["00:00", "09:35", "23:59", "24:00", "12:6x", "12-30"])
    run = st.tuples(day, st.lists(clock, min_size=1, max_size=30))

    @settings(max_examples=200, deadline=None)
    @given(st.lists(run, min_size=1, max_size=12), st.sampled_from(["", ","]))
    def check(runs: list[tuple[str, list[str]]], comma: str) -> None:
        values = [f"{d}{comma} {c}" for d, clocks in runs for c in clocks]
        strings = pa.array(values, type=pa.string())
        assert np.array_equal(
            parse_day_month_year(strings), _parse_general(strings), equal_nan=True
        )

    check()
    # A long sorted column, as a real export is: one date for a hundred rows at a time.
    minutes = np.arange(0, 60 * 24 * 30, 7)
    stamps = pd.to_datetime(minutes * 60 + 1_600_000_000 // 86_400 * 86_400, unit="s")
    values = stamps.strftime("%d %b %Y %H:%M").tolist()
    values[500] = values[500][:-1] + "x"  # a bad minute inside a run
    got = parse_day_month_year(pa.array(values))
    want = stamps.as_unit("ms").astype("int64").to_numpy().astype(float)
    want[500] = np.nan
    assert np.array_equal(got, want, equal_nan=True)


def test_blank_or_whitespace_names_are_skipped_and_counted(tmp_path: Path) -> None:
    from royalty.importers import read_files

    text = (
        "Real,Album,Song,01 May 2023 10:00\n"
        "   ,Album,Song,01 May 2023 10:05\n"
        ",Album,Song,01 May 2023 10:10\n"
        "Real,Album, \t,01 May 2023 10:15\n"
    )
    result = read_files(write(tmp_path / "blanks.csv", text))
    assert result.plays["artist"].tolist() == ["Real"]
    assert dict(result.skipped) == {"no artist": 2, "no track title": 1}
