"""Spotify's two history exports.

* **Account data** (``StreamingHistory*.json``, ``StreamingHistory_music_*.json``):
  an array of ``{endTime, artistName, trackName, msPlayed}``; ``endTime`` is
  the end of the play, UTC, to the minute (``2020-02-20 11:02``).
* **Extended streaming history** (``endsong_*.json``,
  ``Streaming_History_Audio_*.json``): an array of objects with ``ts`` (the
  end of the play, UTC), ``ms_played``, ``master_metadata_track_name``,
  ``master_metadata_album_artist_name``, ``master_metadata_album_album_name``
  and about twenty other keys. A null artist means a podcast, an audiobook or
  a play whose metadata Spotify lost: not music, skipped as "no artist".

Both store the start of the play: ``end - ms_played``. Plays under 30 s are
kept; pricing decides whether they count.
"""

from __future__ import annotations

import itertools
from collections import Counter
from typing import Any, Final

import numpy as np

from royalty.importers._common import (
    NO_ARTIST,
    NO_TRACK,
    Options,
    Parsed,
)
from royalty.importers._json_values import get, integers, iso_times, record_rows, texts

ACCOUNT: Final = "spotify-account"
EXTENDED: Final = "spotify-extended"
# Keys that tell the layouts apart; none of them alone, since a record may lack any one.
_EXTENDED_MARKS: Final = frozenset(
    {"ms_played", "master_metadata_track_name", "master_metadata_album_artist_name",
     "spotify_track_uri", "spotify_episode_uri"}
)  # fmt: skip
_ACCOUNT_MARKS: Final = frozenset({"artistName", "trackName"})
_PODCAST_MARKS: Final = frozenset({"podcastName", "episodeName"})


def kind_of(records: list[Any]) -> str | None:
    """Which Spotify history a JSON array holds, by the keys of its first records.

    Returns:
        ``"spotify-account"``, ``"spotify-extended"``, ``"podcast"`` (account
        data's podcast file) or None when the records are not Spotify's.

    Example:
        >>> kind_of([{"endTime": "2020-02-20 11:02", "artistName": "A", "trackName": "T"}])
        'spotify-account'
    """
    votes: Counter[str] = Counter()
    for record in itertools.islice(records, 200):
        if not isinstance(record, dict):
            continue
        if "ts" in record and not _EXTENDED_MARKS.isdisjoint(record):
            votes[EXTENDED] += 1
        elif "endTime" in record and not _ACCOUNT_MARKS.isdisjoint(record):
            votes[ACCOUNT] += 1
        elif "endTime" in record and not _PODCAST_MARKS.isdisjoint(record):
            votes["podcast"] += 1
    return votes.most_common(1)[0][0] if votes else None


def from_account(records: Any, name: str, options: Options) -> Parsed:
    """Plays from Spotify account data (``StreamingHistory*.json``), already parsed.

    Example:
        >>> from royalty.importers._common import Options
        >>> rec = {"endTime": "2020-02-20 11:02", "artistName": "A", "trackName": "T",
        ...        "msPlayed": 60000}
        >>> str(from_account([rec], "x.json", Options()).plays["played_at"][0])
        '2020-02-20 11:01:00+00:00'
    """
    return _convert(
        records, name, options, source=ACCOUNT,
        keys=("endTime", "msPlayed", "artistName", "trackName", None),
    )  # fmt: skip


def from_extended(records: Any, name: str, options: Options) -> Parsed:
    """Plays from Spotify's extended streaming history, already parsed.

    Example:
        >>> from royalty.importers._common import Options
        >>> rec = {"ts": "2024-08-02T12:00:30Z", "ms_played": 30000,
        ...        "master_metadata_album_artist_name": "Cascada",
        ...        "master_metadata_track_name": "Everytime We Touch",
        ...        "master_metadata_album_album_name": None}
        >>> str(from_extended([rec], "x.json", Options()).plays["played_at"][0])
        '2024-08-02 12:00:00+00:00'
    """
    return _convert(
        records,
        name,
        options,
        source=EXTENDED,
        keys=(
            "ts",
            "ms_played",
            "master_metadata_album_artist_name",
            "master_metadata_track_name",
            "master_metadata_album_album_name",
        ),
    )


def _convert(
    records: Any,
    name: str,
    options: Options,
    *,
    source: str,
    keys: tuple[str, str, str, str, str | None],
) -> Parsed:
    end_key, ms_key, artist_key, track_key, album_key = keys
    records, rows = record_rows(records, name, options, "Spotify plays")
    ends_raw = get(records, rows, end_key)
    played_raw = get(records, rows, ms_key)
    artist_raw = get(records, rows, artist_key)
    track_raw = get(records, rows, track_key, required=album_key is None)
    artist = texts(artist_raw, rows, artist_key)
    rows.skip([a is None for a in artist], NO_ARTIST)
    track = texts(track_raw, rows, track_key)
    rows.skip([t is None for t in track], NO_TRACK)
    played = integers(played_raw, rows, ms_key)
    rows.bad(np.isnan(played), f"no {ms_key!r} value")
    rows.check_durations(played)
    end_ms, known = iso_times(ends_raw, rows, end_key)
    rows.bad(~known, f"no {end_key!r} value")
    start_ms = end_ms - np.nan_to_num(played).astype(np.int64)
    rows.check_times(start_ms, rows.keep.copy())
    columns: dict[str, Any] = {
        "played_at": start_ms,
        "artist": np.array(artist, dtype=object),
        "track": np.array(track, dtype=object),
        "duration_ms": np.nan_to_num(played).astype(np.int64),
    }
    if album_key is not None:
        album_raw = get(records, rows, album_key, required=False)
        columns["album"] = np.array(texts(album_raw, rows, album_key), dtype=object)
    return rows.finish(columns, source)
