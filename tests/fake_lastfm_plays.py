"""Plays for the fake Last.fm server, and the same plays as rows to compare with the store."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from fake_lastfm import Play


def make_plays(n: int, *, start: int = 1_500_000_000, step: int = 180, seed: int = 0) -> list[Play]:
    """``n`` plays ``step`` seconds apart from ``start``, with MBIDs on some of them."""
    plays = []
    for i in range(n):
        k = (i * 7919 + seed) % 97
        mbid = f"{k:08x}-0000-4000-8000-{i:012x}"
        plays.append(
            Play(
                uts=start + i * step,
                artist=f"Artist {k % 13}",
                track=f"Track {k}",
                album=f"Album {k % 29}" if k % 5 else "",
                artist_mbid=mbid if k % 3 else "",
                album_mbid=mbid if k % 4 == 1 else "",
                track_mbid=mbid if k % 2 else "",
            )
        )
    return plays


def expected_rows(plays: Iterable[Play]) -> list[tuple[Any, ...]]:
    """The plays as sorted (time, artist, track, album, mbids…) rows, missing text as None."""
    from datetime import UTC, datetime

    return sorted(
        (
            (
                datetime.fromtimestamp(p.uts, UTC),
                p.artist.strip(),
                p.track.strip(),
                p.album.strip() or None,
                p.artist_mbid or None,
                p.album_mbid or None,
                p.track_mbid or None,
            )
            for p in plays
        ),
        key=_row_key,
    )


def stored_rows(user: str) -> list[tuple[Any, ...]]:
    """The same rows, read back from the store (empty when nothing is stored)."""
    import pandas as pd

    from royalty import store

    if not store.has_user(user):
        return []
    frame = store.load(user)
    cols = ["artist", "track", "album", "artist_mbid", "album_mbid", "track_mbid"]
    rows = []
    for rec in frame[["played_at", *cols]].itertuples(index=False):
        when = rec[0].to_pydatetime()
        rows.append((when, *(None if pd.isna(v) else str(v) for v in rec[1:])))
    return sorted(rows, key=_row_key)


def _row_key(row: tuple[Any, ...]) -> tuple[Any, ...]:
    return (row[0], *((v is None, v or "") for v in row[1:]))
