"""Rockbox and other portable players' ``.scrobbler.log`` (Audioscrobbler 1.1).

Header lines start with ``#`` (``#AUDIOSCROBBLER/1.1``, ``#TZ/UTC`` or
``#TZ/UNKNOWN``, ``#CLIENT/...``). Each play is one tab-separated line:
artist, album, title, track number, duration in seconds, rating (``L``
listened, ``S`` skipped), unix time of the start, and an optional track MBID.
Only ``L`` lines are plays; ``S`` lines are skipped and counted, and so are
lines whose artist is ``<Untagged>`` (Rockbox's placeholder for a file
without an artist tag), as having no artist.

Under ``#TZ/UNKNOWN`` the player's clock had no time zone: the "unix time" is
the local wall-clock time, so a time zone must be given (``tz``) to place it.
The duration is the track's length as the player knew it, kept as
``duration_ms``.
"""

from __future__ import annotations

from typing import Any, Final

import numpy as np
import pandas as pd

from royalty.importers._common import (
    BAD_ROW,
    NO_ARTIST,
    NO_TRACK,
    RATED_SKIP,
    Options,
    Parsed,
    Rows,
    check_text,
    fail,
    missing_text,
)

SOURCE: Final = "scrobbler-log"
MAGIC: Final = b"#AUDIOSCROBBLER/"
_FIELDS: Final = 8
UNTAGGED: Final = "<Untagged>"


def parse(data: bytes, name: str, options: Options) -> Parsed:
    """Plays from the bytes of a ``.scrobbler.log``.

    Raises:
        DataFormatError: ``FILE: line N: ...``; also when the log says
            ``#TZ/UNKNOWN`` and no time zone was given.

    Example:
        >>> from royalty.importers._common import Options
        >>> log = b"#AUDIOSCROBBLER/1.1\\n#TZ/UTC\\nA\\tB\\tT\\t1\\t200\\tL\\t1700000000\\t\\n"
        >>> parse(log, "x.log", Options()).plays["duration_ms"].tolist()
        [200000]
    """
    data, blanked = check_text(data, name, skip_bad_lines=options.skip_bad_rows)
    text = data.decode("utf-8-sig")
    local = False
    lines: list[list[str]] = []
    numbers: list[int] = []
    short = 0
    for number, line in enumerate(text.split("\n"), start=1):
        line = line.rstrip("\r")
        if line.startswith("#") and "\t" not in line:  # a play's artist may start with #
            local |= line.strip().upper() == "#TZ/UNKNOWN"
            if local and not options.tz:
                raise fail(
                    name,
                    f"line {number}",
                    "#TZ/UNKNOWN: the times are the player's local time; "
                    "give its time zone with --tz, e.g. --tz Europe/Berlin",
                )
            continue
        if not line.strip():
            continue
        fields = line.split("\t")  # no quoting in this format: a tab always separates
        if len(fields) == _FIELDS - 1:  # the MBID is optional
            fields.append("")
        if len(fields) != _FIELDS:
            if options.skip_bad_rows:
                short += 1
                continue
            raise fail(
                name, f"line {number}", f"expected 8 tab-separated fields, found {len(fields)}"
            )
        lines.append(fields)
        numbers.append(number)
    rows = Rows(name, len(lines), lambda i: f"line {numbers[i]}", options)
    if blanked + short:
        rows.skipped[BAD_ROW] += blanked + short
    cols = list(zip(*lines, strict=True)) if lines else [()] * _FIELDS
    artist, album, title, _, length, rating, stamp, mbid = (
        pd.Series(c, dtype=object) for c in cols
    )
    rating = rating.str.strip().str.upper()
    rows.bad(~rating.isin(["L", "S"]).to_numpy(dtype=bool), lambda i: "rating must be L or S")
    rows.skip((rating == "S").to_numpy(dtype=bool), RATED_SKIP)
    # Rockbox writes <Untagged> for a file without an artist tag (the title is then
    # the file name): no artist to pay.
    untagged = artist.str.strip().str.lower() == UNTAGGED.lower()
    rows.skip(missing_text(artist) | untagged.to_numpy(dtype=bool), NO_ARTIST)
    rows.skip(missing_text(title), NO_TRACK)
    seconds = pd.to_numeric(stamp.str.strip(), errors="coerce").to_numpy(dtype=float)
    rows.bad(np.isnan(seconds), lambda i: f"time {stamp.iloc[i]!r} is not unix seconds")
    duration = pd.to_numeric(length.str.strip().replace("", None), errors="coerce")
    wrong = duration.isna().to_numpy() & (length.str.strip() != "").to_numpy()
    rows.bad(wrong, lambda i: f"duration {length.iloc[i]!r} is not a number of seconds")
    dur_ms = duration.to_numpy(dtype=float) * 1000
    rows.check_durations(dur_ms)
    # Checked (2002 to now) before the cast; a wall-clock time is within a day of it.
    ms = _start_ms(rows.times_ms(seconds, "time"), local, options.tz)
    if local:  # the checks again, now that the time is placed in its zone
        rows.check_times(ms, ~np.isnan(seconds))
    columns: dict[str, Any] = {
        "played_at": ms,
        "artist": artist.to_numpy(),
        "track": title.to_numpy(),
        "album": album.to_numpy(),
        "track_mbid": mbid.to_numpy(),
        "duration_ms": np.round(dur_ms),
    }
    return rows.finish(columns, SOURCE)


def _start_ms(ms: Any, local: bool, tz: str | None) -> Any:
    """UTC milliseconds; local wall-clock milliseconds are placed in ``tz`` first."""
    if not local or len(ms) == 0:
        return ms
    wall = pd.to_datetime(ms, unit="ms")
    # An hour repeated when clocks go back is read as its first (summer-time) pass.
    placed = wall.tz_localize(
        tz, ambiguous=np.ones(len(ms), dtype=bool), nonexistent="shift_forward"
    )
    return np.asarray(placed.tz_convert("UTC").as_unit("ms").asi8, dtype=np.int64)
