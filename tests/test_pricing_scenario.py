"""The rates table, the deals and how make_scenario combines the options."""

from __future__ import annotations

import math

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
        assert 2000 <= row.year <= 2030, row
        assert len(row.source.strip()) > 10, row
        assert row.level == RIGHTS_HOLDER and row.currency == "USD"
        assert 0 < row.low <= row.rate <= row.high < 0.05


def test_figures_from_pricing_facts() -> None:
    # PRICING-FACTS.md, "Streaming rates": a few rows typed in again by hand.
    assert (service_rate("spotify").rate, service_rate("spotify").year) == (0.0030, 2024)
    assert service_rate("Spotify 2013").rate == 0.007
    assert service_rate("Apple Music").rate == 0.0062
    assert (service_rate("napster").low, service_rate("napster").high) == (0.0106, 0.019)


def test_json_keys_of_a_row() -> None:
    keys = ["service", "rate", "low", "high", "level", "currency", "year", "source"]
    assert list(builtin_rates()[0].to_dict()) == keys


def test_config_overrides_and_adds_rows() -> None:
    config = {
        "rates": {
            "tidal": {"rate": 0.01},
            "Qobuz": {"rate": 0.018, "year": 2024, "source": "a statement", "name": "Qobuz"},
        }
    }
    table = {r.service: r for r in rates_table(config)}
    assert table["tidal"].rate == 0.01 and "royalty.toml" in table["tidal"].source
    assert table["tidal"].year == 2019
    assert table["qobuz"].rate == 0.018 and table["qobuz"].source == "a statement"
    assert table["spotify"] == service_rate("spotify")
    assert make_scenario(service="qobuz", rates=rates_table(config)).params.rate == 0.018


@pytest.mark.parametrize(
    ("rows", "message"),
    [
        ({"new": {"rate": 0.01}}, "needs year, source"),
        ({"tidal": {"rate": -1}}, "above 0"),
        ({"tidal": {"rate": "x"}}, "must be a number"),
        ({"tidal": {"colour": 1}}, "unknown key"),
        ({"tidal": {"level": "artist"}}, "rights-holder"),
        ({"tidal": {"rate": 0.02, "high": 0.015}}, "low <= rate <= high"),
        ({"tidal": {"year": "2019"}}, "year"),
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
    assert (s.params.rate, s.params.cd_margin, s.level, s.share) == (1 / 300, 1.5, ARTIST, None)
    assert make_scenario(rate=0.01, cd_margin=2.0).params.cd_margin == 2.0


def test_service_alone_is_the_rights_holder_level() -> None:
    s = make_scenario(service="apple-music")
    assert (s.level, s.deal, s.share) == (RIGHTS_HOLDER, "none", 1.0)
    assert s.params.rate == 0.0062 and s.params.cd_margin == pytest.approx(16.98 - 6.23)


@pytest.mark.parametrize(("deal", "share", "cd"), [("major", 0.18, 1.40), ("diy", 1.0, 8.0)])
def test_a_deal_without_a_service_prices_spotify(deal: str, share: float, cd: float) -> None:
    s = make_scenario(deal=deal)
    assert s.service == "spotify" and s.level == ARTIST
    assert s.params.rate == pytest.approx(0.0030 * share) and s.params.cd_margin == cd


def test_artist_share_overrides_the_deal_share_and_cd_margin_wins() -> None:
    s = make_scenario(service="deezer", deal="major", artist_share=0.25)
    assert s.params.rate == pytest.approx(0.0064 * 0.25) and s.params.cd_margin == 1.40
    alone = make_scenario(service="deezer", artist_share=0.25)
    assert alone.params.cd_margin == pytest.approx(0.25 * (16.98 - 6.23))
    assert make_scenario(deal="major", cd_margin=2.5).params.cd_margin == 2.5


def test_deal_none_with_a_rate_is_the_rights_holder_level() -> None:
    s = make_scenario(rate=0.004, deal="none")
    assert s.level == RIGHTS_HOLDER and s.params.rate == 0.004


def test_every_deal_names_its_sources() -> None:
    assert set(DEALS) == {"major", "indie", "diy", "none"}
    for deal in DEALS.values():
        assert deal.share_source and deal.cd_source
        s = make_scenario(deal=deal.name)
        assert s.sources["artist_share"] == deal.share_source
        assert s.sources["cd_margin"] == deal.cd_source
        assert "Spotify" in s.sources["rate"]


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
    ],
)
def test_contradictions_and_bad_values(options: dict[str, object], message: str) -> None:
    with pytest.raises(UsageError, match=message):
        make_scenario(**options)  # type: ignore[arg-type]


def test_scenario_validates_when_built_directly() -> None:
    with pytest.raises(UsageError, match="share"):
        Scenario(share=0.0)
    with pytest.raises(UsageError, match="level"):
        Scenario(level="label")
    assert Scenario(share=0.5, model="user-centric", fee=10, vat=0.25).pool == pytest.approx(
        10 / 1.25 * 0.67
    )
