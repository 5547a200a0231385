"""`royalty chart` with compare's scenario options: the same numbers, level and errors.

``run`` comes from cli_run and the ``captured`` fixture (the Axes each run saves) from
test_charts_cli.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")

import pandas as pd
import pytest
from matplotlib.container import BarContainer

import royalty
from cli_run import run
from royalty.charts import sensitivity_rates, service_marker
from royalty.pricing import builtin_rates, figures, sensitivity
from test_charts_cli import captured as captured  # the fixture, shared


def priced(top: int, **options: Any) -> pd.DataFrame:
    """What `royalty compare` prices with these options: :func:`royalty.price` of the sample."""
    if any(k in options for k in ("service", "deal", "artist_share")):
        options["rates"] = royalty.rates_table()
    return royalty.price(royalty.load_sample(), royalty.make_scenario(**options)).head(top)


def chart(tmp_path: Path, captured: list[Any], kind: str, *options: str) -> Any:
    code, out, err = run("chart", kind, *options, "-o", str(tmp_path / f"{kind}.png"))
    assert code == 0, err
    assert out.strip() == str(tmp_path / f"{kind}.png")
    (ax,) = captured
    return ax


def widths(ax: Any, index: int) -> list[float]:
    """Bar widths of one bar container, top of the chart first."""
    bars = [c for c in ax.containers if isinstance(c, BarContainer)][index]
    return [w for _, w in sorted((p.get_y(), p.get_width()) for p in bars)][::-1]


def footer(ax: Any) -> str:
    return str(next(t for t in ax.texts if t.get_gid() == "footer").get_text())


@pytest.mark.parametrize(
    ("options", "scenario", "label"),
    [
        (
            ["--service", "spotify", "--deal", "major"],
            {"service": "spotify", "deal": "major"},
            "Income to the artist (US dollars of 2013, artist level, recording side (master))",
        ),
        (
            ["--deal", "none", "--side", "publishing", "--dollars", "2024"],
            {"deal": "none", "side": "publishing", "dollars": 2024},
            "Income to rights holders (US dollars of 2024, rights-holder level, publishing "
            "side (songwriter))",
        ),
        (
            ["--service", "tidal", "--artist-share", "0.4", "--side", "both", "--currency",
             "NZD", "--fx", "1.6"],
            {"service": "tidal", "artist_share": 0.4, "side": "both", "currency": "NZD",
             "fx": 1.6},
            "Income to the artist (NZD at 1.6 per US dollar of 2013, artist level, recording "
            "and publishing sides (both))",
        ),
    ],
)  # fmt: skip
def test_compare_chart_bars_are_the_pricing(
    options: list[str], scenario: dict[str, Any], label: str, tmp_path: Path, captured: list[Any]
) -> None:
    ax = chart(tmp_path, captured, "compare", *options, "--top", "6")
    rows = priced(6, **scenario)
    assert widths(ax, 0) == pytest.approx(rows["streaming_payout"].tolist())
    assert widths(ax, 1) == pytest.approx(rows["cd_payout"].tolist())
    assert ax.get_xlabel() == label


def test_a_deal_is_named_in_the_footer(tmp_path: Path, captured: list[Any]) -> None:
    ax = chart(tmp_path, captured, "compare", "--service", "spotify", "--deal", "major")
    text = footer(ax)
    assert "Spotify's rates per stream, major deal" in text
    assert "Source: Spotify rate per stream to rights holders (recording), 2013:" in text
    assert "Source: artist's share of master money: major-label artist royalty 18%" in text


def test_currency_scales_the_compare_chart(tmp_path: Path, captured: list[Any]) -> None:
    ax = chart(tmp_path, captured, "compare", "--currency", "NZD", "--fx", "1.6", "--top", "3")
    usd = priced(3)  # the foundation, in US dollars
    assert widths(ax, 0) == pytest.approx((1.6 * usd["streaming_payout"]).tolist())
    assert widths(ax, 1) == pytest.approx((1.6 * usd["cd_payout"]).tolist())
    assert ax.get_xlabel() == (
        "Income to the artist (NZD at 1.6 per US dollar of 2013, artist level, recording side "
        "(master))"
    )
    assert "Amounts in NZD at 1.6 per US dollar of 2013" in footer(ax)


def test_dollars_of_another_year_scale_the_chart(tmp_path: Path, captured: list[Any]) -> None:
    ax = chart(tmp_path, captured, "compare", "--dollars", "2024", "--top", "3")
    usd = priced(3)  # in dollars of 2013, the last play's year
    scale = figures().cpi.factor(2013, 2024)
    assert widths(ax, 0) == pytest.approx((scale * usd["streaming_payout"]).tolist())
    assert "US dollars of 2024" in ax.get_xlabel()


def test_cumulative_chart_follows_the_scenario(tmp_path: Path, captured: list[Any]) -> None:
    options = ["--deal", "none", "--currency", "NZD", "--fx", "2", "--top", "3"]
    ax = chart(tmp_path, captured, "cumulative", *options)
    rows = priced(3, deal="none", currency="NZD", fx=2.0)
    lines = ax.get_lines()
    ends = [float(line.get_ydata()[-1]) for line in lines if line.get_gid() == "streaming"]
    assert ends == pytest.approx(rows["streaming_payout"].tolist())
    cds = [float(line.get_ydata()[-1]) for line in lines if line.get_gid() == "cd"]
    assert cds == pytest.approx(rows["cd_payout"].tolist())
    assert "NZD at 2 per US dollar of 2013, rights-holder level" in ax.get_ylabel().replace(
        "\n", " "
    )
    assert "no deal" in footer(ax)


def test_sensitivity_chart_sweeps_at_the_deals_level(tmp_path: Path, captured: list[Any]) -> None:
    ax = chart(tmp_path, captured, "sensitivity", "--service", "spotify", "--deal", "major")
    scenario = royalty.make_scenario(service="spotify", deal="major", rates=royalty.rates_table())
    rates = sensitivity_rates()
    table = sensitivity(royalty.load_sample(), scenario, rates)
    lines = ax.get_lines()
    (artists,) = [line for line in lines if line.get_gid() == "artists"]
    assert list(artists.get_xdata()) == pytest.approx(rates)
    assert list(artists.get_ydata()) == pytest.approx(table["artists_share"].tolist())
    marks = sorted(float(line.get_xdata()[0]) for line in lines if line.get_gid() == "service")
    assert marks == pytest.approx(
        sorted(service_marker(r, scenario, 2013) for r in builtin_rates())
    )
    assert "artist level" in ax.get_xlabel()
    assert "Source: CD album, master side: major-label artist royalty per CD" in footer(ax)


@pytest.mark.parametrize("kind", ["compare", "cumulative", "sensitivity"])
@pytest.mark.parametrize(
    "options",
    [
        ["--rate", "0.003", "--service", "spotify"],
        ["--rate", "0.003", "--deal", "major"],
        ["--rate", "0.003", "--artist-share", "0.5"],
        ["--service", "spotifye"],
        ["--deal", "none", "--artist-share", "0.5"],
        ["--service", "tidal", "--artist-share", "1.5"],
        ["--currency", "NZD"],
        ["--fx", "1.2"],
        ["--currency", "NZD", "--fx", "0"],
    ],
)
def test_bad_combinations_give_compares_error(
    kind: str, options: list[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    _, _, expected = run("compare", *options)
    assert expected.startswith("Error: ")
    code, out, err = run("chart", kind, *options)
    assert code == 1 and out == ""
    assert err.startswith("Error: ") and len(err.splitlines()) == 1
    assert err == expected
    assert not list(tmp_path.iterdir())


@pytest.mark.parametrize("kind", ["compare", "cumulative", "sensitivity", "user-centric"])
def test_dollars_of_no_year_are_refused(kind: str) -> None:
    code, out, err = run("chart", kind, "--dollars", "1800")
    assert code == 1 and out == ""
    assert err == "Error: --dollars must be a year such as 2024, got 1800\n"


@pytest.mark.parametrize(
    ("options", "message"),
    [
        (["--dollars", "2013"], "--dollars only applies to the money charts of a history"),
        (["--side", "both", "--market", "nz"], "--side, --market only apply to the money charts"),
    ],
)
def test_population_charts_take_no_history_pricing_options(
    options: list[str], message: str, tmp_path: Path
) -> None:
    code, out, err = run("chart", "population-bands", "--population", str(tmp_path), *options)
    assert code == 1 and out == ""
    assert err.startswith("Error: ") and message in err and len(err.splitlines()) == 1


def test_a_vat_above_1_is_compares_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    _, _, expected = run("compare", "--deal", "none", "--model", "user-centric", "--vat", "15")
    code, out, err = run("chart", "user-centric", "--vat", "15")
    assert code == 1 and out == "" and err == expected
    assert err == "Error: --vat is a fraction (0.15 for 15%), got 15.0; did you mean 0.15?\n"
    assert not list(tmp_path.iterdir())


@pytest.mark.parametrize(
    ("kind", "options", "message"),
    [
        ("timeline", ["--service", "spotify"], "--service only applies to charts of money"),
        ("timeline", ["--currency", "NZD", "--fx", "2"], "--currency, --fx only apply"),
        ("sensitivity", ["--vat", "0.1"], "--vat only applies to the user-centric chart"),
        ("compare", ["--market", "nz"], "--market only applies to the user-centric chart"),
        ("timeline", ["--dollars", "2013"], "--dollars only applies to charts of money"),
        ("timeline", ["--side", "both"], "--side only applies to charts of money"),
    ],
)
def test_options_a_kind_does_not_take(kind: str, options: list[str], message: str) -> None:
    code, out, err = run("chart", kind, *options)
    assert code == 1 and out == ""
    assert err.startswith("Error: ") and message in err and len(err.splitlines()) == 1


def test_user_centric_chart_of_the_nz_market(tmp_path: Path, captured: list[Any]) -> None:
    options = ["--deal", "none", "--market", "nz", "--currency", "NZD", "--fx", "1.6"]
    ax = chart(tmp_path, captured, "user-centric", *options, "--top", "4")
    scenario = royalty.make_scenario(
        deal="none", model="user-centric", market="nz", currency="NZD", fx=1.6,
        rates=royalty.rates_table(),
    )  # fmt: skip
    rows = royalty.price(royalty.load_sample(), scenario).head(4)
    uc = [w for _, w in sorted((p.get_y(), p.get_width()) for p in ax.containers[1])][::-1]
    assert uc == pytest.approx(rows["user_centric_payout"].tolist())
    text = footer(ax).replace("\n    ", " ")
    assert "user-centric (NZ fees)" in text
    assert "monthly fee, Spotify Premium, New Zealand, at your 1.6 per USD" in text
    assert "New Zealand GST" in text
