"""CDs and downloads bought, break-even by running income, and the verdicts.

- A **CD** is bought at the paid stream where its album (an artist and an
  album name) reaches ``min_album_plays`` paid streams, and is priced at the
  figures of that stream's year. Streams with no album name buy no CD: there
  is no telling which album they belong to (the table counts them).
- A **download** is bought the same way when a track (an artist and a title)
  reaches ``min_track_plays`` paid streams.
- The **break-even** is the paid stream at which the artist's running
  streaming income, priced stream by stream, reaches their CD income.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from royalty.pricing.book import Book, Span
from royalty.pricing.deals import DEALS
from royalty.pricing.plays import Cells, Ints, Prepared, cells, group_cumsum, pair_ids
from royalty.pricing.streaming import REL_TOL, streams_win

Floats = npt.NDArray[np.float64]


@dataclass(frozen=True)
class Bought:
    """What was bought, by pair (artist and album, or artist and track).

    Attributes:
        artist: the artist code of each pair bought.
        year: the calendar year each pair was bought in.
        member: per paid stream of a bought pair, the pair's index (-1 otherwise).
    """

    artist: Ints
    year: Ints
    member: Ints


def _bought(base: Prepared, inner: npt.NDArray[np.integer], n_inner: int, k: int) -> Bought:
    """The (artist, inner) pairs with at least ``k`` paid streams, and the year each got there."""
    pairs = pair_ids(base.artist, inner, n_inner)
    counts = np.bincount(pairs.ids, minlength=pairs.n + 1)[: pairs.n]
    chosen = np.flatnonzero(counts >= k)
    if len(chosen) == 0:
        empty = np.zeros(0, dtype=np.int64)
        return Bought(empty, empty, np.full(len(inner), -1, dtype=np.int64))
    lookup = np.full(pairs.n + 1, -1, dtype=np.int64)
    lookup[chosen] = np.arange(len(chosen))
    member = lookup[pairs.ids]
    years = base.years
    distinct = np.unique(years)
    year_of_month = np.searchsorted(distinct, years)
    inside = member >= 0
    ids = member[inside]
    per_year = np.bincount(
        ids * len(distinct) + year_of_month[base.month[inside]],
        minlength=len(chosen) * len(distinct),
    ).reshape(len(chosen), len(distinct))
    reached = np.argmax(np.cumsum(per_year, axis=1) >= k, axis=1)
    return Bought(pairs.artist[chosen], distinct[reached], member)


@dataclass(frozen=True)
class Cds:
    """Per artist code: CDs bought and what they paid (value, low, high)."""

    count: Ints
    money: Span


def cds_bought(book: Book, base: Prepared) -> Cds:
    """The CDs the listener bought and what they paid, per artist code."""
    s = book.scenario
    n = base.n_artists
    bought = albums_bought(book, base)
    count = np.bincount(bought.artist, minlength=n).astype(np.int64)
    if len(bought.artist) == 0:
        zero = np.zeros(n)
        if s.cd_margin is not None or s.foundation:  # name the CD figure all the same
            book.cd_master([int(book.dollars)])
        return Cds(count, Span(zero, zero.copy(), zero.copy()))
    per_cd = cd_money(book, base, bought)

    def total(values: Floats) -> Floats:
        return np.bincount(bought.artist, weights=values, minlength=n)

    return Cds(count, Span(total(per_cd.value), total(per_cd.low), total(per_cd.high)))


def albums_bought(book: Book, base: Prepared) -> Bought:
    """The albums whose CD the listener bought (see :func:`cds_bought`), one entry per CD."""
    return _bought(base, base.album, base.n_albums, book.scenario.min_album_plays)


def cd_money(book: Book, base: Prepared, bought: Bought) -> Span:
    """What each CD bought paid, at the figures of the year it was bought (one entry per CD)."""
    s = book.scenario
    years = sorted(set(bought.year.tolist()))
    where = np.searchsorted(np.array(years), bought.year)
    per_cd: Span | None = None
    if s.side != "publishing":
        master = book.cd_master(years)
        per_cd = Span(master.value[where], master.low[where], master.high[where])
    if s.side != "master":
        tracks = _tracks_per_pair(base, bought)
        mech = book.mechanical(years)
        publishing = Span(mech.value[where], mech.low[where], mech.high[where]) * tracks
        per_cd = publishing if per_cd is None else per_cd + publishing
    assert per_cd is not None
    return per_cd


def _tracks_per_pair(base: Prepared, bought: Bought) -> Floats:
    """Distinct tracks played of each bought album (streams with no title count as one)."""
    assert base.track is not None
    inside = bought.member >= 0
    distinct = cells(bought.member[inside], base.track[inside] + 1, base.n_tracks + 1)
    return np.bincount(distinct.outer, minlength=len(bought.artist)).astype(np.float64)


def downloads_bought(book: Book, base: Prepared) -> Floats:
    """Per artist code: what the track downloads the listener bought paid."""
    s = book.scenario
    assert base.track is not None
    bought = _bought(base, base.track, base.n_tracks, s.min_track_plays)
    if len(bought.artist) == 0:
        return np.zeros(base.n_artists)
    years = sorted(set(bought.year.tolist()))
    where = np.searchsorted(np.array(years), bought.year)
    mech = book.mechanical(years).value
    price = book.track_price(years)  # in the book's dollars
    label = np.maximum(price * (1.0 - book.store_cut(years)) - mech, 0.0)
    share = book.share(len(years)).value
    per_track = {"master": label * share, "publishing": mech}.get(s.side, label * share + mech)
    book.sources.setdefault("download_deal", DEALS[s.deal or "none"].share_source)
    return np.bincount(bought.artist, weights=per_track[where], minlength=base.n_artists)


def breakeven(grid: Cells, value: Span, cd: Floats, n_artists: int) -> Ints:
    """Per artist code, the paid stream at which running income reaches the CD income.

    ``grid`` holds each artist's paid streams per month (sorted by artist,
    then month) and ``value`` what one stream earned in each month. Within
    the month where the running income reaches the CD income, the stream is
    found exactly; an artist who never gets there is carried on at the
    history's last month's value. 0 where there is no CD income.
    """
    nth = np.zeros(n_artists, dtype=np.int64)
    wanted = cd[grid.outer] > 0
    if not wanted.any():
        return nth
    outer, month, count = grid.outer[wanted], grid.inner[wanted], grid.count[wanted]
    per = value.value[month]
    income = count * per
    running = group_cumsum(income, outer)
    streams = group_cumsum(count, outer)
    target = cd[outer] * (1.0 - REL_TOL)
    last = np.append(outer[1:] != outer[:-1], True)
    reach = np.flatnonzero(running >= target)
    first = reach[np.append(True, outer[reach][1:] != outer[reach][:-1])] if len(reach) else reach
    n = _within(target[first], running[first] - income[first], per[first])
    nth[outer[first]] = streams[first] - count[first] + np.minimum(n, count[first])
    short = last & (running < target)
    latest = float(value.value[-1])
    if latest > 0 and short.any():
        more = _within(target[short], running[short], np.full(int(short.sum()), latest))
        nth[outer[short]] = streams[short] + more
    return nth


def _within(target: Floats, before: Floats, per: Floats) -> Ints:
    """Smallest whole n ≥ 1 with before + n × per ≥ target (one step either way for rounding)."""
    n = np.maximum(np.ceil((target - before) / per), 1.0)
    n = np.minimum(n, float(2**62))
    n = np.where((n > 1) & (before + (n - 1.0) * per >= target), n - 1.0, n)
    n = np.where(before + n * per < target, n + 1.0, n)
    return n.astype(np.int64)


def verdicts(streaming: Span, cd: Span, albums: Ints) -> npt.NDArray[np.object_]:
    """Per artist: ``streams``, ``cds``, ``depends`` or ``no-cd`` (see :func:`price`)."""
    out = np.full(len(albums), "depends", dtype=object)
    out[streams_win(streaming.low, cd.high)] = "streams"
    out[streams_win(cd.low, streaming.high)] = "cds"
    out[albums == 0] = "no-cd"
    return out
