"""Breakdowns of :func:`~royalty.pricing.price`: per artist and year, per artist and album.

The same money :func:`~royalty.pricing.price` adds up per artist, cut along
time or albums, priced by the same code (:func:`~royalty.pricing.price.prepare_book`,
:func:`~royalty.pricing.price.stream_values`, :func:`~royalty.pricing.money.cd_prices`),
so an artist's years (or albums) add up to the artist's row of ``price``,
low and high included:

- a **paid stream** earns its year's figures (user-centric: its month's
  share of the fee), in the scenario's dollars;
- a **CD** is bought at the paid stream where its album reaches
  ``min_album_plays``, so it falls in that stream's calendar year (UTC) and is
  priced at that year's figures; streams with no album name buy no CD and
  form the artist's "no album" row;
- a **download** is bought where its track reaches ``min_track_plays`` paid
  streams, in that stream's year (and, by album, that stream's album).

``plays`` counts every play (paid or not); a play without a time fits in no
year and is left out of the years (:attr:`Breakdown.plays_without_time`).
Nothing is rounded.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import numpy.typing as npt
import pandas as pd

from royalty.pricing import _columns
from royalty.pricing.breakdown_parts import (
    RUNNING_COLUMNS,
    SPAN_COLUMNS,
    Breakdown,
    album_columns,
    group_money,
    reaching,
    setup,
    year_columns,
)
from royalty.pricing.plays import Ints, cells, pair_ids
from royalty.pricing.scenario import Scenario
from royalty.pricing.timeutil import utc

__all__ = [
    "RUNNING_COLUMNS",
    "SPAN_COLUMNS",
    "Breakdown",
    "album_breakdown",
    "album_columns",
    "by_album",
    "by_year",
    "year_breakdown",
    "year_columns",
]


def _groups(keys: Ints, size: int) -> tuple[Ints, Ints, Callable[[Ints], Ints]]:
    """The keys that occur (sorted), each key's index among them, and a lookup for others.

    Keys below ``size`` are numbered through one dense table when it is no
    bigger than a few times the keys (one pass, no sort); otherwise by sorting.
    """
    if size <= max(4 * len(keys), 1 << 16):
        present = np.zeros(size + 1, dtype=np.int64)
        present[keys] = 1
        groups = np.flatnonzero(present[:size])
        index = np.cumsum(present) - 1

        def dense(found: Ints) -> Ints:
            looked: Ints = index[found]
            return looked

        return groups, dense(keys), dense
    groups, inverse = np.unique(keys, return_inverse=True)

    def sorted_(found: Ints) -> Ints:
        looked: Ints = np.searchsorted(groups, found)
        return looked

    return groups, inverse.reshape(-1), sorted_


def year_breakdown(
    plays: pd.DataFrame, scenario: Scenario | None = None, *, top: int = 0, total: bool = False
) -> Breakdown:
    """:func:`by_year` with the figures it used (see :class:`Breakdown`)."""
    parts = setup(plays, scenario, top)
    base, s = parts.base, parts.book.scenario
    when = _columns.times(plays["played_at"]).ticks
    timed = (parts.artist >= 0) & (when != _columns.NAT)
    counted = parts.artist >= 0
    missing = np.bincount(parts.artist[counted & ~timed], minlength=base.n_artists)
    year = when[timed].view(f"datetime64[{base.unit}]").astype("datetime64[Y]").astype(np.int64)
    first = int(year.min()) if len(year) else 0
    width = int(year.max()) - first + 1 if len(year) else 1

    def key(artist: npt.NDArray[np.integer], years: Ints) -> Ints:
        return artist.astype(np.int64) * width + (years - 1970 - first)

    every = key(parts.artist[timed], year + 1970)
    groups, play_group, find = _groups(every, base.n_artists * width)
    n = len(groups)
    stream_year = base.years[base.month] if len(base.month) else np.zeros(0, dtype=np.int64)
    stream_group = find(key(base.artist, stream_year))
    cd_group = find(key(parts.cds.bought.artist, parts.cds.bought.year))
    dl_group = None
    if parts.downloads is not None:
        bought = parts.downloads.bought
        dl_group = find(key(bought.artist, bought.year))
    out = pd.DataFrame(
        {
            "code": groups // width,
            "year": groups % width + first + 1970,
            "plays": np.bincount(play_group, minlength=n),
            "streams": np.bincount(stream_group, minlength=n),
            "albums": np.bincount(cd_group, minlength=n),
            **group_money(parts, stream_group, cd_group, dl_group, n),
        }
    )
    out["rank"] = parts.rank.reindex(out["code"]).to_numpy()
    out = out[out["rank"].notna()]
    kept = parts.rank.index.to_numpy()
    if total:
        sums = [c for c in year_columns(s, total=True)[2:] if c not in RUNNING_COLUMNS]
        summed = out.groupby("year", sort=True)
        out = summed[sums].sum().reset_index()
        out.insert(1, "artists", summed.size().to_numpy())
        by = "year-total"
    else:
        out = out.sort_values(["rank", "year"], kind="stable").reset_index(drop=True)
        names = np.asarray(base.names.take(out["code"].to_numpy()), dtype=object)
        out["artist"] = pd.Series(names, dtype=str)
        by = "year"
    for name in ("streaming_payout", "cd_payout", "difference"):
        runs = out[name].cumsum() if total else out.groupby("code")[name].cumsum()
        out[f"cumulative_{name}"] = runs
    columns = list(year_columns(s, total=total))
    table = out.loc[:, columns].reset_index(drop=True)
    lost = int(missing[kept].sum()) if len(kept) else 0
    return Breakdown(table, parts.book, by, len(parts.rank), parts.played, lost)


def album_breakdown(
    plays: pd.DataFrame, scenario: Scenario | None = None, *, top: int = 0
) -> Breakdown:
    """:func:`by_album` with the figures it used (see :class:`Breakdown`)."""
    parts = setup(plays, scenario, top)
    base, s, cds = parts.base, parts.book.scenario, parts.cds
    n_rows = len(parts.artist)
    albums = (
        _columns.codes(plays["album"])
        if "album" in plays.columns
        else _columns.Codes(np.full(n_rows, -1, dtype=np.int8), pd.Index([]))
    )
    named = parts.artist >= 0
    pairs = pair_ids(parts.artist[named], albums.codes[named], len(albums.names))
    # An artist's streams with no album name are one more group: pairs.n + artist code.
    n = pairs.n + base.n_artists
    row_group = np.full(n_rows, -1, dtype=np.int64)
    row_artist = parts.artist[named].astype(np.int64)
    row_group[named] = np.where(pairs.ids < pairs.n, pairs.ids, pairs.n + row_artist)
    group_artist = np.concatenate([pairs.artist, np.arange(base.n_artists, dtype=np.int64)])
    group_album = np.full(n, -1, dtype=np.int64)
    group_album[row_group[named]] = albums.codes[named]
    stream_group = row_group if base.keep is None else row_group[base.keep]

    k = s.min_album_plays
    reached = reaching(cds.bought.member(), base.ticks, len(cds.bought.artist), k)
    cd_group = stream_group[reached]
    dl_group = None
    if parts.downloads is not None:
        bought = parts.downloads.bought
        dl_group = stream_group[
            reaching(bought.member(), base.ticks, len(bought.artist), s.min_track_plays)
        ]
    assert base.track is not None
    tracks = cells(stream_group, base.track + 1, base.n_tracks + 1)
    bought_on = np.full(n, _columns.NAT, dtype=np.int64)
    bought_on[cd_group] = base.ticks[reached]
    cd_year = pd.array(np.zeros(n, dtype=np.int64), dtype="Int64")
    cd_year[:] = pd.NA
    cd_year[cd_group] = cds.bought.year
    labels = np.full(n, None, dtype=object)
    has_name = group_album >= 0
    labels[has_name] = np.asarray(albums.names.astype(str), dtype=object)[group_album[has_name]]
    out = pd.DataFrame(
        {
            "code": group_artist,
            "album": pd.Series(labels, dtype=object),
            "plays": np.bincount(row_group[named], minlength=n),
            "streams": np.bincount(stream_group, minlength=n),
            "tracks": _tracks(np.bincount(tracks.outer, minlength=n), "track" in plays.columns),
            "bought": np.bincount(cd_group, minlength=n) > 0,
            "bought_on": utc(bought_on, base.unit),
            "cd_year": cd_year,
            **group_money(parts, stream_group, cd_group, dl_group, n),
        }
    )
    out["rank"] = parts.rank.reindex(out["code"]).to_numpy()
    out = out[out["rank"].notna() & (out["plays"] > 0)].reset_index(drop=True)
    out["artist"] = pd.Series(
        np.asarray(base.names.take(out["code"].to_numpy()), dtype=object), dtype=str
    )
    out["sort_name"] = out["album"].fillna("")
    out = out.sort_values(
        ["rank", "streams", "plays", "sort_name"],
        ascending=[True, False, False, True],
        kind="stable",
    )
    table = out.loc[:, list(album_columns(s))].reset_index(drop=True)
    return Breakdown(table, parts.book, "album", len(parts.rank), parts.played, 0)


def _tracks(counted: Ints, known: bool) -> pd.api.extensions.ExtensionArray:
    """Distinct tracks per album, or missing throughout when the plays carry no titles."""
    out = pd.array(counted, dtype="Int64")
    if not known:
        out[:] = pd.NA
    return out


def by_year(
    plays: pd.DataFrame, scenario: Scenario | None = None, *, top: int = 0, total: bool = False
) -> pd.DataFrame:
    """Each artist's plays, streams, CDs and money per calendar year (UTC), with running totals.

    Args:
        plays: plays in the schema of :mod:`royalty.schema`, as for
            :func:`~royalty.pricing.price`.
        scenario: what to price; default the foundation. A projection date is refused.
        top: keep the first ``top`` artists of ``price``'s order (most paid
            streams first); 0 keeps every one.
        total: one row per year for all the (kept) artists together, with
            ``artists`` (how many played that year) instead of ``artist``.

    Returns:
        The columns of :func:`year_columns`: per artist (in ``price``'s order)
        and year (oldest first): ``plays`` (every play that year), ``streams``
        (paid), ``albums`` (CDs bought that year), the streaming money of the
        year's streams at that year's figures, the money of the year's CDs at
        that year's figures (each with ``_low`` and ``_high``), ``difference``,
        the scenario's extra columns, then running totals. Amounts in US
        dollars of the scenario's year (default: the last play's), times ``fx``.
        An artist's years add up to their row of ``price``.

    Raises:
        DataFormatError: a needed column is missing.
        UsageError: the scenario has a projection date, or ``top`` is negative.

    Example:
        >>> from royalty import load_sample
        >>> years = by_year(load_sample(), top=1)
        >>> years["artist"].unique().tolist()
        ['Radiohead']
    """
    return year_breakdown(plays, scenario, top=top, total=total).table


def by_album(
    plays: pd.DataFrame, scenario: Scenario | None = None, *, top: int = 0
) -> pd.DataFrame:
    """Each artist's albums: plays, whether and when the CD was bought, and the money.

    Args:
        plays: plays in the schema of :mod:`royalty.schema`.
        scenario: what to price; default the foundation. A projection date is refused.
        top: keep the first ``top`` artists of ``price``'s order; 0 keeps all.

    Returns:
        The columns of :func:`album_columns`, one row per artist (in
        ``price``'s order) and album (most paid streams first): ``album``
        (None for the streams with no album name, which buy no CD),
        ``plays`` (every play), ``streams`` (paid), ``tracks`` (distinct
        tracks streamed: a CD's publishing money counts them; missing without
        a ``track`` column), ``bought``,
        ``bought_on`` (UTC start of the stream at which the album reached
        ``min_album_plays``; NaT if not bought), ``cd_year`` (the year whose
        figures priced the CD), the album's streaming money and CD money
        (each with ``_low`` and ``_high``), ``difference`` and the
        scenario's extra columns (a download counts for the album of the
        stream that bought it). An artist's albums add up to their row of ``price``.

    Raises:
        DataFormatError: a needed column is missing.
        UsageError: the scenario has a projection date, or ``top`` is negative.

    Example:
        >>> from royalty import load_sample
        >>> albums = by_album(load_sample(), top=1)
        >>> bool((albums["bought"] == albums["cd_payout"].gt(0)).all())
        True
    """
    return album_breakdown(plays, scenario, top=top).table
