"""`royalty compare --by year|album` end to end: formats, header, options."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pandas as pd
import pytest

from cli_run import by_artist, run, run_json, run_rows
from royalty import schema, store


def stored_history() -> None:
    """User "two": A plays album X 3 times over New Year 2020 and 2 untitled plays in
    2021; B plays Y once in 2021."""
    rows = [
        ("2019-12-30T10:00:00Z", "A", "X"),
        ("2019-12-31T10:00:00Z", "A", "X"),
        ("2020-01-02T10:00:00Z", "A", "X"),
        ("2021-02-01T10:00:00Z", "A", None),
        ("2021-02-02T10:00:00Z", "A", None),
        ("2021-03-02T10:00:00Z", "B", "Y"),
    ]
    frame = pd.DataFrame(
        {
            "played_at": pd.to_datetime([r[0] for r in rows], utc=True),
            "artist": [r[1] for r in rows],
            "track": ["t"] * len(rows),
            "album": [r[2] for r in rows],
        }
    )
    store.merge("two", schema.normalize(frame, source="test"))


BASE = ("compare", "--user", "two", "--rate", "0.01", "--cd-margin", "2", "--min-album-plays", "2")


def test_by_year_json_adds_up_to_compare() -> None:
    stored_history()
    years = run_rows(*BASE, "--by", "year")
    assert [(r["artist"], r["year"], r["plays"], r["albums"]) for r in years] == [
        ("A", 2019, 2, 1),  # X reached 2 plays on 2019-12-31
        ("A", 2020, 1, 0),
        ("A", 2021, 2, 1),  # the untitled plays count as one album
        ("B", 2021, 1, 0),
    ]
    assert [r["cumulative_cd_payout"] for r in years] == pytest.approx([2.0, 2.0, 4.0, 0.0])
    whole = by_artist(run_json(*BASE))
    for artist in ("A", "B"):
        mine = [r for r in years if r["artist"] == artist]
        for column in ("plays", "albums", "streaming_payout", "cd_payout", "difference"):
            assert sum(r[column] for r in mine) == pytest.approx(whole[artist][column])  # type: ignore[misc]


def test_by_year_table_has_compares_header_and_says_how_it_counts() -> None:
    stored_history()
    code, out, err = run(*BASE, "--by", "year")
    assert code == 0, err
    assert "per artist and year for two, artist level, USD" in out
    assert "Rate USD 0.01 per stream" in out and "Sources:" in out
    assert "Streaming so far (USD)" in out and "Total (2 artists)" in out
    assert "calendar years in UTC" in out and "reached 2 plays" in out


def test_by_year_total_csv_one_row_a_year() -> None:
    stored_history()
    code, out, err = run(*BASE, "--by", "year", "--total", "--format", "csv")
    assert code == 0, err
    rows = list(csv.DictReader(io.StringIO(out)))
    assert list(rows[0]) == [
        "year",
        "artists",
        "plays",
        "albums",
        "streaming_payout",
        "cd_payout",
        "difference",
        "cumulative_streaming_payout",
        "cumulative_cd_payout",
        "cumulative_difference",
    ]
    assert [(r["year"], r["artists"], r["plays"]) for r in rows] == [
        ("2019", "1", "2"),
        ("2020", "1", "1"),
        ("2021", "2", "3"),
    ]
    assert float(rows[-1]["cumulative_difference"]) == pytest.approx(0.06 - 4.0)


def test_by_album_formats_show_the_untitled_plays_as_their_own_row() -> None:
    stored_history()
    albums = run_rows(*BASE, "--by", "album")
    assert [(r["artist"], r["album"], r["plays"], r["bought"]) for r in albums] == [
        ("A", "X", 3, True),
        ("A", None, 2, True),
        ("B", "Y", 1, False),
    ]
    assert albums[0]["bought_on"] == "2019-12-31T10:00:00Z" and albums[2]["bought_on"] is None
    code, out, _ = run(*BASE, "--by", "album", "--format", "markdown")
    assert code == 0 and "| A | (no album) | 2 | yes | 2021-02-02 |" in out
    assert "count together as one album, shown as (no album)" in out
    code, out, _ = run(*BASE, "--by", "album", "--format", "csv")
    assert code == 0 and "A,,2,True,2021-02-02T10:00:00Z," in out


def test_scenario_options_and_meta() -> None:
    stored_history()
    args = ("compare", "--user", "two", "--service", "spotify", "--deal", "major")
    doc = run_json(*args, "--currency", "EUR", "--fx", "0.5", "--by", "year", "--with-meta")
    assert list(doc) == ["parameters", "level", "currency", "sources", "by", "rows"]
    assert doc["currency"] == "EUR" and doc["by"] == "year"
    whole = by_artist(run_json(*args, "--currency", "EUR", "--fx", "0.5"))
    a_rows = [r for r in doc["rows"] if r["artist"] == "A"]
    assert sum(r["streaming_payout"] for r in a_rows) == pytest.approx(
        whole["A"]["streaming_payout"]
    )
    code, out, _ = run(*args, "--model", "user-centric", "--model", "downloads", "--by", "year")
    assert code == 0 and "User-centric (USD)" in out and "Downloads (USD)" in out


def test_since_until_and_top() -> None:
    stored_history()
    years = run_rows(*BASE, "--by", "year", "--since", "2021-01-01")
    assert {r["year"] for r in years} == {2021}
    years = run_rows(*BASE, "--by", "year", "--top", "1")
    assert {r["artist"] for r in years} == {"A"}
    code, out, _ = run(*BASE, "--by", "year", "--total", "--top", "1")
    assert code == 0 and "adds up the top 1 of 2 artists" in out


def test_a_file_is_broken_down_too(tmp_path: Path) -> None:
    path = tmp_path / "scrobbles.csv"
    lines = ["utc_time,artist,album,track\n"]
    lines += [f'"0{d} Jan 2023, 09:42",Alpha,A,t\n' for d in range(1, 4)]
    lines += ['"31 Dec 2022, 23:59",Alpha,A,t\n']
    path.write_text("".join(lines), encoding="utf-8")
    code, out, err = run("compare", "--file", str(path), "--by", "year", "--format", "json")
    assert code == 0, err
    rows = json.loads(out)
    assert [(r["year"], r["plays"], r["albums"]) for r in rows] == [(2022, 1, 0), (2023, 3, 0)]


@pytest.mark.parametrize(
    ("extra", "named"),
    [
        (("--total",), "--total"),
        (("--by", "album", "--total"), "--total"),
        (("--by", "year", "--project-to", "2999-01-01"), "--project-to"),
    ],
)
def test_options_that_do_not_fit_are_refused(extra: tuple[str, ...], named: str) -> None:
    stored_history()
    code, out, err = run(*BASE, *extra)
    assert code != 0 and out == ""
    assert err.startswith("Error: ") and named in err


def test_by_year_total_adds_up_every_artist_unless_top_is_given() -> None:
    # 25 artists, more than compare's default top 20: artist k plays k + 1 times in 2021
    rows = [(f"Artist {k:02d}", f"2021-03-{1 + i % 28:02d}T{k % 24:02d}:00:00Z")
            for k in range(25) for i in range(k + 1)]  # fmt: skip
    frame = pd.DataFrame(
        {
            "played_at": pd.to_datetime([r[1] for r in rows], utc=True),
            "artist": [r[0] for r in rows],
            "track": ["t"] * len(rows),
            "album": ["a"] * len(rows),
        }
    )
    store.merge("many", schema.normalize(frame, source="test"))
    every = run_rows("compare", "--user", "many", "--by", "year", "--total")
    assert [(str(r["year"]), int(r["artists"]), int(r["plays"])) for r in every] == [
        ("2021", 25, len(rows))
    ]
    top = run_rows("compare", "--user", "many", "--by", "year", "--total", "--top", "20")
    assert int(top[0]["artists"]) == 20 and int(top[0]["plays"]) == sum(range(6, 26))
    artists = run_rows("compare", "--user", "many", "--by", "year")
    assert len({r["artist"] for r in artists}) == 20  # without --total, compare's top 20
