"""Every paid stream and every CD bought, each with its date and what it paid.

:func:`price` adds these up per artist; a chart that shows income building
up over time needs them one by one. :func:`ledger` prices with the same
figures as :func:`price` (the same book, the same month values, the same
CDs), so the running sums end on the table's ``streaming_payout`` and
``cd_payout``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

import numpy as np
import numpy.typing as npt
import pandas as pd

from royalty.pricing.crossover import nth_play_ticks
from royalty.pricing.money import cd_prices
from royalty.pricing.plays import Ints, Prepared
from royalty.pricing.price import Pricing, prepare_book, price_prepared, stream_values
from royalty.pricing.scenario import Scenario

Floats = npt.NDArray[np.float64]


@dataclass(frozen=True)
class Ledger:
    """A priced history, stream by stream and CD by CD.

    Money is in the scenario's currency and in US dollars of
    ``pricing.book.dollars``, as in ``pricing.table``. Artist codes index
    ``names``; times are int64 ticks in the numpy unit ``unit``.

    Attributes:
        pricing: :func:`~royalty.pricing.price_details` of the same plays and scenario.
        names: artist names by code.
        unit: numpy time unit of the ticks.
        stream_artist: artist code of each paid stream.
        stream_ticks: start of each paid stream.
        stream_value: what each paid stream earned (at its month's figures).
        cd_artist: artist code of each CD bought.
        cd_ticks: the start of the paid stream that bought each CD (its album's
            ``min_album_plays``-th).
        cd_value: what each CD paid, at the figures of the year it was bought.
    """

    pricing: Pricing
    names: pd.Index
    unit: str
    stream_artist: Ints
    stream_ticks: Ints
    stream_value: Floats
    cd_artist: Ints
    cd_ticks: Ints
    cd_value: Floats


def ledger(
    plays: pd.DataFrame,
    scenario: Scenario | None = None,
    *,
    artists: Sequence[str] | None = None,
    top: int | None = None,
) -> Ledger:
    """Price ``plays`` as :func:`~royalty.pricing.price` does, keeping each stream and CD.

    ``artists`` keeps the streams and CDs of those artists only, ``top`` those
    of the table's first ``top`` artists (a chart of the top few need not list
    ten million streams); ``pricing`` always covers every artist, and a
    stream's value is its month's over the whole history.

    Example:
        >>> from royalty import load_sample
        >>> book = ledger(load_sample())
        >>> table = book.pricing.table.set_index("artist")
        >>> radiohead = book.names.get_loc("Radiohead")
        >>> paid = book.stream_value[book.stream_artist == radiohead].sum()
        >>> bool(np.isclose(paid, table.loc["Radiohead", "streaming_payout"]))
        True
    """
    scenario = scenario or Scenario()
    base, book = prepare_book(plays, scenario)
    pricing = price_prepared(base, book)
    value = stream_values(book, base).value
    if top is not None:
        artists = pricing.table["artist"].head(top).astype(str).tolist()
    if artists is not None:
        base = _only(base, artists)
    f = scenario.factor
    artist = np.asarray(base.artist, dtype=np.int64)
    per_stream = value.value[base.month] * f if len(base.months) else np.zeros(0)
    cds = cd_prices(book, base)
    bought = cds.bought
    n = len(bought.artist)
    if n:
        cd_value = cds.money.value * f
        every = bought.member()
        inside = every >= 0
        member, ticks = every[inside], base.ticks[inside]
        # Each CD's date is the start of its album's min_album_plays-th stream.
        wanted = np.full(n, scenario.min_album_plays, dtype=np.int64)
        per_pair = np.bincount(member, minlength=n).astype(np.int64)
        cd_ticks = nth_play_ticks(member, ticks, wanted, per_pair)
    else:
        cd_value, cd_ticks = np.zeros(0), np.zeros(0, dtype=np.int64)
    return Ledger(
        pricing,
        base.names,
        base.unit,
        artist,
        base.ticks,
        per_stream,
        bought.artist.astype(np.int64),
        cd_ticks.astype(np.int64),
        cd_value,
    )


def _only(base: Prepared, artists: Sequence[str]) -> Prepared:
    """The paid streams of ``artists`` only (the same codes, months and names)."""
    codes = base.names.get_indexer(pd.Index(list(artists), dtype=object))
    chosen = np.zeros(base.n_artists + 1, dtype=bool)
    chosen[codes[codes >= 0]] = True
    rows = np.flatnonzero(chosen[base.artist])
    return replace(
        base,
        artist=base.artist[rows],
        album=base.album[rows],
        track=None if base.track is None else base.track[rows],
        ticks=base.ticks[rows],
        month=base.month[rows],
        keep=None,
    )
