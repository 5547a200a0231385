"""The rates table, the deals and how make_scenario combines the options."""

from __future__ import annotations

import math
from datetime import datetime

import pytest

from royalty.errors import UsageError
from royalty.pricing import (
    ARTIST,
    DEALS,
    RIGHTS_HOLDER,
    Scenario,
    builtin_rates,
    make_scenario,
    rates_table,
    service_rate,
)
from royalty.pricing.book import Book

SLUGS = [
    "spotify",
    "spotify-2013",
    "apple-music",
    "amazon-music",
    "youtube-music",
    "tidal",
    "deezer",
    "pandora",
    "soundcloud",
    "napster",
]


def test_the_table_has_the_ten_services_of_issue_5() -> None:
    assert [r.service for r in builtin_rates()] == SLUGS


def test_every_built_in_rate_has_a_year_and_a_source() -> None:
    for row in builtin_rates():
        assert not row.flat and row.years, row
        for point in row.years:
            assert 2000 <= point.year == point.until <= 2030, row
            assert len(point.source.strip()) > 10, row
            assert 0 < point.low <= point.value <= point.high < 0.05, row
        assert [p.year for p in row.years] == sorted({p.year for p in row.years})


def test_figures_from_pricing_facts() -> None:
    # PRICING-FACTS.md, "Streaming rates": a few rows typed in again by hand.
    assert (service_rate("spotify").rate, service_rate("spotify").year) == (0.0030, 2024)
    spotify = {p.year: p for p in service_rate("spotify").years}
    assert (spotify[2013].value, spotify[2013].low, spotify[2013].high) == (0.007, 0.006, 0.0084)
    assert spotify[2014].value == 0.00521
    assert service_rate("Spotify 2013").rate == 0.007
    assert [p.year for p in service_rate("Spotify 2013").years] == [2013]
    assert service_rate("Apple Music").rate == 0.0062
    napster = service_rate("napster").latest
    assert (napster.low, napster.high) == (0.0106, 0.019)


def test_json_rows_one_per_year() -> None:
    keys = ["service", "year", "rate", "low", "high", "level", "side", "currency", "source"]
    rows = service_rate("spotify").rows()
    assert [list(r) for r in rows] == [keys] * len(service_rate("spotify").years)
    assert rows[0]["year"] == 2013 and rows[0]["level"] == RIGHTS_HOLDER
    assert {r["side"] for r in rows} == {"recording"} and {r["currency"] for r in rows} == {"USD"}


def test_config_overrides_and_adds_rows() -> None:
    config = {
        "rates": {
            "tidal": {"rate": 0.01},
            "spotify": {"rate": 0.004, "year": 2025},
            "Qobuz": {"rate": 0.018, "year": 2024, "source": "a statement", "name": "Qobuz"},
        }
    }
    table = {r.service: r for r in rates_table(config)}
    # Without a year: one flat figure for every year, said so in the JSON rows.
    assert table["tidal"].flat and table["tidal"].rate == 0.01
    assert "royalty.toml" in table["tidal"].source
    assert table["tidal"].rows()[0]["year"] is None
    # With a year: added beside the cited years.
    years = [p.year for p in table["spotify"].years]
    assert years == [*(p.year for p in service_rate("spotify").years), 2025]
    assert table["spotify"].rate == 0.004
    assert table["qobuz"].rate == 0.018 and table["qobuz"].source == "a statement"
    assert table["apple-music"] == service_rate("apple-music")
    scenario = make_scenario(service="qobuz", rates=rates_table(config))
    assert scenario.service_row().rate == 0.018


def test_a_config_year_replaces_the_cited_figure_of_that_year() -> None:
    table = rates_table({"rates": {"spotify": {"rate": 0.005, "year": 2014}}})
    spotify = {p.year: p for p in service_rate("spotify", table).years}
    assert spotify[2014].value == 0.005 and "royalty.toml" in spotify[2014].source
    assert spotify[2013].value == 0.007


@pytest.mark.parametrize(
    ("rows", "message"),
    [
        ({"new": {"rate": 0.01}}, "needs a source"),
        ({"tidal": {"rate": -1}}, "above 0"),
        ({"tidal": {"rate": "x"}}, "must be a number"),
        ({"tidal": {"colour": 1}}, "unknown key"),
        ({"tidal": {"level": "artist"}}, "rights-holder"),
        ({"tidal": {"rate": 0.02, "high": 0.015}}, "low <= rate <= high"),
        ({"tidal": {"rate": 0.01, "year": "2019"}}, "year must be a year"),
        ({"tidal": {"rate": 0.01, "year": 1850}}, "year must be a year"),
        ({"tidal": {"year": 2019}}, "needs a rate"),
        ({"tidal": 3}, "must be a table"),
    ],
)
def test_bad_config_rows(rows: dict[str, object], message: str) -> None:
    with pytest.raises(UsageError, match=message):
        rates_table({"rates": rows})


def test_unknown_service_lists_the_known_ones() -> None:
    with pytest.raises(UsageError, match=r"unknown service 'spotifye'.*apple-music"):
        make_scenario(service="spotifye")


def test_foundation_mode_is_the_foundation() -> None:
    s = make_scenario()
    assert s.foundation and s.level == ARTIST
    assert (s.service, s.deal, s.rate, s.cd_margin, s.side) == (None, None, None, None, "master")
    given = make_scenario(rate=0.01, cd_margin=2.0)
    assert given.foundation and (given.rate, given.cd_margin) == (0.01, 2.0)


def test_service_alone_is_the_rights_holder_level() -> None:
    s = make_scenario(service="apple-music")
    assert (s.level, s.deal, s.service) == (RIGHTS_HOLDER, "none", "apple-music")
    assert not s.foundation


@pytest.mark.parametrize("deal", ["major", "indie", "diy"])
def test_a_deal_without_a_service_prices_spotify(deal: str) -> None:
    s = make_scenario(deal=deal)
    assert s.service_row().service == "spotify" and s.level == ARTIST


def test_artist_share_overrides_the_deal_share_not_its_cd() -> None:
    s = make_scenario(service="deezer", deal="major", artist_share=0.25)
    book = Book(s, 2004)
    assert book.share(1).value.tolist() == [0.25]
    assert book.cd_master([2004]).value.tolist() == pytest.approx([1.40])  # the major CD royalty
    # A bare share takes that share of the label's receipts less 10 mechanicals:
    # 0.25 × (10.75 - 10 × 0.085) = 0.25 × 9.90 = 2.475 (2004)
    alone = Book(make_scenario(service="deezer", artist_share=0.25), 2004)
    assert alone.cd_master([2004]).value.tolist() == pytest.approx([2.475])
    flat = Book(make_scenario(deal="major", cd_margin=2.5), 2004)
    assert flat.cd_master([2004, 2020]).value.tolist() == [2.5, 2.5]


def test_every_deal_names_its_sources() -> None:
    assert set(DEALS) == {"major", "indie", "diy", "none"}
    for deal in DEALS.values():
        assert deal.share_source and deal.cd_source
        book = Book(make_scenario(deal=deal.name), 2014)
        book.stream_value([2014])
        book.cd_master([2014])
        assert book.sources["artist_share"].endswith(deal.share_source)
        assert deal.cd_source in book.sources["cd"]
        assert "Spotify" in book.sources["rate"]


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"rate": 0.003, "service": "spotify"}, "not both"),
        ({"rate": 0.003, "deal": "major"}, "already reaches the artist"),
        ({"rate": 0.003, "artist_share": 0.5}, "already reaches the artist"),
        ({"deal": "none", "artist_share": 0.5}, "no --artist-share"),
        ({"deal": "label"}, "unknown deal"),
        ({"service": "tidal", "artist_share": 1.5}, "artist-share"),
        ({"service": "tidal", "artist_share": -0.1}, "artist-share"),
        ({"service": "tidal", "artist_share": math.nan}, "artist-share"),
        ({"model": "user-centric"}, "rights-holder money"),
        ({"downloads": True}, "rights-holder money"),
        ({"deal": "major", "model": "user-centric", "fee": -1.0}, "--fee"),
        ({"deal": "major", "model": "user-centric", "vat": -0.1}, "--vat"),
        ({"deal": "major", "model": "user-centric", "payout_ratio": 1.2}, "--payout-ratio"),
        ({"deal": "major", "fee": 10.0}, "only apply with --model user-centric"),
        ({"deal": "major", "track_price": 1.0}, "only apply with --model downloads"),
        ({"deal": "major", "downloads": True, "min_track_plays": 0}, "--min-track-plays"),
        ({"deal": "major", "downloads": True, "track_price": -1.0}, "--track-price"),
        ({"fx": 0.0, "currency": "NZD"}, "--fx"),
        ({"fx": -2.0, "currency": "NZD"}, "--fx"),
        ({"currency": "NZD"}, "does not guess"),
        ({"fx": 1.6}, "give --currency"),
        ({"currency": "dollars", "fx": 1.0}, "three-letter"),
        ({"model": "gift"}, "unknown model"),
        ({"rate": 0.004, "deal": "none"}, "already reaches the artist"),
        ({"deal": "major", "side": "lyrics"}, "unknown side"),
        ({"side": "publishing"}, "rights-holder money"),
        ({"deal": "major", "model": "user-centric", "market": "uk"}, "unknown market"),
        ({"deal": "major", "market": "nz"}, "only apply with --model user-centric"),
        ({"dollars": 1800}, "--dollars must be a year"),
        ({"deal": "major", "cd_margin": -1.0}, "cd_margin"),
    ],
)
def test_contradictions_and_bad_values(options: dict[str, object], message: str) -> None:
    with pytest.raises(UsageError, match=message):
        make_scenario(**options)  # type: ignore[arg-type]


def test_scenario_validates_when_built_directly() -> None:
    with pytest.raises(UsageError, match="artist-share"):
        Scenario(artist_share=0.0)
    with pytest.raises(UsageError, match="unknown side"):
        Scenario(deal="none", side="label")
    with pytest.raises(UsageError, match="project_to must be a timezone-aware"):
        Scenario(project_to=datetime(2030, 1, 1))
    assert Scenario().foundation and Scenario(deal="none").level == RIGHTS_HOLDER
