"""The cited tables shipped in the package: figures.toml, rates.toml, CPI-U and fees."""

from __future__ import annotations

import datetime as dt
import tomllib
from importlib import resources
from typing import Any

import pytest

from pricing_plays import CPI_U
from royalty.errors import UsageError
from royalty.pricing.figures import figures, market, year_span
from royalty.pricing.rates import builtin_rates


def _toml(name: str) -> dict[str, Any]:
    text = resources.files("royalty.pricing").joinpath(name).read_text("utf-8")
    return tomllib.loads(text)


def test_every_figure_row_has_a_source_and_low_le_value_le_high() -> None:
    # Read the raw file, so a row the loader would reject is reported here by name.
    data = _toml("figures.toml")
    assert data["cpi"]["source"].strip()
    rows = 0
    for key, table in data["series"].items():
        assert table["name"].strip() and table["unit"].strip(), key
        for r in table["years"]:
            value = r["value"]
            assert r["source"].strip(), (key, r["year"])
            assert r.get("low", value) <= value <= r.get("high", value), (key, r["year"])
            assert r.get("until", r["year"]) >= r["year"], (key, r["year"])
            rows += 1
    for key, fees in data["fees"].items():
        assert fees["vat_source"].strip() and 0 <= fees["vat"] < 1, key
        for r in fees["prices"]:
            assert r["source"].strip() and r["price"] > 0, (key, r["from"])
            rows += 1
    assert rows >= 20  # the file is not silently empty


def test_every_rate_row_has_a_year_a_source_and_low_le_rate_le_high() -> None:
    data = _toml("rates.toml")
    for service, table in data.items():
        assert table["name"].strip(), service
        assert table["years"], service
        for r in table["years"]:
            assert 2000 <= r["year"] <= 2030, (service, r)
            assert r["source"].strip(), (service, r["year"])
            assert r.get("low", r["rate"]) <= r["rate"] <= r.get("high", r["rate"]), (service, r)
    # The loaded table keeps the same rows.
    assert sum(len(s.years) for s in builtin_rates()) == sum(len(t["years"]) for t in data.values())


def test_the_loaded_series_keep_every_cited_row() -> None:
    data = _toml("figures.toml")
    for key, series in figures().series.items():
        assert len(series.points) == len(data["series"][key]["years"]), key
        for point in series.points:
            assert point.low <= point.value <= point.high and point.source.strip()


def test_cpi_is_the_bls_table_of_pricing_facts() -> None:
    shipped = figures().cpi.values
    for year, level in CPI_U.items():
        assert shipped[year] == level, year
    assert "CUUR0000SA0" in figures().cpi.source


def test_cpi_factor_2004_to_2024() -> None:
    # 313.689 / 188.9 = 1.66061; 10.75 × 1.66061 = 17.8515 (PRICING-FACTS: "about $17.85")
    assert figures().cpi.factor(2004, 2024) == pytest.approx(313.689 / 188.9)
    assert 10.75 * figures().cpi.factor(2004, 2024) == pytest.approx(17.8515, abs=1e-4)
    assert figures().cpi.factor(2013, 2013) == 1.0


@pytest.mark.parametrize(
    ("day", "price", "borrowed"),
    [
        # Before the US launch (July 2011) the launch price is borrowed.
        (dt.date(2010, 1, 1), 9.99, True),
        (dt.date(2011, 6, 1), 9.99, True),
        (dt.date(2011, 7, 1), 9.99, False),
        (dt.date(2023, 6, 1), 9.99, False),
        (dt.date(2023, 7, 1), 10.99, False),
        (dt.date(2024, 6, 1), 10.99, False),
        (dt.date(2024, 7, 1), 11.99, False),
        (dt.date(2026, 1, 1), 11.99, False),
    ],
)
def test_us_fee_by_date(day: dt.date, price: float, borrowed: bool) -> None:
    found, lent = market("us").price_at(day)
    assert (found.price, lent) == (price, borrowed)


def test_nz_fee_is_in_nz_dollars_with_gst() -> None:
    nz = market("NZ")
    assert (nz.currency, nz.vat) == ("NZD", 0.15)
    assert nz.price_at(dt.date(2013, 1, 1))[0].price == 12.99


def test_unknown_market_is_a_usage_error() -> None:
    with pytest.raises(UsageError, match="unknown market 'uk'"):
        market("uk")


def test_a_cited_year_is_used_as_it_is() -> None:
    f = figures()
    mech = f.series["mechanical_per_track"]
    assert (mech.at(2010, f.cpi).value, mech.at(2010, f.cpi).borrowed) == (0.091, False)
    assert mech.at(2022, f.cpi).value == 0.091
    assert mech.at(2023, f.cpi).value == 0.12


def test_borrowed_money_is_carried_by_cpi_and_a_borrowed_share_is_not() -> None:
    f = figures()
    receipts = f.series["cd_label_receipts"].at(2024, f.cpi)
    # 2004's $10.75 (7.59-15.83) in dollars of 2024: × 313.689 / 188.9
    scale = 313.689 / 188.9
    assert receipts.borrowed and receipts.cited.year == 2004
    assert (receipts.value, receipts.low, receipts.high) == pytest.approx(
        (10.75 * scale, 7.59 * scale, 15.83 * scale)
    )
    # The recording share is cited for 2021 only: 2013 uses 0.586 as it is.
    share = f.series["recording_share"].at(2013, f.cpi)
    assert share.borrowed and share.value == 0.586
    # After a row that covers several years, money is carried from its last year:
    # the 2006-2022 mechanical 0.091 in 2023 would be cited (0.12), so take the
    # diy CD net (2010 only) in 2013: 8.00 × 232.957 / 218.056.
    diy = f.series["cd_artist_diy"].at(2013, f.cpi)
    assert diy.borrowed and diy.value == pytest.approx(8.00 * 232.957 / 218.056)


def test_a_tie_borrows_the_earlier_year() -> None:
    # Spotify's rates are cited for 2014 and 2016: 2015 is one year from each.
    spotify = next(r for r in builtin_rates() if r.service == "spotify").series()
    point, borrowed = spotify.cited(2015)
    assert borrowed and point.year == 2014


def test_year_span_names_ranges() -> None:
    assert year_span([2015, 2013, 2014, 2019]) == "2013-2015, 2019"
    assert year_span([]) == ""
