"""The breakdowns of price (pricing/breakdown.py): numbers worked out by hand.

The figures come from the package's cited tables (figures.toml, rates.toml):
CPI-U 2016 240.007, 2017 245.120, 2018 251.107, 2019 255.657, 2020 258.811;
Spotify's rights-holder rate 2016 $0.00437, 2017 $0.00397, 2018 $0.00331,
2019 $0.00348 (each in its own year's dollars, no range for 2016-2018); the
label's receipts per CD $10.75 (7.59-15.83) of 2004 (CPI 188.9), less ten
tracks of mechanicals at 9.1 cents (2006-2022).
"""

from __future__ import annotations

from datetime import UTC, datetime

import numpy as np
import pandas as pd
import pytest

from royalty.errors import UsageError
from royalty.pricing import make_scenario, price
from royalty.pricing.breakdown import (
    _groups,
    album_breakdown,
    album_columns,
    by_album,
    by_year,
    year_breakdown,
    year_columns,
)

CPI = {2004: 188.9, 2016: 240.007, 2017: 245.120, 2018: 251.107, 2019: 255.657, 2020: 258.811}


def history() -> pd.DataFrame:
    """A plays album X across 2016-2018 (its 4th paid stream on 2017-06-01), album Y
    and an untitled stream in 2018, and one short play; B plays Z once in 2016."""
    rows = [
        ("2016-03-01T10:00:00Z", "A", "X", "t1", 200_000),
        # 23:30 at UTC-1 is already 2017 in UTC: the year is the UTC year.
        ("2016-12-31T23:30:00-01:00", "A", "X", "t2", 200_000),
        ("2017-06-01T10:00:00Z", "A", "X", "t3", 200_000),
        ("2017-07-01T10:00:00Z", "A", "X", "t1", 200_000),
        ("2016-05-05T10:00:00Z", "B", "Z", "z", 200_000),
        ("2018-02-01T10:00:00Z", "A", "X", "t1", 200_000),
        ("2018-02-02T10:00:00Z", "A", "X", "t1", 5_000),  # under 30 s: a play, not paid
        ("2018-03-01T10:00:00Z", "A", "Y", "t9", None),  # unknown length: paid
        ("2018-04-01T10:00:00Z", "A", None, "t8", 200_000),  # no album: buys no CD
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


SPOTIFY = make_scenario(service="spotify", deal="none", min_album_plays=4)


def in_2018(value: float, year: int) -> float:
    """``value`` dollars of ``year`` in dollars of 2018."""
    return value * CPI[2018] / CPI[year]


# The CD of X, bought in 2017, in 2018 dollars: the 2004 receipts carried by CPI,
# less ten mechanicals of 2017 (9.1 cents each in 2017 dollars).
CD_2017 = 10.75 * CPI[2018] / CPI[2004] - in_2018(0.91, 2017)  # 13.3579
CD_2017_LOW = 7.59 * CPI[2018] / CPI[2004] - in_2018(0.91, 2017)  # 9.1573
CD_2017_HIGH = 15.83 * CPI[2018] / CPI[2004] - in_2018(0.91, 2017)  # 20.1108


def test_years_by_hand_each_at_its_own_figures() -> None:
    years = by_year(history(), SPOTIFY)
    assert tuple(years.columns) == year_columns(SPOTIFY)
    assert list(zip(years["artist"], years["year"], strict=True)) == [
        ("A", 2016),
        ("A", 2017),
        ("A", 2018),
        ("B", 2016),
    ]
    assert list(years["plays"]) == [1, 3, 4, 1]  # 2018: X, the short play, Y, untitled
    assert list(years["streams"]) == [1, 3, 3, 1]
    assert list(years["albums"]) == [0, 1, 0, 0]
    a16 = 1 * in_2018(0.00437, 2016)  # 0.00457
    a17 = 3 * in_2018(0.00397, 2017)  # 0.01220
    a18 = 3 * 0.00331  # 0.00993
    b16 = in_2018(0.00437, 2016)
    expected = [a16, a17, a18, b16]
    for column in ("streaming_payout", "streaming_payout_low", "streaming_payout_high"):
        assert list(years[column]) == pytest.approx(expected, rel=1e-12)
    assert list(years["cd_payout"]) == pytest.approx([0, CD_2017, 0, 0], rel=1e-12)
    assert list(years["cd_payout_low"]) == pytest.approx([0, CD_2017_LOW, 0, 0], rel=1e-12)
    assert list(years["cd_payout_high"]) == pytest.approx([0, CD_2017_HIGH, 0, 0], rel=1e-12)
    assert list(years["difference"]) == pytest.approx([a16, a17 - CD_2017, a18, b16])
    running = [a16, a16 + a17, a16 + a17 + a18, b16]
    assert list(years["cumulative_streaming_payout"]) == pytest.approx(running)
    assert list(years["cumulative_cd_payout"]) == pytest.approx([0, CD_2017, CD_2017, 0])
    assert years["cumulative_difference"].iloc[2] == pytest.approx(a16 + a17 + a18 - CD_2017)


def test_a_year_table_names_its_figures_like_price() -> None:
    found = year_breakdown(history(), SPOTIFY)
    assert found.book.dollars == 2018 and found.by == "year"
    assert (found.artists_kept, found.artists_played, found.plays_without_time) == (2, 2, 0)
    assert "Spotify" in found.book.sources["rate"] and "2004" in found.book.sources["cd"]
    # 2004's receipts lend to 2017: the borrowed years are named, as price's book names them.
    assert any("2017" in line for line in found.book.borrowed_lines())


def test_dollars_of_another_year_scale_every_amount_by_cpi() -> None:
    in_2016 = make_scenario(service="spotify", deal="none", min_album_plays=4, dollars=2016)
    late, early = by_year(history(), SPOTIFY), by_year(history(), in_2016)
    for column in ("streaming_payout_high", "cd_payout_low", "cumulative_difference"):
        scaled = late[column] * CPI[2016] / CPI[2018]
        assert list(early[column]) == pytest.approx(list(scaled), rel=1e-12)
    euros = make_scenario(service="spotify", deal="none", min_album_plays=4, currency="EUR", fx=0.5)
    assert list(by_year(history(), euros)["cd_payout"]) == pytest.approx(
        list(late["cd_payout"] * 0.5)
    )


def test_albums_by_hand() -> None:
    albums = by_album(history(), SPOTIFY)
    assert tuple(albums.columns) == album_columns(SPOTIFY)
    assert list(zip(albums["artist"], albums["album"], strict=True)) == [
        ("A", "X"),
        ("A", None),  # the untitled stream: its own row, no CD
        ("A", "Y"),
        ("B", "Z"),
    ]
    assert list(albums["plays"]) == [6, 1, 1, 1]
    assert list(albums["streams"]) == [5, 1, 1, 1]
    assert list(albums["tracks"]) == [3, 1, 1, 1]
    assert list(albums["bought"]) == [True, False, False, False]
    assert albums["bought_on"].iloc[0] == pd.Timestamp("2017-07-01T10:00:00Z")
    assert albums["bought_on"].iloc[1:].isna().all()
    assert albums["cd_year"].iloc[0] == 2017 and albums["cd_year"].iloc[1:].isna().all()
    assert list(albums["cd_payout"]) == pytest.approx([CD_2017, 0, 0, 0], rel=1e-12)
    assert albums["cd_payout_high"].iloc[0] == pytest.approx(CD_2017_HIGH, rel=1e-12)
    x = in_2018(0.00437, 2016) + 3 * in_2018(0.00397, 2017) + 0.00331
    assert list(albums["streaming_payout"]) == pytest.approx(
        [x, 0.00331, 0.00331, in_2018(0.00437, 2016)], rel=1e-12
    )


def test_publishing_cd_pays_the_mechanicals_of_the_tracks_played() -> None:
    songs = make_scenario(service="spotify", deal="none", min_album_plays=4, side="publishing")
    albums = by_album(history(), songs)
    # X: tracks t1, t2, t3 played, 9.1 cents each in 2017 dollars.
    assert albums["cd_payout"].iloc[0] == pytest.approx(3 * in_2018(0.091, 2017), rel=1e-12)
    years = by_year(history(), songs)
    assert list(years["cd_payout"]) == pytest.approx([0, 3 * in_2018(0.091, 2017), 0, 0])


def test_user_centric_each_month_pays_its_pool() -> None:
    # A fee of $10 you gave, no sales tax, all of it paid out, rights-holder level:
    # each month with streams splits $10 over its streams.
    scenario = make_scenario(deal="none", model="user-centric", fee=10.0, payout_ratio=1.0, vat=0)
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
    years = by_year(plays, scenario).set_index(["artist", "year"])
    assert years.loc[("A", 2019), "user_centric_payout"] == pytest.approx(10.0)
    assert years.loc[("A", 2020), "streaming_payout"] == pytest.approx(2.5)
    assert years.loc[("B", 2020), "user_centric_payout"] == pytest.approx(7.5)
    # Pro-rata: Spotify's 2019 rate; 2020 borrows it, carried by CPI to 2020 dollars.
    rate_2020 = 0.00348 * CPI[2020] / CPI[2019]
    assert years.loc[("B", 2020), "pro_rata_payout"] == pytest.approx(3 * rate_2020)
    assert years.loc[("A", 2019), "pro_rata_payout"] == pytest.approx(rate_2020)


def test_total_and_top() -> None:
    total = by_year(history(), SPOTIFY, total=True)
    assert tuple(total.columns) == year_columns(SPOTIFY, total=True)
    assert list(total["year"]) == [2016, 2017, 2018]
    assert list(total["artists"]) == [2, 1, 1]
    assert list(total["plays"]) == [2, 3, 4]
    assert total["cumulative_cd_payout"].iloc[-1] == pytest.approx(CD_2017)
    top = year_breakdown(history(), SPOTIFY, top=1)
    assert set(top.table["artist"]) == {"A"} and (top.artists_kept, top.artists_played) == (1, 2)
    assert list(by_year(history(), SPOTIFY, top=1, total=True)["plays"]) == [1, 3, 4]
    assert set(album_breakdown(history(), SPOTIFY, top=1).table["artist"]) == {"A"}


def test_rows_follow_prices_order() -> None:
    order = list(price(history(), SPOTIFY)["artist"])
    assert list(dict.fromkeys(by_year(history(), SPOTIFY)["artist"])) == order
    assert list(dict.fromkeys(by_album(history(), SPOTIFY)["artist"])) == order


def test_a_play_without_a_time_fits_in_no_year() -> None:
    plays = history()
    plays.loc[0, "played_at"] = pd.NaT
    found = year_breakdown(plays, SPOTIFY)
    assert found.plays_without_time == 1
    assert int(found.table["plays"].sum()) == len(plays) - 1


def test_a_projection_and_a_negative_top_are_refused() -> None:
    scenario = make_scenario(project_to=datetime(2100, 1, 1, tzinfo=UTC))
    with pytest.raises(UsageError, match="projection"):
        by_year(history(), scenario)
    with pytest.raises(UsageError, match="projection"):
        by_album(history(), scenario)
    with pytest.raises(UsageError, match="top"):
        by_year(history(), SPOTIFY, top=-1)


def test_no_plays_gives_empty_tables_with_the_columns() -> None:
    scenario = make_scenario(deal="none", model="user-centric", downloads=True, side="both")
    empty = history().iloc[:0]
    assert list(by_year(empty, scenario).columns) == list(year_columns(scenario))
    assert list(by_year(empty, scenario, total=True).columns) == list(
        year_columns(scenario, total=True)
    )
    assert list(by_album(empty, scenario).columns) == list(album_columns(scenario))
    assert len(by_album(empty, scenario)) == 0


def test_tracks_are_unknown_without_titles() -> None:
    albums = by_album(history().drop(columns=["track"]), SPOTIFY)
    assert albums["tracks"].isna().all()
    assert list(albums["streams"]) == [5, 1, 1, 1]


def test_a_download_falls_in_the_year_and_album_its_track_reached_its_streams() -> None:
    scenario = make_scenario(
        service="spotify", deal="none", min_album_plays=4, downloads=True,
        min_track_plays=2, track_price=1.0,
    )  # fmt: skip
    # t1 of X reaches 2 paid streams on 2017-07-01 (the short play does not count):
    # $1.00 you gave, less the store's 30%, less one mechanical of 2017 in 2018 dollars.
    label = 1.0 * (1 - 0.30) - in_2018(0.091, 2017)
    years = by_year(history(), scenario)
    assert list(years["download_payout"]) == pytest.approx([0, label, 0, 0], rel=1e-12)
    albums = by_album(history(), scenario)
    assert list(albums["download_payout"]) == pytest.approx([label, 0, 0, 0], rel=1e-12)


def test_year_groups_by_a_dense_table_or_by_sorting_agree() -> None:
    keys = np.array([5, 2, 5, 9, 2], dtype=np.int64)
    for size in (10, 1 << 20):  # a small key space is numbered densely, a large one sorted
        groups, index, find = _groups(keys, size)
        assert groups.tolist() == [2, 5, 9]
        assert index.tolist() == [1, 0, 1, 2, 0]
        assert find(np.array([9, 2], dtype=np.int64)).tolist() == [2, 0]
