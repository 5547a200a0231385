"""One play, two sources: merging a batch of plays into those already held.

Spotify scrobbles to Last.fm, so a listener who imports both holds most plays
twice. :func:`merge_plays` merges a batch into the plays already held (stored,
or read from earlier files) in two steps:

1. **Multiset union** on (``played_at``, ``artist``, ``track``), as
   ``royalty.store.merge`` does: a batch row whose key occurs more often in the
   batch than among the held plays is new; the others are already held.
   Identical rows within one source stay separate plays.
2. **Cross-source matching** of the new rows: a new row and a held row from a
   *different* source, with the same artist and track (compared
   case-insensitively, with runs of whitespace collapsed) whose start times
   are at most ``window`` seconds apart are one play. Each row matches at most
   one other, closest pairs first. The row carrying more information is kept:
   first the one with a duration, then the one with seconds precision, then
   the one with more of album and MBIDs filled, then the source name that
   sorts first, so the result does not depend on which source came first.

The default window, 90 s, covers the minute truncation of Last.fm CSV exports
(up to 59 s) plus scrobblers that stamp a play a few seconds late; it is
shorter than almost any song, so consecutive plays of one track stay apart.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Final

import numpy as np

from royalty import schema

if TYPE_CHECKING:
    import pandas as pd
    from numpy.typing import NDArray

DEFAULT_WINDOW: Final = 90.0
"""Seconds between two sources' start times within which they are one play."""


@dataclass(frozen=True)
class Merged:
    """The result of :func:`merge_plays`.

    Attributes:
        plays: held plays and batch plays as one frame (unsorted), in the schema.
        added: batch rows that are new plays.
        matched: batch rows found to be a held play from another source.
        replaced: of those, how many replaced the held row (they carried more).
        already: batch rows already held with the same key (multiset).
    """

    plays: pd.DataFrame
    added: int
    matched: int
    replaced: int
    already: int


def merge_plays(
    held: pd.DataFrame, batch: pd.DataFrame, *, window: float = DEFAULT_WINDOW
) -> Merged:
    """Merge ``batch`` into ``held``: multiset union, then cross-source matching.

    Both frames must follow :mod:`royalty.schema`. ``added + matched + already``
    equals ``len(batch)``.

    Example:
        >>> merged = merge_plays(stored_plays, spotify_plays)  # doctest: +SKIP
        >>> merged.matched  # doctest: +SKIP
        1520
    """
    if window < 0:
        raise ValueError("window must be >= 0 seconds")
    new = _new_rows(held, batch)
    already = len(batch) - len(new)
    if len(new) == 0 or len(held) == 0:
        # No concat here: an empty frame's categories may have another dtype.
        plays = (new if len(held) == 0 else held).reset_index(drop=True)
        return Merged(plays, added=len(new), matched=0, replaced=0, already=already)
    win_ms = round(window * 1000)
    held_t = _ms(held)
    lo, hi = _ms(new).min() - win_ms, _ms(new).max() + win_ms
    near = np.flatnonzero((held_t >= lo) & (held_t <= hi))
    h_pos, n_pos = _pairs(held.iloc[near], new, win_ms)
    h_idx = near[h_pos]
    if len(h_idx):
        h_wins = _keep_held(held.iloc[h_idx], new.iloc[n_pos])
    else:
        h_wins = np.zeros(0, dtype=bool)
    drop_held = np.zeros(len(held), dtype=bool)
    drop_held[h_idx[~h_wins]] = True
    drop_new = np.zeros(len(new), dtype=bool)
    drop_new[n_pos[h_wins]] = True
    plays = schema.concat([held[~drop_held], new[~drop_new]])
    matched = len(n_pos)
    return Merged(
        plays, added=len(new) - matched, matched=matched, replaced=int((~h_wins).sum()),
        already=already,
    )  # fmt: skip


def _ms(frame: pd.DataFrame) -> NDArray[np.int64]:
    return np.asarray(frame["played_at"].astype("int64").to_numpy(), dtype=np.int64)


def _new_rows(held: pd.DataFrame, batch: pd.DataFrame) -> pd.DataFrame:
    """The rows of ``batch`` whose key occurs more often in it than in ``held``."""
    import pandas as pd

    if len(batch) == 0 or len(held) == 0:
        return batch.reset_index(drop=True)
    lo, hi = batch["played_at"].min(), batch["played_at"].max()
    window = held[(held["played_at"] >= lo) & (held["played_at"] <= hi)]

    def keys(frame: pd.DataFrame) -> pd.DataFrame:
        return pd.DataFrame(
            {
                "t": _ms(frame),
                "a": frame["artist"].astype(str).to_numpy(),
                "k": frame["track"].astype(str).to_numpy(),
            }
        )

    bkeys = keys(batch)
    occurrence = bkeys.groupby(["t", "a", "k"], sort=False).cumcount().to_numpy()
    counts = keys(window).groupby(["t", "a", "k"], sort=False).size().rename("n")
    have = bkeys.join(counts, on=["t", "a", "k"])["n"].fillna(0).to_numpy()
    return batch[occurrence >= have].reset_index(drop=True)


def _norm_codes(parts: list[pd.Series]) -> list[NDArray[np.int64]]:
    """Shared integer codes for text that is equal ignoring case and runs of whitespace."""
    import pandas as pd

    cats = [p.astype("category").cat.categories.astype(str) for p in parts]
    joined = pd.Series(np.concatenate([np.asarray(c, dtype=object) for c in cats]), dtype=object)
    norm = joined.str.replace(r"\s+", " ", regex=True).str.strip().str.casefold()
    codes, _ = pd.factorize(norm)
    out, start = [], 0
    for part, c in zip(parts, cats, strict=True):
        table = codes[start : start + len(c)]
        start += len(c)
        out.append(table[part.astype("category").cat.codes.to_numpy()].astype(np.int64))
    return out


def _pairs(
    held: pd.DataFrame, new: pd.DataFrame, win_ms: int
) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
    """One-to-one matches (positions in ``held``, positions in ``new``), closest first."""
    import pandas as pd

    if len(held) == 0:
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    ha, na = _norm_codes([held["artist"], new["artist"]])
    ht, nt = _norm_codes([held["track"], new["track"]])
    width = int(max(ht.max(), nt.max())) + 1
    key, _ = pd.factorize(np.concatenate([ha * width + ht, na * width + nt]))
    hk, nk = key[: len(held)].astype(np.int64), key[len(held) :].astype(np.int64)
    h_ms, n_ms = _ms(held), _ms(new)
    base = min(h_ms.min(), n_ms.min()) - win_ms
    span = max(h_ms.max(), n_ms.max()) + win_ms - base + 1
    h_val = hk * span + (h_ms - base)  # int64: keys * span stays far below 2**63 in practice
    order = np.argsort(h_val, kind="stable")
    h_sorted = h_val[order]
    n_val = nk * span + (n_ms - base)
    first = np.searchsorted(h_sorted, n_val - win_ms, side="left")
    last = np.searchsorted(h_sorted, n_val + win_ms, side="right")
    counts = last - first
    n_rep = np.repeat(np.arange(len(new)), counts)
    offsets = np.arange(int(counts.sum())) - np.repeat(np.cumsum(counts) - counts, counts)
    h_rep = order[np.repeat(first, counts) + offsets]
    h_src = held["source"].astype(str).to_numpy()
    n_src = new["source"].astype(str).to_numpy()
    other = h_src[h_rep] != n_src[n_rep]
    h_rep, n_rep = h_rep[other], n_rep[other]
    gap = np.abs(h_ms[h_rep] - n_ms[n_rep])
    ranked = np.lexsort((h_rep, n_ms[n_rep], gap))
    used_h = np.zeros(len(held), dtype=bool)
    used_n = np.zeros(len(new), dtype=bool)
    out_h, out_n = [], []
    for i in ranked.tolist():  # few candidates: only rows of one track within the window
        h, n = int(h_rep[i]), int(n_rep[i])
        if not used_h[h] and not used_n[n]:
            used_h[h] = used_n[n] = True
            out_h.append(h)
            out_n.append(n)
    return np.array(out_h, dtype=np.int64), np.array(out_n, dtype=np.int64)


def _score(frame: pd.DataFrame) -> NDArray[np.int64]:
    """How much a row tells: duration, then seconds precision, then filled optional fields."""
    filled = sum(
        frame[c].notna().to_numpy().astype(np.int64)
        for c in ("album", "artist_mbid", "album_mbid", "track_mbid")
    )
    seconds = (_ms(frame) % 60_000 != 0).astype(np.int64)
    has_duration = frame["duration_ms"].notna().to_numpy().astype(np.int64)
    return np.asarray(has_duration * 100 + seconds * 10 + filled, dtype=np.int64)


def _keep_held(held: pd.DataFrame, new: pd.DataFrame) -> NDArray[np.bool_]:
    """For matched pairs (row i of each), whether the held row is the one to keep."""
    hs, ns = _score(held), _score(new)
    h_src = held["source"].astype(str).to_numpy()
    n_src = new["source"].astype(str).to_numpy()
    return np.asarray((hs > ns) | ((hs == ns) & (h_src < n_src)), dtype=bool)
