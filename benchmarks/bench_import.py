"""Benchmark: ``import_user`` against the fake Last.fm server, and pylast's own paging.

Run by hand (it is not part of the test suite):

    python benchmarks/bench_import.py                  # 20,000 plays, 300 ms, 5 req/s
    python benchmarks/bench_import.py --skip-pylast    # ours only (pylast's takes ~2 min)

The fake server (tests/fake_lastfm.py) runs in a child process, so that this process's
CPU time is the client's alone. It answers each request after ``--latency`` seconds and
returns error 29 to any request beyond ``--rps`` in a one-second window. Then, in one run:

* royalty: ``import_user`` into a temporary ROYALTY_HOME, at ``--max-rps`` = ``--rps``;
* pylast: ``User.get_recent_tracks(limit=None)`` against the same server (50 plays a
  request, one request at a time, as pylast does), through a transport that only
  redirects its https requests to the fake's http address.

Reported (issue 3, "Speed"): wall time / (N / 1000 s), where N / 1000 s is the bound the
rate limit sets at 200 plays a request and 5 requests a second (target <= 1.1); requests
made against ceil(N / 200) + 3; client CPU per page (target <= 50 ms); the most requests
the server saw in any one-second window, and how many it refused with error 29.
"""

from __future__ import annotations

import argparse
import math
import multiprocessing as mp
import os
import sys
import tempfile
import time
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from fake_lastfm import API_KEY, FakeLastfm
from fake_lastfm_plays import make_plays


def serve(conn: Connection, plays: int, latency: float, rps: int) -> None:
    """Child process: run the fake; answer "stats" with the request log's figures."""
    with FakeLastfm(make_plays(plays), latency=latency, max_rps=rps) as fake:
        conn.send(fake.url)
        while (command := conn.recv()) != "stop":
            assert command == "stats"
            outcomes = [r.outcome for r in fake.requests]
            conn.send(
                {
                    "requests": len(outcomes),
                    "refused": outcomes.count("429"),
                    "max_in_1s": fake.max_in_window(1.0),
                }
            )
            fake.requests.clear()


class Redirect:
    """An httpx transport that sends pylast's https requests to the fake's http root."""

    def __init__(self, httpx: Any, url: str) -> None:
        self.inner = httpx.HTTPTransport()
        self.url = httpx.URL(url)

    def __enter__(self) -> Redirect:
        return self

    def __exit__(self, *exc: object) -> None:
        return None

    def close(self) -> None:
        return None

    def handle_request(self, request: Any) -> Any:
        request.url = request.url.copy_with(
            scheme=self.url.scheme, host=self.url.host, port=self.url.port
        )
        request.headers["Host"] = f"{self.url.host}:{self.url.port}"
        return self.inner.handle_request(request)


def run_royalty(url: str, rps: float) -> dict[str, float]:
    from royalty.importers import lastfm_api

    with tempfile.TemporaryDirectory() as home:
        cpu, wall = time.process_time(), time.perf_counter()
        summary = lastfm_api.import_user(
            "rj", api_key=API_KEY, api_url=url, max_rps=rps, home=Path(home)
        )
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    pages = math.ceil(summary.total_plays / 200)
    return {
        "wall": wall,
        "cpu": cpu,
        "pages": pages,
        "plays": summary.total_plays,
        "retries": summary.retries,
    }


def run_pylast(url: str) -> dict[str, float]:
    import pylast

    network = pylast.LastFMNetwork(api_key=API_KEY)
    network.enable_proxy({f"all://{network.ws_server[0]}": Redirect(vars(pylast)["httpx"], url)})
    cpu, wall = time.process_time(), time.perf_counter()
    tracks = network.get_user("rj").get_recent_tracks(limit=None, cacheable=False)
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    return {
        "wall": wall,
        "cpu": cpu,
        "pages": math.ceil(len(tracks) / 50),
        "plays": len(tracks),
        "retries": 0,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--plays", type=int, default=20_000)
    parser.add_argument("--latency", type=float, default=0.3)
    parser.add_argument("--rps", type=int, default=5)
    parser.add_argument("--skip-pylast", action="store_true")
    args = parser.parse_args()

    import pandas  # noqa: F401  (imports are start-up cost, not per-page cost)
    import pyarrow.parquet  # noqa: F401
    import pylast  # noqa: F401

    parent, child = mp.Pipe()
    server = mp.get_context("fork").Process(
        target=serve, args=(child, args.plays, args.latency, args.rps), daemon=True
    )
    server.start()
    url = parent.recv()
    bound = args.plays / (200 * args.rps)
    print(
        f"N = {args.plays:,} plays; latency {args.latency * 1000:.0f} ms; limit {args.rps}/s; "
        f"rate bound N/1000 s = {bound:.1f} s; request bound {math.ceil(args.plays / 200) + 3}"
    )
    print(
        f"{'client':8} {'plays':>7} {'wall s':>7} {'ratio':>6} {'requests':>8} {'max/1s':>6} "
        f"{'refused':>7} {'CPU s':>6} {'CPU/page':>9} {'CPU/200':>8}"
    )
    runs = [("royalty", lambda: run_royalty(url, args.rps))]
    if not args.skip_pylast:
        runs.append(("pylast", lambda: run_pylast(url)))
    for name, job in runs:
        result = job()
        parent.send("stats")
        stats = parent.recv()
        per_page = result["cpu"] / max(1, stats["requests"]) * 1000
        per_200 = result["cpu"] / max(1, result["plays"] / 200) * 1000
        print(
            f"{name:8} {result['plays']:>7,} {result['wall']:>7.1f} "
            f"{result['wall'] / bound:>6.2f} {stats['requests']:>8} {stats['max_in_1s']:>6} "
            f"{stats['refused']:>7} {result['cpu']:>6.2f} {per_page:>7.1f}ms "
            f"{per_200:>6.1f}ms"
        )
    parent.send("stop")
    server.join(10)
    print(f"(pid {os.getpid()}; CPU is this process only: all client threads, no server)")


if __name__ == "__main__":
    main()
