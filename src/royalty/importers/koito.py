"""Koito's JSON export.

Koito, a self-hosted scrobble server, exports ``{"version": "1", "exported_at":
..., "user": ..., "listens": [...]}``. Each listen has ``listened_at`` (RFC 3339,
UTC, the start of the play), ``track``, ``album`` and ``artists``; each of those
holds ``mbid`` and ``aliases``, a list of ``{"alias", "source", "is_primary"}``,
whose primary alias is the name. ``track.duration`` is the track's length in
seconds (0 when unknown), kept as ``duration_ms`` as ListenBrainz's
``duration_ms`` is.

Several artists are joined with ", " into one name, as for Maloja.
"""

from __future__ import annotations

from typing import Any, Final

import numpy as np

from royalty.importers._common import NO_ARTIST, NO_TRACK, Options, Parsed
from royalty.importers._json_values import integers, iso_times, record_rows, texts

SOURCE: Final = "koito"


def is_export(doc: Any) -> bool:
    """Whether a parsed JSON document is a Koito export."""
    return (
        isinstance(doc, dict)
        and isinstance(doc.get("listens"), list)
        and "exported_at" in doc
        and "version" in doc
    )


def from_export(doc: dict[str, Any], name: str, options: Options) -> Parsed:
    """Plays from a parsed Koito export.

    Example:
        >>> from royalty.importers._common import Options
        >>> alias = lambda text: {"aliases": [{"alias": text, "is_primary": True}]}
        >>> doc = {"version": "1", "exported_at": "2024-01-01T00:00:00Z", "listens": [
        ...     {"listened_at": "2023-11-14T22:13:20Z", "track": alias("Computer Love"),
        ...      "album": alias("Computer World"), "artists": [alias("Kraftwerk")]}]}
        >>> from_export(doc, "k.json", Options()).plays["artist"].tolist()
        ['Kraftwerk']
    """
    records, rows = record_rows(doc.get("listens"), name, options, "Koito listens")
    objs = [r if isinstance(r, dict) else {} for r in records]
    rows.bad(["listened_at" not in r for r in objs], "no 'listened_at' field")
    track = [_obj(r.get("track")) for r in objs]
    album = [_obj(r.get("album")) for r in objs]
    artists: list[list[Any]] = [_list(r.get("artists")) for r in objs]
    artist = texts([_joined(a) for a in artists], rows, "artists")
    rows.skip([a is None for a in artist], NO_ARTIST)
    title = texts([_primary(t) for t in track], rows, "track.aliases")
    rows.skip([t is None for t in title], NO_TRACK)
    ms, known = iso_times([r.get("listened_at") for r in objs], rows, "listened_at")
    rows.check_times(ms, known)
    seconds = integers([t.get("duration") for t in track], rows, "track.duration")
    duration = np.where(seconds > 0, seconds * 1000, np.nan)
    rows.check_durations(duration)
    columns: dict[str, Any] = {
        "played_at": ms,
        "artist": np.array(artist, dtype=object),
        "track": np.array(title, dtype=object),
        "album": np.array(texts([_primary(a) for a in album], rows, "album"), dtype=object),
        "artist_mbid": _column([_obj(a[0]).get("mbid") if a else None for a in artists]),
        "album_mbid": _column([a.get("mbid") for a in album]),
        "track_mbid": _column([t.get("mbid") for t in track]),
        "duration_ms": duration,
    }
    return rows.finish(columns, SOURCE)


def _obj(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _primary(entity: dict[str, Any]) -> Any:
    """The primary alias of a track, album or artist (else its first alias), or None."""
    aliases = entity.get("aliases")
    if not isinstance(aliases, list):
        return None
    named = [a for a in aliases if isinstance(a, dict) and isinstance(a.get("alias"), str)]
    chosen = next((a for a in named if a.get("is_primary") is True), named[0] if named else None)
    return chosen["alias"] if chosen else None


def _joined(artists: list[Any]) -> str | None:
    names = [_primary(_obj(a)) for a in artists]
    kept = [n.strip() for n in names if isinstance(n, str) and n.strip()]
    return ", ".join(kept) or None


def _column(values: list[Any]) -> Any:
    """MBIDs: text, missing where null or of another type (an MBID is never required)."""
    return np.array([v if isinstance(v, str) and v.strip() else None for v in values], dtype=object)
