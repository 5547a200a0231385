"""Integer ids for listeners, artists and tracks, assigned once at import.

Ids are dense (0..n-1) and stable: a later import keeps every existing id and
appends new names at the end. An artist is its name as the source spells it
(its MusicBrainz id for MLHD); a track is an artist's track title. A
listener's bucket is a stable hash of the name (:func:`bucket_of`), never
Python's per-process ``hash()``.

Encoding works on one chunk of plays at a time: the text columns are
dictionary-encoded by pyarrow, and of each chunk's distinct names only those
the previous chunk did not have go through the Python dictionaries here; a
track, one (artist, title) integer key, is found by binary search in numpy.
So the cost grows with the names, not with the plays.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from royalty.errors import DataFormatError

if TYPE_CHECKING:
    import numpy as np
    from numpy.typing import NDArray


def bucket_of(names: Iterable[str], buckets: int) -> list[int]:
    """The bucket of each user name: BLAKE2b (8 bytes) of its UTF-8 text, modulo ``buckets``.

    Example:
        >>> bucket_of(["rj", "rj"], 16)[0] == bucket_of(["rj"], 16)[0]
        True
    """
    return [
        int.from_bytes(hashlib.blake2b(n.encode("utf-8"), digest_size=8).digest(), "big") % buckets
        for n in names
    ]


@dataclass(frozen=True)
class Encoded:
    """The ids of one chunk's rows (numpy int32 arrays, one value a row)."""

    user_id: NDArray[np.int32]
    artist_id: NDArray[np.int32]
    track_id: NDArray[np.int32]
    bucket: NDArray[np.int32]


def dictionary(column: Any) -> Any:
    """``column`` (a pyarrow array or chunked array) as one dictionary-encoded array."""
    import pyarrow as pa
    import pyarrow.compute as pc

    if isinstance(column, pa.ChunkedArray):
        column = column.combine_chunks() if column.num_chunks != 1 else column.chunk(0)
    if not pa.types.is_dictionary(column.type):
        column = pc.dictionary_encode(column)
    return column


def _codes(column: Any) -> tuple[Any, Any]:
    """The dictionary indices (numpy) and dictionary values (Arrow) of a text column."""
    encoded = dictionary(column)
    return encoded.indices.to_numpy(zero_copy_only=False), encoded.dictionary


class Ids:
    """The id tables of a dataset, growing as chunks are encoded."""

    def __init__(self, buckets: int) -> None:
        self.buckets = buckets
        self.user_index: dict[str, int] = {}
        self.user_names: list[str] = []
        self.user_buckets: list[int] = []
        self.artist_index: dict[str, int] = {}
        self.artist_names: list[str] = []
        self.artist_mbids: list[str | None] = []
        self.title_index: dict[str, int] = {}
        self.titles: list[str] = []
        # Track keys ((artist id << 32) | title id), sorted, and the track id of each:
        # numpy finds a chunk's keys by binary search, with no Python call per track.
        self._track_keys: NDArray[np.int64] | None = None
        self._track_ids: NDArray[np.int64] | None = None
        self.track_artists: list[int] = []
        self.track_names: list[str] = []
        self.track_mbids: list[str | None] = []
        self._bucket_array: NDArray[np.int32] | None = None
        # The previous chunk's distinct keys and their ids, per table: most of a chunk's
        # names were in the chunk before, and Arrow finds them without a Python call.
        self._recent: dict[str, tuple[Any, NDArray[np.int64]]] = {}

    @property
    def counts(self) -> tuple[int, int, int]:
        """How many (listeners, artists, tracks) are known."""
        return len(self.user_names), len(self.artist_names), len(self.track_names)

    @classmethod
    def load(cls, artists: Path, tracks: Path, users: Path, buckets: int) -> Ids:
        """Read a generation's id tables.

        Raises:
            DataFormatError: a table is unreadable or its ids are not dense.
        """
        import pyarrow as pa
        import pyarrow.parquet as pq

        ids = cls(buckets)
        try:
            a, t, u = (pq.read_table(p) for p in (artists, tracks, users))
            cols = {
                "artist_id": a["artist_id"], "track_id": t["track_id"], "user_id": u["user_id"]
            }  # fmt: skip
            for name, col in cols.items():
                if col.to_pylist() != list(range(len(col))):
                    raise ValueError(f"{name} is not 0..n-1 in order")
            ids.artist_names = a["artist"].to_pylist()
            ids.artist_mbids = a["artist_mbid"].to_pylist()
            ids.track_artists = t["artist_id"].to_pylist()
            ids.track_names = t["track"].to_pylist()
            ids.track_mbids = t["track_mbid"].to_pylist()
            ids.user_names = u["user"].to_pylist()
            ids.user_buckets = u["bucket"].to_pylist()
        except (OSError, KeyError, ValueError, pa.ArrowException) as exc:
            raise DataFormatError(f"cannot read the id tables beside {users}: {exc}") from exc
        ids.artist_index = {n: i for i, n in enumerate(ids.artist_names)}
        ids.user_index = {n: i for i, n in enumerate(ids.user_names)}
        title_ids = ids._lookup(ids.title_index, ids.track_names, ids.titles.extend).tolist()
        import numpy as np

        n = len(ids.track_artists)
        keys = (np.array(ids.track_artists, dtype=np.int64) << 32) | np.array(
            title_ids[:n], dtype=np.int64
        )  # the lookup pads an empty list
        ids._track_ids = np.argsort(keys, kind="stable")
        ids._track_keys = keys[ids._track_ids]
        return ids

    def _new_users(self, names: list[str]) -> None:
        self.user_names.extend(names)
        self.user_buckets.extend(bucket_of(names, self.buckets))
        self._bucket_array = None

    def _new_artists(self, names: list[str]) -> None:
        self.artist_names.extend(names)
        self.artist_mbids.extend([None] * len(names))

    def _new_tracks(self, keys: list[int]) -> None:
        titles = self.titles
        self.track_artists.extend([k >> 32 for k in keys])
        self.track_names.extend([titles[k & 0xFFFFFFFF] for k in keys])
        self.track_mbids.extend([None] * len(keys))

    @staticmethod
    def _lookup(index: dict[Any, int], keys: list[Any], extend: Any) -> NDArray[np.int64]:
        """The id of each key; unknown keys get the next ids, in order of first appearance.

        ``extend`` is called once with the new keys, to grow the tables beside ``index``.
        Everything is list comprehensions over the chunk's distinct keys: no Python call
        per name.
        """
        import numpy as np

        found = np.array([index.get(k, -1) for k in keys] or [0], dtype=np.int64)
        missing = np.flatnonzero(found < 0).tolist()
        if missing:
            fresh = list(dict.fromkeys([keys[i] for i in missing]))
            start = len(index)
            index.update(zip(fresh, range(start, start + len(fresh)), strict=True))
            extend(fresh)
            found[missing] = [index[keys[i]] for i in missing]
        return found

    def _lookup_recent(
        self, table: str, index: dict[Any, int], keys: Any, extend: Any
    ) -> NDArray[np.int64]:
        """:meth:`_lookup` of ``keys`` (distinct, an Arrow array), the same ids in the same order.

        Keys that were in the previous chunk of ``table`` are found by Arrow
        (``index_in``); only the rest are converted to Python and looked up in
        ``index``, in their order, so new keys get the ids :meth:`_lookup` gives.
        """
        import numpy as np
        import pyarrow as pa
        import pyarrow.compute as pc

        n = len(keys)
        found = np.full(max(n, 1), -1, dtype=np.int64)
        recent = self._recent.get(table)
        if recent is not None and n and recent[0].type == keys.type:
            before, before_ids = recent
            where = pc.index_in(keys, value_set=before).fill_null(-1).to_numpy()
            hit = where >= 0
            found[:n][hit] = before_ids[where[hit]]
        todo = np.flatnonzero(found[:n] < 0)
        if len(todo):
            rest = keys.take(pa.array(todo)).to_pylist()
            found[todo] = self._lookup(index, rest, extend)[: len(todo)]
        elif n == 0:
            found[0] = 0  # as _lookup: the padding of an empty chunk's map
        self._recent[table] = (keys, found[:n])
        return found

    def _track_lookup(self, keys: NDArray[np.int64]) -> NDArray[np.int32]:
        """The track id of each distinct key; new keys get the next ids, in order."""
        import numpy as np

        if self._track_keys is None or self._track_ids is None:
            self._track_keys = np.zeros(0, dtype=np.int64)
            self._track_ids = np.zeros(0, dtype=np.int64)
        known, known_ids = self._track_keys, self._track_ids
        # Searching keys in sorted order walks the known keys once, cache-friendly.
        by_key = np.argsort(keys)
        sorted_keys = keys[by_key]
        where = np.searchsorted(known, sorted_keys)
        hit = np.zeros(len(keys), dtype=bool)
        inside = where < len(known)
        hit[inside] = known[where[inside]] == sorted_keys[inside]
        found = np.full(max(len(keys), 1), 0 if len(keys) == 0 else -1, dtype=np.int64)
        found[by_key[hit]] = known_ids[where[hit]]
        fresh = np.sort(by_key[~hit])  # new keys, in the chunk's order
        if len(fresh):
            start = len(self.track_names)
            found[fresh] = np.arange(start, start + len(fresh), dtype=np.int64)
            self._new_tracks(keys[fresh].tolist())
            # Insert the new keys where they sort: linear, no re-sort of the known ones.
            miss = ~hit
            self._track_keys = np.insert(known, where[miss], sorted_keys[miss])
            self._track_ids = np.insert(known_ids, where[miss], found[by_key[miss]])
        return found.astype(np.int32)

    def encode(self, chunk: Any) -> Encoded:
        """Assign ids to a chunk's rows (``user``, ``artist``, ``track`` never missing).

        New names get new ids; MusicBrainz ids of artists and tracks that had
        none are filled from the chunk's first row that has one.
        """
        import numpy as np
        import pyarrow as pa
        import pyarrow.compute as pc

        u_codes, u_names = _codes(chunk["user"])
        user_map = self._lookup_recent("user", self.user_index, u_names, self._new_users)
        user_id = user_map[u_codes].astype(np.int32)
        a_codes, a_names = _codes(chunk["artist"])
        artist_map = self._lookup_recent("artist", self.artist_index, a_names, self._new_artists)
        artist_id = artist_map[a_codes].astype(np.int32)
        t_codes, t_names = _codes(chunk["track"])
        title_map = self._lookup_recent("title", self.title_index, t_names, self.titles.extend)
        title_id = title_map[t_codes]
        # A track is (artist, title): one int64 key, looked up once per distinct pair.
        keys = pc.dictionary_encode(pa.array((artist_id.astype(np.int64) << 32) | title_id))
        track_id = self._track_lookup(keys.dictionary.to_numpy())[keys.indices.to_numpy()]
        self._fill_mbids(chunk["artist_mbid"], artist_id, self.artist_mbids)
        self._fill_mbids(chunk["track_mbid"], track_id, self.track_mbids)
        if self._bucket_array is None:
            self._bucket_array = np.array(self.user_buckets, dtype=np.int32)
        bucket = self._bucket_array[user_id]
        return Encoded(user_id=user_id, artist_id=artist_id, track_id=track_id, bucket=bucket)

    @staticmethod
    def _fill_mbids(column: Any, ids: NDArray[np.int32], mbids: list[str | None]) -> None:
        import numpy as np

        if column.null_count == len(column):
            return
        encoded = dictionary(column)
        valid = np.asarray(encoded.is_valid())
        codes = encoded.indices.fill_null(0).to_numpy(zero_copy_only=False)
        wanted = np.array([m is None for m in mbids], dtype=bool)[ids] & valid
        if not wanted.any():
            return
        first_ids, first_rows = np.unique(ids[wanted], return_index=True)
        values = encoded.dictionary.to_pylist()
        for i, code in zip(first_ids.tolist(), codes[wanted][first_rows].tolist(), strict=True):
            mbids[i] = values[code]

    def tables(self) -> tuple[Any, Any, Any]:
        """The artists, tracks and users tables as pyarrow tables."""
        import pyarrow as pa

        def ids(n: int) -> Any:
            return pa.array(range(n), type=pa.int32())

        artists = pa.table(
            {
                "artist_id": ids(len(self.artist_names)),
                "artist": pa.array(self.artist_names, type=pa.string()),
                "artist_mbid": pa.array(self.artist_mbids, type=pa.string()),
            }
        )
        tracks = pa.table(
            {
                "track_id": ids(len(self.track_names)),
                "artist_id": pa.array(self.track_artists, type=pa.int32()),
                "track": pa.array(self.track_names, type=pa.string()),
                "track_mbid": pa.array(self.track_mbids, type=pa.string()),
            }
        )
        users = pa.table(
            {
                "user_id": ids(len(self.user_names)),
                "user": pa.array(self.user_names, type=pa.string()),
                "bucket": pa.array(self.user_buckets, type=pa.int32()),
            }
        )
        return artists, tracks, users
