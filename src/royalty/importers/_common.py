"""What every file reader shares: reading bytes, row checks, skip counting, errors.

A reader turns the bytes of one file into columns (numpy arrays or pandas
Series, one entry per row of the file) and a :class:`Rows` object that knows
where each row sits in the file (``line N`` or ``record N``). It then marks
rows to skip (with a reason) or reject (with a message), and :meth:`Rows.finish`
applies the ``since``/``until`` window and returns the plays in the schema.

Error policy: a bad row raises :class:`~royalty.errors.DataFormatError` with the
message ``FILE: line N: what is wrong`` unless ``skip_bad_rows`` is set, when it
is dropped and counted under :data:`BAD_ROW`. Problems with the whole file
(empty, not UTF-8 in a JSON document, truncated JSON, unknown format) always
raise.
"""

from __future__ import annotations

import gzip
import io
import os
import re
import zlib
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any, Final

import numpy as np
import pandas as pd

from royalty import schema
from royalty.errors import DataFormatError
from royalty.importers._limits import MAX_FILE_SIZE, read_capped

if TYPE_CHECKING:
    from numpy.typing import NDArray

NOW_PLAYING: Final = "now playing (no date)"
NO_ARTIST: Final = "no artist"
NO_TRACK: Final = "no track title"
RATED_SKIP: Final = "skipped on the player (S rows)"
OUTSIDE: Final = "outside since/until"
BAD_ROW: Final = "bad rows"

EARLIEST: Final = schema.EARLIEST_PLAY
_EARLIEST_MS: Final = int(EARLIEST.timestamp() * 1000)
MAX_DURATION_MS: Final = 7 * 24 * 3600 * 1000
"""No single play lasts a week; a longer duration is a corrupt value."""
_FUTURE_SLACK: Final = schema.FUTURE_SLACK
_GZIP_MAGIC: Final = b"\x1f\x8b"
_BLANK: Final = re.compile(rb"[\xef\xbb\xbf \t\r\n]*")


@dataclass(frozen=True)
class Options:
    """How to read: the date window, the time zone for local times, bad rows.

    ``since`` is inclusive and ``until`` exclusive, like ``royalty.store.load``.
    """

    since: datetime | None = None
    until: datetime | None = None
    tz: str | None = None
    skip_bad_rows: bool = False
    now: datetime = field(default_factory=lambda: datetime.now(UTC))


@dataclass
class Parsed:
    """One file's plays in the schema, and what was skipped, by reason."""

    plays: pd.DataFrame
    rows: int
    skipped: Counter[str]


def fail(name: str, where: str | None, message: str) -> DataFormatError:
    """The one-line error for a problem at ``where`` (``line 3``) in file ``name``."""
    return DataFormatError(f"{name}: {where}: {message}" if where else f"{name}: {message}")


def read_bytes(path: str | os.PathLike[str], limit: int | None = None) -> bytes:
    """The bytes of ``path``, gunzipped when they start with the gzip magic bytes.

    Raises:
        DataFormatError: the file cannot be read, or it (or what it unzips
            to) is larger than ``limit`` bytes (default :data:`MAX_FILE_SIZE`).
    """
    name = os.fspath(path)
    cap = MAX_FILE_SIZE if limit is None else limit
    try:
        with open(path, "rb") as fh:
            data = read_capped(fh, name, cap)
    except OSError as exc:
        raise DataFormatError(f"{name}: cannot read the file: {exc.strerror or exc}") from exc
    return gunzip(data, name, cap)


def gunzip(data: bytes, name: str, limit: int | None = None) -> bytes:
    """``data`` decompressed if it is gzip, else unchanged.

    Decompression stops as soon as the output passes ``limit`` bytes (default
    :data:`MAX_FILE_SIZE`): a few kilobytes of gzip can claim gigabytes.
    """
    if not data.startswith(_GZIP_MAGIC):
        return data
    cap = MAX_FILE_SIZE if limit is None else limit
    try:
        with gzip.GzipFile(fileobj=io.BytesIO(data)) as stream:
            return read_capped(stream, name, cap, unpacked=True)
    except (OSError, EOFError, zlib.error) as exc:
        raise fail(name, None, f"the gzip data is damaged or truncated ({exc})") from exc


def unix_newlines(data: bytes) -> bytes:
    """``data`` with CR-only line endings (classic Mac, Excel for Mac) turned into LF.

    Only a file whose first 64 KB hold a CR and no LF is changed: CR inside a
    line of an LF file is data, and CRLF files are read as they are. Looking
    at the start only keeps this from scanning every large file.
    """
    start = data[:65536]
    if b"\r" in start and b"\n" not in start and b"\n" not in data:
        return data.replace(b"\r", b"\n")
    return data


def is_blank(data: bytes) -> bool:
    """Whether ``data`` holds nothing but white space and a BOM."""
    return _BLANK.fullmatch(data) is not None


def line_of(data: bytes, offset: int) -> int:
    """The 1-based line number holding byte ``offset``."""
    return data.count(b"\n", 0, offset) + 1


def check_text(data: bytes, name: str, *, skip_bad_lines: bool = False) -> tuple[bytes, int]:
    """Check that ``data`` is non-empty UTF-8 text without NUL bytes.

    With ``skip_bad_lines`` (line-based formats under ``skip_bad_rows``), lines
    holding a NUL byte or invalid UTF-8 are blanked instead, and their number
    is returned so they can be counted as bad rows.

    Returns:
        The data (possibly with bad lines blanked, CR-only line ends made LF)
        and how many lines were blanked.
    """
    data = unix_newlines(data)
    if is_blank(data):  # not strip(): that copies the whole file
        raise fail(name, None, "the file is empty")
    nul = data.find(b"\0")
    bad_utf8: int | None = None
    if not data.isascii():  # ASCII is UTF-8; isascii() is far cheaper than a decode
        try:
            data.decode("utf-8")
        except UnicodeDecodeError as exc:
            bad_utf8 = exc.start
    if nul < 0 and bad_utf8 is None:
        return data, 0
    if skip_bad_lines:
        kept, dropped = [], 0
        for line in data.split(b"\n"):
            ok = b"\0" not in line
            if ok:
                try:
                    line.decode("utf-8")
                except UnicodeDecodeError:
                    ok = False
            kept.append(line if ok else b"")
            dropped += not ok
        return b"\n".join(kept), dropped
    if nul >= 0:  # a NUL byte means binary data, whatever else is wrong
        raise fail(name, f"line {line_of(data, nul)}", "NUL byte: this is a binary file, not text")
    assert bad_utf8 is not None
    byte = data[bad_utf8]
    raise fail(
        name,
        f"line {line_of(data, bad_utf8)}",
        f"byte 0x{byte:02x} is not UTF-8; save the file as UTF-8 and try again",
    )


class Rows:
    """Bookkeeping for the rows of one file: which to keep, and why others go.

    Args:
        name: the file's name, for messages.
        count: how many rows the file has.
        where: maps a row position to its place, e.g. ``lambda i: f"line {i + 2}"``.
        options: the reading options.
    """

    def __init__(
        self, name: str, count: int, where: Callable[[int], str], options: Options
    ) -> None:
        self.name = name
        self.count = count
        self.where = where
        self.options = options
        self.keep: NDArray[np.bool_] = np.ones(count, dtype=bool)
        self.skipped: Counter[str] = Counter()

    def skip(self, mask: Any, reason: str) -> None:
        """Drop the still-kept rows where ``mask`` is true, counted under ``reason``."""
        hit = np.asarray(mask, dtype=bool) & self.keep
        n = int(hit.sum())
        if n:
            self.skipped[reason] += n
            self.keep &= ~hit

    def bad(self, mask: Any, message: str | Callable[[int], str]) -> None:
        """Reject the still-kept rows where ``mask`` is true.

        Raises:
            DataFormatError: naming the first such row, unless ``skip_bad_rows``.
        """
        hit = np.asarray(mask, dtype=bool) & self.keep
        if not hit.any():
            return
        if self.options.skip_bad_rows:
            self.skip(hit, BAD_ROW)
            return
        first = int(np.flatnonzero(hit)[0])
        text = message(first) if callable(message) else message
        raise fail(self.name, self.where(first), text)

    def check_times(self, ms: Any, known: NDArray[np.bool_]) -> None:
        """Reject kept rows whose time (ms since the epoch) is before 2002 or in the future.

        ``ms`` may be int64 or float64 (then infinities and values far beyond
        int64 are rejected here, before anything casts them).
        """
        now_ms = int((self.options.now + _FUTURE_SLACK).timestamp() * 1000)
        early = known & (ms < _EARLIEST_MS)
        self.bad(early, lambda i: f"time {_show(ms[i])} is before 2002, when Last.fm began")
        late = known & (ms > now_ms)
        self.bad(late, lambda i: f"time {_show(ms[i])} is more than a day in the future")

    def times_ms(self, seconds: NDArray[np.float64], label: str) -> NDArray[np.int64]:
        """Unix seconds (NaN where unknown) to int64 ms, rejecting impossible values first.

        Infinite values are bad rows naming ``label``; times before 2002 or in
        the future are rejected by :meth:`check_times`. Only values that passed
        are cast, so a huge or infinite number never wraps around in int64.
        """
        ms = np.asarray(seconds, dtype=np.float64) * 1000.0
        known = ~np.isnan(ms)
        self.bad(np.isinf(ms), lambda i: f"{label} {float(seconds[i]):g} is not a time")
        self.check_times(ms, known & np.isfinite(ms))
        return ms_to_int(ms)

    def check_durations(self, duration_ms: NDArray[np.float64]) -> None:
        """Reject kept rows with a negative or impossibly long duration (NaN means unknown)."""
        values = np.asarray(duration_ms, dtype=np.float64)
        neg = np.nan_to_num(values, nan=0.0) < 0
        self.bad(neg, lambda i: f"negative duration {values[i]:g} ms")
        long = np.nan_to_num(values, nan=0.0, posinf=np.inf) > MAX_DURATION_MS  # inf stays inf
        self.bad(long, lambda i: f"duration {values[i]:g} ms is longer than a week")

    def finish(self, columns: dict[str, Any], source: str) -> Parsed:
        """The kept rows of ``columns`` in the plays schema, window applied.

        ``columns["played_at"]`` must be int64 milliseconds since the epoch
        (start of play); text columns may be categoricals, pandas strings
        (which stay strings) or arrays of str.
        """
        ms = np.asarray(columns["played_at"], dtype=np.int64)
        if self.options.since is not None:
            self.skip(ms < _to_ms(self.options.since), OUTSIDE)
        if self.options.until is not None:
            self.skip(ms >= _to_ms(self.options.until), OUTSIDE)
        keep = self.keep
        every = bool(keep.all())  # then no copy by a mask, and no unused categories
        n = len(keep) if every else int(keep.sum())
        data: dict[str, Any] = {}
        for col in schema.COLUMNS:
            values = columns.get(col)
            if col == "played_at":
                stamps = (ms if every else ms[keep]).view("datetime64[ms]")
                data[col] = pd.DatetimeIndex(stamps).tz_localize("UTC")
            elif col == "duration_ms":
                data[col] = (
                    pd.arrays.IntegerArray(np.zeros(n, dtype=np.int64), np.ones(n, dtype=bool))
                    if values is None
                    else pd.Series(_kept(values, keep, every)).astype("Int64").array
                )
            elif values is None:
                # One category for every row, or none: instant, where building a
                # million strings or NA objects and encoding them is not.
                names = [source] if col == "source" else []
                data[col] = pd.Categorical.from_codes(
                    np.full(n, 0 if names else -1, dtype=np.int8),
                    categories=pd.Index(names, dtype=_TEXT),
                    validate=False,
                )
            else:
                unused = col in ("artist", "track")
                data[col] = _text(_kept(values, keep, every), drop_unused=unused)
        plays = pd.DataFrame(data)
        schema.validate(plays)
        return Parsed(plays=plays, rows=self.count, skipped=self.skipped)


_TEXT: Final = pd.Index(["x"]).dtype
"""pandas' default text dtype, which every column's categories share."""


def _kept(values: Any, keep: NDArray[np.bool_], every: bool) -> Any:
    if isinstance(values, pd.Series):
        return values.reset_index(drop=True) if every else values[keep].reset_index(drop=True)
    return np.asarray(values) if every else np.asarray(values)[keep]


def _text(values: Any, *, drop_unused: bool) -> Any:
    """A text column in the schema: pandas strings stay so, anything else becomes categorical.

    Empty strings become missing. ``schema.as_category`` gives the categories
    the default text dtype, even when there are none, so that ``schema.concat``
    can join any two sources (pandas 3 gives an all-missing column ``object``
    categories).
    """
    if isinstance(values, pd.Series) and isinstance(values.dtype, pd.StringDtype):
        return values
    # Straight to a categorical: a DataFrame would first turn Python strings
    # into a string column, then encode that.
    series = pd.Series(values if isinstance(values, pd.Series) else pd.Categorical(values))
    series = schema.as_category(series)
    if (series.cat.categories == "").any():
        series = series.cat.remove_categories([""])
    if drop_unused and not _all_used(series):
        series = series.cat.remove_unused_categories()
    return series


def _all_used(values: pd.Series) -> bool:
    """Whether every category of a categorical Series occurs in it (a count, not a sort)."""
    codes = values.cat.codes.to_numpy()
    counts = np.bincount(codes[codes >= 0], minlength=len(values.cat.categories))
    return bool(counts.all())


def _to_ms(moment: datetime) -> int:
    stamp = pd.Timestamp(moment)
    if stamp.tzinfo is None:
        stamp = stamp.tz_localize(UTC)
    return int(stamp.value // 1_000_000)


def ms_to_int(ms: Any) -> NDArray[np.int64]:
    """Float milliseconds to int64, rounded; NaN, infinite or out-of-range values become 0.

    Callers reject such rows first; this only keeps numpy from casting them
    to garbage (with a warning).
    """
    values = np.asarray(ms, dtype=np.float64)
    fits = np.abs(np.nan_to_num(values, nan=np.inf)) < 2.0**62
    out = np.zeros(len(values), dtype=np.int64)
    out[fits] = np.round(values[fits])
    return out


_EPOCH: Final = datetime(1970, 1, 1, tzinfo=UTC)
_FIRST_MS: Final = (datetime.min.replace(tzinfo=UTC) - _EPOCH) // timedelta(milliseconds=1)
_END_MS: Final = (datetime.max.replace(tzinfo=UTC) - _EPOCH) // timedelta(milliseconds=1)


def _show(ms: Any) -> str:
    """A time in ms since the epoch as a UTC date, or as seconds when no date can hold it."""
    value = float(ms)
    if _FIRST_MS <= value <= _END_MS:  # the years 1 to 9999, which datetime can show
        return datetime.fromtimestamp(value / 1000, UTC).strftime("%Y-%m-%d %H:%M:%S UTC")
    return f"{value / 1000:.6g} s since 1970"


def missing_text(values: Any) -> NDArray[np.bool_]:
    """True where a text column is missing or blank."""
    series = values if isinstance(values, pd.Series) else pd.Series(values, dtype=object)
    if isinstance(series.dtype, pd.StringDtype):  # Arrow kernels, no Python strings
        spaces = series.isna() | series.str.isspace() | (series == "")
        return np.asarray(spaces.to_numpy(), dtype=bool)
    if isinstance(series.dtype, pd.CategoricalDtype):
        cats = pd.Series(series.cat.categories.astype(str))
        blank = (cats.str.strip() == "").to_numpy(dtype=bool)
        codes = series.cat.codes.to_numpy()
        out: NDArray[np.bool_] = codes < 0
        if blank.any():
            out |= blank[np.where(codes < 0, 0, codes)] & (codes >= 0)
        return out
    isna = series.isna().to_numpy()
    text = series.where(~series.isna(), "").astype(str)
    return np.asarray(isna | (text.str.strip() == "").to_numpy(), dtype=bool)
