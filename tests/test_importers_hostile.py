"""Hostile content: each gets one line ``FILE: line N: what is wrong``, never a crash."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from royalty.errors import DataFormatError
from royalty.importers import read_files

ACCOUNT = '[{"endTime": "2020-02-20 11:02", "artistName": "A", "trackName": "T", "msPlayed": %s}]'
EXTENDED = (
    '[{"ts": "2024-08-02T12:00:30Z", "ms_played": %s, "master_metadata_track_name": "T",'
    ' "master_metadata_album_artist_name": "A", "master_metadata_album_album_name": null}]'
)
LISTEN = '[{"listened_at": %s, "track_metadata": {"artist_name": "A", "track_name": "T"}}]'
LOG = "#AUDIOSCROBBLER/1.1\n#TZ/%s\nA\tB\tT\t1\t200\tL\t%s\t\n"

# name -> (file content, what the one-line error must say)
CASES: dict[str, tuple[bytes, str]] = {
    "msPlayed 1e400": (ACCOUNT.encode() % b"1e400", r"record 1: msPlayed is inf, out of range"),
    "msPlayed Infinity": (ACCOUNT.encode() % b"Infinity", r"record 1: msPlayed is inf"),
    "msPlayed -Infinity": (ACCOUNT.encode() % b"-Infinity", r"record 1: msPlayed is -inf"),
    "msPlayed NaN": (ACCOUNT.encode() % b"NaN", r"record 1: msPlayed is nan"),
    "msPlayed 1e18": (ACCOUNT.encode() % b"1000000000000000000", r"record 1: msPlayed .*range"),
    "msPlayed 1e19": (ACCOUNT.encode() % b"10000000000000000000", r"record 1: msPlayed .*range"),
    "msPlayed 10**400": (ACCOUNT.encode() % (b"9" * 400), r"record 1: msPlayed .*range"),
    "msPlayed a year": (ACCOUNT.encode() % b"31536000000", r"record 1: .*longer than a week"),
    "ms_played 1e400": (EXTENDED.encode() % b"1e400", r"record 1: ms_played is inf"),
    "ms_played Infinity": (EXTENDED.encode() % b"Infinity", r"record 1: ms_played is inf"),
    "ms_played 1e18": (EXTENDED.encode() % b"1000000000000000000", r"record 1: ms_played .*range"),
    "listened_at 1e400": (LISTEN.encode() % b"1e400", r"record 1: listened_at inf is not a time"),
    "listened_at inf": (LISTEN.encode() % b'"inf"', r"record 1: listened_at inf is not a time"),
    "listened_at -inf": (LISTEN.encode() % b'"-inf"', r"record 1: listened_at -inf is not a time"),
    "listened_at 1e30": (LISTEN.encode() % b"1e30", r"record 1: time 1e\+30 s since 1970 is more"),
    "listened_at 10**400": (
        LISTEN.encode() % (b"9" * 400),
        r"record 1: listened_at is 9{20}.*, expected unix seconds",
    ),
    "endTime year 0": (
        json.dumps(
            [{"endTime": "0000-01-01 00:00", "artistName": "A", "trackName": "T", "msPlayed": 1}]
        ).encode(),
        r"record 1: .*before 2002",
    ),
    "ts year 9999": (
        EXTENDED.replace("2024-08-02", "9999-12-31").encode() % b"1",
        r"record 1: time 9999-12-31 12:00:29 UTC is more than a day in the future",
    ),
    "scrobbler.log 1e30": (
        (LOG % ("UTC", "1e30")).encode(),
        r"line 3: time 1e\+30 s since 1970 is more than a day in the future",
    ),
    "scrobbler.log inf": ((LOG % ("UTC", "inf")).encode(), r"line 3: time inf is not a time"),
    "csv uts 12 digits": (
        b"uts,artist,track\n1700000000,A,T\n999999999999,A,T\n",
        r"line 3: time 1e\+12 s since 1970 is more than a day in the future",
    ),
    "api uts 14 digits": (
        json.dumps(
            {
                "recenttracks": {
                    "track": [
                        {"artist": {"#text": "A"}, "name": "T", "date": {"uts": "99999999999999"}}
                    ]
                }
            }
        ).encode(),
        r"record 1: time 1e\+14 s since 1970 is more than a day in the future",
    ),
    "api uts 1e400": (
        b'{"recenttracks": {"track": [{"artist": "A", "name": "T", "date": {"uts": 1e400}}]}}',
        r"record 1: date\.uts is inf, out of range",
    ),
    "json nested 100,000 deep": (
        b"[" * 100_000 + b"]" * 100_000,
        r"the JSON is nested more than 900",
    ),
    "jsonl nested 100,000 deep": (
        (LISTEN[1:-1] % "1700000000").encode() + b"\n" + b"[" * 100_000 + b"]" * 100_000 + b"\n",
        r"line 2: not valid JSON",
    ),
    "deep value in a record": (
        ACCOUNT.encode() % (b"[" * 800 + b"]" * 800),
        r"record 1: msPlayed is \[\[\[.*…, expected a whole number",
    ),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_hostile_value_is_one_line_naming_the_place(tmp_path: Path, case: str) -> None:
    data, pattern = CASES[case]
    path = tmp_path / ("x.scrobbler.log" if "scrobbler" in case else "x.dat")
    path.write_bytes(data)
    with pytest.raises(DataFormatError, match=rf"x\.(dat|scrobbler\.log): {pattern}") as caught:
        read_files(path)
    assert "\n" not in str(caught.value)


SKIPPABLE = ["msPlayed 1e400", "ms_played Infinity", "listened_at inf", "listened_at 1e30",
             "scrobbler.log 1e30", "csv uts 12 digits", "endTime year 0"]  # fmt: skip


@pytest.mark.parametrize("case", SKIPPABLE)
def test_hostile_values_are_bad_rows_under_skip_bad_rows(tmp_path: Path, case: str) -> None:
    path = tmp_path / ("x.scrobbler.log" if "scrobbler" in case else "x.dat")
    path.write_bytes(CASES[case][0])
    result = read_files(path, skip_bad_rows=True)
    assert result.skipped == {"bad rows": 1}
    assert len(result.plays) == (1 if case == "csv uts 12 digits" else 0)


def test_wall_clock_log_time_out_of_range_is_a_bad_row(tmp_path: Path) -> None:
    path = tmp_path / ".scrobbler.log"
    path.write_text(LOG % ("UNKNOWN", "1e30"), encoding="utf-8")
    with pytest.raises(DataFormatError, match=r"line 3: time 1e\+30 s since 1970"):
        read_files(path, tz="Europe/Berlin")


@pytest.mark.parametrize("where", ["first", "second"])
def test_line_longer_than_arrow_block_or_csv_field_limit(tmp_path: Path, where: str) -> None:
    """A 200,000-character line (csv's field limit is 131,072) is refused in one line."""
    long = "x" * 200_000
    good = "Biome,Kora,Let Me,20 Nov 2020 09:35"
    path = tmp_path / "x.csv"
    path.write_text(f"{long}\n{good}\n" if where == "first" else f"{good}\n{long}\n")
    message = r"x\.csv: unknown format" if where == "first" else r"x\.csv: line 2: expected 4"
    with pytest.raises(DataFormatError, match=message):
        read_files(path)


def test_a_quoted_field_longer_than_csv_field_limit_is_named(tmp_path: Path) -> None:
    """Naming a bad row reads the file again with the csv module: a huge field must not crash."""
    path = tmp_path / "x.csv"
    long = '"' + "y" * 200_000 + '"'
    path.write_text(f"uts,artist,track\n1700000000,{long},T\nsoon,A,T\n")
    with pytest.raises(DataFormatError, match=r"x\.csv: line \d+: uts 'soon'"):
        read_files(path)


def test_header_longer_than_csv_field_limit_with_input_format(tmp_path: Path) -> None:
    path = tmp_path / "x.csv"
    path.write_text("uts,artist,track," + "z" * 200_000 + "\n1700000000,A,T,q\n")
    with pytest.raises(DataFormatError, match=r"x\.csv: line 1: not a Last\.fm CSV"):
        read_files(path, input_format="lastfm-csv")


@pytest.mark.parametrize("name", ["photo.jpg", "scrobbles.csv", "endsong_0.json", "x.jsonl"])
def test_binary_file_in_a_folder_is_passed_over_and_named_alone_is_an_error(
    tmp_path: Path, name: str
) -> None:
    folder = tmp_path / "exports"
    folder.mkdir()
    binary = bytes(range(256)) * 64
    (folder / name).write_bytes(binary)
    (folder / "scrobbles_old.csv").write_text("Biome,Kora,Let Me,20 Nov 2020 09:35\n")
    result = read_files(folder)
    assert len(result.plays) == 1
    assert [f.note for f in result.passed_over] == ["a binary file, not a listening history"]
    with pytest.raises(DataFormatError, match=rf"{name}: line 1: NUL byte"):
        read_files(folder / name)


def test_sniffing_a_binary_file_never_raises_a_csv_error(tmp_path: Path) -> None:
    """A stray CR in the first line made the csv module raise inside sniffing."""
    path = tmp_path / "x.dat"
    path.write_bytes(b"abc\rdef\n\x00\x01")
    with pytest.raises(DataFormatError, match=r"x\.dat: line 2: NUL byte"):
        read_files(path)
    path.write_bytes(b"a,b\rc,d\nA,B,C,20 Nov 2020 09:35\n")
    with pytest.raises(DataFormatError, match=r"x\.dat: unknown format"):
        read_files(path)


@pytest.mark.parametrize("name", ["notes.txt", "StreamingHistory0.json", "11.jsonl"])
def test_empty_file_in_a_folder_is_passed_over(tmp_path: Path, name: str) -> None:
    folder = tmp_path / "exports"
    folder.mkdir()
    (folder / name).write_bytes(b"\xef\xbb\xbf \n")
    (folder / "scrobbles.csv").write_text("Biome,Kora,Let Me,20 Nov 2020 09:35\n")
    result = read_files(folder)
    assert len(result.plays) == 1
    assert [(Path(f.name).name, f.note) for f in result.passed_over] == [(name, "an empty file")]
    with pytest.raises(DataFormatError, match=rf"{name}: the file is empty"):
        read_files(folder / name)


@pytest.mark.parametrize("kind", ["csv", "jsonl", "scrobbler.log"])
def test_a_name_longer_than_csv_field_limit_is_read(tmp_path: Path, kind: str) -> None:
    """200,000 characters in one field, past the first line, is still a name."""
    long = "x" * 200_000
    if kind == "csv":
        text = f'uts,artist,track\n1700000000,A,T\n1700000001,"{long}",T\n'
    elif kind == "jsonl":
        rows = [(1700000000, "A"), (1700000001, long)]
        text = "".join(
            json.dumps({"listened_at": t, "track_metadata": {"artist_name": a, "track_name": "T"}})
            + "\n"
            for t, a in rows
        )
    else:
        text = "#AUDIOSCROBBLER/1.1\n#TZ/UTC\nA\tB\tT\t1\t200\tL\t1700000000\t\n"
        text += f"{long}\tB\tT\t1\t200\tL\t1700000001\t\n"
    path = tmp_path / f"x.{kind}"
    path.write_text(text)
    assert read_files(path).plays["artist"].tolist() == ["A", long]
