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

from royalty.pricing._columns import NAT
from royalty.pricing.book import Book, Span
from royalty.pricing.crossover import nth_play_ticks
from royalty.pricing.plays import Cells, Ints, Pairs, Prepared, cells, group_cumsum, pair_ids
from royalty.pricing.streaming import REL_TOL, streams_win

Floats = npt.NDArray[np.float64]


@dataclass(frozen=True)
class Bought:
    """What was bought, by pair (artist and album, or artist and track).

    Attributes:
        artist: the artist code of each pair bought.
        year: the calendar year each pair was bought in.
        pair: the id (in ``pairs``) of each pair bought.
        pairs: the pair id of every paid stream.
    """

    artist: Ints
    year: Ints
    pair: Ints
    pairs: Pairs

    def member(self) -> Ints:
        """Per paid stream, the index of its pair among those bought, or -1."""
        lookup = np.full(self.pairs.n + 1, -1, dtype=np.int64)
        lookup[self.pair] = np.arange(len(self.pair))
        return lookup[self.pairs.ids]


def _bought(base: Prepared, inner: npt.NDArray[np.integer], n_inner: int, k: int) -> Bought:
    """The (artist, inner) pairs with at least ``k`` paid streams, and the year each got there."""
    pairs = pair_ids(base.artist, inner, n_inner)
    years = base.years
    distinct = np.unique(years)
    if base.ordered:
        # Each year is one slice of rows: add the years' counts up one at a time.
        first_month = np.searchsorted(years, distinct)
        bounds = np.append(np.searchsorted(base.month, first_month), len(base.month))
        running = np.zeros(pairs.n + 1, dtype=np.int64)
        reached = np.full(pairs.n + 1, -1, dtype=np.int64)
        for index in range(len(distinct)):
            running += np.bincount(
                pairs.ids[bounds[index] : bounds[index + 1]], minlength=pairs.n + 1
            )
            reached[(reached < 0) & (running >= k)] = index
        reached = reached[: pairs.n]
        chosen = np.flatnonzero(reached >= 0)
        return Bought(pairs.artist[chosen], distinct[reached[chosen]], chosen, pairs)
    counts = np.bincount(pairs.ids, minlength=pairs.n + 1)[: pairs.n]
    chosen = np.flatnonzero(counts >= k)
    bought = Bought(pairs.artist[chosen], np.zeros(len(chosen), dtype=np.int64), chosen, pairs)
    if len(chosen) == 0:
        return bought
    member = bought.member()
    year_of_month = np.searchsorted(distinct, years)
    inside = member >= 0
    per_year = np.bincount(
        member[inside] * len(distinct) + year_of_month[base.month[inside]],
        minlength=len(chosen) * len(distinct),
    ).reshape(len(chosen), len(distinct))
    at = np.argmax(np.cumsum(per_year, axis=1) >= k, axis=1)
    return Bought(bought.artist, distinct[at], chosen, pairs)


@dataclass(frozen=True)
class Cds:
    """Per artist code: CDs bought and what they paid (value, low, high)."""

    count: Ints
    money: Span


@dataclass(frozen=True)
class Priced:
    """What was bought and what each one paid, in the book's dollars.

    Attributes:
        bought: the pairs bought (artist, year, and each paid stream's pair).
        money: per pair bought, what it paid (value, low, high).
    """

    bought: Bought
    money: Span


def cd_prices(book: Book, base: Prepared) -> Priced:
    """Each CD the listener bought, with the figures of the year it was bought."""
    s = book.scenario
    bought = _bought(base, base.album, base.n_albums, s.min_album_plays)
    if len(bought.artist) == 0:
        zero = np.zeros(0)
        if s.cd_margin is not None or s.foundation:  # name the CD figure all the same
            book.cd_master([int(book.dollars)])
        return Priced(bought, Span(zero, zero.copy(), zero.copy()))
    years = sorted(set(bought.year.tolist()))
    where = np.searchsorted(np.array(years), bought.year)
    per_cd: Span | None = None
    if s.side != "publishing":
        per_cd = book.cd_master(years).take(where)
    if s.side != "master":
        tracks = _tracks_per_pair(base, bought)
        publishing = book.mechanical(years).take(where) * tracks
        per_cd = publishing if per_cd is None else per_cd + publishing
    assert per_cd is not None
    return Priced(bought, per_cd)


def cds_bought(book: Book, base: Prepared) -> Cds:
    """The CDs the listener bought and what they paid, per artist code."""
    cds = cd_prices(book, base)
    n = base.n_artists
    artist = cds.bought.artist
    count = np.bincount(artist, minlength=n).astype(np.int64)
    return Cds(count, cds.money.map(lambda v: per_artist(artist, v, n)))


def _tracks_per_pair(base: Prepared, bought: Bought) -> Floats:
    """Distinct tracks played of each bought album (streams with no title count as one)."""
    assert base.track is not None
    member = bought.member()
    inside = member >= 0
    distinct = cells(member[inside], base.track[inside] + 1, base.n_tracks + 1)
    return np.bincount(distinct.outer, minlength=len(bought.artist)).astype(np.float64)


def download_prices(book: Book, base: Prepared) -> Priced:
    """Each track download the listener bought, priced at the year it was bought.

    Download figures carry no range: ``money`` has the value as low and high.
    """
    s = book.scenario
    assert base.track is not None
    bought = _bought(base, base.track, base.n_tracks, s.min_track_plays)
    if len(bought.artist) == 0:
        zero = np.zeros(0)
        return Priced(bought, Span(zero, zero, zero))
    years = sorted(set(bought.year.tolist()))
    where = np.searchsorted(np.array(years), bought.year)
    mech = book.mechanical(years).value
    price = book.track_price(years)  # in the book's dollars
    label = np.maximum(price * (1.0 - book.store_cut(years)) - mech, 0.0)
    share = book.share(len(years)).value
    per_track = {"master": label * share, "publishing": mech}.get(s.side, label * share + mech)
    each = per_track[where]
    return Priced(bought, Span(each, each, each))


def downloads_bought(book: Book, base: Prepared) -> Floats:
    """Per artist code: what the track downloads the listener bought paid."""
    downloads = download_prices(book, base)
    return per_artist(downloads.bought.artist, downloads.money.value, base.n_artists)


def per_artist(artist: npt.NDArray[np.integer], values: Floats, n_artists: int) -> Floats:
    """``values`` added up by artist code."""
    return np.bincount(artist, weights=values, minlength=n_artists).astype(np.float64)


@dataclass(frozen=True)
class Breakeven:
    """Per artist code: the break-even stream, and where it falls in the history.

    Attributes:
        nth: the paid stream (1-based, in time order) at which the running
            streaming income reaches the CD income; 0 without CD income.
        month: the month index of that stream, or -1 when it lies beyond the
            history (or there is none).
        rank: its rank (1-based) among the artist's paid streams of that month.
    """

    nth: Ints
    month: Ints
    rank: Ints


def breakeven(grid: Cells, value: Span, cd: Floats, n_artists: int) -> Breakeven:
    """Per artist code, the paid stream at which running income reaches the CD income.

    ``grid`` holds each artist's paid streams per month (sorted by artist,
    then month) and ``value`` what one stream earned in each month. Within
    the month where the running income reaches the CD income, the stream is
    found exactly; an artist who never gets there is carried on at the
    history's last month's value. 0 where there is no CD income.
    """
    nth = np.zeros(n_artists, dtype=np.int64)
    month_at = np.full(n_artists, -1, dtype=np.int64)
    rank = np.zeros(n_artists, dtype=np.int64)
    wanted = cd[grid.outer] > 0
    if not wanted.any():
        return Breakeven(nth, month_at, rank)
    outer, month, count = grid.outer[wanted], grid.inner[wanted], grid.count[wanted]
    per = value.value[month]
    income = count * per
    running = group_cumsum(income, outer)
    streams = group_cumsum(count, outer)
    target = cd[outer] * (1.0 - REL_TOL)
    last = np.append(outer[1:] != outer[:-1], True)
    reach = np.flatnonzero(running >= target)
    first = reach[np.append(True, outer[reach][1:] != outer[reach][:-1])] if len(reach) else reach
    n = np.minimum(_within(target[first], running[first] - income[first], per[first]), count[first])
    who = outer[first]
    nth[who] = streams[first] - count[first] + n
    month_at[who] = month[first]
    rank[who] = n
    short = last & (running < target)
    latest = float(value.value[-1])
    if latest > 0 and short.any():
        more = _within(target[short], running[short], np.full(int(short.sum()), latest))
        nth[outer[short]] = streams[short] + more
    return Breakeven(nth, month_at, rank)


def crossover_ticks(base: Prepared, found: Breakeven) -> Ints:
    """Per artist code, the start of the break-even stream (NaT beyond the history).

    Only the streams of each artist's break-even month take part, so this
    costs one pass over the plays and a sort of a few months of them.
    """
    out = np.full(base.n_artists, NAT, dtype=np.int64)
    if not (found.month >= 0).any():
        return out
    rows = np.flatnonzero(found.month[base.artist] == base.month)
    artist = base.artist[rows]
    per_artist = np.bincount(artist, minlength=base.n_artists).astype(np.int64)
    rank = np.where(found.month >= 0, found.rank, 0)
    return nth_play_ticks(artist, base.ticks[rows], rank, per_artist)


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
