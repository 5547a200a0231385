"""Fuzz: random damage to a valid zip of valid exports gives plays or royalty's own error.

The parsers' own fuzz tests damage the files' contents; this one damages the
zip around them (headers, sizes, names, methods, the compressed data), which
is where ``zipfile``, ``zlib``, ``bz2`` and ``lzma`` raise errors of their own.
The first four bytes (``PK\x03\x04``) are left alone: without them the file
is no zip but an unknown file given directly, which the parsers' fuzz covers.
"""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

import pytest

from royalty.errors import RoyaltyError
from royalty.importers import read_files

CSV = "Biome,Kora,Let Me,20 Nov 2020 09:35\nSJD,Dandelion,I Love You,20 Nov 2020 09:40\n" * 3
SPOTIFY = [{"ts": "2023-05-01T10:03:20Z", "ms_played": 200000,
            "master_metadata_album_artist_name": "Mitski",
            "master_metadata_track_name": "Nobody"}] * 3  # fmt: skip
LOG = (
    "#AUDIOSCROBBLER/1.1\n#TZ/UTC\n#CLIENT/Rockbox sansae200 $Revision$\n"
    "Portishead\tDummy\tRoads\t9\t305\tL\t1700000000\t\n"
)


def valid_zip() -> bytes:
    inner = io.BytesIO()
    with zipfile.ZipFile(inner, "w", zipfile.ZIP_STORED) as zf:
        zf.writestr("old.csv", CSV)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as zf:
        zf.writestr("scrobbles.csv", CSV, zipfile.ZIP_DEFLATED)
        zf.writestr("Spotify/endsong_0.json", json.dumps(SPOTIFY), zipfile.ZIP_BZIP2)
        zf.writestr(".scrobbler.log", LOG, zipfile.ZIP_LZMA)
        zf.writestr("backup.zip", inner.getvalue(), zipfile.ZIP_STORED)
    return buffer.getvalue()


VALID = valid_zip()


def test_the_undamaged_zip_is_read(tmp_path: Path) -> None:
    path = tmp_path / "export.zip"
    path.write_bytes(VALID)
    result = read_files(path)
    assert len(result.plays) == 6 + 3 + 1  # backup.zip/old.csv repeats scrobbles.csv: once
    assert result.overlapping == 6
    assert len(result.files) == 4


def test_damaged_zips_give_plays_or_royaltys_own_error(tmp_path: Path) -> None:
    from hypothesis import HealthCheck, given, settings
    from hypothesis import strategies as st

    edit = st.tuples(
        st.sampled_from(["flip", "set", "cut", "insert", "delete"]),
        st.integers(4, len(VALID) - 1),
        st.integers(0, 255),
    )

    @settings(max_examples=300, deadline=None, database=None,
              suppress_health_check=[HealthCheck.function_scoped_fixture])  # fmt: skip
    @given(st.lists(edit, min_size=1, max_size=6))
    def check(edits: list[tuple[str, int, int]]) -> None:
        data = bytearray(VALID)
        for kind, at, value in edits:
            if len(data) <= 4:  # cut to the magic bytes: only growing is left
                data.append(value)
                continue
            at = 4 + at % (len(data) - 4)  # the outer zip stays a zip (see above)
            if kind == "flip":
                data[at] ^= 1 << (value % 8)
            elif kind == "set":
                data[at] = value
            elif kind == "cut":
                del data[at:]
            elif kind == "insert":
                data[at:at] = bytes([value]) * (value % 7 + 1)
            else:
                del data[at : at + value % 9 + 1]
        path = tmp_path / "export.zip"
        path.write_bytes(bytes(data))
        try:
            result = read_files(path)
        except RoyaltyError as exc:
            message = str(exc)
            assert "\n" not in message
            assert message.startswith(str(path)), message  # it names the zip, or its member
            return
        assert len(result.plays) <= 16

    check()


@pytest.mark.parametrize("cut", [4, 30, 100, len(VALID) // 2, len(VALID) - 10])
def test_a_zip_cut_short_names_itself(tmp_path: Path, cut: int) -> None:
    path = tmp_path / "export.zip"
    path.write_bytes(VALID[:cut])
    with pytest.raises(RoyaltyError, match=f"^{path}"):
        read_files(path)
