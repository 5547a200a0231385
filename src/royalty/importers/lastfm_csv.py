"""Last.fm CSV exports, with or without a header.

Layouts read (the header, when there is one, is matched case-insensitively):

* **lastfm-to-csv**: no header, ``artist,album,track,date`` with ``date`` like
  ``20 Nov 2020 09:35`` (UTC, to the minute). An empty date marks a
  now-playing row, which is skipped and counted.
* **ghan's exporter**: ``uts,utc_time,artist,artist_mbid,album,album_mbid,
  track,track_mbid``, every field quoted; ``uts`` (unix seconds) is used.
* **other headed CSVs**: ``utc_time,artist,album,track`` with ``utc_time`` like
  ``24 Jan 2023, 09:42``, and ``Artist,Album,Track,Date``.

Every Last.fm time is the start of the play. pyarrow's multithreaded CSV
reader reads every field as a string. The names stay Arrow strings (see
:mod:`royalty.schema`); the dates, nearly all distinct, are read straight from
the string bytes (:mod:`._dates`). Dates in other layouts, and unix times, are
converted once per distinct string.
"""

from __future__ import annotations

import os
from typing import Any, Final

import numpy as np
import pandas as pd

from royalty.importers._common import (
    BAD_ROW,
    NO_ARTIST,
    NO_TRACK,
    NOW_PLAYING,
    Options,
    Parsed,
    Rows,
    check_text,
    fail,
    line_of,
    missing_text,
    read_bytes,
)
from royalty.importers._csv_lines import LONGEST, fields, find_line, line_of_row, long_line
from royalty.importers._dates import parse_day_month_year

SOURCE: Final = "lastfm-csv"
_BOM: Final = b"\xef\xbb\xbf"
_NO_HEADER: Final = ("artist", "album", "track", "date")
_COMMENTS: Final = (b"#", b"+ACM-")
_BLOCK: Final = 1 << 22
"""pyarrow's block: no CSV line may be longer, and smaller files are read in one thread."""
# Header names each schema column may go by, in order of preference.
_ALIASES: Final[dict[str, tuple[str, ...]]] = {
    "artist": ("artist", "artist_name", "artist name"),
    "track": ("track", "track_name", "track name", "title", "name"),
    "album": ("album", "album_name", "album name", "release"),
    "artist_mbid": ("artist_mbid",),
    "album_mbid": ("album_mbid",),
    "track_mbid": ("track_mbid",),
}
_UNIX_NAMES: Final = ("uts", "timestamp", "unix", "unix_time")
_TEXT_TIME_NAMES: Final = ("utc_time", "date", "time", "datetime", "played_at")
# Date layouts seen in Last.fm exports, tried in order on the distinct values.
_FORMATS: Final = (
    "%d %b %Y %H:%M",
    "%d %b %Y, %H:%M",
    "%d %b %Y %H:%M:%S",
    "%d %b %Y, %H:%M:%S",
    "%d %B %Y %H:%M",
    "%d %B %Y, %H:%M",
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%d %H:%M",
    "ISO8601",
)


def read_lastfm_csv(path: str | os.PathLike[str]) -> pd.DataFrame:
    """Read a Last.fm CSV export (plain or gzip-compressed) into the plays schema.

    Now-playing rows are dropped; any bad row raises. For the counts of what
    was skipped, and for the other options, use :func:`royalty.importers.read_files`.

    Args:
        path: the CSV file; gzip is detected from its first bytes.

    Returns:
        The plays, with ``source`` ``"lastfm-csv"``.

    Raises:
        DataFormatError: ``FILE: line N: what is wrong``.

    Example:
        >>> plays = read_lastfm_csv("scrobbles.csv.gz")  # doctest: +SKIP
        >>> plays.columns[0]  # doctest: +SKIP
        'played_at'
    """
    return parse(read_bytes(path), os.fspath(path), Options()).plays


def start_of(data: bytes) -> tuple[int, int]:
    """Where the CSV proper begins: the byte offset after a BOM and comment lines, and
    how many comment lines come before it.

    Libre.fm's exports open with ``#`` comment lines; some were saved as UTF-7,
    where ``#`` reads ``+ACM-``. Such lines are comments only when a header
    follows them: in a file without a header, a first row whose artist starts
    with ``#`` ("#1 Dads") is a play.
    """
    first = len(_BOM) if data.startswith(_BOM) else 0
    begin, lines = first, 0
    while data.startswith(_COMMENTS, begin):
        stop = data.find(b"\n", begin)
        if stop < 0:
            return first, 0
        begin, lines = stop + 1, lines + 1
    if lines and header_of(data, begin) is None:
        return first, 0
    return begin, lines


def header_of(data: bytes, begin: int | None = None) -> list[str] | None:
    """The lower-cased header fields if the first line (from ``begin``) is a Last.fm CSV
    header, else None. ``begin`` defaults to :func:`start_of`."""
    if begin is None:
        begin = start_of(data)[0]
    stop = data.find(b"\n", begin, begin + LONGEST + 1)  # never the whole file
    found = [f.strip().lower() for f in fields(data[begin : stop if stop >= 0 else None])]
    names = set(found)
    has_time = any(n in names for n in _UNIX_NAMES + _TEXT_TIME_NAMES)
    has_artist = any(n in names for n in _ALIASES["artist"])
    has_track = any(n in names for n in _ALIASES["track"])
    return found if has_time and has_artist and has_track else None


def looks_like_no_header(data: bytes, begin: int | None = None) -> bool:
    """Whether the first rows look like lastfm-to-csv: four fields, a date last."""
    if begin is None:
        begin = start_of(data)[0]
    first = data[begin : begin + 8192]
    lines = [ln for ln in first.split(b"\n")[:20] if ln.strip()][:-1] or [first]
    dates = []
    for raw in lines:
        row = fields(raw)
        if len(row) != 4:
            return False
        if row[3].strip():
            dates.append(row[3])
    if not dates:
        return False
    import pyarrow as pa

    fast = parse_day_month_year(pa.array(dates, type=pa.string()))
    return bool(not np.isnan(fast).any() or not np.isnan(_parse_times(pd.Index(dates))).any())


def _from_utf7(data: bytes) -> bytes:
    """A UTF-7 file (its comments start ``+ACM-``) as UTF-8; unchanged if it is not UTF-7."""
    try:
        return data.decode("utf-7").encode("utf-8")
    except UnicodeError:
        return data


def parse(data: bytes, name: str, options: Options) -> Parsed:
    """Parse the bytes of a Last.fm CSV export (see the module docstring).

    Raises:
        DataFormatError: the file or a row cannot be read.
    """
    data, blanked = check_text(data, name, skip_bad_lines=options.skip_bad_rows)
    begin, lead = start_of(data)
    if data.startswith(b"+ACM-", len(_BOM) if data.startswith(_BOM) else 0):
        data = _from_utf7(data)
        begin, lead = start_of(data)
    body = memoryview(data)[begin:]
    header = header_of(data, begin)
    names = header if header is not None else list(_NO_HEADER)
    if header is None and not looks_like_no_header(data, begin):
        raise fail(
            name,
            f"line {lead + 1}",
            "not a Last.fm CSV: expected a header or artist,album,track,date",
        )
    quoted = data.find(b'"', begin) >= 0
    table, invalid = _read_table(body, names, header is not None, quoted, name, options, lead)
    n = table.num_rows
    rows = Rows(
        name, n, lambda i: f"line {lead + line_of_row(body, i, len(names), header)}", options
    )
    if blanked + invalid:
        rows.skipped[BAD_ROW] += blanked + invalid

    where = {
        key: next(names.index(alias) for alias in aliases if alias in names)
        for key, aliases in _ALIASES.items()
        if any(alias in names for alias in aliases)
    }
    if "artist" not in where or "track" not in where:  # header_of guarantees both
        raise fail(name, f"line {lead + 1}", "the header names no artist or no track column")
    ms, known = _times(names, table, rows)
    text = {key: _as_strings(table.column(i)) for key, i in where.items()}
    rows.skip(~known, NOW_PLAYING)
    rows.check_times(ms, known)
    rows.skip(missing_text(text["artist"]), NO_ARTIST)
    rows.skip(missing_text(text["track"]), NO_TRACK)
    cols: dict[str, Any] = {"played_at": ms, **text}
    return rows.finish(cols, SOURCE)


def _read_table(
    body: memoryview,
    names: list[str],
    has_header: bool,
    quoted: bool,
    name: str,
    options: Options,
    lead: int,
) -> tuple[Any, int]:
    """Read every column as text, empty fields as missing; returns the table and bad-row count.

    ``lead`` is the number of comment lines before ``body``, for line numbers.
    """
    import pyarrow as pa
    import pyarrow.csv as pacsv

    invalid: list[str] = []

    def on_invalid(row: Any) -> str:
        invalid.append(str(row.text))
        return "skip" if options.skip_bad_rows else "error"

    # Plain strings: names stay Arrow strings (see royalty.schema), and an
    # empty field is read as missing.
    text = pa.string()
    # Give duplicated header names unique labels so pyarrow accepts them.
    labels = [f"c{i}" for i in range(len(names))]
    try:
        table = pacsv.read_csv(
            pa.py_buffer(body),
            read_options=pacsv.ReadOptions(
                column_names=labels,
                skip_rows=1 if has_header else 0,
                block_size=_BLOCK,
                # A file of one block gains nothing from threads, and a pool
                # thread still starting when the interpreter exits right after
                # an error aborts the process ("terminate called without an
                # active exception", exit 134).
                use_threads=len(body) > _BLOCK,
            ),
            parse_options=pacsv.ParseOptions(
                # Only a quoted value can hold a newline; without quotes the
                # faster reader that splits on every newline reads the same.
                newlines_in_values=quoted,
                invalid_row_handler=on_invalid,
            ),
            convert_options=pacsv.ConvertOptions(
                column_types=dict.fromkeys(labels, text),
                strings_can_be_null=True,
                null_values=[""],
                check_utf8=False,  # check_text has checked (or blanked) the whole file
            ),
        )
    except pa.ArrowInvalid as exc:
        data = bytes(body)
        if invalid:
            bad = invalid[-1]
            pos = find_line(data, bad.encode())
            where = f"line {lead + line_of(data, pos)}" if pos >= 0 else None
            got = len(fields(bad.encode()))
            raise fail(
                name, where, f"expected {len(names)} fields, found {got} (truncated or garbled row)"
            ) from exc
        long = long_line(data, _BLOCK)
        if long is not None:
            raise fail(
                name, f"line {lead + long}", "a line longer than 4 MB: this is not a CSV export"
            ) from exc
        raise fail(name, None, f"cannot parse the CSV: {exc}") from exc
    return table, len(invalid)


def _as_strings(chunked: Any) -> pd.Series:
    """A pandas ``str`` Series over an Arrow string column, without copying the text."""
    text = pd.StringDtype("pyarrow", na_value=np.nan)
    return pd.Series(chunked.to_pandas(types_mapper={chunked.type: text}.get))


def _times(names: list[str], table: Any, rows: Rows) -> tuple[np.ndarray, np.ndarray]:
    """Start times in ms since the epoch, and which rows have one.

    Text dates in Last.fm's own layout are read row by row by the fast byte
    parser; the rest (unix times, other layouts, blanks) are dictionary-encoded
    so that each distinct string is converted once.
    """
    unix: str | None = next((n for n in _UNIX_NAMES if n in names), None)
    chosen: str | None = unix or next((n for n in _TEXT_TIME_NAMES if n in names), None)
    if chosen is None:
        raise fail(rows.name, "line 1", "the header names no time column (uts, utc_time, date)")
    column = table.column(names.index(chosen)).combine_chunks()
    if unix is None and _all_digits(column):  # Libre.fm's Time column: unix seconds
        unix = chosen
    if unix is None:
        # Each row read straight from the bytes: Last.fm dates are nearly all
        # distinct, so a dictionary of them would cost more than it saves.
        ms_float = parse_day_month_year(column)
        empty = np.zeros(len(column), dtype=bool)
        todo = np.flatnonzero(np.isnan(ms_float))
        if len(todo):
            ms_float[todo], empty[todo] = _read_distinct(column.take(todo), None)
    else:
        ms_float, empty = _read_distinct(column, unix)

    def value(i: int) -> str:
        return str(column[i].as_py())

    rows.bad(
        ~empty & np.isnan(ms_float),
        lambda i: f"{chosen} {value(i)!r} is not a time royalty can read",
    )
    known = ~np.isnan(ms_float)
    known &= ~empty
    ms_float[~known] = 0
    return ms_float.astype(np.int64), known


def _all_digits(column: Any) -> bool:
    """Whether a text time column holds only unix seconds (checked on the first value first)."""
    import pyarrow.compute as pc

    first = column.drop_null()[:1].to_pylist()
    if not first or not str(first[0]).strip().isdigit():
        return False
    digits = pc.match_substring_regex(column, r"^\s*\d{1,12}\s*$")
    return bool(pc.all(digits).as_py())


def _read_distinct(column: Any, unix: str | None) -> tuple[np.ndarray, np.ndarray]:
    """Times in ms (NaN where unreadable) and blanks, converting each distinct string once."""
    import pyarrow.compute as pc

    if column.null_count:  # an empty field: a blank, as a now-playing row has
        column = pc.fill_null(column, "")
    chunk = pc.dictionary_encode(column)
    words = chunk.dictionary
    trimmed = pc.utf8_trim_whitespace(words)
    blank = np.asarray(pc.equal(trimmed, "").to_numpy(zero_copy_only=False), dtype=bool)
    if unix is not None:
        digits = pc.match_substring_regex(trimmed, r"^\d{1,12}$").to_numpy(zero_copy_only=False)
        ms_words = np.full(len(words), np.nan)
        picked = pc.filter(trimmed, digits).cast("int64").to_numpy()
        ms_words[np.asarray(digits, dtype=bool)] = picked * 1000.0
    else:
        ms_words = parse_day_month_year(words)
        retry = np.flatnonzero(np.isnan(ms_words) & ~blank)
        if len(retry):
            texts = pd.Index(words.take(retry).to_pylist())
            ms_words[retry] = _parse_times(texts)
    indices = chunk.indices.to_numpy(zero_copy_only=False)
    return ms_words[indices], blank[indices]


def _parse_times(cats: pd.Index) -> np.ndarray:
    """Milliseconds since the epoch for each date string (UTC), NaN where unreadable."""
    out = np.full(len(cats), np.nan)
    texts = pd.Series(cats.astype(str)).str.strip()
    digits = texts.str.fullmatch(r"\d{9,11}").to_numpy(dtype=bool)
    out[digits] = texts[digits].astype("int64").to_numpy() * 1000.0
    for fmt in _FORMATS:
        todo = np.isnan(out) & (texts != "").to_numpy()
        if not todo.any():
            break
        parsed = pd.to_datetime(texts[todo], format=fmt, errors="coerce", utc=True)
        ok = parsed.notna().to_numpy()
        idx = np.flatnonzero(todo)[ok]
        out[idx] = parsed[ok].astype("datetime64[ms, UTC]").astype("int64").to_numpy()
    return out
