"""Saved Last.fm API responses: pages of ``user.getRecentTracks``.

A file holds one page ``{"recenttracks": {"track": [...]}}``, or an array of
such pages (as backup tools save them), or an array of bare pages
``{"track": [...], "@attr": {...}}`` without the ``recenttracks`` wrapper (the
JSON export of lastfm.ghan.nl). Each track has ``date.uts`` (unix
seconds, the start of the play), ``artist['#text']`` (or ``artist.name`` in
the ``extended=1`` shape), ``name``, ``album['#text']`` and ``mbid`` fields. The
track Last.fm is playing right now carries ``@attr.nowplaying`` and no date: it
is skipped as a now-playing row.

Plays read here get the source ``lastfm-api``: they are the very rows the API
importer fetches, so the store's multiset merge, not cross-source matching,
reconciles the two.
"""

from __future__ import annotations

from typing import Any, Final

import numpy as np

from royalty.importers._common import (
    NO_ARTIST,
    NO_TRACK,
    NOW_PLAYING,
    Options,
    Parsed,
    Rows,
    fail,
)
from royalty.importers._json_values import integers, texts

SOURCE: Final = "lastfm-api"


def is_pages(doc: Any) -> bool:
    """Whether a parsed JSON document is one or more ``recenttracks`` pages, wrapped or bare."""
    first = doc[0] if isinstance(doc, list) and doc else doc
    return _page(first) is not None


def _page(value: Any) -> dict[str, Any] | None:
    """The ``{"track": ..., "@attr": ...}`` part of a page, wrapped in ``recenttracks`` or not."""
    if not isinstance(value, dict):
        return None
    recent = value.get("recenttracks")
    if isinstance(recent, dict):
        return recent
    if "track" in value and isinstance(value.get("@attr"), dict):
        return value
    return None


def tracks_of(doc: Any, name: str) -> list[Any]:
    """All track objects of all pages, in file order."""
    pages = doc if isinstance(doc, list) else [doc]
    out: list[Any] = []
    for number, page in enumerate(pages, start=1):
        recent = _page(page)
        tracks = recent.get("track") if recent is not None else None
        if isinstance(tracks, dict):  # Last.fm sends a lone track as an object
            tracks = [tracks]
        if not isinstance(tracks, list):
            raise fail(name, f"page {number}", "no recenttracks.track list")
        out.extend(tracks)
    return out


def _text(value: Any) -> Any:
    """The text of a ``{"#text": ...}`` / ``{"name": ...}`` object, or the value itself."""
    if isinstance(value, dict):
        return value.get("#text", value.get("name"))
    return value


def _mbid(value: Any) -> Any:
    return value.get("mbid") if isinstance(value, dict) else None


def from_pages(doc: Any, name: str, options: Options) -> Parsed:
    """Plays from saved ``user.getRecentTracks`` pages (already parsed JSON).

    Example:
        >>> from royalty.importers._common import Options
        >>> page = {"recenttracks": {"track": [{"artist": {"#text": "A"}, "name": "T",
        ...     "album": {"#text": ""}, "date": {"uts": "1700000000"}}]}}
        >>> len(from_pages(page, "p.json", Options()).plays)
        1
    """
    tracks = tracks_of(doc, name)
    rows = Rows(name, len(tracks), lambda i: f"record {i + 1}", options)
    rows.bad([not isinstance(t, dict) for t in tracks], "expected a JSON object")
    objs = [t if isinstance(t, dict) else {} for t in tracks]
    dates = [t.get("date") for t in objs]
    uts_raw = [d.get("uts") if isinstance(d, dict) else None for d in dates]
    rows.skip([u is None or u == "" for u in uts_raw], NOW_PLAYING)
    rows.bad(["artist" not in t for t in objs], "no 'artist' field")
    rows.bad(["name" not in t for t in objs], "no 'name' field")
    artist = texts([_text(t.get("artist")) for t in objs], rows, "artist")
    rows.skip([a is None for a in artist], NO_ARTIST)
    track = texts([t.get("name") for t in objs], rows, "name")
    rows.skip([x is None for x in track], NO_TRACK)
    seconds = integers(uts_raw, rows, "date.uts")
    ms = rows.times_ms(seconds, "date.uts")

    def text_col(values: list[Any], label: str) -> Any:
        return np.array(texts(values, rows, label), dtype=object)

    columns: dict[str, Any] = {
        "played_at": ms,
        "artist": np.array(artist, dtype=object),
        "track": np.array(track, dtype=object),
        "album": text_col([_text(t.get("album")) for t in objs], "album"),
        "artist_mbid": text_col([_mbid(t.get("artist")) for t in objs], "artist.mbid"),
        "album_mbid": text_col([_mbid(t.get("album")) for t in objs], "album.mbid"),
        "track_mbid": text_col([t.get("mbid") for t in objs], "mbid"),
    }
    return rows.finish(columns, SOURCE)
