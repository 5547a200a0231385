"""Hand-computed cases for the pricing core (royalty.pricing) at flat figures.

``compare(plays, CompareParams)`` prices at one flat rate and CD margin, used
in every year as given, so these cases test the counting rules: paid streams
(the 30-second rule), CDs bought, break-even and crossover, the shape of the
result. Every expected number below is worked out on paper from the rows of a
tiny frame; none is copied from the code's output.
"""

from __future__ import annotations

import dataclasses

import pandas as pd
import pytest

from royalty import schema
from royalty.errors import DataFormatError
from royalty.pricing import (
    RESULT_COLUMNS,
    CompareParams,
    compare,
)

T0 = pd.Timestamp("2010-01-01T00:00:00Z")

Row = tuple[int, str | None, str | None, int | None]
"""(minutes after T0, artist, album, duration_ms) of one play."""


def at(minutes: int) -> pd.Timestamp:
    return T0 + pd.Timedelta(minutes=minutes)


def frame(rows: list[Row], *, unit: str = "ms", categorical: bool = True) -> pd.DataFrame:
    """The four columns compare reads, with the store's dtypes (or plain ones)."""
    times = pd.Series([at(m) for m, _, _, _ in rows], dtype=f"datetime64[{unit}, UTC]")
    artist = pd.Series([a for _, a, _, _ in rows], dtype=object)
    album = pd.Series([b for _, _, b, _ in rows], dtype=object)
    if categorical:
        artist, album = artist.astype("category"), album.astype("category")
    return pd.DataFrame(
        {
            "played_at": times,
            "artist": artist,
            "album": album,
            "duration_ms": pd.array([d for _, _, _, d in rows], dtype="Int64"),
        }
    )


def row(result: pd.DataFrame, artist: str) -> pd.Series:
    matches = result[result["artist"] == artist]
    assert len(matches) == 1, f"expected one row for {artist!r}"
    return matches.iloc[0]


# --- the 30-second rule -------------------------------------------------------


def test_a_play_qualifies_from_thirty_seconds_or_when_its_duration_is_unknown() -> None:
    plays = frame([(0, "A", "x", 29_999), (1, "A", "x", 30_000), (2, "A", "x", None)])
    a = row(compare(plays), "A")
    assert (a["plays"], a["streams"]) == (3, 2)  # every play, and the paid ones
    assert a["streaming_payout"] == 2 / 300


def test_min_seconds_zero_counts_every_play() -> None:
    plays = frame([(0, "A", "x", 0), (1, "A", "x", 29_999), (2, "A", "x", None)])
    assert row(compare(plays, CompareParams(min_seconds=0)), "A")["streams"] == 3


def test_min_seconds_is_in_seconds_and_may_be_fractional() -> None:
    plays = frame([(0, "A", "x", 10_499), (1, "A", "x", 10_500), (2, "A", "x", 11_000)])
    assert row(compare(plays, CompareParams(min_seconds=10.5)), "A")["streams"] == 2


def test_an_artist_with_only_short_plays_gets_no_row() -> None:
    plays = frame([(0, "A", "x", 1_000), (1, "B", "y", 40_000)])
    assert compare(plays)["artist"].tolist() == ["B"]


def test_short_plays_do_not_count_towards_an_album() -> None:
    # 9 qualifying plays and one 5-second play of the same album: 9 < K = 10.
    rows: list[Row] = [(m, "A", "x", None) for m in range(9)] + [(9, "A", "x", 5_000)]
    result = compare(frame(rows))
    assert (row(result, "A")["plays"], row(result, "A")["streams"]) == (10, 9)
    assert row(result, "A")["albums"] == 0


def test_without_a_duration_column_every_play_qualifies() -> None:
    plays = frame([(0, "A", "x", 1), (1, "A", "x", 2)]).drop(columns="duration_ms")
    assert row(compare(plays), "A")["streams"] == 2


def test_float_durations_with_nan_follow_the_same_rule() -> None:
    plays = frame([(0, "A", "x", None), (1, "A", "x", None), (2, "A", "x", None)])
    plays["duration_ms"] = [29_999.0, 30_000.0, float("nan")]
    assert row(compare(plays), "A")["streams"] == 2


# --- the CD purchase model ----------------------------------------------------


def test_plays_without_an_album_buy_no_cd() -> None:
    # Five streams with no album name: no telling which album, so no CD (not one, not five).
    rows: list[Row] = [(m, "A", None, None) for m in range(5)]
    a = row(compare(frame(rows), CompareParams(min_album_plays=2)), "A")
    assert (a["albums"], a["streams_without_album"], a["cd_payout"]) == (0, 5, 0.0)
    assert a["verdict"] == "no-cd"


def test_an_album_is_bought_at_exactly_k_plays() -> None:
    rows: list[Row] = [(m, "A", "x", None) for m in range(3)]
    rows += [(10 + m, "A", "y", None) for m in range(2)]
    rows += [(20 + m, "A", None, None) for m in range(3)]
    result = compare(frame(rows), CompareParams(min_album_plays=3))
    # x: 3 plays (bought), y: 2 (not), no album: 3 (never a CD) -> 1 CD
    assert row(result, "A")["albums"] == 1
    assert row(compare(frame(rows), CompareParams(min_album_plays=2)), "A")["albums"] == 2
    assert row(compare(frame(rows), CompareParams(min_album_plays=4)), "A")["albums"] == 0


def test_the_same_album_name_is_a_separate_album_for_each_artist() -> None:
    rows: list[Row] = [(m, "A", "Greatest Hits", None) for m in range(2)]
    rows += [(10 + m, "B", "Greatest Hits", None) for m in range(2)]
    assert compare(frame(rows), CompareParams(min_album_plays=2))["albums"].tolist() == [1, 1]
    # Plays are not pooled across artists: 2 + 2 is not 3.
    assert compare(frame(rows), CompareParams(min_album_plays=3))["albums"].tolist() == [0, 0]


def test_payouts_and_difference() -> None:
    rows: list[Row] = [(m, "A", "x", None) for m in range(4)]
    rows += [(10 + m, "A", None, None) for m in range(2)]
    rows += [(20, "B", "y", None)]
    params = CompareParams(rate=0.25, cd_margin=1.5, min_album_plays=2)
    a, b = row(compare(frame(rows), params), "A"), row(compare(frame(rows), params), "B")
    # A: 6 streams x 0.25 = 1.50; album x (4 streams) -> 1 x 1.5; the 2 without album buy none
    assert (a["streams"], a["streams_without_album"], a["albums"]) == (6, 2, 1)
    assert a["streaming_payout"] == 1.5
    assert a["cd_payout"] == 1.5
    assert a["difference"] == 0.0
    assert a["verdict"] == "depends"  # a tie at flat figures: neither is ahead
    # B: 1 stream x 0.25, no album reaches 2 streams
    assert (b["streams"], b["albums"], b["cd_payout"], b["difference"]) == (1, 0, 0.0, 0.25)


def test_no_rounding_in_the_model() -> None:
    rows: list[Row] = [(m, "A", "x", None) for m in range(7)]
    a = row(compare(frame(rows), CompareParams(rate=1 / 300)), "A")
    assert a["streaming_payout"] == 7 / 300  # 0.02333…, not 0.02


def test_zero_cd_margin() -> None:
    rows: list[Row] = [(m, "A", "x", None) for m in range(3)]
    a = row(compare(frame(rows), CompareParams(rate=0.5, cd_margin=0, min_album_plays=1)), "A")
    assert a["albums"] == 1  # still bought, it just pays nothing
    assert a["cd_payout"] == 0.0
    assert a["difference"] == 1.5
    assert a["breakeven_plays"] == 0
    assert pd.isna(a["crossover_date"])


# --- break-even and crossover -------------------------------------------------


def breakeven_plays(cd: float, rate: float) -> int:
    """The break-even of one album's single play at flat figures (it lies beyond the history)."""
    rows: list[Row] = [(0, "A", "album", None)]
    params = CompareParams(rate=rate, cd_margin=cd, min_album_plays=1)
    return int(row(compare(frame(rows), params), "A")["breakeven_plays"])


def test_breakeven_reaches_the_cd_income_within_the_tolerance() -> None:
    assert breakeven_plays(9.0, 1 / 300) == 2700  # 6 CDs at 1.50
    assert (breakeven_plays(1.5, 1 / 300), breakeven_plays(0.0, 1 / 300)) == (450, 0)
    # 3 x 0.1 = 0.30000000000000004, and 30 x 0.01 = 0.3: a hair below, still reached.
    assert 30 * 0.01 < 3 * 0.1
    assert breakeven_plays(3 * 0.1, 0.01) == 30
    # A real shortfall, larger than 1e-9 relative, is not forgiven.
    assert breakeven_plays(0.3 * (1 + 1e-8), 0.01) == 31
    # Not a whole number of plays: round up (2 x 0.4 = 0.8 < 1 <= 1.2 = 3 x 0.4).
    assert breakeven_plays(1.0, 0.4) == 3


@pytest.mark.parametrize(
    ("cd", "rate"),
    [
        # Found by search: here ceil(target / rate) lands one below the answer...
        (689.1134338531693, 0.1450154531069141),
        # ...and here one above it, so the result must be checked both ways.
        (748.0182131205105, 0.21600294899581063),
    ],
)
def test_breakeven_is_the_smallest_count_despite_division_rounding(cd: float, rate: float) -> None:
    # The history holds one stream (income `rate`); beyond it each stream adds `rate`.
    # The break-even n is the smallest count whose running income reaches the target.
    target = cd * (1 - 1e-9)
    n = breakeven_plays(cd, rate)
    assert rate + (n - 1) * rate >= target > rate + (n - 2) * rate


def test_breakeven_and_crossover_in_compare_use_the_tolerance() -> None:
    # 3 albums of 10 plays, CDs at 0.10: cd_payout 0.30000000000000004; 30 plays at 0.01.
    rows: list[Row] = [(m, "A", f"album {m % 3}", None) for m in range(30)]
    params = CompareParams(rate=0.01, cd_margin=0.1, min_album_plays=10)
    a = row(compare(frame(rows), params), "A")
    assert a["albums"] == 3
    assert a["breakeven_plays"] == 30
    assert a["crossover_date"] == at(29)  # the 30th play


def test_six_cds_break_even_at_2700_plays_at_a_third_of_a_cent() -> None:
    rows: list[Row] = [(m, "A", f"album {m % 6}", None) for m in range(2_700)]
    a = row(compare(frame(rows), CompareParams(rate=1 / 300, min_album_plays=1)), "A")
    assert a["cd_payout"] == 9.0
    assert a["breakeven_plays"] == 2700
    assert a["crossover_date"] == at(2_699)


def test_crossover_is_the_nth_qualifying_play_in_time_order() -> None:
    # A's qualifying plays in time: minutes 1, 4, 6, 9; short plays at 2, 3, 5.
    rows: list[Row] = [
        (9, "A", "x", None),
        (3, "A", "x", 1_000),
        (6, "A", None, 45_000),
        (1, "A", "x", None),
        (5, "A", "x", 2_000),
        (4, "A", "x", 30_000),
        (2, "A", "x", 29_999),
        (7, "B", "y", None),
    ]
    params = CompareParams(rate=0.5, cd_margin=1.0, min_album_plays=3)
    a = row(compare(frame(rows), params), "A")
    # album x: 3 qualifying plays (1, 4, 9) -> one CD; no-album: 1 play -> none.
    assert (a["plays"], a["streams"], a["albums"], a["cd_payout"]) == (7, 4, 1, 1.0)
    assert a["breakeven_plays"] == 2  # 2 x 0.5 = 1.0
    assert a["crossover_date"] == at(4)  # not 2 or 3 (short), not row order


def test_crossover_is_nat_when_the_artist_has_fewer_plays_than_the_breakeven() -> None:
    rows: list[Row] = [(m, "A", "x", None) for m in range(10)]
    a = row(compare(frame(rows)), "A")  # 1 CD = 1.50 needs 450 plays; A has 10
    assert (a["albums"], a["breakeven_plays"]) == (1, 450)
    assert pd.isna(a["crossover_date"])


def test_crossover_is_nat_one_play_short_of_the_breakeven() -> None:
    # A: 1 CD (1.00) needs 2 plays at 0.50 and has 1; B's plays follow A's.
    plays = frame([(0, "A", "x", None), (1, "B", "y", None), (2, "B", "y", None)])
    result = compare(plays, CompareParams(rate=0.5, cd_margin=1.0, min_album_plays=1))
    assert row(result, "A")["breakeven_plays"] == 2
    assert pd.isna(row(result, "A")["crossover_date"])
    assert row(result, "B")["crossover_date"] == at(2)


def test_no_cds_means_no_breakeven_and_no_crossover() -> None:
    a = row(compare(frame([(0, "A", "x", None)])), "A")
    assert (a["albums"], a["cd_payout"], a["breakeven_plays"]) == (0, 0.0, 0)
    assert pd.isna(a["crossover_date"])


@pytest.mark.parametrize("shuffle", [False, True])
def test_crossover_with_nanosecond_times_over_a_long_span(shuffle: bool) -> None:
    # Times from 1950 to 2100 in ns do not fit beside the artist in one sort key.
    stamps = ["1950-01-01", "2000-01-01", "2020-06-01", "2100-01-01"]
    plays = pd.DataFrame(
        {
            "played_at": pd.to_datetime(stamps, utc=True).astype("datetime64[ns, UTC]"),
            "artist": pd.Categorical(["A", "B", "A", "A"]),
            "album": pd.Categorical(["x", "y", "x", "x"]),
            "duration_ms": pd.array([None] * 4, dtype="Int64"),
        }
    )
    if shuffle:
        plays = plays.iloc[[3, 1, 0, 2]]
    params = CompareParams(rate=0.5, cd_margin=1.0, min_album_plays=3)
    a = row(compare(plays, params), "A")
    assert a["breakeven_plays"] == 2
    assert a["crossover_date"] == pd.Timestamp("2020-06-01", tz="UTC")


def test_a_play_without_a_time_is_a_play_but_not_a_paid_stream() -> None:
    # Without a time a play has no year to price it at: it is counted, not paid.
    plays = frame([(5, "A", "x", None), (1, "A", "x", None), (3, "A", "x", None)])
    plays.loc[0, "played_at"] = pd.NaT
    params = CompareParams(rate=0.5, cd_margin=1.0, min_album_plays=2)
    a = row(compare(plays, params), "A")
    # 2 timed streams (minutes 1 and 3): one CD at 1.00, reached at 2 x 0.5
    assert (a["plays"], a["streams"], a["albums"], a["breakeven_plays"]) == (3, 2, 1, 2)
    assert a["crossover_date"] == at(3)
    three = row(compare(plays, dataclasses.replace(params, min_album_plays=3)), "A")
    assert three["albums"] == 0  # the untimed play does not complete the album


# --- shape of the result ------------------------------------------------------


def test_sorted_by_plays_then_name_with_a_fresh_index() -> None:
    rows: list[Row] = [(0, "Beta", None, None), (1, "Beta", None, None)]
    rows += [(2, "Gamma", None, None)]
    rows += [(3, "Delta", None, None), (4, "Delta", None, None), (5, "Delta", None, None)]
    rows += [(6, "Alpha", None, None), (7, "Alpha", None, None)]
    result = compare(frame(rows).iloc[::-1])
    assert result["artist"].tolist() == ["Delta", "Alpha", "Beta", "Gamma"]
    assert result["streams"].tolist() == [3, 2, 2, 1]
    assert isinstance(result.index, pd.RangeIndex)
    assert result.index.tolist() == [0, 1, 2, 3]


def test_columns_and_dtypes() -> None:
    result = compare(frame([(0, "A", "x", None)]))
    assert tuple(result.columns) == RESULT_COLUMNS
    assert [str(result[c].dtype) for c in RESULT_COLUMNS[1:]] == [
        *["int64"] * 4,  # plays, streams, streams_without_album, albums
        *["float64"] * 7,  # streaming and CD payouts with their ranges, difference
        "str",  # verdict
        "int64",
        "datetime64[ms, UTC]",
    ]
    assert isinstance(result["artist"].iloc[0], str)
    assert isinstance(result["verdict"].iloc[0], str)


def test_unused_categories_produce_no_rows() -> None:
    plays = frame([(0, "A", "x", None), (1, "B", "y", 1_000)])
    plays["artist"] = plays["artist"].cat.add_categories(["Never Played"])
    plays["album"] = plays["album"].cat.add_categories(["Never Played Album"])
    assert compare(plays)["artist"].tolist() == ["A"]  # B only had a short play


def test_plain_string_columns_give_the_same_result_as_categoricals() -> None:
    rows: list[Row] = [(m, "A" if m % 3 else "B", "x" if m % 2 else None, None) for m in range(40)]
    params = CompareParams(rate=0.1, min_album_plays=5)
    plain = compare(frame(rows, categorical=False), params)
    pd.testing.assert_frame_equal(plain, compare(frame(rows), params))


def test_the_full_schema_gives_the_same_result_as_four_columns() -> None:
    rows: list[Row] = [(m, "A", "x", None) for m in range(12)] + [(20, "B", None, 40_000)]
    four = frame(rows)
    full = schema.normalize(four.assign(track="t"), source="test")
    pd.testing.assert_frame_equal(compare(full), compare(four))


def test_plays_without_an_artist_are_ignored() -> None:
    plays = frame([(0, "A", "x", None), (1, None, "x", None), (2, None, None, None)])
    assert compare(plays)["artist"].tolist() == ["A"]


def test_without_an_album_column_no_cd_is_bought() -> None:
    rows: list[Row] = [(m, "A", "x" if m % 2 else "y", None) for m in range(4)]
    plays = frame(rows).drop(columns="album")
    a = row(compare(plays, CompareParams(min_album_plays=1)), "A")
    assert (a["albums"], a["streams_without_album"], a["verdict"]) == (0, 4, "no-cd")


def test_empty_input_gives_an_empty_frame_with_the_columns_and_dtypes() -> None:
    full = compare(frame([(0, "A", "x", None)]))
    for empty in (frame([(0, "A", "x", None)]).iloc[:0], schema.empty()):
        result = compare(empty)
        assert len(result) == 0
        assert tuple(result.columns) == RESULT_COLUMNS
        assert result.dtypes.to_dict() == full.dtypes.to_dict()


def test_missing_required_columns() -> None:
    with pytest.raises(DataFormatError, match="played_at"):
        compare(frame([(0, "A", "x", None)]).drop(columns="played_at"))
    with pytest.raises(DataFormatError, match="artist"):
        compare(frame([(0, "A", "x", None)]).drop(columns="artist"))
