"""How much royalty reads from one file: the size limit, and reading within it.

A few kilobytes of zip or gzip can claim to unpack to gigabytes, and a device
or a damaged file can look endless; everything royalty reads from a file goes
through :func:`read_capped`, which stops at the limit instead of at the end of
memory.
"""

from __future__ import annotations

from typing import Final, Protocol

from royalty.errors import DataFormatError

MAX_FILE_SIZE: Final = 1_000_000_000
"""The most bytes royalty reads from one file, zip member or unzipped ``.gz``
(1,000 MB). Real exports are far smaller: a Last.fm CSV of a million
scrobbles takes 60 to 200 MB, Spotify splits its history into files of about
12 MB, and a ListenBrainz export in one file holds about 1 KB per listen. So
only a damaged file or a decompression bomb reaches it, and it stops one
before it takes the memory of a laptop; ``read_files(max_file_size=...)`` and
``--max-file-size`` raise it."""
_CHUNK: Final = 1 << 20


class Readable(Protocol):
    """Anything with ``read(n) -> bytes``: a file, a zip member, a gzip stream."""

    def read(self, size: int = -1, /) -> bytes:
        """Up to ``size`` bytes; empty at the end."""
        ...


def read_capped(stream: Readable, name: str, limit: int, *, unpacked: bool = False) -> bytes:
    """Everything ``stream`` holds, refusing more than ``limit`` bytes.

    Reads in chunks, so a stream that never ends (or a decompression bomb)
    costs at most ``limit`` bytes of memory before the error.

    Raises:
        DataFormatError: the stream holds more than ``limit`` bytes.
    """
    chunks, total = [], 0
    while chunk := stream.read(_CHUNK):
        total += len(chunk)
        if total > limit:
            raise too_large(name, limit, unpacked=unpacked)
        chunks.append(chunk)
    return b"".join(chunks)


def too_large(name: str, limit: int, *, unpacked: bool) -> DataFormatError:
    """The error for a file (or what it unpacks to) above the size limit."""
    what = "unpacks to more than" if unpacked else "is larger than"
    return DataFormatError(
        f"{name}: it {what} {show_size(limit)}, the most royalty reads from one file; "
        "if you trust it, raise the limit with --max-file-size (in MB)"
    )


def show_size(n: int) -> str:
    """A byte count for people: ``1,000 MB`` (1 MB = 1,000,000 bytes), or bytes when small."""
    return f"{n / 1e6:,.0f} MB" if n >= 1_000_000 else f"{n:,} bytes"
