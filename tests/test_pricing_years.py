"""Hand-computed cases for year-aware pricing: each play at its own year's
figures, borrowed years carried by CPI-U, ``dollars``, CDs at the year they
were bought, break-even by running income, the user-centric pool month by
month, and projections. Every expected figure is worked out in a comment from
the cited figures (PRICING-FACTS.md) and the CPI-U table typed in
``pricing_plays``; none is copied from the code's output.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pandas as pd
import pytest

from pricing_plays import Row, cpi, frame, repeat, row
from royalty.errors import UsageError
from royalty.pricing import make_scenario, monthly_rates, price, price_details
from royalty.pricing.scenario import Scenario

MONEY = ("streaming_payout", "streaming_payout_low", "streaming_payout_high")
CD = ("cd_payout", "cd_payout_low", "cd_payout_high")

# One artist over three years: 2 streams in 2013, 3 in 2014, 5 in 2015, all of album a.
THREE_YEARS: list[Row] = (
    repeat("2013-03-01", "A", "a", ["t1"] * 2)
    + repeat("2014-03-01", "A", "a", ["t2"] * 3)
    + repeat("2015-03-01", "A", "a", ["t3"] * 5)
)


def test_three_years_are_priced_year_by_year_and_2015_borrows_2014() -> None:
    pricing = price_details(frame(THREE_YEARS), make_scenario(service="spotify"))
    a = row(pricing.table, "A")
    # Spotify: 2013 0.007 (0.006-0.0084), 2014 0.00521; 2015 has no figure and
    # borrows 2014 (one year from 2014 and from 2016: the earlier wins), carried
    # by CPI-U to 2015: 0.00521 × 237.017 / 236.736. The default dollars are
    # those of the last play's year, 2015.
    assert pricing.book.dollars == 2015
    r2013 = 0.007 * cpi(2015) / cpi(2013)  # 0.0071220
    r2014 = 0.00521 * cpi(2015) / cpi(2014)  # 0.0052162, also 2015's borrowed figure
    # 2 × 0.0071220 + 8 × 0.0052162 = 0.014244 + 0.041729 = 0.055973
    assert a["streaming_payout"] == pytest.approx(2 * r2013 + 8 * r2014)
    assert a["streaming_payout_low"] == pytest.approx(2 * 0.006 * cpi(2015) / cpi(2013) + 8 * r2014)
    assert a["streaming_payout_high"] == pytest.approx(
        2 * 0.0084 * cpi(2015) / cpi(2013) + 8 * r2014
    )
    # The CD is bought at the 10th stream, in 2015: the label's 10.75 of 2004
    # carried to 2015 (× 237.017 / 188.9 = 13.4883) less 10 × 0.091: 12.5783
    assert a["cd_payout"] == pytest.approx(10.75 * cpi(2015) / cpi(2004) - 0.91)
    lines = pricing.book.borrowed_lines()
    assert any(line.startswith("Spotify rate per stream") and "2015" in line for line in lines)
    assert not any("2013" in line or "2014" in line for line in lines if "Spotify" in line)
    assert "2013:" in pricing.book.sources["rate"] and "2014:" in pricing.book.sources["rate"]


def test_a_year_before_the_first_figure_borrows_it_back_by_cpi() -> None:
    rows = repeat("2010-06-01", "A", "a", ["t"] * 4)
    a = row(price(frame(rows), make_scenario(service="spotify")), "A")
    # 2010 borrows 2013's 0.007, carried back: × 218.056 / 232.957; 4 streams
    assert a["streaming_payout"] == pytest.approx(4 * 0.007 * cpi(2010) / cpi(2013))


def test_figures_in_dollars_of_their_own_year_are_unchanged() -> None:
    rows = repeat("2013-06-01", "A", "a", ["t"] * 12)
    a = row(price(frame(rows), make_scenario(service="spotify", dollars=2013)), "A")
    # 12 × 0.007 (0.006-0.0084), exactly as cited
    assert [a[c] for c in MONEY] == pytest.approx([12 * 0.007, 12 * 0.006, 12 * 0.0084])
    essay = row(price(frame(rows), Scenario(dollars=2013)), "A")
    # the essay's 2013 figures: 12 / 300 = 0.04 against 1.50 (1.00-2.00)
    assert essay["streaming_payout"] == pytest.approx(0.04)
    assert [essay[c] for c in CD] == pytest.approx([1.5, 1.0, 2.0])


def test_2004_figures_in_2024_dollars_scale_by_the_cpi() -> None:
    rows = repeat("2004-06-01", "A", "a", ["t"] * 12)
    then = row(price(frame(rows), make_scenario(deal="none", dollars=2004)), "A")
    now = row(price(frame(rows), make_scenario(deal="none", dollars=2024)), "A")
    # In 2004 dollars: the CD is the label's 10.75 less 10 × 0.085 (2004's
    # mechanical) = 9.90, and a stream borrows Spotify's 2013 0.007 back to
    # 2004: 0.007 × 188.9 / 232.957.
    assert then["cd_payout"] == pytest.approx(9.90)
    assert then["streaming_payout"] == pytest.approx(12 * 0.007 * cpi(2004) / cpi(2013))
    # In 2024 dollars every amount is × 313.689 / 188.9 = 1.66061.
    for column in (*MONEY, *CD, "difference"):
        assert now[column] == pytest.approx(then[column] * 313.689 / 188.9), column
    assert now["cd_payout"] == pytest.approx(16.4400, abs=1e-4)  # 9.90 × 1.66061


def test_a_cd_is_priced_at_the_year_its_album_reached_the_threshold() -> None:
    # Album "old" reaches 10 streams in December 2022 (mechanical 9.1¢) and is
    # played on in 2023 (a 4th track); album "new" reaches 10 in 2023 (12¢).
    rows = (
        repeat("2022-12-01", "A", "old", ["t1"] * 5 + ["t2"] * 3 + ["t3"] * 2)
        + repeat("2023-02-01", "A", "old", ["t4"])
        + repeat("2023-03-01", "A", "new", ["n1"] * 5 + ["n2"] * 5)
    )
    scenario = make_scenario(deal="none", side="publishing", dollars=2023)
    a = row(price(frame(rows), scenario), "A")
    # old: 4 distinct tracks × 0.091 of 2022 in 2023 dollars (× 304.702 / 292.655)
    # new: 2 distinct tracks × 0.12
    assert a["albums"] == 2
    assert a["cd_payout"] == pytest.approx(4 * 0.091 * cpi(2023) / cpi(2022) + 2 * 0.12)


def test_breakeven_follows_the_running_income_across_years() -> None:
    # 3 streams in 2013, then 4 in 2014 on separate days; in 2014 dollars.
    rows = repeat("2013-05-01", "A", "a", ["t"] * 3) + [
        (f"2014-05-0{d}", "A", "a", "t") for d in range(1, 5)
    ]
    near = row(
        price(
            frame(rows),
            make_scenario(service="spotify", cd_margin=0.03, dollars=2014, min_album_plays=3),
        ),
        "A",
    )
    # 2013 streams: 0.007 × 236.736 / 232.957 = 0.0071136 each, 3 = 0.021341;
    # then 0.00521 each: 0.021341 + 0.00521 = 0.026551 < 0.03, + 0.00521 = 0.031761.
    # So the 5th stream (2014-05-02) reaches 0.03; at 2014's rate alone it
    # would take ceil(0.03 / 0.00521) = 6.
    assert near["breakeven_plays"] == 5
    assert near["crossover_date"] == pd.Timestamp("2014-05-02T00:00Z")
    far = row(
        price(
            frame(rows),
            make_scenario(service="spotify", cd_margin=0.1, dollars=2014, min_album_plays=3),
        ),
        "A",
    )
    # All 7 streams: 0.021341 + 4 × 0.00521 = 0.042181; the rest at the last
    # month's 0.00521: (0.1 - 0.042181) / 0.00521 = 11.098, so 12 more: 19.
    assert far["breakeven_plays"] == 19
    assert pd.isna(far["crossover_date"])


# --- the user-centric pool, month by month ---------------------------------------------


def test_the_us_fee_follows_the_july_2023_and_july_2024_rises() -> None:
    rows = [
        ("2023-06-15", "A", "a", "t"),
        ("2023-07-15", "A", "a", "t"),
        ("2024-06-15", "A", "a", "t"),
        ("2024-07-15", "A", "a", "t"),
    ]
    months = monthly_rates(frame(rows), make_scenario(deal="none", model="user-centric"))
    # The pool: fee × the recording share 0.586 (US prices carry no tax), in
    # dollars of 2024; 2023's fees × 313.689 / 304.702.
    to_2024 = cpi(2024) / cpi(2023)
    expected = [9.99 * to_2024, 10.99 * to_2024, 10.99, 11.99]
    assert months["payout"].tolist() == pytest.approx([fee * 0.586 for fee in expected])
    assert months["plays"].tolist() == [1, 1, 1, 1]


def test_a_fee_before_the_launch_borrows_the_launch_price_carried_by_cpi() -> None:
    rows = [("2010-06-15", "A", "a", "t")]
    pricing = price_details(
        frame(rows), make_scenario(deal="none", model="user-centric", dollars=2010)
    )
    assert pricing.months is not None
    # Spotify reached the US in July 2011 at $9.99; June 2010 borrows it, carried
    # back to 2010 by CPI-U (× 218.056 / 224.939 = 9.684), × the recording share 0.586.
    expected = 9.99 * cpi(2010) / cpi(2011) * 0.586
    assert pricing.months["payout"].tolist() == pytest.approx([expected])
    assert any("fee" in line and "2010" in line for line in pricing.book.borrowed_lines())


def test_the_nz_fee_needs_an_exchange_rate() -> None:
    with pytest.raises(UsageError, match="--fx"):
        make_scenario(deal="none", model="user-centric", market="nz")
    rows = [("2013-02-01", "A", "a", "t")]
    scenario = make_scenario(
        deal="none", model="user-centric", market="nz", currency="NZD", fx=1.6, dollars=2013
    )
    other = make_scenario(
        deal="none", model="user-centric", market="nz", currency="EUR", fx=0.9, dollars=2013
    )
    with pytest.raises(UsageError, match="--currency NZD"):  # 0.9 EUR per USD says nothing of NZD
        monthly_rates(frame(rows), other)
    months = monthly_rates(frame(rows), scenario)
    # NZ$12.99 includes 15% GST: 12.99 / 1.15 × 0.586 = 6.6192 NZD (the fee is
    # turned into USD at 1/1.6 and shown at 1.6 NZD per USD)
    assert months["payout"].tolist() == pytest.approx([12.99 / 1.15 * 0.586])


# Jan 2020: A 2 streams of album a, B 8 streams with no album; Feb 2020: A 4 streams.
UC_ROWS: list[Row] = (
    [(f"2020-01-0{d}", "A", "a", "t") for d in (1, 2)]
    + repeat("2020-01-03", "B", None, ["u"] * 8)
    + [(f"2020-02-0{d}", "A", "a", "t") for d in (1, 2, 3, 4)]
)


def test_user_centric_crossover_comes_from_cumulative_monthly_income() -> None:
    scenario = make_scenario(
        deal="none",
        model="user-centric",
        fee=10.0,
        vat=0.0,
        payout_ratio=1.0,
        cd_margin=3.0,
        min_album_plays=6,
    )
    a = row(price(frame(UC_ROWS), scenario), "A")
    # Each month's pool is 10.00: January's 10 streams earn 1.00 each, February's
    # 4 (all A's) 2.50 each. A: 2 × 1.00 + 4 × 2.50 = 12.00. One CD at 3.00.
    assert a["user_centric_payout"] == pytest.approx(12.0)
    assert a["cd_payout"] == pytest.approx(3.0)
    # Running income 1.00, 2.00, 4.50: the 3rd stream reaches 3.00. A's average
    # rate (12 / 6 = 2.00 a stream) would say the 2nd.
    assert a["breakeven_plays"] == 3
    assert a["crossover_date"] == pd.Timestamp("2020-02-01T00:00Z")
    # Pro-rata: Spotify's 2019 0.00348 (2020 borrows it) carried to 2020 × 6 streams
    assert a["pro_rata_payout"] == pytest.approx(6 * 0.00348 * cpi(2020) / cpi(2019))


def test_fee_share_reports_what_each_model_passes_on() -> None:
    scenario = make_scenario(
        deal="major", model="user-centric", fee=10.0, vat=0.25, payout_ratio=0.5
    )
    pricing = price_details(frame(UC_ROWS), scenario)
    share = pricing.fee_share
    assert share is not None
    # Two months of 10.00 with 25% tax in it: 8.00 net each, 16.00.
    assert (share.months, share.fees) == (2, pytest.approx(16.0))
    # User-centric passes the payout ratio of each net fee to the listener's
    # artists, at the rights-holder level (before the 18%): 2 × 8.00 × 0.5 = 8.00.
    assert share.user_centric == pytest.approx(8.0)
    # Pro-rata passes 14 streams × Spotify's 2020 rate (0.00348 carried from 2019).
    assert share.pro_rata == pytest.approx(14 * 0.00348 * cpi(2020) / cpi(2019))
    # The artist's money is the deal's 18% of that pool: A 0.18 × (2/10 × 4 + 4/4 × 4)
    a = row(pricing.table, "A")
    assert a["user_centric_payout"] == pytest.approx(0.18 * (0.8 + 4.0))


# --- projection ----------------------------------------------------------------------


def test_projection_may_end_in_the_past_if_after_the_last_play() -> None:
    rows = repeat("2010-01-01", "A", "a", ["t"] * 10)
    scenario = make_scenario(rate=0.01, project_to=datetime(2011, 1, 1, tzinfo=UTC))
    a = row(price(frame(rows), scenario), "A")
    # 10 streams in the last 365 days: 10 a year; one year on: 20 streams,
    # 20 × 0.01 = 0.20 (a flat rate is used as given)
    assert a["projected_plays"] == pytest.approx(10 * (1 + 365 / 365))
    assert a["projected_streaming_payout"] == pytest.approx(0.20)


def test_projection_before_the_last_play_is_an_error() -> None:
    rows = repeat("2010-01-01", "A", "a", ["t"] * 3)
    for when in (datetime(2009, 12, 31, tzinfo=UTC), datetime(2010, 1, 1, tzinfo=UTC)):
        with pytest.raises(UsageError, match="after the last play"):
            price(frame(rows), make_scenario(project_to=when))


def test_years_after_the_cpi_table_are_named_as_borrowed() -> None:
    from royalty import schema

    plays = pd.DataFrame(
        {
            "played_at": pd.to_datetime(["2024-05-01", "2025-06-01", "2026-01-01"], utc=True),
            "artist": ["A"] * 3,
            "track": ["t"] * 3,
        }
    )
    pricing = price_details(
        schema.normalize(plays, source="t"), make_scenario(service="spotify", deal="none")
    )
    assert pricing.book.dollars == 2026
    assert pricing.book.borrowed["CPI-U"] == {2025, 2026}
    # 2024 dollars stand in for 2025 and 2026: each stream pays Spotify's 2024 figure.
    assert pricing.table["streaming_payout"].iloc[0] == pytest.approx(3 * 0.0030)


def test_a_projection_beyond_nanosecond_times_is_refused() -> None:
    plays = pd.DataFrame(
        {"played_at": pd.to_datetime(["2020-01-01"], utc=True).as_unit("ns"), "artist": ["A"]}
    )
    far = datetime(2300, 1, 1, tzinfo=UTC)
    with pytest.raises(UsageError, match="too far"):
        price(plays, make_scenario(project_to=far))
