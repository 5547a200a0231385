"""Benchmark: file import against pandas.read_csv / json.load of the same file.

Generates, in a temporary folder, a 1,000,000-row lastfm-to-csv export and a
300,000-record Spotify extended streaming history (23 keys per record, as
Spotify writes them), then times:

* ``royalty.importers.read_files`` on each file (the whole pipeline: sniffing,
  parsing, checks, schema, sorting), which ``royalty compare --file`` runs;
* for the CSV, also ``read_files`` plus ``store.merge`` into an empty store,
  which is what ``royalty import USER --file`` does (reported, no target); and
* the baseline: ``pandas.read_csv(path, header=None)`` (default options) and
  ``json.load`` of the same file; and
* ``read_files`` on a zip of N small Last.fm CSV files (``--zip-files``, by
  default 1,000 and 10,000), printing the time per file: it must not grow with
  N (issue 12: 10,000 files took 700 s, 2,000 took 59 s). Target: the time per
  file at the largest N at most 1.5x that at the smallest.

Each timing runs in a fresh subprocess, so that its peak memory
(``ru_maxrss``, read by a small launcher process) is its own; the child first
reads a tiny file of the same kind so that lazy imports are not timed, for
either side. The two sides alternate
round by round (``--rounds``), so a machine whose load changes during the run
affects both alike; the ratio reported is the median of the per-round ratios.
Targets (issue 4): at most 2x for the CSV, 2.5x for the JSON, and under 1.5 GB
peak memory each. Run: ``python benchmarks/bench_file_import.py``.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd

import bench_compare  # the launcher that reads a child's peak memory

LIMIT_MB = 1536
CHILD = r"""
import json, sys, tempfile, time
from pathlib import Path
kind, path, warm = sys.argv[1], sys.argv[2], sys.argv[3]
import pandas as pd
from royalty import store
from royalty.importers import read_files

def run(target):
    if kind == "read_csv":
        return pd.read_csv(target, header=None)
    if kind == "json.load":
        with open(target, "rb") as fh:
            return json.load(fh)
    if kind == "import":  # what `royalty import USER --file` does: read, then store
        with tempfile.TemporaryDirectory() as home:
            return store.merge("bench", read_files(target).plays, home=Path(home))
    return read_files(target).plays

run(warm)
start = time.perf_counter()
out = run(path)
seconds = time.perf_counter() - start
print(json.dumps({"seconds": seconds}))
"""


def make_csv(path: Path, rows: int, rng: np.random.Generator) -> None:
    """A lastfm-to-csv export: no header, artist,album,track,date; newest first."""
    artists = np.array([f"Artist {i}" for i in range(20_000)], dtype=object)
    tracks = np.array([f"Track {i}" for i in range(150_000)], dtype=object)
    albums = np.array([f"Album {i}" for i in range(40_000)], dtype=object)
    start = pd.Timestamp("2008-01-01").value // 60_000_000_000
    minutes = np.sort(rng.integers(start, start + 15 * 525_600, rows))[::-1]
    dates = pd.to_datetime(minutes * 60, unit="s").strftime("%d %b %Y %H:%M")
    frame = pd.DataFrame(
        {
            "artist": artists[rng.integers(0, len(artists), rows)],
            "album": np.where(rng.random(rows) < 0.35, "", albums[rng.integers(0, 40_000, rows)]),
            "track": tracks[rng.integers(0, len(tracks), rows)],
            "date": np.asarray(dates, dtype=object),
        }
    )
    frame.to_csv(path, header=False, index=False)


def make_json(path: Path, records: int, rng: np.random.Generator) -> None:
    """A Spotify extended streaming history, shuffled, with a few podcast rows."""
    start = pd.Timestamp("2015-01-01").value // 1_000_000_000
    ends = pd.to_datetime(rng.integers(start, start + 9 * 31_536_000, records), unit="s")
    stamps = ends.strftime("%Y-%m-%dT%H:%M:%SZ")
    played = rng.integers(0, 400_000, records)
    music = rng.random(records) > 0.01
    with open(path, "w", encoding="utf-8") as fh:
        fh.write("[")
        for i in range(records):
            artist = f"Artist {i % 15_000}" if music[i] else None
            rec = {
                "ts": stamps[i], "username": "user", "platform": "android", "ms_played":
                int(played[i]), "conn_country": "DE", "ip_addr": None,
                "master_metadata_track_name": f"Track {i % 120_000}" if music[i] else None,
                "master_metadata_album_artist_name": artist,
                "master_metadata_album_album_name": f"Album {i % 30_000}" if music[i] else None,
                "spotify_track_uri": f"spotify:track:{i:022d}" if music[i] else None,
                "episode_name": None if music[i] else "Episode", "episode_show_name": None,
                "spotify_episode_uri": None, "audiobook_title": None, "audiobook_uri": None,
                "audiobook_chapter_uri": None, "audiobook_chapter_title": None,
                "reason_start": "trackdone", "reason_end": "trackdone", "shuffle": False,
                "skipped": bool(played[i] < 30_000), "offline": False, "offline_timestamp": None,
                "incognito_mode": False,
            }  # fmt: skip
            fh.write((", " if i else "") + json.dumps(rec))
        fh.write("]")


def make_zip(path: Path, files: int) -> None:
    """A zip of ``files`` small Last.fm CSV exports (five plays each, on distinct hours)."""
    import zipfile

    start = pd.Timestamp("2008-01-01")
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for i in range(files):
            # hours, not days: 10,000 days from 2008 would reach into the future
            day = start + pd.Timedelta(hours=i)
            rows = "".join(
                f"Artist {i % 500},Album {i % 90},Track {j},"
                f"{(day + pd.Timedelta(minutes=5 * j)):%d %b %Y %H:%M}\n"
                for j in range(5)
            )
            zf.writestr(f"scrobbles/part_{i:05d}.csv", rows)


def zip_case(sizes: list[int], rounds: int, folder: Path) -> bool:
    """Time read_files on zips of each size; True if the time per file stays flat."""
    warm = folder / "warm.zip"
    make_zip(warm, 3)
    per_file = {}
    for n in sizes:
        path = folder / f"files_{n}.zip"
        make_zip(path, n)
        runs = [measure("royalty", path, warm) for _ in range(rounds)]
        median = statistics.median(r["seconds"] for r in runs)
        per_file[n] = median / n
        top = max(r["peak_mb"] for r in runs)
        print(f"zip of {n:,} CSV files, {rounds} round(s): median {median:.2f} s, "
              f"{per_file[n] * 1000:.2f} ms per file, peak RSS {top:.0f} MB")  # fmt: skip
    growth = per_file[max(sizes)] / per_file[min(sizes)]
    ok = growth <= 1.5
    print(f"  time per file at {max(sizes):,} files / at {min(sizes):,}: {growth:.2f}x   "
          f"target <= 1.5x: {'met' if ok else 'MISSED'}")  # fmt: skip
    return ok


def measure(kind: str, path: Path, warm: Path) -> dict[str, float]:
    """One timed run of ``kind`` on ``path`` in a fresh process, after one on ``warm``.

    The process is started through bench_compare's launcher, which reads its
    peak memory: one started straight from this process, which has just
    generated the files, would report this process's size as its own peak.
    """
    _, peak, last = bench_compare.launch([sys.executable, "-c", CHILD, kind, str(path), str(warm)])
    result: dict[str, float] = json.loads(last)
    return {**result, "peak_mb": peak}


def compare(
    label: str, path: Path, warm: Path, base: str, target: float, rounds: int, kind: str = "royalty"
) -> bool:
    """Time both sides ``rounds`` times, alternating, and print the figures; True if on target."""
    ours, theirs, ratios = [], [], []
    for _ in range(rounds):
        mine, other = measure(kind, path, warm), measure(base, path, warm)
        ours.append(mine)
        theirs.append(other)
        ratios.append(mine["seconds"] / other["seconds"])
    ratio = statistics.median(ratios)
    peak = max(r["peak_mb"] for r in ours)
    print(f"{label} ({path.stat().st_size / 1e6:.0f} MB), {rounds} rounds")
    ours_name = "royalty read_files" if kind == "royalty" else "read_files + store"
    for name, runs in ((ours_name, ours), (base, theirs)):
        times = ", ".join(f"{r['seconds']:.2f}" for r in runs)
        median = statistics.median(r["seconds"] for r in runs)
        top = max(r["peak_mb"] for r in runs)
        print(f"  {name:>18}: median {median:.2f} s ({times}), peak RSS {top:.0f} MB")
    ok = ratio <= target and peak < LIMIT_MB
    goal = f"target <= {target}x, peak < 1.5 GB: {'met' if ok else 'MISSED'}"
    print(f"  ratio (median of rounds): {ratio:.2f}x   {goal if target < float('inf') else ''}")
    return ok


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--records", type=int, default=300_000)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--zip-files", default="1000,10000", help="zip sizes, comma-separated")
    parser.add_argument("--only", choices=["files", "zip"], help="run one part only")
    args = parser.parse_args()
    rng = np.random.default_rng(4)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        if args.only == "zip":
            sizes = [int(n) for n in args.zip_files.split(",")]
            sys.exit(0 if zip_case(sizes, min(args.rounds, 3), folder) else 1)
        csv_path, json_path = folder / "lastfm.csv", folder / "endsong_0.json"
        make_csv(csv_path, args.rows, rng)
        make_json(json_path, args.records, rng)
        csv_warm, json_warm = folder / "warm.csv", folder / "endsong_warm.json"
        make_csv(csv_warm, 100, rng)
        make_json(json_warm, 100, rng)
        results = [
            compare(f"lastfm-to-csv, {args.rows:,} rows", csv_path, csv_warm, "read_csv", 2.0,
                    args.rounds),
            compare(f"Spotify extended, {args.records:,} records", json_path, json_warm,
                    "json.load", 2.5, args.rounds),
        ]  # fmt: skip
        print("For reference, no target: the CSV imported into an empty store")
        compare(f"lastfm-to-csv, {args.rows:,} rows", csv_path, csv_warm, "read_csv",
                float("inf"), args.rounds, kind="import")  # fmt: skip
        if args.only is None:
            sizes = [int(n) for n in args.zip_files.split(",")]
            results.append(zip_case(sizes, min(args.rounds, 3), folder))
    sys.exit(0 if all(results) else 1)


if __name__ == "__main__":
    main()
