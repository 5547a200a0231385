"""Folders and zips as they come: hidden files, damaged or hostile zips, size and depth limits."""

from __future__ import annotations

import gzip
import io
import struct
import zipfile
from pathlib import Path

import pytest

from cli_run import run
from royalty import store
from royalty.errors import DataFormatError
from royalty.importers import read_files
from royalty.importers._containers import MAX_ZIP_DEPTH

CSV = "Biome,Kora,Let Me,20 Nov 2020 09:35\nSJD,Dandelion,I Love You,20 Nov 2020 09:40\n"
LOG = (
    "#AUDIOSCROBBLER/1.1\n#TZ/UTC\n#CLIENT/Rockbox sansae200 $Revision$\n"
    "Portishead\tDummy\tRoads\t9\t305\tL\t1700000000\t\n"
)


def zip_bytes(members: dict[str, bytes | str], method: int = zipfile.ZIP_DEFLATED) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", method) as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return buffer.getvalue()


def patch_headers(data: bytes, offset_local: int, offset_central: int, value: int) -> bytes:
    """Set a 2-byte field of the (only) member's local and central headers."""
    out = bytearray(data)
    for magic, offset in ((b"PK\x03\x04", offset_local), (b"PK\x01\x02", offset_central)):
        at = out.index(magic) + offset
        out[at : at + 2] = struct.pack("<H", value)
    return bytes(out)


# --- hidden files and folders -------------------------------------------------------------


def test_a_players_scrobbler_log_is_read_but_hidden_folders_are_not(tmp_path: Path) -> None:
    player = tmp_path / "SANSA"
    (player / ".rockbox").mkdir(parents=True)
    (player / ".scrobbler.log").write_text(LOG)
    (player / ".rockbox" / "scrobbles.csv").write_text(CSV)  # inside a hidden folder: left out
    (player / "__MACOSX").mkdir()
    (player / "__MACOSX" / "scrobbles.csv").write_text(CSV)
    (player / "._scrobbles.csv").write_text(CSV)  # an AppleDouble resource fork
    (player / ".DS_Store").write_bytes(b"\0\0\0\1Bud1")
    result = read_files(player)
    assert [f.name for f in result.files] == [str(player / ".scrobbler.log")]
    assert result.plays["track"].tolist() == ["Roads"]


def test_a_scrobbler_log_in_a_zip_is_read_and_git_folders_are_not(tmp_path: Path) -> None:
    path = tmp_path / "player.zip"
    path.write_bytes(
        zip_bytes(
            {
                ".scrobbler.log": LOG,
                ".git/scrobbles.csv": CSV,
                "a/.git/x.csv": CSV,
                "__MACOSX/._.scrobbler.log": "junk",
                "a/._x.csv": CSV,
            }
        )
    )
    result = read_files(path)
    assert [f.name for f in result.files] == [f"{path}/.scrobbler.log"]
    assert len(result.plays) == 1


# --- damaged and hostile zips --------------------------------------------------------------


def read_zip(tmp_path: Path, data: bytes, **options: int) -> str:
    path = tmp_path / "export.zip"
    path.write_bytes(data)
    with pytest.raises(DataFormatError) as caught:
        read_files(path, **options)  # type: ignore[arg-type]
    message = str(caught.value)
    assert "\n" not in message
    return message


def test_an_encrypted_member_is_named(tmp_path: Path) -> None:
    data = patch_headers(zip_bytes({"scrobbles.csv": CSV}), 6, 8, 0x1)  # flag bit 0: encrypted
    message = read_zip(tmp_path, data)
    assert message.startswith(f"{tmp_path / 'export.zip'}/scrobbles.csv: ")
    assert "encrypted" in message


@pytest.mark.parametrize(
    ("method", "name"), [(9, "Deflate64"), (98, "PPMd"), (77, "an unknown method")]
)
def test_a_member_compressed_with_an_unsupported_method_is_named(
    tmp_path: Path, method: int, name: str
) -> None:
    data = patch_headers(zip_bytes({"scrobbles.csv": CSV}), 8, 10, method)
    message = read_zip(tmp_path, data)
    assert message.startswith(f"{tmp_path / 'export.zip'}/scrobbles.csv: compressed with {name}")


def test_a_member_with_a_bad_crc_is_named(tmp_path: Path) -> None:
    data = bytearray(zip_bytes({"scrobbles.csv": CSV}, zipfile.ZIP_STORED))
    at = data.index(b"Biome")
    data[at] ^= 0x20  # still text, so only the CRC can tell
    message = read_zip(tmp_path, bytes(data))
    assert message.startswith(f"{tmp_path / 'export.zip'}/scrobbles.csv: cannot unpack")
    assert "CRC" in message


def test_damaged_deflate_data_is_named(tmp_path: Path) -> None:
    data = bytearray(zip_bytes({"scrobbles.csv": CSV * 50}))
    start = data.index(b"scrobbles.csv") + len("scrobbles.csv")
    data[start : start + 8] = b"\xff" * 8  # the start of the deflate stream
    message = read_zip(tmp_path, bytes(data))
    assert message.startswith(f"{tmp_path / 'export.zip'}/scrobbles.csv: cannot unpack")


def test_a_truncated_zip_is_named(tmp_path: Path) -> None:
    data = zip_bytes({"scrobbles.csv": CSV * 50, "more.csv": CSV})
    message = read_zip(tmp_path, data[: len(data) // 2])
    assert "not a readable zip" in message


def test_zips_nested_1200_deep_stop_at_the_documented_depth(tmp_path: Path) -> None:
    data = zip_bytes({"scrobbles.csv": CSV})
    for _ in range(1200):
        data = zip_bytes({"inner.zip": data}, zipfile.ZIP_STORED)
    message = read_zip(tmp_path, data)
    assert f"nested more than {MAX_ZIP_DEPTH} deep" in message


def test_zips_nested_as_deep_as_allowed_are_read(tmp_path: Path) -> None:
    data = zip_bytes({"scrobbles.csv": CSV})
    for _ in range(MAX_ZIP_DEPTH - 1):
        data = zip_bytes({"inner.zip": data}, zipfile.ZIP_STORED)
    path = tmp_path / "export.zip"
    path.write_bytes(data)
    result = read_files(path)
    assert len(result.plays) == 2
    assert result.files[0].name.endswith("/inner.zip" * (MAX_ZIP_DEPTH - 1) + "/scrobbles.csv")


# --- size limits -----------------------------------------------------------------------------


def test_a_zip_bomb_member_is_refused_by_its_declared_size(tmp_path: Path) -> None:
    data = zip_bytes({"bomb.csv": CSV + " " * 100_000})  # compresses to a few hundred bytes
    message = read_zip(tmp_path, data, max_file_size=50_000)
    assert message.startswith(f"{tmp_path / 'export.zip'}/bomb.csv: it unpacks to 100,")
    assert "--max-file-size" in message


def test_a_member_whose_header_understates_its_size_is_not_read_past_it(tmp_path: Path) -> None:
    data = bytearray(zip_bytes({"bomb.csv": CSV + " " * 100_000}))
    at = data.index(b"PK\x01\x02") + 24  # the central directory's uncompressed size
    data[at : at + 4] = struct.pack("<I", 100)
    message = read_zip(tmp_path, bytes(data), max_file_size=50_000)
    assert message.startswith(f"{tmp_path / 'export.zip'}/bomb.csv: cannot unpack")


def test_a_gzip_bomb_is_refused_by_the_bytes_it_unpacks_to(tmp_path: Path) -> None:
    path = tmp_path / "scrobbles.csv.gz"
    path.write_bytes(gzip.compress((CSV + " " * 100_000).encode()))
    assert path.stat().st_size < 1_000
    with pytest.raises(
        DataFormatError, match=r"scrobbles\.csv\.gz: it unpacks to more than 50,000"
    ):
        read_files(path, max_file_size=50_000)
    zipped = tmp_path / "export.zip"
    zipped.write_bytes(zip_bytes({"a.csv.gz": path.read_bytes()}, zipfile.ZIP_STORED))
    with pytest.raises(DataFormatError, match=r"export\.zip/a\.csv\.gz: it unpacks to more than"):
        read_files(zipped, max_file_size=50_000)


def test_a_plain_file_above_the_limit_is_refused_and_the_limit_can_be_raised(
    tmp_path: Path,
) -> None:
    path = tmp_path / "scrobbles.csv"
    path.write_text(CSV * 1000)
    with pytest.raises(DataFormatError, match=r"scrobbles\.csv: it is larger than 50,000 bytes"):
        read_files(path, max_file_size=50_000)
    assert len(read_files(path, max_file_size=100_000).plays) == 2000


def test_the_cli_takes_the_limit_in_megabytes_and_leaves_the_store_alone(tmp_path: Path) -> None:
    good = tmp_path / "good.csv"
    good.write_text(CSV)
    assert run("import", "listener", "--file", str(good))[0] == 0
    before = store.plays_path("listener").read_bytes()
    path = tmp_path / "export.zip"
    path.write_bytes(zip_bytes({"big.csv": CSV * 2000}))  # about 120 kB unpacked
    code, _, err = run("import", "listener", "--file", str(path), "--max-file-size", "0.05")
    assert code == 1
    assert err.startswith(f"Error: {path}/big.csv: it unpacks to 1") and err.count("\n") == 1
    assert store.plays_path("listener").read_bytes() == before
    code, _, err = run("import", "listener", "--file", str(path), "--max-file-size", "0.2")
    assert code == 0, err
    for bad in ("0", "-1", "nan", "inf"):
        code, _, err = run("stats", "--file", str(path), "--max-file-size", bad)
        assert (code, err.count("\n")) == (1, 1) and "--max-file-size must be" in err
    code, _, err = run("import", "listener", "--max-file-size", "5")
    assert code == 1 and "--max-file-size only applies to files" in err


def test_a_zip_holding_only_a_binary_file_says_how_many_it_looked_at(tmp_path: Path) -> None:
    data = zip_bytes({"cover.jpg": b"\xff\xd8\xff\xe0\0\x10JFIF\0\1" * 50})
    assert read_zip(tmp_path, data).endswith(
        "no listening history found in it (looked at 1 file); royalty reads Last.fm CSV and "
        "JSON, Spotify StreamingHistory*, endsong_* and Streaming_History_Audio_*, "
        "ListenBrainz listens, .scrobbler.log files and Maloja, Koito, Pano Scrobbler and "
        "Spinitron exports"
    )


def test_members_sharing_their_data_are_refused_as_a_zip_bomb(tmp_path: Path) -> None:
    # Two directory entries pointing at one member's data: the overlap that lets a
    # few megabytes unpack to terabytes in members each below the size limit.
    data = bytearray(zip_bytes({"a.csv": CSV * 20, "b.csv": CSV * 20}))
    second = data.index(b"PK\x01\x02", data.index(b"PK\x01\x02") + 4)
    data[second + 42 : second + 46] = struct.pack("<I", 0)  # b.csv's header offset := a.csv's
    message = read_zip(tmp_path, bytes(data))
    assert "its data overlaps another member's" in message
    assert message.startswith(f"{tmp_path / 'export.zip'}/")


def test_member_data_running_into_the_central_directory_is_refused(tmp_path: Path) -> None:
    data = bytearray(zip_bytes({"a.csv": CSV * 20}, zipfile.ZIP_STORED))
    central = data.index(b"PK\x01\x02")
    data[central + 20 : central + 24] = struct.pack("<I", 10_000)  # compressed size
    message = read_zip(tmp_path, bytes(data))
    assert (
        message == f"{tmp_path / 'export.zip'}/a.csv: its data overlaps another member's, "
        "as in a zip bomb; royalty does not read such zips"
    )
