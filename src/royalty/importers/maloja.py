"""Maloja's JSON export (``maloja_export_YYYY_MM_DD_HH_MM_SS.json``).

Maloja, a self-hosted scrobble server, exports ``{"maloja": {"export_time":
...}, "scrobbles": [...]}``. Each scrobble has ``time`` (unix seconds, the
start of the play, as the scrobbling APIs it accepts send it), ``track`` with
``artists`` (a list: Maloja credits every artist of a collaboration), ``title``
and ``album`` (``{"albumtitle": ..., "artists": [...]}`` or null), and
``duration``, the seconds actually played, or null.

Several artists are joined with ", " into one name, as ListenBrainz does when
it imports a Maloja export, so the first-named artist leads.
"""

from __future__ import annotations

from typing import Any, Final

import numpy as np

from royalty.importers._common import NO_ARTIST, NO_TRACK, Options, Parsed
from royalty.importers._json_values import integers, record_rows, shown, texts

SOURCE: Final = "maloja"


def is_export(doc: Any) -> bool:
    """Whether a parsed JSON document is a Maloja export."""
    return isinstance(doc, dict) and isinstance(doc.get("maloja"), dict) and "scrobbles" in doc


def from_export(doc: dict[str, Any], name: str, options: Options) -> Parsed:
    """Plays from a parsed Maloja export.

    Example:
        >>> from royalty.importers._common import Options
        >>> doc = {"maloja": {"export_time": 1700000900}, "scrobbles": [{"time": 1700000000,
        ...     "track": {"artists": ["Kraftwerk"], "title": "Computer Love", "album": None},
        ...     "duration": 435}]}
        >>> from_export(doc, "m.json", Options()).plays["duration_ms"].tolist()
        [435000]
    """
    records, rows = record_rows(doc.get("scrobbles"), name, options, "Maloja scrobbles")
    objs = [r if isinstance(r, dict) else {} for r in records]
    rows.bad(["time" not in r for r in objs], "no 'time' field")
    tracks = [r.get("track") for r in objs]
    rows.bad([not isinstance(t, dict) for t in tracks], "no 'track' object")
    track = [t if isinstance(t, dict) else {} for t in tracks]
    artist = texts(
        [_names(t.get("artists"), rows, i) for i, t in enumerate(track)], rows, "track.artists"
    )
    rows.skip([a is None for a in artist], NO_ARTIST)
    title = texts([t.get("title") for t in track], rows, "track.title")
    rows.skip([x is None for x in title], NO_TRACK)
    albums = [t.get("album") for t in track]
    album = texts(
        [a.get("albumtitle") if isinstance(a, dict) else None for a in albums],
        rows,
        "track.album.albumtitle",
    )
    ms = rows.times_ms(integers([r.get("time") for r in objs], rows, "time"), "time")
    seconds = integers([r.get("duration") for r in objs], rows, "duration")
    duration = seconds * 1000
    rows.check_durations(duration)
    columns: dict[str, Any] = {
        "played_at": ms,
        "artist": np.array(artist, dtype=object),
        "track": np.array(title, dtype=object),
        "album": np.array(album, dtype=object),
        "duration_ms": duration,
    }
    return rows.finish(columns, SOURCE)


def _names(value: Any, rows: Any, index: int) -> str | None:
    """The artists of one track as one name: a list joined with ", ", or a lone string."""
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        named = [v.strip() for v in value if v.strip()]
        return ", ".join(named) or None
    mask = np.zeros(rows.count, dtype=bool)
    mask[index] = True
    rows.bad(mask, f"track.artists is {shown(value)}, expected a list of names")
    return None
