"""Population sources: recognise each from its content and read it in chunks.

:func:`open_source` looks at a path (a file, a folder or an archive) and
returns a :class:`Source` that yields chunks of plays (pyarrow tables in the
form of :data:`royalty.population.chunks.CHUNK_COLUMNS`) without reading the
whole source into memory. The dump layouts are described in
:mod:`royalty.population.sources_dumps` and :mod:`royalty.population.sources_text`; besides them:

- **royalty's own store** (the folder ``ROYALTY_HOME`` points at, with
  ``users/<name>/plays.parquet``): every stored user becomes a listener;
- **any file that ``royalty import --file`` reads** (Last.fm CSV and JSON,
  Spotify, ListenBrainz exports, ``.scrobbler.log``): whose history it is
  comes from ``user`` or from ``user_from`` (``"name"``: the file's name
  without its extension; ``"folder"``: the name of the folder it is in).
"""

from __future__ import annotations

import os
import re
import tarfile
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any, Final

from royalty.errors import DataFormatError, UsageError
from royalty.population import sources_dumps as dumps
from royalty.population import sources_text as texts
from royalty.population.chunks import chunk

DUMP_KINDS: Final[tuple[str, ...]] = (
    "listenbrainz-spark",
    "lastfm-1k",
    "lfm-1b",
    "mlhd",
    "royalty-store",
)
"""Population source formats, for ``--input-format``; any format of
:data:`royalty.importers.FORMATS` is also accepted (one listener's file)."""
USER_FROM: Final[tuple[str, ...]] = ("name", "folder")
_ISO_Z: Final = re.compile(rb"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ")
_MBID: Final = re.compile(rb"[0-9a-fA-F-]{36}(,[0-9a-fA-F-]{36})*")
# Bytes of dataset written per byte of source, to size buckets: Parquet dumps and
# compressed MLHD files are about as compact as the dataset, plain text a few times
# larger, JSON exports ten times.
_DENSITY: Final = {"listenbrainz-spark": 1.0, "mlhd": 1.0, "royalty-store": 1.0,
                   "lastfm-1k": 0.3, "lfm-1b": 0.3, "files": 0.1}  # fmt: skip


@dataclass(frozen=True)
class Source:
    """One population source, recognised and ready to read.

    Attributes:
        kind: one of :data:`DUMP_KINDS`, or ``"files"``.
        path: what the user named.
        size: its size on disk in bytes (to size the buckets).
        reader: yields chunks of plays; counts unreadable rows into the Counter it gets.
    """

    kind: str
    path: Path
    size: int
    reader: Callable[[Counter[str]], Iterator[Any]]

    @property
    def artist_names(self) -> str:
        """``"mbid"`` when the source names artists by MusicBrainz id only (MLHD)."""
        return "mbid" if self.kind == "mlhd" else "names"

    @property
    def dataset_bytes(self) -> float:
        """About how many bytes of dataset this source makes."""
        return self.size * _DENSITY.get(self.kind, 1.0)

    def chunks(self, skipped: Counter[str]) -> Iterator[Any]:
        """The source's plays, a chunk at a time."""
        return self.reader(skipped)


def _size(path: Path) -> int:
    if path.is_file():
        return path.stat().st_size
    total = 0
    for root, _dirs, files in os.walk(path):
        total += sum(os.path.getsize(os.path.join(root, f)) for f in files)
    return total


def _head(path: Path, size: int = 65536) -> bytes:
    with open(path, "rb") as fh:
        data = fh.read(size)
    if data[:2] == b"\x1f\x8b" or data[:3] == b"BZh" or data[:4] == b"\x28\xb5\x2f\xfd":
        import pyarrow as pa

        try:
            with pa.input_stream(str(path), compression="detect") as stream:
                data = bytes(stream.read(size))
        except (OSError, pa.ArrowException, ValueError):
            data = _unpacked_head(data)  # an extension that does not say the compression
    return data


def sniff_text(head: bytes) -> str | None:
    """The dump a text file's first line belongs to, or None."""
    line = next((ln for ln in head.splitlines() if ln.strip()), b"")
    fields = line.rstrip(b"\r").split(b"\t")
    if len(fields) == 6 and _ISO_Z.fullmatch(fields[1]):
        return "lastfm-1k"
    if len(fields) == 5 and all(f.strip().isdigit() for f in fields):
        return "lfm-1b"
    if (
        len(fields) == 4
        and fields[0].isdigit()
        and all(not f or _MBID.fullmatch(f) for f in fields[1:])
        and any(fields[1:])
    ):
        return "mlhd"
    return None


def _is_spark_parquet(path: Path) -> bool:
    import pyarrow as pa
    import pyarrow.parquet as pq

    try:
        return dumps.is_spark_schema(pq.read_schema(path).names)
    except (OSError, pa.ArrowException):
        return False


def _sniff_tar(path: Path) -> str | None:
    """The dump a ``.tar`` holds, from its first file: Spark's ``N.parquet`` or MLHD text."""
    with tarfile.open(path) as archive:
        for member in archive:
            if not member.isfile():
                continue
            if dumps.spark_numbered([member.name]):
                return "listenbrainz-spark"
            handle = archive.extractfile(member)
            head = handle.read(65536) if handle is not None else b""
            return "mlhd" if sniff_text(_unpacked_head(head)) == "mlhd" else None
    return None


def _unpacked_head(head: bytes) -> bytes:
    """The start of a file's text from its first bytes, decompressed when they are."""
    try:
        return dumps.decompress(head, "head")
    except DataFormatError:
        # A compressed head cut short: decompress what a stream reader can.
        import pyarrow as pa

        codec = "zstd" if head[:4] == b"\x28\xb5\x2f\xfd" else "gzip"
        try:
            with pa.input_stream(pa.py_buffer(head), compression=codec) as stream:
                return bytes(stream.read(4096))
        except (OSError, pa.ArrowException):
            return b""


def sniff(path: Path) -> str | None:
    """The population source kind of ``path`` from its content, or None (maybe a user's file)."""
    if path.is_dir():
        if any((path / "users").glob("*/plays.parquet")):
            return "royalty-store"
        if (path / "LFM-1b_LEs.txt").is_file():
            return "lfm-1b"
        numbered = dumps.spark_numbered([p.name for p in path.iterdir()])
        if numbered and _is_spark_parquet(path / numbered[0]):
            return "listenbrainz-spark"
        files = sorted(p for p in path.iterdir() if p.is_file() and not p.name.startswith("."))
        # A README or checksum file may come first: look at a few files, not one.
        for file in files[:5]:
            kind = _sniff_tar(file) if tarfile.is_tarfile(file) else sniff_text(_head(file))
            if kind in ("lastfm-1k", "mlhd", "listenbrainz-spark"):
                return kind
        return None
    with open(path, "rb") as fh:
        magic = fh.read(4)
    if magic == b"PAR1":
        return "listenbrainz-spark" if _is_spark_parquet(path) else None
    if tarfile.is_tarfile(path):
        return _sniff_tar(path)
    return sniff_text(_head(path))


def open_source(
    path: str | os.PathLike[str],
    *,
    input_format: str | None = None,
    user: str | None = None,
    user_from: str | None = None,
) -> Source:
    """Recognise a population source from its content and return its reader.

    Args:
        path: a file, folder or archive.
        input_format: force a kind (:data:`DUMP_KINDS`) or a one-listener file format.
        user: whose history a one-listener file is.
        user_from: ``"name"`` or ``"folder"``: take whose it is from the file's name
            or its folder's name.

    Raises:
        UsageError: the path is missing, the format unknown, or a one-listener
            file is given without saying whose it is.
        DataFormatError: the content is not what ``input_format`` says.

    Example:
        >>> open_source("listenbrainz-spark-dump.tar").kind  # doctest: +SKIP
        'listenbrainz-spark'
    """
    from royalty.importers import FORMATS

    where = Path(path).expanduser()
    if not where.exists():
        raise UsageError(f"{where}: no such file or folder")
    if user_from is not None and user_from not in USER_FROM:
        raise UsageError(f"--user-from takes 'name' or 'folder', not {user_from!r}")
    if input_format is not None and input_format not in (*DUMP_KINDS, *FORMATS):
        raise UsageError(
            f"unknown input format {input_format!r}: use one of "
            f"{', '.join((*DUMP_KINDS, *FORMATS))}"
        )
    if input_format in DUMP_KINDS:
        kind: str | None = input_format
    elif input_format is not None:
        kind = "files"
    else:
        try:
            kind = sniff(where)
        except (OSError, tarfile.TarError) as exc:
            raise DataFormatError(f"cannot read {where}: {exc}") from exc
    if kind is None or kind == "files":
        if user is None and user_from is None:
            raise UsageError(
                f"{where} is not a population dump (ListenBrainz Spark, Last.fm-1K, LFM-1b, "
                "MLHD, royalty's store); if it is one listener's export, say whose with "
                "--user NAME or --user-from name|folder"
            )
        kind = "files"
        reader: Callable[[Counter[str]], Iterator[Any]] = partial(
            read_user_files, where, input_format=input_format, user=user, user_from=user_from
        )
    elif kind == "lfm-1b":
        les = where / "LFM-1b_LEs.txt" if where.is_dir() else where
        reader = partial(texts.read_lfm1b, les)
    else:
        readers = {
            "listenbrainz-spark": dumps.read_spark,
            "lastfm-1k": _read_1k,
            "mlhd": texts.read_mlhd,
            "royalty-store": read_store,
        }
        reader = partial(readers[kind], where)
    return Source(kind=kind, path=where, size=_size(where), reader=reader)


def _read_1k(path: Path, skipped: Counter[str]) -> Iterator[Any]:
    if path.is_dir():
        for file in sorted(p for p in path.iterdir() if p.is_file()):
            if sniff_text(_head(file)) == "lastfm-1k":
                yield from texts.read_lastfm_1k(file, skipped)
    else:
        yield from texts.read_lastfm_1k(path, skipped)


def read_store(path: Path, skipped: Counter[str]) -> Iterator[Any]:
    """Chunks from royalty's own store in ``path``: one listener per stored user."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    from royalty import schema

    del skipped  # the store holds only valid plays
    for file in sorted((path / "users").glob("*/plays.parquet")):
        name = file.parent.name
        try:
            parquet = pq.ParquetFile(file)
            for batch in parquet.iter_batches(batch_size=dumps.CHUNK_ROWS, columns=schema.COLUMNS):
                columns = {c: batch.column(c) for c in schema.COLUMNS}
                columns["user"] = pa.array([name] * batch.num_rows, type=pa.string())
                yield chunk(columns)
        except (OSError, KeyError, pa.ArrowException) as exc:
            raise DataFormatError(f"cannot read {file}: {exc}") from exc


def _user_groups(path: Path, user: str | None, user_from: str | None) -> list[tuple[str, Path]]:
    """(listener, file or folder) pairs for one-listener files."""
    if user is not None:
        return [(user, path)]
    if path.is_file():
        name = mlhd_stem(path) if user_from == "name" else path.resolve().parent.name
        return [(name, path)]
    if user_from == "name":
        files = sorted(p for p in path.iterdir() if p.is_file() and not p.name.startswith("."))
        return [(mlhd_stem(p), p) for p in files]
    folders = sorted(p for p in path.iterdir() if p.is_dir() and not p.name.startswith("."))
    direct = [p for p in path.iterdir() if p.is_file() and not p.name.startswith(".")]
    return ([(path.resolve().name, path)] if direct else []) + [(p.name, p) for p in folders]


def mlhd_stem(path: Path) -> str:
    """A file's name without any extension: ``rj.csv.gz`` → ``rj``."""
    return texts.mlhd_user(path.name)


def read_user_files(
    path: Path,
    skipped: Counter[str],
    *,
    input_format: str | None,
    user: str | None,
    user_from: str | None,
) -> Iterator[Any]:
    """Chunks from one-listener export files, read with :func:`royalty.importers.read_files`."""
    import pyarrow as pa

    from royalty import schema
    from royalty.importers import read_files

    for name, where in _user_groups(path, user, user_from):
        if not name:
            raise UsageError(f"{where}: cannot tell whose history it is; use --user NAME")
        try:
            result = read_files(where, input_format=input_format, skip_bad_rows=True)
        except DataFormatError:
            if where == path:
                raise
            skipped["files that are not a listening history"] += 1
            continue
        skipped.update(result.skipped)
        plays = result.plays
        columns = {c: pa.Array.from_pandas(plays[c]) for c in schema.COLUMNS}
        columns["user"] = pa.array([name] * len(plays), type=pa.string())
        yield chunk(columns)
