"""The population dataset: every listener's plays, bucketed by user, in Parquet.

Layout of a dataset folder ``DIR``::

    DIR/population.json     names the current generation; written last, atomically
    DIR/gen-000001/         one complete generation
        artists.parquet     artist_id int32 (dense 0..A-1), artist, artist_mbid
        tracks.parquet      track_id int32 (dense 0..T-1), artist_id int32, track, track_mbid
        users.parquet       user_id int32 (dense 0..U-1), user, bucket int32
        buckets/bucket-00000.parquet … one file per bucket, every one present

A bucket file holds the plays of the listeners whose name hashes to it
(:func:`bucket_of`), sorted by ``user_id`` then ``played_at``, with the
columns of :data:`BUCKET_COLUMNS`: integer ids first (so a model can
``numpy.bincount`` over artists without touching strings), then the
one-listener store's text columns as dictionary-encoded strings. Its row
groups hold about a million plays each and every listener whole (the
``user_id`` statistics show it), so each can be counted on its own; files
written before that split listeners between row groups and are read whole.

A reader opens ``population.json`` and then only the generation it names.
Anything else in ``DIR`` (a generation half-written by a killed run, ``*.tmp``
files, the ``.lock`` file) is ignored here and removed by the next import, so
an interrupted write never shows a reader a torn bucket.

Example:
    >>> info = open_dataset("my-population")  # doctest: +SKIP
    >>> read_bucket(info.bucket_paths[0], columns=["user_id", "artist_id"])  # doctest: +SKIP
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

from royalty import schema
from royalty.errors import DataFormatError

if TYPE_CHECKING:
    import pandas as pd

    from royalty.population.writer import SourceEntry

FORMAT: Final = "royalty-population"
VERSION: Final = 1
META_FILE: Final = "population.json"
ARTISTS_FILE: Final = "artists.parquet"
TRACKS_FILE: Final = "tracks.parquet"
USERS_FILE: Final = "users.parquet"
BUCKETS_DIR: Final = "buckets"
GENERATION_RE: Final = re.compile(r"gen-(\d{6})")

ID_COLUMNS: Final[tuple[str, ...]] = ("user_id", "played_at", "artist_id", "track_id")
TEXT_COLUMNS: Final[tuple[str, ...]] = ("user", *schema.TEXT_COLUMNS)
"""The one-listener store's text columns, with the listener's name first."""
BUCKET_COLUMNS: Final[tuple[str, ...]] = (*ID_COLUMNS, "duration_ms", *TEXT_COLUMNS)
"""The columns of a bucket file, in order."""
REQUIRED_TEXT: Final[tuple[str, ...]] = ("user", "artist", "track", "source")


def bucket_file(index: int) -> str:
    """The file name of bucket ``index``: ``bucket-00042.parquet``."""
    return f"bucket-{index:05d}.parquet"


def bucket_schema() -> Any:
    """The pyarrow schema of a bucket file."""
    import pyarrow as pa

    text = pa.dictionary(pa.int32(), pa.string())
    fields = [
        pa.field("user_id", pa.int32(), nullable=False),
        pa.field("played_at", pa.timestamp("ms", tz="UTC"), nullable=False),
        pa.field("artist_id", pa.int32(), nullable=False),
        pa.field("track_id", pa.int32(), nullable=False),
        pa.field("duration_ms", pa.int64()),
    ]
    fields += [pa.field(c, text, nullable=c not in REQUIRED_TEXT) for c in TEXT_COLUMNS]
    return pa.schema(fields)


@dataclass(frozen=True)
class DatasetInfo:
    """What ``population.json`` says about a dataset, with the paths of its files.

    Attributes:
        path: the dataset folder.
        generation: the folder of the current generation.
        buckets: how many bucket files there are.
        bucket_paths: every bucket file, in bucket order (some may hold no rows).
        artists_path: the artists table (``artist_id``, ``artist``, ``artist_mbid``).
        tracks_path: the tracks table (``track_id``, ``artist_id``, ``track``, ``track_mbid``).
        users_path: the users table (``user_id``, ``user``, ``bucket``).
        plays: plays in the dataset.
        listeners: listeners (users) in the dataset.
        artists: distinct artists.
        tracks: distinct tracks (an artist's track title).
        first_play: the earliest play (UTC), None when there are no plays.
        last_play: the latest play (UTC), None when there are no plays.
        synthetic: whether ``royalty population generate`` made it up.
        artist_names: ``"names"``, or ``"mbid"`` when artists are MusicBrainz ids (MLHD).
        sources: what was imported: ``{"kind", "path", "plays"}`` each.
        generator: the generator's parameters for a synthetic dataset, else None.
        created_at: when this generation was written (UTC).
    """

    path: Path
    generation: Path
    buckets: int
    bucket_paths: list[Path]
    artists_path: Path
    tracks_path: Path
    users_path: Path
    plays: int
    listeners: int
    artists: int
    tracks: int
    first_play: datetime | None
    last_play: datetime | None
    synthetic: bool
    artist_names: str
    sources: tuple[SourceEntry, ...]
    generator: dict[str, Any] | None
    created_at: datetime | None


def _not_dataset(path: Path, why: str) -> DataFormatError:
    return DataFormatError(
        f"{path} is not a population dataset ({why}); make one with "
        "`royalty population import` or `royalty population generate`"
    )


def read_meta(path: str | os.PathLike[str]) -> dict[str, Any] | None:
    """The parsed ``population.json`` of ``path``, or None when the folder has none.

    Raises:
        DataFormatError: ``path`` is a file, or its ``population.json`` is not ours.
    """
    folder = Path(path)
    if folder.exists() and not folder.is_dir():
        raise _not_dataset(folder, "it is a file, not a folder")
    meta_path = folder / META_FILE
    if not meta_path.is_file():
        return None
    try:
        meta = json.loads(meta_path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        raise _not_dataset(folder, f"cannot read {META_FILE}: {exc}") from exc
    if not isinstance(meta, dict) or meta.get("format") != FORMAT:
        raise _not_dataset(folder, f"{META_FILE} is not a royalty population file")
    if meta.get("version") != VERSION:
        raise DataFormatError(
            f"{folder} holds a population dataset of version {meta.get('version')!r}; "
            f"this royalty reads version {VERSION}: upgrade royalty or re-import"
        )
    return meta


def _time(value: object) -> datetime | None:
    return datetime.fromisoformat(value) if isinstance(value, str) and value else None


def open_dataset(path: str | os.PathLike[str]) -> DatasetInfo:
    """Open the dataset in ``path``: read ``population.json`` and check its files exist.

    Raises:
        DataFormatError: ``path`` is missing, a file, or not a complete dataset;
            the one-line message says which.

    Example:
        >>> open_dataset("my-population").listeners  # doctest: +SKIP
        992
    """
    folder = Path(path).expanduser()
    if not folder.exists():
        raise _not_dataset(folder, "no such folder")
    meta = read_meta(folder)
    if meta is None:
        raise _not_dataset(folder, f"no {META_FILE}")
    try:
        generation = folder / str(meta["generation"])
        buckets = int(meta["buckets"])
        if not GENERATION_RE.fullmatch(str(meta["generation"])) or buckets < 1:
            raise ValueError("bad generation or bucket count")
        counts = {k: int(meta[k]) for k in ("plays", "listeners", "artists", "tracks")}
        artist_names = str(meta.get("artist_names", "names"))
        sources = tuple(meta.get("sources") or ())
        generator = meta.get("generator")
        created = _time(meta.get("created_at"))
        first, last = _time(meta.get("first_play")), _time(meta.get("last_play"))
    except (KeyError, TypeError, ValueError) as exc:
        raise _not_dataset(folder, f"{META_FILE} is incomplete: {exc}") from exc
    bucket_paths = [generation / BUCKETS_DIR / bucket_file(i) for i in range(buckets)]
    tables = [generation / name for name in (ARTISTS_FILE, TRACKS_FILE, USERS_FILE)]
    missing = [p for p in (*tables, *bucket_paths) if not p.is_file()]
    if missing:
        raise DataFormatError(
            f"the population dataset {folder} is damaged: {missing[0].relative_to(folder)} "
            "is missing; import it again into a new folder"
        )
    return DatasetInfo(
        path=folder,
        generation=generation,
        buckets=buckets,
        bucket_paths=bucket_paths,
        artists_path=tables[0],
        tracks_path=tables[1],
        users_path=tables[2],
        first_play=first,
        last_play=last,
        synthetic=bool(meta.get("synthetic", False)),
        artist_names=artist_names,
        sources=sources,
        generator=generator if isinstance(generator, dict) else None,
        created_at=created,
        **counts,
    )


def read_bucket(path: str | os.PathLike[str], columns: Sequence[str] | None = None) -> pd.DataFrame:
    """One bucket's plays as a pandas frame (text columns as categoricals).

    ``played_at`` is ``datetime64[ms, UTC]``, ``duration_ms`` is ``Int64``,
    ids are ``int32``.

    Raises:
        DataFormatError: the file cannot be read as a bucket.

    Example:
        >>> read_bucket(info.bucket_paths[0], columns=["artist_id"])  # doctest: +SKIP
    """
    import pyarrow as pa
    import pyarrow.parquet as pq

    try:
        table = pq.read_table(path, columns=list(columns) if columns is not None else None)
    except (OSError, ValueError, pa.ArrowException) as exc:
        raise DataFormatError(f"cannot read the bucket file {path}: {exc}") from exc
    return _to_pandas(table)


def _to_pandas(table: Any) -> pd.DataFrame:
    import pandas as pd
    import pyarrow as pa

    from royalty.schema import as_category

    frame: pd.DataFrame = table.to_pandas(
        types_mapper=lambda t: pd.Int64Dtype() if t == pa.int64() else None,
    )
    for col in frame.columns:
        if isinstance(frame[col].dtype, pd.CategoricalDtype):
            frame[col] = as_category(frame[col])
    return frame


def read_table(path: str | os.PathLike[str]) -> pd.DataFrame:
    """Read one of a dataset's id tables (artists, tracks or users) as pandas.

    Raises:
        DataFormatError: the file cannot be read.
    """
    import pyarrow as pa
    import pyarrow.parquet as pq

    try:
        return _to_pandas(pq.read_table(path))
    except (OSError, ValueError, pa.ArrowException) as exc:
        raise DataFormatError(f"cannot read {path}: {exc}") from exc


def write_dataset(
    plays: pd.DataFrame,
    path: str | os.PathLike[str],
    *,
    buckets: int | None = None,
    synthetic: bool = False,
    sources: Sequence[SourceEntry] | None = None,
    generator: dict[str, Any] | None = None,
    artist_names: str = "names",
) -> DatasetInfo:
    """Write ``plays`` (the store schema plus a ``user`` column) as a new dataset in ``path``.

    In memory: for tests, notebooks and small populations. A dataset already in
    ``path`` is replaced by a new generation (atomically). Use
    :func:`royalty.population.importer.import_population` to add to one, or for
    sources larger than memory.

    Args:
        plays: one row per play; ``user`` names the listener.
        path: the dataset folder (created if missing).
        buckets: how many bucket files; default one per 2 million plays.
        synthetic: mark the dataset as made up.
        sources: what the plays came from, for ``population.json``.
        generator: the generator's parameters, for a synthetic dataset.
        artist_names: ``"names"`` or ``"mbid"`` (artists are MusicBrainz ids).

    Raises:
        DataFormatError: ``plays`` is not in the schema or lacks ``user``.

    Example:
        >>> write_dataset(plays, tmp_path / "pop", buckets=4).listeners  # doctest: +SKIP
        3
    """
    from royalty.population import writer

    return writer.write_frame(
        plays,
        Path(path),
        buckets=buckets,
        synthetic=synthetic,
        sources=list(sources or []),
        generator=generator,
        artist_names=artist_names,
    )
