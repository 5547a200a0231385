"""Benchmark: each `royalty chart KIND` against `royalty compare` on the same store.

Run by hand (it is not part of the test suite):

    python benchmarks/bench_charts.py                    # 10 M plays, 3 rounds
    python benchmarks/bench_charts.py --size 1000000 --repeats 5 --kinds compare timeline

It builds the synthetic history of ``bench_compare.py`` (imported from that
file, not copied), merges it into a store under a temporary ROYALTY_HOME,
runs every command once to warm the page cache, then times whole processes,
alternating in each round ``royalty compare --user bench --top 0 --format
json`` with ``royalty chart KIND --user bench --output x.png``, so both sides
of each ratio see the same machine load. It prints, for each kind, the median
chart time, the median of the compare runs paired with it, the median of the
per-round ratios and the peak memory. Target (issue 6): every chart ≤ 2× the
time of compare at 10 M plays.
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path
from types import ModuleType

KINDS = ("compare", "cumulative", "timeline", "sensitivity", "user-centric")


def _bench_compare() -> ModuleType:
    """``benchmarks/bench_compare.py`` as a module (benchmarks/ is not a package)."""
    path = Path(__file__).with_name("bench_compare.py")
    spec = importlib.util.spec_from_file_location("bench_compare", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", type=int, default=10_000_000)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--kinds", nargs="+", choices=KINDS, default=list(KINDS))
    args = parser.parse_args()
    exe = shutil.which("royalty")
    if exe is None:
        raise SystemExit("install royalty first: pip install .")
    bench = _bench_compare()
    from royalty import store

    home = Path(tempfile.mkdtemp(prefix="royalty-bench-charts-"))
    env = {**os.environ, "ROYALTY_HOME": str(home), "MPLBACKEND": "Agg"}
    os.environ["ROYALTY_HOME"] = str(home)
    try:
        t0 = time.perf_counter()
        plays = bench.synthetic_plays(args.size)
        store.merge("bench", plays)
        del plays
        print(f"{args.size:,} plays: built and merged in {time.perf_counter() - t0:.1f} s")
        compare_cmd = [exe, "compare", "--user", "bench", "--top", "0", "--format", "json"]
        charts = {
            kind: [exe, "chart", kind, "--user", "bench", "--output", str(home / f"{kind}.png")]
            for kind in args.kinds
        }
        for cmd in (compare_cmd, *charts.values()):  # warm the page cache and lazy imports
            bench.timed(cmd, env)
        rows: dict[str, list[tuple[float, float, float, float]]] = {k: [] for k in charts}
        for round_no in range(args.repeats):
            for kind, cmd in charts.items():
                cw, _ = bench.timed(compare_cmd, env)
                kw, km = bench.timed(cmd, env)
                rows[kind].append((kw, cw, kw / cw, km))
            done = ", ".join(f"{k} {r[-1][2]:.2f}" for k, r in rows.items())
            print(f"  round {round_no + 1}: chart/compare {done}", flush=True)
        print(f"\n{'kind':<13} {'chart s':>8} {'compare s':>10} {'ratio':>6} {'peak MB':>8}")
        worst = 0.0
        for kind, kind_rows in rows.items():
            kw, cw, ratio, km = (statistics.median(col) for col in zip(*kind_rows, strict=True))
            worst = max(worst, ratio)
            print(f"{kind:<13} {kw:8.2f} {cw:10.2f} {ratio:6.2f} {km:8.0f}")
        print(f"worst median ratio {worst:.2f} (target ≤ 2 at 10 M plays)")
    finally:
        shutil.rmtree(home, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
