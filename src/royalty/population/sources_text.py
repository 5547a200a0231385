"""Readers of the text dumps: Last.fm-1K, LFM-1b and MLHD, each yielding chunks of plays.

Layouts (as their publishers describe them):

- **Last.fm-1K** (Celma, 2010): ``userid-timestamp-artid-artname-traid-traname.tsv``,
  tab-separated ``user_000001``, ``2009-05-04T23:08:57Z``, artist MBID, artist
  name, track MBID, track name, no header and no quoting. The published file
  has a few malformed lines: they are skipped and counted.
- **LFM-1b** (Schedl, 2016): ``LFM-1b_LEs.txt``, tab-separated user, artist,
  album and track ids and a Unix time, with ``LFM-1b_artists.txt`` (id, name)
  beside it, and ``LFM-1b_albums.txt`` / ``LFM-1b_tracks.txt`` (id, name,
  artist id) when present. Users have no names: the id as text. A track
  without its names file is named by its id. The names files are held in
  memory while the listening events stream past (like the dataset's own id
  tables, they grow with the names, not with the plays).
- **MLHD / MLHD+** (Vigliensoni and Fujinaga, 2017; MetaBrainz): one file
  per listener (the listener's id is the file name), plain, gzip, bzip2 or
  zstd, lines ``timestamp, artist MBID, release MBID, recording MBID`` separated
  by tabs. There are no names: the artist is its MBID (MLHD+ may give several
  for a joint credit; the first is used) and so is the track.

Text is read as lenient UTF-8 (:func:`royalty.population.sources_dumps.lenient`).
"""

from __future__ import annotations

import io
import tarfile
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Final

from royalty.errors import DataFormatError
from royalty.population.chunks import chunk
from royalty.population.sources_dumps import (
    CHUNK_ROWS,
    constant,
    decompress,
    fail,
    first_mbid,
    lenient,
)

# --- Last.fm-1K ----------------------------------------------------------------------------

LASTFM_1K_COLUMNS: Final = ("user", "time", "artist_mbid", "artist", "track_mbid", "track")


def read_lastfm_1k(path: Path, skipped: Counter[str]) -> Iterator[Any]:
    """Chunks from the Last.fm-1K TSV file (plain or compressed)."""
    import pyarrow as pa
    import pyarrow.compute as pc
    from pyarrow import csv

    def bad(row: Any) -> str:
        skipped["malformed line"] += 1
        return "skip"

    try:
        reader = csv.open_csv(
            pa.input_stream(str(path), compression="detect"),
            read_options=csv.ReadOptions(
                column_names=list(LASTFM_1K_COLUMNS), block_size=1 << 26, encoding=lenient()
            ),
            parse_options=csv.ParseOptions(
                delimiter="\t", quote_char=False, invalid_row_handler=bad
            ),
            convert_options=csv.ConvertOptions(
                column_types=dict.fromkeys(LASTFM_1K_COLUMNS, pa.string()),
                strings_can_be_null=False,
            ),
        )
        for batch in reader:
            times = pc.strptime(
                batch.column("time"), format="%Y-%m-%dT%H:%M:%SZ", unit="ms", error_is_null=True
            )
            columns = {c: batch.column(c) for c in LASTFM_1K_COLUMNS if c != "time"}
            columns["played_at"] = times
            columns["source"] = constant("lastfm-1k", batch.num_rows)
            yield chunk(columns)
    except (OSError, pa.ArrowException) as exc:
        raise fail(path, exc) from exc


# --- LFM-1b -----------------------------------------------------------------------------------


def _has_header(path: Path) -> bool:
    with open(path, "rb") as fh:
        first = fh.readline().split(b"\t", 1)[0].strip()
    return bool(first) and not first.isdigit()


def _read_tsv(path: Path, names: list[str], types: dict[str, Any]) -> Any:
    from pyarrow import csv

    return csv.read_csv(
        str(path),
        read_options=csv.ReadOptions(
            column_names=names,
            skip_rows=1 if _has_header(path) else 0,
            block_size=1 << 26,
            encoding=lenient(),
        ),
        parse_options=csv.ParseOptions(delimiter="\t", quote_char=False),
        convert_options=csv.ConvertOptions(
            column_types=types, include_columns=list(types), strings_can_be_null=False
        ),
    )


class _Names:
    """Names by integer id, from an LFM-1b names file (id → row through a dense array)."""

    def __init__(self, path: Path, *, with_artist: bool) -> None:
        import numpy as np
        import pyarrow as pa

        cols = ["id", "name", "artist"] if with_artist else ["id", "name"]
        table = _read_tsv(path, cols, {"id": pa.int64(), "name": pa.string()})
        ids = table["id"].to_numpy()
        # LFM-1b's ids are dense from 1; ids far beyond the count are not that file.
        if len(ids) and (ids.min() < 0 or ids.max() > 4 * len(ids) + 10_000_000):
            raise DataFormatError(f"{path}: its ids are not LFM-1b's (negative or far too large)")
        self.rows = np.full(int(ids.max()) + 2 if len(ids) else 1, -1, dtype=np.int64)
        self.rows[ids] = np.arange(len(ids))
        self.names = table["name"].combine_chunks()

    def take(self, ids: Any) -> Any:
        """The name of each id (missing where unknown)."""
        import numpy as np
        import pyarrow as pa

        values = np.asarray(ids, dtype=np.int64)
        inside = (values >= 0) & (values < len(self.rows) - 1)
        rows = np.where(inside, self.rows[np.where(inside, values, len(self.rows) - 1)], -1)
        return self.names.take(pa.array(rows, mask=rows < 0))


def read_lfm1b(path: Path, skipped: Counter[str]) -> Iterator[Any]:
    """Chunks from ``LFM-1b_LEs.txt`` with the names files beside it."""
    import numpy as np
    import pyarrow as pa
    from pyarrow import csv

    folder = path.parent
    artists_file = folder / "LFM-1b_artists.txt"
    if not artists_file.is_file():
        raise DataFormatError(
            f"{path}: LFM-1b_artists.txt is not beside it; put the dataset's names files "
            "in the same folder"
        )
    albums_file, tracks_file = folder / "LFM-1b_albums.txt", folder / "LFM-1b_tracks.txt"

    def bad(row: Any) -> str:
        skipped["malformed line"] += 1
        return "skip"

    columns = ["user", "artist", "album", "track", "time"]
    try:
        artists = _Names(artists_file, with_artist=False)
        albums = _Names(albums_file, with_artist=True) if albums_file.is_file() else None
        tracks = _Names(tracks_file, with_artist=True) if tracks_file.is_file() else None
        reader = csv.open_csv(
            str(path),
            read_options=csv.ReadOptions(
                column_names=columns,
                skip_rows=1 if _has_header(path) else 0,
                block_size=1 << 26,
                encoding=lenient(),
            ),
            parse_options=csv.ParseOptions(delimiter="\t", invalid_row_handler=bad),
            convert_options=csv.ConvertOptions(column_types=dict.fromkeys(columns, pa.int64())),
        )
        for batch in reader:
            track_ids = batch.column("track").to_numpy(zero_copy_only=False)
            if tracks is not None:
                track = tracks.take(track_ids)
            else:
                track = pa.array(track_ids.astype(str), type=pa.string())
            seconds = batch.column("time").fill_null(-1).to_numpy(zero_copy_only=False)
            times = pa.array(np.asarray(seconds, dtype=np.int64) * 1000, mask=seconds < 0)
            yield chunk(
                {
                    "user": batch.column("user").cast(pa.string()),
                    "played_at": times.cast(pa.timestamp("ms")),
                    "artist": artists.take(batch.column("artist").fill_null(-1).to_numpy()),
                    "track": track,
                    "album": albums.take(batch.column("album").fill_null(-1).to_numpy())
                    if albums is not None
                    else None,
                    "source": constant("lfm-1b", batch.num_rows),
                }
            )
    except (OSError, pa.ArrowException) as exc:
        raise fail(path, exc) from exc


# --- MLHD / MLHD+ ---------------------------------------------------------------------------


def mlhd_user(name: str) -> str:
    """The listener of an MLHD file: its name up to the first dot."""
    return Path(name).name.split(".", 1)[0]


def _mlhd_table(data: bytes, name: str, skipped: Counter[str]) -> Any:
    import pyarrow as pa
    import pyarrow.compute as pc
    from pyarrow import csv

    def bad(row: Any) -> str:
        skipped["malformed line"] += 1
        return "skip"

    columns = ["time", "artist", "release", "recording"]
    try:
        table = csv.read_csv(
            io.BytesIO(data),
            read_options=csv.ReadOptions(column_names=columns, encoding=lenient()),
            parse_options=csv.ParseOptions(
                delimiter="\t", quote_char=False, invalid_row_handler=bad
            ),
            convert_options=csv.ConvertOptions(
                column_types={"time": pa.string(), **dict.fromkeys(columns[1:], pa.string())}
            ),
        )
    except (OSError, pa.ArrowException) as exc:
        raise fail(name, exc) from exc
    numbers = pc.if_else(
        pc.match_substring_regex(table["time"], r"^\d{1,12}$"),
        table["time"],
        pa.scalar(None, pa.string()),
    )
    times = pc.multiply(numbers.cast(pa.int64()), 1000).cast(pa.timestamp("ms"))
    artist = first_mbid(table["artist"])
    recording = table["recording"]
    n = table.num_rows
    return chunk(
        {
            "user": pa.array([mlhd_user(name)] * n, type=pa.string()),
            "played_at": times,
            "artist": artist,
            "track": recording,
            "artist_mbid": artist,
            "album_mbid": table["release"],
            "track_mbid": recording,
            "source": constant("mlhd", n),
        }
    )


def mlhd_files(path: Path) -> Iterator[tuple[str, bytes]]:
    """(name, bytes) of every listener file in a folder, a ``.tar`` of them, or one file."""
    if path.is_dir():
        for entry in sorted(path.iterdir()):
            if entry.is_file() and not entry.name.startswith("."):
                if tarfile.is_tarfile(entry):
                    yield from mlhd_files(entry)
                else:
                    yield entry.name, entry.read_bytes()
    elif tarfile.is_tarfile(path):
        with tarfile.open(path) as archive:
            for member in archive:
                handle = archive.extractfile(member) if member.isfile() else None
                if handle is not None and not Path(member.name).name.startswith("."):
                    yield member.name, handle.read()
    else:
        yield path.name, path.read_bytes()


def read_mlhd(path: Path, skipped: Counter[str]) -> Iterator[Any]:
    """Chunks from MLHD listener files, gathered to about :data:`CHUNK_ROWS` rows each."""
    import pyarrow as pa

    held: list[Any] = []
    rows = 0
    for name, data in mlhd_files(path):
        table = _mlhd_table(decompress(data, name), f"{path}/{name}", skipped)
        held.append(table)
        rows += table.num_rows
        if rows >= CHUNK_ROWS:
            yield pa.concat_tables(held)
            held, rows = [], 0
    if held:
        yield pa.concat_tables(held)
