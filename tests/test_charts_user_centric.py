"""The user-centric chart: bars checked against sums done by hand and against the pricing frame."""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import pandas as pd
import pytest
from matplotlib.axes import Axes
from matplotlib.colors import to_hex

import royalty
from royalty import schema
from royalty.charts import plot_user_centric
from royalty.charts.user_centric import LESS, MORE, PRO_RATA
from royalty.errors import UsageError
from royalty.pricing.figures import Cited
from royalty.pricing.rates import EVERY_YEAR, ServiceRate


@pytest.fixture(autouse=True)
def _close_figures() -> Iterator[None]:
    yield
    plt.close("all")


def make_plays(rows: list[tuple[str, str, int | None]]) -> pd.DataFrame:
    """Plays from (UTC time, artist, duration in ms) tuples, all on one album."""
    return schema.normalize(
        pd.DataFrame(
            {
                "played_at": pd.to_datetime([r[0] for r in rows], utc=True),
                "artist": [r[1] for r in rows],
                "track": ["t"] * len(rows),
                "album": ["x"] * len(rows),
                "duration_ms": pd.array([r[2] for r in rows], dtype="Int64"),
            }
        ),
        source="test",
    )


# Fee 11 with 10 % VAT, payout ratio 0.5, no deal: 11 / 1.1 × 0.5 = 5.00 a month to split.
# January: A 4 plays, B 1 -> 1.00 a play: A 4.00, B 1.00.
# February: B 1 play (A's 10-second play is not paid) -> B 5.00.
# Pro-rata at 2.00 a stream: A 8.00, B 4.00. User-centric: A 4.00 (below), B 6.00 (above).
TINY = make_plays(
    [
        ("2010-01-03 10:00", "A", None),
        ("2010-01-09 10:00", "A", None),
        ("2010-01-20 10:00", "A", 200_000),
        ("2010-01-31 23:59", "A", None),
        ("2010-01-15 10:00", "B", None),
        ("2010-02-01 00:00", "B", None),
        ("2010-02-02 00:00", "A", 10_000),
    ]
)
# A service with one flat figure (as a config file's without a year): 2.00 in every year.
FLAT = ServiceRate("flat", "Flat", (Cited(*EVERY_YEAR, 2.0, 2.0, 2.0, "a test figure"),), True)
SCENARIO = royalty.make_scenario(
    service="flat", deal="none", model="user-centric", fee=11.0, vat=0.1, payout_ratio=0.5,
    rates=(FLAT,),
)  # fmt: skip


def bars(ax: Axes, index: int) -> list[tuple[float, str]]:
    """(width, colour) of one bar container, top of the chart first."""
    found = [(p.get_y(), p.get_width(), to_hex(p.get_facecolor())) for p in ax.containers[index]]
    return [(w, c) for _, w, c in sorted(found, reverse=True)]


def footer(ax: Axes) -> str:
    return str(next(t for t in ax.texts if t.get_gid() == "footer").get_text())


def test_bars_by_hand() -> None:
    ax = plot_user_centric(TINY, SCENARIO, who="tiny")
    assert bars(ax, 0) == [(8.0, PRO_RATA), (4.0, PRO_RATA)]
    assert [c for _, c in bars(ax, 1)] == [LESS, MORE]
    assert [w for w, _ in bars(ax, 1)] == pytest.approx([4.0, 6.0])
    ticks = sorted(zip(ax.get_yticks(), [t.get_text() for t in ax.get_yticklabels()], strict=True))
    assert [name for _, name in ticks] == ["B", "A"]  # bottom to top
    # No bold names: the bar's colour says which model pays more.
    assert {t.get_fontweight() for t in ax.get_yticklabels()} == {"normal"}
    assert (
        ax.get_title(loc="left") == "Pro-rata against user-centric for tiny: top 2 artists by plays"
    )
    assert ax.get_xlabel() == (
        "Payout (US dollars of 2010, rights-holder level, recording side (master))"
    )
    assert ax.get_ylabel() == "Artist"
    text = footer(ax)
    for part in (
        "Flat's rates per stream, no deal",
        "monthly fee: the value you gave (USD 11), used in every month",
        "sales tax in the fee: the value you gave (0.1)",
        "share of the fee paid out: the value you gave",
        # 2 months of 11 / 1.1: 20.00; pro-rata paid 12.00 (60%), user-centric 10.00 (50%).
        "Of the listener's fees ($20.00 over 2 months, net of sales tax), pro-rata paid the "
        "artists they played $12.00 (60%) and user-centric $10.00 (50%)",
        "2010-01-03 to 2010-02-02",
    ):
        assert part in text.replace("\n    ", " ").replace("\n", " ").replace("\\$", "$"), part
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert legend[1:] == [
        "User-centric, above pro-rata (1 of 2)",
        "User-centric, not above pro-rata (1 of 2)",
    ]
    labels = sorted(t.get_text() for t in ax.texts if t.get_gid() != "footer")
    assert labels == [r"\$4.00", r"\$4.00", r"\$6.00", r"\$8.00"]  # dollars, as compare's


def test_legend_has_no_entry_for_a_colour_no_bar_has() -> None:
    only_a = [
        t.get_text() for t in plot_user_centric(TINY, SCENARIO, top=1).get_legend().get_texts()
    ]
    assert only_a == [
        "Pro-rata: each stream at its year's rate",
        "User-centric, not above pro-rata (1 of 1)",
    ]
    only_b = plot_user_centric(TINY[TINY["artist"] == "B"], SCENARIO).get_legend().get_texts()
    assert [t.get_text() for t in only_b][1:] == ["User-centric, above pro-rata (1 of 1)"]


def test_a_deal_and_a_currency_reach_the_axis_and_footer() -> None:
    scenario = royalty.make_scenario(
        service="flat", artist_share=0.5, model="user-centric", fee=11.0, vat=0.1,
        payout_ratio=0.5, currency="nzd", fx=2.0, rates=(FLAT,),
    )  # fmt: skip
    ax = plot_user_centric(TINY, scenario)
    # 2.00 a stream, half to the artist, 2 NZD per USD: 2.00 a play.
    assert [w for w, _ in bars(ax, 0)] == pytest.approx([4 * 2.0, 2 * 2.0])
    # Half of 5.00 a month, then 2 NZD per USD: the hand sums above.
    assert [w for w, _ in bars(ax, 1)] == pytest.approx([4.0, 6.0])
    assert ax.get_xlabel() == (
        "Payout (NZD at 2 per US dollar of 2010, artist level, recording side (master))"
    )
    text = footer(ax)
    assert "artist's share 50% (the value you gave)" in text
    assert "artist's share of master money: the value you gave" in text
    assert "Amounts in NZD at 2 per US dollar of 2010" in text


def test_sample_bars_follow_the_pricing_frame() -> None:
    scenario = royalty.make_scenario(deal="major", model="user-centric")
    frame = royalty.price(royalty.load_sample(), scenario)
    ax = plot_user_centric(royalty.load_sample(), scenario, top=7)
    assert len(ax.containers[0]) == 7 and len(ax.containers[1]) == 7
    top = frame.head(7)
    assert [w for w, _ in bars(ax, 0)] == pytest.approx(top["pro_rata_payout"].tolist())
    assert [w for w, _ in bars(ax, 1)] == pytest.approx(top["user_centric_payout"].tolist())
    assert "major deal" in footer(ax) and "US dollars of 2013" in footer(ax)


def test_a_pro_rata_scenario_is_priced_user_centric() -> None:
    pro_rata = royalty.make_scenario(service="flat", deal="none", rates=(FLAT,))
    ax = plot_user_centric(TINY, pro_rata)
    assert [w for w, _ in bars(ax, 0)] == [8.0, 4.0]
    assert "user-centric (US fees)" in footer(ax)


def test_refuses_empty_histories_bad_top_and_the_foundation() -> None:
    with pytest.raises(UsageError, match="no artists"):
        plot_user_centric(TINY.iloc[:0], SCENARIO)
    with pytest.raises(UsageError, match="top"):
        plot_user_centric(TINY, SCENARIO, top=0)
    with pytest.raises(UsageError, match="rights-holder money"):
        plot_user_centric(TINY, royalty.Scenario())


def test_draws_into_a_given_axes() -> None:
    _, (left, right) = plt.subplots(1, 2)
    assert plot_user_centric(TINY, SCENARIO, ax=right) is right
    assert not left.containers


@pytest.mark.parametrize("suffix", ["png", "svg"])
def test_non_latin_names_render_without_missing_glyphs(tmp_path: Path, suffix: str) -> None:
    names = ["Бумажный Кит", "夜の図書館", "Björk 🎸 Live", "A$AP Mob"]
    plays = make_plays(
        [(f"2011-0{i + 1}-0{d} 12:00", name, None) for i, name in enumerate(names) for d in (1, 2)]
    )
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a missing glyph warns: fail on it
        ax = plot_user_centric(plays, SCENARIO, who="夜 Кит")
        ax.figure.savefig(tmp_path / f"chart.{suffix}")
    assert (tmp_path / f"chart.{suffix}").stat().st_size > 1000
    labels = {t.get_text() for t in ax.get_yticklabels()}
    assert "Бумажный Кит" in labels and r"A\$AP Mob" in labels
