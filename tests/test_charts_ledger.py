"""The ledger behind the cumulative chart: each paid stream and each CD, dated and priced."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from royalty import load_sample, schema
from royalty.pricing import Scenario, make_scenario
from royalty.pricing.ledger import ledger


def make_plays(rows: list[tuple[str, str, str | None]]) -> pd.DataFrame:
    """Plays from (UTC time, artist, album) tuples, each long enough to be paid."""
    return schema.normalize(
        pd.DataFrame(
            {
                "played_at": pd.to_datetime([r[0] for r in rows], utc=True),
                "artist": [r[1] for r in rows],
                "track": ["t"] * len(rows),
                "album": [r[2] for r in rows],
                "duration_ms": pd.array([200_000] * len(rows), dtype="Int64"),
            }
        ),
        source="test",
    )


def test_each_stream_and_cd_by_hand() -> None:
    # Flat given values apply in every year as given: 0.01 a stream, 2.00 a CD.
    plays = make_plays(
        [
            ("2011-12-30 10:00", "A", "a1"),
            ("2012-01-02 10:00", "A", "a1"),  # a1's 2nd paid stream: the CD is bought here
            ("2012-03-01 10:00", "A", "a2"),
            ("2013-05-01 10:00", "A", "a1"),
            ("2012-06-01 10:00", "B", None),  # no album: no CD
            ("2013-06-01 10:00", "B", None),
        ]
    )
    book = ledger(plays, Scenario(rate=0.01, cd_margin=2.0, min_album_plays=2))
    a = book.names.get_loc("A")
    assert np.allclose(book.stream_value, 0.01)
    assert (book.stream_artist == a).sum() == 4
    assert book.cd_artist.tolist() == [a]
    assert book.cd_value.tolist() == [2.0]
    when = book.cd_ticks.view(f"datetime64[{book.unit}]")[0]
    assert str(when.astype("datetime64[m]")) == "2012-01-02T10:00"


def test_cd_dates_follow_time_not_row_order() -> None:
    plays = make_plays(
        [("2012-05-01", "A", "a1"), ("2012-01-01", "A", "a1"), ("2012-03-01", "A", "a1")]
    )
    book = ledger(plays, Scenario(rate=0.01, cd_margin=2.0, min_album_plays=2))
    when = book.cd_ticks.view(f"datetime64[{book.unit}]")[0]
    assert str(when.astype("datetime64[D]")) == "2012-03-01"


@pytest.mark.parametrize(
    "scenario",
    [
        Scenario(),
        make_scenario(service="spotify", deal="indie", side="both", dollars=2004),
        make_scenario(deal="none", model="user-centric"),
    ],
    ids=["foundation", "indie both 2004 dollars", "user-centric"],
)
def test_sums_are_the_tables(scenario: Scenario) -> None:
    book = ledger(load_sample(), scenario)
    table = book.pricing.table
    codes = book.names.get_indexer(table["artist"])
    n = len(book.names)
    streams = np.bincount(book.stream_artist, weights=book.stream_value, minlength=n)[codes]
    cds = np.bincount(book.cd_artist, weights=book.cd_value, minlength=n)[codes]
    assert np.allclose(streams, table["streaming_payout"], rtol=1e-12, atol=0)
    assert np.allclose(cds, table["cd_payout"], rtol=1e-12, atol=0)
    assert np.bincount(book.cd_artist, minlength=n)[codes].tolist() == table["albums"].tolist()


def test_a_ledger_of_some_artists_keeps_their_streams_and_cds_as_the_full_one() -> None:
    plays = load_sample()
    scenario = make_scenario(service="spotify", deal="indie", model="user-centric")
    full = ledger(plays, scenario)
    some = ledger(plays, scenario, top=2)
    assert some.pricing.table.equals(full.pricing.table)
    for name in ("Radiohead", "The Phoenix Foundation"):
        code = full.names.get_loc(name)
        for kind in ("stream", "cd"):
            mine = getattr(some, f"{kind}_artist") == code
            theirs = getattr(full, f"{kind}_artist") == code
            assert mine.sum() == theirs.sum() > 0
            assert getattr(some, f"{kind}_ticks")[mine].tolist() == (
                getattr(full, f"{kind}_ticks")[theirs].tolist()
            )
            assert getattr(some, f"{kind}_value")[mine].tolist() == (
                getattr(full, f"{kind}_value")[theirs].tolist()
            )
    assert set(some.stream_artist.tolist()) == {
        full.names.get_loc("Radiohead"),
        full.names.get_loc("The Phoenix Foundation"),
    }
