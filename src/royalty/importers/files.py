"""Reading listening-history files, zips and folders into one plays frame.

:func:`read_files` is the whole file-import pipeline: expand folders and zips,
recognise each file's format, parse it, count what was skipped and why, union
files of the same source (a newer export overlapping an older one adds only
the new plays) and match plays from different sources (see
:mod:`royalty.matching`). It never touches the store, so ``royalty import
--file`` merges its result and ``royalty compare --file`` prices it directly.
"""

from __future__ import annotations

import math
import os
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, Final

from royalty.errors import DataFormatError, UsageError

if TYPE_CHECKING:
    import pandas as pd


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
    max_file_size: int | None = None,
) -> FileImport:
    """Read listening-history files, zips and folders into one plays frame.

    Each file's format is recognised from its content (the name is only a
    hint); see :data:`royalty.importers.FORMATS`. Inside zips and folders, files
    that are not listening histories (binary files among them) are passed over
    and listed in :attr:`FileImport.files`; a zip or folder with none at all is
    an error. Hidden folders (``.git``) and macOS metadata are left out; hidden
    files are read (Rockbox writes ``/.scrobbler.log``). Only regular files,
    zips and folders are read: never a device or a pipe.

    Args:
        paths: one path or several: files (plain or gzip), zips or folders.
        input_format: force this format for every file instead of sniffing.
        since: keep plays starting at or after this time (naive means UTC).
        until: keep plays starting before this time (naive means UTC).
        tz: time zone for local times (``.scrobbler.log`` with ``#TZ/UNKNOWN``).
        skip_bad_rows: skip and count bad rows instead of raising.
        match_window: seconds within which two sources' plays are one play
            (0 to :data:`MAX_MATCH_WINDOW`).
        max_file_size: the most bytes one file, zip member or unzipped ``.gz``
            may hold (default 1,000 MB, see ``_limits.MAX_FILE_SIZE``); zips
            nest at most 8 deep.

    Returns:
        The plays and the account of what was read, skipped and matched.

    Raises:
        DataFormatError: ``FILE: line N: what is wrong`` (``record N`` for JSON),
            or ``ZIP/member: ...`` for a damaged, encrypted or oversized member.
        UsageError: a path that does not exist or is not a file, zip or folder,
            an unknown format or time zone, or an option out of range.

    Example:
        >>> result = read_files(["my_spotify_data.zip", "scrobbles.csv"])  # doctest: +SKIP
        >>> len(result.plays), result.matched, dict(result.skipped)  # doctest: +SKIP
        (48210, 9120, {'no artist': 20})
    """
    from royalty import matching, schema
    from royalty.importers._common import Options
    from royalty.importers._containers import expand, is_container
    from royalty.importers._limits import MAX_FILE_SIZE
    from royalty.importers.sniff import NotHistory, canonical, parse_any, unknown_format

    forced = canonical(input_format)
    check_match_window(match_window)
    limit = MAX_FILE_SIZE if max_file_size is None else max_file_size
    if limit < 1:
        raise UsageError(f"the file size limit must be at least 1 byte, got {limit}")
    options = Options(since=_when(since), until=_when(until, end=True), tz=_zone(tz),
                      skip_bad_rows=skip_bad_rows)  # fmt: skip
    listed = [paths] if isinstance(paths, (str, os.PathLike)) else list(paths)
    if not listed:
        raise UsageError("no file given: name at least one file, zip or folder")
    infos: list[FileInfo] = []
    skipped: Counter[str] = Counter()
    by_source: dict[str, list[pd.DataFrame]] = {}
    for path in listed:
        found = looked = 0
        for item in expand(path, limit):
            looked += 1
            if item.data is None:
                infos.append(FileInfo(item.name, None, note=item.note))
                continue
            try:
                fmt, parsed = parse_any(item.data, item.name, options, forced)
            except NotHistory as why:
                if not item.inside:
                    raise unknown_format(item.name, why, forced) from None
                infos.append(FileInfo(item.name, None, note=str(why)))
                continue
            found += 1
            skipped.update(parsed.skipped)
            infos.append(
                FileInfo(item.name, fmt, parsed.rows, len(parsed.plays), dict(parsed.skipped))
            )
            if len(parsed.plays):
                source = str(parsed.plays["source"].iloc[0])
                by_source.setdefault(source, []).append(parsed.plays)
        if found == 0 and is_container(path):
            raise DataFormatError(
                f"{os.fspath(path)}: no listening history found in it (looked at {looked:,} "
                f"file{'' if looked == 1 else 's'}); royalty reads Last.fm CSV and JSON, "
                "Spotify StreamingHistory*, endsong_* and Streaming_History_Audio_*, "
                "ListenBrainz listens, .scrobbler.log files and Maloja, Koito, Pano Scrobbler "
                "and Spinitron exports"
            )
    # Files of one source are united in one step and each source is merged once:
    # merging file by file copied everything held so far for every file, so a
    # zip of 10,000 small files took time growing with the square of their number.
    held: pd.DataFrame | None = None
    matched = overlapping = 0
    for frames in by_source.values():
        plays, repeated = union_of_exports(frames)
        overlapping += repeated
        if held is None:
            held = plays
            continue
        merged = matching.merge_plays(held, plays, window=match_window)
        held, matched = merged.plays, matched + merged.matched
        overlapping += merged.already
    plays = _in_time_order(schema.empty() if held is None else held)
    return FileImport(plays, tuple(infos), dict(skipped), matched, overlapping)


MAX_MATCH_WINDOW: Final = 3600.0
"""The longest match window, in seconds (an hour). Scrobblers disagree by
seconds, a Last.fm CSV by up to a minute; a longer window would only merge
separate plays of one track."""


def check_match_window(seconds: float) -> None:
    """Refuse a match window that is not a number of seconds from 0 to an hour.

    Raises:
        UsageError: NaN, infinite, negative or above :data:`MAX_MATCH_WINDOW`.
    """
    if not math.isfinite(seconds) or not 0 <= seconds <= MAX_MATCH_WINDOW:
        raise UsageError(
            f"--match-window must be from 0 to {MAX_MATCH_WINDOW:,.0f} seconds (an hour), "
            f"got {seconds:g}"
        )


def union_of_exports(frames: list[pd.DataFrame]) -> tuple[pd.DataFrame, int]:
    """The plays of several files of one source, each play once; and how many repeated.

    Exports of one source overlap (a newer export holds the older one's plays):
    a play is identified by (``played_at``, ``artist``, ``track``), and a key
    found ``n`` times in one file and ``m`` times in another is kept
    ``max(n, m)`` times (identical rows within one file are separate plays).
    One pass over all files together, so the cost grows with the number of
    rows, not with the number of files squared.

    Returns:
        The united plays (file order kept) and the number of rows dropped.
    """
    import numpy as np
    import pandas as pd

    from royalty import schema

    plays = schema.concat(frames)
    if len(frames) < 2:
        return plays, 0
    file_of = np.repeat(np.arange(len(frames)), [len(f) for f in frames])
    keys = pd.DataFrame(
        {
            "t": plays["played_at"].astype("int64").to_numpy(),
            "a": pd.factorize(plays["artist"])[0],
            "k": pd.factorize(plays["track"])[0],
        }
    )
    key = keys.groupby(["t", "a", "k"], sort=False).ngroup().to_numpy()
    rows = pd.DataFrame({"key": key, "file": file_of})
    nth = rows.groupby(["key", "file"], sort=False).cumcount().to_numpy()
    counts = rows.groupby(["key", "file"]).size()  # sorted by key, then file
    most_before = counts.groupby(level="key").cummax().groupby(level="key").shift(1, fill_value=0)
    before = rows.join(most_before.rename("before"), on=["key", "file"])["before"].to_numpy()
    keep = nth >= before
    if keep.all():
        return plays, 0
    return plays[keep].reset_index(drop=True), int((~keep).sum())


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


_FIRST: Final = datetime(1970, 1, 1, tzinfo=UTC)
_LAST: Final = datetime(2262, 4, 11, tzinfo=UTC)  # the last day a pandas timestamp holds


def _when(value: datetime | str | None, *, end: bool = False) -> datetime | None:
    """A UTC datetime from a datetime or an ISO date string; naive means UTC.

    Moments that no play can reach are brought within what pandas holds (an
    ``until`` after 2262 is no bound at all), so ``since="0001-01-01"`` reads
    every play instead of overflowing.
    """
    if value is None:
        return None
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value.strip())
        except ValueError:
            raise UsageError(f"{value!r} is not a date: use YYYY-MM-DD") from None
    value = value if value.tzinfo else value.replace(tzinfo=UTC)
    if end and value > _LAST:
        return None
    return min(max(value, _FIRST), _LAST)


def _zone(tz: str | None) -> str | None:
    if tz is None:
        return None
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    try:
        ZoneInfo(tz)
    except (ZoneInfoNotFoundError, ValueError, OSError):  # OSError: a name too long
        raise UsageError(f"unknown time zone {tz!r}: use a name like Europe/Berlin") from None
    return tz
