"""ListenBrainz listens: the export zip's JSONL files, JSON arrays, and API pages.

Shapes read: JSON Lines (one listen per line, as in the export's
``listens/YYYY/M.jsonl``), a JSON array of listens, and the API shapes
``{"listens": [...]}`` and ``{"payload": {"listens": [...]}}``. A listen has
``listened_at`` (unix seconds, integer or float, the start of the play) and
``track_metadata`` with ``artist_name``, ``track_name``, ``release_name``.
MBIDs come from ``additional_info`` or ``mbid_mapping`` (which may be null);
the string ``"None"`` means no MBID. ``additional_info.duration_ms`` (or
``duration``, in seconds) is kept when present.
"""

from __future__ import annotations

from typing import Any, Final

import numpy as np

from royalty.importers._common import (
    BAD_ROW,
    NO_ARTIST,
    NO_TRACK,
    Options,
    Parsed,
    Rows,
)
from royalty.importers._json_values import integers, json_lines, shown, texts

SOURCE: Final = "listenbrainz"


def is_listen(obj: Any) -> bool:
    """Whether a parsed JSON value looks like one ListenBrainz listen."""
    return isinstance(obj, dict) and "listened_at" in obj and "track_metadata" in obj


def listens_of(doc: Any) -> list[Any] | None:
    """The listens of a parsed JSON document, or None if it is not ListenBrainz."""
    if is_listen(doc):  # JSON Lines with a single line
        return [doc]
    if isinstance(doc, dict):
        inner = doc.get("payload", doc)
        listens = inner.get("listens") if isinstance(inner, dict) else None
        return listens if isinstance(listens, list) else None
    if isinstance(doc, list) and any(map(is_listen, doc[:50])):  # not only the first record
        return doc
    return None


def parse_jsonl(data: bytes, name: str, options: Options) -> Parsed:
    """Plays from JSON Lines, one listen per line.

    Raises:
        DataFormatError: ``FILE: line N: ...`` for a line that is not a listen.
    """
    lines = json_lines(data, name, options)
    parsed = from_listens(lines.records, name, options, where=lines.where)
    if lines.bad:
        parsed.skipped[BAD_ROW] += lines.bad
    return parsed


def _obj(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _mbid(*candidates: Any) -> str | None:
    for value in candidates:
        if isinstance(value, list):
            value = value[0] if value else None
        if isinstance(value, str) and value.strip() and value.strip() != "None":
            return value.strip()
    return None


def from_listens(records: list[Any], name: str, options: Options, where: Any = None) -> Parsed:
    """Plays from a list of parsed listens.

    Example:
        >>> from royalty.importers._common import Options
        >>> listen = {"listened_at": 1700000000, "track_metadata": {
        ...     "artist_name": "Kiss", "track_name": "Strutter", "mbid_mapping": None}}
        >>> from_listens([listen], "l.json", Options()).plays["artist"].tolist()
        ['Kiss']
    """
    rows = Rows(name, len(records), where or (lambda i: f"record {i + 1}"), options)
    rows.bad([not isinstance(r, dict) for r in records], "expected a JSON object (a listen)")
    objs = [_obj(r) for r in records]
    rows.bad(["listened_at" not in r for r in objs], "no 'listened_at' field")
    metas = [r.get("track_metadata") for r in objs]
    rows.bad([not isinstance(m, dict) for m in metas], "no 'track_metadata' object")
    meta = [_obj(m) for m in metas]
    info = [_obj(m.get("additional_info")) for m in meta]
    mapping = [_obj(m.get("mbid_mapping")) for m in meta]
    artist = texts([m.get("artist_name") for m in meta], rows, "artist_name")
    rows.skip([a is None for a in artist], NO_ARTIST)
    track = texts([m.get("track_name") for m in meta], rows, "track_name")
    rows.skip([t is None for t in track], NO_TRACK)
    seconds = _seconds([r.get("listened_at") for r in objs], rows)
    ms = rows.times_ms(seconds, "listened_at")
    dur_ms = [a.get("duration_ms") for a in info]
    dur_s = [a.get("duration") for a in info]
    duration = integers(dur_ms, rows, "additional_info.duration_ms")
    secs = integers(dur_s, rows, "additional_info.duration")
    duration = np.where(np.isnan(duration), secs * 1000, duration)
    rows.check_durations(duration)

    def column(values: list[Any]) -> Any:
        return np.array(values, dtype=object)

    columns: dict[str, Any] = {
        "played_at": ms,
        "artist": column(artist),
        "track": column(track),
        "album": column(texts([m.get("release_name") for m in meta], rows, "release_name")),
        "artist_mbid": column(
            [
                _mbid(a.get("artist_mbids"), p.get("artist_mbids"), a.get("lastfm_artist_mbid"))
                for a, p in zip(info, mapping, strict=True)
            ]
        ),
        "album_mbid": column(
            [
                _mbid(a.get("release_mbid"), p.get("release_mbid"), a.get("lastfm_release_mbid"))
                for a, p in zip(info, mapping, strict=True)
            ]
        ),
        "track_mbid": column(
            [
                _mbid(a.get("recording_mbid"), p.get("recording_mbid"), a.get("lastfm_track_mbid"))
                for a, p in zip(info, mapping, strict=True)
            ]
        ),
        "duration_ms": np.where(np.isnan(duration), np.nan, duration),
    }
    return rows.finish(columns, SOURCE)


def _seconds(values: list[Any], rows: Rows) -> Any:
    """``listened_at`` as float seconds; an integer, a float or a numeric string."""
    out = np.full(len(values), np.nan)
    for i, v in enumerate(values):
        if isinstance(v, bool):
            continue
        try:  # a huge int, an infinity or "inf" is left to Rows.times_ms to reject
            if isinstance(v, (int, float)) or (isinstance(v, str) and len(v) < 40):
                out[i] = float(v)
        except (ValueError, OverflowError):
            continue
    rows.bad(np.isnan(out), lambda i: f"listened_at is {shown(values[i])}, expected unix seconds")
    return out
