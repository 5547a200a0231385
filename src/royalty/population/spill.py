"""Rows waiting to be bucketed: held in memory, then spilled as one Arrow file per bucket.

While an import reads its sources, cleaned and encoded chunks gather in a
:class:`Spill`; every :data:`SPILL_ROWS` rows they are grouped by bucket and
written as *parts* (``parts/bNNNNN-SSSSSS.arrow``) in the new generation's
folder, which finishing a bucket reads back (:func:`read_part`).
"""

from __future__ import annotations

from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

from royalty.population import tables

if TYPE_CHECKING:
    import numpy as np
    from numpy.typing import NDArray

SPILL_ROWS: Final = 2_000_000
"""Rows held in memory before they are split by bucket and written to parts."""


class Spill:
    """Chunks held in memory, written as per-bucket parts when enough have gathered.

    Parts are written on one thread while the next chunks are read (pyarrow lets go
    of the GIL while it compresses and writes); one spill at a time is in flight. A
    context manager: leaving it waits for the last parts and stops the thread, and
    a failed write is raised at the next spill or on leaving.
    """

    def __init__(self, folder: Path, buckets: int) -> None:
        self.folder = folder
        self.buckets = buckets
        self.held: list[tuple[Any, NDArray[np.int32]]] = []
        self.rows = 0
        self.spills = 0
        self.parts: dict[int, list[Path]] = {}
        folder.mkdir()
        self._pool = ThreadPoolExecutor(1, thread_name_prefix="royalty-spill")
        self._pending: Future[None] | None = None

    def __enter__(self) -> Spill:
        return self

    def __exit__(self, kind: type[BaseException] | None, *rest: object) -> None:
        try:
            if kind is None:  # else the error on its way out is the one to report
                self.flush()
                self._wait()
        finally:
            self._pool.shutdown(wait=True, cancel_futures=True)

    def _wait(self) -> None:
        pending, self._pending = self._pending, None
        if pending is not None:
            pending.result()

    def add(self, table: Any, bucket: NDArray[np.int32]) -> None:
        self.held.append((table, bucket))
        self.rows += table.num_rows
        if self.rows >= SPILL_ROWS:
            self.flush()

    def flush(self) -> None:
        import numpy as np
        import pyarrow as pa

        if not self.held:
            return
        # One dictionary per column across the held chunks; rows are copied only to
        # group them by bucket, chunk by chunk (Arrow takes from one piece faster).
        table = pa.concat_tables([t for t, _ in self.held]).unify_dictionaries()
        groups: list[tuple[Any, NDArray[np.intp]]] = []
        offset = 0
        for held, bucket in self.held:
            piece = table.slice(offset, held.num_rows)
            offset += held.num_rows
            if self.buckets > 1:
                order = tables.stable_order(bucket)
                piece = piece.take(pa.array(order))
                bucket = bucket[order]
            groups.append((piece, np.searchsorted(bucket, np.arange(self.buckets + 1))))
        del table
        parts: list[tuple[Path, Any]] = []
        for index in range(self.buckets):
            slices = [
                piece.slice(int(edges[index]), int(edges[index + 1] - edges[index]))
                for piece, edges in groups
                if edges[index + 1] > edges[index]
            ]
            if slices:
                path = self.folder / f"b{index:05d}-{self.spills:06d}.arrow"
                parts.append((path, tables.compact_text(pa.concat_tables(slices))))
                self.parts.setdefault(index, []).append(path)
        self.spills += 1
        self.held, self.rows = [], 0
        self._wait()
        self._pending = self._pool.submit(_write_parts, parts)


def _write_parts(parts: list[tuple[Path, Any]]) -> None:
    import pyarrow as pa

    for path, part in parts:
        # Parts live minutes at most: Arrow's own file format with fast
        # compression costs a fraction of Parquet's encoding to write and read.
        with pa.ipc.new_file(str(path), part.schema, options=_part_options()) as out:
            out.write_table(part)


def _part_options() -> Any:
    import pyarrow as pa

    return pa.ipc.IpcWriteOptions(compression="lz4")


def read_part(path: Path) -> Any:
    import pyarrow as pa

    with pa.memory_map(str(path)) as source:
        return pa.ipc.open_file(source).read_all()
