"""Property tests: the years and albums of a breakdown add up to compare's artists."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from royalty.pricing import Scenario, by_album, by_year, make_scenario, price

T0 = pd.Timestamp("2018-12-31T20:00:00Z")
ARTISTS = ("Alpha", "Beta", "Gamma")
ALBUMS = (None, "x", "y")
TRACKS = (None, "s", "t")
DURATIONS = (None, 1_000, 30_000, 200_000)

plays_lists = st.lists(
    st.tuples(
        # Hours after T0, up to three years: most histories cross a New Year or two.
        st.integers(0, 3 * 366 * 24),
        st.sampled_from(ARTISTS),
        st.sampled_from(ALBUMS),
        st.sampled_from(TRACKS),
        st.sampled_from(DURATIONS),
    ),
    max_size=40,
)


@st.composite
def scenarios(draw: st.DrawFn) -> Scenario:
    downloads = draw(st.booleans())
    return make_scenario(
        deal=draw(st.sampled_from(["major", "none"])),
        min_album_plays=draw(st.integers(1, 4)),
        model=draw(st.sampled_from(["pro-rata", "user-centric"])),
        downloads=downloads,
        min_track_plays=draw(st.integers(1, 3)) if downloads else None,
    )


examples = settings(deadline=None, max_examples=40)

SUMMED = ("plays", "albums", "streaming_payout", "cd_payout", "difference")


def frame(plays: list[tuple[int, str, str | None, str | None, int | None]]) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "played_at": pd.Series(
                [T0 + pd.Timedelta(hours=h) for h, *_ in plays], dtype="datetime64[ms, UTC]"
            ),
            "artist": pd.Series([p[1] for p in plays], dtype=object).astype("category"),
            "album": pd.Series([p[2] for p in plays], dtype=object).astype("category"),
            "track": pd.Series([p[3] for p in plays], dtype=object),
            "duration_ms": pd.array([p[4] for p in plays], dtype="Int64"),
        }
    )


def money(scenario_columns: list[str]) -> list[str]:
    return [
        c
        for c in ("pro_rata_payout", "user_centric_payout", "download_payout")
        if c in scenario_columns
    ]


def check_sums(parts: pd.DataFrame, whole: pd.DataFrame) -> None:
    """``parts`` summed per artist equals ``whole`` (compare's rows) column by column."""
    columns = [*SUMMED, *money(list(whole.columns))]
    summed = parts.groupby("artist")[columns].sum().sort_index()
    expected = whole.set_index("artist")[columns].sort_index()
    assert list(summed.index) == list(expected.index)
    for column in columns:
        assert summed[column].to_numpy() == pytest.approx(expected[column].to_numpy(), abs=1e-9)


@examples
@given(plays_lists, scenarios())
def test_years_add_up_to_compare(plays: list, scenario: Scenario) -> None:  # type: ignore[type-arg]
    history = frame(plays)
    whole = price(history, scenario)
    years = by_year(history, scenario)
    check_sums(years, whole)
    # The running totals end at the artist's whole figure.
    last = years.groupby("artist").tail(1).set_index("artist")
    for name in ("streaming_payout", "cd_payout", "difference"):
        expected = whole.set_index("artist")[name].reindex(last.index).to_numpy()
        assert last[f"cumulative_{name}"].to_numpy() == pytest.approx(expected, abs=1e-9)
    # The years in total are the artists' years added up.
    total = by_year(history, scenario, total=True)
    per_year = years.groupby("year")[list(SUMMED)].sum()
    assert list(total["year"]) == list(per_year.index)
    for name in SUMMED:
        assert total[name].to_numpy() == pytest.approx(per_year[name].to_numpy(), abs=1e-9)
    assert np.all(np.diff(total["year"].to_numpy()) > 0)


@examples
@given(plays_lists, scenarios())
def test_albums_add_up_to_compare(plays: list, scenario: Scenario) -> None:  # type: ignore[type-arg]
    history = frame(plays)
    whole = price(history, scenario)
    albums = by_album(history, scenario)
    check_sums(albums.assign(albums=albums["bought"].astype(int)), whole)
    assert list(albums["bought"]) == list(albums["plays"] >= scenario.params.min_album_plays)
    assert list(albums["bought_on"].notna()) == list(albums["bought"])
    # One row per (artist, album) with qualifying plays, no album being one album.
    assert not albums.duplicated(["artist", "album"]).any()


@examples
@given(plays_lists, scenarios())
def test_running_totals_are_compare_of_the_history_up_to_that_year(
    plays: list,  # type: ignore[type-arg]
    scenario: Scenario,
) -> None:
    history = frame(plays)
    years = by_year(history, scenario)
    for year in sorted(set(years["year"])):
        # A CD falls in the year its album reached the plays needed, and a month
        # never straddles two years: so up to the end of a year, the running totals
        # are what compare says of the plays up to then.
        upto = history[history["played_at"] < pd.Timestamp(f"{year + 1}-01-01T00:00:00Z")]
        whole = price(upto, scenario).set_index("artist")
        mine = years[years["year"] <= year].groupby("artist")
        assert sorted(mine.groups) == sorted(whole.index)
        running = years[years["year"] <= year].groupby("artist").tail(1).set_index("artist")
        for name in ("streaming_payout", "cd_payout", "difference"):
            expected = whole[name].reindex(running.index).to_numpy()
            assert running[f"cumulative_{name}"].to_numpy() == pytest.approx(expected, abs=1e-9)
        albums = mine["albums"].sum().reindex(whole.index).to_numpy()
        assert list(albums) == list(whole["albums"])
