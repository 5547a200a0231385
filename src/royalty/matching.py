"""One play, two sources: merging a batch of plays into those already held.

Spotify scrobbles to Last.fm, so a listener who imports both holds most plays
twice. :func:`merge_plays` merges a batch into the plays already held (stored,
or read from earlier files) in two steps:

1. **Multiset union within a source** on (``played_at``, ``artist``,
   ``track``, ``source``), as ``royalty.store.merge`` does: a batch row whose
   key occurs more often in the batch than among the held plays is new; the
   others are already held. Identical rows within one source stay separate
   plays, and importing the same file again adds nothing.
2. **Cross-source matching** of the new rows: a new row and a held row from a
   *different* source, with the same artist and track (compared
   case-insensitively, with runs of whitespace collapsed) whose start times
   are at most ``window`` seconds apart can be one play. Each row is one play
   of at most one other row, and a held row already standing for a batch row
   of step 1 is taken. Among the possible pairings the one with the most pairs
   is chosen: within each artist and track, new rows are taken in time order,
   each paired with the earliest free held row in its window. (Every held
   row's window has the same width, so the earliest is the first to close;
   this greedy rule gives a maximum matching, where pairing the closest rows
   first can leave a play stranded.) The row carrying more information is
   kept: first the one with a duration, then the one with seconds precision,
   then the one with more of album and MBIDs filled, then the source name that
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
from royalty.errors import UsageError

if TYPE_CHECKING:
    import pandas as pd
    from numpy.typing import NDArray

DEFAULT_WINDOW: Final = 90.0
"""Seconds between two sources' start times within which they are one play."""
MAX_WINDOW: Final = 86_400.0
"""A day: far beyond any clock error, and small enough for millisecond arithmetic."""


@dataclass(frozen=True)
class Merged:
    """The result of :func:`merge_plays`.

    Attributes:
        plays: held plays and batch plays as one frame (unsorted), in the schema.
        added: batch rows that are new plays.
        matched: batch rows found to be a held play from another source.
        replaced: of those, how many replaced the held row (they carried more).
        already: batch rows already held from the same source at the same second (multiset).
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

    Raises:
        UsageError: ``window`` is not a number of seconds from 0 to a day.

    Example:
        >>> merged = merge_plays(stored_plays, spotify_plays)  # doctest: +SKIP
        >>> merged.matched  # doctest: +SKIP
        1520
    """
    if not 0 <= window <= MAX_WINDOW:  # also refuses NaN
        raise UsageError(
            f"the match window must be from 0 to {MAX_WINDOW:,.0f} seconds (a day), not {window:g}"
        )
    new, taken = _new_rows(held, batch)
    already = len(batch) - len(new)
    if len(new) == 0 or len(held) == 0:
        # No concat here: an empty frame's categories may have another dtype.
        plays = (new if len(held) == 0 else held).reset_index(drop=True)
        return Merged(plays, added=len(new), matched=0, replaced=0, already=already)
    win_ms = round(window * 1000)
    held_t = _ms(held)
    lo, hi = _ms(new).min() - win_ms, _ms(new).max() + win_ms
    near = np.flatnonzero((held_t >= lo) & (held_t <= hi) & ~taken)
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


def _new_rows(held: pd.DataFrame, batch: pd.DataFrame) -> tuple[pd.DataFrame, NDArray[np.bool_]]:
    """Step 1: the batch rows not held yet, and which held rows stand for the others.

    A key is (time, artist, track, source). For each key, as many batch rows as
    the held plays have are already held; the rest are new. The held rows that
    stand for batch rows are *taken*: they cannot be matched again in step 2,
    or one held play would count for two batch plays.
    """
    import pandas as pd

    taken = np.zeros(len(held), dtype=bool)
    if len(batch) == 0 or len(held) == 0:
        return batch.reset_index(drop=True), taken
    lo, hi = batch["played_at"].min(), batch["played_at"].max()
    inside = np.flatnonzero(((held["played_at"] >= lo) & (held["played_at"] <= hi)).to_numpy())
    cols = ["t", "a", "k", "s"]

    def keys(frame: pd.DataFrame) -> pd.DataFrame:
        return pd.DataFrame(
            {
                "t": _ms(frame),
                "a": frame["artist"].astype(str).to_numpy(),
                "k": frame["track"].astype(str).to_numpy(),
                "s": frame["source"].astype(str).to_numpy(),
            }
        )

    bkeys, hkeys = keys(batch), keys(held.iloc[inside])
    b_nth = bkeys.groupby(cols, sort=False).cumcount().to_numpy()
    h_nth = hkeys.groupby(cols, sort=False).cumcount().to_numpy()
    h_count = hkeys.groupby(cols, sort=False).size().rename("n")
    b_count = bkeys.groupby(cols, sort=False).size().rename("n")
    have = bkeys.join(h_count, on=cols)["n"].fillna(0).to_numpy()
    wanted = hkeys.join(b_count, on=cols)["n"].fillna(0).to_numpy()
    taken[inside[h_nth < wanted]] = True
    return batch[b_nth >= have].reset_index(drop=True), taken


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
    """One-to-one matches (positions in ``held``, positions in ``new``), as many as possible."""
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
    return _assign(h_rep[other], n_rep[other], h_ms, n_ms)


def _assign(
    h_rep: NDArray[np.int64], n_rep: NDArray[np.int64], h_ms: NDArray[np.int64],
    n_ms: NDArray[np.int64],
) -> tuple[NDArray[np.int64], NDArray[np.int64]]:  # fmt: skip
    """A maximum one-to-one choice among candidate pairs (held ``h_rep[i]``, new ``n_rep[i]``).

    New rows in time order each take the earliest free held row among their
    candidates. Within one track every held row's window is as wide as the
    others, so the earliest free one is also the first whose window closes:
    taking it never blocks a later new row that a later held row could not
    serve (Glover's rule for convex bipartite graphs), and the matching has as
    many pairs as possible.
    """
    deg_h = np.bincount(h_rep, minlength=int(h_rep.max(initial=-1)) + 1)
    deg_n = np.bincount(n_rep, minlength=int(n_rep.max(initial=-1)) + 1)
    # Most plays have exactly one candidate that has no other: no choice to make.
    alone = (deg_h[h_rep] == 1) & (deg_n[n_rep] == 1)
    out_h, out_n = [h_rep[alone]], [n_rep[alone]]
    h_rest, n_rest = h_rep[~alone], n_rep[~alone]
    order = np.lexsort((h_rest, h_ms[h_rest], n_rest, n_ms[n_rest]))
    used: set[int] = set()
    chosen_h: list[int] = []
    chosen_n: list[int] = []
    current, served = -1, False
    # Only tracks played again within the window get here: few rows, so a plain loop.
    for h, n in zip(h_rest[order].tolist(), n_rest[order].tolist(), strict=True):
        if n != current:
            current, served = n, False
        if served or h in used:
            continue
        used.add(h)
        served = True
        chosen_h.append(h)
        chosen_n.append(n)
    out_h.append(np.array(chosen_h, dtype=np.int64))
    out_n.append(np.array(chosen_n, dtype=np.int64))
    return np.concatenate(out_h), np.concatenate(out_n)


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
