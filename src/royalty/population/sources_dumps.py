"""The ListenBrainz Spark dump reader, and what every dump reader shares.

The **ListenBrainz Spark dump** (as MetaBrainz describes it): numbered
``N.parquet`` files (in a ``.tar`` archive or its extracted folder), sorted by
time, with ``listened_at, user_id, artist_name, artist_credit_mbids,
release_name, release_mbid, recording_name, recording_mbid, recording_msid``.
``user_id`` is ListenBrainz's integer id: the dump has no user names, so a
listener's name here is that id as text.

The text dumps (Last.fm-1K, LFM-1b, MLHD) are read by
:mod:`royalty.population.sources_text`; the helpers they share live here.
"""

from __future__ import annotations

import codecs
import functools
import io
import tarfile
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Final

from royalty.errors import DataFormatError
from royalty.population.chunks import chunk

CHUNK_ROWS: Final = 1_000_000
"""Rows read at a time: memory stays bounded by a few chunks whatever the source's size."""
SPARK_COLUMNS: Final[tuple[str, ...]] = (
    "listened_at",
    "user_id",
    "artist_name",
    "artist_credit_mbids",
    "release_name",
    "release_mbid",
    "recording_name",
    "recording_mbid",
)
MBID_LENGTH: Final = 36


def fail(path: object, exc: BaseException) -> DataFormatError:
    """Our one-line error for a source pyarrow or the OS could not read."""
    return DataFormatError(f"cannot read {path}: {' '.join(str(exc).split())}")


LENIENT: Final = "royalty_utf8_lenient"
"""A text encoding for pyarrow's CSV reader: UTF-8 with bad bytes replaced by U+FFFD.

A published dump with a few bytes that are not UTF-8 then loses those bytes, not
the whole import; and a malformed line reaches the skip-and-count handler as text
(pyarrow cannot hand an undecodable line to it)."""


def _lenient_codec(name: str) -> codecs.CodecInfo | None:
    if name != LENIENT:
        return None
    utf8 = codecs.lookup("utf-8")
    return codecs.CodecInfo(
        utf8.encode,
        utf8.decode,
        incrementalencoder=utf8.incrementalencoder,
        incrementaldecoder=functools.partial(utf8.incrementaldecoder, errors="replace"),
        name=LENIENT,
    )


@functools.cache
def lenient() -> str:
    """Register :data:`LENIENT` (once) and return its name."""
    codecs.register(_lenient_codec)
    return LENIENT


def batch_rows(rows: int) -> int:
    """Rows a batch of a row group of ``rows``: about :data:`CHUNK_ROWS`, split evenly.

    A row group of 1,048,576 rows (Arrow's default) is then read as one chunk,
    not as a million rows and a scrap of 48,576 that costs as much to encode.
    """
    batches = max(1, round(rows / CHUNK_ROWS))
    return max(1, -(-rows // batches))


def spark_numbered(names: list[str]) -> list[str]:
    """The ``N.parquet`` names among ``names``, in numeric order."""
    found = [n for n in names if Path(n).suffix == ".parquet" and Path(n).stem.isdigit()]
    return sorted(found, key=lambda n: (int(Path(n).stem), n))


def is_spark_schema(names: list[str]) -> bool:
    """Whether a Parquet file's columns are those of the Spark dump."""
    return {"listened_at", "user_id", "artist_name", "recording_name"} <= set(names)


def first_mbid(column: Any) -> Any:
    """The first MBID of a credit: from a list column, or the start of a joined text."""
    import pyarrow as pa
    import pyarrow.compute as pc

    if pa.types.is_list(column.type) or pa.types.is_large_list(column.type):
        column = pc.binary_join(column, ",")
    return pc.utf8_slice_codeunits(column.cast(pa.string()), 0, MBID_LENGTH)


def constant(text: str, n: int) -> Any:
    """``n`` copies of ``text`` as a dictionary array (one string, ``n`` zero indices)."""
    import numpy as np
    import pyarrow as pa

    return pa.DictionaryArray.from_arrays(
        pa.array(np.zeros(n, dtype=np.int32)), pa.array([text], pa.string()), safe=False
    )


def _spark_chunk(batch: Any) -> Any:
    import pyarrow as pa
    import pyarrow.compute as pc

    names = batch.schema.names
    times = batch.column("listened_at")
    if pa.types.is_integer(times.type):  # seconds since 1970 in older dumps
        times = pa.compute.multiply(times.cast(pa.int64()), 1000).cast(pa.timestamp("ms"))

    def col(name: str) -> Any:
        return batch.column(name) if name in names else None

    mbids = col("artist_credit_mbids")
    if mbids is not None and mbids.null_count == len(mbids):
        mbids = None
    # Ids repeat a lot: encode the integers, then turn only the distinct ones into text.
    users = pc.dictionary_encode(batch.column("user_id"))
    users = pa.DictionaryArray.from_arrays(users.indices, users.dictionary.cast(pa.string()))
    return chunk(
        {
            "user": users,
            "played_at": times,
            "artist": col("artist_name"),
            "track": col("recording_name"),
            "album": col("release_name"),
            "artist_mbid": first_mbid(mbids) if mbids is not None else None,
            "album_mbid": col("release_mbid"),
            "track_mbid": col("recording_mbid"),
            "source": constant("listenbrainz-spark", batch.num_rows),
        }
    )


def _spark_file(handle: Any, name: str) -> Iterator[Any]:
    import pyarrow as pa
    import pyarrow.parquet as pq

    try:
        columns = pq.ParquetFile(handle).schema_arrow.names
        present = [c for c in SPARK_COLUMNS if c in columns]
        if not is_spark_schema(present):
            raise DataFormatError(
                f"{name}: not a ListenBrainz Spark dump file (its columns are "
                f"{', '.join(columns[:8])})"
            )
        # Names come as the file's own dictionaries: no hashing of every row's text.
        names = [c for c in ("artist_name", "recording_name", "release_name") if c in present]
        parquet = pq.ParquetFile(handle, read_dictionary=names)
        for group in range(parquet.num_row_groups):
            for batch in parquet.iter_batches(
                batch_size=batch_rows(parquet.metadata.row_group(group).num_rows),
                row_groups=[group],
                columns=present,
            ):
                yield _spark_chunk(batch)
    except (OSError, pa.ArrowException) as exc:
        raise fail(name, exc) from exc


def read_spark(path: Path, skipped: Counter[str]) -> Iterator[Any]:
    """Chunks from a Spark dump folder, ``.tar`` archive or single ``N.parquet`` file."""
    del skipped  # the dump has no malformed rows to count: Parquet is typed
    if path.is_dir():
        for name in spark_numbered([p.name for p in path.iterdir()]):
            yield from _spark_file(path / name, str(path / name))
    elif tarfile.is_tarfile(path):
        with tarfile.open(path) as archive:
            members = {m.name: m for m in archive.getmembers() if m.isfile()}
            for name in spark_numbered(list(members)):
                handle = archive.extractfile(members[name])
                if handle is None:
                    continue
                # Parquet needs to seek; compressed archives cannot, so read the member.
                data = handle if path.suffix == ".tar" else io.BytesIO(handle.read())
                yield from _spark_file(data, f"{path}/{name}")
    else:
        yield from _spark_file(path, str(path))


def decompress(data: bytes, name: str) -> bytes:
    """``data`` decompressed when it starts with a gzip, bzip2 or zstd signature."""
    import pyarrow as pa

    codec = (
        "gzip"
        if data[:2] == b"\x1f\x8b"
        else "bz2"
        if data[:3] == b"BZh"
        else "zstd"
        if data[:4] == b"\x28\xb5\x2f\xfd"
        else None
    )
    if codec is None:
        return data
    try:
        with pa.input_stream(pa.py_buffer(data), compression=codec) as stream:
            return bytes(stream.read())
    except (OSError, pa.ArrowException) as exc:
        raise fail(name, exc) from exc
