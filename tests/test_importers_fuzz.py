"""Fuzzing every file format: plays come back, or royalty's own one-line error; nothing else.

Random bytes, and valid files of each format mutated at random (bytes flipped,
cut, repeated, numbers made huge or infinite, quotes, brackets, line ends and
NUL bytes dropped in), are fed to :func:`royalty.importers.read_files`. Any other
exception, a warning (the suite turns warnings into errors), a message of more
than one line, or a frame outside the plays schema fails the test.
"""

from __future__ import annotations

import gzip
import json
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from royalty import schema
from royalty.errors import DataFormatError, RoyaltyError
from royalty.importers import FORMATS, read_files

ACCOUNT = [
    {"endTime": "2020-02-20 11:02", "artistName": "A", "trackName": "T", "msPlayed": 177864},
    {"endTime": "2020-02-20 11:06", "artistName": "Björk", "trackName": "Jóga", "msPlayed": 5},
]
EXTENDED = [
    {"ts": "2024-08-02T12:00:30Z", "ms_played": 197124, "platform": "android",
     "master_metadata_track_name": "Everytime We Touch",
     "master_metadata_album_artist_name": "Cascada",
     "master_metadata_album_album_name": "Everytime We Touch", "skipped": False},
    {"ts": "2024-08-02T12:05:30Z", "ms_played": 60000, "master_metadata_track_name": None,
     "master_metadata_album_artist_name": None, "master_metadata_album_album_name": None,
     "episode_name": "Episode"},
]  # fmt: skip
TRACK = {"artist": {"#text": "Kiss", "mbid": ""}, "name": "Strutter", "mbid": "",
         "album": {"#text": "Kiss"}, "date": {"uts": "1700000000", "#text": "x"}}  # fmt: skip
NOW = {"artist": {"#text": "Kiss"}, "name": "Deuce", "@attr": {"nowplaying": "true"}}
LISTEN = {"listened_at": 1700000300, "track_metadata": {"artist_name": "Kiss",
          "track_name": "Deuce", "release_name": "Kiss",
          "additional_info": {"duration_ms": 187000, "recording_mbid": "None"},
          "mbid_mapping": None}}  # fmt: skip

# (file name, content): one or more valid files of every format royalty reads.
SEEDS: list[tuple[str, bytes]] = [
    ("scrobbles.csv", b"Biome,Kora,Let Me,20 Nov 2020 09:35\nA,B,C,\nD,E,F,21 Nov 2020 09:35\n"),
    (
        "ghan.csv",
        b"uts,utc_time,artist,artist_mbid,album,album_mbid,track,track_mbid\n"
        b'"1700000000","14 Nov 2023, 22:13","The Cure","","Faith","","Primary",""\n'
        b'"1700000300","14 Nov 2023, 22:18","Go-Go\'s","","","","This Town, Again",""\n',
    ),
    ("librefm.csv", b"# Libre.fm\n#\nuserid,Artist,Track,Album,Time\n7,A,T,Al,1700000000\n"),
    ("utc.csv", b'utc_time,artist,album,track\n"24 Jan 2023, 09:42",A,Al,T\n'),
    ("page.json", json.dumps({"recenttracks": {"track": [NOW, TRACK]}}).encode()),
    ("ghan.json", json.dumps([{"track": [TRACK], "@attr": {"page": "1"}}]).encode()),
    ("StreamingHistory_music_0.json", json.dumps(ACCOUNT).encode()),
    ("endsong_0.json", json.dumps(EXTENDED).encode()),
    ("11.jsonl", (json.dumps(LISTEN) + "\n" + json.dumps(LISTEN) + "\n").encode()),
    ("listens.json", json.dumps({"payload": {"listens": [LISTEN]}}).encode()),
    (
        "maloja_export_2023_11_14_22_30_00.json",
        json.dumps(
            {
                "maloja": {"export_time": 1700001000},
                "scrobbles": [
                    {
                        "time": 1700000000,
                        "track": {
                            "artists": ["A", "B"],
                            "title": "T",
                            "length": 300,
                            "album": {"albumtitle": "Al", "artists": ["A"]},
                        },
                        "duration": 200,
                    },
                    {
                        "time": 1700000300,
                        "track": {"artists": ["C"], "title": "U", "album": None},
                        "duration": None,
                    },
                ],
            },
            indent=3,
        ).encode(),
    ),
    (
        "koito_export.json",
        json.dumps(
            {
                "version": "1",
                "exported_at": "2024-01-01T00:00:00Z",
                "user": "k",
                "listens": [
                    {
                        "listened_at": "2023-11-14T22:13:20Z",
                        "client": "c",
                        "track": {
                            "mbid": None,
                            "duration": 354,
                            "aliases": [{"alias": "T", "source": "Canonical", "is_primary": True}],
                        },
                        "album": {"mbid": None, "aliases": []},
                        "artists": [
                            {
                                "mbid": None,
                                "is_primary": True,
                                "aliases": [
                                    {"alias": "A", "source": "Canonical", "is_primary": True}
                                ],
                            }
                        ],
                    }
                ],
            },
            indent=2,
        ).encode(),
    ),
    (
        "spins.json",
        json.dumps(
            {
                "items": [
                    {
                        "id": 1,
                        "start": "2023-11-14T23:13:20+0100",
                        "duration": 435,
                        "artist": "Kraftwerk",
                        "song": "Computer Love",
                        "release": "CW",
                    },
                    {
                        "id": 2,
                        "start": "2023-11-14T23:20:20+0100",
                        "duration": None,
                        "artist": None,
                        "song": "Station ID",
                        "release": None,
                    },
                ],
                "_meta": {},
            }
        ).encode(),
    ),
    (
        "pano.csv",
        b"timeHuman,timeMs,artist,track,album,albumArtist,durationMs,mediaPlayerPackage,"
        b"mediaPlayerName,mediaPlayerVersion,event\n"
        b"x,1700000000000,Kiss,Strutter,Kiss,,null,,,,scrobble\n"
        b'x,1700000060000,Kiss,"Deuce, live",,,187000,a.b,App,1,love\n',
    ),
    (
        "pano.jsonl",
        b'{"timeHuman": "x", "timeMs": 1700000000000, "artist": "Kiss", "track": "Strutter",'
        b' "album": null, "albumArtist": null, "durationMs": 187000, "event": "scrobble"}\n'
        b'{"timeHuman": "x", "timeMs": 1700000060000, "artist": "Kiss", "track": "Deuce",'
        b' "album": "Kiss", "albumArtist": null, "durationMs": null, "event": "scrobble"}\n',
    ),
    (
        ".scrobbler.log",
        b"#AUDIOSCROBBLER/1.1\n#TZ/UTC\n#CLIENT/Rockbox\n"
        b"Portishead\tDummy\tRoads\t9\t305\tL\t1700000000\t\n"
        b"<Untagged>\t\tfile.mp3\t\t200\tS\t1700000400\t\n",
    ),
]
NAMES = [name for name, _ in SEEDS] + ["x.dat", "notes.txt", "user.json", "feedback.jsonl"]
# Pieces that have broken readers before: numbers out of range, quotes, brackets,
# line ends, NUL, comment marks, non-UTF-8 and multi-byte text.
PIECES = [b"1e400", b"Infinity", b"-Infinity", b"NaN", b'"inf"', b"9" * 30, b"1e30",
          b"999999999999", b"-1", b"0000-01-01 00:00", b'"', b",", b"\t", b"\n", b"\r",
          b"\r\n", b"\0", b"{", b"}", b"[", b"]", b"#", b"+ACM-", b"\xff", b"\xc3",
          b"\xef\xbb\xbf", "é𝄞".encode(), b"null", b"true", b'""', b"[" * 2000,
          b"x" * 140_000, b"<Untagged>", b"#TZ/UNKNOWN\n"]  # fmt: skip


def mutate(data: bytes, steps: list[tuple[int, int, int, int]]) -> bytes:
    """Apply each (kind, position, length, piece) step to ``data``."""
    for kind, pos, length, piece in steps:
        at = pos % (len(data) + 1)
        end = min(len(data), at + length)
        if kind == 0:  # flip one byte
            if at < len(data):
                data = data[:at] + bytes([data[at] ^ (1 + piece % 255)]) + data[at + 1 :]
        elif kind == 1:  # cut a stretch
            data = data[:at] + data[end:]
        elif kind == 2:  # repeat a stretch
            data = data[:end] + data[at:end] + data[end:]
        elif kind == 3:  # truncate
            data = data[:at]
        elif kind == 4:  # insert a piece
            data = data[:at] + PIECES[piece % len(PIECES)] + data[at:]
        else:  # replace a stretch with a piece
            data = data[:at] + PIECES[piece % len(PIECES)] + data[end:]
    return data


def check(path: Path, **options: Any) -> None:
    """Plays in the schema, or royalty's own one-line error naming the file."""
    error: RoyaltyError | None = None
    try:
        result = read_files(path, **options)
    except RoyaltyError as exc:
        error = exc
    if error is not None:
        message = str(error)
        assert "\n" not in message, message
        if isinstance(error, DataFormatError):
            assert message.startswith(str(path)), message
        return
    schema.validate(result.plays)
    assert len(result.plays) <= sum(f.rows for f in result.files)


STEP = st.tuples(
    st.integers(0, 5), st.integers(0, 10_000), st.integers(0, 40), st.integers(0, 10_000)
)
OPTIONS = st.fixed_dictionaries(
    {},
    optional={
        "skip_bad_rows": st.booleans(),
        "input_format": st.sampled_from(FORMATS),
        "tz": st.just("Europe/Berlin"),
    },
)
FUZZ = settings(
    max_examples=400,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@FUZZ
@given(
    seed=st.sampled_from(SEEDS),
    steps=st.lists(STEP, min_size=1, max_size=6),
    name=st.none() | st.sampled_from(NAMES),
    gzipped=st.booleans(),
    options=OPTIONS,
)
def test_mutated_files_give_plays_or_one_line_errors(
    tmp_path: Path,
    seed: tuple[str, bytes],
    steps: list[tuple[int, int, int, int]],
    name: str | None,
    gzipped: bool,
    options: dict[str, Any],
) -> None:
    data = mutate(seed[1], steps)
    path = tmp_path / (name or seed[0])
    path.write_bytes(gzip.compress(data) if gzipped else data)
    check(path, **options)


@FUZZ
@given(data=st.binary(max_size=3000), name=st.sampled_from(NAMES), options=OPTIONS)
def test_random_bytes_give_plays_or_one_line_errors(
    tmp_path: Path, data: bytes, name: str, options: dict[str, Any]
) -> None:
    path = tmp_path / name
    path.write_bytes(data)
    check(path, **options)


JSON_VALUES = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats()
    | st.text(max_size=12)
    | st.sampled_from(["", " ", "None", "1700000000", "1e400", "inf", "2024-08-02T12:00:30Z"]),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner),
    max_leaves=8,
)
# JSON documents of every JSON format, as Python values to change in place.
JSON_SEEDS: list[tuple[str, Any]] = [
    (name, json.loads(data)) for name, data in SEEDS if name.endswith((".json", ".jsonl"))
    and not name.endswith(".jsonl")
] + [("11.jsonl", [LISTEN, LISTEN]), ("pano.jsonl", [json.loads(line) for line in
     dict(SEEDS)["pano.jsonl"].splitlines()])]  # fmt: skip


def replace(doc: Any, path: list[int], value: Any) -> Any:
    """``doc`` with the value at the place chosen by ``path`` (indices into keys) replaced."""
    if not path or not isinstance(doc, (dict, list)) or not doc:
        return value
    if isinstance(doc, dict):
        key = list(doc)[path[0] % len(doc)]
        return {**doc, key: replace(doc[key], path[1:], value)}
    at = path[0] % len(doc)
    return [*doc[:at], replace(doc[at], path[1:], value), *doc[at + 1 :]]


@FUZZ
@given(
    seed=st.sampled_from(JSON_SEEDS),
    changes=st.lists(
        st.tuples(st.lists(st.integers(0, 30), max_size=5), JSON_VALUES), min_size=1, max_size=4
    ),
    options=OPTIONS,
)
def test_json_fields_of_any_type_give_plays_or_one_line_errors(
    tmp_path: Path,
    seed: tuple[str, Any],
    changes: list[tuple[list[int], Any]],
    options: dict[str, Any],
) -> None:
    name, doc = seed
    for path, value in changes:
        doc = replace(doc, path, value)
    if name.endswith(".jsonl") and isinstance(doc, list):
        text = "".join(json.dumps(record) + "\n" for record in doc)
    else:
        text = json.dumps(doc)
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    check(path, **options)


def test_every_seed_is_read_as_its_format(tmp_path: Path) -> None:
    """The fuzzing starts from valid files: each one reads, with plays."""
    for name, data in SEEDS:
        path = tmp_path / name
        path.write_bytes(data)
        result = read_files(path)
        assert len(result.plays) >= 1, name
        schema.validate(result.plays)
