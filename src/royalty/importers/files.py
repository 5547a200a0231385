"""Reading listening-history files, zips and folders into one plays frame.

:func:`read_files` is the whole file-import pipeline: expand folders and zips,
recognise each file's format, parse it, count what was skipped and why, union
files of the same source (a newer export overlapping an older one adds only
the new plays) and match plays from different sources (see
:mod:`royalty.matching`). It never touches the store, so ``royalty import
--file`` merges its result and ``royalty compare --file`` prices it directly.
"""

from __future__ import annotations

import functools
import io
import os
import zipfile
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from royalty.errors import DataFormatError, UsageError

if TYPE_CHECKING:
    import pandas as pd

_ZIP_MAGIC = b"PK\x03\x04"
_EMPTY_ZIP = b"PK\x05\x06"


@dataclass(frozen=True)
class FileInfo:
    """What happened to one file (a zip member or folder entry counts as a file).

    Attributes:
        name: the path, with ``zip/member`` for files inside a zip.
        format: the recognised format, or None when the file was passed over.
        rows: rows (records, lines) the file holds.
        plays: plays read from it (before matching against other files).
        skipped: rows skipped, by reason.
        note: why a file was passed over (only when ``format`` is None).
    """

    name: str
    format: str | None
    rows: int = 0
    plays: int = 0
    skipped: Mapping[str, int] = field(default_factory=dict)
    note: str = ""


@dataclass(frozen=True)
class FileImport:
    """The plays read from files, and the account of how they were read.

    Attributes:
        plays: the plays in :mod:`royalty.schema`, sorted by ``played_at``.
        files: one :class:`FileInfo` per file looked at, in reading order.
        skipped: rows skipped over all files, by reason (``"no artist"``,
            ``"now playing (no date)"``, ``"outside since/until"``, ...).
        matched: plays found in two sources and kept once.
        overlapping: plays that another file of the same source already held
            (overlapping exports); kept once.
    """

    plays: pd.DataFrame
    files: tuple[FileInfo, ...]
    skipped: Mapping[str, int]
    matched: int
    overlapping: int

    @property
    def passed_over(self) -> tuple[FileInfo, ...]:
        """Files inside zips or folders that were not listening histories."""
        return tuple(f for f in self.files if f.format is None)


def read_files(
    paths: str | os.PathLike[str] | Iterable[str | os.PathLike[str]],
    *,
    input_format: str | None = None,
    since: datetime | str | None = None,
    until: datetime | str | None = None,
    tz: str | None = None,
    skip_bad_rows: bool = False,
    match_window: float = 90.0,
) -> FileImport:
    """Read listening-history files, zips and folders into one plays frame.

    Each file's format is recognised from its content (the name is only a
    hint); see :data:`royalty.importers.FORMATS`. Inside zips and folders, files
    that are not listening histories are passed over and listed in
    :attr:`FileImport.files`; a zip or folder with none at all is an error.

    Args:
        paths: one path or several: files (plain or gzip), zips or folders.
        input_format: force this format for every file instead of sniffing.
        since: keep plays starting at or after this time (naive means UTC).
        until: keep plays starting before this time (naive means UTC).
        tz: time zone for local times (``.scrobbler.log`` with ``#TZ/UNKNOWN``).
        skip_bad_rows: skip and count bad rows instead of raising.
        match_window: seconds within which two sources' plays are one play.

    Returns:
        The plays and the account of what was read, skipped and matched.

    Raises:
        DataFormatError: ``FILE: line N: what is wrong`` (``record N`` for JSON).
        UsageError: a path that does not exist, an unknown format or time zone.

    Example:
        >>> result = read_files(["my_spotify_data.zip", "scrobbles.csv"])  # doctest: +SKIP
        >>> len(result.plays), result.matched, dict(result.skipped)  # doctest: +SKIP
        (48210, 9120, {'no artist': 20})
    """
    from royalty import matching, schema
    from royalty.importers._common import Options, gunzip
    from royalty.importers.sniff import NotHistory, canonical, parse_any, unknown_format

    forced = canonical(input_format)
    if match_window < 0:
        raise UsageError("the match window must be zero or more seconds")
    options = Options(since=_when(since), until=_when(until), tz=_zone(tz),
                      skip_bad_rows=skip_bad_rows)  # fmt: skip
    listed = [paths] if isinstance(paths, (str, os.PathLike)) else list(paths)
    if not listed:
        raise UsageError("no file given: name at least one file, zip or folder")
    infos: list[FileInfo] = []
    skipped: Counter[str] = Counter()
    held: pd.DataFrame | None = None
    matched = overlapping = 0
    for path in listed:
        found = 0
        for name, load, inside in _expand(Path(path)):
            try:
                fmt, parsed = parse_any(gunzip(load(), name), name, options, forced)
            except NotHistory as why:
                if not inside:
                    raise unknown_format(name, why, forced) from None
                infos.append(FileInfo(name, None, note=str(why)))
                continue
            found += 1
            skipped.update(parsed.skipped)
            infos.append(FileInfo(name, fmt, parsed.rows, len(parsed.plays), dict(parsed.skipped)))
            if held is None:
                held = parsed.plays
                continue
            merged = matching.merge_plays(held, parsed.plays, window=match_window)
            held, matched = merged.plays, matched + merged.matched
            overlapping += merged.already
        if (found == 0 and Path(path).is_dir()) or (found == 0 and _is_zip(Path(path))):
            raise DataFormatError(
                f"{os.fspath(path)}: no listening history found in it (looked at "
                f"{sum(1 for i in infos if i.name.startswith(os.fspath(path)))} files); "
                "royalty reads Last.fm CSV and JSON, Spotify StreamingHistory*, endsong_* and "
                "Streaming_History_Audio_*, ListenBrainz listens and .scrobbler.log files"
            )
    plays = _in_time_order(schema.empty() if held is None else held)
    return FileImport(plays, tuple(infos), dict(skipped), matched, overlapping)


def _in_time_order(plays: pd.DataFrame) -> pd.DataFrame:
    """``plays`` sorted by ``played_at`` (stable).

    A column holding one value throughout (a source, or an all-missing MBID
    column) reads the same in any order, so it is kept as it is, not copied.
    """
    import pandas as pd

    if plays["played_at"].is_monotonic_increasing:
        return plays.reset_index(drop=True)
    order = by_time(plays["played_at"].astype("int64").to_numpy())
    data = {}
    for col in plays.columns:
        values = plays[col]
        if isinstance(values.dtype, pd.CategoricalDtype):
            codes = values.cat.codes.to_numpy()
            same = codes.min() == codes.max()
        else:
            same = isinstance(values.dtype, pd.Int64Dtype) and bool(values.isna().all())
        data[col] = (values if same else values.take(order)).reset_index(drop=True)
    return pd.DataFrame(data)


def by_time(times: Any) -> Any:
    """The stable ascending order of ``times`` (as ``argsort(kind="stable")`` gives it).

    Exports are usually sorted already, oldest or (Last.fm) newest first; those
    take one linear pass instead of a sort. For a newest-first file, rows with
    equal times keep their file order, as a stable sort keeps them.

    Example:
        >>> import numpy as np
        >>> by_time(np.array([5, 3, 3, 1])).tolist()
        [3, 1, 2, 0]
    """
    import numpy as np

    n = len(times)
    step = np.diff(times.view(np.int64) if times.dtype.kind == "M" else times)
    if n < 2 or (step >= 0).all():
        return np.arange(n)
    if not (step <= 0).all():
        return np.argsort(times, kind="stable")
    starts = np.flatnonzero(np.concatenate([[True], step != 0]))  # runs of equal times
    lengths = np.diff(np.append(starts, n))
    starts, lengths = starts[::-1], lengths[::-1]
    placed = np.concatenate([[0], np.cumsum(lengths)[:-1]])  # where each run lands
    return np.arange(n) + np.repeat(starts - placed, lengths)


def _is_zip(path: Path) -> bool:
    try:
        with open(path, "rb") as fh:
            return fh.read(4) in (_ZIP_MAGIC, _EMPTY_ZIP)
    except OSError:
        return False


def _when(value: datetime | str | None) -> datetime | None:
    """A UTC datetime from a datetime or an ISO date string; naive means UTC."""
    if value is None:
        return None
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value.strip())
        except ValueError:
            raise UsageError(f"{value!r} is not a date: use YYYY-MM-DD") from None
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def _zone(tz: str | None) -> str | None:
    if tz is None:
        return None
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    try:
        ZoneInfo(tz)
    except (ZoneInfoNotFoundError, ValueError):
        raise UsageError(f"unknown time zone {tz!r}: use a name like Europe/Berlin") from None
    return tz


Loader = Callable[[], bytes]


def _expand(path: Path) -> Iterator[tuple[str, Loader, bool]]:
    """(display name, loader, inside a zip or folder) for every file under ``path``."""
    from royalty.importers._common import read_bytes

    name = os.fspath(path)
    if path.is_dir():
        for child in sorted(path.rglob("*")):
            if child.is_file() and not any(
                p.startswith(".") for p in child.relative_to(path).parts
            ):
                if _is_zip(child):
                    yield from _members(os.fspath(child), child.read_bytes())
                else:
                    yield os.fspath(child), functools.partial(read_bytes, child), True
        return
    if not path.exists():
        raise UsageError(f"{name}: no such file or folder")
    if _is_zip(path):
        yield from _members(name, path.read_bytes())
        return
    yield name, (lambda: read_bytes(path)), False


def _members(name: str, data: bytes) -> Iterator[tuple[str, Loader, bool]]:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        entries = sorted(archive.infolist(), key=lambda e: e.filename)
    except (zipfile.BadZipFile, OSError) as exc:
        raise DataFormatError(f"{name}: not a readable zip ({exc}); is it truncated?") from exc
    for entry in entries:
        parts = entry.filename.split("/")
        if entry.is_dir() or parts[0] == "__MACOSX" or parts[-1].startswith("."):
            continue
        member = f"{name}/{entry.filename}"

        def load(entry: zipfile.ZipInfo = entry, member: str = member) -> bytes:
            try:
                return archive.read(entry)
            except (zipfile.BadZipFile, OSError, EOFError) as exc:
                raise DataFormatError(f"{member}: cannot unpack it from the zip ({exc})") from exc

        content = load()
        if content.startswith(_ZIP_MAGIC):
            yield from _members(member, content)
        else:
            yield member, functools.partial(bytes, content), True
