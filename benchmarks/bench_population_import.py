"""Benchmark: `royalty population import` of a ListenBrainz Spark-dump layout.

Run by hand (not part of the test suite):

    python benchmarks/bench_population_import.py                     # 20 M listens, 100 k listeners
    python benchmarks/bench_population_import.py --listens 2000000 --listeners 10000

It generates a population (``royalty.population.generate``), writes its plays
in the layout of the ListenBrainz Spark dump (numbered ``N.parquet`` files of
``--file-rows`` rows, sorted by time and not by user, with the dump's columns
and plain string names, as Spark writes them), then times whole
``royalty population import DUMP --to DIR`` processes into a new folder each
round, and prints listens a second and each run's peak memory (maximum
resident set size, read by a small launcher process as
``benchmarks/bench_compare.py`` does). Targets (issue 13): at least 1 M
listens a second, peak memory under 2 GB.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

import bench_compare

launch = bench_compare.launch_with_cpu  # reads a child's peak memory and CPU time


def write_spark_dump(dataset: Path, dump: Path, file_rows: int) -> int:
    """Write the dataset's plays as a time-sorted Spark dump; return the listens written."""
    from royalty.population.dataset import open_dataset

    info = open_dataset(dataset)
    columns = ["played_at", "user_id", "artist_id", "track_id"]
    parts = [pq.read_table(p, columns=columns) for p in info.bucket_paths]
    plays = pa.concat_tables(parts).combine_chunks()
    del parts
    order = np.argsort(plays["played_at"].cast("int64").to_numpy(), kind="stable")
    plays = plays.take(pa.array(order))
    artists = pq.read_table(info.artists_path)["artist"].combine_chunks()
    tracks = pq.read_table(info.tracks_path)["track"].combine_chunks()
    dump.mkdir(parents=True)
    for number, start in enumerate(range(0, plays.num_rows, file_rows)):
        part = plays.slice(start, file_rows)
        n = part.num_rows
        table = pa.table(
            {
                "listened_at": part["played_at"],
                "user_id": part["user_id"],
                "artist_name": artists.take(part["artist_id"]),
                "artist_credit_mbids": pa.nulls(n, type=pa.list_(pa.string())),
                "release_name": pa.nulls(n, type=pa.string()),
                "release_mbid": pa.nulls(n, type=pa.string()),
                "recording_name": tracks.take(part["track_id"]),
                "recording_mbid": pa.nulls(n, type=pa.string()),
                "recording_msid": pa.nulls(n, type=pa.string()),
            }
        )
        pq.write_table(table, dump / f"{number}.parquet", store_schema=False)
    return int(plays.num_rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--listens", type=int, default=20_000_000)
    parser.add_argument("--listeners", type=int, default=100_000)
    parser.add_argument("--file-rows", type=int, default=2_000_000, help="rows per N.parquet")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--keep", type=Path, help="write the dump and datasets here and keep them")
    args = parser.parse_args()

    from royalty.population.generate import GeneratorParams, generate_population

    work = args.keep or Path(tempfile.mkdtemp(prefix="royalty-bench-import-"))
    royalty = shutil.which("royalty", path=str(Path(sys.executable).parent)) or "royalty"
    try:
        t0 = time.perf_counter()
        params = GeneratorParams(listeners=args.listeners, listens=args.listens, seed=args.seed)
        generate_population(params, work / "generated", replace=True)
        shutil.rmtree(work / "dump", ignore_errors=True)
        listens = write_spark_dump(work / "generated", work / "dump", args.file_rows)
        size = sum(p.stat().st_size for p in (work / "dump").iterdir())
        print(
            f"Spark dump: {listens:,} listens of {args.listeners:,} listeners in "
            f"{len(list((work / 'dump').iterdir()))} files, {size / 1e6:,.0f} MB "
            f"(made in {time.perf_counter() - t0:.1f} s)"
        )
        walls, peaks = [], []
        for round_ in range(args.rounds):
            target = work / f"imported-{round_}"
            shutil.rmtree(target, ignore_errors=True)
            wall, peak, cpu = launch(
                [royalty, "population", "import", str(work / "dump"), "--to", str(target)]
            )[:3]
            walls.append(wall)
            peaks.append(peak)
            # CPU seconds tell a busy machine apart from a slow import.
            print(f"round {round_ + 1}: {wall:.2f} s wall, {cpu:.2f} s CPU, peak {peak:,.0f} MB")
            shutil.rmtree(target, ignore_errors=True)
        median = statistics.median(walls)
        print(
            f"population import: median {median:.2f} s = {listens / median / 1e6:.2f} M listens/s "
            f"(target >= 1 M/s); peak memory max {max(peaks):,.0f} MB (target < 2,048 MB)"
        )
    finally:
        if args.keep is None:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
