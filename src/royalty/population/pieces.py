"""Reading buckets: the pieces a run is cut into, and their integer columns.

A piece is one map task's share of a bucket: whole row groups, ending where a
listener ends, so that pieces are counted apart and their counts added up.
:func:`plan` cuts the buckets from their Parquet footers alone, and
:func:`read_chunks` reads a piece's integer columns a row group at a time.
Nothing here knows Dask: :mod:`royalty.population.engine` runs the pieces.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

from royalty.errors import DataFormatError
from royalty.population.models import NO_DURATION, BucketColumns

PIECE_ROWS: Final = 500_000
"""Rows a map task gathers at least, when its bucket's row groups are smaller."""
INT_COLUMNS: Final = ("user_id", "played_at", "artist_id", "track_id", "duration_ms")
"""The only columns a bucket task reads: no strings in the hot path."""


@dataclass(frozen=True)
class Piece:
    """One map task's share of a bucket: row groups ``first`` to ``stop - 1`` of ``path``.

    A piece ends where a listener ends, so pieces are counted apart and added up.
    ``stop`` None means the whole file (a bucket whose row groups could not be planned).
    """

    path: str
    first: int = 0
    stop: int | None = None
    rows: int = 0


def plan(paths: Sequence[Path]) -> tuple[list[Piece], int | None]:
    """Cut the buckets into map tasks of whole row groups, and bound the plays.

    Reads each bucket's Parquet footer only. A boundary between two row groups
    is a place to cut when the ``user_id`` statistics show that no listener
    spans it (max of one group below min of the next); groups are gathered up
    to :data:`PIECE_ROWS` rows and to such a boundary. Datasets written by
    royalty before its row groups held whole listeners mostly have no such
    boundary: their buckets are one piece each, read as before. A footer that
    cannot be read makes its bucket one piece, and the worker reports it.

    Returns:
        The pieces (no empty ones), and the number of plays in all of them
        (None when a footer could not be read).
    """
    import pyarrow as pa
    import pyarrow.parquet as pq

    pieces: list[Piece] = []
    total: int | None = 0
    for path in paths:
        try:
            meta = pq.read_metadata(path)
            ranges = _user_ranges(meta)
        except (OSError, pa.ArrowException):
            pieces.append(Piece(str(path)))
            total = None
            continue
        first, rows = 0, 0
        for group, (count, _, high) in enumerate(ranges):
            rows += count
            last = group == len(ranges) - 1
            if last or (rows >= PIECE_ROWS and _apart(high, ranges[group + 1][1])):
                if rows:
                    pieces.append(Piece(str(path), first, group + 1, rows))
                first, rows = group + 1, 0
        total = None if total is None else total + meta.num_rows
    return pieces, total


def _apart(high: Any, low: Any) -> bool:
    """Whether no listener spans a boundary: the last user id before is below the first after."""
    return high is not None and low is not None and bool(high < low)


def _user_ranges(meta: Any) -> list[tuple[int, Any, Any]]:
    """Rows, lowest and highest user id of each row group (None where not recorded)."""
    out: list[tuple[int, Any, Any]] = []
    for group in range(meta.num_row_groups):
        row_group = meta.row_group(group)
        low = high = None
        for column in range(row_group.num_columns):
            chunk = row_group.column(column)
            if chunk.path_in_schema == "user_id":
                stats = chunk.statistics
                if stats is not None and stats.has_min_max:
                    low, high = stats.min, stats.max
                break
        out.append((row_group.num_rows, low, high))
    return out


def read_chunks(
    path: Path, *, tracks: bool = True, first: int = 0, stop: int | None = None
) -> Iterator[BucketColumns]:
    """The integer columns of row groups ``first`` to ``stop - 1`` of a bucket, one at a time.

    Each chunk holds whole listeners: the rows of the last listener of a row
    group are carried over to the next chunk (rows are sorted by listener), so
    a worker's memory is bounded by a row group, however large the bucket.
    Row groups written by this royalty hold whole listeners already, and
    nothing is carried. Without ``tracks`` the track ids are not read (only
    the threshold model needs them): an empty array stands in.

    Raises:
        DataFormatError: the file is missing or is not a bucket of a dataset.
    """
    import numpy as np
    import pyarrow as pa
    import pyarrow.parquet as pq

    wanted = [c for c in INT_COLUMNS if tracks or c != "track_id"]
    try:
        # One thread: a worker runs one task per core already, and threads
        # would each keep their own buffers.
        with pq.ParquetFile(path) as parquet:
            end = parquet.num_row_groups if stop is None else stop
            carry: BucketColumns | None = None
            for group in range(first, end):
                table = parquet.read_row_group(group, columns=wanted, use_threads=False)
                cols = _columns(table, tracks)
                del table
                cols = cols if carry is None else carry.then(cols)
                carry = None
                if group < end - 1 and len(cols.user_id):
                    cut = int(np.searchsorted(cols.user_id, cols.user_id[-1], side="left"))
                    cols, carry = cols.rows(0, cut), cols.rows(cut)
                if len(cols.user_id):
                    yield cols
    except (OSError, pa.ArrowException, KeyError) as exc:
        raise DataFormatError(f"cannot read the bucket {path}: {exc}") from None


def _columns(table: Any, tracks: bool) -> BucketColumns:
    """numpy arrays of a pyarrow table of the integer columns."""
    import numpy as np

    return BucketColumns(
        user_id=_numbers(table.column("user_id"), np.int32),
        played_ms=_numbers(table.column("played_at"), np.int64),
        artist_id=_numbers(table.column("artist_id"), np.int32),
        track_id=_numbers(table.column("track_id"), np.int32)
        if tracks
        else np.zeros(0, dtype=np.int32),
        duration_ms=_numbers(table.column("duration_ms"), np.int64, missing=NO_DURATION),
    )


def _numbers(column: Any, dtype: Any, missing: int = 0) -> Any:
    """A column's values as a numpy array of ``dtype``, ``missing`` where null.

    Read from the Arrow buffers with numpy (no copy when there is one chunk
    and no null): pyarrow's ``to_numpy`` and ``fill_null`` import pandas,
    which cost each new worker 0.2 s in its first task.
    """
    import numpy as np
    import pyarrow as pa

    array = column.combine_chunks() if column.num_chunks != 1 else column.chunk(0)
    size = np.dtype(dtype).itemsize
    array = array.cast(pa.int32() if size == 4 else pa.int64())  # timestamps: their ms
    if len(array) == 0:
        return np.zeros(0, dtype=dtype)
    values = np.frombuffer(array.buffers()[1], dtype, len(array), array.offset * size)
    if array.null_count == 0:
        return values
    bits = np.unpackbits(np.frombuffer(array.buffers()[0], np.uint8), bitorder="little")
    known = bits[array.offset : array.offset + len(array)].astype(bool)
    return np.where(known, values, missing)
