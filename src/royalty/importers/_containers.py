"""The files inside folders and zips, each read safely.

:func:`expand` turns one path the user gave into the files to sniff, one
:class:`Item` at a time. It is where hostile containers are stopped:

* only regular files, zips and folders are read: a device (``/dev/zero``), a
  pipe or a socket given directly is refused, and one met inside a folder is
  passed over (it is checked before it is opened, and opened without waiting,
  so a pipe can never block the import);
* a file or folder that cannot be read stops the import, naming it;
* hidden folders (``.git``, ``.rockbox``), macOS's ``__MACOSX`` folders,
  ``.DS_Store`` and ``._*`` resource forks are left out, but hidden files are
  read: Rockbox writes its log as ``/.scrobbler.log`` at the player's root;
* a binary file (NUL bytes among many control characters in its first 8 KiB,
  see :func:`is_binary`) is passed over inside a folder or zip (music,
  images) and an error when given directly, either way without reading the
  rest of it;
* zip members that are encrypted, compressed with a method Python cannot
  unpack (Deflate64, ...), or damaged stop the import with ``ZIP/member: ...``;
* no file, member or unzipped ``.gz`` may exceed a size limit
  (:data:`~royalty.importers._limits.MAX_FILE_SIZE` unless raised), checked
  against the size the zip declares *and* the bytes actually unpacked;
* members whose data overlap (a zip bomb that keeps each member small) are
  refused;
* zips inside zips are followed at most :data:`MAX_ZIP_DEPTH` deep.
"""

from __future__ import annotations

import io
import os
import stat
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Final

from royalty.errors import DataFormatError, UsageError
from royalty.importers._common import check_text, gunzip
from royalty.importers._limits import read_capped, show_size, too_large

MAX_ZIP_DEPTH: Final = 8
"""Zips inside zips are followed this deep (an export zipped again, inside a
backup zip, is three); deeper nesting is refused, never a RecursionError."""

ZIP_MAGIC: Final = (b"PK\x03\x04", b"PK\x05\x06")
_HEAD: Final = 8192
_GZIP_MAGIC: Final = b"\x1f\x8b"
_UTF16_BOMS: Final = (b"\xff\xfe", b"\xfe\xff")
_CONTROLS: Final = bytes(sorted(set(range(32)) - set(b"\t\n\f\r")))
_SKIPPED_FOLDERS: Final = frozenset({"__MACOSX"})
_SKIPPED_FILES: Final = frozenset({".DS_Store", "Thumbs.db", "desktop.ini"})
_UNPACKABLE: Final = frozenset(
    {zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED, zipfile.ZIP_BZIP2, zipfile.ZIP_LZMA}
)
_ENCRYPTED: Final = 0x1
_METHODS: Final = {1: "Shrink", 6: "Implode", 9: "Deflate64", 10: "PKWARE Implode", 18: "IBM TERSE",
                   19: "IBM LZ77", 93: "Zstandard", 95: "XZ", 96: "JPEG", 97: "WavPack",
                   98: "PPMd", 99: "AES encryption"}  # fmt: skip
BINARY_NOTE: Final = "a binary file, not a listening history"


@dataclass(frozen=True)
class Item:
    """One file found under a path the user gave.

    Attributes:
        name: the path, or ``zip/member`` for a file inside a zip.
        data: its bytes (gunzipped), or None when it is passed over unread.
        inside: whether it was found inside a folder or zip (not given directly).
        note: why it was passed over (when ``data`` is None).
    """

    name: str
    data: bytes | None
    inside: bool
    note: str = ""


def expand(path: str | os.PathLike[str], limit: int) -> Iterator[Item]:
    """Every file under ``path`` (a file, a zip or a folder), read, in name order.

    Args:
        path: what the user gave.
        limit: the most bytes one file, member or unzipped ``.gz`` may hold.

    Raises:
        UsageError: ``path`` does not exist or is not a file, zip or folder.
        DataFormatError: something under it cannot be read, is too large or
            is a damaged, encrypted or too deeply nested zip.
    """
    name = os.fspath(path)
    mode = _mode(name)
    if stat.S_ISDIR(mode):
        for child in _listing(Path(path)):
            yield from _read_file(os.fspath(child), limit, inside=True)
        return
    yield from _read_file(name, limit, inside=False)


def is_container(path: str | os.PathLike[str]) -> bool:
    """Whether ``path`` is a folder or a zip (a regular file starting like one)."""
    try:
        mode = os.stat(path).st_mode
        if stat.S_ISDIR(mode):
            return True
        if not stat.S_ISREG(mode):
            return False
        with open(path, "rb") as fh:
            return fh.read(4) in ZIP_MAGIC
    except OSError:
        return False


def _reason(exc: OSError) -> str:
    return str(exc.strerror or exc).lower()


def _mode(name: str) -> int:
    """The mode of ``name`` (symlinks followed), or the error a user can act on."""
    try:
        return os.stat(name).st_mode
    except FileNotFoundError:
        if os.path.islink(name):
            raise UsageError(f"{name}: a link to something that does not exist") from None
        raise UsageError(f"{name}: no such file or folder") from None
    except OSError as exc:
        raise DataFormatError(f"{name}: cannot read it: {_reason(exc)}") from None


def _kind(mode: int) -> str:
    if stat.S_ISFIFO(mode):
        return "a pipe (FIFO)"
    if stat.S_ISSOCK(mode):
        return "a socket"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    return "not a regular file"


def _hidden_folder(name: str) -> bool:
    return name.startswith(".") or name in _SKIPPED_FOLDERS


def _junk_file(name: str) -> bool:
    """Files no tool writes a history into: Finder and Explorer metadata, resource forks."""
    return name in _SKIPPED_FILES or name.startswith("._")


def _listing(root: Path) -> list[Path]:
    """The files under ``root`` worth sniffing, sorted; every folder is listed first.

    Walks with a list rather than recursion (a tree 10,000 folders deep is
    no RecursionError) and lists a folder reached twice through links once.
    """
    found: list[Path] = []
    pending = [root]
    seen: set[tuple[int, int]] = set()
    while pending:
        folder = pending.pop()
        try:
            info = os.stat(folder)
            if (info.st_dev, info.st_ino) in seen:
                continue
            seen.add((info.st_dev, info.st_ino))
            with os.scandir(folder) as listing:
                entries = list(listing)
        except OSError as exc:
            raise DataFormatError(f"{folder}: cannot read this folder: {_reason(exc)}") from None
        for entry in entries:
            try:
                is_dir = entry.is_dir()
            except OSError as exc:
                raise DataFormatError(f"{entry.path}: cannot read it: {_reason(exc)}") from None
            if is_dir:
                if not _hidden_folder(entry.name):
                    pending.append(Path(entry.path))
            elif not _junk_file(entry.name):
                found.append(Path(entry.path))
    return sorted(found)


def _read_file(name: str, limit: int, *, inside: bool) -> Iterator[Item]:
    """The file ``name``: its bytes, or the members of the zip it is."""
    mode = _mode(name)
    if not stat.S_ISREG(mode):
        if inside:
            yield Item(name, None, inside, note=f"{_kind(mode)}, not a file")
            return
        raise UsageError(f"{name}: {_kind(mode)}, not a file, zip or folder; give an export file")
    try:
        # O_NONBLOCK: should the file have become a pipe since the check, never wait on it
        # (POSIX; Windows has no such pipes in its file system, nor the flag).
        flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0)
        fd = os.open(name, flags | getattr(os, "O_CLOEXEC", 0))
    except OSError as exc:
        raise DataFormatError(f"{name}: cannot read it: {_reason(exc)}") from None
    with os.fdopen(fd, "rb") as fh:
        try:
            info = os.fstat(fh.fileno())
            if not stat.S_ISREG(info.st_mode):
                raise UsageError(
                    f"{name}: {_kind(info.st_mode)}, not a file, zip or folder; give an export file"
                )
            head = fh.read(_HEAD)
            if head[:4] in ZIP_MAGIC:
                fh.seek(0)
                yield from _zip(fh, name, limit, depth=1)
                return
            if is_binary(head) and not head.startswith(_GZIP_MAGIC):
                yield _binary(name, head, inside=inside)  # without reading the rest
                return
            if info.st_size > limit:
                raise too_large(name, limit, unpacked=False)
            data = head + read_capped(fh, name, limit - len(head))
        except OSError as exc:
            raise DataFormatError(f"{name}: cannot read it: {_reason(exc)}") from None
    yield _item(name, data, limit, inside=inside)


def _item(name: str, data: bytes, limit: int, *, inside: bool) -> Item:
    """The item for a file's bytes: gunzipped, or passed over if binary inside a container."""
    data = gunzip(data, name, limit)
    if is_binary(data[:_HEAD]):
        return _binary(name, data[:_HEAD], inside=inside)
    return Item(name, data, inside)


def _binary(name: str, head: bytes, *, inside: bool) -> Item:
    """A binary file: passed over inside a folder or zip, an error when given directly.

    Raises:
        DataFormatError: given directly; names the line of its first NUL byte.
    """
    if not inside:
        check_text(head, name)  # names the line of the first NUL byte
        raise DataFormatError(f"{name}: {BINARY_NOTE}")
    return Item(name, None, inside, note=BINARY_NOTE)


def is_binary(head: bytes) -> bool:
    """Whether the start of a file says binary: NUL bytes among many control characters.

    Music, pictures and programs hold NUL bytes and, over their first 8 KiB,
    far more than 5% control characters. A text export with one stray NUL byte
    is not binary but text with a bad row (which ``--skip-bad-rows`` can skip);
    UTF-16 text starts with its byte-order mark.
    """
    if b"\0" not in head or head.startswith(_UTF16_BOMS):
        return False
    controls = len(head) - len(head.translate(None, _CONTROLS))
    return controls * 20 > len(head)


def _zip_errors() -> tuple[type[Exception], ...]:
    """What a damaged zip makes ``zipfile`` raise (its own error is only one of them)."""
    import lzma
    import struct
    import zlib

    return (
        zipfile.BadZipFile, zipfile.LargeZipFile, zlib.error, lzma.LZMAError, struct.error,
        EOFError, OSError, NotImplementedError, RuntimeError, ValueError, OverflowError,
        IndexError, KeyError,
    )  # fmt: skip


def _zip(source: IO[bytes], name: str, limit: int, *, depth: int) -> Iterator[Item]:
    """The members of the zip in ``source``, zips inside it opened in turn."""
    if depth > MAX_ZIP_DEPTH:
        raise DataFormatError(
            f"{name}: zips nested more than {MAX_ZIP_DEPTH} deep; royalty stops there. "
            "Unzip the outer zips and point royalty at what they hold"
        )
    errors = _zip_errors()
    try:
        archive = zipfile.ZipFile(source)
        entries = sorted(archive.infolist(), key=lambda e: e.filename)
    except errors as exc:
        raise DataFormatError(f"{name}: not a readable zip ({exc}); is it truncated?") from None
    _refuse_overlaps(entries, archive.start_dir, name)
    with archive:
        for entry in entries:
            parts = entry.filename.split("/")
            # not entry.is_dir(): a damaged zip can hold an empty name, which it fails on
            if not parts[-1] or any(_hidden_folder(p) for p in parts[:-1]):
                continue
            if _junk_file(parts[-1]):
                continue
            member = f"{name}/{entry.filename}"
            data = _member_bytes(archive, entry, member, limit, errors)
            if data is None:
                yield Item(member, None, True, note=BINARY_NOTE)
            elif data[:4] in ZIP_MAGIC:
                yield from _zip(io.BytesIO(data), member, limit, depth=depth + 1)
            else:
                yield _item(member, data, limit, inside=True)


def _refuse_overlaps(entries: list[zipfile.ZipInfo], directory: int, name: str) -> None:
    """Refuse members whose data overlap, the trick of zip bombs that stay under any size limit.

    Such a zip points many members at one stretch of compressed data, so a few
    megabytes unpack to terabytes in members of a modest size each. (Python
    3.12 checks this itself; 3.11 does not.) In a sound zip each member's data
    ends before the next member's header begins, and the last before the
    central directory.
    """
    ordered = sorted(entries, key=lambda e: e.header_offset)
    ends = [e.header_offset for e in ordered[1:]] + [directory]
    for entry, end in zip(ordered, ends, strict=True):
        if entry.header_offset + entry.compress_size > end:
            raise DataFormatError(
                f"{name}/{entry.filename}: its data overlaps another member's, as in a zip "
                "bomb; royalty does not read such zips"
            )


def _member_bytes(
    archive: zipfile.ZipFile,
    entry: zipfile.ZipInfo,
    member: str,
    limit: int,
    errors: tuple[type[Exception], ...],
) -> bytes | None:
    """A member's bytes, or None if its start says binary; refused if unsafe or damaged."""
    if entry.flag_bits & _ENCRYPTED:
        raise DataFormatError(
            f"{member}: the member is encrypted (password-protected); unzip it with its "
            "password and point royalty at the folder"
        )
    if entry.compress_type not in _UNPACKABLE:
        method = _METHODS.get(entry.compress_type, "an unknown method")
        raise DataFormatError(
            f"{member}: compressed with {method} (zip method {entry.compress_type}), which "
            "royalty cannot unpack; unzip it with another tool and point royalty at the folder"
        )
    if entry.file_size > limit:  # the declared size; the bytes read are counted too
        raise DataFormatError(
            f"{member}: it unpacks to {show_size(entry.file_size)}, more than "
            f"{show_size(limit)}, the most royalty reads from one file; if you trust it, "
            "raise the limit with --max-file-size (in MB)"
        )
    try:
        with archive.open(entry) as stream:
            head = stream.read(_HEAD)
            if is_binary(head) and head[:4] not in ZIP_MAGIC and not head.startswith(_GZIP_MAGIC):
                return None
            return head + read_capped(stream, member, limit - len(head), unpacked=True)
    except DataFormatError:
        raise
    except errors as exc:
        raise DataFormatError(f"{member}: cannot unpack it from the zip ({exc})") from None
