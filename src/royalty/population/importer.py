"""``royalty population import``: stream sources into a user-bucketed dataset.

Memory stays bounded whatever the sources' size:

1. Sources are read a chunk at a time (about a million rows). Each chunk is
   cleaned (the one-listener importers' rules), given integer ids, and held
   until about :data:`~royalty.population.spill.SPILL_ROWS` rows are waiting;
   then the rows are split by bucket and spilled as one Arrow part per bucket
   into the new generation's ``parts/`` folder (:mod:`royalty.population.spill`).
2. Then bucket by bucket: its parts are read, merged with the previous
   generation's bucket (a multiset union keyed on listener, time and track,
   keeping the larger count, like the one-listener store), sorted by listener
   and time, and written.
3. The id tables are written and ``population.json`` is switched to the new
   generation; the old one is deleted.

A run killed at any point leaves ``population.json`` naming the old,
complete generation; the next run removes the half-written one. When a run
adds no play, nothing is switched and the dataset stays byte for byte as it
was.
"""

from __future__ import annotations

import math
import os
import shutil
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

from royalty.errors import DataFormatError, UsageError
from royalty.population import chunks, tables, writer
from royalty.population.dataset import DatasetInfo, bucket_schema
from royalty.population.sources import Source, open_source
from royalty.population.spill import Spill, read_part

BUCKET_BYTES: Final = 128 * 1024 * 1024
"""The size a bucket file is aimed at when ``--buckets`` is not given."""

Progress = Callable[[str, int], None]
"""Called as ``progress(stage, count)``: ``("read", plays read so far)`` and
``("bucket", buckets written so far)``."""


@dataclass(frozen=True)
class ImportResult:
    """What an import did.

    Attributes:
        dataset: the dataset afterwards.
        read: plays read from the sources (after skipping).
        added: plays that were new to the dataset.
        skipped: rows skipped, by reason.
        seconds: how long it took.
        created: whether the dataset did not exist before.
    """

    dataset: DatasetInfo
    read: int
    added: int
    skipped: dict[str, int]
    seconds: float
    created: bool


def default_buckets(sources: Sequence[Source]) -> int:
    """Buckets for a new dataset: at most about 128 MB each, estimated from the sources' size.

    Rounded up: a smaller bucket costs a file, a bigger one costs memory when it is
    finished and when a model reads it.
    """
    total = sum(s.dataset_bytes for s in sources)
    return max(1, math.ceil(total / BUCKET_BYTES))


def _merge(old: Any, new: Any) -> tuple[Any, int]:
    """The plays of ``new`` that ``old`` and earlier sources lack, and how many.

    The store's multiset union, with each source of the import as one batch: for
    each key (listener, time, track) the dataset keeps the largest count any one
    of them has. Rows are grouped by key and then by side (``old`` first, then
    the sources in order); a row is kept when its copy number within its side is
    at least the largest count of the sides before it. numpy arrays of the keys
    only: about 50 bytes a row, never the rows themselves.
    """
    import numpy as np

    def column(name: str) -> Any:
        return np.concatenate([t[name].cast("int64").to_numpy() for t in (old, new)])

    users, times, tracks = column("user_id"), column("played_at"), column("track_id")
    side = np.concatenate(
        [np.zeros(old.num_rows, dtype=np.int64), new[tables.BATCH].cast("int64").to_numpy() + 1]
    )
    order = np.lexsort((side, tracks, times, users))
    users, times, tracks, side = users[order], times[order], tracks[order], side[order]
    n = len(order)
    new_key = np.r_[True, (users[1:] != users[:-1]) | (times[1:] != times[:-1])
                    | (tracks[1:] != tracks[:-1])]  # fmt: skip
    del users, times, tracks
    new_group = new_key | np.r_[True, side[1:] != side[:-1]]
    group = np.cumsum(new_group) - 1  # (key, side) group of each row
    starts = np.flatnonzero(new_group)
    copy = np.arange(n) - starts[group]  # copy number within the group
    counts = np.diff(np.r_[starts, n])
    # Largest count of the earlier sides of the same key: a running maximum that an
    # offset per key keeps from leaking across keys, shifted by one group.
    key_of_group = np.cumsum(new_key[starts]) - 1
    offset = key_of_group * (int(counts.max()) + 1)
    running = np.maximum.accumulate(counts + offset) - offset
    earlier = np.r_[0, running[:-1]]
    earlier[new_key[starts]] = 0
    keep = (order >= old.num_rows) & (copy >= earlier[group])
    fresh = np.zeros(new.num_rows, dtype=bool)
    fresh[order[keep] - old.num_rows] = True
    return new.filter(fresh), int(fresh.sum())


def _finish_bucket(
    gen: writer.Generation, index: int, parts: list[Path], names: tables.Names
) -> tuple[Any, int]:
    """Write bucket ``index``; return its times (a one-column table) and how many were added."""
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.parquet as pq

    previous = gen.previous.bucket_paths[index] if gen.previous else None
    columns = list(tables.SPILL_COLUMNS)
    new: Any = pa.concat_tables([read_part(p) for p in parts]) if parts else None
    old: Any = pq.read_table(previous, columns=columns) if previous is not None else None
    if new is None and old is None:  # a new dataset with no listener in this bucket
        gen.write_bucket(index, bucket_schema().empty_table())
        return _span(None), 0
    added = new.num_rows if new is not None else 0
    several = False  # sources of this import that overlap must be merged too
    if new is not None and new.num_rows:
        low, high = pc.min_max(new[tables.BATCH]).values()
        several = low.as_py() != high.as_py()
    if new is not None and ((old is not None and old.num_rows) or several):
        base = old if old is not None else new.select(columns).schema.empty_table()
        new, added = _merge(base, new)
    new = new.drop_columns([tables.BATCH]) if new is not None else old.schema.empty_table()
    if added == 0 and previous is not None:
        try:
            os.link(previous, gen.bucket_path(index))  # unchanged: share the file
        except OSError:  # a file system without hard links
            shutil.copyfile(previous, gen.bucket_path(index))
        return _span(old), 0
    table = pa.concat_tables([old, new], promote_options="permissive") if old is not None else new
    del old, new  # one copy of the bucket at a time: the sorted one replaces these
    table = table.unify_dictionaries()
    # Arrow takes rows from one array about twice as fast as from many pieces.
    # Column by column, handing the old pieces back to the system each time, so
    # that the copy costs one column's memory, not the bucket's.
    for number, name in enumerate(table.column_names):
        if table.column(number).num_chunks > 1:
            table = table.set_column(number, name, table.column(number).combine_chunks())
            pa.default_memory_pool().release_unused()
    gen.write_bucket(index, table, names, tables.sort_order(table))
    return _span(table), added


def _span(table: Any) -> Any:
    """The first and last ``played_at`` of ``table``, as a table of at most two rows."""
    import pyarrow as pa
    import pyarrow.compute as pc

    if table is None or table.num_rows == 0:
        return pa.table({"played_at": pa.array([], type=pa.timestamp("ms", tz="UTC"))})
    low, high = pc.min_max(table["played_at"]).values()
    return pa.table({"played_at": pa.array([low, high])})


def _merge_sources(previous: DatasetInfo | None, new: list[writer.SourceEntry]) -> list[Any]:
    listed: list[Any] = list(previous.sources) if previous else []
    for entry in new:
        listed = [s for s in listed if (s["kind"], s["path"]) != (entry["kind"], entry["path"])]
        listed.append(entry)
    return listed


def import_population(
    paths: Sequence[str | os.PathLike[str]],
    to: str | os.PathLike[str],
    *,
    input_format: str | None = None,
    buckets: int | None = None,
    user: str | None = None,
    user_from: str | None = None,
    progress: Progress | None = None,
) -> ImportResult:
    """Import population sources into the dataset in ``to`` (created if missing).

    Re-importing the same sources adds nothing and leaves the dataset as it
    was. New listeners, artists and tracks get new ids after the existing ones.

    Args:
        paths: sources (see :mod:`royalty.population.sources`).
        to: the dataset folder.
        input_format: force a source format instead of recognising it.
        buckets: bucket files of a new dataset; default about 128 MB each.
        user: whose history one-listener export files are.
        user_from: ``"name"`` or ``"folder"``: whose they are, from file or folder names.
        progress: called as reading and writing go on.

    Raises:
        UsageError: bad arguments, or ``--buckets`` differing from an existing dataset's.
        DataFormatError: a source that cannot be read, or a folder that is not a dataset.

    Example:
        >>> import_population(["spark-dump/"], "pop").dataset.listeners  # doctest: +SKIP
        10512
    """
    from royalty.population.ids import Ids

    started = time.perf_counter()
    if not paths:
        raise UsageError("no source given: name at least one file, folder or archive")
    if buckets is not None and buckets < 1:
        raise UsageError("--buckets must be 1 or more")
    sources = [
        open_source(p, input_format=input_format, user=user, user_from=user_from) for p in paths
    ]
    names = {s.artist_names for s in sources}
    if len(names) > 1:
        raise UsageError(
            "MLHD names artists by MusicBrainz id only: import it into a dataset of its own"
        )
    report = progress or (lambda stage, count: None)
    with writer.Generation.begin(Path(to)) as gen:
        previous = gen.previous
        if previous is not None and buckets is not None and buckets != previous.buckets:
            raise UsageError(
                f"{previous.path} has {previous.buckets} buckets; leave out --buckets "
                "or import into a new folder"
            )
        artist_names = names.pop()
        if previous is not None and previous.artist_names != artist_names:
            how = {"mbid": "MusicBrainz id (MLHD)", "names": "name"}
            raise UsageError(
                f"{previous.path} names artists by {how[previous.artist_names]}, these sources "
                f"by {how[artist_names]}: import them into a dataset of their own"
            )
        count = previous.buckets if previous else buckets or default_buckets(sources)
        ids = (
            Ids.load(previous.artists_path, previous.tracks_path, previous.users_path, count)
            if previous
            else Ids(count)
        )
        with Spill(gen.path / "parts", count) as spill:
            skipped: Counter[str] = Counter()
            read = 0
            entries: list[writer.SourceEntry] = []
            for number, source in enumerate(sources):
                from_source = 0
                for raw in source.chunks(skipped):
                    table, dropped = chunks.clean(raw)
                    skipped.update(dropped)
                    if table.num_rows == 0:
                        continue
                    encoded = ids.encode(table)
                    spill.add(tables.spill_table(table, encoded, number), encoded.bucket)
                    from_source += table.num_rows
                    report("read", read + from_source)
                read += from_source
                entries.append(
                    {"kind": source.kind, "path": str(source.path.resolve()), "plays": from_source}
                )
        if read == 0 and previous is None:
            reasons = ", ".join(f"{n} {r}" for r, n in skipped.most_common()) or "no rows"
            raise DataFormatError(
                f"no plays to import from {', '.join(map(str, paths))} ({reasons})"
            )
        added = 0
        written = []
        labels = tables.Names(ids)
        for index in range(count):
            table, new = _finish_bucket(gen, index, spill.parts.get(index, []), labels)
            added += new
            written.append(table)
            report("bucket", index + 1)
        elapsed = time.perf_counter() - started
        if previous is not None and added == 0:
            # Nothing new: keep the dataset exactly as it was (the new folder is dropped).
            return ImportResult(previous, read, 0, dict(skipped), elapsed, created=False)
        for path in spill.parts.values():
            for part in path:
                part.unlink()
        spill.folder.rmdir()
        gen.write_ids(ids)
        first, last = writer.time_range(written)
        info = gen.commit(
            writer.meta_fields(
                ids,
                plays=(previous.plays if previous else 0) + added,
                buckets=count,
                first=first,
                last=last,
                synthetic=previous.synthetic if previous else False,
                artist_names=artist_names,
                sources=_merge_sources(previous, entries),
                generator=previous.generator if previous else None,
            )
        )
    elapsed = time.perf_counter() - started
    return ImportResult(info, read, added, dict(skipped), elapsed, created=previous is None)
