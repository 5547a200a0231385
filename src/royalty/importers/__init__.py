"""Importers: each turns one source of listening history into the plays schema.

For files, use :func:`read_files`: it takes files, zips and folders, recognises
each format (:data:`FORMATS`), and returns a :class:`FileImport` holding the
plays and an account of what was read, skipped (by reason) and matched across
sources. Nothing here imports pandas until a file is read.

Example:
    >>> from royalty.importers import read_files
    >>> result = read_files("my_spotify_data.zip", since="2024-01-01")  # doctest: +SKIP
    >>> result.plays.shape[0], result.matched  # doctest: +SKIP
    (8123, 0)
"""

FORMATS = (
    "lastfm-csv",
    "lastfm-json",
    "spotify-account",
    "spotify-extended",
    "listenbrainz",
    "scrobbler-log",
    "maloja",
    "koito",
    "pano-scrobbler",
    "spinitron",
)
"""Format names for ``read_files(input_format=...)`` and ``--input-format``."""

# After FORMATS: the modules below read it from here.
from royalty.importers.files import FileImport, FileInfo, read_files  # noqa: E402

__all__ = ["FORMATS", "FileImport", "FileInfo", "read_files"]
