"""The population models on frames worked out by hand, without Dask.

The hand-computed population: listeners u0, u1, u2; artists A0..A3, each
with one track (t0..t3); January and February 2024. Every duration is
unknown except u2's January play, which lasted 10 s and is not a stream.

    January   u0: A0 A0 A0 A1       u1: A0 A2       u2: (A3, 10 s)
    February  u0: A0                u1: A1 A1 A3    u2: A2

One paying listener adds 12 USD to a month's pool (fee 12, ratio 1, no VAT).
January has two payers (u2's only play is too short): pool 24 USD; February
has three: 36 USD. Every model pays out 60 USD.

Pro-rata. January: 6 streams (A0 4, A1 1, A2 1), 4 USD each: A0 16, A1 4,
A2 4. February: 5 streams (1, 2, 1, 1), 7.20 USD each. Totals: A0 23.20,
A1 18.40, A2 11.20, A3 7.20.

User-centric. January: u0's 12 over 4 plays: A0 9, A1 3; u1's over 2: A0 6,
A2 6. February: u0: A0 12; u1's over 3: A1 8, A3 4; u2: A2 12. Totals: A0 27,
A1 11, A2 18, A3 4.

Artist-centric, at scale 500 (a professional artist has at least 1000/500 =
2 streams from 500/500 = 1 listener that month) with a cap of 2 streams per
listener a month. January: u0's 4 plays count 2/4 each (A0 1.5, A1 0.5),
u1's count 1 (A0 1, A2 1); A0 has 4 streams, so it is professional and
counts double: A0 5, A1 0.5, A2 1, of 6.5: A0 24×5/6.5, A1 24×0.5/6.5,
A2 24/6.5. February: u0 A0 1; u1's 3 plays count 2/3 (A1 4/3, A3 2/3);
u2 A2 1; A1 (2 streams) is professional: A1 8/3. Total 16/3, so 6.75 USD a
unit: A0 6.75, A1 18, A2 6.75, A3 4.50.

Threshold, at scale 500 (a track needs 1000/500 = 2 streams in the paid month
and the 11 before it). January: only t0 (4 streams) earns: A0 24. February:
t0 has 5, t1 3, t2 2, t3 1 over January and February: t0, t1, t2 earn on
their February streams (1, 2, 1), 9 USD each: A0 9, A1 18, A2 9. Totals:
A0 33, A1 18, A2 9, A3 0.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from royalty.errors import UsageError
from royalty.population.models import NO_DURATION, BucketColumns, Layout, bucket_partial
from royalty.population.params import MODELS, PopulationParams
from royalty.population.payouts import split

JAN = "2024-01-{:02d}T12:00"
FEB = "2024-02-{:02d}T12:00"
# (user, time, artist = track, duration_ms or None), sorted by user then time
ROWS = [
    (0, JAN.format(1), 0, None),
    (0, JAN.format(2), 0, None),
    (0, JAN.format(3), 0, None),
    (0, JAN.format(4), 1, None),
    (0, FEB.format(1), 0, None),
    (1, JAN.format(5), 0, None),
    (1, JAN.format(6), 2, None),
    (1, FEB.format(2), 1, None),
    (1, FEB.format(3), 1, None),
    (1, FEB.format(4), 3, None),
    (2, JAN.format(7), 3, 10_000),
    (2, FEB.format(5), 2, None),
]
STARTS = np.array(["2024-01", "2024-02"], dtype="datetime64[M]")
PARAMS = PopulationParams(fee=12.0, payout_ratio=1.0, vat=0.0, scale=500, listener_cap=2)
EXPECTED = {
    "pro-rata": [23.2, 18.4, 11.2, 7.2],
    "user-centric": [27.0, 11.0, 18.0, 4.0],
    "artist-centric": [24 * 5 / 6.5 + 6.75, 24 * 0.5 / 6.5 + 18, 24 / 6.5 + 6.75, 4.5],
    "threshold": [33.0, 18.0, 9.0, 0.0],
}


def columns(rows: list[tuple[int, str, int, int | None]]) -> BucketColumns:
    user, when, artist, duration = zip(*rows, strict=True)
    return BucketColumns(
        user_id=np.array(user, dtype=np.int32),
        played_ms=np.array(when, dtype="datetime64[ms]").view(np.int64),
        artist_id=np.array(artist, dtype=np.int32),
        track_id=np.array(artist, dtype=np.int32),
        duration_ms=np.array([NO_DURATION if d is None else d for d in duration], np.int64),
    )


def layout(**kw: object) -> Layout:
    return Layout(STARTS, artists=4, tracks=4, min_ms=30_000, models=MODELS, **kw)  # type: ignore[arg-type]


TRACK_ARTIST = np.arange(4, dtype=np.int64)


def test_hand_computed_population_every_model() -> None:
    partial = bucket_partial(columns(ROWS), layout(), PARAMS.listener_cap)
    result = split(partial, layout(), PARAMS, TRACK_ARTIST)
    for model, expected in EXPECTED.items():
        assert result.payout[model] == pytest.approx(expected, rel=1e-12), model
        assert result.payout[model].sum() == pytest.approx(60.0, rel=1e-12), model
    assert result.pools.tolist() == [24.0, 36.0]
    assert result.payers.tolist() == [2, 3]
    assert result.plays.tolist() == [5, 3, 2, 1]
    assert result.listeners.tolist() == [2, 2, 2, 1]
    assert result.professional == 2  # A0 in January, A1 in February
    assert result.fallback_months == dict.fromkeys(MODELS, 0)


def test_buckets_add_up_to_the_whole() -> None:
    lay = layout()
    whole = bucket_partial(columns(ROWS), lay, 2)
    # u1 in one bucket, u0 and u2 in another: the sum is the same counts
    one = bucket_partial(columns([r for r in ROWS if r[0] == 1]), lay, 2)
    other = bucket_partial(columns([r for r in ROWS if r[0] != 1]), lay, 2)
    summed = one + other
    for name in ("streams", "payers", "artist_listeners", "user_centric", "capped"):
        assert getattr(summed, name) == pytest.approx(getattr(whole, name)), name
    assert summed.month_listeners is not None and whole.month_listeners is not None
    assert summed.month_listeners.tolist() == whole.month_listeners.tolist()
    assert summed.track_keys is not None and whole.track_keys is not None
    assert summed.track_keys.tolist() == whole.track_keys.tolist()
    assert summed.track_all is not None and whole.track_all is not None
    assert summed.track_all.tolist() == whole.track_all.tolist()


def test_period_pays_only_its_months_but_the_threshold_looks_back() -> None:
    feb_ms = int(np.datetime64("2024-02-01", "ms").view(np.int64))
    lay = layout(since_ms=feb_ms)
    result = split(bucket_partial(columns(ROWS), lay, 2), lay, PARAMS, TRACK_ARTIST)
    assert result.pools.tolist() == [0.0, 36.0]
    # February alone, with January's streams counted towards the floor
    assert result.payout["threshold"] == pytest.approx([9.0, 18.0, 9.0, 0.0])
    assert result.payout["pro-rata"] == pytest.approx([7.2, 14.4, 7.2, 7.2])


def test_a_month_where_no_track_reaches_the_floor_is_split_pro_rata() -> None:
    lay = layout()
    high = PopulationParams(fee=12.0, payout_ratio=1.0, scale=100)  # floor of 10 streams
    result = split(bucket_partial(columns(ROWS), lay, 2), lay, high, TRACK_ARTIST)
    assert result.payout["threshold"] == pytest.approx(EXPECTED["pro-rata"])
    assert result.fallback_months["threshold"] == 2


def test_the_threshold_window_is_the_paid_month_and_the_eleven_before() -> None:
    # t0: 1 stream in Jan 2023, 1 in Dec 2023 and 1 in Jan 2024; t1 one a month
    # throughout. Floor 3 (scale 1000/3). In Jan 2024 t0's window (Feb 2023 -
    # Jan 2024) holds 2 streams: it earns nothing; in Dec 2023 it holds 2 too.
    starts = np.arange(np.datetime64("2023-01"), np.datetime64("2024-02"), dtype="datetime64[M]")
    rows = [(0, f"{m}-15", 1, None) for m in starts.astype(str)]
    rows += [(1, "2023-01-02", 0, None), (1, "2023-12-02", 0, None), (1, "2024-01-02", 0, None)]
    rows.sort(key=lambda r: (r[0], r[1]))
    lay = Layout(starts, artists=2, tracks=2, models=("pro-rata", "threshold"))
    params = PopulationParams(fee=1.0, payout_ratio=1.0, scale=1000 / 3)
    assert params.track_floor == 3
    result = split(bucket_partial(columns(rows), lay, 1000), lay, params, np.arange(2))
    # t1 reaches 3 streams in March 2023 and earns from then on: Jan and Feb
    # 2023 have no track over the floor and are split pro-rata (t0 gets half
    # of January); every later month's pool goes to t1 alone.
    assert result.fallback_months["threshold"] == 2
    assert result.payout["threshold"][0] == pytest.approx(2 / 2)  # Jan 2023: 2 payers, half
    assert result.payout["threshold"].sum() == pytest.approx(result.pools.sum())


@pytest.mark.parametrize(
    ("kw", "says"),
    [
        ({"scale": 0}, "--scale"),
        ({"scale": float("nan")}, "--scale"),
        ({"fee": -1}, "--fee"),
        ({"payout_ratio": 1.5}, "--payout-ratio"),
        ({"vat": -0.1}, "--vat"),
        ({"listener_cap": 0}, "listener_cap"),
    ],
)
def test_bad_parameters_are_refused(kw: dict[str, float], says: str) -> None:
    with pytest.raises(UsageError, match=says):
        PopulationParams(**kw)  # type: ignore[arg-type]


def test_scaled_thresholds_round_up_and_never_reach_zero() -> None:
    p = PopulationParams(scale=3)
    assert (p.pro_streams, p.pro_listeners, p.track_floor) == (334, 167, 334)
    assert PopulationParams(scale=1e9).pro_streams == 1
    assert PopulationParams().listener_cap == 1000  # never scaled


def test_plays_outside_the_layouts_months_count_nowhere() -> None:
    # A layout of February only: January's plays are outside it (a dataset
    # whose population.json says it starts in February).
    lay = Layout(STARTS[1:], artists=4, tracks=4, models=MODELS)
    result = split(bucket_partial(columns(ROWS), lay, 2), lay, PARAMS, TRACK_ARTIST)
    assert result.pools.tolist() == [36.0]
    assert result.plays.tolist() == [1, 2, 1, 1]
    assert result.payout["pro-rata"] == pytest.approx([7.2, 14.4, 7.2, 7.2])


@st.composite
def populations(draw: st.DrawFn) -> tuple[list[tuple[int, str, int, int | None]], int]:
    """Random small populations over January to April 2024, rows sorted by listener."""
    n_artists = draw(st.integers(1, 5))
    row = st.tuples(
        st.integers(0, 4),  # listener
        st.integers(0, 4 * 28 - 1),  # day of the span
        st.integers(0, n_artists - 1),  # artist (and its one track)
        st.one_of(st.none(), st.integers(0, 60_000)),  # duration
    )
    rows = draw(st.lists(row, min_size=1, max_size=60))
    span = np.datetime64("2024-01-01T00:00", "ms")
    out = [(u, str(span + np.timedelta64(d, "D") + np.timedelta64(u, "m")), a, ms)
           for u, d, a, ms in rows]  # fmt: skip
    out.sort(key=lambda r: (r[0], r[1]))
    return out, n_artists


PROPERTY_STARTS = np.arange(np.datetime64("2024-01"), np.datetime64("2024-05"), dtype="M8[M]")


@settings(max_examples=150, deadline=None)
@given(pop=populations(), scale=st.sampled_from([1.0, 100.0, 500.0, 1000.0]),
       cap=st.integers(1, 5), fee=st.floats(1.0, 20.0))  # fmt: skip
def test_every_model_pays_out_each_pool_exactly_whatever_the_population(
    pop: tuple[list[tuple[int, str, int, int | None]], int], scale: float, cap: int, fee: float
) -> None:
    rows, n_artists = pop
    lay = Layout(PROPERTY_STARTS, artists=n_artists, tracks=n_artists, models=MODELS)
    params = PopulationParams(fee=fee, scale=scale, listener_cap=cap)
    whole = bucket_partial(columns(rows), lay, cap)
    result = split(whole, lay, params, np.arange(n_artists))
    for model in MODELS:
        payout = result.payout[model]
        assert (payout >= 0).all(), model
        assert payout.sum() == pytest.approx(result.pools.sum(), rel=1e-9, abs=1e-9), model
    # the same listeners in two buckets give the same payouts
    one = [r for r in rows if r[0] % 2 == 0]
    two = [r for r in rows if r[0] % 2 == 1]
    if one and two:
        summed = bucket_partial(columns(one), lay, cap) + bucket_partial(columns(two), lay, cap)
        again = split(summed, lay, params, np.arange(n_artists))
        for model in MODELS:
            np.testing.assert_allclose(again.payout[model], result.payout[model], rtol=1e-12)
    # payouts are linear in the fee
    double = split(whole, lay, PopulationParams(fee=2 * fee, scale=scale, listener_cap=cap),
                   np.arange(n_artists))  # fmt: skip
    for model in MODELS:
        np.testing.assert_allclose(double.payout[model], 2 * result.payout[model], rtol=1e-12)


def test_dense_counts_are_narrow_when_the_plays_fit_and_pay_the_same() -> None:
    wide, narrow = layout(), layout(plays=len(ROWS))
    assert wide.count_type is np.int64 and narrow.count_type is np.int32
    assert layout(plays=2**31).count_type is np.int64  # a count could pass int32's top
    small = bucket_partial(columns(ROWS), narrow, PARAMS.listener_cap)
    big = bucket_partial(columns(ROWS), wide, PARAMS.listener_cap)
    assert big.streams.dtype == np.int64 and big.artist_listeners.dtype == np.int64
    assert small.streams.dtype == np.uint16  # one piece's cells: far below 65,536
    assert small.month_listeners is not None and small.month_listeners.dtype == np.uint16
    assert small.artist_listeners.dtype == np.int32
    summed = small + small
    assert summed.streams.dtype == np.int32  # sums never wrap at 65,536
    assert summed.streams.tolist() == (big.streams * 2).tolist()
    a = split(small, narrow, PARAMS, TRACK_ARTIST)
    b = split(big, wide, PARAMS, TRACK_ARTIST)
    for model in MODELS:
        assert a.payout[model].tolist() == b.payout[model].tolist(), model
    assert a.plays.tolist() == b.plays.tolist() and a.plays.dtype == np.int64
    assert a.listeners.tolist() == b.listeners.tolist()


def test_a_cell_past_65535_plays_stays_int32_and_sums_do_not_wrap() -> None:
    n = 70_000  # one listener, one artist, one month
    ms = np.datetime64("2024-01-05", "ms").astype(np.int64) + np.arange(n, dtype=np.int64)
    cols = BucketColumns(np.zeros(n, np.int32), ms, np.zeros(n, np.int32),
                         np.zeros(n, np.int32), np.full(n, NO_DURATION))  # fmt: skip
    lay = layout(plays=3 * n)
    one = bucket_partial(cols, lay, 10**9)
    assert one.streams.dtype == np.int32 and int(one.streams[0, 0]) == n
    half = bucket_partial(cols.rows(0, 40_000), lay, 10**9)
    assert half.streams.dtype == np.uint16
    total = half + half + one
    assert total.streams.dtype == np.int32 and int(total.streams[0, 0]) == 80_000 + n
