"""Property tests: the years and albums of a breakdown add up to price's artists."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from royalty.pricing import Scenario, by_album, by_year, make_scenario, price

T0 = pd.Timestamp("2012-12-31T20:00:00Z")
ARTISTS = ("Alpha", "Beta", "Gamma")
ALBUMS = (None, "x", "y")
TRACKS = (None, "s", "t", "u")
DURATIONS = (None, 1_000, 30_000, 200_000)
SPAN = ("streaming_payout", "cd_payout")
MONEY = (
    *(f"{c}{s}" for c in SPAN for s in ("", "_low", "_high")),
    "difference",
)
EXTRA = ("pro_rata_payout", "user_centric_payout", "download_payout")

plays_lists = st.lists(
    st.tuples(
        # Hours after T0, up to six years: across several years and their figures.
        st.integers(0, 6 * 366 * 24),
        st.sampled_from(ARTISTS),
        st.sampled_from(ALBUMS),
        st.sampled_from(TRACKS),
        st.sampled_from(DURATIONS),
    ),
    max_size=40,
)

KINDS = {
    "foundation": {},
    "service and deal": {"service": "spotify", "deal": "indie"},
    "both sides": {"service": "spotify", "deal": "major", "side": "both"},
    "publishing": {"deal": "none", "side": "publishing"},
    "user-centric": {"deal": "diy", "model": "user-centric"},
    "user-centric, both": {"deal": "none", "model": "user-centric", "side": "both"},
    "downloads": {"deal": "indie", "downloads": True},
}


@st.composite
def scenarios(draw: st.DrawFn) -> Scenario:
    kind = dict(KINDS[draw(st.sampled_from(sorted(KINDS)))])
    if kind.get("downloads"):
        kind["min_track_plays"] = draw(st.integers(1, 3))
    return make_scenario(
        min_album_plays=draw(st.integers(1, 4)),
        dollars=draw(st.sampled_from([None, 2004, 2024])),
        **kind,  # type: ignore[arg-type]
    )


examples = settings(deadline=None, max_examples=60)


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


def close(found: np.ndarray, expected: np.ndarray) -> bool:
    """Equal to 1e-9 of the amount (exactly, where the amount is 0)."""
    return bool(np.all(np.abs(found - expected) <= 1e-9 * np.abs(expected) + 1e-300))


def check_sums(parts: pd.DataFrame, whole: pd.DataFrame, counts: tuple[str, ...]) -> None:
    """``parts`` summed per artist equals ``whole`` (price's rows), column by column."""
    money = [*MONEY, *(c for c in EXTRA if c in whole.columns)]
    summed = parts.groupby("artist")[[*counts, *money]].sum().sort_index()
    expected = whole.set_index("artist").sort_index()
    assert list(summed.index) == list(expected.index)
    for column in counts:
        assert list(summed[column]) == list(expected[column]), column
    for column in money:
        found, wanted = summed[column].to_numpy(), expected[column].to_numpy(dtype=float)
        assert close(found, wanted), (column, found, wanted)


@examples
@given(plays_lists, scenarios())
def test_years_add_up_to_price(plays: list, scenario: Scenario) -> None:  # type: ignore[type-arg]
    history = frame(plays)
    whole = price(history, scenario)
    years = by_year(history, scenario)
    check_sums(years, whole, ("plays", "streams", "albums"))
    # The running totals end at the artist's whole figure.
    last = years.groupby("artist").tail(1).set_index("artist")
    indexed = whole.set_index("artist")
    for name in ("streaming_payout", "cd_payout", "difference"):
        expected = indexed[name].reindex(last.index).to_numpy(dtype=float)
        assert close(last[f"cumulative_{name}"].to_numpy(), expected)
    # The years in total are the artists' years added up.
    total = by_year(history, scenario, total=True)
    per_year = years.groupby("year")[list(MONEY)].sum()
    assert list(total["year"]) == list(per_year.index)
    for name in MONEY:
        assert close(total[name].to_numpy(), per_year[name].to_numpy())
    assert np.all(np.diff(total["year"].to_numpy()) > 0)


@examples
@given(plays_lists, scenarios())
def test_albums_add_up_to_price(plays: list, scenario: Scenario) -> None:  # type: ignore[type-arg]
    history = frame(plays)
    whole = price(history, scenario)
    albums = by_album(history, scenario)
    check_sums(albums.assign(albums=albums["bought"].astype(int)), whole, ("plays", "streams"))
    named = albums["album"].notna()
    reached = albums["streams"] >= scenario.min_album_plays
    assert list(albums["bought"]) == list(named & reached)  # no album name, no CD
    assert list(albums["bought_on"].notna()) == list(albums["bought"])
    assert list(albums["cd_year"].notna()) == list(albums["bought"])
    bought = albums[albums["bought"]]
    assert list(bought["cd_year"]) == [t.year for t in bought["bought_on"]]
    assert not albums.duplicated(["artist", "album"]).any()


@examples
@given(plays_lists, scenarios())
def test_running_totals_are_price_of_the_history_up_to_that_year(
    plays: list,  # type: ignore[type-arg]
    scenario: Scenario,
) -> None:
    # The same dollars for every cut (by default they follow the last play); the
    # master side, as a CD's publishing money counts the tracks of the whole history.
    scenario = replace(scenario, dollars=scenario.dollars or 2018, side="master")
    history = frame(plays)
    years = by_year(history, scenario)
    for year in sorted(set(years["year"])):
        # A CD falls in the year its album reached the streams needed, and a month
        # never straddles two years: so up to the end of a year, the running totals
        # are what price says of the plays up to then.
        upto = history[history["played_at"] < pd.Timestamp(f"{year + 1}-01-01T00:00:00Z")]
        whole = price(upto, scenario).set_index("artist")
        mine = years[years["year"] <= year]
        running = mine.groupby("artist").tail(1).set_index("artist")
        running = running.reindex(whole.index)
        for name in ("streaming_payout", "cd_payout", "difference"):
            expected = whole[name].to_numpy(dtype=float)
            assert close(running[f"cumulative_{name}"].to_numpy(), expected)
        albums = mine.groupby("artist")["albums"].sum().reindex(whole.index)
        assert list(albums) == list(whole["albums"])
