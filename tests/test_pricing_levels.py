"""Hand-computed cases for levels and sides: master, publishing, both; deals;
verdicts; the sources of what the user gave. Every expected figure is worked
out in the comment above it from the rows of a tiny frame and the cited
figures of PRICING-FACTS.md; none is copied from the code's output.

Most cases are one year, 2014, stated in dollars of 2014, where the cited
figures are: Spotify 0.00521 a stream to rights holders (no range), the
publishing headline rate 0.105 of revenue, the recording share 0.586
(0.52-0.586), the mechanical 0.091 a track, and 2004's CD figures carried to
2014 by CPI-U × 236.736 / 188.9.
"""

from __future__ import annotations

import pandas as pd
import pytest

from pricing_plays import Row, cpi, frame, repeat, row
from royalty.errors import UsageError
from royalty.pricing import make_scenario, price, price_details
from royalty.pricing.scenario import GIVEN, Scenario

RATE_2014 = 0.00521
TO_2014 = cpi(2014) / cpi(2004)
MECH = 0.091
PUB = 0.105 / 0.586  # publishing money per dollar of master money

# A: 10 paid streams of album "a" (tracks t1 ×4, t2 ×3, t3 ×3) in 2014: one CD of 3
# distinct tracks. B: 4 streams of album "b": no CD.
ROWS: list[Row] = repeat("2014-05-01", "A", "a", ["t1"] * 4 + ["t2"] * 3 + ["t3"] * 3) + repeat(
    "2014-06-01", "B", "b", ["u1"] * 4
)


def priced(**options: object) -> pd.DataFrame:
    return price(frame(ROWS), make_scenario(service="spotify", dollars=2014, **options))  # type: ignore[arg-type]


def test_master_side_at_the_rights_holder_level() -> None:
    a = row(priced(deal="none"), "A")
    # streams: 10 × 0.00521 = 0.0521
    assert a["streaming_payout"] == pytest.approx(10 * RATE_2014)
    # CD: the label's 10.75 of 2004 = 10.75 × 236.736 / 188.9 = 13.4722 in 2014,
    # less 10 tracks of mechanicals 10 × 0.091 = 0.91: 12.5622
    assert a["cd_payout"] == pytest.approx(10.75 * TO_2014 - 10 * MECH)
    assert a["cd_payout_low"] == pytest.approx(7.59 * TO_2014 - 10 * MECH)
    assert a["cd_payout_high"] == pytest.approx(15.83 * TO_2014 - 10 * MECH)
    assert (a["albums"], a["verdict"]) == (1, "cds")


def test_publishing_side_streams_and_cds() -> None:
    a = row(priced(deal="none", side="publishing"), "A")
    # per stream 0.00521 × 0.105 / 0.586 = 0.000933; × 10 streams
    assert a["streaming_payout"] == pytest.approx(10 * RATE_2014 * 0.105 / 0.586)
    # the range: low over the high recording share, high over the low one (0.52)
    assert a["streaming_payout_low"] == pytest.approx(10 * RATE_2014 * 0.105 / 0.586)
    assert a["streaming_payout_high"] == pytest.approx(10 * RATE_2014 * 0.105 / 0.52)
    # CD: mechanical per track × distinct tracks played: 0.091 × 3 = 0.273
    assert a["cd_payout"] == pytest.approx(0.273)
    assert a["cd_payout_low"] == a["cd_payout_high"] == pytest.approx(0.273)


def test_both_sides_add_up() -> None:
    a = row(priced(deal="none", side="both"), "A")
    assert a["streaming_payout"] == pytest.approx(10 * RATE_2014 * (1 + PUB))
    assert a["cd_payout"] == pytest.approx(10.75 * TO_2014 - 10 * MECH + 3 * MECH)


def test_the_deal_share_applies_to_master_money_only() -> None:
    master = row(priced(deal="major"), "A")
    both = row(priced(deal="major", side="both"), "A")
    publishing = row(priced(deal="major", side="publishing"), "A")
    # major: 18% (13-25%) of 10 × 0.00521 = 0.009378
    assert master["streaming_payout"] == pytest.approx(0.18 * 10 * RATE_2014)
    assert master["streaming_payout_low"] == pytest.approx(0.13 * 10 * RATE_2014)
    assert master["streaming_payout_high"] == pytest.approx(0.25 * 10 * RATE_2014)
    # publishing in full, not × 0.18
    assert publishing["streaming_payout"] == pytest.approx(10 * RATE_2014 * PUB)
    assert both["streaming_payout"] == pytest.approx(10 * RATE_2014 * (0.18 + PUB))
    # major CD royalty 1.40 (0.30-2.00) of 2004, no mechanicals in it: × 236.736 / 188.9
    assert master["cd_payout"] == pytest.approx(1.40 * TO_2014)
    assert master["cd_payout_low"] == pytest.approx(0.30 * TO_2014)
    assert both["cd_payout"] == pytest.approx(1.40 * TO_2014 + 3 * MECH)


def test_indie_is_half_of_net_on_both_sides() -> None:
    a = row(priced(deal="indie"), "A")
    # streams: 50% after a 15% distribution fee = 0.425 (0.425-0.50) of 0.0521
    assert a["streaming_payout"] == pytest.approx(0.425 * 10 * RATE_2014)
    assert a["streaming_payout_low"] == pytest.approx(0.425 * 10 * RATE_2014)
    assert a["streaming_payout_high"] == pytest.approx(0.50 * 10 * RATE_2014)
    # CD: half of (the 2004 profit 2.58 carried to 2014, less 10 × 0.091):
    # 0.5 × (2.58 × 236.736 / 188.9 - 0.91) = 0.5 × (3.2333 - 0.91) = 1.1617
    assert a["cd_payout"] == pytest.approx(0.5 * (2.58 * TO_2014 - 10 * MECH))


def test_diy_nets_the_self_released_cd_less_mechanicals() -> None:
    a = row(priced(deal="diy"), "A")
    # diy's 8.00 (7.50-10.00) is of 2010: × 236.736 / 218.056, less 0.91
    to_2014 = cpi(2014) / cpi(2010)
    assert a["cd_payout"] == pytest.approx(8.00 * to_2014 - 10 * MECH)
    assert a["cd_payout_high"] == pytest.approx(10.00 * to_2014 - 10 * MECH)
    assert a["streaming_payout_low"] == pytest.approx(0.85 * 10 * RATE_2014)


def test_a_bare_artist_share_takes_that_share_of_the_labels_receipts() -> None:
    a = row(price(frame(ROWS), make_scenario(artist_share=0.2, dollars=2014)), "A")
    # no service: Spotify; 0.2 of 0.0521 streams and of the label's CD less mechanicals
    assert a["streaming_payout"] == pytest.approx(0.2 * 10 * RATE_2014)
    assert a["cd_payout"] == pytest.approx(0.2 * (10.75 * TO_2014 - 10 * MECH))


# --- verdicts ---------------------------------------------------------------------

# The foundation in 2013 dollars: 1/300 a stream (no range) against 1.50 (1.00-2.00) per CD.
VERDICT_ROWS: list[Row] = (
    repeat("2013-02-01", "Streams", "s", ["x"] * 700)  # 2.333 > every CD figure (2.00 at most)
    + repeat("2013-02-01", "Cds", "c", ["x"] * 10)  # 0.0333 < 1.00, the lowest CD figure
    + repeat("2013-02-01", "Depends", "d", ["x"] * 450)  # 1.50: above 1.00, below 2.00
    + repeat("2013-02-01", "Short", "e", ["x"] * 9)  # 9 < 10 streams of its album: no CD
    + repeat("2013-02-01", "Nameless", None, ["x"] * 30)  # no album name: no CD at all
)


def test_every_verdict() -> None:
    table = price(frame(VERDICT_ROWS), Scenario(dollars=2013))
    verdicts = dict(zip(table["artist"], table["verdict"], strict=True))
    assert verdicts == {
        "Streams": "streams",
        "Cds": "cds",
        "Depends": "depends",
        "Short": "no-cd",
        "Nameless": "no-cd",
    }
    depends = row(table, "Depends")
    # 450 / 300 = 1.50, the CD's value: a tie, so break-even at the 450th stream
    assert (depends["streaming_payout"], depends["cd_payout"]) == pytest.approx((1.5, 1.5))
    assert depends["breakeven_plays"] == 450


def test_plays_without_an_album_buy_no_cd_and_are_counted() -> None:
    rows = repeat("2013-02-01", "N", None, ["x"] * 30) + repeat("2013-03-01", "N", "n", ["y"] * 3)
    n = row(price(frame(rows), Scenario(dollars=2013)), "N")
    # 33 streams, 30 of them without an album; album n has 3 < 10: no CD
    assert (n["streams"], n["streams_without_album"], n["albums"]) == (33, 30, 0)
    assert (n["cd_payout"], n["cd_payout_high"], n["verdict"]) == (0.0, 0.0, "no-cd")
    assert (n["breakeven_plays"], pd.isna(n["crossover_date"])) == (0, True)


def test_plays_and_paid_streams_are_two_columns() -> None:
    # 3 plays of A, one of them 10 s long: 3 plays, 2 paid streams.
    rows = repeat("2013-02-01", "A", "a", ["x"] * 3)
    a = row(price(frame(rows, [200_000, 10_000, None]), Scenario(dollars=2013)), "A")
    assert (a["plays"], a["streams"]) == (3, 2)


# --- what the user gave -------------------------------------------------------------


@pytest.mark.parametrize(
    ("options", "key", "cited"),
    [
        ({"rate": 0.004}, "rate", "a third of a cent"),
        ({"cd_margin": 2.5}, "cd", "the essay"),
        ({"deal": "major", "model": "user-centric", "fee": 10.0}, "fee", "Spotify's US launch"),
        ({"deal": "major", "model": "user-centric", "vat": 0.15}, "vat", "none: US prices"),
        ({"deal": "major", "model": "user-centric", "payout_ratio": 0.7}, "payout_ratio", "DiMA"),
        ({"deal": "major", "downloads": True, "track_price": 1.29}, "track_price", "iTunes"),
        ({"deal": "major", "artist_share": 0.3}, "artist_share", "Manatt"),
        ({"min_seconds": 10.0}, "min_seconds", "30-second rule"),
    ],
)
def test_a_value_the_user_gave_is_named_so(
    options: dict[str, object], key: str, cited: str
) -> None:
    rows = repeat("2013-02-01", "A", "a", ["x"] * 12)
    book = price_details(frame(rows), make_scenario(**options)).book  # type: ignore[arg-type]
    assert GIVEN in book.sources[key]
    assert cited not in book.sources[key]


def test_the_defaults_name_their_citations() -> None:
    rows = repeat("2013-02-01", "A", "a", ["x"] * 12)
    scenario = make_scenario(deal="major", model="user-centric", downloads=True)
    sources = price_details(frame(rows), scenario).book.sources
    assert "Spotify's US launch" in sources["fee"]
    assert "none: US prices" in sources["vat"]
    assert "iTunes" in sources["track_price"]
    assert "Manatt" in sources["artist_share"]
    assert "30-second rule" in sources["min_seconds"]
    assert all(GIVEN not in text for text in sources.values())


@pytest.mark.parametrize(("vat", "hint"), [(15, "did you mean 0.15?"), (20.0, "did you mean 0.2?")])
def test_vat_above_one_suggests_the_fraction(vat: float, hint: str) -> None:
    with pytest.raises(UsageError, match=hint.replace("?", r"\?")):
        make_scenario(deal="major", model="user-centric", vat=vat)


def test_vat_far_above_a_percentage_has_no_suggestion() -> None:
    with pytest.raises(UsageError, match="is a fraction") as caught:
        make_scenario(deal="major", model="user-centric", vat=150)
    assert "did you mean" not in str(caught.value)
