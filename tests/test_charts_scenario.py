"""The money charts under a pricing scenario: level, deal and currency, worked out by hand."""

from __future__ import annotations

from collections.abc import Iterator

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
from matplotlib.axes import Axes

import royalty
from royalty import schema
from royalty.charts import plot_compare, plot_cumulative, plot_sensitivity
from royalty.errors import UsageError
from royalty.pricing import DEALS, LABEL_RECEIPTS_PER_CD, builtin_rates, sensitivity


@pytest.fixture(autouse=True)
def _close_figures() -> Iterator[None]:
    yield
    plt.close("all")


# A: 4 plays of album a1 (bought after 2 plays: one CD); B: 1 play, no CD.
PLAYS = schema.normalize(
    pd.DataFrame(
        {
            "played_at": pd.to_datetime(
                ["2010-01-04", "2010-01-05", "2010-01-20", "2010-02-01", "2010-01-10"], utc=True
            ),
            "artist": ["A", "A", "A", "A", "B"],
            "track": ["t"] * 5,
            "album": ["a1", "a1", "a1", "a1", "b1"],
        }
    ),
    source="test",
)
# --deal none with a rights-holder rate of 3.00: A earns 12.00 against one CD at the label's
# receipts per CD; B earns 3.00 against nothing. The 4th play (2010-02-01) passes the CD.
HOLDER = royalty.make_scenario(rate=3.0, deal="none", min_album_plays=2)
NZD = royalty.make_scenario(rate=3.0, deal="none", min_album_plays=2, currency="NZD", fx=1.6)


def footer(ax: Axes) -> str:
    return str(next(t for t in ax.texts if t.get_gid() == "footer").get_text())


def widths(ax: Axes, index: int) -> list[float]:
    """Bar widths of one container, top of the chart first."""
    return [w for _, w in sorted((p.get_y(), p.get_width()) for p in ax.containers[index])][::-1]


def test_compare_chart_at_the_rights_holder_level() -> None:
    ax = plot_compare(royalty.price(PLAYS, HOLDER), scenario=HOLDER)
    assert widths(ax, 0) == pytest.approx([12.0, 3.0])
    assert widths(ax, 1) == pytest.approx([LABEL_RECEIPTS_PER_CD, 0.0])
    assert ax.get_xlabel() == "Income to rights holders (USD, rights-holder level)"
    text = footer(ax)
    assert "no deal" in text and "Rate USD 3 per stream to rights holders" in text


def test_compare_chart_in_another_currency_scales_bars_and_says_so() -> None:
    ax = plot_compare(royalty.price(PLAYS, NZD), scenario=NZD)
    assert widths(ax, 0) == pytest.approx([12.0 * 1.6, 3.0 * 1.6])
    assert widths(ax, 1) == pytest.approx([LABEL_RECEIPTS_PER_CD * 1.6, 0.0])
    assert ax.get_xlabel() == "Income to rights holders (NZD at 1.6 per USD, rights-holder level)"
    assert "Shown in NZD at 1.6 per USD" in footer(ax)
    labels = [t.get_text() for t in ax.texts if t.get_gid() != "footer"]
    assert "19.20" in labels and not any("$" in label for label in labels)


def test_compare_chart_of_a_deal_is_at_the_artist_level() -> None:
    spotify = next(r for r in builtin_rates() if r.service == "spotify")
    scenario = royalty.make_scenario(service="spotify", deal="major", min_album_plays=2)
    ax = plot_compare(royalty.price(PLAYS, scenario), scenario=scenario)
    share = DEALS["major"].share
    assert widths(ax, 0) == pytest.approx([4 * spotify.rate * share, spotify.rate * share])
    assert widths(ax, 1) == pytest.approx([DEALS["major"].cd_net, 0.0])
    assert ax.get_xlabel() == "Income to the artist (USD, artist level)"
    assert "major deal" in footer(ax) and "spotify" in footer(ax)


def test_params_that_are_not_the_scenarios_are_refused() -> None:
    other = royalty.CompareParams(rate=1.0)
    with pytest.raises(UsageError, match="not both"):
        plot_compare(royalty.price(PLAYS, HOLDER), params=other, scenario=HOLDER)
    with pytest.raises(UsageError, match="not both"):
        plot_cumulative(PLAYS, params=other, scenario=HOLDER)


def test_cumulative_chart_in_another_currency() -> None:
    ax = plot_cumulative(PLAYS, scenario=NZD, top=2)
    lines = ax.get_lines()
    streams = [line for line in lines if line.get_gid() == "streaming"]
    # A's running total: 3, 6, 9, 12 USD a day at a time, shown at 1.6 NZD per USD.
    assert list(streams[0].get_ydata())[1:-1] == pytest.approx([4.8, 9.6, 14.4, 19.2])
    cds = [float(line.get_ydata()[0]) for line in lines if line.get_gid() == "cd"]
    assert cds == pytest.approx([LABEL_RECEIPTS_PER_CD * 1.6, 0.0])
    (mark,) = [line for line in lines if line.get_gid() == "crossover"]
    assert pd.Timestamp(mark.get_xdata()[0]) == pd.Timestamp("2010-02-01")
    unit = "NZD at 1.6 per USD, rights-holder level"
    assert ax.get_ylabel() == f"Income to rights holders so far ({unit})"
    assert "Shown in NZD" in footer(ax)


def test_cumulative_chart_prices_pro_rata_only() -> None:
    scenario = royalty.make_scenario(deal="none", model="user-centric")
    with pytest.raises(UsageError, match="pro-rata"):
        plot_cumulative(PLAYS, scenario=scenario)


def test_sensitivity_chart_marks_services_at_the_artists_share() -> None:
    scenario = royalty.make_scenario(
        service="spotify", deal="indie", min_album_plays=2, currency="NZD", fx=2.0
    )
    # Indie: one CD nets the artist DEALS["indie"].cd_net; A wins above cd_net / 4 a stream.
    cd = DEALS["indie"].cd_net
    rates = [cd / 4 / 2, cd / 4 * 2]
    table = sensitivity(PLAYS, scenario.params, rates)
    services = builtin_rates()[:2]
    ax = plot_sensitivity(table, services=services, scenario=scenario)
    lines = {line.get_gid(): line for line in ax.get_lines()}
    assert list(lines["artists"].get_xdata()) == pytest.approx([r * 2.0 for r in rates])
    assert list(lines["artists"].get_ydata()) == pytest.approx([0.0, 1.0])  # B: no CD, left out
    marks = sorted(
        float(line.get_xdata()[0]) for line in ax.get_lines() if line.get_gid() == "service"
    )
    share = DEALS["indie"].share
    assert marks == pytest.approx(sorted(s.rate * share * 2.0 for s in services))
    assert (
        ax.get_xlabel()
        == "Rate per stream to the artist (NZD at 2 per USD, artist level, log scale)"
    )
    text = footer(ax)
    assert f"artist's share ({share:.0%})" in text and "indie deal" in text
    assert f"CD margin USD {cd:,.2f} per album;" in text


def test_sensitivity_chart_at_the_rights_holder_level_uses_the_label_receipts() -> None:
    table = sensitivity(PLAYS, HOLDER.params, [1.0, 3.0])
    ax = plot_sensitivity(table, services=builtin_rates()[:1], scenario=HOLDER)
    lines = {line.get_gid(): line for line in ax.get_lines()}
    # 4 plays × 1.00 < 10.75 and 4 × 3.00 > 10.75: A wins only at 3.00 (B has no CD).
    assert list(lines["artists"].get_ydata()) == pytest.approx([0.0, 1.0])
    assert float(lines["service"].get_xdata()[0]) == builtin_rates()[0].rate
    assert "rights-holder level" in ax.get_xlabel()
    assert f"CD margin USD {LABEL_RECEIPTS_PER_CD:,.2f} per album to rights holders" in footer(ax)
    assert np.isclose(ax.get_xlim()[1], max(0.02, 3.0))
