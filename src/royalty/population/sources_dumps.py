"""Readers of the published population dumps, each yielding chunks of plays.

Layouts (as their publishers describe them):

- **ListenBrainz Spark dump**: numbered ``N.parquet`` files (in a ``.tar``
  archive or its extracted folder), sorted by time, with ``listened_at,
  user_id, artist_name, artist_credit_mbids, release_name, release_mbid,
  recording_name, recording_mbid, recording_msid``. ``user_id`` is
  ListenBrainz's integer id: the dump has no user names, so a listener's name
  here is that id as text.
- **Last.fm-1K** (Celma, 2010): ``userid-timestamp-artid-artname-traid-traname.tsv``,
  tab-separated ``user_000001``, ``2009-05-04T23:08:57Z``, artist MBID, artist
  name, track MBID, track name, no header and no quoting. The published file
  has a few malformed lines: they are skipped and counted.
- **LFM-1b** (Schedl, 2016): ``LFM-1b_LEs.txt``, tab-separated user, artist,
  album and track ids and a Unix time, with ``LFM-1b_artists.txt`` (id, name)
  beside it, and ``LFM-1b_albums.txt`` / ``LFM-1b_tracks.txt`` (id, name,
  artist id) when present. Users have no names: the id as text. A track
  without its names file is named by its id. The names files are held in
  memory while the listening events stream past (like the dataset's own id
  tables, they grow with the names, not with the plays).
- **MLHD / MLHD+** (Vigliensoni and Fujinaga, 2017; MetaBrainz): one file
  per listener (the listener's id is the file name), plain, gzip, bzip2 or
  zstd, lines ``timestamp, artist MBID, release MBID, recording MBID`` separated
  by tabs. There are no names: the artist is its MBID (MLHD+ may give several
  for a joint credit; the first is used) and so is the track.
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
from royalty.population.writer import chunk

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


def _fail(path: object, exc: BaseException) -> DataFormatError:
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


# --- ListenBrainz Spark dump -------------------------------------------------------------


def spark_numbered(names: list[str]) -> list[str]:
    """The ``N.parquet`` names among ``names``, in numeric order."""
    found = [n for n in names if Path(n).suffix == ".parquet" and Path(n).stem.isdigit()]
    return sorted(found, key=lambda n: (int(Path(n).stem), n))


def is_spark_schema(names: list[str]) -> bool:
    """Whether a Parquet file's columns are those of the Spark dump."""
    return {"listened_at", "user_id", "artist_name", "recording_name"} <= set(names)


def _first_mbid(column: Any) -> Any:
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
            "artist_mbid": _first_mbid(mbids) if mbids is not None else None,
            "album_mbid": col("release_mbid"),
            "track_mbid": col("recording_mbid"),
            "source": constant("listenbrainz-spark", batch.num_rows),
        }
    )


def _spark_file(handle: Any, name: str) -> Iterator[Any]:
    import pyarrow as pa
    import pyarrow.parquet as pq

    try:
        # Names come as the file's own dictionaries: no hashing of every row's text.
        parquet = pq.ParquetFile(
            handle, read_dictionary=["artist_name", "recording_name", "release_name"]
        )
        present = [c for c in SPARK_COLUMNS if c in parquet.schema_arrow.names]
        if not is_spark_schema(present):
            raise DataFormatError(
                f"{name}: not a ListenBrainz Spark dump file (its columns are "
                f"{', '.join(parquet.schema_arrow.names[:8])})"
            )
        for batch in parquet.iter_batches(batch_size=CHUNK_ROWS, columns=present):
            yield _spark_chunk(batch)
    except (OSError, pa.ArrowException) as exc:
        raise _fail(name, exc) from exc


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


# --- Last.fm-1K ----------------------------------------------------------------------------

LASTFM_1K_COLUMNS: Final = ("user", "time", "artist_mbid", "artist", "track_mbid", "track")


def read_lastfm_1k(path: Path, skipped: Counter[str]) -> Iterator[Any]:
    """Chunks from the Last.fm-1K TSV file (plain or compressed)."""
    import pyarrow as pa
    import pyarrow.compute as pc
    from pyarrow import csv

    def bad(row: Any) -> str:
        skipped["malformed line"] += 1
        return "skip"

    try:
        reader = csv.open_csv(
            pa.input_stream(str(path), compression="detect"),
            read_options=csv.ReadOptions(
                column_names=list(LASTFM_1K_COLUMNS), block_size=1 << 26, encoding=lenient()
            ),
            parse_options=csv.ParseOptions(
                delimiter="\t", quote_char=False, invalid_row_handler=bad
            ),
            convert_options=csv.ConvertOptions(
                column_types=dict.fromkeys(LASTFM_1K_COLUMNS, pa.string()),
                strings_can_be_null=False,
            ),
        )
        for batch in reader:
            times = pc.strptime(
                batch.column("time"), format="%Y-%m-%dT%H:%M:%SZ", unit="ms", error_is_null=True
            )
            columns = {c: batch.column(c) for c in LASTFM_1K_COLUMNS if c != "time"}
            columns["played_at"] = times
            columns["source"] = constant("lastfm-1k", batch.num_rows)
            yield chunk(columns)
    except (OSError, pa.ArrowException) as exc:
        raise _fail(path, exc) from exc


# --- LFM-1b -----------------------------------------------------------------------------------


def _has_header(path: Path) -> bool:
    with open(path, "rb") as fh:
        first = fh.readline().split(b"\t", 1)[0].strip()
    return bool(first) and not first.isdigit()


def _read_tsv(path: Path, names: list[str], types: dict[str, Any]) -> Any:
    from pyarrow import csv

    return csv.read_csv(
        str(path),
        read_options=csv.ReadOptions(
            column_names=names,
            skip_rows=1 if _has_header(path) else 0,
            block_size=1 << 26,
            encoding=lenient(),
        ),
        parse_options=csv.ParseOptions(delimiter="\t", quote_char=False),
        convert_options=csv.ConvertOptions(
            column_types=types, include_columns=list(types), strings_can_be_null=False
        ),
    )


class _Names:
    """Names by integer id, from an LFM-1b names file (id → row through a dense array)."""

    def __init__(self, path: Path, *, with_artist: bool) -> None:
        import numpy as np
        import pyarrow as pa

        cols = ["id", "name", "artist"] if with_artist else ["id", "name"]
        table = _read_tsv(path, cols, {"id": pa.int64(), "name": pa.string()})
        ids = table["id"].to_numpy()
        self.rows = np.full(int(ids.max()) + 2 if len(ids) else 1, -1, dtype=np.int64)
        self.rows[ids] = np.arange(len(ids))
        self.names = table["name"].combine_chunks()

    def take(self, ids: Any) -> Any:
        """The name of each id (missing where unknown)."""
        import numpy as np
        import pyarrow as pa

        values = np.asarray(ids, dtype=np.int64)
        inside = (values >= 0) & (values < len(self.rows) - 1)
        rows = np.where(inside, self.rows[np.where(inside, values, len(self.rows) - 1)], -1)
        return self.names.take(pa.array(rows, mask=rows < 0))


def read_lfm1b(path: Path, skipped: Counter[str]) -> Iterator[Any]:
    """Chunks from ``LFM-1b_LEs.txt`` with the names files beside it."""
    import numpy as np
    import pyarrow as pa
    from pyarrow import csv

    folder = path.parent
    artists_file = folder / "LFM-1b_artists.txt"
    if not artists_file.is_file():
        raise DataFormatError(
            f"{path}: LFM-1b_artists.txt is not beside it; put the dataset's names files "
            "in the same folder"
        )
    albums_file, tracks_file = folder / "LFM-1b_albums.txt", folder / "LFM-1b_tracks.txt"

    def bad(row: Any) -> str:
        skipped["malformed line"] += 1
        return "skip"

    columns = ["user", "artist", "album", "track", "time"]
    try:
        artists = _Names(artists_file, with_artist=False)
        albums = _Names(albums_file, with_artist=True) if albums_file.is_file() else None
        tracks = _Names(tracks_file, with_artist=True) if tracks_file.is_file() else None
        reader = csv.open_csv(
            str(path),
            read_options=csv.ReadOptions(
                column_names=columns,
                skip_rows=1 if _has_header(path) else 0,
                block_size=1 << 26,
                encoding=lenient(),
            ),
            parse_options=csv.ParseOptions(delimiter="\t", invalid_row_handler=bad),
            convert_options=csv.ConvertOptions(column_types=dict.fromkeys(columns, pa.int64())),
        )
        for batch in reader:
            track_ids = batch.column("track").to_numpy(zero_copy_only=False)
            if tracks is not None:
                track = tracks.take(track_ids)
            else:
                track = pa.array(track_ids.astype(str), type=pa.string())
            seconds = batch.column("time").fill_null(-1).to_numpy(zero_copy_only=False)
            times = pa.array(np.asarray(seconds, dtype=np.int64) * 1000, mask=seconds < 0)
            yield chunk(
                {
                    "user": batch.column("user").cast(pa.string()),
                    "played_at": times.cast(pa.timestamp("ms")),
                    "artist": artists.take(batch.column("artist").fill_null(-1).to_numpy()),
                    "track": track,
                    "album": albums.take(batch.column("album").fill_null(-1).to_numpy())
                    if albums is not None
                    else None,
                    "source": constant("lfm-1b", batch.num_rows),
                }
            )
    except (OSError, pa.ArrowException) as exc:
        raise _fail(path, exc) from exc


# --- MLHD / MLHD+ ---------------------------------------------------------------------------

MLHD_SUFFIXES: Final = (".txt", ".tsv", ".gz", ".bz2", ".zst", ".zstd")


def mlhd_user(name: str) -> str:
    """The listener of an MLHD file: its name up to the first dot."""
    return Path(name).name.split(".", 1)[0]


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
        raise _fail(name, exc) from exc


def _mlhd_table(data: bytes, name: str, skipped: Counter[str]) -> Any:
    import pyarrow as pa
    import pyarrow.compute as pc
    from pyarrow import csv

    def bad(row: Any) -> str:
        skipped["malformed line"] += 1
        return "skip"

    columns = ["time", "artist", "release", "recording"]
    try:
        table = csv.read_csv(
            io.BytesIO(data),
            read_options=csv.ReadOptions(column_names=columns, encoding=lenient()),
            parse_options=csv.ParseOptions(
                delimiter="\t", quote_char=False, invalid_row_handler=bad
            ),
            convert_options=csv.ConvertOptions(
                column_types={"time": pa.string(), **dict.fromkeys(columns[1:], pa.string())}
            ),
        )
    except (OSError, pa.ArrowException) as exc:
        raise _fail(name, exc) from exc
    numbers = pc.if_else(
        pc.match_substring_regex(table["time"], r"^\d{1,12}$"),
        table["time"],
        pa.scalar(None, pa.string()),
    )
    times = pc.multiply(numbers.cast(pa.int64()), 1000).cast(pa.timestamp("ms"))
    artist = _first_mbid(table["artist"])
    recording = table["recording"]
    n = table.num_rows
    return chunk(
        {
            "user": pa.array([mlhd_user(name)] * n, type=pa.string()),
            "played_at": times,
            "artist": artist,
            "track": recording,
            "artist_mbid": artist,
            "album_mbid": table["release"],
            "track_mbid": recording,
            "source": constant("mlhd", n),
        }
    )


def mlhd_files(path: Path) -> Iterator[tuple[str, bytes]]:
    """(name, bytes) of every listener file in a folder, a ``.tar`` of them, or one file."""
    if path.is_dir():
        for entry in sorted(path.iterdir()):
            if entry.is_file() and not entry.name.startswith("."):
                if tarfile.is_tarfile(entry):
                    yield from mlhd_files(entry)
                else:
                    yield entry.name, entry.read_bytes()
    elif tarfile.is_tarfile(path):
        with tarfile.open(path) as archive:
            for member in archive:
                handle = archive.extractfile(member) if member.isfile() else None
                if handle is not None and not Path(member.name).name.startswith("."):
                    yield member.name, handle.read()
    else:
        yield path.name, path.read_bytes()


def read_mlhd(path: Path, skipped: Counter[str]) -> Iterator[Any]:
    """Chunks from MLHD listener files, gathered to about :data:`CHUNK_ROWS` rows each."""
    import pyarrow as pa

    held: list[Any] = []
    rows = 0
    for name, data in mlhd_files(path):
        table = _mlhd_table(decompress(data, name), f"{path}/{name}", skipped)
        held.append(table)
        rows += table.num_rows
        if rows >= CHUNK_ROWS:
            yield pa.concat_tables(held)
            held, rows = [], 0
    if held:
        yield pa.concat_tables(held)
