"""Property tests (hypothesis) for the models' invariants: each user-centric
month pays out exactly its pool, pro-rata is linear in a flat rate, and a
deal's share applies to master money only (``--deal none`` is the
rights-holder level)."""

from __future__ import annotations

from collections import Counter

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from royalty.pricing import (
    DEALS,
    CompareParams,
    compare,
    make_scenario,
    monthly_rates,
    price,
    price_details,
    sensitivity,
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


# The publishing headline rate by year (Phonorecords III), and the recording share.
HEADLINE = {2019: 0.123, 2020: 0.133}
RECORDING = 0.586


@given(
    plays=plays_lists,
    fee=st.floats(0.5, 30.0),
    vat=st.floats(0.0, 0.3),
    ratio=st.floats(0.3, 1.0),
    share=st.floats(0.01, 1.0),
    side=st.sampled_from(["master", "publishing", "both"]),
)
@examples
def test_each_user_centric_month_pays_out_exactly_its_pool(
    plays: list[Play], fee: float, vat: float, ratio: float, share: float, side: str
) -> None:
    scenario = make_scenario(
        artist_share=share, model="user-centric", fee=fee, vat=vat, payout_ratio=ratio, side=side
    )

    def pool(month: str) -> float:
        # The payout ratio given is split between the sides as the cited shares
        # are; the artist's share applies to the master part only.
        net = fee / (1 + vat) * ratio
        pub = HEADLINE[int(month[:4])]
        if side == "master":
            return net * share
        if side == "publishing":
            return net
        return net * (RECORDING * share + pub) / (RECORDING + pub)

    counted = [p for p in plays if p[3] != 10_000]
    months = Counter(month_of(p) for p in counted)
    for month in months:
        inside = [p for p in counted if month_of(p) == month]
        result = price(frame(inside), scenario)
        assert result["user_centric_payout"].sum() == pytest.approx(pool(month))
    whole = price_details(frame(plays), scenario)
    expected = [pool(m) for m in sorted(months)]
    assert whole.table["user_centric_payout"].sum() == pytest.approx(sum(expected))
    table = whole.months
    assert table is not None
    assert [m.strftime("%Y-%m") for m in table["month"]] == sorted(months)
    assert table["plays"].tolist() == [months[m] for m in sorted(months)]
    assert table["payout"].tolist() == pytest.approx(expected)
    assert (table["rate"] * table["plays"]).tolist() == pytest.approx(expected)
    pd.testing.assert_frame_equal(monthly_rates(frame(plays), scenario), table)


@given(plays=plays_lists, rate=st.floats(1e-4, 0.1), k=st.floats(0.1, 10.0))
@examples
def test_pro_rata_is_linear_in_a_flat_rate(plays: list[Play], rate: float, k: float) -> None:
    one = price(frame(plays), make_scenario(rate=rate))
    scaled = price(frame(plays), make_scenario(rate=rate * k))
    for column in ("streaming_payout", "streaming_payout_low", "streaming_payout_high"):
        assert scaled[column].to_numpy() == pytest.approx(k * one[column].to_numpy())
    assert (scaled["cd_payout"] == one["cd_payout"]).all()


@given(
    plays=plays_lists,
    service=st.sampled_from(["spotify", "tidal", "pandora", "napster"]),
    deal=st.sampled_from(["major", "indie", "diy"]),
)
@examples
def test_a_deal_takes_its_share_of_master_money_only(
    plays: list[Play], service: str, deal: str
) -> None:
    d = DEALS[deal]

    def priced(side: str, deal: str, **more: object) -> pd.DataFrame:
        s = make_scenario(service=service, deal=deal, side=side, min_album_plays=2, **more)  # type: ignore[arg-type]
        return price(frame(plays), s)

    holder = priced("master", "none")
    assert make_scenario(service=service).deal == "none"
    pd.testing.assert_frame_equal(
        holder, price(frame(plays), make_scenario(service=service, min_album_plays=2))
    )
    artist = priced("master", deal)
    for end, part in (("", d.share), ("_low", d.low), ("_high", d.high)):
        column = "streaming_payout" + end
        assert artist[column].to_numpy() == pytest.approx(part * holder[column].to_numpy())
    # Publishing money is the songwriter's in full, whatever the deal.
    pd.testing.assert_frame_equal(priced("publishing", deal), priced("publishing", "none"))
    both = priced("both", deal)
    publishing = priced("publishing", "none")
    assert both["streaming_payout"].to_numpy() == pytest.approx(
        artist["streaming_payout"].to_numpy() + publishing["streaming_payout"].to_numpy()
    )
    assert both["cd_payout"].to_numpy() == pytest.approx(
        artist["cd_payout"].to_numpy() + publishing["cd_payout"].to_numpy()
    )
    # User-centric and downloads: the same share of the rights holder's master money.
    uc = priced("master", "none", model="user-centric", downloads=True)
    uc_artist = priced("master", deal, model="user-centric", downloads=True)
    for column in ("user_centric_payout", "download_payout"):
        assert uc_artist[column].to_numpy() == pytest.approx(d.share * uc[column].to_numpy())


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
