"""The money charts under a pricing scenario: level, side, dollars and currency, by hand."""

from __future__ import annotations

from collections.abc import Iterator

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
from matplotlib.axes import Axes
from matplotlib.container import BarContainer

import royalty
from royalty import schema
from royalty.charts import plot_compare, plot_cumulative, plot_sensitivity
from royalty.pricing import DEALS, builtin_rates, figures
from royalty.pricing.book import Book
from royalty.pricing.figures import Cited
from royalty.pricing.rates import EVERY_YEAR, ServiceRate


@pytest.fixture(autouse=True)
def _close_figures() -> Iterator[None]:
    yield
    plt.close("all")


# A: 4 plays of album a1 (bought at its 2nd play, 2010-01-05: one CD); B: 1 play, no CD.
PLAYS = schema.normalize(
    pd.DataFrame(
        {
            "played_at": pd.to_datetime(
                ["2010-01-04", "2010-01-05", "2010-01-20", "2010-02-01", "2010-01-10"], utc=True
            ),
            "artist": ["A", "A", "A", "A", "B"],
            "track": ["t1", "t2", "t1", "t3", "t"],
            "album": ["a1", "a1", "a1", "a1", "b1"],
        }
    ),
    source="test",
)
# A service with one flat figure (a config file's without a year): 3.00 in every year.
FLAT = ServiceRate("flat", "Flat", (Cited(*EVERY_YEAR, 3.0, 3.0, 3.0, "a test figure"),), True)
# --deal none: A earns 12.00 against one CD at the label's receipts per CD of 2010 (less
# mechanicals); B earns 3.00 against nothing.
HOLDER = royalty.make_scenario(service="flat", deal="none", min_album_plays=2, rates=(FLAT,))
NZD = royalty.make_scenario(
    service="flat", deal="none", min_album_plays=2, currency="NZD", fx=1.6, rates=(FLAT,)
)


def label_receipts(year: int, dollars: int) -> float:
    """The label's receipts per CD of ``year``, less 10 tracks of mechanicals, by hand."""
    f = figures()
    cpi = f.cpi
    receipts = f.series["cd_label_receipts"].at(year, cpi).value
    mechanical = f.series["mechanical_per_track"].at(year, cpi).value
    return (receipts - 10 * mechanical) * cpi.factor(year, dollars)


def footer(ax: Axes) -> str:
    return str(next(t for t in ax.texts if t.get_gid() == "footer").get_text())


def widths(ax: Axes, index: int) -> list[float]:
    """Bar widths of one bar container, top of the chart first."""
    bars = [c for c in ax.containers if isinstance(c, BarContainer)][index]
    return [w for _, w in sorted((p.get_y(), p.get_width()) for p in bars)][::-1]


def test_the_cd_figure_by_hand_is_the_books() -> None:
    assert label_receipts(2010, 2010) == pytest.approx(
        Book(HOLDER, 2010).cd_master([2010]).value[0]
    )


def test_compare_chart_at_the_rights_holder_level() -> None:
    ax = plot_compare(PLAYS, HOLDER)
    assert widths(ax, 0) == pytest.approx([12.0, 3.0])
    assert widths(ax, 1) == pytest.approx([label_receipts(2010, 2010), 0.0])
    assert ax.get_xlabel() == (
        "Income to rights holders (US dollars of 2010, rights-holder level, recording side "
        "(master))"
    )
    text = footer(ax)
    assert "Flat's rates per stream, no deal" in text
    assert "Source: Flat rate per stream to rights holders (recording)" in text


def test_compare_chart_in_another_currency_scales_bars_and_says_so() -> None:
    ax = plot_compare(PLAYS, NZD)
    assert widths(ax, 0) == pytest.approx([12.0 * 1.6, 3.0 * 1.6])
    assert widths(ax, 1) == pytest.approx([label_receipts(2010, 2010) * 1.6, 0.0])
    assert "NZD at 1.6 per US dollar of 2010" in ax.get_xlabel()
    assert "Amounts in NZD at 1.6 per US dollar of 2010" in footer(ax)
    labels = [t.get_text() for t in ax.texts if t.get_gid() != "footer"]
    assert "19.20" in labels and not any("$" in label for label in labels)


def test_compare_chart_in_dollars_of_another_year() -> None:
    # The same plays in dollars of 2024: every cited figure carried by CPI-U, 2010 to 2024.
    spotify = royalty.make_scenario(service="spotify", deal="major", min_album_plays=2)
    then = plot_compare(PLAYS, spotify)
    now = plot_compare(PLAYS, royalty.make_scenario(
        service="spotify", deal="major", min_album_plays=2, dollars=2024))  # fmt: skip
    scale = figures().cpi.factor(2010, 2024)
    for index in (0, 1):
        assert widths(now, index) == pytest.approx([w * scale for w in widths(then, index)])
    assert "US dollars of 2024" in now.get_xlabel() and "US dollars of 2010" in then.get_xlabel()
    # 2010 has no Spotify figure of its own: the footer says it borrowed 2013's.
    assert "Borrowed: Spotify rate per stream (carried by CPI-U): no figure for 2010" in footer(now)


def test_compare_chart_of_a_deal_on_both_sides() -> None:
    scenario = royalty.make_scenario(
        service="flat", deal="major", side="both", min_album_plays=2, rates=(FLAT,)
    )
    f, cpi = figures(), figures().cpi
    ratio = f.series["stream_publishing_rate"].at(2010, cpi).value / (
        f.series["recording_share"].at(2010, cpi).value
    )
    per_stream = 3.0 * DEALS["major"].share + 3.0 * ratio  # master after the deal + publishing
    ax = plot_compare(PLAYS, scenario)
    assert widths(ax, 0) == pytest.approx([4 * per_stream, per_stream])
    # A's CD: the deal's master figure plus 3 distinct tracks played × the mechanical rate.
    mechanical = f.series["mechanical_per_track"].at(2010, cpi).value
    master = Book(scenario, 2010).cd_master([2010]).value[0]
    assert widths(ax, 1) == pytest.approx([master + 3 * mechanical, 0.0])
    assert "artist level, recording and publishing sides (both)" in ax.get_xlabel()
    assert "major deal" in footer(ax)


def test_cumulative_chart_in_another_currency() -> None:
    ax = plot_cumulative(PLAYS, NZD, top=2)
    lines = ax.get_lines()
    streams = [line for line in lines if line.get_gid() == "streaming"]
    # A's running total: 3, 6, 9, 12 USD, a stream a day, shown at 1.6 NZD per USD.
    assert list(streams[0].get_ydata())[2:-1] == pytest.approx([4.8, 9.6, 14.4, 19.2])
    cds = [line for line in lines if line.get_gid() == "cd"]
    cd = label_receipts(2010, 2010) * 1.6
    assert list(cds[0].get_ydata()) == pytest.approx([0.0, cd, cd])
    assert pd.Timestamp(cds[0].get_xdata()[1]) == pd.Timestamp("2010-01-05")
    (mark,) = [line for line in lines if line.get_gid() == "crossover"]
    crossed = 1 + int(np.argmax(np.array([4.8, 9.6, 14.4, 19.2]) >= cd))
    assert pd.Timestamp(mark.get_xdata()[0]) == pd.Timestamp(
        ["2010-01-04", "2010-01-05", "2010-01-20", "2010-02-01"][crossed - 1]
    )
    assert "NZD at 1.6 per US dollar of 2010" in ax.get_ylabel().replace("\n", " ")
    assert "Amounts in NZD" in footer(ax)


def test_sensitivity_chart_marks_services_at_the_artists_share() -> None:
    scenario = royalty.make_scenario(
        service="spotify", deal="indie", min_album_plays=2, currency="NZD", fx=2.0
    )
    cd = float(royalty.price(PLAYS, scenario)["cd_payout"].iloc[0])  # NZD, one CD
    rates = [cd / 4 / 2 / 2.0, cd / 4 * 2 / 2.0]  # USD: A wins at the second only
    services = builtin_rates()[:2]
    ax = plot_sensitivity(PLAYS, scenario, rates=rates, services=services)
    lines = {line.get_gid(): line for line in ax.get_lines()}
    assert list(lines["artists"].get_xdata()) == pytest.approx([r * 2.0 for r in rates])
    assert list(lines["artists"].get_ydata()) == pytest.approx([0.0, 1.0])  # B: no CD, left out
    marks = [float(line.get_xdata()[0]) for line in ax.get_lines() if line.get_gid() == "service"]
    # Each service's figure for 2010 (the nearest cited year's, by CPI-U) × the indie share.
    cpi = figures().cpi
    share = DEALS["indie"].share
    assert marks == pytest.approx([s.series().at(2010, cpi).value * share * 2.0 for s in services])
    assert ax.get_xlabel() == (
        "Rate per stream to the artist (NZD at 2 per US dollar of 2010, artist level, "
        "recording side (master), log scale)"
    )
    text = footer(ax)
    assert "indie deal" in text and "to the artist, on the side priced" in text
    # The sweep stands in for Spotify's rate: its source is not named.
    assert "Source: Spotify rate per stream" not in text


def test_sensitivity_chart_at_the_rights_holder_level_uses_the_label_receipts() -> None:
    cd = label_receipts(2010, 2010)
    ax = plot_sensitivity(PLAYS, HOLDER, rates=[cd / 5, cd / 3], services=builtin_rates()[:1])
    lines = {line.get_gid(): line for line in ax.get_lines()}
    # 4 plays × cd / 5 < cd and 4 × cd / 3 > cd: A wins only at the second (B has no CD).
    assert list(lines["artists"].get_ydata()) == pytest.approx([0.0, 1.0])
    spotify = builtin_rates()[0]
    assert float(lines["service"].get_xdata()[0]) == pytest.approx(
        spotify.series().at(2010, figures().cpi).value
    )
    assert "rights-holder level" in ax.get_xlabel()
    assert "label's receipts per CD" in footer(ax)


def test_sensitivity_chart_states_the_essays_rate_in_the_charts_dollars() -> None:
    scenario = royalty.make_scenario(service="spotify", deal="major", dollars=2024)
    ax = plot_sensitivity(PLAYS, scenario, rates=[0.001, 0.01])
    (essay,) = [line for line in ax.get_lines() if line.get_gid() == "essay"]
    assert float(essay.get_xdata()[0]) == pytest.approx(figures().cpi.factor(2013, 2024) / 300)
    assert "US dollars of 2024" in ax.get_xlabel()
