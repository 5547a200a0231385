"""The world of royalty's sample: seeded draws, New Zealand time, artists and their records.

Used by scripts/make_sample.py (standard library only). Every draw comes from
``random.Random.random()``, the one stream Python promises to keep across
versions, shaped with plain arithmetic: no ``math.exp``/``log``, whose last bit
may differ between C libraries, and no iteration over sets or dicts of objects.
"""

from __future__ import annotations

import bisect
import random
from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta

import sample_catalogue as cat

TOTAL_PLAYS = 60_000
N_ARTISTS = 1_514
FIRST_DAY = date(2006, 5, 2)  # NZ local days: 2 May 00:00 NZST is 1 May 12:00 UTC
LAST_DAY = date(2013, 4, 30)  # and 30 Apr 23:59 NZST is 30 Apr 11:59 UTC
WEEK = 7 * 86400


class Rng:
    """Draws built only on ``random.Random.random()``."""

    def __init__(self, seed: int) -> None:
        self.unit = random.Random(seed).random

    def below(self, n: int) -> int:
        return min(int(self.unit() * n), n - 1)

    def between(self, lo: int, hi: int) -> int:
        return lo + self.below(hi - lo + 1)

    def chance(self, p: float) -> bool:
        return self.unit() < p

    def word(self, words: Sequence[str]) -> str:
        return words[self.below(len(words))]

    def normal(self) -> float:
        """Roughly standard normal: twelve uniforms less six (Irwin-Hall)."""
        return sum(self.unit() for _ in range(12)) - 6.0

    def index(self, cumulative: Sequence[float]) -> int:
        i = bisect.bisect_right(cumulative, self.unit() * cumulative[-1])
        return min(i, len(cumulative) - 1)

    def uuid(self) -> str:
        """A random version-4 UUID, shaped like a MusicBrainz id."""
        n = 0
        for _ in range(4):
            n = (n << 32) | int(self.unit() * 2**32)
        n = (n & ~(0xF << 76)) | (4 << 76)
        n = (n & ~(0x3 << 62)) | (0x2 << 62)
        h = f"{n:032x}"
        return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


def cumsum(weights: Sequence[float]) -> list[float]:
    out, total = [], 0.0
    for w in weights:
        total += w
        out.append(total)
    return out


def plural(noun: str) -> str:
    if noun.endswith(("s", "x", "ch", "sh")):
        return noun + "es"
    if noun.endswith("y") and noun[-2] not in "aeiou":
        return noun[:-1] + "ies"
    return noun + "s"


def sunday(year: int, month: int, nth: int) -> date:
    """The nth Sunday of a month; nth = -1 for the last."""
    if nth < 0:
        last = date(year + month // 12, month % 12 + 1, 1) - timedelta(days=1)
        return last - timedelta(days=(last.weekday() + 1) % 7)
    first = date(year, month, 1)
    return first + timedelta(days=(6 - first.weekday()) % 7 + 7 * (nth - 1))


def utc_seconds(day: date, minute: float = 0.0) -> int:
    """Unix time of a New Zealand local day plus minutes, by the 2006-2013 DST rules."""
    y = day.year
    starts = sunday(y, 9, -1) if y >= 2007 else sunday(y, 10, 1)
    ends = sunday(y, 4, 1) if y >= 2008 else sunday(y, 3, 3)
    offset = 13 if day >= starts or day < ends else 12
    midnight = int(datetime(y, day.month, day.day, tzinfo=UTC).timestamp())
    return midnight - offset * 3600 + int(minute * 60)


def week_of(day: date) -> int:
    return (day - FIRST_DAY).days // 7


class Track:
    def __init__(self, title: str, seconds: int, mbid: str, weight: float) -> None:
        self.title, self.seconds, self.mbid, self.weight = title, seconds, mbid, weight
        self.album: Album | None = None


class Album:
    def __init__(self, title: str, mbid: str, released: int, tracks: list[Track]) -> None:
        self.title, self.mbid, self.released, self.tracks = title, mbid, released, tracks
        self.weight = 1.0
        self.track_cum = cumsum([t.weight for t in tracks])
        for t in tracks:
            t.album = self

    def appeal(self, t: int) -> float:
        """Weight at time t: an album is played most in the weeks after it comes out."""
        if self.released < utc_seconds(FIRST_DAY):
            return self.weight
        x = (t - self.released) / (8 * WEEK)
        return self.weight * (1.0 + 6.0 / (1.0 + x * x))


class Artist:
    def __init__(self, name: str, mbid: str, budget: int) -> None:
        self.name, self.mbid, self.budget = name, mbid, budget
        self.albums: list[Album] = []
        self.loose: list[Track] = []  # tracks with no album (blogs, singles, sites)
        self.loose_cum: list[float] = []
        self.loose_share = 0.0  # chance that a short pick is a loose track
        self.run_share = 0.4  # chance that a block is an album played in order
        self.found, self.span, self.floor = 0, 100.0, 0.1  # interest curve, in weeks
        self.bursts: list[tuple[int, float, float]] = []  # (week, height, width)

    def activity(self, week: int) -> float:
        if week < self.found:
            return 0.0
        d = (week - self.found) / self.span
        level = self.floor + 1.0 / (1.0 + d * d)
        for at, height, width in self.bursts:
            if week >= at:
                x = (week - at) / width
                level += height / (1.0 + x * x)
        return level

    def mean_block(self) -> float:
        """Roughly how many plays one pick of this artist yields (album runs are long)."""
        if not self.albums:
            return 1.8
        tracks = sum(len(a.tracks) for a in self.albums) / len(self.albums)
        return self.run_share * min(0.68 * tracks, 6.0) + (1.0 - self.run_share) * 1.8

    def block(self, rng: Rng, t: int, limit: int) -> list[Track]:
        """Up to ``limit`` tracks to play from time t: an album run or a short pick."""
        albums = [a for a in self.albums if a.released <= t]
        album_cum = cumsum([a.appeal(t) for a in albums])
        if albums and rng.chance(self.run_share):
            album = albums[rng.index(album_cum)]
            rest = album.tracks[0 if rng.chance(0.7) else rng.below(len(album.tracks)) :]
            n = len(rest) if rng.chance(0.6) else rng.between(1, len(rest))
            return rest[: min(n, limit)]
        out: list[Track] = []
        for _ in range(min(1 if rng.chance(0.6) else rng.between(2, 4), limit)):
            if self.loose and (not albums or rng.chance(self.loose_share)):
                out.append(self.loose[rng.index(self.loose_cum)])
            elif albums:
                album = albums[rng.index(album_cum)]
                out.append(album.tracks[rng.index(album.track_cum)])
        return out


class Catalogue:
    """Builds every artist, album, track and MBID in one fixed order."""

    def __init__(self, rng: Rng, n_weeks: int) -> None:
        self.rng, self.n_weeks = rng, n_weeks
        self.used: set[str] = set()  # only for membership tests, never iterated

    def seconds(self) -> int:
        r = self.rng
        s = 130 + int(230 * (r.unit() + r.unit() + r.unit()) / 3)
        return s + r.between(120, 420) if r.chance(0.05) else s

    def track(self, title: str, tagged: bool) -> Track:
        r = self.rng
        u = r.unit()
        weight = 0.3 + 2 * u * u + (3.0 if r.chance(0.12) else 0.0)
        return Track(title, self.seconds(), r.uuid() if tagged and r.chance(0.8) else "", weight)

    def title(self, words: int = 0) -> str:
        r = self.rng
        ws = [r.word(cat.TITLE_WORDS) for _ in range(words or r.between(1, 4))]
        text = " ".join(w.capitalize() for w in ws) if r.chance(0.6) else " ".join(ws).capitalize()
        if r.chance(0.04):
            return f"{text}, {r.word(cat.TITLE_WORDS)}"
        return f'"{text}"' if r.chance(0.01) else text

    def titles(self, n: int, pool: Sequence[str], taken: Sequence[str] = ()) -> list[str]:
        out: list[str] = []
        while len(out) < n:
            t = self.title() if not pool else pool[len(out) % len(pool)]
            if pool and len(out) >= len(pool):
                t = f"{t} ({len(out) // len(pool) + 1})"  # a small pool: numbered versions
            if t not in out and t not in taken:
                out.append(t)
        return out

    def album(self, artist: Artist, title: str, released: date, titles: list[str]) -> Album:
        r = self.rng
        tagged = r.chance(0.75) if artist.mbid else r.chance(0.1)
        tracks = [self.track(t, tagged) for t in titles]
        # Midnight UTC on the release day: never before the release, wherever it came out.
        stamp = int(datetime(released.year, released.month, released.day, tzinfo=UTC).timestamp())
        return Album(title, r.uuid() if tagged else "", stamp, tracks)

    def name(self) -> str:
        r = self.rng
        adj, noun, noun2 = r.word(cat.ADJECTIVES), r.word(cat.NOUNS), r.word(cat.NOUNS)
        first, last = r.word(cat.FIRST_NAMES), r.word(cat.SURNAMES)
        name = (
            f"The {adj} {plural(noun)}",
            f"{adj} {noun}",
            f"{first} {last}",
            f"{plural(noun)} of {plural(noun2)}",
            f"{noun} & the {plural(noun2)}",
            f"{first} {last} & the {adj} {plural(noun)}",
            f"{noun}{noun2.lower()}",
            f"The {last} {r.word(cat.ENSEMBLES)}",
            f"DJ {adj}{noun}",
            f"{adj} {plural(noun)}",
        )[r.below(10)]
        if name.lower() in self.used:
            return self.name()
        self.used.add(name.lower())
        return name

    def invented(self, name: str, budget: int, pool: Sequence[str]) -> Artist:
        r = self.rng
        self.used.add(name.lower())
        a = Artist(name, r.uuid() if r.chance(0.6) else "", budget)
        releases = min(1 + budget // 160, 6) if budget > 3 or r.chance(0.5) else 0
        album_titles: list[str] = []
        for _ in range(releases):
            ep = r.chance(0.25)
            title = name if r.chance(0.05) else self.title(r.between(1, 3)) + (" EP" if ep else "")
            if title in album_titles:
                continue
            album_titles.append(title)
            n = r.between(4, 6) if ep else r.between(8, 14)
            n = min(n, len(pool)) if pool else n
            a.albums.append(self.album(a, title, date(1980, 1, 1), self.titles(n, pool)))
        taken = [t.title for al in a.albums for t in al.tracks]
        loose = self.titles(r.between(1, 4), [], taken) if not pool else [f"{pool[0]} (demo)"]
        a.loose = [self.track(t, bool(a.mbid) and r.chance(0.2)) for t in loose]
        a.loose_cum = cumsum([t.weight for t in a.loose])
        u = r.unit()
        a.loose_share = 0.1 + 0.5 * u * u
        a.run_share = 0.15 + 0.4 * r.unit()
        if budget > 200:  # a favourite: known for years
            a.found, a.span, a.floor = r.between(-150, 150), 30 + 200 * r.unit(), 0.15
        else:  # a discovery: heard a few times, then rarely
            a.found, a.span = r.between(-40, self.n_weeks - 10), 1 + min(budget, 60) * r.unit()
            a.floor = 0.003
        return a

    def real(self, name: str, budget: int, albums: list[tuple[str, date, list[str]]]) -> Artist:
        a = Artist(name, self.rng.uuid(), budget)
        self.used.add(name.lower())
        for title, released, titles in albums:
            a.albums.append(self.album(a, title, released, titles))
            a.albums[-1].weight = 0.5 + self.rng.unit()
            if released >= FIRST_DAY:
                a.bursts.append((week_of(released), 2.5, 5.0))
        a.found = max(week_of(min(released for _, released, _ in albums)), -400)
        a.span, a.floor, a.run_share = 400.0, 0.3, 0.5
        return a


def tail_budgets(n: int, total: int) -> list[int]:
    """Zipf-like play counts (1/i at the head, 1/i^2 in the tail) summing to ``total``."""
    raw = [1.0 / ((i + 12) * (1.0 + i / 150)) for i in range(1, n + 1)]
    scale = total / sum(raw)
    quota = [max(1.0, scale * x) for x in raw]
    out = [int(q) for q in quota]
    short = total - sum(out)
    by_fraction = sorted(range(n), key=lambda i: (out[i] - quota[i], i))
    for k in range(abs(short)):
        if short > 0:
            out[by_fraction[k % n]] += 1
        else:
            out[k % 20] -= 1  # overshoot from the floor of 1: take it from the head
    return out


def build_artists(rng: Rng, n_weeks: int) -> list[Artist]:
    c = Catalogue(rng, n_weeks)
    rh = [(t, d, s.split("|")) for t, d, s in cat.RADIOHEAD]
    radiohead = c.real("Radiohead", 2_800, rh)
    radiohead.span, radiohead.floor = 2000.0, 0.0
    radiohead.bursts = [(week_of(d), 4.0, 6.0) for _, d, _ in rh if d >= FIRST_DAY]
    sjd_albums = []
    for title, released, n, known in cat.SJD:
        songs = known.split("|") if known else []
        sjd_albums.append((title, released, songs + c.titles(n - len(songs), [], songs)))
    sjd = c.real("SJD", 1_500, sjd_albums)
    sjd.span, sjd.floor = 2000.0, 0.0
    for album in radiohead.albums + sjd.albums:
        if album.title in ("Kid A", "Southern Lights"):  # the essay's "ongoing listens"
            album.weight = 2.0
    artists = [radiohead, sjd]
    for name, plays, spec in cat.NZ_ACTS:
        albums = []
        for item in spec.split("|"):
            title, when = item.split("@")
            released = date.fromisoformat(when) if "-" in when else date(int(when) + 1, 1, 1)
            listing = cat.KNOWN_TRACKS.get(title)
            titles = listing.split("|") if listing else c.titles(rng.between(9, 13), [])
            albums.append((title, released, titles))
        artists.append(c.real(name, plays, albums))
    for name, _ in cat.SPECIAL_ARTISTS:
        c.used.add(name.lower())
    n_tail = N_ARTISTS - len(artists)
    names = [c.name() for _ in range(n_tail - len(cat.SPECIAL_ARTISTS))]
    pools: list[Sequence[str]] = [()] * len(names)
    for name, pool in cat.SPECIAL_ARTISTS:
        at = rng.between(15, len(names))
        names.insert(at, name)
        pools.insert(at, pool.split("|") if pool else ())
    budgets = tail_budgets(n_tail, TOTAL_PLAYS - sum(a.budget for a in artists))
    artists += [c.invented(n, b, p) for n, b, p in zip(names, budgets, pools, strict=True)]
    return artists
