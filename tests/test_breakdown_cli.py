"""``compare --by year|album`` as the command runs it: ``breakdown_compare`` and its formats.

``cli_compare`` builds the scenario from its options and calls
``breakdown_compare(history, scenario, by, total, top, format, with_meta,
output, period)``; these tests call it the same way, on a history they write.
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from cli_run import by_artist, run, run_rows
from royalty import schema, store
from royalty.cli_breakdown import ByChoice, breakdown_compare
from royalty.cli_common import CompareFormat
from royalty.history import History
from royalty.pricing import Scenario, make_scenario, price, price_details

PERIOD = "All plays, 2016-03-01 to 2018-04-01."


def history() -> History:
    """A plays X 4 times over 2016-2017 (its 3rd stream on 2017-01-05), one untitled
    stream in 2018 and a short play; B plays Y once in 2018."""
    rows = [
        ("2016-03-01T10:00:00Z", "A", "X", "t1", 200_000),
        ("2016-12-30T10:00:00Z", "A", "X", "t2", 200_000),
        ("2017-01-05T10:00:00Z", "A", "X", "t1", 200_000),
        ("2017-02-05T10:00:00Z", "A", "X", "t3", 200_000),
        ("2018-02-01T10:00:00Z", "A", None, "t4", 200_000),
        ("2018-02-02T10:00:00Z", "A", "X", "t1", 5_000),
        ("2018-04-01T10:00:00Z", "B", "Y", "y", 200_000),
    ]
    plays = pd.DataFrame(
        {
            "played_at": pd.to_datetime([r[0] for r in rows], utc=True),
            "artist": [r[1] for r in rows],
            "album": [r[2] for r in rows],
            "track": [r[3] for r in rows],
            "duration_ms": pd.array([r[4] for r in rows], dtype="Int64"),
        }
    )
    return History(plays, "two", "two")


INDIE = make_scenario(service="spotify", deal="indie", min_album_plays=3)


def show(
    capsys: pytest.CaptureFixture[str],
    scenario: Scenario,
    by: ByChoice = ByChoice.year,
    *,
    total: bool = False,
    top: int = 0,
    format: CompareFormat = CompareFormat.table,
    with_meta: bool = False,
) -> str:
    breakdown_compare(history(), scenario, by, total, top, format, with_meta, None, PERIOD)
    return capsys.readouterr().out


def rows(capsys: pytest.CaptureFixture[str], scenario: Scenario, **options: Any) -> Any:
    return json.loads(show(capsys, scenario, format=CompareFormat.json, **options))


def test_year_rows_add_up_to_price(capsys: pytest.CaptureFixture[str]) -> None:
    years = rows(capsys, INDIE)
    assert [(r["artist"], r["year"], r["plays"], r["streams"], r["albums"]) for r in years] == [
        ("A", 2016, 2, 2, 0),
        ("A", 2017, 2, 2, 1),  # X reached 3 streams on 2017-01-05
        ("A", 2018, 2, 1, 0),  # the untitled stream and the short play
        ("B", 2018, 1, 1, 0),
    ]
    whole = price(history().plays, INDIE).set_index("artist")
    for artist in ("A", "B"):
        mine = [r for r in years if r["artist"] == artist]
        for column in ("plays", "streams", "streaming_payout_high", "cd_payout_low", "difference"):
            total = sum(r[column] for r in mine)
            assert total == pytest.approx(whole.loc[artist, column], rel=1e-9)


def test_year_table_names_dollars_level_side_sources_and_borrowed_years(
    capsys: pytest.CaptureFixture[str],
) -> None:
    out = show(capsys, INDIE)
    assert out.startswith(
        "Streaming against CD income per artist and year for two: artist level, "
        "recording (master) money, US dollars of 2018\n"
    )
    assert "Model pro-rata (spotify, deal indie); artist level, recording (master) money" in out
    assert "Sources:\n" in out and "  rate: Spotify rate per stream" in out
    assert (
        "Years without a figure of their own:" in out
        and "CD album before an indie artist's 50/50 split" in out
    )
    assert "no figure for 2017" in out  # the CD's year borrows 2004's figure
    assert PERIOD in out
    assert "Streaming low-high (USD)" in out and "CD income so far (USD)" in out
    assert "Total (2 artists)" in out and "calendar years in UTC" in out
    assert "reached 3 paid streams; streams with no album name buy no CD" in out


def test_meta_names_what_price_used(capsys: pytest.CaptureFixture[str]) -> None:
    scenario = make_scenario(
        service="spotify", deal="major", side="both", min_album_plays=3, dollars=2016
    )
    doc = rows(capsys, scenario, with_meta=True)
    assert list(doc) == [
        "parameters",
        "level",
        "side",
        "dollars",
        "currency",
        "sources",
        "borrowed",
        "by",
        "artists_kept",
        "artists_played",
        "rows",
    ]
    assert (doc["level"], doc["side"], doc["dollars"], doc["by"]) == (
        "artist",
        "both",
        2016,
        "year",
    )
    assert doc["parameters"]["deal"] == "major" and doc["parameters"]["dollars"] == 2016
    book = price_details(history().plays, scenario).book
    assert doc["sources"] == book.sources
    assert doc["borrowed"] == book.borrowed_lines() and doc["borrowed"]


def test_a_value_you_gave_is_named_as_yours(capsys: pytest.CaptureFixture[str]) -> None:
    scenario = make_scenario(rate=0.01, cd_margin=2.0, min_album_plays=3)
    doc = rows(capsys, scenario, with_meta=True)
    assert "the value you gave" in doc["sources"]["rate"]
    assert "the value you gave" in doc["sources"]["cd"]
    assert [r["cd_payout"] for r in doc["rows"]] == pytest.approx([0.0, 2.0, 0.0, 0.0])


def test_year_total_csv_one_row_a_year(capsys: pytest.CaptureFixture[str]) -> None:
    out = show(capsys, INDIE, total=True, format=CompareFormat.csv)
    found = list(csv.DictReader(io.StringIO(out)))
    assert list(found[0])[:5] == ["year", "artists", "plays", "streams", "albums"]
    assert "cd_payout_high" in found[0] and "cumulative_difference" in found[0]
    assert [(r["year"], r["artists"], r["plays"]) for r in found] == [
        ("2016", "1", "2"),
        ("2017", "1", "2"),
        ("2018", "2", "3"),
    ]
    out = show(capsys, INDIE, total=True, top=1)
    assert "Streaming against CD income per year for two" in out
    assert "adds up the top 1 of 2 artists" in out


def test_albums_show_the_untitled_streams_as_a_row_without_a_cd(
    capsys: pytest.CaptureFixture[str],
) -> None:
    albums = rows(capsys, INDIE, by=ByChoice.album)
    assert [(r["artist"], r["album"], r["plays"], r["streams"], r["bought"]) for r in albums] == [
        ("A", "X", 5, 4, True),
        ("A", None, 1, 1, False),
        ("B", "Y", 1, 1, False),
    ]
    assert albums[0]["bought_on"] == "2017-01-05T10:00:00Z" and albums[0]["cd_year"] == 2017
    assert albums[0]["tracks"] == 3 and albums[1]["bought_on"] is None
    assert albums[1]["cd_year"] is None and albums[1]["cd_payout"] == 0
    out = show(capsys, INDIE, by=ByChoice.album, format=CompareFormat.markdown)
    assert out.startswith("### Streaming against CD income per album for two: artist level")
    assert "| A | (no album) | 1 | 1 | 1 | no | - | - |" in out
    assert "| A | X | 5 | 4 | 3 | yes | 2017-01-05 | 2017 |" in out
    out = show(capsys, INDIE, by=ByChoice.album, format=CompareFormat.csv)
    assert "\nA,,1,1,1,False,,," in out and "A,X,5,4,3,True,2017-01-05T10:00:00Z,2017," in out


def test_another_currency_is_named(capsys: pytest.CaptureFixture[str]) -> None:
    euros = make_scenario(
        service="spotify", deal="indie", min_album_plays=3, currency="EUR", fx=0.5
    )
    out = show(capsys, euros, by=ByChoice.album)
    assert "US dollars of 2018, shown in EUR" in out.splitlines()[0]
    assert "shown in EUR at 0.5 per USD (the rate you gave)" in out
    assert "CD income (EUR)" in out


def test_output_goes_to_the_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    target = tmp_path / "years.json"
    breakdown_compare(
        history(), INDIE, ByChoice.year, False, 1, CompareFormat.json, False, target, PERIOD
    )
    assert capsys.readouterr().out == ""
    assert {r["artist"] for r in json.loads(target.read_text(encoding="utf-8"))} == {"A"}


# --- through `royalty compare`, as a user runs it ---------------------------------

BY = ("compare", "--user", "two", "--service", "spotify", "--deal", "indie")


def stored() -> None:
    store.merge("two", schema.normalize(history().plays, source="test"))


def test_compare_by_year_adds_up_to_compare() -> None:
    stored()
    args = (*BY, "--min-album-plays", "3", "--side", "both", "--dollars", "2016")
    years = run_rows(*args, "--by", "year")
    whole = by_artist(run_rows(*args))
    for artist in ("A", "B"):
        mine = [r for r in years if r["artist"] == artist]
        for column in ("plays", "streams", "albums", "streaming_payout_low", "cd_payout_high"):
            total = sum(float(r[column]) for r in mine)  # type: ignore[arg-type]
            assert total == pytest.approx(float(whole[artist][column]), rel=1e-9)  # type: ignore[arg-type]
    code, out, err = run(*args, "--by", "album")
    assert code == 0, err
    assert (
        "per album for two: artist level, recording and publishing money, US dollars of 2016" in out
    )


@pytest.mark.parametrize(
    ("extra", "named"),
    [
        (("--total",), "--total"),
        (("--by", "album", "--total"), "--total"),
        (("--by", "year", "--project-to", "2999-01-01"), "--project-to"),
    ],
)
def test_options_that_do_not_fit_are_refused(extra: tuple[str, ...], named: str) -> None:
    stored()
    code, out, err = run(*BY, *extra)
    assert code != 0 and out == ""
    assert err.startswith("Error: ") and named in err
