"""The chart functions: what each draws, checked on tiny histories worked out by hand."""

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
from matplotlib.container import BarContainer

from royalty import price, schema
from royalty.charts import (
    cumulative_payouts,
    plot_compare,
    plot_cumulative,
    plot_sensitivity,
    plot_timeline,
    weekly_plays,
)
from royalty.charts.compare import VERDICT_COLOURS
from royalty.errors import UsageError
from royalty.pricing import Scenario

# Rate 1 and margin 2 keep the sums on paper easy: values given apply in every year as given.
PARAMS = Scenario(rate=1.0, cd_margin=2.0, min_album_plays=2, min_seconds=30)


@pytest.fixture(autouse=True)
def _close_figures() -> Iterator[None]:
    yield
    plt.close("all")


def make_plays(rows: list[tuple[str, str, str | None, int | None]]) -> pd.DataFrame:
    """Plays from (UTC time, artist, album, duration in ms) tuples."""
    return schema.normalize(
        pd.DataFrame(
            {
                "played_at": pd.to_datetime([r[0] for r in rows], utc=True),
                "artist": [r[1] for r in rows],
                "track": ["t"] * len(rows),
                "album": [r[2] for r in rows],
                "duration_ms": pd.array([r[3] for r in rows], dtype="Int64"),
            }
        ),
        source="test",
    )


# A: 5 paid plays of one album (one CD, 2.00) -> streams 5.00 beat it at the 2nd play.
# B: 2 paid plays of one album (one CD, 2.00) -> a tie at the 2nd play: it depends.
# C: 1 play, no album bought -> streams 1.00 against no CD: nothing to compare.
# A's 10-second play does not count anywhere.
TINY = make_plays(
    [
        ("2010-01-04 10:00", "A", "a1", None),
        ("2010-01-04 11:00", "A", "a1", 200_000),
        ("2010-01-06 09:00", "A", "a1", 10_000),
        ("2010-01-20 09:00", "A", "a1", None),
        ("2010-01-20 10:00", "A", "a1", None),
        ("2010-02-01 08:00", "A", "a1", None),
        ("2010-01-05 12:00", "B", "b1", None),
        ("2010-01-25 12:00", "B", "b1", None),
        ("2010-01-10 12:00", "C", "c1", None),
    ]
)


def bar_containers(ax: Axes) -> list[BarContainer]:
    return [c for c in ax.containers if isinstance(c, BarContainer)]


def streaming_bars(ax: Axes) -> list[tuple[float, float, str]]:
    """(y, width, colour) of the streaming bars, top of the chart first."""
    bars = [(p.get_y(), p.get_width(), to_hex(p.get_facecolor())) for p in bar_containers(ax)[0]]
    return sorted(bars, reverse=True)


def footer_of(ax: Axes) -> str:
    return str(next(t for t in ax.texts if t.get_gid() == "footer").get_text())


def test_compare_chart_bars_follow_the_table() -> None:
    ax = plot_compare(TINY, PARAMS, who="tiny")
    assert [w for _, w, _ in streaming_bars(ax)] == [5.0, 2.0, 1.0]
    cds = sorted(((p.get_y(), p.get_width()) for p in bar_containers(ax)[1]), reverse=True)
    assert [w for _, w in cds] == [2.0, 2.0, 0.0]
    verdicts = ["streams", "depends", "no-cd"]
    assert [c for _, _, c in streaming_bars(ax)] == [VERDICT_COLOURS[v] for v in verdicts]
    ticks = sorted(zip(ax.get_yticks(), [t.get_text() for t in ax.get_yticklabels()], strict=True))
    assert [name for _, name in ticks] == ["C", "B", "A"]  # bottom to top
    bold = {t.get_text() for t in ax.get_yticklabels() if t.get_fontweight() == "bold"}
    assert bold == {"A"}
    assert "tiny" in ax.get_title(loc="left")
    assert ax.get_xlabel() == (
        "Income to the artist (US dollars of 2010, artist level, recording side (master))"
    )
    footer = footer_of(ax)
    assert "Amounts in US dollars of 2010 (by CPI-U), at the artist level" in footer
    assert "rate per stream to the artist, every year: the value you gave (1)" in footer
    assert "2010-01-04 to 2010-02-01" in footer
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert legend[:3] == [
        "Streams ahead at every figure (1 of 3)",
        "Streams: depends on the figures (1 of 3)",
        "Streams, no CD bought (1 of 3)",
    ]


def test_compare_chart_whiskers_span_low_to_high(sample_plays: pd.DataFrame) -> None:
    from royalty.pricing import make_scenario

    scenario = make_scenario(service="spotify", deal="indie", side="both", dollars=2013)
    table = price(sample_plays, scenario).head(5)
    ax = plot_compare(sample_plays, scenario, top=5)
    for container, column in zip(
        bar_containers(ax), ("streaming_payout", "cd_payout"), strict=True
    ):
        segments = container.errorbar.lines[2][0].get_segments()
        lows = [float(seg[0][0]) for seg in segments]
        highs = [float(seg[1][0]) for seg in segments]
        assert lows == pytest.approx(table[f"{column}_low"].tolist())
        assert highs == pytest.approx(table[f"{column}_high"].tolist())
    shown = set(table["verdict"])
    legend = " ".join(t.get_text() for t in ax.get_legend().get_texts())
    assert all(f"({(table['verdict'] == v).sum()} of 5)" in legend for v in shown)
    assert "recording and publishing sides (both)" in ax.get_xlabel()
    assert "US dollars of 2013" in ax.get_xlabel()


def test_compare_chart_top_and_bar_labels() -> None:
    ax = plot_compare(TINY, PARAMS, top=2)
    assert [len(c) for c in bar_containers(ax)] == [2, 2]
    values = [t.get_text() for t in ax.texts if t.get_gid() != "footer"]
    assert sorted(values) == sorted([r"\$5.00", r"\$2.00", r"\$2.00", r"\$2.00"])
    everyone = plot_compare(TINY, PARAMS)  # C bought no CD: its CD bar says so
    cd_values = [t.get_text() for t in everyone.texts if t.get_gid() == "cds-value"]
    assert cd_values == [r"\$2.00", r"\$2.00", "no CD"]


def test_compare_chart_refuses_empty_and_bad_top() -> None:
    with pytest.raises(UsageError, match="no artists"):
        plot_compare(TINY.iloc[:0], PARAMS)
    with pytest.raises(UsageError, match="top"):
        plot_compare(TINY, PARAMS, top=0)


def test_compare_chart_draws_into_a_given_axes() -> None:
    _, (left, right) = plt.subplots(1, 2)
    assert plot_compare(TINY, PARAMS, ax=right) is right
    assert not left.containers


def test_cumulative_payouts_by_hand() -> None:
    curve = cumulative_payouts(TINY, PARAMS, ["A", "B"])
    a = curve[curve["artist"] == "A"]
    assert a["date"].dt.strftime("%Y-%m-%d").tolist() == ["2010-01-04", "2010-01-20", "2010-02-01"]
    assert a["streams"].tolist() == [2, 4, 5]  # the 10-second play on the 6th is not paid
    assert a["streaming_payout"].tolist() == [2.0, 4.0, 5.0]
    assert a["cd_payout"].tolist() == [2.0, 2.0, 2.0]  # a1 bought at its 2nd paid stream
    assert curve["artist"].drop_duplicates().tolist() == ["A", "B"]
    b = curve[curve["artist"] == "B"]
    assert b["streams"].tolist() == [1, 2] and b["cd_payout"].tolist() == [0.0, 2.0]


def test_cumulative_chart_lines_and_crossovers() -> None:
    result = price(TINY, PARAMS)
    ax = plot_cumulative(TINY, PARAMS, top=3, who="tiny")
    lines = ax.get_lines()
    streaming = [line for line in lines if line.get_gid() == "streaming"]
    cds = [line for line in lines if line.get_gid() == "cd"]
    marks = [line for line in lines if line.get_gid() == "crossover"]
    assert len(streaming) == 3 and len(cds) == 3
    labels = [line.get_label() for line in streaming]
    assert labels == [r"A (1 CD \$2.00)", r"B (1 CD \$2.00)", "C (no CD)"]
    assert [float(line.get_ydata()[-1]) for line in streaming] == [5.0, 2.0, 1.0]
    # The CD lines step up on the day the CD is bought: A's on 2010-01-04 11:00, B's on the 25th.
    assert [float(line.get_ydata()[0]) for line in cds] == [0.0, 0.0, 0.0]
    assert [float(line.get_ydata()[-1]) for line in cds] == [2.0, 2.0, 0.0]
    steps = [pd.Timestamp(line.get_xdata()[1]) for line in cds[:2]]
    assert steps == [pd.Timestamp("2010-01-04 11:00"), pd.Timestamp("2010-01-25 12:00")]
    for solid, dashed in zip(streaming, cds, strict=True):
        assert solid.get_color() == dashed.get_color() and dashed.get_linestyle() == "--"
        assert dashed.get_drawstyle() == "steps-post" and solid.get_drawstyle() == "default"
    # A crosses at its 2nd paid play (2010-01-04 11:00), B at its 2nd (2010-01-25 12:00).
    when = [pd.Timestamp(line.get_xdata()[0]) for line in marks]
    assert when == [pd.Timestamp("2010-01-04 11:00"), pd.Timestamp("2010-01-25 12:00")]
    assert [float(line.get_ydata()[0]) for line in marks] == [2.0, 2.0]
    expected = result["crossover_date"].dropna().dt.tz_convert(None).tolist()
    assert when == expected
    dates = [t.get_text() for t in ax.texts if t.get_gid() == "crossover-label"]
    assert dates == ["2010-01-04", "2010-01-25"]


@pytest.mark.parametrize(
    "options",
    [
        {},
        {"service": "spotify", "deal": "indie", "side": "both"},
        {"service": "spotify", "deal": "major", "dollars": 2024, "currency": "NZD", "fx": 1.6},
        {"deal": "none", "model": "user-centric"},
    ],
    ids=["foundation", "indie both", "major NZD 2024", "user-centric"],
)
def test_cumulative_lines_end_on_the_tables_payouts(
    sample_plays: pd.DataFrame, options: dict[str, object]
) -> None:
    from royalty.pricing import make_scenario

    scenario = make_scenario(**options)  # type: ignore[arg-type]
    table = price(sample_plays, scenario).head(6)
    ax = plot_cumulative(sample_plays, scenario)
    streaming = [line for line in ax.get_lines() if line.get_gid() == "streaming"]
    cds = [line for line in ax.get_lines() if line.get_gid() == "cd"]
    ends = [float(line.get_ydata()[-1]) for line in streaming]
    assert ends == pytest.approx(table["streaming_payout"].tolist(), rel=1e-12)
    # The step before the end: the last CD bought, so the steps add up to cd_payout.
    assert [float(line.get_ydata()[-2]) for line in cds] == pytest.approx(
        table["cd_payout"].tolist(), rel=1e-12
    )
    steps = [len(line.get_ydata()) - 2 for line in cds]
    assert steps == table["albums"].tolist()
    for line in streaming:  # never down (but for the last bit of a float sum)
        assert (pd.Series(line.get_ydata()).diff().dropna() >= -1e-12).all()


def test_cumulative_chart_on_the_sample_marks_the_pricing_dates(
    sample_plays: pd.DataFrame,
) -> None:
    result = price(sample_plays)
    ax = plot_cumulative(sample_plays, who="the bundled sample")
    assert sum(line.get_gid() == "streaming" for line in ax.get_lines()) == 6
    marks = [line for line in ax.get_lines() if line.get_gid() == "crossover"]
    top = result.head(6)
    crossed = top[top["crossover_date"].notna()]
    assert len(marks) == len(crossed) >= 1
    got = sorted(pd.Timestamp(m.get_xdata()[0]) for m in marks)
    assert got == sorted(crossed["crossover_date"].dt.tz_convert(None))


def test_weekly_plays_by_hand() -> None:
    weeks = weekly_plays(TINY)
    # Mondays from 2010-01-04 to 2010-02-01: 2+1+1(+the short play) | 1 | 2+1 | 1 | 1.
    assert weeks["week"].dt.strftime("%Y-%m-%d").tolist() == [
        "2010-01-04", "2010-01-11", "2010-01-18", "2010-01-25", "2010-02-01",
    ]  # fmt: skip
    assert weeks["plays"].tolist() == [5, 0, 2, 1, 1]
    assert (weeks["week"].dt.day_of_week == 0).all()


def test_timeline_chart(tmp_path: Path) -> None:
    ax = plot_timeline(TINY, who="tiny", estimate=3)
    assert len(ax.containers[0]) == 5
    assert [p.get_height() for p in ax.containers[0]] == [5, 0, 2, 1, 1]
    gids = {line.get_gid(): line for line in ax.get_lines()}
    # 9 plays over the 28 days from the first to the last play: 9 / 4 weeks.
    average = float(gids["average"].get_ydata()[0])
    first, last = TINY["played_at"].min(), TINY["played_at"].max()
    assert average == pytest.approx(9 / ((last - first) / pd.Timedelta(weeks=1)))
    assert float(gids["estimate"].get_ydata()[0]) == 3.0
    assert list(gids["rolling"].get_ydata()) == pytest.approx([5, 2.5, 7 / 3, 2, 1])
    assert ax.get_ylabel() == "Plays per week" and "tiny" in ax.get_title(loc="left")
    # Five weeks from Monday 2010-01-04: weekly ticks to the Monday after the last week.
    labels = [t.get_text() for t in ax.get_xticklabels()]
    assert labels == ["4 Jan\n2010", "11 Jan", "18 Jan", "25 Jan", "1 Feb", "8 Feb"]
    ax.figure.savefig(tmp_path / "t.png")


def test_timeline_refuses_no_plays() -> None:
    with pytest.raises(UsageError, match="no plays"):
        plot_timeline(TINY.iloc[:0])


WORLD = [
    "Бумажный Кит",
    "夜の図書館",
    "Björk 🎸 Live",
    "A$AP Mob",
    "Pablo Whitcombe & the Backwards Submarines",
]


def world_plays() -> pd.DataFrame:
    rows = []
    for i, name in enumerate(WORLD):
        rows += [(f"2011-0{i + 1}-0{d} 12:00", name, "x", None) for d in range(1, 4 + i)]
    return make_plays(rows)


@pytest.mark.parametrize("suffix", ["png", "svg", "pdf"])
def test_non_latin_and_long_names_render_without_missing_glyphs(
    tmp_path: Path, suffix: str
) -> None:
    plays = world_plays()
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a missing glyph warns: fail on it
        for ax in (
            plot_compare(plays, PARAMS, who="Бумажный 夜"),
            plot_cumulative(plays, PARAMS, top=5),
        ):
            ax.figure.savefig(tmp_path / f"chart.{suffix}")
            assert (tmp_path / f"chart.{suffix}").stat().st_size > 1000
    labels = [t.get_text() for t in plot_compare(plays, PARAMS).get_yticklabels()]
    assert "Бумажный Кит" in labels  # DejaVu Sans has Cyrillic: nothing lost
    assert r"A\$AP Mob" in labels  # escaped, so not read as mathematics
    long = next(label for label in labels if label.startswith("Pablo"))
    assert long.endswith("…") and len(long) <= 30


def test_unfiltered_names_would_warn() -> None:
    """The glyph check above can fail: matplotlib does warn about a character no font has."""
    fig, ax = plt.subplots()
    ax.set_title("\U0001d11e\U000e0100")  # musical symbol + variation selector: no font
    with pytest.warns(UserWarning, match="missing from font"):
        fig.canvas.draw()


def test_sensitivity_chart_by_hand() -> None:
    from royalty.pricing import builtin_rates

    # C has no CD: left out. At 0.1 neither A nor B wins; at 0.5 A does (2.50 > 2.00);
    # at 1.0 B ties (2.00): still only A, with 5 of the 7 paid plays of A and B.
    services = builtin_rates()[:3]
    ax = plot_sensitivity(TINY, PARAMS, rates=[1.0, 0.1, 0.5], services=services, who="tiny")
    lines = {line.get_gid(): line for line in ax.get_lines()}
    assert list(lines["artists"].get_xdata()) == [0.1, 0.5, 1.0]
    assert list(lines["artists"].get_ydata()) == pytest.approx([0.0, 1 / 2, 1 / 2])
    assert list(lines["plays"].get_ydata()) == pytest.approx([0.0, 5 / 7, 5 / 7])
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert legend[:2] == ["Share of the 2 artists with a CD", "Share of their plays"]
    assert sum(line.get_gid() == "service" for line in ax.get_lines()) == 3
    assert ax.get_xscale() == "log" and "US dollars of 2010" in ax.get_xlabel()
    assert "tiny" in ax.get_title(loc="left")
    footer = footer_of(ax)
    assert "to rights holders" in footer
    assert "CD album, master side, to the artist, every year: the value you gave (2)" in footer
    assert "Only the 2 artists with a CD count" in footer


@pytest.fixture(scope="module")
def sample_plays() -> pd.DataFrame:
    from royalty import load_sample

    return load_sample()
