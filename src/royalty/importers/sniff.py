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
from royalty.importers import (
    FORMATS,
    koito,
    lastfm_csv,
    lastfm_json,
    listenbrainz,
    maloja,
    pano,
    scrobbler_log,
    spinitron,
    spotify,
)
from royalty.importers._common import Options, Parsed, check_text, is_blank, unix_newlines
from royalty.importers._json_values import load_json

ALIASES: Final[dict[str, str]] = {
    "lastfm-to-csv": "lastfm-csv",
    "ghan": "lastfm-csv",
    "lastfm-api": "lastfm-json",
    "spotify": "spotify-account",
    "spotify-extended-history": "spotify-extended",
    "scrobbler.log": "scrobbler-log",
    "librefm": "lastfm-csv",
    "libre.fm": "lastfm-csv",
    "panoscrobbler": "pano-scrobbler",
    "pano": "pano-scrobbler",
}

_HINTS: Final[tuple[tuple[re.Pattern[str], str], ...]] = (
    (re.compile(r"streaminghistory(_music)?_?\d*\.json$", re.I), "spotify-account"),
    (re.compile(r"(endsong|streaming_history_audio)[^/]*\.json$", re.I), "spotify-extended"),
    (re.compile(r"\.jsonl$", re.I), "listenbrainz"),
    (re.compile(r"scrobbler\.log$", re.I), "scrobbler-log"),
    (re.compile(r"maloja_export[^/]*\.json$", re.I), "maloja"),
    (re.compile(r"\.csv(\.gz)?$", re.I), "lastfm-csv"),
)


class NotHistory(Exception):
    """The file is not a listening history royalty knows; the message says why.

    Args:
        reason: why, in a few words.
        error: the precise error to give when the user named this file
            directly (a binary file: which line holds a NUL byte), if any.
    """

    def __init__(self, reason: str, error: DataFormatError | None = None) -> None:
        super().__init__(reason)
        self.error = error


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

    A file is recognised from its content; its name only decides what an empty
    JSON array is, and that damaged JSON is a history. Once recognised, any
    problem is an error; a file that is not recognised (binary, empty, JSON of
    another kind, JSON Lines whose records are not listens) raises
    :class:`NotHistory`, so a folder can pass it over.

    Returns:
        The format name and the parsed plays.

    Raises:
        NotHistory: not a listening history (or not ``forced``'s format).
        DataFormatError: recognised, but the file or a row is bad.
    """
    data = unix_newlines(data)
    head = data[:_PEEK].lstrip(b"\xef\xbb\xbf \t\r\n")
    if forced == "scrobbler-log" or (forced is None and head.startswith(scrobbler_log.MAGIC)):
        return "scrobbler-log", scrobbler_log.parse(data, name, options)
    if forced == "pano-scrobbler" or (forced is None and pano.is_csv(head)):
        if pano.is_csv(head):
            return "pano-scrobbler", pano.parse_csv(data, name, options)
        if not head.startswith(b"{"):
            raise NotHistory("neither its CSV header nor JSON Lines")
        return "pano-scrobbler", pano.parse_jsonl(data, name, options)
    if forced == "lastfm-csv" or (forced is None and head[:1] not in (b"{", b"[")):
        if forced is None and not _looks_like_csv(data):
            _check_text(data, name)
            raise NotHistory("not a listening history royalty knows")
        return "lastfm-csv", lastfm_csv.parse(data, name, options)
    if forced not in (None, *_JSON_FORMATS):
        raise NotHistory(f"not {forced}")
    if forced in (None, "listenbrainz") and head.startswith(b"{"):
        lines = _json_lines(head)
        if lines is not None:
            if not forced and any(map(pano.is_record, lines)):
                return "pano-scrobbler", pano.parse_jsonl(data, name, options)
            if forced or any(map(listenbrainz.is_listen, lines)):
                return "listenbrainz", listenbrainz.parse_jsonl(data, name, options)
            raise NotHistory("JSON Lines, but its records are not ListenBrainz listens")
    try:
        doc = load_json(data, name)
    except DataFormatError as exc:
        if forced or hint(name) not in (None, "lastfm-csv") or _HISTORY_KEYS.search(head):
            raise  # a history, by its name or its content, that is damaged
        raise NotHistory("damaged or not JSON", error=exc) from None
    fmt = forced or _classify(doc, name)
    if fmt == "pano-scrobbler":  # JSON Lines of one line
        return fmt, pano.parse_jsonl(data, name, options)
    if fmt == "lastfm-json":
        if not lastfm_json.is_pages(doc):
            raise NotHistory("no recenttracks pages")
        return fmt, lastfm_json.from_pages(doc, name, options)
    if fmt == "spinitron":
        spins = spinitron.spins_of(doc)
        if spins is None:
            raise NotHistory("no Spinitron spins")
        return fmt, spinitron.from_spins(spins, name, options)
    if fmt == "koito":
        if not koito.is_export(doc):
            raise NotHistory("no Koito listens")
        return fmt, koito.from_export(doc, name, options)
    if fmt == "maloja":
        if not maloja.is_export(doc):
            raise NotHistory("no Maloja scrobbles")
        return fmt, maloja.from_export(doc, name, options)
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


_JSON_FORMATS: Final = (
    "lastfm-json",
    "spotify-account",
    "spotify-extended",
    "listenbrainz",
    "maloja",
    "koito",
    "spinitron",
)
_PEEK: Final = 1 << 20
"""How much of a file recognising it looks at."""
_HISTORY_KEYS: Final = re.compile(
    rb'"(msPlayed|ms_played|endTime|master_metadata_track_name|listened_at|recenttracks'
    rb'|maloja|exported_at|timeMs)"'
)
"""Keys that mark damaged JSON as a listening history, which is then an error."""


def _check_text(data: bytes, name: str) -> None:
    """Raise :class:`NotHistory` for a file that is empty, binary or not UTF-8."""
    try:
        check_text(data, name)
    except DataFormatError as exc:
        reason = "an empty file" if is_blank(data) else "not a text file"
        raise NotHistory(reason, error=exc) from None


def _looks_like_csv(data: bytes) -> bool:
    begin, _ = lastfm_csv.start_of(data[:_PEEK])
    return lastfm_csv.header_of(data, begin) is not None or lastfm_csv.looks_like_no_header(
        data, begin
    )


def _json_lines(head: bytes) -> list[Any] | None:
    """The records of JSON Lines text, or None if ``head`` is not JSON Lines.

    Looks at up to 100 lines, so a damaged first line does not hide the rest.
    It is JSON Lines when at least two lines, or the first line and more text
    after it, are whole JSON objects.
    """
    records: list[Any] = []
    lines = head.split(b"\n", 101)[:100]
    for line in lines:
        if not line.strip():
            continue
        try:
            value = json.loads(line)
        except (ValueError, RecursionError):  # UnicodeDecodeError is a ValueError
            continue
        if isinstance(value, dict):
            records.append(value)
    more = len([ln for ln in lines if ln.strip()]) > 1
    return records if records and more else None


def _classify(doc: Any, name: str) -> str:
    """The format of a parsed JSON document, or raise :class:`NotHistory`."""
    if lastfm_json.is_pages(doc):
        return "lastfm-json"
    if pano.is_record(doc):
        return "pano-scrobbler"
    if koito.is_export(doc):  # before ListenBrainz: both have a "listens" list
        return "koito"
    if listenbrainz.listens_of(doc) is not None:
        return "listenbrainz"
    if maloja.is_export(doc):
        return "maloja"
    if spinitron.spins_of(doc) is not None:
        return "spinitron"
    if isinstance(doc, list) and not doc:
        guess = hint(name)
        if guess in ("spotify-account", "spotify-extended", "listenbrainz"):
            return guess
        raise NotHistory("an empty JSON array")
    if isinstance(doc, list):
        kind = spotify.kind_of(doc)
        if kind == "podcast":
            raise NotHistory("Spotify podcast history, not music")
        if kind is not None:
            return kind
    raise NotHistory("JSON, but not a listening history royalty knows")


def unknown_format(name: str, why: str | NotHistory, forced: str | None) -> DataFormatError:
    """The error for a file the user named that is not a listening history.

    A :class:`NotHistory` that carries a precise error (which line of a binary
    file holds a NUL byte) gives that error.
    """
    if isinstance(why, NotHistory) and why.error is not None and not forced:
        return why.error
    if forced:
        return DataFormatError(f"{name}: this is not a {forced} file ({why})")
    return DataFormatError(
        f"{name}: unknown format ({why}); if it is a listening history, name its format "
        f"with --input-format ({', '.join(FORMATS)})"
    )
