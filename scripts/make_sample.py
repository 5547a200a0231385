#!/usr/bin/env python3
"""Make royalty's bundled sample: a synthetic Last.fm history of the essay's listener.

Usage: ``python scripts/make_sample.py [--output PATH]`` (default
``data/sample/plays.csv.gz``). Standard library only, so it runs without royalty.

Byte-for-byte reproducible: every draw comes from ``random.Random(SEED).random()``,
the one stream Python promises to keep across versions, shaped with plain
arithmetic (no ``math.exp``/``log``, whose last bit may differ between C
libraries); gzip gets ``mtime=0`` and no file name; times are formatted without
locale or time zone; nothing iterates over a set or depends on hashing.

The model: 60,000 plays from May 2006 to April 2013 by a listener in New
Zealand. Each artist has a fixed play budget (Radiohead 2,800, SJD 1,500, a
Zipf-like tail for the rest) and an interest curve over the weeks. A day's
plays fall into sessions at the listener's usual hours; each session is filled
with album runs in track order and short picks, drawing artists at the rate
that spends every budget exactly by the end. See data/sample/README.md.
"""

from __future__ import annotations

import argparse
import csv
import gzip
import io
import sys
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))  # the helper modules beside this file
from sample_world import (
    FIRST_DAY,
    LAST_DAY,
    TOTAL_PLAYS,
    Artist,
    Rng,
    Track,
    build_artists,
    cumsum,
    utc_seconds,
    week_of,
)

SEED = 20130710
HEADER = ("uts", "utc_time", "artist", "artist_mbid", "album", "album_mbid", "track", "track_mbid")
MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
DEFAULT_OUTPUT = Path(__file__).resolve().parent.parent / "data" / "sample" / "plays.csv.gz"
# Sessions as (start minute of the local day, window for the start in minutes, weight).
WEEKDAY = ((495, 60, 1.0), (570, 90, 3.0), (795, 75, 2.5), (1170, 120, 3.0), (1350, 45, 0.8))
WEEKEND = ((600, 120, 2.0), (840, 150, 2.5), (1140, 150, 3.0), (1380, 30, 0.5))
DAY_LEVEL = (1.1, 1.12, 1.12, 1.08, 1.0, 0.8, 0.78)  # Monday first


def day_counts(rng: Rng, days: list[date]) -> list[int]:
    """Plays per local day: weekly moods, weekdays, holidays, trips, busy spells, new albums."""
    level, x = [], 0.0
    for _ in range(len(days) // 7 + 1):
        x = 0.75 * x + 0.22 * rng.normal()
        level.append(max(0.3, 1.0 + x))
    spell = [1.0] * len(days)
    for factor, count, shortest, longest in ((0.08, 14, 4, 15), (1.8, 21, 5, 12)):
        for _ in range(count):  # trips away (no scrobbling) and busy spells at the desk
            start, length = rng.below(len(days)), rng.between(shortest, longest)
            for i in range(start, min(start + length, len(days))):
                spell[i] = factor * (0.8 + 0.4 * rng.unit())
    weights = []
    for i, d in enumerate(days):
        w = level[i // 7] * DAY_LEVEL[d.weekday()] * spell[i] * (1.08 - 0.16 * i / len(days))
        md = (d.month, d.day)
        if (12, 24) <= md <= (12, 26):
            w *= 0.3  # Christmas with family
        elif md >= (12, 27) or md <= (1, 6):
            w *= 0.6  # summer holidays at the beach
        for released, lift in ((date(2007, 10, 10), 0.8), (date(2011, 2, 18), 0.6)):
            k = (d - released).days
            if 0 <= k < 21:
                w *= 1.0 + lift * (1.0 - k / 21)
        w *= max(0.1, 1.0 + 0.4 * rng.normal())
        weights.append(0.0 if rng.chance(0.04) else w)
    quota = [TOTAL_PLAYS * w / sum(weights) for w in weights]
    counts = [int(q) for q in quota]
    order = sorted(range(len(days)), key=lambda i: (counts[i] - quota[i], i))
    for i in order[: TOTAL_PLAYS - sum(counts)]:
        counts[i] += 1
    return counts


def sessions(rng: Rng, day: date, n: int) -> list[tuple[int, int]]:
    """Split a day's n plays into sessions: (planned start as unix time, plays)."""
    slots = WEEKDAY if day.weekday() < 5 else WEEKEND
    cum = cumsum([s[2] for s in slots])
    sizes = [0] * len(slots)
    for _ in range(n):
        sizes[rng.index(cum)] += 1
    return [
        (utc_seconds(day, start + window * rng.unit()), size)
        for (start, window, _), size in zip(slots, sizes, strict=True)
        if size
    ]


def generate(seed: int = SEED) -> list[tuple[int, Artist, Track]]:
    """Every play as (unix start time, artist, track), oldest first."""
    rng = Rng(seed)
    days = [FIRST_DAY + timedelta(days=i) for i in range((LAST_DAY - FIRST_DAY).days + 1)]
    counts = day_counts(rng, days)
    n_weeks = week_of(LAST_DAY) + 1
    slots = [0] * n_weeks
    for d, n in zip(days, counts, strict=True):
        slots[week_of(d)] += n
    artists = build_artists(rng, n_weeks)
    # Future exposure of each artist from each week on: picking artist a with weight
    # remaining[a] * activity[a][w] / future[a][w] / per_pick[a] spends its budget
    # along its curve (dividing by plays per pick, or album lovers run out early).
    activity = [[a.activity(w) for w in range(n_weeks)] for a in artists]
    future = []
    for act in activity:
        tail, acc = [0.0] * n_weeks, 0.0
        for w in range(n_weeks - 1, -1, -1):
            acc += act[w] * slots[w]
            tail[w] = acc
        future.append(tail)
    per_pick = [a.mean_block() for a in artists]
    remaining = [a.budget for a in artists]
    plays: list[tuple[int, Artist, Track]] = []
    clock = 0
    for d, n in zip(days, counts, strict=True):
        w = week_of(d)
        if (d - FIRST_DAY).days % 7 == 0:  # new weights each week
            weights = [0.0] * len(artists)
            for a, left in enumerate(remaining):
                if future[a][w] > 0:
                    weights[a] = left * activity[a][w] / (future[a][w] * per_pick[a])
            cum = cumsum(weights)
        for planned, size in sessions(rng, d, n):
            t = max(planned, clock + rng.between(5, 90))
            while size:
                i, block = draw(rng, artists, remaining, cum, t, size)
                for track in block:
                    plays.append((t, artists[i], track))
                    pause = rng.between(60, 1200) if rng.chance(0.07) else rng.between(1, 12)
                    t += track.seconds + pause
                remaining[i] -= len(block)
                size -= len(block)
            clock = t
    return plays


def draw(
    rng: Rng, artists: list[Artist], remaining: list[int], cum: list[float], t: int, size: int
) -> tuple[int, list[Track]]:
    """Pick an artist with plays left by the week's weights, and a block of its tracks."""
    for _ in range(100):
        i = rng.index(cum) if cum[-1] > 0 else rng.below(len(artists))
        if remaining[i]:
            block = artists[i].block(rng, t, min(size, remaining[i]))
            if block:
                return i, block
    # The week's weights are stale (budgets spent): take the largest budget left.
    for i in sorted(range(len(artists)), key=lambda j: (-remaining[j], j)):
        block = artists[i].block(rng, t, min(size, remaining[i]))
        if block:
            return i, block
    raise RuntimeError("no artist has plays left to place")


def utc_text(uts: int) -> str:
    d = datetime.fromtimestamp(uts, UTC)
    return f"{d.day:02d} {MONTHS[d.month - 1]} {d.year}, {d.hour:02d}:{d.minute:02d}"


def to_gzip_csv(plays: list[tuple[int, Artist, Track]]) -> bytes:
    """The plays as a Last.fm export (newest first, every field quoted), gzipped reproducibly."""
    text = io.StringIO()
    writer = csv.writer(text, quoting=csv.QUOTE_ALL, lineterminator="\n")
    writer.writerow(HEADER)
    for uts, artist, track in reversed(plays):
        album = track.album
        album_title, album_mbid = (album.title, album.mbid) if album else ("", "")
        row = (uts, utc_text(uts), artist.name, artist.mbid, album_title, album_mbid)
        writer.writerow((*row, track.title, track.mbid))
    out = io.BytesIO()
    with gzip.GzipFile(filename="", mode="wb", fileobj=out, compresslevel=9, mtime=0) as gz:
        gz.write(text.getvalue().encode("utf-8"))
    return out.getvalue()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument(
        "--output",
        type=Path,
        default=DEFAULT_OUTPUT,
        help="where to write the gzipped CSV (default: data/sample/plays.csv.gz)",
    )
    args = parser.parse_args(argv)
    plays = generate()
    data = to_gzip_csv(plays)
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_bytes(data)
    artists = len({artist.name for _, artist, _ in plays})
    size = f"{len(data):,} bytes"
    print(f"wrote {len(plays):,} plays by {artists:,} artists to {args.output} ({size})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
