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


def _per_play(plays: pd.DataFrame, scenario: Scenario) -> tuple[Prepared, pd.DataFrame]:
    """Each qualifying play's artist, album, year and money, and the prepared codes."""
    if scenario.project_to is not None:
        raise UsageError("a breakdown covers the plays you have; it takes no projection date")
    params = scenario.params
    base = prepare(plays, params.min_seconds)
    n = len(base.artist)
    if n and bool((base.ticks == _columns.NAT).any()):
        raise DataFormatError("some plays have no time, so they fit in no year")
    fx = 1.0 if scenario.fx is None else scenario.fx
    pro_rata = np.full(n, params.rate * fx)
    money: dict[str, Any] = {"pro_rata_payout": pro_rata, "streaming_payout": pro_rata}
    if scenario.model == "user-centric":
        assert scenario.share is not None  # Scenario checks this for the user-centric model
        # Each play as its own "artist": the split then gives every play's own value.
        split = user_centric_split(
            np.arange(n), base.ticks, base.unit, n, scenario.pool * scenario.share
        )
        money["user_centric_payout"] = money["streaming_payout"] = split.payout * fx
    cds = np.zeros(n, dtype=np.int64)
    cds[_reached(base.artist, base.album, base.ticks, base.n_albums, params.min_album_plays)] = 1
    money["albums"] = cds
    money["cd_payout"] = cds * (params.cd_margin * fx)
    if scenario.downloads:
        money["download_payout"] = _downloads(plays, base, scenario) * fx
    stamps = base.ticks.view(f"datetime64[{base.unit}]")
    frame = pd.DataFrame(
        {
            "code": base.artist,
            "album_code": base.album,
            "year": stamps.astype("datetime64[Y]").astype(np.int64) + 1970,
            "plays": np.ones(n, dtype=np.int64),
            **money,
        }
    )
    return base, frame


def _downloads(plays: pd.DataFrame, base: Prepared, scenario: Scenario) -> npt.NDArray[Any]:
    """Per qualifying play, the download income bought at that play (mostly 0)."""
    assert scenario.share is not None  # Scenario checks this when downloads are on
    if "track" not in plays.columns:
        raise DataFormatError(
            "pricing downloads needs the plays' track column; load it with the others"
        )
    tracks = _columns.codes(plays["track"])
    track = tracks.codes if base.keep is None else tracks.codes[base.keep]
    out = np.zeros(len(base.artist))
    hits = _reached(base.artist, track, base.ticks, len(tracks.names), scenario.min_track_plays)
    out[hits] = scenario.track_price * (1.0 - STORE_CUT) * scenario.share
    return out


def _artist_order(frame: pd.DataFrame, names: pd.Index, top: int) -> pd.Series:
    """Rank of each artist code as ``compare`` sorts them (plays, then name), the first ``top``."""
    counts = frame.groupby("code")["plays"].sum()
    order = pd.DataFrame({"code": counts.index, "plays": counts.to_numpy()})
    order["artist"] = [str(names[c]) for c in order["code"]]
    order = order.sort_values(["plays", "artist"], ascending=[False, True], kind="stable")
    rank = pd.Series(np.arange(len(order)), index=order["code"].to_numpy())
    return rank if top == 0 else rank[rank < top]


def _scope(out: pd.DataFrame, rank: pd.Series, kept: pd.Series) -> pd.DataFrame:
    """Record in ``attrs`` how many artists were kept out of how many played."""
    out.attrs["artists_kept"] = len(kept)
    out.attrs["artists_played"] = len(rank)
    return out


def _finish(out: pd.DataFrame) -> pd.DataFrame:
    out["difference"] = out["streaming_payout"] - out["cd_payout"]
    return out


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
    base, frame = _per_play(plays, scenario)
    money = _money_columns(scenario)
    every = _artist_order(frame, base.names, 0)
    rank = every if top == 0 else every[every < top]
    frame = frame[frame["code"].isin(rank.index)]
    sums = ["plays", "albums", *(m for m in money if m != "difference")]
    if total:
        out = frame.groupby("year", sort=True)[sums].sum().reset_index()
        out["artists"] = frame.groupby("year", sort=True)["code"].nunique().to_numpy()
        group: list[str] | None = None
    else:
        out = frame.groupby(["code", "year"], sort=False)[sums].sum().reset_index()
        out["rank"] = rank.reindex(out["code"]).to_numpy()
        out = out.sort_values(["rank", "year"], kind="stable").reset_index(drop=True)
        out["artist"] = pd.Series([str(base.names[c]) for c in out["code"]], dtype=str)
        group = ["code"]
    out = _finish(out)
    for name in ("streaming_payout", "cd_payout", "difference"):
        running = out[name].cumsum() if group is None else out.groupby(group)[name].cumsum()
        out[f"cumulative_{name}"] = running
    return _scope(out.loc[:, list(year_columns(scenario, total=total))], every, rank)


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
    base, frame = _per_play(plays, scenario)
    money = _money_columns(scenario)
    every = _artist_order(frame, base.names, 0)
    rank = every if top == 0 else every[every < top]
    keep = frame["code"].isin(rank.index).to_numpy()
    ticks = base.ticks[keep]
    bought_at = np.where(frame["albums"].to_numpy()[keep] > 0, ticks, _columns.NAT)
    frame = frame[keep].assign(tick=bought_at)
    sums = ["plays", "albums", *(m for m in money if m != "difference")]
    out = frame.groupby(["code", "album_code"], sort=False)[sums].sum()
    out["tick"] = frame.groupby(["code", "album_code"], sort=False)["tick"].max()
    out = _finish(out.reset_index())
    # The same names prepare() coded the albums with: factorising is deterministic.
    names = _columns.codes(plays["album"]).names if "album" in plays.columns else pd.Index([])
    codes = out["album_code"].to_numpy()
    out["album"] = pd.Series([None if c < 0 else str(names[c]) for c in codes], dtype=object)
    out["artist"] = pd.Series([str(base.names[c]) for c in out["code"]], dtype=str)
    out["bought"] = out["albums"].to_numpy() > 0
    when = np.where(out["bought"], out["tick"].to_numpy(), _columns.NAT).astype(np.int64)
    out["bought_on"] = utc(when, base.unit)
    out["rank"] = rank.reindex(out["code"]).to_numpy()
    out["sort_name"] = out["album"].fillna("")
    out = out.sort_values(
        ["rank", "plays", "sort_name"], ascending=[True, False, True], kind="stable"
    )
    return _scope(out.reset_index(drop=True).loc[:, list(album_columns(scenario))], every, rank)
