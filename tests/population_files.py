"""Small files in each population source layout, written by the tests themselves."""

from __future__ import annotations

import gzip
import tarfile
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

A1 = "a74b1b7f-71a5-4011-9441-d0b5e4122711"
A2 = "8bfac288-ccc5-448d-9573-c33ea2aa5c30"
R1 = "f3b2a1c4-0000-4000-8000-000000000001"
T1 = "0b4ab1bb-c382-349e-af18-592e702c6bc6"
T2 = "1c5bc2cc-d493-45af-b029-603f813d7dd7"


def spark_rows() -> list[dict[str, object]]:
    """Six listens of three ListenBrainz users, sorted by time as the dump is."""
    rows = [
        (1_600_000_000, 7, "Radiohead", [A1], "OK Computer", R1, "Airbag", T1),
        (1_600_000_100, 3, "Radiohead", [A1, A2], "OK Computer", R1, "Airbag", T1),
        (1_600_000_200, 7, "Björk", [A2], None, None, "Jóga", None),
        (1_600_000_300, 9, "Björk", [], "Homogenic", None, "Jóga", T2),
        (1_600_000_400, 7, "Radiohead", None, "OK Computer", R1, "Lucky", None),
        (1_600_000_500, 3, "", [], None, None, "Nameless", None),  # no artist: skipped
    ]
    keys = ("listened_at", "user_id", "artist_name", "artist_credit_mbids", "release_name",
            "release_mbid", "recording_name", "recording_mbid")  # fmt: skip
    return [dict(zip(keys, r, strict=True)) for r in rows]


def spark_table(rows: list[dict[str, object]]) -> pa.Table:
    return pa.table(
        {
            "listened_at": pa.array(
                [pd.Timestamp(r["listened_at"], unit="s", tz="UTC") for r in rows],  # type: ignore[call-overload]
                type=pa.timestamp("us", tz="UTC"),
            ),
            "user_id": pa.array([r["user_id"] for r in rows], type=pa.int32()),
            "artist_name": [r["artist_name"] for r in rows],
            "artist_credit_mbids": pa.array(
                [r["artist_credit_mbids"] for r in rows], type=pa.list_(pa.string())
            ),
            "release_name": [r["release_name"] for r in rows],
            "release_mbid": [r["release_mbid"] for r in rows],
            "recording_name": [r["recording_name"] for r in rows],
            "recording_mbid": [r["recording_mbid"] for r in rows],
            "recording_msid": [f"msid-{i}" for i in range(len(rows))],
        }
    )


def write_spark_folder(folder: Path, rows: list[dict[str, object]] | None = None) -> Path:
    """The dump as numbered files: the first half in 0.parquet, the rest in 1.parquet."""
    rows = spark_rows() if rows is None else rows
    folder.mkdir(parents=True, exist_ok=True)
    half = len(rows) // 2
    pq.write_table(spark_table(rows[:half]), folder / "0.parquet")
    pq.write_table(spark_table(rows[half:]), folder / "1.parquet")
    (folder / "COPYING").write_text("licence text\n")
    return folder


def write_spark_tar(path: Path) -> Path:
    folder = write_spark_folder(path.parent / "spark-extracted")
    with tarfile.open(path, "w") as archive:
        for name in ("0.parquet", "1.parquet", "COPYING"):
            archive.add(folder / name, arcname=f"listenbrainz-spark-dump/{name}")
    return path


LASTFM_1K_LINES = [
    f"user_000001\t2009-05-04T23:08:57Z\t{A1}\tRadiohead\t{T1}\tAirbag",
    "user_000001\t2009-05-04T13:54:10Z\t\tPortishead\t\tRoads",
    f'user_000002\t2008-01-27T22:02:37Z\t{A2}\tBjörk\t\tJóga "live"',
    "user_000002\tnot a time\t\tBjörk\t\tJóga",
    "user_000002\t2001-01-01T00:00:00Z\t\tOld\t\tSong",
    "user_000003\t2009-01-01T00:00:00Z\t\tBroken line",
    "user_000003\t2009-01-01T00:00:00Z\t\t   \t\tBlank artist",
]


def write_lastfm_1k(path: Path) -> Path:
    path.write_text("\n".join(LASTFM_1K_LINES) + "\n", encoding="utf-8")
    return path


def write_lfm1b(folder: Path, *, names: bool = True) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "LFM-1b_LEs.txt").write_text(
        "31435741\t2\t4\t4\t1385212958\n"
        "31435741\t2\t4\t4\t1385213190\n"
        "31435741\t10\t11\t12\t1385213400\n"
        "41435741\t10\t11\t13\t1385213500\n"
        "41435741\t10\t11\t13\t900000000\n"
    )
    (folder / "LFM-1b_artists.txt").write_text("2\tSigur Rós\n10\tMogwai\n")
    if names:
        (folder / "LFM-1b_albums.txt").write_text("4\tÁgætis byrjun\t2\n11\tYoung Team\t10\n")
        (folder / "LFM-1b_tracks.txt").write_text(
            "4\tSvefn-g-englar\t2\n12\tLike Herod\t10\n13\tMogwai Fear Satan\t10\n"
        )
    return folder


def mlhd_text(rows: list[tuple[int, str, str, str]]) -> bytes:
    return "".join(f"{t}\t{a}\t{r}\t{c}\n" for t, a, r, c in rows).encode()


def write_mlhd(folder: Path) -> Path:
    """Three listeners' files: gzip, plain and zstd (as MLHD+ ships them)."""
    folder.mkdir(parents=True, exist_ok=True)
    one = mlhd_text([(1_200_000_000, A1, R1, T1), (1_200_000_300, A1, R1, T1)])
    (folder / "0a1b2c3d-0000-4000-8000-00000000000a.txt.gz").write_bytes(gzip.compress(one))
    two = mlhd_text([(1_300_000_000, A2, "", T2), (1_300_000_100, f"{A2},{A1}", "", T1)])
    (folder / "0a1b2c3d-0000-4000-8000-00000000000b.txt").write_bytes(two)
    three = mlhd_text([(1_250_000_000, A1, R1, ""), (1_250_000_100, A1, R1, T1)])
    with pa.output_stream(
        str(folder / "0a1b2c3d-0000-4000-8000-00000000000c.txt.zst"), compression="zstd"
    ) as out:
        out.write(three)
    return folder
