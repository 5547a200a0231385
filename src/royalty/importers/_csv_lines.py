"""Where a CSV line or row sits in a file, for error messages, with the csv module kept safe.

The csv module refuses a field over 131,072 characters and a stray CR inside a
line (``_csv.Error``); these helpers turn such lines into "no fields" instead of
letting the error escape, so a hostile file gets a one-line message.
"""

from __future__ import annotations

import csv
import io
from typing import Any, Final

LONGEST: Final = 65536
"""Longer lines are never a header or a Last.fm row; they are not split at all."""


def fields(raw: bytes) -> list[str]:
    """One CSV line's fields; none for a line the csv module cannot read (too long, stray CR)."""
    if len(raw) > LONGEST:  # far beyond any real header or row, and csv's field limit
        return []
    try:
        return next(csv.reader([raw.rstrip(b"\r").decode("utf-8", "replace")]), [])
    except csv.Error:
        return []


def line_of_row(body: Any, index: int, width: int, header: list[str] | None) -> int:
    """The line (counted from the header or first row) on which row ``index`` starts.

    Mirrors pyarrow's reading: blank lines and rows with the wrong number of
    fields are not rows. Only called to name a bad row, so speed does not matter.
    """
    text = bytes(body).decode("utf-8", "replace")
    reader = csv.reader(io.StringIO(text, newline=""))
    seen, start = -1, 1
    try:
        for row in reader:
            if header is not None and reader.line_num == 1 and seen == -1 and start == 1:
                start = reader.line_num + 1
                header = None
                continue
            if row and len(row) == width:
                seen += 1
                if seen == index:
                    return start
            start = reader.line_num + 1
    except csv.Error:  # a field beyond the csv module's limit: name the line it reached
        pass
    return start


def long_line(data: bytes, limit: int) -> int | None:
    """The number of the first line at least ``limit`` bytes long, if any."""
    start, number = 0, 1
    while start < len(data):
        stop = data.find(b"\n", start)
        stop = len(data) if stop < 0 else stop
        if stop - start >= limit:
            return number
        start, number = stop + 1, number + 1
    return None


def find_line(data: bytes, text: bytes) -> int:
    """The offset of the first whole line equal to ``text``, or -1."""
    pos = data.find(text)
    while pos >= 0:
        at_start = pos == 0 or data[pos - 1 : pos] == b"\n"
        after = data[pos + len(text) : pos + len(text) + 2]
        if at_start and (after in (b"", b"\n", b"\r\n") or after.startswith(b"\n")):
            return pos
        pos = data.find(text, pos + 1)
    return -1
