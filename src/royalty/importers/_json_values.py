"""Reading JSON and JSON Lines, and values out of them: whole numbers, text, times.

The JSON readers (Spotify, ListenBrainz, Last.fm API pages, Maloja, Koito,
Pano Scrobbler, Spinitron) share these. Each value reader takes one value per
record and a :class:`~royalty.importers._common.Rows`, marks values of the
wrong type or out of range (infinite, 10^18 or more) as bad rows (named
``record N`` or ``line N``), and returns numpy arrays or lists. Clean input,
the usual case, takes a C-speed path without a Python loop over the values;
anything else takes the checking loop. Messages show at most 60 characters of
a bad value.
"""

from __future__ import annotations

import math
import operator
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Final

import numpy as np
import pandas as pd

from royalty.importers._common import Options, Rows, check_text, fail, is_blank

if TYPE_CHECKING:
    from numpy.typing import NDArray


def load_json(data: bytes, name: str) -> Any:
    """Parse a whole JSON document, with errors that say where and why.

    Raises:
        DataFormatError: empty, not UTF-8, NUL bytes, or not valid JSON.
    """
    import json

    try:  # the common case checked with one decode; check_text then names any problem
        text = data.decode("utf-8-sig")
        usable = data.find(b"\0") < 0 and not is_blank(data)
    except UnicodeDecodeError:
        usable = False
    if not usable:
        data, _ = check_text(data, name)
        text = data.decode("utf-8-sig")
    try:
        return json.loads(text)
    except RecursionError:
        raise fail(name, None, f"the JSON is nested more than {_DEPTH} levels deep") from None
    except json.JSONDecodeError as exc:
        tail = text.rstrip()
        if exc.pos >= len(tail) or not tail.endswith(("]", "}")):
            raise fail(
                name, f"line {exc.lineno}", "the JSON ends early: the file is truncated"
            ) from exc
        raise fail(name, f"line {exc.lineno}", f"not valid JSON ({exc.msg})") from exc


_WHOLE: Final = re.compile(r"\s*-?[0-9]{1,19}\s*")
_HUGE: Final = 1e18
"""No count of seconds or milliseconds in a listening history comes near this."""
_DEPTH: Final = 900
"""Deeper than this, ``json.loads`` runs out of Python's recursion limit (1,000)."""


def shown(value: Any, limit: int = 60) -> str:
    """``repr(value)`` cut to ``limit`` characters, safe on deeply nested values."""
    try:
        text = repr(value)
    except RecursionError:
        text = f"a deeply nested {type(value).__name__}"
    return text if len(text) <= limit else text[: limit - 1] + "…"


@dataclass
class JsonLines:
    """The records of a JSON Lines file, where each sits, and how many lines were bad."""

    records: list[Any]
    numbers: list[int]
    bad: int

    def where(self, index: int) -> str:
        """The place of record ``index`` in the file, e.g. ``line 3``."""
        return f"line {self.numbers[index]}"


def json_lines(data: bytes, name: str, options: Options) -> JsonLines:
    """Parse JSON Lines: one JSON value per line, blank lines ignored.

    Under ``skip_bad_rows`` a line that is not JSON (or not UTF-8) is counted
    in ``bad`` instead.

    Raises:
        DataFormatError: ``FILE: line N: ...`` for a line that is not JSON.
    """
    import json

    data, blanked = check_text(data, name, skip_bad_lines=options.skip_bad_rows)
    lines = data.decode("utf-8-sig").split("\n")
    records: list[Any] = []
    numbers: list[int] = []
    broken = 0
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            records.append(json.loads(line))
        except (json.JSONDecodeError, RecursionError) as exc:
            if options.skip_bad_rows:
                broken += 1
                continue
            if isinstance(exc, RecursionError):
                raise fail(name, f"line {number}", "not valid JSON (nested too deeply)") from None
            last = number == len(lines) or not any(x.strip() for x in lines[number:])
            what = "the line ends early: the file is truncated" if last else "not valid JSON"
            raise fail(name, f"line {number}", f"{what} ({exc.msg})") from exc
        numbers.append(number)
    return JsonLines(records, numbers, blanked + broken)


def integers(values: list[Any], rows: Rows, label: str) -> NDArray[np.float64]:
    """Whole numbers from JSON values as floats (NaN where missing); others are bad rows."""
    kinds = set(map(type, values))
    if kinds <= {int, type(None)}:  # the usual case, without a Python loop
        try:
            if type(None) not in kinds:
                whole = np.array(values, dtype=np.int64).astype(np.float64)
            else:
                present = np.array([v is not None for v in values], dtype=bool)
                whole = np.full(len(values), np.nan)
                whole[present] = np.array([v for v in values if v is not None], dtype=np.int64)
            if not (np.abs(np.nan_to_num(whole)) >= _HUGE).any():
                return whole
        except OverflowError:
            pass  # beyond int64: the loop below rejects them one by one
    out = np.full(len(values), np.nan)
    wrong = np.zeros(len(values), dtype=bool)
    huge = np.zeros(len(values), dtype=bool)
    for i, v in enumerate(values):
        if v is None:
            continue
        if isinstance(v, str) and _WHOLE.fullmatch(v):
            v = int(v)
        if isinstance(v, bool) or not isinstance(v, (int, float)):
            wrong[i] = True
        elif abs(v) >= _HUGE or not math.isfinite(v):  # abs first: isfinite fails on huge ints
            wrong[i] = huge[i] = True
        elif int(v) != v:
            wrong[i] = True
        else:
            out[i] = v

    def why(i: int) -> str:
        expected = "out of range" if huge[i] else "expected a whole number"
        return f"{label} is {shown(values[i])}, {expected}"

    rows.bad(wrong, why)
    return out


def texts(values: list[Any], rows: Rows, label: str) -> list[str | None]:
    """Strings from JSON values (None where missing or blank); non-strings are bad rows."""
    if not set(map(type, values)) <= {str, type(None)}:
        wrong = np.fromiter(
            (v is not None and not isinstance(v, str) for v in values),
            dtype=bool,
            count=len(values),
        )
        rows.bad(wrong, lambda i: f"{label} is {shown(values[i])}, expected text")
    return [v if isinstance(v, str) and v.strip() else None for v in values]


def iso_times(
    values: list[Any], rows: Rows, label: str
) -> tuple[NDArray[np.int64], NDArray[np.bool_]]:
    """ISO 8601 times (UTC unless they say otherwise) to ms since the epoch, and which are known.

    Spotify's own fixed-width layouts are read from the bytes; anything else
    (offsets, fractions, other widths) goes through ``pandas.to_datetime``.
    """
    from royalty.importers._dates import parse_iso_fixed

    ms_float = parse_iso_fixed(values)
    if ms_float is None:
        ms_float = np.full(len(values), np.nan)
    todo = np.flatnonzero(np.isnan(ms_float))
    if len(todo):
        series = pd.Series([v if isinstance(v, str) else None for v in (values[i] for i in todo)],
                           dtype=object)  # fmt: skip
        parsed = pd.to_datetime(series, format="ISO8601", utc=True, errors="coerce")
        read = parsed.notna().to_numpy()
        times = parsed[read].astype("datetime64[ms, UTC]").astype("int64").to_numpy()
        ms_float[todo[read]] = times
    present = np.fromiter((v is not None for v in values), dtype=bool, count=len(values))
    known = ~np.isnan(ms_float)
    rows.bad(
        present & ~known, lambda i: f"{label} {shown(values[i])} is not a time royalty can read"
    )
    ms = np.zeros(len(values), dtype=np.int64)
    ms[known] = ms_float[known]
    return ms, known


def record_rows(records: Any, name: str, options: Options, what: str) -> tuple[list[Any], Rows]:
    """Check that ``records`` is a list of JSON objects and set up its :class:`Rows`."""
    if not isinstance(records, list):
        raise fail(name, None, f"expected a JSON array of {what}")
    rows = Rows(name, len(records), lambda i: f"record {i + 1}", options)
    rows.bad([not isinstance(r, dict) for r in records], lambda i: "expected a JSON object")
    return records, rows


def get(records: list[Any], rows: Rows, key: str, *, required: bool = True) -> list[Any]:
    """``record[key]`` for every record (None for skipped non-objects).

    Raises:
        DataFormatError: a kept record lacks a required ``key``.
    """
    try:  # every record an object holding the key: one pass in C
        return list(map(operator.itemgetter(key), records))
    except (KeyError, TypeError):
        pass
    values = [r.get(key) if isinstance(r, dict) else None for r in records]
    if required:
        absent = np.fromiter(
            (not isinstance(r, dict) or key not in r for r in records),
            dtype=bool,
            count=len(records),
        )
        rows.bad(absent, f"no {key!r} field")
    return values
