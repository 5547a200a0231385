"""`royalty compare`, `royalty stats` and `royalty users`, end to end through typer."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pandas as pd
import pytest

from cli_run import COMPARE_COLUMNS, by_artist, run, run_rows
from royalty import schema, store
from royalty.sample import load_sample


@pytest.fixture(scope="module")
def sample() -> pd.DataFrame:
    return load_sample()


def tiny_history() -> pd.DataFrame:
    """Six plays with durations: two under 30 s."""
    frame = pd.DataFrame(
        {
            "played_at": pd.to_datetime(
                [
                    "2012-01-01T10:00:00Z",
                    "2012-01-01T10:05:00Z",
                    "2012-01-01T10:10:00Z",
                    "2012-01-02T10:00:00Z",
                    "2012-01-02T10:01:00Z",
                    "2012-01-03T10:00:00Z",
                ]
            ),
            "artist": ["Alpha", "Alpha", "Alpha", "Beta", "Beta", "Alpha"],
            "track": ["a1", "a2", "a3", "b1", "b2", "a1"],
            "album": ["A", "A", "A", None, None, "A"],
            "duration_ms": [200_000, 20_000, 200_000, 10_000, 31_000, None],
        }
    )
    return schema.normalize(frame, source="test")


# --- compare -----------------------------------------------------------------


def test_compare_on_the_sample_shows_the_essays_numbers() -> None:
    code, out, err = run("compare", "--rate", "0.0033")
    assert code == 0, err
    assert "bundled sample" in err
    assert "Radiohead" in out and "SJD" in out
    assert "artist level" in out and "US dollars of 2013" in out
    assert "Total (20 artists)" in out
    assert "Verdict for all 1,514 artists: " in out
    rows = by_artist(run_rows("compare"))
    assert round(float(rows["Radiohead"]["streaming_payout"]), 2) == 9.33  # type: ignore[arg-type]
    assert round(float(rows["SJD"]["streaming_payout"]), 2) == 5.00  # type: ignore[arg-type]


def test_compare_table_prints_money_with_two_decimals() -> None:
    code, out, _ = run("compare")
    assert code == 0
    assert "$9.33" in out and "$5.00" in out


def test_compare_json_has_exactly_the_documented_columns(sample: pd.DataFrame) -> None:
    rows = run_rows("compare")
    assert len(rows) == 20
    assert all(list(r) == COMPARE_COLUMNS for r in rows)
    streams = [int(r["streams"]) for r in rows]  # type: ignore[call-overload]
    assert streams == sorted(streams, reverse=True)
    assert {r["verdict"] for r in rows} <= {"streams", "cds", "depends", "no-cd"}
    top = sample["artist"].value_counts()
    assert rows[0]["artist"] == top.index[0]
    assert rows[0]["plays"] == int(top.iloc[0])
    for r in rows:
        date = r["crossover_date"]
        assert date is None or (isinstance(date, str) and date.endswith("Z"))


def test_compare_top(sample: pd.DataFrame) -> None:
    assert len(run_rows("compare", "--top", "5")) == 5
    every = run_rows("compare", "--top", "0")
    assert len(every) == sample["artist"].nunique()


def test_compare_csv_matches_json() -> None:
    code, out, _ = run("compare", "--format", "csv", "--top", "7")
    assert code == 0
    reader = csv.DictReader(io.StringIO(out))
    assert reader.fieldnames == COMPARE_COLUMNS
    csv_rows = list(reader)
    json_rows = run_rows("compare", "--top", "7")
    assert [r["artist"] for r in csv_rows] == [r["artist"] for r in json_rows]
    for c, j in zip(csv_rows, json_rows, strict=True):
        assert float(c["streaming_payout"]) == j["streaming_payout"]  # full precision
        assert (c["crossover_date"] or None) == j["crossover_date"]


def test_compare_markdown() -> None:
    code, out, _ = run("compare", "--format", "markdown", "--top", "3")
    assert code == 0
    lines = out.splitlines()
    assert lines[0].startswith("### Streaming against CD income")
    table = [line for line in lines if line.startswith("|")]
    assert len(table) == 2 + 3 + 1  # header, alignment, 3 artists, total
    assert "$9.33" in out and "USD" in out


def test_compare_rate_and_cd_margin() -> None:
    base = by_artist(run_rows("compare"))["Radiohead"]
    rows = by_artist(run_rows("compare", "--rate", "0.01", "--cd-margin", "2"))
    radiohead = rows["Radiohead"]
    assert radiohead["streaming_payout"] == pytest.approx(int(radiohead["plays"]) * 0.01)  # type: ignore[call-overload]
    assert radiohead["cd_payout"] == pytest.approx(int(base["albums"]) * 2)  # type: ignore[call-overload]


@pytest.mark.parametrize("k", [1, 10, 360])
def test_compare_min_album_plays(sample: pd.DataFrame, k: int) -> None:
    radiohead = sample[sample["artist"] == "Radiohead"]
    per_album = radiohead["album"].astype(object).dropna().value_counts()  # no album: no CD
    expected = int((per_album >= k).sum())
    row = by_artist(run_rows("compare", "--min-album-plays", str(k)))["Radiohead"]
    assert row["albums"] == expected


def test_compare_min_seconds_on_a_stored_user() -> None:
    store.merge("tiny", tiny_history())
    rows = by_artist(run_rows("compare", "--user", "tiny"))
    assert (rows["Alpha"]["streams"], rows["Beta"]["streams"]) == (3, 1)
    assert (rows["Alpha"]["plays"], rows["Beta"]["plays"]) == (4, 2)  # as `stats` counts them
    rows = by_artist(run_rows("compare", "--user", "tiny", "--min-seconds", "0"))
    assert (rows["Alpha"]["streams"], rows["Beta"]["streams"]) == (4, 2)
    rows = by_artist(run_rows("compare", "--user", "tiny", "--min-seconds", "100"))
    assert "Beta" not in rows and rows["Alpha"]["streams"] == 3


def test_compare_since_and_until(sample: pd.DataFrame) -> None:
    rows = run_rows("compare", "--since", "2008-01-01", "--until", "2008-12-31", "--top", "0")
    t = sample["played_at"]
    inside = sample[(t >= "2008-01-01") & (t < "2009-01-01")]
    assert sum(int(r["plays"]) for r in rows) == len(inside)  # type: ignore[call-overload]


def test_compare_uses_the_most_recent_user_without_the_sample_note() -> None:
    store.merge("tiny", tiny_history())
    code, out, err = run("compare", "--format", "json")
    assert code == 0
    assert "bundled sample" not in err
    assert {r["artist"] for r in json.loads(out)} == {"Alpha", "Beta"}
    code, out, _ = run("compare")
    assert "for tiny" in out


def test_compare_output_file(tmp_path: Path) -> None:
    target = tmp_path / "out.json"
    code, out, err = run("compare", "--format", "json", "--output", str(target))
    assert code == 0
    assert out == ""
    assert str(target) in err
    assert json.loads(target.read_text("utf-8")) == run_rows("compare")
    assert [p.name for p in tmp_path.iterdir()] == ["out.json"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--rate", "0"], "rate"),
        (["--rate", "-0.003"], "rate"),
        (["--rate", "nan"], "rate"),
        (["--cd-margin", "-1"], "margin"),
        (["--min-album-plays", "0"], "album"),
        (["--min-seconds", "-5"], "seconds"),
        (["--top", "-1"], "--top"),
        (["--since", "last tuesday"], "cannot read 'last tuesday' as a date"),
        (["--until", "2010-13-45"], "as a date"),
        (["--since", "2010-01-02", "--until", "2010-01-01"], "after --until"),
        (["--user", "nobody"], "no plays are stored for 'nobody'"),
        (["--user", "../etc"], "not a valid user name"),
        (["--output", "/no/such/folder/out.txt"], "does not exist"),
    ],
)
def test_compare_bad_arguments_give_one_error_line(args: list[str], message: str) -> None:
    code, out, err = run("compare", *args)
    assert code == 1
    assert out == ""
    assert err.startswith("Error: ")
    assert message in err
    assert len(err.strip().splitlines()) == 1
    assert "Traceback" not in err


def test_compare_output_to_a_folder_is_refused(tmp_path: Path) -> None:
    code, _, err = run("compare", "--output", str(tmp_path))
    assert code == 1
    assert err.startswith("Error: ") and "folder" in err


@pytest.mark.parametrize("args", [["--rate", "abc"], ["--format", "xml"], ["--top", "x"]])
def test_compare_usage_errors(args: list[str]) -> None:
    code, out, _ = run("compare", *args)
    assert code == 2
    assert out == ""


# --- stats -------------------------------------------------------------------


def test_stats_json_on_the_sample(sample: pd.DataFrame) -> None:
    code, out, err = run("stats", "--format", "json")
    assert code == 0, err
    data = json.loads(out)
    assert list(data) == [
        "plays",
        "first_play",
        "last_play",
        "artists",
        "albums",
        "tracks",
        "plays_per_week",
        "top_artists",
    ]
    assert data["plays"] == len(sample) == 60_000
    assert data["first_play"] == sample["played_at"].min().strftime("%Y-%m-%dT%H:%M:%SZ")
    assert data["last_play"] == sample["played_at"].max().strftime("%Y-%m-%dT%H:%M:%SZ")
    assert data["artists"] == sample["artist"].nunique()
    weeks = (sample["played_at"].max() - sample["played_at"].min()) / pd.Timedelta(days=7)
    assert data["plays_per_week"] == pytest.approx(60_000 / weeks)
    assert len(data["top_artists"]) == 10
    counts = sample["artist"].value_counts()
    assert data["top_artists"][0] == {"artist": counts.index[0], "plays": int(counts.iloc[0])}


def test_stats_counts_every_play_including_short_ones() -> None:
    store.merge("tiny", tiny_history())
    code, out, _ = run("stats", "--user", "tiny", "--format", "json")
    assert code == 0
    data = json.loads(out)
    assert (data["plays"], data["artists"], data["albums"], data["tracks"]) == (6, 2, 1, 5)


def test_stats_table() -> None:
    code, out, _ = run("stats")
    assert code == 0
    assert "60,000" in out and "Top 10 artists" in out and "Radiohead" in out


def test_stats_bad_user() -> None:
    code, _, err = run("stats", "--user", "x/y")
    assert code == 1 and err.startswith("Error: ") and "not a valid user name" in err


# --- users -------------------------------------------------------------------


def test_users_empty_and_filled() -> None:
    code, out, _ = run("users")
    assert code == 0 and "No listening history is stored yet" in out
    store.merge("tiny", tiny_history())
    code, out, _ = run("users")
    assert code == 0 and "tiny" in out and "2012-01-01" in out and "2012-01-03" in out
    code, out, _ = run("users", "--format", "json")
    data = json.loads(out)
    assert data[0]["user"] == "tiny" and data[0]["plays"] == 6
    assert data[0]["first_play"] == "2012-01-01T10:00:00Z"
    assert data[0]["last_play"] == "2012-01-03T10:00:00Z"


# --- --file: price a file without importing it --------------------------------

GHAN_HEADER = "uts,utc_time,artist,artist_mbid,album,album_mbid,track,track_mbid\n"


def ghan_file(path: Path, rows: list[tuple[int, str, str, str]]) -> Path:
    """A Last.fm (ghan) CSV export with (uts, artist, album, track) rows."""
    lines = [GHAN_HEADER]
    for uts, artist, album, track in rows:
        lines.append(f'"{uts}","","{artist}","","{album}","","{track}",""\n')
    path.write_text("".join(lines), encoding="utf-8")
    return path


def test_compare_and_stats_price_a_file_without_touching_the_store(
    tmp_path: Path, royalty_home: Path
) -> None:
    rows = [(1_300_000_000 + 300 * i, "Alpha", "A", f"t{i % 3}") for i in range(12)]
    rows += [(1_300_100_000, "Beta", "", "b")]
    path = ghan_file(tmp_path / "scrobbles.csv", rows)
    code, out, err = run("compare", "--file", str(path), "--format", "json", "--rate", "0.3")
    assert code == 0, err
    assert "bundled sample" not in err
    got = by_artist(json.loads(out))
    assert (got["Alpha"]["plays"], got["Alpha"]["albums"]) == (12, 1)
    assert (got["Beta"]["plays"], got["Beta"]["albums"]) == (1, 0)
    # CD income 1.50 at 0.30 a stream: the 5th play, 4 × 300 s after the first
    assert got["Alpha"]["crossover_date"] == "2011-03-13T07:26:40Z"
    code, out, _ = run("compare", "--file", str(path))
    assert "for scrobbles.csv" in out
    code, out, _ = run("stats", "--file", str(path), "--file", str(path), "--format", "json")
    assert json.loads(out)["plays"] == 13  # the same file twice is the same plays
    assert not royalty_home.exists() or not any(royalty_home.rglob("*.parquet"))


def test_file_errors_are_one_line(tmp_path: Path) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text("hello\n", encoding="utf-8")
    for args in (
        ["--file", str(tmp_path / "missing.csv")],
        ["--file", str(bad)],
        ["--file", str(bad), "--user", "someone"],
    ):
        code, out, err = run("compare", *args)
        assert code == 1, args
        assert out == ""
        assert err.startswith("Error: ")
        assert len(err.strip().splitlines()) == 1


def test_stats_and_compare_agree_on_plays() -> None:
    store.merge("tiny", tiny_history())
    code, out, _ = run("stats", "--user", "tiny", "--format", "json")
    assert code == 0
    stats = {r["artist"]: r["plays"] for r in json.loads(out)["top_artists"]}
    rows = by_artist(run_rows("compare", "--user", "tiny"))
    assert {a: r["plays"] for a, r in rows.items()} == stats  # every play, short ones too
    assert rows["Alpha"]["streams"] < rows["Alpha"]["plays"]


def test_a_threshold_you_gave_is_named_as_yours() -> None:
    code, out, _ = run("compare", "--min-seconds", "10", "--format", "json", "--with-meta")
    assert code == 0
    sources = json.loads(out)["sources"]
    assert sources["min_seconds"] == "shortest paid stream: the value you gave (10 s)"
    code, out, _ = run("compare", "--format", "json", "--with-meta")
    assert "30-second rule" in json.loads(out)["sources"]["min_seconds"]
