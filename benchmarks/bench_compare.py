"""Benchmark: `royalty compare` against a bare pandas baseline, and `royalty --help`.

Run by hand (it is not part of the test suite):

    python benchmarks/bench_compare.py            # 1 M and 10 M plays
    python benchmarks/bench_compare.py --sizes 1000000 --repeats 3

For each size it builds a synthetic history, merges it into a store under a
temporary ROYALTY_HOME through the library, then times, alternating in one
run, two whole processes:

* ``royalty compare --top 0 --format json`` for that user, and
* a baseline: ``pandas.read_parquet`` of the columns compare needs
  (played_at, artist, album, duration_ms), ``groupby('artist').size()`` and
  ``groupby(['artist', 'album']).size()``.

It prints each median, the median of the per-round ratios, and each
process's peak memory (maximum resident set size). Targets (issue 2):
compare ≤ 1.5× the baseline and ≤ 2.5 GB at 10 M plays; ``royalty --help``
≤ 0.35 s.

Then, in this process on one frame, it times ``royalty.pricing.price`` under
the pro-rata and the user-centric model (same deal, alternating rounds) and
prints the medians and their ratio. Target (issue 5): user-centric ≤ 2× the
pro-rata time at 10 M plays.

Last, it times year-aware pricing (each stream at its year's figures, CDs at
the year bought, ranges and verdicts) against flat figures, in process, and
with ``--before-src DIR`` the ``compare()`` of the code before year-aware
pricing against today's, each in its own process on the same synthetic plays.
Target (issue 10): at most 1.3× at 10 M plays.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

BASELINE = """
import sys
import pandas as pd
plays = pd.read_parquet(sys.argv[1], columns=["played_at", "artist", "album", "duration_ms"])
a = plays.groupby("artist", observed=True).size()
b = plays.groupby(["artist", "album"], observed=True).size()
print(len(a), len(b))
"""


def synthetic_plays(n: int, seed: int = 1) -> pd.DataFrame:
    """``n`` plays over seven years: Zipf-like artists, a few albums each, some short plays."""
    from royalty import schema

    rng = np.random.default_rng(seed)
    n_artists = max(1000, n // 500)
    artist_codes = np.minimum(rng.zipf(1.3, n) - 1, n_artists - 1)
    album_codes = artist_codes * 6 + rng.integers(0, 6, n)
    album_codes = np.where(rng.random(n) < 0.1, -1, album_codes)  # no album
    track_codes = album_codes.clip(0) * 12 + rng.integers(0, 12, n)
    start = pd.Timestamp("2006-05-01", tz="UTC").value // 10**6
    span_ms = 7 * 365 * 86400 * 1000
    played_at = np.sort(rng.integers(start, start + span_ms, n)).astype("datetime64[ms]")
    duration = pd.array(rng.integers(5_000, 400_000, n), dtype="Int64")
    duration[rng.random(n) < 0.3] = pd.NA
    artists = np.array([f"Artist {i}" for i in range(n_artists)])
    albums = np.array([f"Album {i}" for i in range(n_artists * 6)])
    tracks = np.array([f"Track {i}" for i in range(int(track_codes.max()) + 1)])
    frame = pd.DataFrame(
        {
            "played_at": pd.Series(played_at).dt.tz_localize("UTC"),
            "artist": pd.Categorical.from_codes(artist_codes, categories=artists),
            "track": pd.Categorical.from_codes(track_codes, categories=tracks),
            "album": pd.Categorical.from_codes(album_codes, categories=albums),
            "duration_ms": duration,
            "source": "benchmark",
        }
    )
    return schema.normalize(frame)


# Peak memory is read in a small launcher process: a child started straight from
# this (large) process would report this process's resident size as its own
# high-water mark, because Linux carries it across fork and exec.
LAUNCHER = """
import resource, subprocess, sys, time
t0 = time.perf_counter()
done = subprocess.run(sys.argv[1:], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
wall = time.perf_counter() - t0
if done.returncode:
    sys.exit(done.stderr.decode())
usage = resource.getrusage(resource.RUSAGE_CHILDREN)
print(wall, usage.ru_maxrss / 1024, usage.ru_utime + usage.ru_stime)
print((done.stdout.decode().strip().splitlines() or [""])[-1])
"""


def launch_with_cpu(
    cmd: list[str], env: dict[str, str] | None = None
) -> tuple[float, float, float, str]:
    """Wall seconds, peak RSS (MB), CPU seconds and the last line of output of one process."""
    out = subprocess.run(
        [sys.executable, "-c", LAUNCHER, *cmd], env=env, capture_output=True, text=True
    )
    if out.returncode != 0:
        raise SystemExit(f"{cmd} failed: {out.stderr}")
    first, last = out.stdout.split("\n", 1)
    wall, peak, cpu = first.split()
    return float(wall), float(peak), float(cpu), last.strip()


def launch(cmd: list[str], env: dict[str, str] | None = None) -> tuple[float, float, str]:
    """Wall seconds, peak RSS (MB) and the last line of output of one process."""
    wall, peak, _, last = launch_with_cpu(cmd, env)
    return wall, peak, last


def timed(cmd: list[str], env: dict[str, str]) -> tuple[float, float]:
    """Wall seconds and peak RSS (MB) of one process."""
    wall, peak, _ = launch(cmd, env)
    return wall, peak


def bench_size(n: int, repeats: int, royalty_exe: str) -> None:
    from royalty import store

    home = Path(tempfile.mkdtemp(prefix="royalty-bench-"))
    env = {**os.environ, "ROYALTY_HOME": str(home)}
    os.environ["ROYALTY_HOME"] = str(home)
    try:
        t0 = time.perf_counter()
        plays = synthetic_plays(n)
        store.merge("bench", plays)
        del plays
        path = store.plays_path("bench")
        print(
            f"\n{n:,} plays: built and merged in {time.perf_counter() - t0:.1f} s; "
            f"store file {path.stat().st_size / 1e6:.0f} MB"
        )
        compare_cmd = [royalty_exe, "compare", "--user", "bench", "--top", "0", "--format", "json"]
        base_cmd = [sys.executable, "-c", BASELINE, str(path)]
        rows = []
        for _ in range(repeats):
            cw, cm = timed(compare_cmd, env)
            bw, bm = timed(base_cmd, env)
            rows.append((cw, bw, cw / bw, cm, bm))
        cw, bw, ratio, cm, bm = (statistics.median(col) for col in zip(*rows, strict=True))
        print(f"  compare   median {cw:6.2f} s   peak {cm:7.0f} MB")
        print(f"  baseline  median {bw:6.2f} s   peak {bm:7.0f} MB")
        print(f"  ratio compare/baseline: median {ratio:.2f} (target ≤ 1.5 at 10 M)")
        print(f"  rounds: {', '.join(f'{r[2]:.2f}' for r in rows)}")
    finally:
        shutil.rmtree(home, ignore_errors=True)


def bench_help(repeats: int, royalty_exe: str) -> None:
    env = dict(os.environ)
    walls = [timed([royalty_exe, "--help"], env)[0] for _ in range(repeats)]
    bare = [timed([sys.executable, "-c", "pass"], env)[0] for _ in range(repeats)]
    print(
        f"\nroyalty --help: median {statistics.median(walls):.3f} s "
        f"(bare python start-up {statistics.median(bare):.3f} s; target ≤ 0.35 s)"
    )


def bench_user_centric(n: int, repeats: int) -> None:
    """Pro-rata against user-centric pricing, in process, on the same frame."""
    from royalty.pricing import make_scenario, price

    plays = synthetic_plays(n)[["played_at", "artist", "album", "duration_ms"]]
    models = {
        "pro-rata": make_scenario(deal="major"),
        "user-centric": make_scenario(deal="major", model="user-centric"),
    }
    for scenario in models.values():  # warm up
        price(plays, scenario)
    times: dict[str, list[float]] = {name: [] for name in models}
    for _ in range(repeats):
        for name, scenario in models.items():
            t0 = time.perf_counter()
            price(plays, scenario)
            times[name].append(time.perf_counter() - t0)
    pro, uc = (statistics.median(times[name]) for name in models)
    print(
        f"\n{n:,} plays in process: pro-rata median {pro:.2f} s, user-centric median "
        f"{uc:.2f} s, ratio {uc / pro:.2f} (target ≤ 2 at 10 M)"
    )


TIMED_PRICING = """
import sys, time
sys.path.insert(0, sys.argv[1])
sys.path.insert(0, sys.argv[2])
from bench_compare import synthetic_plays
from royalty.pricing import CompareParams, compare
plays = synthetic_plays(int(sys.argv[3]))[["played_at", "artist", "album", "duration_ms"]]
compare(plays, CompareParams())
t0 = time.perf_counter()
compare(plays, CompareParams())
print(time.perf_counter() - t0)
"""


def bench_years(n: int, repeats: int, before_src: str | None) -> None:
    """Year-aware pricing against flat figures, and against the code before it."""
    from royalty.pricing import CompareParams, Scenario, compare, make_scenario, price

    plays = synthetic_plays(n)[["played_at", "artist", "album", "duration_ms"]]
    runs = {
        "flat figures": lambda: compare(plays, CompareParams()),
        "the essay's 2013 figures by year": lambda: price(plays, Scenario()),
        "Spotify by year, indie deal": lambda: price(
            plays, make_scenario(service="spotify", deal="indie")
        ),
    }
    for run in runs.values():  # warm up
        run()
    times: dict[str, list[float]] = {name: [] for name in runs}
    for _ in range(repeats):
        for name, run in runs.items():
            t0 = time.perf_counter()
            run()
            times[name].append(time.perf_counter() - t0)
    flat = times["flat figures"]
    print(f"\n{n:,} plays in process, price(): median of {repeats} rounds")
    for name, spent in times.items():
        ratios = [a / b for a, b in zip(spent, flat, strict=True)]
        print(
            f"  {name:34} {statistics.median(spent):6.2f} s  "
            f"ratio to flat {statistics.median(ratios):.2f}"
        )
    if before_src is None:
        return
    here = str(Path(__file__).resolve().parent)
    now_src = str(Path(__file__).resolve().parents[1] / "src")
    ratios, old_times, new_times = [], [], []
    for _ in range(repeats):  # each in its own process, alternating
        old = float(launch([sys.executable, "-c", TIMED_PRICING, before_src, here, str(n)])[2])
        new = float(launch([sys.executable, "-c", TIMED_PRICING, now_src, here, str(n)])[2])
        old_times.append(old)
        new_times.append(new)
        ratios.append(new / old)
    print(
        f"  compare() before this change {statistics.median(old_times):.2f} s, now "
        f"{statistics.median(new_times):.2f} s: ratio {statistics.median(ratios):.2f} "
        "(target ≤ 1.3 at 10 M)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1_000_000, 10_000_000])
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument(
        "--before-src",
        help="the src/ folder of a checkout of the code before year-aware pricing "
        "(git worktree add /tmp/before 50dc6ea): its compare() is timed against today's",
    )
    args = parser.parse_args()
    exe = shutil.which("royalty")
    if exe is None:
        raise SystemExit("install royalty first: pip install .")
    bench_help(max(args.repeats, 10), exe)
    for n in args.sizes:
        bench_size(n, args.repeats, exe)
    for n in args.sizes:
        bench_user_centric(n, args.repeats)
        bench_years(n, args.repeats, args.before_src)


if __name__ == "__main__":
    main()
