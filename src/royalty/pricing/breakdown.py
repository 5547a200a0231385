"""Breakdowns of :func:`~royalty.pricing.price`: per artist and year, per artist and album.

The figures are the ones :func:`~royalty.pricing.price` adds up per artist,
cut along time or albums instead, so that a year's rows (or an artist's
albums) add up to the artist's row of ``compare``:

- a **play** is a qualifying play, as in ``compare`` (long enough, with an
  artist); it earns the per-stream rate (pro-rata) or its month's share of the
  listener's fee (user-centric: every play of a month is worth that month's
  pool over that month's plays, the same split as
  :func:`~royalty.pricing.user_centric.user_centric_split`);
- a **CD** is bought at the play where its album reaches ``min_album_plays``
  qualifying plays, so it falls in that play's calendar year (UTC) and its
  date is that play's start; plays with no album name count together as one
  album of the artist (the "no album" row), as ``compare`` counts them;
- a **download** is bought the same way, at the play where its track
  reaches ``min_track_plays`` plays (plays with no track title count
  together as one track), and belongs to that play's year and album.

Amounts are at the scenario's level and in its currency; nothing is rounded.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Final

import numpy as np
import numpy.typing as npt
import pandas as pd

from royalty.errors import DataFormatError, UsageError
from royalty.pricing import _columns
from royalty.pricing.compare import Prepared, prepare, utc
from royalty.pricing.scenario import STORE_CUT, Scenario
from royalty.pricing.user_centric import user_centric_split

_MONEY: Final = ("streaming_payout", "cd_payout", "difference")


def _money_columns(scenario: Scenario) -> list[str]:
    """The money columns of a breakdown row, in order, for ``scenario``."""
    extra: list[str] = []
    if scenario.model == "user-centric":
        extra += ["pro_rata_payout", "user_centric_payout"]
    if scenario.downloads:
        extra.append("download_payout")
    return [*_MONEY, *extra]


def year_columns(scenario: Scenario, *, total: bool = False) -> tuple[str, ...]:
    """The columns :func:`by_year` returns for ``scenario``, in order.

    Example:
        >>> from royalty.pricing import make_scenario
        >>> year_columns(make_scenario())[:4]
        ('artist', 'year', 'plays', 'albums')
    """
    who = ("year", "artists") if total else ("artist", "year")
    running = ("cumulative_streaming_payout", "cumulative_cd_payout", "cumulative_difference")
    return (*who, "plays", "albums", *_money_columns(scenario), *running)


def album_columns(scenario: Scenario) -> tuple[str, ...]:
    """The columns :func:`by_album` returns for ``scenario``, in order.

    Example:
        >>> from royalty.pricing import make_scenario
        >>> album_columns(make_scenario())[:5]
        ('artist', 'album', 'plays', 'bought', 'bought_on')
    """
    return ("artist", "album", "plays", "bought", "bought_on", *_money_columns(scenario))


def _reached(
    artist: npt.NDArray[np.integer],
    key: npt.NDArray[np.integer],
    ticks: npt.NDArray[np.int64],
    n_keys: int,
    min_plays: int,
) -> npt.NDArray[np.intp]:
    """Index of the play at which each (artist, key) pair reaches ``min_plays`` plays.

    Key -1 (no album, no track) is one more key per artist, as in
    :func:`~royalty.pricing.cd.albums_bought`, so the pairs found here are
    exactly the ones it counts.
    """
    pair = artist.astype(np.int64) * (n_keys + 1) + key + 1
    order = np.lexsort((ticks, pair))  # by pair, then in time order
    ranked = pair[order]
    first = np.flatnonzero(np.r_[True, ranked[1:] != ranked[:-1]])
    size = np.diff(np.r_[first, len(ranked)])
    hits = first[size >= min_plays] + (min_plays - 1)
    found: npt.NDArray[np.intp] = order[hits]
    return found


@dataclass(frozen=True)
class _Priced:
    """The qualifying plays, what each earns, and the plays that bought something.

    Attributes:
        base: the prepared code arrays (as :func:`price` prepares them).
        value: each play's user-centric value, or None under pro-rata (every
            play earns the rate).
        cd_at: indices of the plays at which an album reached its plays.
        download_at: indices of the plays at which a track reached its
            plays, or None without downloads.
    """

    base: Prepared
    value: npt.NDArray[np.float64] | None
    cd_at: npt.NDArray[np.intp]
    download_at: npt.NDArray[np.intp] | None


def _priced(plays: pd.DataFrame, scenario: Scenario) -> _Priced:
    """Price the plays one by one, keeping only arrays (millions of plays stay cheap)."""
    if scenario.project_to is not None:
        raise UsageError("a breakdown covers the plays you have; it takes no projection date")
    params = scenario.params
    base = prepare(plays, params.min_seconds)
    n = len(base.artist)
    if n and bool((base.ticks == _columns.NAT).any()):
        raise DataFormatError("some plays have no time, so they fit in no year")
    value = None
    if scenario.model == "user-centric":
        assert scenario.share is not None  # Scenario checks this for the user-centric model
        # Each play as its own "artist": the split then gives every play's own value.
        split = user_centric_split(
            np.arange(n), base.ticks, base.unit, n, scenario.pool * scenario.share
        )
        value = split.payout
    cd_at = _reached(base.artist, base.album, base.ticks, base.n_albums, params.min_album_plays)
    download_at = None
    if scenario.downloads:
        if "track" not in plays.columns:
            raise DataFormatError(
                "pricing downloads needs the plays' track column; load it with the others"
            )
        tracks = _columns.codes(plays["track"])
        track = tracks.codes if base.keep is None else tracks.codes[base.keep]
        download_at = _reached(
            base.artist, track, base.ticks, len(tracks.names), scenario.min_track_plays
        )
    return _Priced(base, value, cd_at, download_at)


def _sums(
    priced: _Priced, group: npt.NDArray[np.intp], n_groups: int, scenario: Scenario
) -> dict[str, Any]:
    """Plays, CDs and money per group, given each play's group."""
    fx = 1.0 if scenario.fx is None else scenario.fx
    params = scenario.params
    plays = np.bincount(group, minlength=n_groups).astype(np.int64)
    albums = np.bincount(group[priced.cd_at], minlength=n_groups).astype(np.int64)
    pro_rata = plays * (params.rate * fx)
    out: dict[str, Any] = {"plays": plays, "albums": albums, "streaming_payout": pro_rata}
    if priced.value is not None:
        uc = np.bincount(group, weights=priced.value, minlength=n_groups) * fx
        out.update(streaming_payout=uc, pro_rata_payout=pro_rata, user_centric_payout=uc)
    out["cd_payout"] = albums * (params.cd_margin * fx)
    out["difference"] = out["streaming_payout"] - out["cd_payout"]
    if priced.download_at is not None:
        assert scenario.share is not None  # Scenario checks this when downloads are on
        each = scenario.track_price * (1.0 - STORE_CUT) * scenario.share * fx
        out["download_payout"] = np.bincount(group[priced.download_at], minlength=n_groups) * each
    return out


def _groups(
    artist: npt.NDArray[np.integer], other: npt.NDArray[np.integer], width: int
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.intp]]:
    """The (artist, other) pairs that occur, and each play's index into them.

    ``other`` runs from -1 to ``width - 2``.
    """
    key = artist.astype(np.int64) * width + other + 1
    pairs, group = np.unique(key, return_inverse=True)
    return pairs, group.reshape(-1)


def _artist_order(base: Prepared, top: int) -> tuple[pd.Series, int]:
    """Rank of the kept artist codes as ``compare`` sorts them (plays, then name),
    and how many artists played."""
    counts = np.bincount(base.artist, minlength=len(base.names))
    played = np.flatnonzero(counts)
    order = pd.DataFrame(
        {"code": played, "plays": counts[played], "artist": base.names.take(played).astype(str)}
    )
    order = order.sort_values(["plays", "artist"], ascending=[False, True], kind="stable")
    rank = pd.Series(np.arange(len(order)), index=order["code"].to_numpy())
    return (rank if top == 0 else rank[rank < top]), len(played)


def _scoped(out: pd.DataFrame, kept: int, played: int) -> pd.DataFrame:
    """Record in ``attrs`` how many artists were kept out of how many played."""
    out.attrs["artists_kept"] = kept
    out.attrs["artists_played"] = played
    return out


def _names(index: pd.Index, codes: npt.NDArray[np.integer]) -> pd.Series:
    return pd.Series(np.asarray(index.take(codes), dtype=object), dtype=str)


def by_year(
    plays: pd.DataFrame, scenario: Scenario | None = None, *, top: int = 0, total: bool = False
) -> pd.DataFrame:
    """Each artist's plays, streams, CDs and income per calendar year (UTC), with running totals.

    Args:
        plays: plays in the schema of :mod:`royalty.schema` (``track`` only
            for downloads).
        scenario: what to price (level, currency, model, downloads); default
            the foundation's parameters. A projection date is refused.
        top: keep the ``top`` artists of ``compare``'s order (most plays
            first); 0 keeps every one.
        total: one row per year for all the (kept) artists together, with
            ``artists`` (how many played that year) instead of ``artist``.

    Returns:
        The columns of :func:`year_columns`: per artist (in ``compare``'s
        order) and year (oldest first), ``plays`` (qualifying plays that
        year), ``albums`` (CDs bought that year), ``streaming_payout``,
        ``cd_payout``, ``difference`` and the scenario's extra money columns,
        then the running totals since the artist's first year (or the
        first year, with ``total``). Only years with a play have a row.
        ``attrs`` holds ``artists_kept`` and ``artists_played`` (before ``top``).

    Raises:
        DataFormatError: a needed column is missing, or a play has no time.
        UsageError: the scenario has a projection date.

    Example:
        >>> from royalty import load_sample
        >>> from royalty.pricing import make_scenario
        >>> years = by_year(load_sample(), make_scenario(rate=0.003), top=1)
        >>> years["artist"].unique().tolist()
        ['Radiohead']
    """
    scenario = scenario or Scenario()
    priced = _priced(plays, scenario)
    base = priced.base
    years = base.ticks.view(f"datetime64[{base.unit}]").astype("datetime64[Y]").astype(np.int64)
    first = int(years.min()) if len(years) else 0
    width = int(years.max()) - first + 2 if len(years) else 1
    pairs, group = _groups(base.artist, years - first, width)
    out = pd.DataFrame(_sums(priced, group, len(pairs), scenario))
    out["code"] = pairs // width
    out["year"] = pairs % width - 1 + first + 1970
    rank, played = _artist_order(base, top)
    out["rank"] = rank.reindex(out["code"]).to_numpy()
    out = out[out["rank"].notna()]
    if total:
        sums = [c for c in out.columns if c not in ("code", "year", "rank", "difference")]
        summed = out.groupby("year", sort=True)
        out = summed[sums].sum().reset_index()
        out["artists"] = summed.size().to_numpy()
        out["difference"] = out["streaming_payout"] - out["cd_payout"]
        key: list[str] | None = None
    else:
        out = out.sort_values(["rank", "year"], kind="stable").reset_index(drop=True)
        out["artist"] = _names(base.names, out["code"].to_numpy())
        key = ["code"]
    for name in ("streaming_payout", "cd_payout", "difference"):
        running = out[name].cumsum() if key is None else out.groupby(key)[name].cumsum()
        out[f"cumulative_{name}"] = running
    columns = list(year_columns(scenario, total=total))
    return _scoped(out.loc[:, columns].reset_index(drop=True), len(rank), played)


def by_album(
    plays: pd.DataFrame, scenario: Scenario | None = None, *, top: int = 0
) -> pd.DataFrame:
    """Each artist's albums: plays, whether the CD was bought and when, and the income.

    Args:
        plays: plays in the schema of :mod:`royalty.schema` (``album`` is read
            when present; ``track`` only for downloads).
        scenario: what to price; default the foundation's parameters. A
            projection date is refused.
        top: keep the ``top`` artists of ``compare``'s order; 0 keeps all.

    Returns:
        The columns of :func:`album_columns`, one row per artist (in
        ``compare``'s order) and album (most plays first, then by name):
        ``album`` (None for the artist's plays with no album name, which
        count together as one album), ``plays``, ``bought`` (it reached
        ``min_album_plays``), ``bought_on`` (UTC start of the play that
        reached it, NaT if not bought), ``streaming_payout``, ``cd_payout``
        (the CD margin if bought), ``difference`` and the scenario's extra
        money columns (downloads count for the album of the play that bought
        the track). ``attrs`` holds ``artists_kept`` and ``artists_played``.

    Raises:
        DataFormatError: a needed column is missing.
        UsageError: the scenario has a projection date.

    Example:
        >>> from royalty import load_sample
        >>> from royalty.pricing import make_scenario
        >>> albums = by_album(load_sample(), make_scenario(min_album_plays=10), top=1)
        >>> int(albums["bought"].sum()) == int(albums["cd_payout"].gt(0).sum())
        True
    """
    scenario = scenario or Scenario()
    priced = _priced(plays, scenario)
    base = priced.base
    width = base.n_albums + 1
    pairs, group = _groups(base.artist, base.album, width)
    out = pd.DataFrame(_sums(priced, group, len(pairs), scenario))
    when = np.full(len(pairs), _columns.NAT, dtype=np.int64)
    when[group[priced.cd_at]] = base.ticks[priced.cd_at]
    out["code"] = pairs // width
    album = pairs % width - 1
    # The same names prepare() coded the albums with: factorising is deterministic.
    names = _columns.codes(plays["album"]).names if "album" in plays.columns else pd.Index([])
    labels = np.full(len(album), None, dtype=object)
    named = album >= 0
    labels[named] = np.asarray(names.astype(str), dtype=object)[album[named]]
    out["album"] = pd.Series(labels, dtype=object)
    out["bought"] = out["albums"].to_numpy() > 0
    out["bought_on"] = utc(when, base.unit)
    rank, played = _artist_order(base, top)
    out["rank"] = rank.reindex(out["code"]).to_numpy()
    out = out[out["rank"].notna()].reset_index(drop=True)
    out["artist"] = _names(base.names, out["code"].to_numpy())
    out["sort_name"] = out["album"].fillna("")
    out = out.sort_values(
        ["rank", "plays", "sort_name"], ascending=[True, False, True], kind="stable"
    )
    columns = list(album_columns(scenario))
    return _scoped(out.loc[:, columns].reset_index(drop=True), len(rank), played)
