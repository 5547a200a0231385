"""Property tests (hypothesis) for the pricing core's invariants: the counting
rules at flat figures (``compare``), and for year-aware scenarios the ranges
(low <= value <= high), break-even against running income and totals."""

from __future__ import annotations

import dataclasses
import math
from collections import Counter

import pandas as pd
import pytest
from hypothesis import event, given, settings
from hypothesis import strategies as st

from royalty.pricing import (
    MONEY_COLUMNS,
    CompareParams,
    compare,
    make_scenario,
    price,
    price_details,
    totals,
)
from royalty.pricing.compare import foundation

T0 = pd.Timestamp("2010-01-01T00:00:00Z")
ARTISTS = ("Alpha", "Beta", "Gamma", "Delta")
ALBUMS = (None, "x", "y", "z")
DURATIONS = (None, 0, 29_999, 30_000, 200_000)

Play = tuple[int, str, str | None, int | None]
"""(minutes after T0, artist, album, duration_ms)."""

plays_lists = st.lists(
    st.tuples(
        st.integers(0, 500),
        st.sampled_from(ARTISTS),
        st.sampled_from(ALBUMS),
        st.sampled_from(DURATIONS),
    ),
    max_size=40,
)
params_values = st.builds(
    CompareParams,
    rate=st.floats(1e-4, 2.0),
    cd_margin=st.one_of(st.just(0.0), st.floats(0.01, 20.0)),
    min_album_plays=st.integers(1, 4),
    min_seconds=st.sampled_from([0.0, 29.999, 30.0]),
)
examples = settings(deadline=None, max_examples=40)


def frame(plays: list[Play]) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "played_at": pd.Series(
                [T0 + pd.Timedelta(minutes=m) for m, _, _, _ in plays],
                dtype="datetime64[ms, UTC]",
            ),
            "artist": pd.Series([a for _, a, _, _ in plays], dtype=object).astype("category"),
            "album": pd.Series([b for _, _, b, _ in plays], dtype=object).astype("category"),
            "duration_ms": pd.array([d for _, _, _, d in plays], dtype="Int64"),
        }
    )


def qualifies(play: Play, params: CompareParams) -> bool:
    duration = play[3]
    return duration is None or duration >= params.min_seconds * 1000


def by_artist(result: pd.DataFrame) -> dict[str, dict[str, object]]:
    return {r["artist"]: r for r in result.to_dict("records")}


@examples
@given(plays_lists, params_values, st.floats(0.01, 100.0))
def test_streaming_payout_is_linear_in_the_rate(
    plays: list[Play], params: CompareParams, k: float
) -> None:
    scaled = dataclasses.replace(params, rate=params.rate * k)
    base = compare(frame(plays), params)
    more = compare(frame(plays), scaled)
    assert base["artist"].tolist() == more["artist"].tolist()
    assert base["plays"].tolist() == more["plays"].tolist()
    assert base["cd_payout"].tolist() == more["cd_payout"].tolist()
    for a, b in zip(base["streaming_payout"], more["streaming_payout"], strict=True):
        assert b == pytest.approx(a * k, rel=1e-12)


@examples
@given(plays_lists, params_values, st.data())
def test_cd_payout_ignores_repeat_plays_beyond_k(
    plays: list[Play], params: CompareParams, data: st.DataObject
) -> None:
    counts = Counter((p[1], p[2]) for p in plays if qualifies(p, params))
    full = [
        p for p in plays if qualifies(p, params) and counts[(p[1], p[2])] >= params.min_album_plays
    ]
    extra = data.draw(st.lists(st.sampled_from(full), max_size=10)) if full else []
    base = by_artist(compare(frame(plays), params))
    more = by_artist(compare(frame(plays + extra), params))
    assert base.keys() == more.keys()
    added = Counter(p[1] for p in extra)
    for artist, before in base.items():
        after = more[artist]
        assert after["albums"] == before["albums"]
        assert after["cd_payout"] == before["cd_payout"]
        assert after["plays"] == before["plays"] + added[artist]


def verdict(streams: float, cd: float, albums: int) -> str:
    """The verdict at flat figures (no range): ahead beyond 1e-9 relative, else a tie."""
    if albums == 0:
        return "no-cd"
    if math.isclose(streams, cd, rel_tol=1e-9):
        return "depends"
    return "streams" if streams > cd else "cds"


@examples
@given(plays_lists, params_values, st.integers(0, 5))
def test_totals_equal_the_sum_of_the_rows(
    plays: list[Play], params: CompareParams, top: int
) -> None:
    result = compare(frame(plays), params)
    for rows in (result, result.head(top)):
        t = totals(rows)
        assert t.artists == len(rows)
        assert t.plays == sum(rows["plays"].tolist())
        assert t.streams == sum(rows["streams"].tolist())
        assert t.albums == sum(rows["albums"].tolist())
        for column in ("streaming_payout", "cd_payout", "difference"):
            assert getattr(t, column) == pytest.approx(math.fsum(rows[column]))
        for column in ("streaming_payout", "cd_payout"):
            for end in ("_low", "_high"):
                assert getattr(t, column + end) == pytest.approx(math.fsum(rows[column + end]))
        mine = Counter(
            verdict(s, c, a)
            for s, c, a in zip(
                rows["streaming_payout"], rows["cd_payout"], rows["albums"], strict=True
            )
        )
        assert t.verdicts == {v: mine[v] for v in ("streams", "cds", "depends", "no-cd")}
        assert sum(t.verdicts.values()) == t.artists


@examples
@given(plays_lists, params_values)
def test_every_column_matches_a_play_by_play_count(
    plays: list[Play], params: CompareParams
) -> None:
    result = by_artist(compare(frame(plays), params))
    counted = [p for p in plays if qualifies(p, params)]
    assert result.keys() == {p[1] for p in counted}
    for artist, got in result.items():
        mine = sorted(p[0] for p in counted if p[1] == artist)
        per_album = Counter(p[2] for p in counted if p[1] == artist and p[2] is not None)
        albums = sum(n >= params.min_album_plays for n in per_album.values())
        cd = albums * params.cd_margin
        assert got["plays"] == sum(p[1] == artist for p in plays)
        assert got["streams"] == len(mine)
        assert got["streams_without_album"] == sum(p[1] == artist and p[2] is None for p in counted)
        assert got["albums"] == albums
        assert got["streaming_payout"] == len(mine) * params.rate
        assert got["cd_payout"] == cd
        assert got["verdict"] == verdict(len(mine) * params.rate, cd, albums)
        n = got["breakeven_plays"]
        assert isinstance(n, int)
        if cd == 0:
            assert n == 0
            assert pd.isna(got["crossover_date"])
            continue
        assert n * params.rate >= cd * (1 - 1e-9) > (n - 1) * params.rate
        if n > len(mine):
            assert pd.isna(got["crossover_date"])
        else:
            assert got["crossover_date"] == T0 + pd.Timedelta(minutes=mine[n - 1])


@examples
@given(plays_lists, params_values)
def test_compare_is_price_at_the_flat_figures(plays: list[Play], params: CompareParams) -> None:
    flat = make_scenario(
        rate=params.rate,
        cd_margin=params.cd_margin,
        min_album_plays=params.min_album_plays,
        min_seconds=params.min_seconds,
    )
    assert flat == foundation(params)
    pd.testing.assert_frame_equal(compare(frame(plays), params), price(frame(plays), flat))


# --- year-aware scenarios ----------------------------------------------------------

YearPlay = tuple[int, str, str | None, str]
"""(days after 2012-01-01, artist, album, track): plays over five years."""

year_plays = st.lists(
    st.tuples(
        st.integers(0, 5 * 365),
        st.sampled_from(ARTISTS[:2]),
        st.sampled_from(ALBUMS),
        st.sampled_from(("t1", "t2", "t3")),
    ),
    min_size=1,
    max_size=40,
)
scenarios = st.fixed_dictionaries(
    {
        "service": st.sampled_from(["spotify", "apple-music", "tidal"]),
        "deal": st.sampled_from(["major", "indie", "diy", "none"]),
        "side": st.sampled_from(["master", "publishing", "both"]),
        "model": st.sampled_from(["pro-rata", "user-centric"]),
        "min_album_plays": st.integers(1, 4),
        "dollars": st.one_of(st.none(), st.integers(2004, 2024)),
        # small CD figures too, so that streams reach them within the history
        "cd_margin": st.one_of(st.none(), st.floats(0.0005, 0.02)),
    }
)
# For break-even: more master-side cases with small CD figures, so that the
# running income often reaches the CDs within the history.
breakeven_scenarios = scenarios | st.fixed_dictionaries(
    {
        "service": st.sampled_from(["spotify", "apple-music", "tidal"]),
        "deal": st.sampled_from(["major", "indie", "diy", "none"]),
        "side": st.just("master"),
        "min_album_plays": st.integers(1, 4),
        "dollars": st.one_of(st.none(), st.integers(2004, 2024)),
        "cd_margin": st.floats(0.0005, 0.02),
    }
)
DAY0 = pd.Timestamp("2012-01-01T00:00:00Z")


def year_frame(plays: list[YearPlay]) -> pd.DataFrame:
    # The i-th play is i minutes into its day: distinct times, in list order within a day.
    return pd.DataFrame(
        {
            "played_at": pd.Series(
                [DAY0 + pd.Timedelta(days=d, minutes=i) for i, (d, *_) in enumerate(plays)],
                dtype="datetime64[ms, UTC]",
            ),
            "artist": pd.Categorical([p[1] for p in plays]),
            "album": pd.Categorical([p[2] for p in plays]),
            "track": pd.Categorical([p[3] for p in plays]),
            "duration_ms": pd.array([None] * len(plays), dtype="Int64"),
        }
    )


@examples
@given(year_plays, scenarios)
def test_low_le_value_le_high_for_every_money_column(
    plays: list[YearPlay], options: dict[str, object]
) -> None:
    table = price(year_frame(plays), make_scenario(**options))  # type: ignore[arg-type]
    for side in ("streaming_payout", "cd_payout"):
        low, value, high = (table[side + end].to_numpy() for end in ("_low", "", "_high"))
        assert (low <= value * (1 + 1e-12)).all() and (value <= high * (1 + 1e-12)).all()
        assert (low >= 0).all()
    money = [c for c in MONEY_COLUMNS if c in table.columns and c != "difference"]
    assert (table[money].to_numpy() >= 0).all()
    assert table["difference"].to_numpy() == pytest.approx(
        (table["streaming_payout"] - table["cd_payout"]).to_numpy()
    )
    # The verdict follows the ranges.
    for _, r in table.iterrows():
        if r["albums"] == 0:
            assert r["verdict"] == "no-cd"
        elif r["streaming_payout_low"] > r["cd_payout_high"] * (1 + 1e-9):
            assert r["verdict"] == "streams"
        elif r["cd_payout_low"] > r["streaming_payout_high"] * (1 + 1e-9):
            assert r["verdict"] == "cds"
        else:
            assert r["verdict"] == "depends"


@settings(deadline=None, max_examples=60)
@given(year_plays, breakeven_scenarios)
def test_breakeven_is_where_running_income_reaches_the_cds(
    plays: list[YearPlay], options: dict[str, object]
) -> None:
    # Pro-rata, a stream earns the figures of its year whatever else was played,
    # so the income of an artist's first n streams is the price of those alone.
    options = {**options, "model": "pro-rata"}
    plays = sorted(plays, key=lambda p: p[0])  # time order, so a prefix is the first streams
    pricing = price_details(year_frame(plays), make_scenario(**options))  # type: ignore[arg-type]
    dollars = pricing.book.dollars
    for _, got in pricing.table.iterrows():
        n, cd = int(got["breakeven_plays"]), float(got["cd_payout"])
        if cd == 0:
            assert n == 0 and pd.isna(got["crossover_date"])
            continue
        mine = [p for p in plays if p[1] == got["artist"]]

        def income(k: int, mine: list[YearPlay] = mine) -> float:
            if k == 0:
                return 0.0
            fixed = make_scenario(**{**options, "dollars": dollars})  # type: ignore[arg-type]
            return float(price(year_frame(mine[:k]), fixed)["streaming_payout"].iloc[0])

        target = cd * (1 - 1e-9)
        assert income(min(n, len(mine)) - 1) < target
        if n <= len(mine):
            assert income(n) >= target * (1 - 1e-12)
            stamp = year_frame(plays)["played_at"][[p[1] == got["artist"] for p in plays]]
            assert got["crossover_date"] == stamp.iloc[n - 1]
        else:
            # Beyond the history, at the value of a stream in the last month.
            assert pd.isna(got["crossover_date"])
            last = max(p[0] for p in plays)
            fixed = make_scenario(**{**options, "dollars": dollars})  # type: ignore[arg-type]
            one = price(year_frame([(last, "X", None, "t1")]), fixed)["streaming_payout"].iloc[0]
            so_far = income(len(mine))
            assert so_far + (n - len(mine)) * one >= target * (1 - 1e-12)
            assert so_far + (n - 1 - len(mine)) * one < target
        event("within the history" if n <= len(mine) else "beyond the history")


@examples
@given(plays_lists, params_values, st.randoms())
def test_row_order_does_not_matter(plays: list[Play], params: CompareParams, rnd: object) -> None:
    shuffled = list(plays)
    rnd.shuffle(shuffled)  # type: ignore[attr-defined]
    pd.testing.assert_frame_equal(compare(frame(shuffled), params), compare(frame(plays), params))


@examples
@given(plays_lists, params_values)
def test_time_resolution_does_not_matter(plays: list[Play], params: CompareParams) -> None:
    ms = compare(frame(plays), params)
    plays_ns = frame(plays)
    plays_ns["played_at"] = plays_ns["played_at"].astype("datetime64[ns, UTC]")
    ns = compare(plays_ns, params)
    assert ns["crossover_date"].dtype == "datetime64[ns, UTC]"
    ns["crossover_date"] = ns["crossover_date"].astype("datetime64[ms, UTC]")
    pd.testing.assert_frame_equal(ns, ms)


@examples
@given(year_plays, scenarios, st.randoms())
def test_row_order_and_time_unit_do_not_matter_in_any_scenario(
    plays: list[YearPlay], options: dict[str, object], rnd: object
) -> None:
    scenario = make_scenario(**options, downloads=True)  # type: ignore[arg-type]
    ordered = year_frame(plays)
    shuffled = ordered.sample(frac=1.0, random_state=rnd.randrange(2**32))  # type: ignore[attr-defined]
    pd.testing.assert_frame_equal(price(shuffled, scenario), price(ordered, scenario))
    in_ns = ordered.assign(played_at=ordered["played_at"].astype("datetime64[ns, UTC]"))
    ns = price(in_ns, scenario)
    ns["crossover_date"] = ns["crossover_date"].astype("datetime64[ms, UTC]")
    pd.testing.assert_frame_equal(ns, price(ordered, scenario))
