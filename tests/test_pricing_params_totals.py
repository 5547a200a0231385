"""Hand-computed cases for the pricing parameters, totals and filter_period.

The compare columns themselves are tested in test_pricing.py.
"""

from __future__ import annotations

import dataclasses
import math
from datetime import UTC, datetime, timedelta, timezone

import numpy as np
import pandas as pd
import pytest

from royalty.errors import DataFormatError, UsageError
from royalty.pricing import CompareParams, Totals, compare, filter_period, totals

T0 = pd.Timestamp("2010-01-01T00:00:00Z")

Row = tuple[int, str | None, str | None, int | None]
"""(minutes after T0, artist, album, duration_ms) of one play."""


def at(minutes: int) -> pd.Timestamp:
    return T0 + pd.Timedelta(minutes=minutes)


def frame(rows: list[Row]) -> pd.DataFrame:
    """The four columns compare reads, with the store's dtypes."""
    return pd.DataFrame(
        {
            "played_at": pd.Series([at(m) for m, _, _, _ in rows], dtype="datetime64[ms, UTC]"),
            "artist": pd.Series([a for _, a, _, _ in rows], dtype=object).astype("category"),
            "album": pd.Series([b for _, _, b, _ in rows], dtype=object).astype("category"),
            "duration_ms": pd.array([d for _, _, _, d in rows], dtype="Int64"),
        }
    )


# --- parameters ---------------------------------------------------------------


def test_defaults_are_the_essays_figures() -> None:
    params = CompareParams()
    assert params.rate == 1 / 300
    assert (params.cd_margin, params.min_album_plays, params.min_seconds) == (1.5, 10, 30.0)
    with pytest.raises(dataclasses.FrozenInstanceError):
        params.rate = 0.1  # type: ignore[misc]


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("rate", 0, "rate must be a positive number of dollars per stream, got 0"),
        ("rate", -1, "rate must be a positive number of dollars per stream, got -1"),
        ("rate", math.nan, "rate must be a positive"),
        ("rate", math.inf, "rate must be a positive"),
        ("rate", "0.003", "rate must be a positive"),
        ("rate", True, "rate must be a positive"),
        ("cd_margin", -0.01, "cd_margin must be zero or a positive number"),
        ("cd_margin", math.nan, "cd_margin must be zero or a positive number"),
        ("min_album_plays", 0, "min_album_plays must be a whole number of plays, at least 1"),
        ("min_album_plays", 2.5, "min_album_plays must be a whole number"),
        ("min_album_plays", True, "min_album_plays must be a whole number"),
        ("min_seconds", -1, "min_seconds must be zero or a positive number of seconds"),
        ("min_seconds", math.inf, "min_seconds must be zero or a positive number"),
    ],
)
def test_bad_parameters_raise_a_usage_error(field: str, value: object, message: str) -> None:
    with pytest.raises(UsageError, match=message.replace("(", r"\(")) as caught:
        CompareParams(**{field: value})  # type: ignore[arg-type]
    assert "\n" not in str(caught.value)


def test_edge_parameters_are_accepted_and_stored_as_plain_numbers() -> None:
    params = CompareParams(rate=np.float64(0.5), cd_margin=0, min_album_plays=np.int64(1))
    assert (params.rate, params.cd_margin, params.min_album_plays) == (0.5, 0.0, 1)
    assert type(params.min_album_plays) is int
    assert type(params.cd_margin) is float
    assert CompareParams(min_seconds=0).min_seconds == 0.0


# --- totals -------------------------------------------------------------------


def test_totals_add_up_the_rows() -> None:
    rows: list[Row] = [(m, "A", "x", None) for m in range(6)]  # 6 streams, 1 CD
    rows += [(10 + m, "B", "y", None) for m in range(2)]  # 2 streams, 1 CD
    rows += [(20, "C", None, None), (21, "C", None, 1_000)]  # 1 stream (and a 1 s play), no CD
    params = CompareParams(rate=0.5, cd_margin=1.5, min_album_plays=2)
    result = compare(frame(rows), params)
    # A: 3.00 vs 1.50 (streams); B: 1.00 vs 1.50 (cds); C: 0.50 and no CD (no-cd).
    # Flat figures have no range: low and high equal the value.
    verdicts = {"streams": 1, "cds": 1, "depends": 0, "no-cd": 1}
    assert totals(result) == Totals(
        artists=3,
        plays=10,
        streams=9,
        albums=2,
        streaming_payout=4.5,
        streaming_payout_low=4.5,
        streaming_payout_high=4.5,
        cd_payout=3.0,
        cd_payout_low=3.0,
        cd_payout_high=3.0,
        difference=1.5,
        verdicts=verdicts,
    )
    top = totals(result.head(1))
    assert (top.artists, top.streams, top.cd_payout) == (1, 6, 1.5)
    assert top.to_dict()["verdicts"] == {"streams": 1, "cds": 0, "depends": 0, "no-cd": 0}


def test_a_tie_is_not_a_win_for_streams() -> None:
    # 450 plays at 1/300 = 1.50, exactly one CD: it depends (on nothing: neither is ahead).
    rows: list[Row] = [(m, "A", "x", None) for m in range(450)]
    params = CompareParams(rate=1 / 300, min_album_plays=1)
    assert totals(compare(frame(rows), params)).verdicts["depends"] == 1
    rows.append((500, "A", "x", None))
    assert totals(compare(frame(rows), params)).verdicts["streams"] == 1


def test_a_near_tie_within_the_tolerance_is_not_a_win_either() -> None:
    # 3 x 0.1 = 0.30000000000000004 against one CD at 0.30: equal up to rounding.
    rows: list[Row] = [(m, "A", "x", None) for m in range(3)]
    params = CompareParams(rate=0.1, cd_margin=0.3, min_album_plays=1)
    result = compare(frame(rows), params)
    assert result["streaming_payout"].iloc[0] > result["cd_payout"].iloc[0]
    assert totals(result).verdicts == {"streams": 0, "cds": 0, "depends": 1, "no-cd": 0}


def test_totals_of_nothing() -> None:
    result = compare(frame([]))
    nothing = {"streams": 0, "cds": 0, "depends": 0, "no-cd": 0}
    assert totals(result) == Totals(0, 0, 0, 0, *[0.0] * 7, verdicts=nothing)


def test_totals_need_a_price_result() -> None:
    with pytest.raises(DataFormatError, match="cd_payout"):
        totals(pd.DataFrame({"artist": ["A"], "plays": [1]}))


# --- filter_period ------------------------------------------------------------


PERIOD_ROWS: list[Row] = [(m, "A", "x", None) for m in (0, 10, 20, 30)]


@pytest.mark.parametrize("shuffled", [False, True])
def test_filter_period_includes_since_and_excludes_until(shuffled: bool) -> None:
    plays = frame(PERIOD_ROWS)
    if shuffled:
        plays = plays.iloc[[2, 0, 3, 1]]
    kept = filter_period(plays, at(10), at(30))
    assert sorted(kept["played_at"]) == [at(10), at(20)]
    assert sorted(filter_period(plays, since=at(20))["played_at"]) == [at(20), at(30)]
    assert sorted(filter_period(plays, until=at(20))["played_at"]) == [at(0), at(10)]
    assert len(filter_period(plays)) == 4
    assert len(filter_period(plays, at(11), at(19))) == 0


def test_filter_period_accepts_any_time_zone() -> None:
    nz = timezone(timedelta(hours=13))
    since = datetime(2010, 1, 1, 13, 10, tzinfo=nz)  # 00:10 UTC
    kept = filter_period(frame(PERIOD_ROWS), since=since, until=at(21).to_pydatetime())
    assert kept["played_at"].tolist() == [at(10), at(20)]


def test_filter_period_rejects_naive_times() -> None:
    with pytest.raises(UsageError, match="since must be a timezone-aware time"):
        filter_period(frame(PERIOD_ROWS), since=datetime(2010, 1, 1))
    with pytest.raises(UsageError, match="until must be a timezone-aware time"):
        filter_period(frame(PERIOD_ROWS), until=datetime(2010, 1, 1))


@pytest.mark.parametrize("gap", [timedelta(0), timedelta(days=1)])
def test_filter_period_rejects_since_at_or_after_until(gap: timedelta) -> None:
    until = datetime(2010, 1, 1, tzinfo=UTC)
    with pytest.raises(UsageError, match="must be before until"):
        filter_period(frame(PERIOD_ROWS), since=until + gap, until=until)
