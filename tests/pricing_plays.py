"""Tiny play frames for the pricing tests, with the store's dtypes."""

from __future__ import annotations

import pandas as pd

Row = tuple[str, str, str | None, str | None]
"""(UTC time, artist, album or None, track or None) of one long enough play."""


def frame(rows: list[Row], durations: list[int | None] | None = None) -> pd.DataFrame:
    """The columns ``price`` reads; every play lasts 200 s unless ``durations`` says."""
    return pd.DataFrame(
        {
            "played_at": pd.to_datetime([r[0] for r in rows], utc=True).as_unit("ms"),
            "artist": pd.Categorical([r[1] for r in rows]),
            "album": pd.Categorical([r[2] for r in rows]),
            "track": pd.Categorical([r[3] for r in rows]),
            "duration_ms": pd.array(
                durations if durations is not None else [200_000] * len(rows), dtype="Int64"
            ),
        }
    )


def repeat(when: str, artist: str, album: str | None, tracks: list[str | None]) -> list[Row]:
    """One play of each of ``tracks`` at ``when`` (a track may repeat)."""
    return [(when, artist, album, track) for track in tracks]


def row(table: pd.DataFrame, artist: str) -> pd.Series:
    """The one row of ``artist`` in a price result."""
    found = table[table["artist"] == artist]
    assert len(found) == 1, f"expected one row for {artist!r}"
    return found.iloc[0]


def cpi(year: int) -> float:
    """CPI-U annual averages (BLS CUUR0000SA0), typed from PRICING-FACTS.md."""
    return CPI_U[year]


CPI_U = {
    2004: 188.9,
    2005: 195.3,
    2006: 201.6,
    2007: 207.342,
    2008: 215.303,
    2009: 214.537,
    2010: 218.056,
    2011: 224.939,
    2012: 229.594,
    2013: 232.957,
    2014: 236.736,
    2015: 237.017,
    2016: 240.007,
    2017: 245.120,
    2018: 251.107,
    2019: 255.657,
    2020: 258.811,
    2021: 270.970,
    2022: 292.655,
    2023: 304.702,
    2024: 313.689,
}
"""The 2004-2024 table of PRICING-FACTS.md, typed by hand (not read from figures.toml)."""
