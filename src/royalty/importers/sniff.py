"""Which format a file is in, from its content, with its name as a hint.

:func:`parse_any` recognises a file and parses it. A file that is not a
listening history royalty knows raises :class:`NotHistory`; the caller decides
whether that is an error (a file the user named) or a file to pass over (one of
the many other files in Spotify's zip). A file that *is* recognised but holds
bad rows raises :class:`~royalty.errors.DataFormatError` either way.
"""

from __future__ import annotations

import json
import re
from typing import Any, Final

from royalty.errors import DataFormatError, UsageError
from royalty.importers import FORMATS, lastfm_csv, lastfm_json, listenbrainz, scrobbler_log, spotify
from royalty.importers._common import Options, Parsed, check_text
from royalty.importers._json_values import load_json

ALIASES: Final[dict[str, str]] = {
    "lastfm-to-csv": "lastfm-csv",
    "ghan": "lastfm-csv",
    "lastfm-api": "lastfm-json",
    "spotify": "spotify-account",
    "spotify-extended-history": "spotify-extended",
    "scrobbler.log": "scrobbler-log",
}

_HINTS: Final[tuple[tuple[re.Pattern[str], str], ...]] = (
    (re.compile(r"streaminghistory(_music)?_?\d*\.json$", re.I), "spotify-account"),
    (re.compile(r"(endsong|streaming_history_audio)[^/]*\.json$", re.I), "spotify-extended"),
    (re.compile(r"\.jsonl$", re.I), "listenbrainz"),
    (re.compile(r"scrobbler\.log$", re.I), "scrobbler-log"),
    (re.compile(r"\.csv(\.gz)?$", re.I), "lastfm-csv"),
)


class NotHistory(Exception):
    """The file is not a listening history royalty knows; the message says why."""


def canonical(input_format: str | None) -> str | None:
    """The format name ``input_format`` stands for, or None.

    Raises:
        UsageError: an unknown name.
    """
    if input_format is None:
        return None
    name = ALIASES.get(input_format.strip().lower(), input_format.strip().lower())
    if name not in FORMATS:
        raise UsageError(f"unknown input format {input_format!r}: use one of {', '.join(FORMATS)}")
    return name


def hint(name: str) -> str | None:
    """The format a file's name suggests, if any."""
    return next((fmt for pattern, fmt in _HINTS if pattern.search(name)), None)


def parse_any(
    data: bytes, name: str, options: Options, forced: str | None = None
) -> tuple[str, Parsed]:
    """Recognise and parse one (already gunzipped) file.

    Returns:
        The format name and the parsed plays.

    Raises:
        NotHistory: not a listening history (or not ``forced``'s format).
        DataFormatError: recognised, but the file or a row is bad.
    """
    head = data.lstrip(b"\xef\xbb\xbf \t\r\n")
    if forced == "scrobbler-log" or (forced is None and head.startswith(scrobbler_log.MAGIC)):
        return "scrobbler-log", scrobbler_log.parse(data, name, options)
    if forced == "lastfm-csv" or (forced is None and head[:1] not in (b"{", b"[")):
        if forced is None and not _looks_like_csv(data):
            check_text(data, name)  # binary, not UTF-8 or empty: say so precisely
            raise NotHistory("not a listening history royalty knows")
        return "lastfm-csv", lastfm_csv.parse(data, name, options)
    if forced not in (None, "lastfm-json", "spotify-account", "spotify-extended", "listenbrainz"):
        raise NotHistory(f"not {forced}")
    if _is_jsonl(head) and forced in (None, "listenbrainz"):
        return "listenbrainz", listenbrainz.parse_jsonl(data, name, options)
    doc = load_json(data, name)
    fmt = forced or _classify(doc, name)
    if fmt == "lastfm-json":
        if not lastfm_json.is_pages(doc):
            raise NotHistory("no recenttracks pages")
        return fmt, lastfm_json.from_pages(doc, name, options)
    if fmt == "listenbrainz":
        listens = listenbrainz.listens_of(doc)
        if listens is None:
            raise NotHistory("no ListenBrainz listens")
        return fmt, listenbrainz.from_listens(listens, name, options)
    if not isinstance(doc, list):
        raise NotHistory("expected a JSON array of Spotify plays")
    if fmt == "spotify-account":
        return fmt, spotify.from_account(doc, name, options)
    return "spotify-extended", spotify.from_extended(doc, name, options)


def _looks_like_csv(data: bytes) -> bool:
    return lastfm_csv.header_of(data) is not None or lastfm_csv.looks_like_no_header(data)


def _is_jsonl(head: bytes) -> bool:
    """Whether the text is JSON Lines: a whole object on the first line, more after it."""
    first, _, rest = head.partition(b"\n")
    if not first.strip().startswith(b"{") or not rest.strip():
        return False
    try:
        return listenbrainz.is_listen(json.loads(first))
    except (json.JSONDecodeError, UnicodeDecodeError):
        return False


def _classify(doc: Any, name: str) -> str:
    """The format of a parsed JSON document, or raise :class:`NotHistory`."""
    if lastfm_json.is_pages(doc):
        return "lastfm-json"
    if listenbrainz.listens_of(doc) is not None:
        return "listenbrainz"
    if isinstance(doc, list) and not doc:
        guess = hint(name)
        if guess in ("spotify-account", "spotify-extended", "listenbrainz"):
            return guess
        raise NotHistory("an empty JSON array")
    first = doc[0] if isinstance(doc, list) else None
    if isinstance(first, dict):
        keys = set(first)
        if keys >= spotify.ACCOUNT_KEYS:
            return "spotify-account"
        if keys >= spotify.EXTENDED_KEYS:
            return "spotify-extended"
        if keys >= spotify.PODCAST_KEYS:
            raise NotHistory("Spotify podcast history, not music")
    raise NotHistory("JSON, but not a listening history royalty knows")


def unknown_format(name: str, reason: str, forced: str | None) -> DataFormatError:
    """The error for a file the user named that is not a listening history."""
    if forced:
        return DataFormatError(f"{name}: this is not a {forced} file ({reason})")
    return DataFormatError(
        f"{name}: unknown format ({reason}); if it is a listening history, name its format "
        f"with --input-format ({', '.join(FORMATS)})"
    )
