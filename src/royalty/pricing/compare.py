"""Streaming against CD income, per artist: the main job of royalty.

For each artist the listener played, :func:`compare` prices their qualifying
plays as streams (plays × rate) and the same listening as CD purchases (one CD
per album played often enough × the artist's margin per CD), both at the
artist level and in USD, and says when streams would catch up with the CDs.
Nothing is rounded here; rendering rounds.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any, Final

import numpy as np
import pandas as pd

from royalty.errors import DataFormatError
from royalty.pricing import _columns
from royalty.pricing.cd import albums_bought
from royalty.pricing.crossover import nth_play_ticks
from royalty.pricing.params import DEFAULT_PARAMS, CompareParams
from royalty.pricing.streaming import breakeven_plays, streams_win

RESULT_COLUMNS: Final[tuple[str, ...]] = (
    "artist",
    "plays",
    "albums",
    "streaming_payout",
    "cd_payout",
    "difference",
    "breakeven_plays",
    "crossover_date",
)
"""The columns of :func:`compare`'s result, in order."""

NEEDED_COLUMNS: Final[tuple[str, ...]] = ("played_at", "artist", "album", "duration_ms")
"""The plays columns :func:`compare` reads (load only these from the store)."""


def compare(plays: pd.DataFrame, params: CompareParams = DEFAULT_PARAMS) -> pd.DataFrame:
    """Price each artist's plays as streams and as CD purchases (artist level, USD).

    A play qualifies as a stream when its ``duration_ms`` is missing or at least
    ``params.min_seconds`` seconds; only qualifying plays count, on both sides.
    The listener is taken to have bought one CD of each of an artist's albums
    that they played at least ``params.min_album_plays`` times; plays with no
    album name count together as one album of that artist.

    Args:
        plays: plays in the schema of :mod:`royalty.schema`. Only ``played_at``
            and ``artist`` are required; ``album`` and ``duration_ms`` are read
            when present (absent means no album names, durations unknown).
            Rows need not be sorted. Plays without an artist are ignored.
        params: rate, CD margin and the two thresholds.

    Returns:
        One row per artist with at least one qualifying play, sorted by plays
        (most first), then by artist name; a fresh RangeIndex; columns:

        - ``artist`` (str);
        - ``plays`` (int64): qualifying plays;
        - ``albums`` (int64): CDs bought under the purchase model;
        - ``streaming_payout`` (float64): plays × rate;
        - ``cd_payout`` (float64): albums × cd_margin;
        - ``difference`` (float64): streaming_payout − cd_payout;
        - ``breakeven_plays`` (int64): smallest n with n × rate ≥ cd_payout,
          within a relative tolerance of 1e-9; 0 when cd_payout is 0;
        - ``crossover_date`` (datetime64, UTC, the resolution of ``played_at``):
          the start of the artist's ``breakeven_plays``-th qualifying play in
          time order; NaT when they have fewer plays or cd_payout is 0.

    Raises:
        DataFormatError: ``played_at`` or ``artist`` is missing.

    Example:
        >>> from royalty import load_sample
        >>> table = compare(load_sample(), CompareParams(rate=1 / 300))
        >>> round(float(table.set_index("artist").loc["Radiohead", "streaming_payout"]), 2)
        9.33
    """
    base = prepare(plays, params.min_seconds)
    out, _ = priced(base, params)
    return sort_result(out)


@dataclass(frozen=True)
class Prepared:
    """The qualifying plays as code arrays, shared by every pricing model.

    Attributes:
        artist: artist code of each qualifying play.
        album: album code of each qualifying play (-1 for none).
        ticks: start of each qualifying play, int64 ticks in ``unit``.
        unit: numpy time unit of ``ticks``.
        names: artist names, indexed by code.
        n_albums: number of album codes.
        keep: which input rows qualified, or None for all of them (so that a
            model can pick the same rows out of another column).
    """

    artist: np.ndarray[Any, np.dtype[np.integer]]
    album: np.ndarray[Any, np.dtype[np.integer]]
    ticks: np.ndarray[Any, np.dtype[np.int64]]
    unit: str
    names: pd.Index
    n_albums: int
    keep: np.ndarray[Any, np.dtype[np.bool_]] | None


def prepare(plays: pd.DataFrame, min_seconds: float) -> Prepared:
    """Code arrays of the qualifying plays (those with an artist and long enough)."""
    _columns.require(plays, ("played_at", "artist"))
    artists = _columns.codes(plays["artist"])
    if "album" in plays.columns:
        albums = _columns.codes(plays["album"])
    else:
        albums = _columns.Codes(np.full(len(plays), -1, dtype=np.int8), pd.Index([]))
    when = _columns.times(plays["played_at"])

    keep = _columns.qualifying(plays, min_seconds)
    artist_codes = artists.codes
    if len(artist_codes) and artist_codes.min() < 0:  # plays without an artist
        keep = artist_codes >= 0 if keep is None else keep & (artist_codes >= 0)
    album_codes, ticks = albums.codes, when.ticks
    if keep is not None:
        artist_codes, album_codes, ticks = artist_codes[keep], album_codes[keep], ticks[keep]
    return Prepared(
        artist_codes, album_codes, ticks, when.unit, artists.names, len(albums.names), keep
    )


def priced(
    base: Prepared, params: CompareParams, *, crossover: bool = True
) -> tuple[pd.DataFrame, np.ndarray[Any, np.dtype[np.intp]]]:
    """The compare columns, one row per played artist in code order, and those codes.

    With ``crossover=False`` the crossover dates are left NaT (for a model that
    works them out its own way; finding them is the costliest step).
    """
    n_artists = len(base.names)
    plays_per = np.bincount(base.artist, minlength=n_artists).astype(np.int64)
    albums_per = albums_bought(
        base.artist, base.album, n_artists, base.n_albums, params.min_album_plays
    )
    cd = albums_per * params.cd_margin
    nth = breakeven_plays(cd, params.rate)
    if crossover:  # nth is 0 without CDs
        when = nth_play_ticks(base.artist, base.ticks, nth, plays_per)
    else:
        when = np.full(n_artists, _columns.NAT, dtype=np.int64)

    played = np.flatnonzero(plays_per > 0)
    streaming = plays_per[played] * params.rate
    out = pd.DataFrame(
        {
            "artist": pd.Series(np.asarray(base.names.take(played), dtype=object), dtype=str),
            "plays": plays_per[played],
            "albums": albums_per[played],
            "streaming_payout": streaming,
            "cd_payout": cd[played],
            "difference": streaming - cd[played],
            "breakeven_plays": nth[played],
            "crossover_date": utc(when[played], base.unit),
        },
        columns=list(RESULT_COLUMNS),
    )
    return out, played


def sort_result(out: pd.DataFrame) -> pd.DataFrame:
    """Most plays first, then by artist name; a fresh RangeIndex."""
    out = out.sort_values(["plays", "artist"], ascending=[False, True], kind="stable")
    return out.reset_index(drop=True)


def utc(ticks: np.ndarray[Any, np.dtype[np.int64]], unit: str) -> pd.Series:
    """int64 ticks in ``unit`` (NaT as int64 min) as a UTC datetime Series."""
    stamps = pd.Series(ticks.view(f"datetime64[{unit}]"))
    return stamps.dt.tz_localize("UTC")


@dataclass(frozen=True)
class Totals:
    """Sums over the rows of a :func:`compare` result (artist level, USD).

    Attributes:
        artists: number of rows (artists).
        plays: qualifying plays.
        albums: CDs bought.
        streaming_payout: sum of the rows' streaming payouts.
        cd_payout: sum of the rows' CD payouts.
        difference: sum of the rows' differences.
        streaming_wins: artists whose streaming payout beat their CD payout
            (by more than the 1e-9 relative tolerance, so a tie is no win).
        breakeven_plays: the smallest n with n × rate ≥ the total cd_payout
            (same tolerance): the plays at which streams would match all the
            CDs together. 0 when there is no CD income.
    """

    artists: int
    plays: int
    albums: int
    streaming_payout: float
    cd_payout: float
    difference: float
    streaming_wins: int
    breakeven_plays: int

    def to_dict(self) -> dict[str, int | float]:
        """The totals as a plain dict, ready for JSON."""
        return asdict(self)


def totals(result: pd.DataFrame, params: CompareParams = DEFAULT_PARAMS) -> Totals:
    """Add up the rows of a :func:`compare` result (all of them, or a top slice).

    Args:
        result: a frame returned by :func:`compare`, or some of its rows.
        params: the parameters it was computed with (the rate sets the
            overall break-even).

    Raises:
        DataFormatError: ``result`` lacks one of the compare columns.

    Example:
        >>> from royalty import load_sample
        >>> table = compare(load_sample())
        >>> totals(table.head(20)).artists
        20
    """
    missing = [c for c in RESULT_COLUMNS[:6] if c not in result.columns]
    if missing:
        raise DataFormatError(f"not a compare result: missing column(s) {', '.join(missing)}")
    streaming = result["streaming_payout"].to_numpy(dtype=np.float64)
    cd = result["cd_payout"].to_numpy(dtype=np.float64)
    cd_total = float(cd.sum())
    return Totals(
        artists=len(result),
        plays=int(result["plays"].sum()),
        albums=int(result["albums"].sum()),
        streaming_payout=float(streaming.sum()),
        cd_payout=cd_total,
        difference=float(result["difference"].to_numpy(dtype=np.float64).sum()),
        streaming_wins=int(streams_win(streaming, cd).sum()),
        breakeven_plays=int(breakeven_plays([cd_total], params.rate)[0]),
    )
