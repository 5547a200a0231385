"""Arrow tables on the way to a bucket file: spilled rows, compact dictionaries, sorting.

While importing, rows travel as *spill tables*: the integer ids, time and
duration, and only the text that ids cannot give back (:data:`SPILL_TEXT`:
album, MusicBrainz ids, source). The names of listeners, artists and tracks are
added from the id tables when a bucket is finished (:func:`bucket_from_spill`),
so no row's name is hashed or copied more than once.

Every text column is written with a dictionary of only the values its rows use
(:func:`compact`): a slice of a big chunk would otherwise carry the whole
chunk's dictionary into each bucket file.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Final

from royalty.population import dataset as ds
from royalty.population.ids import dictionary

if TYPE_CHECKING:
    import numpy as np
    from numpy.typing import NDArray

    from royalty.population.ids import Encoded, Ids

SPILL_TEXT: Final[tuple[str, ...]] = ("album", "artist_mbid", "album_mbid", "track_mbid", "source")
SPILL_COLUMNS: Final[tuple[str, ...]] = (*ds.ID_COLUMNS, "duration_ms", *SPILL_TEXT)
BATCH: Final = "batch"
"""A spilled row's source, by position in the import (not written to the dataset)."""


def _text_type() -> Any:
    import pyarrow as pa

    return pa.dictionary(pa.int32(), pa.string())


def compact(column: Any) -> Any:
    """``column`` as a dictionary array whose dictionary holds only the values it uses.

    Linear in the rows when the dictionary is not much larger than them, else a
    sort of the rows' codes, so a small slice of a big dictionary stays cheap.
    """
    import numpy as np
    import pyarrow as pa

    arr = dictionary(column)
    if arr.type != _text_type():
        arr = arr.cast(_text_type())
    n, size = len(arr), len(arr.dictionary)
    if n == 0 or arr.null_count == n:
        return pa.nulls(n, type=_text_type())
    if size <= 1:
        return arr
    valid = np.asarray(arr.is_valid()) if arr.null_count else None
    codes = arr.indices.fill_null(0).to_numpy(zero_copy_only=False).astype(np.int64)
    used_codes = codes if valid is None else codes[valid]
    if size <= 4 * n:
        used = np.bincount(used_codes, minlength=size) > 0
        if used.all():
            return arr
        new_codes = (np.cumsum(used) - 1)[codes]
        values = arr.dictionary.filter(pa.array(used))
    else:
        uniq, inverse = np.unique(used_codes, return_inverse=True)
        new_codes = np.zeros(n, dtype=np.int64)
        if valid is None:
            new_codes = inverse.reshape(-1)
        else:
            new_codes[valid] = inverse.reshape(-1)
        values = arr.dictionary.take(pa.array(uniq))
    mask = None if valid is None else ~valid
    return pa.DictionaryArray.from_arrays(pa.array(new_codes.astype(np.int32), mask=mask), values)


def spill_table(table: Any, encoded: Encoded, batch: int = 0) -> Any:
    """A cleaned chunk with its ids, in the columns of :data:`SPILL_COLUMNS` (chunk order).

    A last column, :data:`BATCH`, says which of the import's sources it came from.
    """
    import numpy as np
    import pyarrow as pa

    arrays = [
        pa.array(encoded.user_id, type=pa.int32()),
        table["played_at"],
        pa.array(encoded.artist_id, type=pa.int32()),
        pa.array(encoded.track_id, type=pa.int32()),
        table["duration_ms"],
    ]
    for name in SPILL_TEXT:
        col = dictionary(table[name])
        arrays.append(col if col.type == _text_type() else col.cast(_text_type()))
    arrays.append(pa.array(np.full(table.num_rows, batch, dtype=np.int16)))
    return pa.Table.from_arrays(arrays, names=[*SPILL_COLUMNS, BATCH])


def compact_text(table: Any) -> Any:
    """``table`` with each of its :data:`SPILL_TEXT` columns compacted."""
    for name in SPILL_TEXT:
        index = table.schema.get_field_index(name)
        table = table.set_column(index, name, compact(table.column(name)))
    return table


def sort_order(table: Any) -> Any:
    """Row indices that sort ``table`` by ``user_id`` then ``played_at``, ties in order."""
    import numpy as np
    import pyarrow as pa
    import pyarrow.compute as pc

    # Dumps come sorted by time, so a stable sort by listener alone usually leaves
    # each listener's plays in time order. When the rows are in time order as they
    # stand, that is certain; else check, and sort by both only when needed.
    users = table["user_id"].to_numpy()
    order = stable_order(users)
    times = table["played_at"].cast("int64").to_numpy()
    if (np.diff(times) >= 0).all():
        return pa.array(order)
    times = times[order]
    if not ((np.diff(times) >= 0) | (np.diff(users[order]) != 0)).all():
        return pc.sort_indices(table, [("user_id", "ascending"), ("played_at", "ascending")])
    return pa.array(order)


def stable_order(values: NDArray[np.int32]) -> NDArray[np.intp]:
    """A stable argsort of non-negative 32-bit integers, 16 bits at a time.

    numpy sorts 16-bit keys stably by radix, in linear time: two such passes
    beat one comparison sort of the 32-bit keys about threefold. Values that
    are few but large (the listeners of one bucket) are first replaced by their
    rank among the distinct values, which sorts the same and often needs one pass.
    """
    import numpy as np

    if len(values) == 0:
        return np.zeros(0, dtype=np.intp)
    top = int(values.max())
    if top > 0xFFFF and top < 4 * len(values):
        present = np.zeros(top + 1, dtype=bool)
        present[values] = True
        values = (np.cumsum(present, dtype=np.int32) - 1)[values]
    order = np.argsort((values & 0xFFFF).astype(np.uint16), kind="stable")
    if int(values.max()) > 0xFFFF:
        high = (values[order] >> 16).astype(np.uint16)
        order = order[np.argsort(high, kind="stable")]
    return order


def row_group_cuts(users: NDArray[np.integer], rows: int) -> list[int]:
    """Where a bucket's row groups begin and end: every listener whole in one group.

    ``users`` are the bucket's user ids in file order (sorted). The groups are
    about ``rows`` rows each and as even as listeners allow: each cut is moved
    back to the first play of the listener it falls in, so a listener never
    spans two groups and a reader can count any group on its own. A listener
    with more plays than a group gets a larger group.

    Returns:
        The first row of each group, then the number of rows (one entry when
        there are no rows).

    Example:
        >>> import numpy as np
        >>> row_group_cuts(np.array([0, 0, 0, 1, 1, 2, 2, 2, 3]), 3)
        [0, 3, 5, 9]
    """
    import numpy as np

    n = len(users)
    groups = max(1, -(-n // max(1, rows)))
    even = np.arange(1, groups, dtype=np.int64) * n // groups
    starts = np.searchsorted(users, users[even], side="left") if n else even
    return sorted({0, n, *starts.tolist()}) if n else [0]


def sort_rows(table: Any) -> Any:
    """``table`` sorted by ``user_id`` then ``played_at``; ties keep their order (stable)."""
    return table if table.num_rows < 2 else table.take(sort_order(table))


class Names:
    """The names of every id, as Arrow arrays, to label finished buckets."""

    def __init__(self, ids: Ids) -> None:
        import numpy as np
        import pyarrow as pa

        self.user = pa.array(ids.user_names, type=pa.string())
        self.artist = pa.array(ids.artist_names, type=pa.string())
        # Track titles repeat across artists ("Intro"): label tracks through the distinct
        # titles, as a dictionary with repeated values is written unreliably by Parquet.
        self.title = pa.array(ids.titles, type=pa.string())
        self.title_of_track = np.array(
            [ids.title_index[t] for t in ids.track_names] or [0], dtype=np.int32
        )


def bucket_from_spill(table: Any, names: Names) -> Any:
    """A sorted spill table as a bucket file's table, names added from the ids."""
    import pyarrow as pa

    text = {
        "user": compact(pa.DictionaryArray.from_arrays(_ids(table, "user_id"), names.user)),
        "artist": compact(pa.DictionaryArray.from_arrays(_ids(table, "artist_id"), names.artist)),
        "track": compact(
            pa.DictionaryArray.from_arrays(
                pa.array(names.title_of_track[_ids(table, "track_id").to_numpy()]), names.title
            )
        ),
    }
    text.update({c: compact(table.column(c)) for c in SPILL_TEXT})
    arrays = [table.column(c) for c in (*ds.ID_COLUMNS, "duration_ms")]
    arrays += [text[c] for c in ds.TEXT_COLUMNS]
    return pa.Table.from_arrays(arrays, schema=ds.bucket_schema())


def _ids(table: Any, column: str) -> Any:
    values = table.column(column)
    return values.combine_chunks() if values.num_chunks != 1 else values.chunk(0)
