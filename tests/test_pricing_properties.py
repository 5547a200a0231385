"""Property tests (hypothesis) for the pricing core's invariants."""

from __future__ import annotations

import dataclasses
import math
from collections import Counter

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from royalty.pricing import CompareParams, compare, totals

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


@examples
@given(plays_lists, params_values, st.integers(0, 5))
def test_totals_equal_the_sum_of_the_rows(
    plays: list[Play], params: CompareParams, top: int
) -> None:
    result = compare(frame(plays), params)
    for rows in (result, result.head(top)):
        t = totals(rows, params)
        assert t.artists == len(rows)
        assert t.plays == sum(rows["plays"].tolist())
        assert t.albums == sum(rows["albums"].tolist())
        assert t.streaming_payout == pytest.approx(math.fsum(rows["streaming_payout"]))
        assert t.cd_payout == pytest.approx(math.fsum(rows["cd_payout"]))
        assert t.difference == pytest.approx(math.fsum(rows["difference"]))
        wins = [
            s > c and not math.isclose(s, c, rel_tol=1e-9)
            for s, c in zip(rows["streaming_payout"], rows["cd_payout"], strict=True)
        ]
        assert t.streaming_wins == sum(wins)
        target = t.cd_payout * (1 - 1e-9)
        assert t.breakeven_plays * params.rate >= target
        assert t.breakeven_plays == 0 or (t.breakeven_plays - 1) * params.rate < target


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
        per_album = Counter(p[2] for p in counted if p[1] == artist)
        albums = sum(n >= params.min_album_plays for n in per_album.values())
        cd = albums * params.cd_margin
        assert got["plays"] == len(mine)
        assert got["albums"] == albums
        assert got["albums"] <= len(per_album)
        assert got["streaming_payout"] == len(mine) * params.rate
        assert got["cd_payout"] == cd
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
