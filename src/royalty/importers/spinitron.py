"""Spinitron spins: a radio station's playlist, as Spinitron's API gives it.

``GET /api/spins`` answers ``{"items": [...], "_links": ..., "_meta": ...}``;
a saved answer, or a plain array of its spins, is read. Each spin has
``start`` (ISO 8601 with the station's UTC offset, the start of the play),
``end``, ``duration`` (seconds on air), ``artist``, ``song``, ``release``
(the album) and a dozen more fields. The plays are the station's, not a
person's: pricing them shows what the station's airplay would earn as streams.
"""

from __future__ import annotations

from typing import Any, Final

import numpy as np

from royalty.importers._common import NO_ARTIST, NO_TRACK, Options, Parsed
from royalty.importers._json_values import get, integers, iso_times, record_rows, texts

SOURCE: Final = "spinitron"
_MARKS: Final = frozenset({"start", "song", "artist"})


def spins_of(doc: Any) -> list[Any] | None:
    """The spins of a parsed JSON document, or None if it holds none."""
    items = doc.get("items") if isinstance(doc, dict) else doc
    if not isinstance(items, list) or not items:
        return None
    first = next((i for i in items[:50] if isinstance(i, dict)), None)
    return items if first is not None and first.keys() >= _MARKS else None


def from_spins(spins: list[Any], name: str, options: Options) -> Parsed:
    """Plays from a list of parsed spins.

    Example:
        >>> from royalty.importers._common import Options
        >>> spin = {"start": "2023-11-14T23:13:20+0100", "duration": 435,
        ...         "artist": "Kraftwerk", "song": "Computer Love", "release": None}
        >>> str(from_spins([spin], "s.json", Options()).plays["played_at"][0])
        '2023-11-14 22:13:20+00:00'
    """
    records, rows = record_rows(spins, name, options, "Spinitron spins")
    artist = texts(get(records, rows, "artist"), rows, "artist")
    rows.skip([a is None for a in artist], NO_ARTIST)
    song = texts(get(records, rows, "song"), rows, "song")
    rows.skip([s is None for s in song], NO_TRACK)
    ms, known = iso_times(get(records, rows, "start"), rows, "start")
    rows.bad(~known, "no 'start' value")
    rows.check_times(ms, known)
    seconds = integers(get(records, rows, "duration", required=False), rows, "duration")
    duration = seconds * 1000
    rows.check_durations(duration)
    album = texts(get(records, rows, "release", required=False), rows, "release")
    columns: dict[str, Any] = {
        "played_at": ms,
        "artist": np.array(artist, dtype=object),
        "track": np.array(song, dtype=object),
        "album": np.array(album, dtype=object),
        "duration_ms": duration,
    }
    return rows.finish(columns, SOURCE)
