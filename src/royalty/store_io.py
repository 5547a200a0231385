"""The store's Parquet files: written with checksums, read only when they check out.

A flipped bit on disk must never become different numbers in a report. Three
things protect a file of plays:

* Parquet page checksums (CRC-32 of every data and dictionary page), written
  with ``write_page_checksum=True`` and verified on every read of a page.
* ``royalty.checksum`` in the footer: a SHA-256 of the footer's key-value
  metadata: royalty's own keys, pandas' column metadata and
  ``royalty.row_groups`` (the number of plays and the first and last
  ``played_at`` of each row group). Reading with ``--since``/``--until``
  picks row groups by these checksummed ranges, never by the footer's own
  statistics, which no checksum covers.
* The columns and types in the footer, and the dtypes read, are checked
  against :mod:`royalty.schema`.

A failed check is "the stored plays of USER are damaged (…)". Files written
before checksums existed (their footer holds exactly the four older
``royalty.*`` keys) are still read, without the footer checks; the next write
adds them.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Final

from royalty import schema
from royalty.errors import StoreError
from royalty.fileio import write_atomic

if TYPE_CHECKING:
    import pandas as pd
    import pyarrow.parquet as pq

META_PREFIX: Final = "royalty."
CHECKSUM_KEY: Final = b"royalty.checksum"
ROW_GROUPS_KEY: Final = b"royalty.row_groups"
ROW_GROUP_ROWS = 1 << 20
"""Plays per row group: fixed, so that the groups' ranges are known before writing."""
_LEGACY_KEYS: Final = frozenset(
    {b"ARROW:schema", b"pandas"}
    | {f"{META_PREFIX}{k}".encode() for k in ("updated_at", "plays", "first_play", "last_play")}
)
_EPOCH: Final = datetime(1970, 1, 1, tzinfo=UTC)


@dataclass(frozen=True)
class Footer:
    """What a file's footer says about the plays in it (checked)."""

    plays: int
    first_play: datetime | None
    last_play: datetime | None
    updated_at: datetime
    row_groups: list[tuple[int, int, int]] | None = None
    """Each row group's (plays, first and last ``played_at`` in ms); None in older files."""


def damaged(user: str, path: Path, reason: str) -> StoreError:
    """The error for a file of plays that fails a check."""
    return StoreError(
        f"the stored plays of {user} are damaged ({reason}); move {path.parent} away and "
        f"import them again (`royalty import {user}`, and any files you imported)"
    )


def write_plays(plays: pd.DataFrame, path: Path) -> None:
    """Write ``plays`` (sorted by ``played_at``) to ``path`` atomically, with checksums.

    Raises:
        OSError: the file cannot be written; the old one is unchanged.
    """
    import pyarrow as pa
    import pyarrow.parquet as pq

    table = pa.Table.from_pandas(plays, preserve_index=False)
    times = plays["played_at"].array.asi8 if len(plays) else []
    first = plays["played_at"].iloc[0] if len(plays) else None
    last = plays["played_at"].iloc[-1] if len(plays) else None
    groups = []
    for start in range(0, len(times), ROW_GROUP_ROWS):
        stop = min(start + ROW_GROUP_ROWS, len(times))
        groups.append(f"{stop - start}:{times[start]}:{times[stop - 1]}")
    extra = {
        "updated_at": datetime.now(UTC).isoformat(),
        "plays": str(len(plays)),
        "first_play": first.isoformat() if first is not None else "",
        "last_play": last.isoformat() if last is not None else "",
        "row_groups": ",".join(groups),
    }
    meta = dict(table.schema.metadata or {})
    meta.update({(META_PREFIX + k).encode(): v.encode() for k, v in extra.items()})
    meta[CHECKSUM_KEY] = _digest(meta)
    table = table.replace_schema_metadata(meta)
    # Time statistics let other tools (DuckDB, pandas) skip row groups; load()
    # uses the checksummed ranges instead. On the text columns statistics
    # would double the time of every write. A symbolic link is written
    # through, so a file kept elsewhere stays there.
    write_atomic(
        Path(os.path.realpath(path)),
        lambda fh: pq.write_table(
            table,
            fh,
            compression="zstd",
            row_group_size=ROW_GROUP_ROWS,
            write_statistics=["played_at", "duration_ms"],
            write_page_checksum=True,
        ),
    )


def _digest(meta: Mapping[bytes, bytes]) -> bytes:
    """SHA-256 of the footer's metadata, except the checksum itself and Arrow's schema."""
    h = hashlib.sha256()
    for key in sorted(meta):
        if key in (CHECKSUM_KEY, b"ARROW:schema"):
            continue
        for part in (key, meta[key]):
            h.update(len(part).to_bytes(8, "little"))
            h.update(part)
    return b"sha256:" + h.hexdigest().encode()


def read_footer(user: str, path: Path) -> tuple[pq.FileMetaData, Footer]:
    """Read and check the footer of ``path``: checksum, columns and row groups.

    Raises:
        StoreError: the file is damaged or is not a file of royalty's plays.
    """
    import pyarrow as pa
    import pyarrow.parquet as pq

    try:
        footer = pq.read_metadata(path)
        arrow = footer.schema.to_arrow_schema()
    except (OSError, ValueError, pa.ArrowException) as exc:
        raise damaged(user, path, _short(exc)) from None
    _check_columns(user, path, arrow)  # first: it best describes a file of another kind
    meta = footer.metadata or {}
    groups = None
    if frozenset(meta) != _LEGACY_KEYS:
        if meta.get(CHECKSUM_KEY) != _digest(meta):
            raise damaged(user, path, "its metadata does not match its checksum")
        groups = _row_groups(user, path, footer, meta.get(ROW_GROUPS_KEY, b""))
    info = {k.decode("latin-1"): v.decode("utf-8", "replace") for k, v in meta.items()}
    try:
        first = _time(info.get(f"{META_PREFIX}first_play", ""))
        last = _time(info.get(f"{META_PREFIX}last_play", ""))
        updated = _time(info.get(f"{META_PREFIX}updated_at", "")) or datetime.fromtimestamp(
            path.stat().st_mtime, UTC
        )
        plays = int(info.get(f"{META_PREFIX}plays") or footer.num_rows)
    except ValueError as exc:
        raise damaged(user, path, f"bad metadata: {exc}") from None
    if plays != footer.num_rows:
        raise damaged(user, path, f"{plays} plays listed, {footer.num_rows} in the file")
    return footer, Footer(plays, first, last, updated, row_groups=groups)


def _time(text: str) -> datetime | None:
    """A time from the footer: ISO 8601 with a UTC offset, or empty."""
    if not text:
        return None
    when = datetime.fromisoformat(text)
    if when.tzinfo is None:
        raise ValueError(f"{text!r} has no time zone")
    return when


def _row_groups(
    user: str, path: Path, footer: pq.FileMetaData, recorded: bytes
) -> list[tuple[int, int, int]]:
    """The row groups recorded under the checksum, checked against the footer's counts.

    Only the row counts are compared: pyarrow 26 aborts the whole process
    (not an exception) when Python reads the column metadata of some damaged
    footers, so the footer's column statistics are never read or trusted;
    :func:`read_plays` picks row groups from these checksummed ranges instead.
    """
    try:
        groups = [
            (int(n), int(lo), int(hi))
            for n, lo, hi in (g.split(b":") for g in recorded.split(b",") if g)
        ]
    except ValueError:
        raise damaged(user, path, "its row groups cannot be read") from None
    counts = [footer.row_group(i).num_rows for i in range(footer.num_row_groups)]
    if counts != [n for n, _, _ in groups]:
        raise damaged(user, path, "its row groups do not match its checksum")
    return groups


def _check_columns(user: str, path: Path, arrow: object) -> None:
    """The file holds the schema's columns with the types royalty writes."""
    import pyarrow as pa

    assert isinstance(arrow, pa.Schema)
    if tuple(arrow.names) != schema.COLUMNS:
        raise damaged(
            user, path, f"it is not a file of royalty's plays: columns {', '.join(arrow.names)}"
        )
    for field in arrow:
        kind = field.type
        if field.name == "played_at":
            good = kind == pa.timestamp("ms", tz="UTC")
        elif field.name == "duration_ms":
            good = kind == pa.int64()
        else:
            # An ordered dictionary would read as an ordered categorical:
            # the same names, but it sorts and compares differently.
            good = (
                pa.types.is_dictionary(kind)
                and not kind.ordered
                and (
                    pa.types.is_string(kind.value_type) or pa.types.is_large_string(kind.value_type)
                )
            )
        if not good:
            raise damaged(user, path, f"column {field.name} is {kind}")


def read_plays(
    user: str,
    path: Path,
    *,
    columns: Sequence[str] | None,
    since: datetime | None = None,
    until: datetime | None = None,
) -> pd.DataFrame:
    """Read the plays in ``path``, verifying checksums, footer and dtypes.

    ``since`` is inclusive and ``until`` exclusive. Only row groups whose
    checksummed time range meets the period are read; rows are then filtered
    exactly, so a damaged statistic can never drop plays.

    Raises:
        StoreError: the file is damaged; nothing is returned.
    """
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.parquet as pq

    footer, info = read_footer(user, path)
    wanted = list(columns) if columns is not None else list(schema.COLUMNS)
    period = since is not None or until is not None
    reading = wanted if not period or "played_at" in wanted else ["played_at", *wanted]
    groups = _groups_in(info, footer.num_row_groups, since, until)
    try:
        if len(groups) == footer.num_row_groups:
            # The whole file: read_table decodes row groups on several threads.
            table = pq.read_table(
                path, columns=reading, use_pandas_metadata=True, page_checksum_verification=True
            )
        else:
            parquet = pq.ParquetFile(path, page_checksum_verification=True)
            table = parquet.read_row_groups(groups, columns=reading, use_pandas_metadata=True)
        if period:
            time = table.column("played_at")
            keep = pa.scalar(True)
            if since is not None:
                keep = pc.and_(keep, pc.greater_equal(time, pa.scalar(since, time.type)))
            if until is not None:
                keep = pc.and_(keep, pc.less(time, pa.scalar(until, time.type)))
            table = table.filter(keep).select(wanted)
        frame: pd.DataFrame = table.to_pandas()
    except (OSError, ValueError, TypeError, KeyError, IndexError, pa.ArrowException) as exc:
        raise damaged(user, path, _short(exc)) from None
    expected = schema.dtypes()
    if list(frame.columns) != wanted:
        raise damaged(user, path, f"read columns {', '.join(map(str, frame.columns))}")
    for column in wanted:
        dtype = frame[column].dtype
        if str(dtype) != str(expected[column]) or getattr(dtype, "ordered", False):
            raise damaged(user, path, f"column {column} reads as {dtype}")
    if not period and len(frame) != info.plays:
        raise damaged(user, path, f"{len(frame)} plays read, {info.plays} listed")
    return frame


def _groups_in(
    info: Footer, count: int, since: datetime | None, until: datetime | None
) -> list[int]:
    """The row groups that may hold plays of the period (all ``count`` in older files)."""
    if info.row_groups is None:
        return list(range(count))
    lo = _ms(since) if since is not None else None
    hi = _ms(until) if until is not None else None
    return [
        i
        for i, (_, first, last) in enumerate(info.row_groups)
        if (lo is None or last >= lo) and (hi is None or first < hi)
    ]


def _ms(when: datetime) -> int:
    """Milliseconds since 1970 (UTC), as ``played_at`` is stored; naive means UTC."""
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return (when - _EPOCH) // timedelta(milliseconds=1)


def _short(exc: BaseException) -> str:
    """The first line of an error from the Parquet reader, at most 120 characters."""
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return text if len(text) <= 120 else text[:117] + "..."
