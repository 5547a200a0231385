"""The breakdowns of compare (pricing/breakdown.py): numbers worked out by hand."""

from __future__ import annotations

from datetime import UTC, datetime

import pandas as pd
import pytest

from royalty.errors import UsageError
from royalty.pricing import make_scenario
from royalty.pricing.breakdown import album_columns, by_album, by_year, year_columns


def history() -> pd.DataFrame:
    """A: album X 3 plays across New Year 2020, 3 plays without album up to Feb 2021,
    one short play; B: one play of Y in 2021."""
    rows = [
        ("2019-12-30T10:00:00Z", "A", "X", "t1", 200_000),
        ("2019-12-31T10:00:00Z", "A", "X", "t1", 200_000),
        ("2020-01-02T10:00:00Z", "A", "X", "t2", 200_000),
        ("2020-05-01T10:00:00Z", "A", None, "t3", None),
        # 23:30 at UTC-1 is already 2021 in UTC: the year is the UTC year.
        ("2020-12-31T23:30:00-01:00", "A", None, "t3", 200_000),
        ("2021-02-01T10:00:00Z", "A", None, "t4", 200_000),
        ("2021-03-01T10:00:00Z", "A", "X", "t1", 1_000),  # under 30 s: not a play
        ("2021-03-02T10:00:00Z", "B", "Y", "t5", 200_000),
    ]
    return pd.DataFrame(
        {
            "played_at": pd.Series([pd.Timestamp(r[0]).tz_convert("UTC") for r in rows]),
            "artist": [r[1] for r in rows],
            "album": [r[2] for r in rows],
            "track": [r[3] for r in rows],
            "duration_ms": pd.array([r[4] for r in rows], dtype="Int64"),
        }
    )


def at(frame: pd.DataFrame, artist: str, year: int) -> pd.Series:
    rows = frame[(frame["artist"] == artist) & (frame["year"] == year)]
    assert len(rows) == 1
    return rows.iloc[0]


def test_by_year_by_hand() -> None:
    scenario = make_scenario(rate=0.01, cd_margin=2.0, min_album_plays=3)
    years = by_year(history(), scenario)
    assert tuple(years.columns) == year_columns(scenario)
    assert list(zip(years["artist"], years["year"], strict=True)) == [
        ("A", 2019),
        ("A", 2020),
        ("A", 2021),
        ("B", 2021),
    ]
    assert list(years["plays"]) == [2, 2, 2, 1]
    # X reaches 3 plays on 2020-01-02; the no-album plays reach 3 on 2021-02-01.
    assert list(years["albums"]) == [0, 1, 1, 0]
    assert list(years["streaming_payout"]) == pytest.approx([0.02, 0.02, 0.02, 0.01])
    assert list(years["cd_payout"]) == pytest.approx([0.0, 2.0, 2.0, 0.0])
    assert list(years["difference"]) == pytest.approx([0.02, -1.98, -1.98, 0.01])
    assert list(years["cumulative_streaming_payout"]) == pytest.approx([0.02, 0.04, 0.06, 0.01])
    assert list(years["cumulative_cd_payout"]) == pytest.approx([0.0, 2.0, 4.0, 0.0])
    assert list(years["cumulative_difference"]) == pytest.approx([0.02, -1.96, -3.94, 0.01])


def test_by_year_in_total_by_hand() -> None:
    scenario = make_scenario(rate=0.01, cd_margin=2.0, min_album_plays=3)
    years = by_year(history(), scenario, total=True)
    assert tuple(years.columns) == year_columns(scenario, total=True)
    assert list(years["year"]) == [2019, 2020, 2021]
    assert list(years["artists"]) == [1, 1, 2]
    assert list(years["plays"]) == [2, 2, 3]
    assert list(years["albums"]) == [0, 1, 1]
    assert list(years["cumulative_difference"]) == pytest.approx([0.02, -1.96, -3.93])


def test_top_keeps_compares_first_artists() -> None:
    scenario = make_scenario(rate=0.01, min_album_plays=3)
    years = by_year(history(), scenario, top=1)
    assert set(years["artist"]) == {"A"}
    assert years.attrs == {"artists_kept": 1, "artists_played": 2}
    total = by_year(history(), scenario, top=1, total=True)
    assert list(total["plays"]) == [2, 2, 2]


def test_by_album_by_hand() -> None:
    scenario = make_scenario(rate=0.01, cd_margin=2.0, min_album_plays=3)
    albums = by_album(history(), scenario)
    assert tuple(albums.columns) == album_columns(scenario)
    assert list(zip(albums["artist"], albums["album"], strict=True)) == [
        ("A", None),  # the plays with no album name: one album of A's
        ("A", "X"),
        ("B", "Y"),
    ]
    assert list(albums["plays"]) == [3, 3, 1]  # the short play of X does not count
    assert list(albums["bought"]) == [True, True, False]
    assert albums["bought_on"].iloc[0] == pd.Timestamp("2021-02-01T10:00:00Z")
    assert albums["bought_on"].iloc[1] == pd.Timestamp("2020-01-02T10:00:00Z")
    assert pd.isna(albums["bought_on"].iloc[2])
    assert list(albums["cd_payout"]) == pytest.approx([2.0, 2.0, 0.0])
    assert list(albums["streaming_payout"]) == pytest.approx([0.03, 0.03, 0.01])


def test_user_centric_prices_each_years_months() -> None:
    # Rights-holder level, share 1: each month with plays pays 10 / 1 × 1 = 10.
    scenario = make_scenario(deal="none", model="user-centric", fee=10.0, payout_ratio=1.0)
    rows = [
        ("2019-12-05T00:00:00Z", "A"),
        ("2020-01-05T00:00:00Z", "A"),
        ("2020-01-06T00:00:00Z", "B"),
        ("2020-01-07T00:00:00Z", "B"),
        ("2020-01-08T00:00:00Z", "B"),
    ]
    plays = pd.DataFrame(
        {
            "played_at": pd.to_datetime([r[0] for r in rows], utc=True),
            "artist": [r[1] for r in rows],
        }
    )
    years = by_year(plays, scenario)
    assert at(years, "A", 2019)["user_centric_payout"] == pytest.approx(10.0)
    assert at(years, "A", 2020)["streaming_payout"] == pytest.approx(2.5)
    assert at(years, "B", 2020)["user_centric_payout"] == pytest.approx(7.5)
    assert at(years, "B", 2020)["pro_rata_payout"] == pytest.approx(3 * scenario.params.rate)


def test_downloads_fall_in_the_year_the_track_reached_its_plays() -> None:
    scenario = make_scenario(deal="none", downloads=True, min_track_plays=2, track_price=1.0)
    years = by_year(history(), scenario)
    # t1 reaches 2 plays on 2019-12-31; t3 on 2021-01-01 (UTC); 0.70 reaches the label.
    assert list(years["download_payout"]) == pytest.approx([0.7, 0.0, 0.7, 0.0])
    albums = by_album(history(), scenario)
    assert list(albums["download_payout"]) == pytest.approx([0.7, 0.7, 0.0])


def test_currency_multiplies_every_amount() -> None:
    usd = by_year(history(), make_scenario(deal="major", min_album_plays=3))
    eur = by_year(history(), make_scenario(deal="major", min_album_plays=3, currency="EUR", fx=2))
    for column in ("streaming_payout", "cd_payout", "cumulative_difference"):
        assert list(eur[column]) == pytest.approx(list(usd[column] * 2))
    assert list(eur["plays"]) == list(usd["plays"])


def test_a_projection_is_refused() -> None:
    scenario = make_scenario(project_to=datetime(2100, 1, 1, tzinfo=UTC))
    with pytest.raises(UsageError, match="projection"):
        by_year(history(), scenario)
    with pytest.raises(UsageError, match="projection"):
        by_album(history(), scenario)


def test_no_plays_gives_empty_tables_with_the_columns() -> None:
    scenario = make_scenario()
    empty = history().iloc[:0]
    assert list(by_year(empty, scenario).columns) == list(year_columns(scenario))
    assert len(by_album(empty, scenario)) == 0
