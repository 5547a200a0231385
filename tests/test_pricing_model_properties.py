"""Property tests (hypothesis) for issue 5's invariants: the user-centric month
sums, linearity of pro-rata in the rate, and the levels at ``--deal none``."""

from __future__ import annotations

from collections import Counter

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from royalty.pricing import (
    CompareParams,
    Scenario,
    compare,
    make_scenario,
    monthly_rates,
    price,
    sensitivity,
    service_rate,
)

T0 = pd.Timestamp("2019-11-20T00:00:00Z")
ARTISTS = ("Alpha", "Beta", "Gamma", "Delta")
DURATIONS = (None, 10_000, 200_000)

Play = tuple[int, str, str, int | None]
"""(hours after T0, artist, album, duration_ms): plays over about five months."""

plays_lists = st.lists(
    st.tuples(
        st.integers(0, 24 * 150),
        st.sampled_from(ARTISTS),
        st.sampled_from(("x", "y")),
        st.sampled_from(DURATIONS),
    ),
    min_size=1,
    max_size=40,
)
examples = settings(deadline=None, max_examples=40)


def frame(plays: list[Play]) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "played_at": pd.Series(
                [T0 + pd.Timedelta(hours=h) for h, _, _, _ in plays], dtype="datetime64[ms, UTC]"
            ),
            "artist": pd.Series([p[1] for p in plays]).astype("category"),
            "album": pd.Series([p[2] for p in plays]).astype("category"),
            "track": pd.Series([p[2] + "1" for p in plays]).astype("category"),
            "duration_ms": pd.array([p[3] for p in plays], dtype="Int64"),
        }
    )


def month_of(play: Play) -> str:
    return (T0 + pd.Timedelta(hours=play[0])).strftime("%Y-%m")


@given(
    plays=plays_lists,
    fee=st.floats(0.5, 30.0),
    vat=st.floats(0.0, 0.3),
    ratio=st.floats(0.3, 1.0),
    share=st.floats(0.01, 1.0),
)
@examples
def test_user_centric_payouts_in_a_month_sum_to_the_pool(
    plays: list[Play], fee: float, vat: float, ratio: float, share: float
) -> None:
    scenario = Scenario(share=share, model="user-centric", fee=fee, vat=vat, payout_ratio=ratio)
    pool = fee / (1 + vat) * ratio * share
    counted = [p for p in plays if p[3] != 10_000]
    months = Counter(month_of(p) for p in counted)
    for month in months:
        inside = [p for p in counted if month_of(p) == month]
        result = price(frame(inside), scenario)
        assert result["user_centric_payout"].sum() == pytest.approx(pool)
    whole = price(frame(plays), scenario)
    assert whole["user_centric_payout"].sum() == pytest.approx(pool * len(months))
    table = monthly_rates(frame(plays), scenario)
    assert [m.strftime("%Y-%m") for m in table["month"]] == sorted(months)
    assert table["plays"].tolist() == [months[m] for m in sorted(months)]
    assert (table["rate"] * table["plays"]).tolist() == pytest.approx([pool] * len(months))


@given(plays=plays_lists, rate=st.floats(1e-4, 0.1), k=st.floats(0.1, 10.0))
@examples
def test_pro_rata_is_linear_in_the_rate(plays: list[Play], rate: float, k: float) -> None:
    one = price(frame(plays), Scenario(CompareParams(rate=rate)))
    scaled = price(frame(plays), Scenario(CompareParams(rate=rate * k)))
    assert scaled["streaming_payout"].to_numpy() == pytest.approx(
        k * one["streaming_payout"].to_numpy()
    )
    assert (scaled["cd_payout"] == one["cd_payout"]).all()


@given(
    plays=plays_lists,
    service=st.sampled_from(["spotify", "tidal", "pandora", "napster"]),
    deal=st.sampled_from(["major", "indie", "diy"]),
)
@examples
def test_deal_none_is_the_rights_holder_level(plays: list[Play], service: str, deal: str) -> None:
    row = service_rate(service)
    holder = make_scenario(service=service, deal="none", min_album_plays=2)
    assert holder.level == "rights holder" and holder.share == 1.0
    at_holder = price(frame(plays), holder)
    direct = compare(frame(plays), CompareParams(rate=row.rate, cd_margin=10.75, min_album_plays=2))
    pd.testing.assert_frame_equal(at_holder, direct, check_exact=False)
    # The same as a service alone, and the artist's deals scale the stream side.
    pd.testing.assert_frame_equal(
        at_holder, price(frame(plays), make_scenario(service=service, min_album_plays=2))
    )
    artist = price(frame(plays), make_scenario(service=service, deal=deal, min_album_plays=2))
    share = {"major": 0.18, "indie": 0.50, "diy": 1.00}[deal]
    assert artist["streaming_payout"].to_numpy() == pytest.approx(
        share * at_holder["streaming_payout"].to_numpy()
    )
    # User-centric and downloads at deal none are not scaled at all.
    uc = price(frame(plays), make_scenario(service=service, model="user-centric", downloads=True))
    uc_artist = price(
        frame(plays),
        make_scenario(service=service, deal=deal, model="user-centric", downloads=True),
    )
    assert uc_artist["user_centric_payout"].to_numpy() == pytest.approx(
        share * uc["user_centric_payout"].to_numpy()
    )
    assert uc_artist["download_payout"].to_numpy() == pytest.approx(
        share * uc["download_payout"].to_numpy()
    )


@given(plays=plays_lists, rates=st.lists(st.floats(1e-4, 1.0), min_size=2, max_size=6))
@examples
def test_sensitivity_grows_with_the_rate_and_matches_compare(
    plays: list[Play], rates: list[float]
) -> None:
    params = CompareParams(cd_margin=1.5, min_album_plays=2)
    ordered = sorted(rates)
    table = sensitivity(frame(plays), params, ordered)
    assert table["artists"].is_monotonic_increasing
    assert table["plays_share"].is_monotonic_increasing
    for rate, artists in zip(ordered, table["artists"], strict=True):
        result = compare(frame(plays), CompareParams(rate=rate, cd_margin=1.5, min_album_plays=2))
        wins = result["streaming_payout"] - result["cd_payout"]
        tol = 1e-9 * result[["streaming_payout", "cd_payout"]].abs().max(axis=1)
        # Only artists with a CD count: the others have nothing to compare with.
        assert artists == int(((wins > tol) & (result["cd_payout"] > 0)).sum())
