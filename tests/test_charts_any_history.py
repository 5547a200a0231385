"""Every chart kind on histories of a day to twenty years, and of 1 to 40 artists.

Each chart is drawn and checked on the figure itself (see chart_checks): tick
labels present and distinct, no text over another or off the figure, no two
legend entries alike. The population charts get populations of 1, 12 and 40
artists.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
from matplotlib.axes import Axes
from matplotlib.colors import to_hex

import royalty
from chart_checks import check_chart, overlapping_texts, tick_labels
from population_helpers import dataset, random_plays
from royalty import schema
from royalty.charts._dates import date_ticks
from royalty.pricing import Scenario, builtin_rates


@pytest.fixture(autouse=True)
def _close_figures() -> Iterator[None]:
    yield
    plt.close("all")


SPANS = {"1 day": pd.Timedelta(hours=11), "1 month": pd.Timedelta(days=30),
         "1 year": pd.Timedelta(days=365), "20 years": pd.Timedelta(days=365 * 20)}  # fmt: skip
START = pd.Timestamp("2020-03-04 08:00", tz="UTC")


def history(span: str, artists: int, seed: int = 1) -> pd.DataFrame:
    """Plays of ``artists`` artists spread over ``span``: most buy a CD, some the same one.

    Artist i plays 12 + 9 × (i mod 4) tracks of one album, so the CD levels
    repeat (a CD from 10 plays) and artists i ≡ 0 mod 4 (12 plays) stay
    near their CD while others pass it; every fifth artist's album is
    split in two, so some have no CD at all.
    """
    rng = np.random.default_rng(seed)
    rows = []
    for i in range(artists):
        n = 12 + 9 * (i % 4)
        albums = [f"album {i}", f"album {i} b"] if i % 5 == 4 else [f"album {i}"]
        offsets = np.sort(rng.random(n)) * SPANS[span]
        rows += [(START + o, f"Artist number {i:02d}", albums[k % len(albums)])
                 for k, o in enumerate(offsets)]  # fmt: skip
    return schema.normalize(
        pd.DataFrame(
            {
                "played_at": pd.to_datetime([r[0] for r in rows], utc=True),
                "artist": [r[1] for r in rows],
                "track": "t",
                "album": [r[2] for r in rows],
                "duration_ms": pd.array([None] * len(rows), dtype="Int64"),
            }
        ),
        source="test",
    )


PARAMS = Scenario(rate=0.1, cd_margin=1.5, min_album_plays=10)
USER_CENTRIC = royalty.make_scenario(service="spotify", model="user-centric")
# Yearly figures with ranges, both sides, another currency: the longest footers.
FULL = royalty.make_scenario(
    service="spotify", deal="indie", side="both", currency="NZD", fx=1.6, dollars=2004
)


def draw(kind: str, plays: pd.DataFrame, top: int, scenario: Scenario = PARAMS) -> Axes:
    if kind == "compare":
        return royalty.plot_compare(plays, scenario, top=top)
    if kind == "cumulative":
        return royalty.plot_cumulative(plays, scenario, top=top)
    if kind == "timeline":
        return royalty.plot_timeline(plays, estimate=30)
    if kind == "sensitivity":
        return royalty.plot_sensitivity(plays, scenario, services=builtin_rates())
    return royalty.plot_user_centric(plays, USER_CENTRIC if scenario is PARAMS else scenario,
                                     top=top)  # fmt: skip


KINDS = ["compare", "cumulative", "timeline", "sensitivity", "user-centric"]
# Every span and every number of artists at least once, the extremes together.
SHAPES = [("1 day", 40), ("1 month", 1), ("1 year", 12), ("20 years", 40), ("20 years", 1)]


@pytest.mark.parametrize(("span", "artists"), SHAPES)
@pytest.mark.parametrize("kind", KINDS)
def test_every_chart_holds_on_any_history(kind: str, span: str, artists: int) -> None:
    ax = draw(kind, history(span, artists), top=artists)
    bars = kind in ("compare", "user-centric")
    check_chart(ax, min_y_ticks=min(artists, 2) if bars else 2)


@pytest.mark.parametrize(("span", "artists"), [("1 month", 3), ("20 years", 12)])
@pytest.mark.parametrize("kind", ["compare", "cumulative", "sensitivity", "user-centric"])
def test_every_money_chart_holds_with_yearly_figures(kind: str, span: str, artists: int) -> None:
    ax = draw(kind, history(span, artists), top=artists, scenario=FULL)
    check_chart(ax)
    footer = next(t for t in ax.texts if t.get_gid() == "footer").get_text()
    assert "Amounts in NZD at 1.6 per US dollar of 2004 (by CPI-U)" in footer
    assert "recording and publishing sides (both)" in footer
    assert "Borrowed: " in footer  # 2020 on: the latest cited figures, carried by CPI-U


@pytest.mark.parametrize("span", list(SPANS))
@pytest.mark.parametrize("kind", ["cumulative", "timeline"])
def test_date_ticks_span_the_plays(kind: str, span: str) -> None:
    plays = history(span, 3)
    ax = draw(kind, plays, top=3)
    labels = tick_labels(ax, "x")
    low, high = (matplotlib.dates.num2date(x).replace(tzinfo=None) for x in ax.get_xlim())
    first, last = (plays["played_at"].agg(f).tz_convert(None) for f in ("min", "max"))
    assert low <= first and last <= high  # every play inside the labelled ticks
    assert 2 <= len(labels) <= 12 and len(set(labels)) == len(labels)
    if span == "1 month":  # weeks, labelled by day: never a bare "2020"
        assert all(" " in label and not label.isdigit() for label in labels)


def hours(*hs: int) -> list[str]:
    return [f"{h:02d}:00" for h in hs]


TICKS_BY_HAND = [
    # Within a day: hours; the first tick names its day, midnight the next.
    ("2020-03-04 09:00", "2020-03-04 17:00", ["09:00\n4 Mar 2020", *hours(*range(10, 19))]),
    ("2020-03-04 18:10", "2020-03-05 14:00",
     ["18:00\n4 Mar 2020", "20:00", "22:00", "5 Mar", *hours(2, 4, 6, 8, 10, 12, 14, 16)]),
    ("2020-03-04 00:00", "2020-03-04 23:59",
     ["4 Mar\n2020", *hours(3, 6, 9, 12, 15, 18, 21), "5 Mar"]),
    # A full day from 18:00: hours would repeat "18:00", so days.
    ("2020-03-04 18:10", "2020-03-05 17:00", ["4 Mar\n2020", "5 Mar", "6 Mar"]),
    ("2019-12-30", "2020-01-02", ["30 Dec\n2019", "31 Dec", "1 Jan\n2020", "2 Jan", "3 Jan"]),
    ("2020-02-20", "2020-04-01",
     ["17 Feb\n2020", "24 Feb", "2 Mar", "9 Mar", "16 Mar", "23 Mar", "30 Mar", "6 Apr"]),
    ("2020-02-20", "2020-08-26", [f"{m} 2020" for m in ("Feb", "Mar", "Apr", "May", "Jun",
                                                        "Jul", "Aug", "Sep")]),
    ("2006-05-01", "2013-04-30", [str(y) for y in range(2006, 2015)]),
    ("2006-05-01", "2026-04-30", [str(y) for y in range(2006, 2029, 2)]),
]  # fmt: skip


@pytest.mark.parametrize(("first", "last", "expected"), TICKS_BY_HAND)
def test_date_ticks_by_span_by_hand(first: str, last: str, expected: list[str]) -> None:
    ticks, labels = date_ticks(pd.Timestamp(first).to_pydatetime(), pd.Timestamp(last))
    assert labels == expected
    assert ticks[0] <= pd.Timestamp(first) and pd.Timestamp(last) < ticks[-1]


def test_cumulative_colours_are_unique_past_ten_artists() -> None:
    ax = draw("cumulative", history("1 year", 40), top=40)
    streaming = [
        to_hex(line.get_color()) for line in ax.get_lines() if line.get_gid() == "streaming"
    ]
    assert len(streaming) == 40 and len(set(streaming)) == 40


def test_cumulative_artists_with_the_same_cd_income_take_turns_along_one_line() -> None:
    # Artists 0-2 play their album on the same 12 days: one CD each, bought the same day.
    days = pd.date_range("2020-01-01 12:00", periods=12, freq="D", tz="UTC")
    rows = [(d + pd.Timedelta(minutes=i), f"Artist {i}", f"album {i}") for i in range(3)
            for d in days]  # fmt: skip
    rows += [(days[0] + pd.Timedelta(hours=1), "Artist 3", "album 3")] * 9  # no CD: alone
    plays = schema.normalize(
        pd.DataFrame(
            {
                "played_at": pd.to_datetime([r[0] for r in rows], utc=True),
                "artist": [r[1] for r in rows],
                "track": "t",
                "album": [r[2] for r in rows],
            }
        ),
        source="test",
    )
    ax = royalty.plot_cumulative(plays, PARAMS, top=4)
    cds = [line for line in ax.get_lines() if line.get_gid() == "cd"]
    tails = [line for line in ax.get_lines() if line.get_gid() == "cd-shared"]
    assert len(tails) == 3 and all(list(t.get_ydata()) == [1.5, 1.5] for t in tails)
    shared, alone = cds[:3], cds[3]
    day = [pd.Timestamp(line.get_xdata()[1]).date() for line in shared]
    assert day == [days[9].date()] * 3 and list(alone.get_ydata()) == [0.0, 0.0]
    # No public getter for a dash offset: read the pattern matplotlib draws with.
    offsets = {line._unscaled_dash_pattern[0] for line in tails}
    assert len(offsets) == 3  # each its own offset: every colour shows
    assert len({to_hex(line.get_color()) for line in tails}) == 3
    assert alone.get_linestyle() == "--" and all(line.get_linestyle() == "--" for line in shared)
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert all(r"(1 CD \$1.50)" in text for text in legend[:3]) and "(no CD)" in legend[3]


def test_cumulative_date_labels_have_no_box() -> None:
    ax = draw("cumulative", history("1 year", 12), top=12)
    labels = [t for t in ax.texts if t.get_gid() == "crossover-label"]
    assert labels and all(t.get_bbox_patch() is None for t in labels)


def test_compare_and_user_centric_grow_with_the_number_of_artists() -> None:
    plays = history("1 year", 40)
    for kind in ("compare", "user-centric"):
        few, many = draw(kind, plays, top=5), draw(kind, plays, top=40)
        few_height = few.get_figure(root=True).get_size_inches()[1]
        many_height = many.get_figure(root=True).get_size_inches()[1]
        assert few_height >= 6.75 and many_height > 2 * few_height
        assert not overlapping_texts(many)


def test_sensitivity_names_every_service_clear_of_lines_and_names(sample: pd.DataFrame) -> None:
    ax = royalty.plot_sensitivity(sample, services=royalty.rates_table())
    names = [t for t in ax.texts if t.get_gid() == "service-label"]
    assert len(names) == len(royalty.rates_table()) and all(t.get_visible() for t in names)
    renderer = ax.get_figure(root=True).canvas.get_renderer()
    for name in names:
        box = name.get_window_extent(renderer)
        for line in ax.get_lines():
            path = line.get_transform().transform_path(line.get_path())
            assert not path.intersects_bbox(box, filled=False), (name.get_text(), line.get_gid())
    assert not overlapping_texts(ax)


@pytest.fixture(scope="module")
def sample() -> pd.DataFrame:
    return royalty.load_sample()


@pytest.fixture(scope="module", params=[1, 12, 40], ids=lambda n: f"{n} artists")
def population(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Any:
    path = tmp_path_factory.mktemp("pop") / "pop"
    plays = random_plays(listeners=60, plays=1500, artists=request.param, seed=3)
    dataset(plays, path, buckets=2)
    return royalty.compare_population(
        path, params=royalty.PopulationParams(scale=50), scheduler="in-process"
    )


PLOTS: dict[str, Callable[[Any], Axes]] = {
    "population-bands": lambda result: royalty.plot_population_bands(result),
    "population-lorenz": lambda result: royalty.plot_population_lorenz(result),
}


@pytest.mark.parametrize("kind", list(PLOTS))
def test_population_charts_hold_on_any_population(population: Any, kind: str) -> None:
    ax = PLOTS[kind](population)
    one_band = len(royalty.population_bands(population)) == 1
    check_chart(ax, min_x_ticks=1 if kind == "population-bands" and one_band else 2)


def test_checks_catch_what_they_look_for() -> None:
    """The checks can fail: overlapping texts, repeated tick labels and twin legend colours."""
    _fig, ax = plt.subplots()
    ax.plot([0, 1], [0, 1], color="red", label="a")
    ax.plot([0, 1], [1, 0], color="red", label="b")
    ax.legend()
    ax.text(0.5, 0.5, "one")
    ax.text(0.5, 0.5, "two")
    ax.set_xticks([0, 1], labels=["2020", "2020"])
    with pytest.raises(AssertionError):
        check_chart(ax)
    assert ("one", "two") in overlapping_texts(ax)
    assert tick_labels(ax, "x") == ["2020", "2020"]


LONG_WHO = "spotify_streaminghistory0_katarzynajanicka_and_a_much_longer_name_still.json"


@pytest.mark.parametrize("kind", KINDS)
def test_a_long_history_name_wraps_the_title_inside_the_figure(kind: str) -> None:
    plays = history("1 month", 3)
    if kind == "timeline":
        ax = royalty.plot_timeline(plays, who=LONG_WHO)
    elif kind == "cumulative":
        ax = royalty.plot_cumulative(plays, PARAMS, top=3, who=LONG_WHO)
    elif kind == "sensitivity":
        ax = royalty.plot_sensitivity(plays, PARAMS, services=builtin_rates(), who=LONG_WHO)
    elif kind == "user-centric":
        ax = royalty.plot_user_centric(plays, USER_CENTRIC, who=LONG_WHO)
    else:
        ax = royalty.plot_compare(plays, PARAMS, top=3, who=LONG_WHO)
    assert "\n" in ax.get_title(loc="left")
    check_chart(ax)


def test_legends_have_no_entry_for_what_the_chart_does_not_draw() -> None:
    plays = history("1 month", 1)  # one artist, 12 plays of one album: never passes the CD
    ax = royalty.plot_cumulative(plays, PARAMS, top=1)
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert not any("reach" in text for text in legend) and not ax.texts[:-1]
    compare = royalty.plot_compare(plays, PARAMS)
    legend = [t.get_text() for t in compare.get_legend().get_texts()]
    assert legend == [
        "CDs ahead at every figure (1 of 1)",
        "CD income",
        "Low to high (cited ranges)",
    ]


def test_sensitivity_with_no_cd_says_why_its_lines_stay_at_zero() -> None:
    plays = history("1 month", 1).head(9)  # 9 plays of one album: short of the 10 for a CD
    ax = royalty.plot_sensitivity(plays, PARAMS, rates=royalty.charts.sensitivity_rates(5))
    footer = next(t for t in ax.texts if t.get_gid() == "footer").get_text()
    assert "\nNo artist has a CD bought" in footer
    assert ax.get_legend().get_texts()[0].get_text() == "Share of the 0 artists with a CD"
    check_chart(ax)


def test_timeline_of_one_week_has_no_rolling_mean_to_show() -> None:
    ax = royalty.plot_timeline(history("1 day", 3))
    assert len(ax.containers[0]) == 1
    assert "rolling" not in {line.get_gid() for line in ax.get_lines()}
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert not any("rolling" in text for text in legend)
    # The one bar spans its week, Monday 2 March to Sunday: ticked by the day.
    assert tick_labels(ax, "x") == ["2 Mar\n2020", "3 Mar", "4 Mar", "5 Mar", "6 Mar", "7 Mar",
                                    "8 Mar", "9 Mar"]  # fmt: skip


def test_cumulative_dates_on_the_sample_touch_no_line(sample: pd.DataFrame) -> None:
    ax = royalty.plot_cumulative(sample, top=6)
    dates = [t for t in ax.texts if t.get_gid() == "crossover-label"]
    assert len(dates) == 2 and all(t.get_visible() for t in dates)
    renderer = ax.get_figure(root=True).canvas.get_renderer()
    for date in dates:
        box = date.get_window_extent(renderer)
        for line in ax.get_lines():
            path = line.get_transform().transform_path(line.get_path())
            assert not path.intersects_bbox(box, filled=False), (date.get_text(), line.get_gid())
