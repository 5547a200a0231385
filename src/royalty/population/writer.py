"""Writing a population dataset: bucket files, id tables and the atomic switch.

A :class:`Generation` is one new generation folder of a dataset: buckets and id
tables are written into it, and :meth:`Generation.commit` switches
``population.json`` to it (write a temporary file, flush, rename) and only
then deletes the old generation. A run killed before the switch leaves the
old dataset as it was; the next import removes what the killed run wrote.
"""

from __future__ import annotations

import contextlib
import fcntl
import itertools
import json
import os
import shutil
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final, TypedDict

from royalty.errors import DataFormatError, StoreError, StoreLockedError, UsageError
from royalty.population import chunks
from royalty.population import dataset as ds

if TYPE_CHECKING:
    import pandas as pd

    from royalty.population.ids import Ids
    from royalty.population.tables import Names

LOCK_FILE: Final = ".lock"
SLICE_ROWS: Final = 1_000_000
"""About how many rows a bucket's row group holds (whole listeners, so rarely exactly)."""


class SourceEntry(TypedDict):
    """One imported source, as ``population.json`` lists it."""

    kind: str
    path: str
    plays: int


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def write_parquet(
    table: Any,
    path: Path,
    *,
    statistics: list[str] | bool = True,
    dictionary: list[str] | bool = True,
) -> None:
    """Write ``table`` to ``path`` (zstd) and flush it to disk.

    ``statistics`` and ``dictionary`` name the columns that get Parquet statistics
    and dictionary encoding (True: all of them).
    """
    import pyarrow.parquet as pq

    with open(path, "wb") as fh:
        pq.write_table(
            table,
            fh,
            compression="zstd",
            compression_level=1,
            write_statistics=statistics,
            use_dictionary=dictionary,
        )
        fh.flush()
        os.fsync(fh.fileno())


class Generation:
    """A new generation of the dataset in ``root``, written while the lock is held.

    Attributes:
        root: the dataset folder.
        previous: the dataset as it was (None when there was none).
        path: the new generation's folder.
    """

    def __init__(self, root: Path, previous: ds.DatasetInfo | None, path: Path) -> None:
        self.root = root
        self.previous = previous
        self.path = path
        (path / ds.BUCKETS_DIR).mkdir(parents=True)

    @classmethod
    @contextlib.contextmanager
    def begin(cls, root: Path) -> Iterator[Generation]:
        """Lock ``root``, remove what killed runs left, and start a new generation.

        The new folder is removed again if the body raises before committing.

        Raises:
            DataFormatError: ``root`` is a file, or a folder holding other things.
            StoreLockedError: another royalty process is writing this dataset.
        """
        root = root.expanduser()
        if root.exists() and not root.is_dir():
            raise DataFormatError(f"{root} is a file; give a folder for the population dataset")
        meta = ds.read_meta(root)
        if meta is None and root.is_dir():
            others = [p.name for p in root.iterdir() if not _ours(p.name)]
            if others:
                raise UsageError(
                    f"{root} is not empty and holds no population dataset (it has {others[0]}); "
                    "choose a new or empty folder"
                )
        fresh = not root.exists()
        committed = False
        try:
            root.mkdir(parents=True, exist_ok=True)
            fd = os.open(root / LOCK_FILE, os.O_RDWR | os.O_CREAT, 0o644)
        except OSError as exc:
            raise StoreError(f"cannot write the population dataset {root}: {exc}") from exc
        try:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                raise StoreLockedError(
                    f"{root} is being written by another royalty process; "
                    "wait for it to finish and try again"
                ) from None
            previous = ds.open_dataset(root) if ds.read_meta(root) is not None else None
            current = previous.generation.name if previous else None
            numbers = [0]
            for entry in root.iterdir():
                match = ds.GENERATION_RE.fullmatch(entry.name)
                if match:
                    numbers.append(int(match.group(1)))
                keep = (current, LOCK_FILE, ds.META_FILE)
                if entry.name not in keep and _ours(entry.name):
                    _remove(entry)  # left by a killed run: never read, safe to drop
            gen = cls(root, previous, root / f"gen-{max(numbers) + 1:06d}")
            try:
                yield gen
            finally:
                committed = gen.committed
                if gen.path.exists() and not committed:
                    _remove(gen.path)
        finally:
            fcntl.flock(fd, fcntl.LOCK_UN)
            os.close(fd)
            if fresh and not committed:
                _remove(root)  # a failed first write leaves no folder behind

    committed: bool = False

    def bucket_path(self, index: int) -> Path:
        """Where bucket ``index`` of the new generation goes."""
        return self.path / ds.BUCKETS_DIR / ds.bucket_file(index)

    def write_bucket(
        self, index: int, table: Any, names: Names | None = None, order: Any = None
    ) -> None:
        """Write bucket ``index``: ``table`` in the order ``order`` (default: as it is).

        Rows go in row groups of about :data:`SLICE_ROWS` rows that each hold
        whole listeners (:func:`~royalty.population.tables.row_group_cuts`), so
        that the engine can count every row group as a task of its own.

        With ``names``, ``table`` holds spilled rows (ids, no names): each group's
        rows are put in order and labelled just before they are written, so the
        sorted copy and the names cost memory for one group, not for the whole
        bucket. Without, ``table`` is a bucket file's table already.
        """
        import pyarrow.compute as pc
        import pyarrow.parquet as pq

        from royalty.population.tables import bucket_from_spill, row_group_cuts

        users = table.column("user_id")
        users = (users if order is None else pc.take(users, order)).to_numpy()
        cuts = row_group_cuts(users, SLICE_ROWS)
        del users
        with open(self.bucket_path(index), "wb") as fh:
            with pq.ParquetWriter(
                fh, ds.bucket_schema(), compression="zstd", compression_level=1,
                write_statistics=["user_id", "played_at"], use_dictionary=list(ds.TEXT_COLUMNS),
            ) as out:  # fmt: skip
                # Parquet dictionaries for the text only: ids and times are mostly
                # distinct, and zstd packs them smaller, faster to write and to read.
                # Statistics of user_id tell the engine where listeners start.
                # pyarrow lets go of the GIL while it encodes: the next group is put in
                # order and labelled meanwhile. One write at a time bounds the memory
                # to two groups; an error in either thread stops the loop and is raised.
                with ThreadPoolExecutor(1, thread_name_prefix="royalty-write") as pool:
                    pending: Future[None] | None = None
                    for start, stop in itertools.pairwise(cuts):
                        rows = (
                            table.slice(start, stop - start)
                            if order is None
                            else table.take(order.slice(start, stop - start))
                        )
                        labelled = rows if names is None else bucket_from_spill(rows, names)
                        if pending is not None:
                            pending.result()
                        pending = pool.submit(out.write_table, labelled)
                        del rows, labelled
                    if pending is not None:
                        pending.result()
                if table.num_rows == 0:
                    out.write_table(ds.bucket_schema().empty_table())
            fh.flush()
            os.fsync(fh.fileno())

    def write_ids(self, ids: Ids) -> None:
        """Write the artists, tracks and users tables."""
        names = (ds.ARTISTS_FILE, ds.TRACKS_FILE, ds.USERS_FILE)
        for name, table in zip(names, ids.tables(), strict=True):
            write_parquet(table, self.path / name)

    def commit(self, meta: dict[str, Any]) -> ds.DatasetInfo:
        """Switch ``population.json`` to this generation, then drop the old one."""
        full = {"format": ds.FORMAT, "version": ds.VERSION, "generation": self.path.name, **meta}
        _fsync_dir(self.path / ds.BUCKETS_DIR)
        _fsync_dir(self.path)
        tmp = self.root / f".{ds.META_FILE}.{os.getpid()}.tmp"
        with open(tmp, "w", encoding="utf-8") as fh:
            json.dump(full, fh, ensure_ascii=False, indent=2)
            fh.write("\n")
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, self.root / ds.META_FILE)
        _fsync_dir(self.root)
        self.committed = True
        if self.previous is not None:
            _remove(self.previous.generation)
        return ds.open_dataset(self.root)


def _ours(name: str) -> bool:
    """Whether an entry of a dataset folder is one royalty writes there."""
    return (
        name in (ds.META_FILE, LOCK_FILE)
        or bool(ds.GENERATION_RE.fullmatch(name))
        or name.endswith(".tmp")
    )


def _remove(path: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path, ignore_errors=True)
    else:
        path.unlink(missing_ok=True)


def time_range(tables: list[Any]) -> tuple[str | None, str | None]:
    """The first and last ``played_at`` over bucket tables, as ISO text."""
    import pyarrow.compute as pc

    lows = [pc.min(t["played_at"]).as_py() for t in tables if t.num_rows]
    highs = [pc.max(t["played_at"]).as_py() for t in tables if t.num_rows]
    return (min(lows).isoformat() if lows else None, max(highs).isoformat() if highs else None)


def meta_fields(
    ids: Ids,
    *,
    plays: int,
    buckets: int,
    first: str | None,
    last: str | None,
    synthetic: bool,
    artist_names: str,
    sources: list[SourceEntry],
    generator: dict[str, Any] | None,
) -> dict[str, Any]:
    """Everything ``population.json`` holds beside the format and the generation."""
    listeners, artists, tracks = ids.counts
    return {
        "buckets": buckets,
        "synthetic": synthetic,
        "artist_names": artist_names,
        "sources": sources,
        "plays": plays,
        "listeners": listeners,
        "artists": artists,
        "tracks": tracks,
        "first_play": first,
        "last_play": last,
        "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "generator": generator,
    }


def write_frame(
    plays: pd.DataFrame,
    root: Path,
    *,
    buckets: int | None,
    synthetic: bool,
    sources: list[SourceEntry],
    generator: dict[str, Any] | None,
    artist_names: str,
) -> ds.DatasetInfo:
    """The body of :func:`royalty.population.dataset.write_dataset`."""
    import numpy as np
    import pyarrow as pa

    from royalty import schema
    from royalty.population import tables
    from royalty.population.ids import Ids

    if "user" not in plays.columns:
        raise DataFormatError("population plays need a 'user' column naming each listener")
    users = plays["user"].astype("string")
    if users.isna().any() or (users == "").any():
        raise DataFormatError("population plays have rows without a user")
    frame = schema.normalize(plays.drop(columns=["user"]))
    frame.insert(0, "user", users.to_numpy(dtype=object))
    table = chunks.chunk(
        {
            c: pa.Array.from_pandas(frame[c]) for c in chunks.CHUNK_COLUMNS
        }  # categoricals stay dictionaries
    )
    count = buckets or max(1, -(-len(frame) // 2_000_000))
    if count < 1:
        raise UsageError("a dataset needs at least one bucket")
    ids = Ids(count)
    encoded = ids.encode(table)
    full = tables.spill_table(table, encoded)
    names = tables.Names(ids)
    with Generation.begin(root) as gen:
        written = []
        for index in range(count):
            part = tables.sort_rows(full.filter(pa.array(encoded.bucket == np.int32(index))))
            gen.write_bucket(index, part, names)
            written.append(part)
        gen.write_ids(ids)
        first, last = time_range(written)
        return gen.commit(
            meta_fields(
                ids,
                plays=len(frame),
                buckets=count,
                first=first,
                last=last,
                synthetic=synthetic,
                artist_names=artist_names,
                sources=sources,
                generator=generator,
            )
        )
