"""Benchmark: file import against pandas.read_csv / json.load of the same file.

Generates, in a temporary folder, a 1,000,000-row lastfm-to-csv export and a
300,000-record Spotify extended streaming history (23 keys per record, as
Spotify writes them), then times, each in its own subprocess so that peak
memory (``ru_maxrss``) is per task:

* ``royalty.importers.read_files`` on each file (the whole pipeline: sniffing,
  parsing, checks, schema), and
* the baseline: ``pandas.read_csv(path, header=None)`` and ``json.load``.

Reports the median of ``--runs`` runs, the ratio to the baseline, and peak
memory. Targets (issue 4): at most 2x for the CSV, 2.5x for the JSON, and
under 1.5 GB each. Run: ``python benchmarks/bench_file_import.py``.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd

CHILD = r"""
import json, resource, statistics, sys, time
kind, path, runs = sys.argv[1], sys.argv[2], int(sys.argv[3])
import pandas as pd
from royalty.importers import read_files
times = []
for _ in range(runs):
    start = time.perf_counter()
    if kind == "read_csv":
        out = pd.read_csv(path, header=None)
    elif kind == "json.load":
        with open(path, "rb") as fh:
            out = json.load(fh)
    else:
        out = read_files(path).plays
    times.append(time.perf_counter() - start)
    del out
print(json.dumps({"median": statistics.median(times),
                  "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
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


def measure(kind: str, path: Path, runs: int) -> dict[str, float]:
    out = subprocess.run(
        [sys.executable, "-c", CHILD, kind, str(path), str(runs)],
        check=False, capture_output=True, text=True,
    )  # fmt: skip
    if out.returncode:
        sys.exit(f"{kind} on {path} failed:\n{out.stderr}")
    result: dict[str, float] = json.loads(out.stdout.strip().splitlines()[-1])
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--records", type=int, default=300_000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    rng = np.random.default_rng(4)
    with tempfile.TemporaryDirectory() as tmp:
        csv_path, json_path = Path(tmp) / "lastfm.csv", Path(tmp) / "endsong_0.json"
        make_csv(csv_path, args.rows, rng)
        make_json(json_path, args.records, rng)
        for label, path, base, target in (
            (f"lastfm-to-csv, {args.rows:,} rows", csv_path, "read_csv", 2.0),
            (f"Spotify extended, {args.records:,} records", json_path, "json.load", 2.5),
        ):
            ours, theirs = measure("royalty", path, args.runs), measure(base, path, args.runs)
            ratio = ours["median"] / theirs["median"]
            size = path.stat().st_size / 1e6
            print(f"{label} ({size:.0f} MB)")
            print(f"  royalty read_files: {ours['median']:.2f} s, peak {ours['peak_mb']:.0f} MB")
            print(f"  {base:>18}: {theirs['median']:.2f} s, peak {theirs['peak_mb']:.0f} MB")
            verdict = "ok" if ratio <= target and ours["peak_mb"] < 1536 else "MISSED"
            print(f"  ratio {ratio:.2f}x (target <= {target}x, < 1.5 GB): {verdict}")


if __name__ == "__main__":
    main()
