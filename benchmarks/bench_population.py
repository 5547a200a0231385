"""Benchmark: `royalty population compare` on Dask against DuckDB, and one worker against two.

Run by hand (not part of the test suite), after ``pip install -r benchmarks/requirements.txt``:

    python benchmarks/bench_population.py                       # 20 M listens, 100 k listeners
    python benchmarks/bench_population.py --listens 1000000 --listeners 5000 --rounds 2
    python benchmarks/bench_population.py --dataset DIR --rounds 9 --only scaling   # step 2 only

It generates a population with ``royalty population generate`` (a temporary
folder, or ``--dataset DIR`` to reuse one; a generated dataset whose row
groups split listeners, written by an older royalty, is generated again with
the same parameters so that each row group is a task), then:

1. End to end, alternating in one run: the whole ``royalty population compare
   DIR --model pro-rata --model user-centric --top 0 --format csv`` process
   (including Python's start and the LocalCluster's), and a Python process
   that runs the same two models in DuckDB as one SQL query over the same
   bucket files (names joined from the same artists table). It prints each
   median, listens a second, and the median of the per-round ratios.
   Targets (issue 13): at least 3 M listens a second, no slower than DuckDB.
   It checks that both give the same payouts (relative difference < 1e-9).
2. Scaling, through the library in this process: the map and reduction alone
   on a local cluster of one worker and of two (alternating), with each
   run's peak worker memory. Target: a speed-up of at least 1.6×.
3. An extrapolation from the measured rates to a billion listens on this
   machine and on 32 workers, assuming the 1 → 2 worker efficiency holds.
"""

from __future__ import annotations

import argparse
import csv
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

DUCKDB = """
import sys, duckdb
buckets, artists, pool, min_ms = sys.argv[1], sys.argv[2], float(sys.argv[3]), int(sys.argv[4])
con = duckdb.connect()
query = f'''
WITH p AS (
    SELECT user_id, artist_id, date_trunc('month', played_at) AS m
    FROM read_parquet('{buckets}')
    WHERE duration_ms IS NULL OR duration_ms >= {min_ms}
),
lm AS (SELECT user_id, m, count(*)::DOUBLE AS n FROM p GROUP BY user_id, m),
mo AS (SELECT m, count(*) * {pool} AS pool, sum(n) AS streams FROM lm GROUP BY m)
SELECT a.artist, x.plays, x.listeners, x.pro_rata, x.user_centric
FROM (
    SELECT p.artist_id, count(*) AS plays, count(DISTINCT p.user_id) AS listeners,
           sum(mo.pool / mo.streams) AS pro_rata, sum({pool} / lm.n) AS user_centric
    FROM p JOIN lm USING (user_id, m) JOIN mo USING (m)
    GROUP BY p.artist_id
) x JOIN read_parquet('{artists}') a USING (artist_id)
ORDER BY x.pro_rata DESC
'''
con.sql(query).write_csv(sys.argv[5])
"""


def royalty_exe() -> str:
    found = shutil.which("royalty", path=str(Path(sys.executable).parent)) or shutil.which(
        "royalty"
    )
    if found is None:
        sys.exit("royalty is not installed: pip install -e .")
    return found


def generate(path: Path, listens: int, listeners: int, *, seed: int = 1,
             buckets: int | None = None) -> None:  # fmt: skip
    # The default bucket size (2.5 M plays), but at least 8 buckets, so that a
    # small run still has work for both workers.
    buckets = buckets or max(8, -(-listens // 2_500_000))
    cmd = [royalty_exe(), "population", "generate", "--listeners", str(listeners),
           "--listens", str(listens), "--to", str(path), "--seed", str(seed),
           "--buckets", str(buckets), "--replace"]  # fmt: skip
    start = time.perf_counter()
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)
    print(f"generated {listens:,} listens of {listeners:,} listeners in "
          f"{time.perf_counter() - start:.1f} s: {path}")  # fmt: skip


def tasks(path: Path) -> None:
    """Say how the dataset is cut into tasks; make a generated one again if it predates pieces.

    Buckets written before royalty cut row groups between listeners are one
    task each: a synthetic dataset of that kind is generated again with the
    parameters it records (the same plays, in row groups of whole listeners).
    """
    import pyarrow.parquet as pq

    from royalty.population.dataset import open_dataset
    from royalty.population.pieces import plan

    info = open_dataset(path)
    groups = sum(pq.ParquetFile(p).num_row_groups for p in info.bucket_paths)
    pieces = len(plan(info.bucket_paths)[0])
    if pieces < groups and info.synthetic and info.generator:
        print(f"{path}: its row groups split listeners (written by an older royalty): "
              "generating it again with the same parameters")  # fmt: skip
        g = info.generator
        generate(path, g["listens"], g["listeners"], seed=g["seed"], buckets=g["buckets"])
        info = open_dataset(path)
        groups = sum(pq.ParquetFile(p).num_row_groups for p in info.bucket_paths)
        pieces = len(plan(info.bucket_paths)[0])
    print(f"{info.plays:,} listens in {info.buckets} buckets of {groups} row groups: "
          f"{pieces} map tasks")  # fmt: skip


def timed(cmd: list[str]) -> float:
    start = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True, check=False)
    seconds = time.perf_counter() - start
    if proc.returncode != 0:
        sys.exit(f"{' '.join(cmd[:4])} … failed:\n{proc.stderr}")
    return seconds


def read_csv(path: Path) -> dict[str, tuple[float, float]]:
    with path.open(encoding="utf-8") as f:
        return {r["artist"]: (float(r["pro_rata"]), float(r["user_centric"]))
                for r in csv.DictReader(f)}  # fmt: skip


def end_to_end(path: Path, rounds: int, work: Path) -> None:
    from royalty.population.dataset import open_dataset
    from royalty.population.params import PopulationParams

    info = open_dataset(path)
    params = PopulationParams()
    ours_csv, duck_csv = work / "royalty.csv", work / "duckdb.csv"
    ours = [royalty_exe(), "population", "compare", str(path), "--model", "pro-rata",
            "--model", "user-centric", "--top", "0", "--format", "csv",
            "-o", str(ours_csv)]  # fmt: skip
    buckets = str(info.generation / "buckets" / "*.parquet")
    duck = [sys.executable, "-c", DUCKDB, buckets, str(info.artists_path),
            repr(params.pool_per_listener), str(int(params.min_seconds * 1000)),
            str(duck_csv)]  # fmt: skip
    times: dict[str, list[float]] = {"royalty": [], "duckdb": []}
    for _ in range(rounds):
        times["royalty"].append(timed(ours))
        times["duckdb"].append(timed(duck))
    ratios = [a / b for a, b in zip(times["royalty"], times["duckdb"], strict=True)]
    for name, values in times.items():
        median = statistics.median(values)
        print(f"{name:8} end to end: median {median:.2f} s over {rounds} rounds, "
              f"{info.plays / median / 1e6:.2f} M listens/s")  # fmt: skip
    print(
        f"royalty / duckdb: median of per-round ratios {statistics.median(ratios):.2f} "
        "(target ≤ 1.0); royalty target ≥ 3 M listens/s"
    )
    a, b = read_csv(ours_csv), read_csv(duck_csv)
    assert a.keys() == b.keys(), "the two give different artists"
    worst = max(abs(x - y) / max(abs(y), 1e-12)
                for k in a for x, y in zip(a[k], b[k], strict=True))  # fmt: skip
    print(f"agreement with DuckDB: {len(a):,} artists, largest relative difference {worst:.1e}")
    assert worst < 1e-9


def scaling(path: Path, rounds: int) -> float:
    from royalty.population.compare import compare_population

    models = ("pro-rata", "user-centric")
    seconds: dict[int, list[float]] = {1: [], 2: []}
    peaks: dict[int, list[float]] = {1: [], 2: []}
    plays = 0
    for n in range(rounds):
        for workers in (1, 2):
            result = compare_population(path, models, workers=workers)
            assert result.run is not None
            seconds[workers].append(result.run.seconds)
            peaks[workers].append(result.run.peak_worker_mb or float("nan"))
            plays = result.dataset["plays"]
        print(f"  round {n + 1}: 1 worker {seconds[1][-1]:.2f} s, 2 workers "
              f"{seconds[2][-1]:.2f} s, {seconds[1][-1] / seconds[2][-1]:.2f}×")  # fmt: skip
    for workers in (1, 2):
        m = statistics.median(seconds[workers])
        print(f"{workers} worker(s): map and reduction median {m:.2f} s "
              f"({plays / m / 1e6:.2f} M listens/s), peak memory per worker "
              f"{max(peaks[workers]):.0f} MB")  # fmt: skip
    one, two = statistics.median(seconds[1]), statistics.median(seconds[2])
    # each round runs 1 then 2 workers back to back: the ratio within a round is
    # steadier than the ratio of medians on a machine whose load comes and goes
    speedup = statistics.median(a / b for a, b in zip(seconds[1], seconds[2], strict=True))
    print(f"speed-up from 1 to 2 workers: median of per-round ratios {speedup:.2f}× "
          f"(target ≥ 1.6×); ratio of the medians {one / two:.2f}×")  # fmt: skip
    per_worker = plays / one
    efficiency = speedup / 2
    here = 1e9 / (plays / two)
    many = 1e9 / (per_worker * 32 * efficiency)
    print(f"a billion listens: about {here / 60:.0f} min on this machine (2 workers); about "
          f"{many / 60:.1f} min on 32 workers at {efficiency:.0%} of linear scaling "
          "(plus cluster start and reading from shared storage)")  # fmt: skip
    return speedup


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--listens", type=int, default=20_000_000)
    parser.add_argument("--listeners", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--dataset", type=Path, help="reuse (or create) the dataset here")
    parser.add_argument(
        "--only",
        choices=("end-to-end", "scaling"),
        help="run one step: end to end against DuckDB (1), or 1 against 2 workers (2 and 3)",
    )
    args = parser.parse_args()
    os.environ.pop("DASK_SCHEDULER_ADDRESS", None)  # always a local cluster
    with tempfile.TemporaryDirectory(prefix="royalty-bench-") as tmp:
        work = Path(tmp)
        path = args.dataset or work / "pop"
        if not (path / "population.json").exists():
            generate(path, args.listens, args.listeners)
        tasks(path)
        if args.only != "scaling":
            end_to_end(path, args.rounds, work)
        if args.only != "end-to-end":
            scaling(path, args.rounds)


if __name__ == "__main__":
    main()
