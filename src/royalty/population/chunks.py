"""Chunks of plays: the form every population source reader yields, and the import rules.

A chunk is a pyarrow table with the columns of :data:`CHUNK_COLUMNS` (the
store's plays schema plus ``user``), built by :func:`chunk`; :func:`clean`
applies the one-listener importers' rules to it, counting what it skips.
"""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime
from typing import Any, Final

from royalty import schema

CHUNK_COLUMNS: Final[tuple[str, ...]] = ("user", *schema.COLUMNS)
"""The one-listener store's columns, with the listener's name first."""
EARLIEST: Final = schema.EARLIEST_PLAY
"""Plays before this are skipped, as in the one-listener importers (Last.fm began in 2002)."""


def chunk(columns: dict[str, Any]) -> Any:
    """A chunk from arrays: missing optional columns become nulls, types are coerced.

    ``played_at`` may be a timestamp array (naive means UTC) or integer
    milliseconds since 1970; text columns strings or dictionary arrays.
    """
    import pyarrow as pa
    import pyarrow.compute as pc

    n = len(columns["user"])
    out: dict[str, Any] = {}
    for name in CHUNK_COLUMNS:
        col = columns.get(name)
        if col is None:
            type_ = pa.int64() if name == "duration_ms" else pa.string()
            col = pa.nulls(n, type=type_)
        elif name == "played_at":
            if pa.types.is_timestamp(col.type) and col.type.tz is None:
                col = pc.assume_timezone(col, "UTC")
            col = col.cast(pa.timestamp("ms", tz="UTC"))
        elif name == "duration_ms":
            col = col.cast(pa.int64())
        elif not pa.types.is_dictionary(col.type):
            col = col.cast(pa.string())
        out[name] = col
    return pa.table(out)


def clean(table: Any, now: datetime | None = None) -> tuple[Any, Counter[str]]:
    """Drop the rows the one-listener importers skip, counting them by reason.

    Reasons: no listener, no or unreadable time, before 2002, in the future, no artist, no
    track. Empty optional text becomes missing.
    """
    import pyarrow as pa
    import pyarrow.compute as pc

    now = now or datetime.now(UTC)
    skipped: Counter[str] = Counter()
    masks: list[tuple[str, Any]] = []
    for col, reason in (("user", "no listener"), ("artist", "no artist"), ("track", "no track")):
        masks.append((reason, _blank(table[col], missing=True)))
    times = table["played_at"]
    masks.append(("no or unreadable time", pc.is_null(times)))
    early = pa.scalar(EARLIEST, type=pa.timestamp("ms", tz="UTC"))
    late = pa.scalar(now, type=pa.timestamp("ms", tz="UTC"))
    masks.append(("before 2002", pc.fill_null(pc.less(times, early), False)))
    masks.append(("in the future", pc.fill_null(pc.greater(times, late), False)))
    drop = None
    for reason, mask in masks:
        # A row is counted under its first reason only.
        fresh = mask if drop is None else pc.and_(mask, pc.invert(drop))
        count = pc.sum(fresh).as_py() or 0
        if count:
            skipped[reason] += count
        drop = mask if drop is None else pc.or_(drop, mask)
    if drop is not None and skipped:
        table = table.filter(pc.invert(drop))
    for col in ("album", "artist_mbid", "album_mbid", "track_mbid"):
        values = table[col]
        if len(values) == 0 or values.null_count == len(values):
            continue
        empty = _blank(values, missing=False)
        if pc.any(empty).as_py():
            if pa.types.is_dictionary(values.type):
                values = values.combine_chunks() if isinstance(values, pa.ChunkedArray) else values
                codes = pc.if_else(empty, pa.scalar(None, values.indices.type), values.indices)
                fixed = pa.DictionaryArray.from_arrays(codes, values.dictionary)
            else:
                fixed = pc.if_else(empty, None, values)
            table = table.set_column(table.schema.get_field_index(col), col, fixed)
    return table, skipped


def _blank(values: Any, *, missing: bool) -> Any:
    """Rows whose text is empty or only spaces, and (if ``missing``) null: one boolean a row.

    Blank as the one-listener importers count it. A dictionary column is tested
    through its dictionary, never row by row.
    """
    import pyarrow as pa
    import pyarrow.compute as pc

    def blank(text: Any) -> Any:
        return pc.equal(pc.utf8_trim_whitespace(text), "")

    if isinstance(values, pa.ChunkedArray):
        values = values.combine_chunks() if values.num_chunks != 1 else values.chunk(0)
    if pa.types.is_dictionary(values.type):
        empty = pc.take(blank(values.dictionary), values.indices)
    else:
        empty = blank(values)
    return pc.fill_null(empty, missing)
