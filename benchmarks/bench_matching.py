"""Benchmark: cross-source matching of the same plays from two sources.

Run by hand (it is not part of the test suite):

    python benchmarks/bench_matching.py                        # 1,000,000 synthetic plays
    python benchmarks/bench_matching.py --csv scrobbles.csv    # a Last.fm CSV export

One source has minute precision, as a Last.fm CSV export; the other holds the same plays
with the seconds put back at random (0 to 59 s later), as the API gives them. Every play
of one source has its twin in the other, so the union must hold exactly as many plays as
one source. Reported: the plays in the union (and whether that holds) and the time of
``merge_plays`` (best of ``--rounds``), in both orders.

Synthetic plays are ``--plays`` plays of ``--tracks`` tracks, ``--gap`` seconds apart
on average: few tracks and short gaps mean many repeats of a track within the 90 s
window, the case where pairing the closest plays first used to strand plays.
"""

from __future__ import annotations

import argparse
import time

import numpy as np
import pandas as pd

from royalty import matching, schema
from royalty.importers import read_files


def twins(minutes: pd.DataFrame, seed: int) -> pd.DataFrame:
    """The same plays with seconds: each 0 to 59 s after its minute."""
    rng = np.random.default_rng(seed)
    ms = minutes["played_at"].astype("int64").to_numpy()
    later = ms + rng.integers(0, 60, len(ms)) * 1000
    data = {
        "played_at": pd.to_datetime(later, unit="ms", utc=True),
        "artist": minutes["artist"].astype(object).to_numpy(),
        "track": minutes["track"].astype(object).to_numpy(),
    }
    return schema.normalize(pd.DataFrame(data), source="lastfm-api")


def synthetic(n: int, tracks: int, gap: float, seed: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    seconds = 1_500_000_000 + np.cumsum(rng.exponential(gap, n)).astype(np.int64)
    data = {
        "played_at": pd.to_datetime((seconds - seconds % 60) * 1000, unit="ms", utc=True),
        "artist": [f"Artist {k % 97}" for k in rng.integers(0, tracks, n)],
        "track": [f"Track {k}" for k in rng.integers(0, tracks, n)],
    }
    return schema.normalize(pd.DataFrame(data), source="lastfm-csv")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--csv", help="a Last.fm CSV export to use instead of synthetic plays")
    parser.add_argument("--plays", type=int, default=1_000_000)
    parser.add_argument("--tracks", type=int, default=2_000)
    parser.add_argument("--gap", type=float, default=200.0)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    if args.csv:
        minutes = read_files(args.csv).plays
        label = args.csv
    else:
        minutes = synthetic(args.plays, args.tracks, args.gap, args.seed)
        label = f"{args.plays:,} synthetic plays of {args.tracks:,} tracks"
    seconds = twins(minutes, args.seed)
    print(f"{label}: {len(minutes):,} plays in each source")
    for name, held, batch in (
        ("csv, then api", minutes, seconds),
        ("api, then csv", seconds, minutes),
    ):
        best = float("inf")
        for _ in range(args.rounds):
            began = time.perf_counter()
            merged = matching.merge_plays(held, batch)
            best = min(best, time.perf_counter() - began)
        verdict = "one source: yes" if len(merged.plays) == len(minutes) else "one source: NO"
        print(f"  {name}: {len(merged.plays):,} plays in the union ({verdict}), {best:.2f} s")


if __name__ == "__main__":
    main()
