"""A synthetic population, made up but shaped like real listening data.

What makes payout models disagree in real data, and so what this reproduces:

- **Artist popularity is Zipf-like.** Artists belong to genres; genres have
  Zipf weights (exponent ``genre_zipf``) and within a genre artists do too
  (``artist_zipf``), so the whole catalogue falls off roughly as 1/rank, as
  play counts on Last.fm and streaming services do (Celma 2010, *Music
  Recommendation and Discovery*, ch. 4).
- **Listening is heavy-tailed.** A listener's share of the plays is
  lognormal (``activity_sigma``): with the default 1.3, the top 1 % of
  listeners play about 20 times the median, the spread the user-centric
  studies report (CNM/Deloitte 2021; Pro Musik 2023). Every listener has at
  least one play.
- **Tastes cluster.** Each listener has a main genre (``main_share`` of their
  plays) and a second one (``second_share``); the rest follow global
  popularity. Heavy listeners lean to niche genres (``niche_lean``: a
  listener at activity quantile q picks genres with weight ``w ** (1 -
  niche_lean * q)``), which is what moves money under user-centric payment.
- **Durations.** Each track has a length between 2.5 and 5.5 minutes; a share
  ``skip_share`` of plays are skips shorter than 30 seconds (the streams the
  30-second rule does not pay).

Plays fall uniformly over ``months`` months ending at ``end`` (fixed, so a
seed always gives the same dataset). Artists are named ``Artist 000042``,
tracks ``Song 1`` … ``Song N`` of each artist, listeners ``listener000042``;
ids of artists run genre by genre (see :func:`artist_genres`). The whole
thing is vectorised numpy and written bucket by bucket, so memory stays about
one bucket's plays.

Example:
    >>> params = GeneratorParams(listeners=2_000, listens=100_000, seed=7)
    >>> generate_population(params, "synthetic-pop").plays  # doctest: +SKIP
    100000
"""

from __future__ import annotations

import os
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

from royalty.errors import UsageError
from royalty.population.dataset import DatasetInfo

if TYPE_CHECKING:
    import numpy as np
    from numpy.typing import NDArray

END: Final = "2026-01-01T00:00:00+00:00"
"""The default end of the generated span (exclusive): fixed, for reproducible output."""
SOURCE: Final = "royalty-generate"
PLAYS_PER_BUCKET: Final = 2_500_000


@dataclass(frozen=True)
class GeneratorParams:
    """The knobs of :func:`generate_population`; every one is recorded in ``population.json``.

    Attributes:
        listeners: how many listeners.
        listens: how many plays in all (at least one per listener).
        seed: the random seed: the same seed and parameters give the same dataset.
        months: the span, in months, ending at ``end``.
        end: the end of the span (exclusive), ISO 8601 in UTC.
        artists: how many artists; default ``listens / 200`` between 500 and 100,000.
        tracks_per_artist: tracks of each artist.
        genres: how many genres.
        genre_zipf: Zipf exponent of genre popularity.
        artist_zipf: Zipf exponent of artist popularity within a genre.
        track_zipf: Zipf exponent of track popularity within an artist.
        activity_sigma: sigma of the lognormal listener activity.
        main_share: share of a listener's plays in their main genre.
        second_share: share in their second genre (the rest follow global popularity).
        niche_lean: how far heavy listeners lean to niche genres (0 = not at all).
        skip_share: share of plays that are skips under 30 seconds.
        buckets: bucket files; default one per 2.5 million plays.
    """

    listeners: int
    listens: int
    seed: int = 0
    months: int = 12
    end: str = END
    artists: int | None = None
    tracks_per_artist: int = 10
    genres: int = 24
    genre_zipf: float = 1.0
    artist_zipf: float = 1.0
    track_zipf: float = 1.0
    activity_sigma: float = 1.3
    main_share: float = 0.7
    second_share: float = 0.2
    niche_lean: float = 0.8
    skip_share: float = 0.08
    buckets: int | None = None

    def __post_init__(self) -> None:
        problems = []
        if self.listeners < 1:
            problems.append("--listeners must be 1 or more")
        if self.listens < self.listeners:
            problems.append("--listens must be at least --listeners (every listener plays)")
        if self.months < 1:
            problems.append("--months must be 1 or more")
        if self.main_share < 0 or self.second_share < 0 or self.main_share + self.second_share > 1:
            problems.append("the genre shares must be between 0 and 1 and add up to at most 1")
        if not 0 <= self.skip_share <= 1 or not 0 <= self.niche_lean <= 1:
            problems.append("skip_share and niche_lean must be between 0 and 1")
        if (self.artists is not None and self.artists < 1) or self.tracks_per_artist < 1:
            problems.append("there must be at least one artist and one track per artist")
        if self.genres < 1 or (self.buckets is not None and self.buckets < 1):
            problems.append("genres and buckets must be 1 or more")
        try:
            datetime.fromisoformat(self.end)
        except ValueError:
            problems.append(f"the end {self.end!r} is not an ISO 8601 time")
        if problems:
            raise UsageError("; ".join(problems))

    @property
    def artist_count(self) -> int:
        """The number of artists, the default filled in."""
        if self.artists is not None:
            return self.artists
        return min(100_000, max(500, self.listens // 200))

    @property
    def bucket_count(self) -> int:
        """The number of buckets, the default filled in."""
        return self.buckets or max(1, -(-self.listens // PLAYS_PER_BUCKET))

    def span_ms(self) -> tuple[int, int]:
        """The span as (start, end) in milliseconds since 1970, UTC."""
        end = datetime.fromisoformat(self.end)
        end = end if end.tzinfo else end.replace(tzinfo=UTC)
        month = end.month - 1 - self.months
        start = end.replace(year=end.year + month // 12, month=month % 12 + 1)
        return int(start.timestamp() * 1000), int(end.timestamp() * 1000)

    def recorded(self) -> dict[str, Any]:
        """The parameters as ``population.json`` records them (defaults filled in)."""
        out = asdict(self)
        out["artists"], out["buckets"] = self.artist_count, self.bucket_count
        return out


def _zipf(n: int, exponent: float) -> NDArray[np.float64]:
    import numpy as np

    weights: NDArray[np.float64] = 1.0 / np.arange(1, n + 1, dtype=np.float64) ** exponent
    normalised: NDArray[np.float64] = weights / weights.sum()
    return normalised


def artist_genres(params: GeneratorParams) -> NDArray[np.int64]:
    """The genre of each artist id: genres take consecutive blocks of ids, most popular first."""
    import numpy as np

    # Genres get artists in proportion to the square root of their weight: big genres
    # have more artists, but not as many more as they have plays.
    share = np.sqrt(_zipf(params.genres, params.genre_zipf))
    sizes = np.maximum(1, np.floor(share / share.sum() * params.artist_count)).astype(np.int64)
    sizes[0] += params.artist_count - sizes.sum()
    if sizes[0] < 1:
        raise UsageError("use at least as many artists as genres")
    return np.repeat(np.arange(params.genres), sizes)


class _Catalogue:
    """Everything drawn once for the whole population (small: per artist and per listener)."""

    def __init__(self, params: GeneratorParams) -> None:
        import numpy as np

        rng = np.random.default_rng([params.seed, 0])
        self.params = params
        genres = artist_genres(params)
        self.genre_weight = _zipf(params.genres, params.genre_zipf)
        starts = np.searchsorted(genres, np.arange(params.genres))
        rank = np.arange(len(genres)) - starts[genres]
        within = 1.0 / (rank + 1.0) ** params.artist_zipf
        sums = np.bincount(genres, weights=within)
        # Genre g's artists occupy [g, g + 1) of one increasing line: a uniform draw
        # u in genre g finds its artist with one searchsorted(g + u) for all plays at once.
        before = (np.cumsum(sums) - sums)[genres]  # weight of the earlier genres' artists
        self.artist_line = genres + (np.cumsum(within) - before) / sums[genres]
        self.track_line = np.cumsum(_zipf(params.tracks_per_artist, params.track_zipf))
        tracks = params.artist_count * params.tracks_per_artist
        self.track_length = rng.integers(150_000, 330_000, size=tracks, dtype=np.int64)
        activity = rng.lognormal(0.0, params.activity_sigma, size=params.listeners)
        extra = rng.multinomial(params.listens - params.listeners, activity / activity.sum())
        quantile = activity.argsort().argsort() / max(params.listeners - 1, 1)
        self.main = self._pick_genres(rng, quantile)
        self.second = self._pick_genres(rng, quantile)
        self.counts_by_name = (1 + extra).astype(np.int64)

    def _pick_genres(self, rng: Any, quantile: NDArray[np.float64]) -> NDArray[np.int64]:
        import numpy as np

        tilt = 1.0 - self.params.niche_lean * quantile
        logits = np.log(self.genre_weight)[None, :] * tilt[:, None]
        weights = np.exp(logits - logits.max(axis=1, keepdims=True))
        line = np.cumsum(weights / weights.sum(axis=1, keepdims=True), axis=1)
        draws = rng.random(len(quantile))[:, None]
        picked: NDArray[np.int64] = np.minimum((line < draws).sum(axis=1), self.params.genres - 1)
        return picked

    def plays(self, rng: Any, users: NDArray[np.int64]) -> dict[str, Any]:
        """The plays of ``users`` (indices into the listener arrays), sorted by user and time."""
        import numpy as np

        p = self.params
        counts = self.counts_by_name[users]
        who = np.repeat(np.arange(len(users)), counts)
        slot = rng.random(len(who))
        other = np.searchsorted(np.cumsum(self.genre_weight), rng.random(len(who)))
        genre = np.where(
            slot < p.main_share,
            self.main[users][who],
            np.where(slot < p.main_share + p.second_share, self.second[users][who], other),
        )
        genre = np.minimum(genre, p.genres - 1)
        artist = np.searchsorted(self.artist_line, genre + rng.random(len(who)))
        artist = np.minimum(artist, p.artist_count - 1)
        track_rank = np.searchsorted(self.track_line, rng.random(len(who)) * self.track_line[-1])
        track_rank = np.minimum(track_rank, p.tracks_per_artist - 1)
        track = artist * p.tracks_per_artist + track_rank
        start, end = p.span_ms()
        span = end - start
        # Sorting user * span + offset orders plays by user then time in one pass; the
        # other columns are drawn independently of time, so they need no reordering.
        keys = np.sort(who.astype(np.int64) * span + rng.integers(0, span, size=len(who)))
        skip = rng.random(len(who)) < p.skip_share
        duration = np.where(
            skip, rng.integers(1_000, 30_000, size=len(who)), self.track_length[track]
        )
        return {
            "who": who,
            "played_at": start + keys % span,
            "artist_id": artist.astype(np.int32),
            "track_id": track.astype(np.int32),
            "duration_ms": duration.astype(np.int64),
        }


def _bucket_table(names: list[str], user_ids: NDArray[np.int64], data: dict[str, Any]) -> Any:
    import numpy as np
    import pyarrow as pa

    from royalty.population.dataset import bucket_schema

    schema = bucket_schema()
    n = len(data["who"])
    text = schema.field("artist").type

    def compact(ids: NDArray[np.int32], label: str) -> Any:
        # Only the names this bucket uses go in its dictionary (a count, not a sort).
        present = np.bincount(ids) > 0
        codes = (np.cumsum(present) - 1).astype(np.int32)[ids]
        labels = [f"{label} {v:06d}" for v in np.flatnonzero(present).tolist()]
        return pa.DictionaryArray.from_arrays(pa.array(codes), pa.array(labels, pa.string()))

    return pa.Table.from_arrays(
        [
            pa.array(user_ids[data["who"]].astype(np.int32)),
            pa.array(data["played_at"], type=pa.int64()).cast(pa.timestamp("ms", tz="UTC")),
            pa.array(data["artist_id"]),
            pa.array(data["track_id"]),
            pa.array(data["duration_ms"]),
            pa.DictionaryArray.from_arrays(
                pa.array(data["who"].astype(np.int32)), pa.array(names, pa.string())
            ),
            compact(data["artist_id"], "Artist"),
            data["song"],
            pa.nulls(n, type=text),
            pa.nulls(n, type=text),
            pa.nulls(n, type=text),
            pa.nulls(n, type=text),
            pa.DictionaryArray.from_arrays(
                pa.array(np.zeros(n, dtype=np.int32)), pa.array([SOURCE], pa.string())
            ),
        ],
        schema=schema,
    )


def generate_population(
    params: GeneratorParams, path: str | os.PathLike[str], *, replace: bool = False
) -> DatasetInfo:
    """Generate a synthetic population into the dataset folder ``path``.

    Raises:
        UsageError: bad parameters, or ``path`` already holds a dataset and
            ``replace`` is False.

    Example:
        >>> generate_population(GeneratorParams(1000, 50_000), "pop").synthetic  # doctest: +SKIP
        True
    """
    import numpy as np
    import pyarrow as pa

    from royalty.population import writer
    from royalty.population.dataset import read_meta
    from royalty.population.ids import Ids, bucket_of

    root = Path(path).expanduser()
    if not replace and read_meta(root) is not None:
        raise UsageError(
            f"{root} already holds a population dataset; use --replace to overwrite it"
        )
    catalogue = _Catalogue(params)
    count = params.bucket_count
    names = [f"listener{i:06d}" for i in range(params.listeners)]
    buckets = np.array(bucket_of(names, count), dtype=np.int64)
    order = np.lexsort((np.arange(params.listeners), buckets))  # user ids run bucket by bucket
    ids = Ids(count)
    ids.user_names = [names[i] for i in order.tolist()]
    ids.user_buckets = buckets[order].tolist()
    ids.artist_names = [f"Artist {i:06d}" for i in range(params.artist_count)]
    ids.artist_mbids = [None] * params.artist_count
    songs = [f"Song {k + 1}" for k in range(params.tracks_per_artist)]
    ids.track_artists = np.repeat(np.arange(params.artist_count), params.tracks_per_artist).tolist()
    ids.track_names = songs * params.artist_count
    ids.track_mbids = [None] * (params.artist_count * params.tracks_per_artist)
    edges = np.searchsorted(buckets[order], np.arange(count + 1))
    first = last = None
    with writer.Generation.begin(root) as gen:
        for index in range(count):
            users = order[edges[index] : edges[index + 1]]
            rng = np.random.default_rng([params.seed, 1, index])
            data = catalogue.plays(rng, users)
            data["song"] = pa.DictionaryArray.from_arrays(
                pa.array((data["track_id"] % params.tracks_per_artist).astype(np.int32)),
                pa.array(songs, pa.string()),
            )
            user_ids = np.arange(edges[index], edges[index + 1], dtype=np.int64)
            table = _bucket_table([names[u] for u in users.tolist()], user_ids, data)
            gen.write_bucket(index, table)
            if len(data["played_at"]):
                low, high = int(data["played_at"].min()), int(data["played_at"].max())
                first = low if first is None else min(first, low)
                last = high if last is None else max(last, high)
        gen.write_ids(ids)

        def iso(ms: int | None) -> str | None:
            return None if ms is None else datetime.fromtimestamp(ms / 1000, UTC).isoformat()

        return gen.commit(
            writer.meta_fields(
                ids,
                plays=params.listens,
                buckets=count,
                first=iso(first),
                last=iso(last),
                synthetic=True,
                artist_names="names",
                sources=[{"kind": "generate", "path": "", "plays": params.listens}],
                generator=params.recorded(),
            )
        )
