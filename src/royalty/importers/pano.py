"""Pano Scrobbler's local scrobble files, CSV or JSON Lines.

Pano Scrobbler (Android and desktop) can scrobble to a file of the user's
instead of, or beside, a service. A CSV file starts with the header
``timeHuman,timeMs,artist,track,album,albumArtist,durationMs,
mediaPlayerPackage,mediaPlayerName,mediaPlayerVersion,event``; a JSON Lines
file holds one object with the same keys per line. ``timeMs`` is the start of
the play in ms since the epoch (``timeHuman`` is the same time for people, in
the phone's zone, and is not read); ``durationMs`` is the track's length, or
``null``. ``event`` is ``scrobble``, ``love`` or ``unlove``: only scrobbles are
plays, the others are skipped and counted.
"""

from __future__ import annotations

import csv
import io
from typing import Any, Final

import numpy as np

from royalty.importers._common import (
    BAD_ROW,
    NO_ARTIST,
    NO_TRACK,
    Options,
    Parsed,
    Rows,
    check_text,
    fail,
)
from royalty.importers._json_values import integers, json_lines, texts

SOURCE: Final = "pano-scrobbler"
NOT_A_PLAY: Final = "loved or unloved (not plays)"
_HEADER: Final = b"timehuman,timems,artist,track"


def is_csv(data: bytes) -> bool:
    """Whether ``data`` starts with Pano Scrobbler's CSV header."""
    return data.removeprefix(b"\xef\xbb\xbf")[: len(_HEADER)].lower() == _HEADER


def is_record(value: Any) -> bool:
    """Whether a parsed JSON value is one line of Pano Scrobbler's JSON Lines file."""
    return isinstance(value, dict) and "timeMs" in value and "event" in value


def parse_csv(data: bytes, name: str, options: Options) -> Parsed:
    """Plays from Pano Scrobbler's CSV file.

    Example:
        >>> from royalty.importers._common import Options
        >>> text = (b"timeHuman,timeMs,artist,track,album,albumArtist,durationMs,"
        ...         b"mediaPlayerPackage,mediaPlayerName,mediaPlayerVersion,event\\n"
        ...         b"x,1700000000000,Kiss,Strutter,,,null,,,,scrobble\\n")
        >>> parse_csv(text, "p.csv", Options()).plays["track"].tolist()
        ['Strutter']
    """
    data, blanked = check_text(data, name, skip_bad_lines=options.skip_bad_rows)
    reader = csv.reader(io.StringIO(data.decode("utf-8-sig"), newline=""))
    records: list[dict[str, str]] = []
    numbers: list[int] = []
    short = 0
    start = 1
    try:
        header = [h.strip() for h in next(reader)]
        start = reader.line_num + 1
        for row in reader:
            if row and len(row) < 4:
                if not options.skip_bad_rows:
                    raise fail(name, f"line {start}", f"expected 11 fields, found {len(row)}")
                short += 1
            elif row:
                records.append(dict(zip(header, row, strict=False)))
                numbers.append(start)
            start = reader.line_num + 1
    except csv.Error as exc:  # a field past the csv module's limit, a stray CR
        raise fail(name, f"line {start}", f"not a readable CSV row ({exc})") from None
    parsed = _convert(records, Rows(name, len(records), lambda i: f"line {numbers[i]}", options))
    if blanked + short:
        parsed.skipped[BAD_ROW] += blanked + short
    return parsed


def parse_jsonl(data: bytes, name: str, options: Options) -> Parsed:
    """Plays from Pano Scrobbler's JSON Lines file."""
    lines = json_lines(data, name, options)
    rows = Rows(name, len(lines.records), lines.where, options)
    rows.bad([not isinstance(r, dict) for r in lines.records], "expected a JSON object")
    parsed = _convert([r if isinstance(r, dict) else {} for r in lines.records], rows)
    if lines.bad:
        parsed.skipped[BAD_ROW] += lines.bad
    return parsed


def _convert(records: list[dict[str, Any]], rows: Rows) -> Parsed:
    """The plays of parsed lines; CSV text ``null`` and empty fields mean missing."""

    def field(key: str) -> list[Any]:
        return [None if r.get(key) in ("", "null") else r.get(key) for r in records]

    rows.bad(["timeMs" not in r for r in records], "no 'timeMs' field")
    event = texts(field("event"), rows, "event")
    rows.skip([e is not None and e.strip().lower() != "scrobble" for e in event], NOT_A_PLAY)
    artist = texts(field("artist"), rows, "artist")
    rows.skip([a is None for a in artist], NO_ARTIST)
    track = texts(field("track"), rows, "track")
    rows.skip([t is None for t in track], NO_TRACK)
    ms = integers(field("timeMs"), rows, "timeMs")
    rows.bad(np.isnan(ms), "no 'timeMs' value")
    rows.check_times(ms, ~np.isnan(ms))
    duration = integers(field("durationMs"), rows, "durationMs")
    rows.check_durations(duration)
    columns: dict[str, Any] = {
        "played_at": np.where(np.isnan(ms), 0, ms).astype(np.int64),
        "artist": np.array(artist, dtype=object),
        "track": np.array(track, dtype=object),
        "album": np.array(texts(field("album"), rows, "album"), dtype=object),
        "duration_ms": duration,
    }
    return rows.finish(columns, SOURCE)
