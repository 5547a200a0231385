"""A summary of a listening history: how much, how long, who."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import pandas as pd


@dataclass(frozen=True)
class Stats:
    """What ``royalty stats`` reports.

    Attributes:
        plays: every play in the history (short plays included).
        first_play: start of the earliest play (UTC), None when empty.
        last_play: start of the latest play (UTC), None when empty.
        artists: distinct artist names.
        albums: distinct (artist, album) pairs among plays that name an album.
        tracks: distinct (artist, track) pairs.
        plays_per_week: plays divided by the weeks between first and last play
            (at least one week, so a short history is not inflated).
        top_artists: the most played artists: columns ``artist`` and ``plays``.
    """

    plays: int
    first_play: datetime | None
    last_play: datetime | None
    artists: int
    albums: int
    tracks: int
    plays_per_week: float
    top_artists: pd.DataFrame


def summarize(plays: pd.DataFrame, *, top: int = 10) -> Stats:
    """Summarise a plays frame (schema columns ``played_at``, ``artist``, ``album``, ``track``).

    Example:
        >>> from royalty import load_sample
        >>> summarize(load_sample()).plays
        60000
    """
    n = len(plays)
    if n == 0:
        empty = pd.DataFrame(
            {"artist": pd.Series([], dtype="str"), "plays": pd.Series([], dtype="int64")}
        )
        return Stats(0, None, None, 0, 0, 0, 0.0, empty)
    first = plays["played_at"].min()
    last = plays["played_at"].max()
    weeks = max((last - first) / pd.Timedelta(weeks=1), 1.0)
    artist = plays["artist"]
    with_album = plays[plays["album"].notna()]
    counts = artist.value_counts(sort=False)
    counts = counts[counts > 0]
    ranked = pd.DataFrame({"artist": counts.index.astype(str), "plays": counts.to_numpy("int64")})
    ranked = ranked.sort_values(["plays", "artist"], ascending=[False, True], ignore_index=True)
    return Stats(
        plays=n,
        first_play=first.to_pydatetime(),
        last_play=last.to_pydatetime(),
        artists=int(artist.nunique()),
        albums=_distinct_pairs(with_album, "album"),
        tracks=_distinct_pairs(plays, "track"),
        plays_per_week=n / weeks,
        top_artists=ranked.head(top).reset_index(drop=True),
    )


def _distinct_pairs(plays: pd.DataFrame, column: str) -> int:
    """Distinct (artist, column) pairs, counted on category codes where possible."""
    pairs = pd.DataFrame(
        {
            "a": _codes(plays["artist"]),
            "b": _codes(plays[column]),
        }
    )
    return len(pairs.drop_duplicates())


def _codes(series: pd.Series) -> pd.Series:
    if isinstance(series.dtype, pd.CategoricalDtype):
        return pd.Series(series.cat.codes.to_numpy())
    return pd.Series(pd.factorize(series)[0])
