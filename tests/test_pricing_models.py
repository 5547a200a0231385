"""Hand-computed cases for the models: user-centric, downloads, projection,
currency, the foundation in other years and sensitivity. Every expected figure
is worked out on paper from the rows of a tiny frame and the cited figures of
PRICING-FACTS.md (CPI-U typed in ``pricing_plays``)."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime

import pandas as pd
import pytest

from pricing_plays import cpi
from royalty.errors import DataFormatError, UsageError
from royalty.pricing import (
    MONEY_COLUMNS,
    CompareParams,
    Scenario,
    compare,
    make_scenario,
    monthly_rates,
    price,
    sensitivity,
)

Row = tuple[str, str, str, str, int | None]
"""(UTC time, artist, album, track, duration_ms) of one play."""

# Two artists over three months with plays (Jan, Feb, Apr 2020; none in March).
# Jan: A×3, B×1.  Feb: A×1, B×3 (+ one B play of 10 s, which does not count).
# Apr: B×2.  A plays track t1 three times and t2 once; B plays u1 four times
# (plus the short one) and u2 twice.
ROWS: list[Row] = [
    ("2020-01-03T10:00", "A", "a", "t1", 200_000),
    ("2020-01-04T10:00", "A", "a", "t1", None),
    ("2020-01-05T10:00", "B", "b", "u1", 200_000),
    ("2020-01-31T23:59", "A", "a", "t2", 200_000),
    ("2020-02-01T00:00", "A", "a", "t1", 200_000),
    ("2020-02-02T10:00", "B", "b", "u1", 200_000),
    ("2020-02-03T10:00", "B", "b", "u1", 10_000),
    ("2020-02-04T10:00", "B", "b", "u2", 200_000),
    ("2020-02-29T10:00", "B", "b", "u1", 200_000),
    ("2020-04-01T10:00", "B", "b", "u2", 200_000),
    ("2020-04-10T10:00", "B", "b", "u1", 200_000),
]


def plays(rows: list[Row] = ROWS) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "played_at": pd.to_datetime([r[0] for r in rows], utc=True).as_unit("ms"),
            "artist": pd.Categorical([r[1] for r in rows]),
            "album": pd.Categorical([r[2] for r in rows]),
            "track": pd.Categorical([r[3] for r in rows]),
            "duration_ms": pd.array([r[4] for r in rows], dtype="Int64"),
        }
    )


def by_artist(frame: pd.DataFrame) -> dict[str, pd.Series]:
    return {str(r["artist"]): r for _, r in frame.iterrows()}


# F = 10, V = 0.25, R = 0.8: 10 / 1.25 × 0.8 = 6.40 a month; share 0.5: 3.20.
UC = make_scenario(
    artist_share=0.5,
    model="user-centric",
    fee=10.0,
    vat=0.25,
    payout_ratio=0.8,
    cd_margin=1.0,
    min_album_plays=2,
)
# Pro-rata in 2020 (dollars of 2020, the last play's year): Spotify's 2019 figure
# 0.00348, borrowed and carried by CPI-U, × the share 0.5.
PRO_RATA_2020 = 0.5 * 0.00348 * cpi(2020) / cpi(2019)


def test_user_centric_by_hand() -> None:
    rows = by_artist(price(plays(), UC))
    # A: Jan 3/4 × 3.20 = 2.40, Feb 1/4 × 3.20 = 0.80  -> 3.20
    # B: Jan 1/4 × 3.20 = 0.80, Feb 3/4 × 3.20 = 2.40, Apr 2/2 × 3.20 -> 6.40
    assert rows["A"]["user_centric_payout"] == pytest.approx(3.20)
    assert rows["B"]["user_centric_payout"] == pytest.approx(6.40)
    assert rows["A"]["streaming_payout"] == pytest.approx(3.20)
    # pro-rata: A 4 paid streams, B 6
    assert rows["A"]["pro_rata_payout"] == pytest.approx(4 * PRO_RATA_2020)
    assert rows["B"]["pro_rata_payout"] == pytest.approx(6 * PRO_RATA_2020)
    # one CD each (2+ streams of one album) at 1.00
    assert rows["A"]["difference"] == pytest.approx(2.20)
    assert rows["B"]["difference"] == pytest.approx(5.40)
    # break-even by running income: A 0.80, 1.60 -> the 2nd stream; B's January
    # stream 0.80, then February's 0.80 each -> 1.60 at B's 2nd stream (B's
    # average, 6.40 / 6, would say the 1st).
    assert (rows["A"]["breakeven_plays"], rows["B"]["breakeven_plays"]) == (2, 2)
    assert rows["A"]["crossover_date"] == pd.Timestamp("2020-01-04T10:00Z")
    assert rows["B"]["crossover_date"] == pd.Timestamp("2020-02-02T10:00Z")


def test_user_centric_monthly_rates_by_hand() -> None:
    months = monthly_rates(plays(), UC)
    assert [m.strftime("%Y-%m") for m in months["month"]] == ["2020-01", "2020-02", "2020-04"]
    assert months["plays"].tolist() == [4, 4, 2]
    assert months["payout"].tolist() == pytest.approx([3.2, 3.2, 3.2])
    assert months["rate"].tolist() == pytest.approx([0.8, 0.8, 1.6])


def test_user_centric_is_the_same_on_unsorted_plays() -> None:
    shuffled = plays().iloc[[5, 0, 10, 3, 7, 1, 9, 2, 8, 4, 6]]
    pd.testing.assert_frame_equal(price(shuffled, UC), price(plays(), UC))


def test_downloads_by_hand() -> None:
    given = make_scenario(deal="indie", downloads=True, track_price=1.0, min_album_plays=2)
    rows = by_artist(price(plays(), given))
    # 3 paid streams buy a track: A buys t1 (3), B buys u1 (4; the 10 s play
    # does not count). The label's part: 1.00 less the store's 30% less the
    # 2020 mechanical 0.091 = 0.609; indie 0.425 of it = 0.258825.
    assert rows["A"]["download_payout"] == pytest.approx(0.258825)
    assert rows["B"]["download_payout"] == pytest.approx(0.258825)
    two = dataclasses.replace(given, min_track_plays=2, side="both")
    rows = by_artist(price(plays(), two))
    # B buys u1 and u2, A t1; both sides add the mechanical in full: 0.258825 + 0.091
    assert rows["B"]["download_payout"] == pytest.approx(2 * (0.258825 + 0.091))
    assert rows["A"]["download_payout"] == pytest.approx(0.258825 + 0.091)


def test_downloads_at_the_cited_price_by_hand() -> None:
    rows = by_artist(price(plays(), make_scenario(deal="none", downloads=True)))
    # iTunes' 0.99 a track is cited for 2009-2024 (nominal, as it stayed): the
    # label keeps 70% less the 0.091 mechanical (rights-holder level: no share):
    # 0.99 × 0.70 - 0.091 = 0.602
    assert rows["A"]["download_payout"] == pytest.approx(0.602)


def test_downloads_need_the_track_column() -> None:
    scenario = make_scenario(deal="diy", downloads=True)
    with pytest.raises(DataFormatError, match="track"):
        price(plays().drop(columns=["track"]), scenario)


def test_projection_by_hand() -> None:
    last = pd.Timestamp("2020-04-10T10:00Z")
    horizon = last + pd.Timedelta(days=365)
    scenario = make_scenario(
        rate=0.005, cd_margin=1.0, min_album_plays=2, project_to=horizon.to_pydatetime()
    )
    rows = by_artist(price(plays(), scenario))
    # Every play lies in the 365 days up to the last: A 4 a year, B 6 a year.
    assert rows["A"]["projected_plays"] == pytest.approx(8.0)
    assert rows["B"]["projected_plays"] == pytest.approx(12.0)
    assert rows["B"]["projected_streaming_payout"] == pytest.approx(12 * 0.005)
    # 1.00 of CDs at 0.005 needs 200 plays: A 196 more at 4/365 a day.
    assert rows["A"]["projected_crossover_date"] == last + pd.Timedelta(
        milliseconds=196 * 365 * 86_400_000 // 4
    )
    assert rows["B"]["projected_crossover_date"] == last + pd.Timedelta(
        milliseconds=194 * 365 * 86_400_000 // 6
    )


def test_projection_keeps_a_crossover_already_reached_and_says_never_without_pace() -> None:
    rows = [
        ("2010-01-01T00:00", "Old", "o", "x", None),
        ("2010-01-02T00:00", "Old", "o", "x", None),
        ("2020-01-01T00:00", "New", "n", "y", None),
    ]
    scenario = make_scenario(
        rate=1.0, cd_margin=1.5, min_album_plays=2, project_to=datetime(2030, 1, 1, tzinfo=UTC)
    )
    out = by_artist(price(plays(rows), scenario))
    # Old: 2 plays × 1.0 ≥ 1.50 from the 2nd play; no plays in the last year.
    assert out["Old"]["projected_crossover_date"] == pd.Timestamp("2010-01-02T00:00Z")
    assert out["Old"]["projected_plays"] == pytest.approx(2.0)
    # New: no CD bought, so nothing to reach.
    assert pd.isna(out["New"]["projected_crossover_date"])
    never = dataclasses.replace(scenario, rate=0.1)
    assert pd.isna(by_artist(price(plays(rows), never))["Old"]["projected_crossover_date"])


def test_projection_must_be_after_the_last_play() -> None:
    scenario = make_scenario(project_to=datetime(2020, 4, 10, 10, 0, tzinfo=UTC))
    with pytest.raises(UsageError, match="after the last play"):
        price(plays(), scenario)


def test_currency_multiplies_money_and_keeps_counts() -> None:
    usd = by_artist(price(plays(), UC))
    nzd = by_artist(price(plays(), dataclasses.replace(UC, currency="NZD", fx=1.6)))
    money = [c for c in MONEY_COLUMNS if c in usd["B"].index]
    assert len(money) == 9  # the six payouts and ranges, difference, both models
    for column in money:
        assert nzd["B"][column] == pytest.approx(1.6 * usd["B"][column])
    assert nzd["B"]["breakeven_plays"] == usd["B"]["breakeven_plays"]
    months = monthly_rates(plays(), dataclasses.replace(UC, currency="NZD", fx=2.0))
    assert months["rate"].tolist() == pytest.approx([1.6, 1.6, 3.2])


def test_the_foundation_states_the_essays_2013_figures_in_the_dollars_asked() -> None:
    flat = compare(plays(), CompareParams(min_album_plays=2))
    essay = price(plays(), Scenario(min_album_plays=2))
    # The essay's 1/300 and 1.50 are of 2013; the plays end in 2020, so in 2020
    # dollars both are × 258.811 / 232.957, whatever the year of each play.
    scale = cpi(2020) / cpi(2013)
    for column in ("streaming_payout", "cd_payout", "difference"):
        assert essay[column].to_numpy() == pytest.approx(flat[column].to_numpy() * scale)
    # The essay's CD range, $1 to $2, is kept (a flat cd_margin has none).
    assert essay["cd_payout_low"].tolist() == pytest.approx([1.00 * scale] * 2)
    assert essay["cd_payout_high"].tolist() == pytest.approx([2.00 * scale] * 2)
    in_2013 = price(plays(), Scenario(min_album_plays=2, dollars=2013))
    pd.testing.assert_frame_equal(
        in_2013.drop(columns=["cd_payout_low", "cd_payout_high", "verdict"]),
        flat.drop(columns=["cd_payout_low", "cd_payout_high", "verdict"]),
    )
    # compare is price at the flat figures it names
    params = CompareParams(rate=0.01, cd_margin=2.0, min_album_plays=2)
    flat_scenario = make_scenario(rate=0.01, cd_margin=2.0, min_album_plays=2)
    pd.testing.assert_frame_equal(price(plays(), flat_scenario), compare(plays(), params))


def test_sensitivity_by_hand() -> None:
    rows = [("2010-01-01T00:00", "A", "a", "x", None)] * 10 + [
        ("2010-01-02T00:00", "B", None, "y", None)
    ] * 3
    table = sensitivity(plays(rows), CompareParams(cd_margin=1.5), [0.1, 0.2, 0.15])
    # A: one CD (10 plays of album a) = 1.50; streams 1.00, 2.00, 1.50 (a tie
    # is no win). B: 3 plays, no CD: nothing to compare with, so left out.
    assert table["rate"].tolist() == [0.1, 0.2, 0.15]
    assert table["artists"].tolist() == [0, 1, 0]
    assert table["artists_share"].tolist() == pytest.approx([0.0, 1.0, 0.0])
    assert table["plays"].tolist() == [0, 10, 0]
    assert table["plays_share"].tolist() == pytest.approx([0.0, 1.0, 0.0])
    assert table["artists_with_cd"].tolist() == [1, 1, 1]


def test_sensitivity_counts_only_artists_with_a_cd() -> None:
    # A: 2 CDs (albums a and b, 10 plays each) = 3.00 from 20 plays; C: one CD (c) = 1.50
    # from 10 plays; B and D have no CD (3 plays; 9 plays of an album short of 10).
    rows = (
        [("2010-01-01T00:00", "A", "a", "x", None)] * 10
        + [("2010-01-01T00:00", "A", "b", "x", None)] * 10
        + [("2010-01-01T00:00", "C", "c", "x", None)] * 10
        + [("2010-01-02T00:00", "B", None, "y", None)] * 3
        + [("2010-01-02T00:00", "D", "d", "y", None)] * 9
    )
    table = sensitivity(plays(rows), CompareParams(cd_margin=1.5), [0.1, 0.2])
    # At 0.1: A 2.00 < 3.00, C 1.00 < 1.50: none. At 0.2: A 4.00 > 3.00, C 2.00 > 1.50: both.
    assert table["artists"].tolist() == [0, 2]
    assert table["artists_share"].tolist() == pytest.approx([0.0, 1.0])
    assert table["plays_share"].tolist() == pytest.approx([0.0, 1.0])
    assert table["artists_with_cd"].tolist() == [2, 2]


def test_sensitivity_refuses_a_bad_rate() -> None:
    with pytest.raises(UsageError, match="positive"):
        sensitivity(plays(), CompareParams(), [0.01, 0.0])


def test_sensitivity_on_no_plays() -> None:
    table = sensitivity(plays().iloc[:0], CompareParams(), [0.01])
    columns = ["artists", "artists_share", "plays", "plays_share", "artists_with_cd"]
    assert table[columns].iloc[0].tolist() == [0, 0.0, 0, 0.0, 0]


def test_the_essays_numbers_on_the_sample_at_a_third_of_a_cent() -> None:
    from royalty import load_sample

    rows = by_artist(price(load_sample(), make_scenario(rate=0.0033333)))
    # 2,800 paid streams × 0.0033333 = 9.33; 1,500 × 0.0033333 = 5.00 (the essay's figures)
    assert rows["Radiohead"]["streams"] == 2800 and rows["SJD"]["streams"] == 1500
    assert round(float(rows["Radiohead"]["streaming_payout"]), 2) == 9.33
    assert round(float(rows["SJD"]["streaming_payout"]), 2) == 5.00
