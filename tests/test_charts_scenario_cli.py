"""`royalty chart` with compare's scenario options: the same numbers, level and errors.

``run`` comes from cli_run and the ``captured`` fixture (the Axes each run saves) from
test_charts_cli.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")

import pytest

import royalty
from cli_run import run
from royalty.charts import sensitivity_rates
from royalty.pricing import DEALS, builtin_rates, sensitivity
from test_charts_cli import captured as captured  # the fixture, shared


def compare_json(*options: str) -> list[dict[str, Any]]:
    code, out, err = run("compare", *options, "--format", "json")
    assert code == 0, err
    rows = json.loads(out)
    assert isinstance(rows, list)
    return rows


def chart(tmp_path: Path, captured: list[Any], kind: str, *options: str) -> Any:
    code, out, err = run("chart", kind, *options, "-o", str(tmp_path / f"{kind}.png"))
    assert code == 0, err
    assert out.strip() == str(tmp_path / f"{kind}.png")
    (ax,) = captured
    return ax


def widths(ax: Any, index: int) -> list[float]:
    """Bar widths of one container, top of the chart first."""
    return [w for _, w in sorted((p.get_y(), p.get_width()) for p in ax.containers[index])][::-1]


def footer(ax: Any) -> str:
    return str(next(t for t in ax.texts if t.get_gid() == "footer").get_text())


@pytest.mark.parametrize(
    ("options", "label"),
    [
        (["--service", "spotify", "--deal", "major"], "Income to the artist (USD, artist level)"),
        (["--deal", "none"], "Income to rights holders (USD, rights-holder level)"),
        (
            ["--service", "tidal", "--artist-share", "0.4", "--currency", "NZD", "--fx", "1.6"],
            "Income to the artist (NZD at 1.6 per USD, artist level)",
        ),
    ],
)
def test_compare_chart_bars_are_compares_json(
    options: list[str], label: str, tmp_path: Path, captured: list[Any]
) -> None:
    ax = chart(tmp_path, captured, "compare", *options, "--top", "6")
    rows = compare_json(*options, "--top", "6")
    assert widths(ax, 0) == pytest.approx([r["streaming_payout"] for r in rows])
    assert widths(ax, 1) == pytest.approx([r["cd_payout"] for r in rows])
    assert ax.get_xlabel() == label


def test_a_deal_is_named_in_the_footer(tmp_path: Path, captured: list[Any]) -> None:
    ax = chart(tmp_path, captured, "compare", "--service", "spotify", "--deal", "major")
    spotify = next(r for r in builtin_rates() if r.service == "spotify")
    text = footer(ax)
    assert "major deal" in text and "spotify" in text
    assert f"Rate USD {spotify.rate * DEALS['major'].share:.4g} per stream to the artist" in text


def test_currency_scales_the_compare_chart(tmp_path: Path, captured: list[Any]) -> None:
    ax = chart(tmp_path, captured, "compare", "--currency", "NZD", "--fx", "1.6", "--top", "3")
    usd = compare_json("--top", "3")  # the foundation, in US dollars
    assert widths(ax, 0) == pytest.approx([1.6 * r["streaming_payout"] for r in usd])
    assert widths(ax, 1) == pytest.approx([1.6 * r["cd_payout"] for r in usd])
    assert ax.get_xlabel() == "Income to the artist (NZD at 1.6 per USD, artist level)"
    assert "Shown in NZD at 1.6 per USD" in footer(ax)


def test_cumulative_chart_follows_the_scenario(tmp_path: Path, captured: list[Any]) -> None:
    options = ["--deal", "none", "--currency", "NZD", "--fx", "2", "--top", "3"]
    ax = chart(tmp_path, captured, "cumulative", *options)
    rows = compare_json(*options)
    lines = ax.get_lines()
    ends = [float(line.get_ydata()[-1]) for line in lines if line.get_gid() == "streaming"]
    assert ends == pytest.approx([r["streaming_payout"] for r in rows])
    cds = [float(line.get_ydata()[0]) for line in lines if line.get_gid() == "cd"]
    assert cds == pytest.approx([r["cd_payout"] for r in rows])
    assert "NZD at 2 per USD, rights-holder level" in ax.get_ylabel()
    assert "no deal" in footer(ax)


def test_sensitivity_chart_sweeps_at_the_deals_level(tmp_path: Path, captured: list[Any]) -> None:
    ax = chart(tmp_path, captured, "sensitivity", "--service", "spotify", "--deal", "major")
    scenario = royalty.make_scenario(service="spotify", deal="major")
    rates = sensitivity_rates()
    table = sensitivity(royalty.load_sample(), scenario.params, rates)
    lines = ax.get_lines()
    (artists,) = [line for line in lines if line.get_gid() == "artists"]
    assert list(artists.get_xdata()) == pytest.approx(rates)
    assert list(artists.get_ydata()) == pytest.approx(table["artists_share"].tolist())
    marks = sorted(float(line.get_xdata()[0]) for line in lines if line.get_gid() == "service")
    share = DEALS["major"].share
    assert marks == pytest.approx(sorted(r.rate * share for r in builtin_rates()))
    assert "artist level" in ax.get_xlabel()
    assert f"CD margin USD {DEALS['major'].cd_net:,.2f} per album;" in footer(ax)


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


@pytest.mark.parametrize(
    ("kind", "options", "message"),
    [
        ("timeline", ["--service", "spotify"], "--service only applies to charts of money"),
        ("timeline", ["--currency", "NZD", "--fx", "2"], "--currency, --fx only apply"),
        ("sensitivity", ["--vat", "0.1"], "--vat only applies to the user-centric chart"),
    ],
)
def test_options_a_kind_does_not_take(kind: str, options: list[str], message: str) -> None:
    code, out, err = run("chart", kind, *options)
    assert code == 1 and out == ""
    assert err.startswith("Error: ") and message in err and len(err.splitlines()) == 1
