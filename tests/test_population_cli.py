"""``royalty population compare`` end to end: formats, options, bad input, a real scheduler."""

from __future__ import annotations

import csv
import io
import json
import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from cli_run import run
from population_helpers import dataset, random_plays, reference
from royalty.population.params import PopulationParams

MODEL_COLUMNS = ["pro_rata", "user_centric", "artist_centric", "threshold"]


@pytest.fixture(scope="module")
def pop(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("cli") / "pop"
    dataset(random_plays(listeners=800, plays=12_000, artists=150, seed=11), path, buckets=3)
    return path


@pytest.fixture(scope="module")
def scheduler() -> Iterator[str]:
    """A `dask scheduler` and two `dask worker` processes on 127.0.0.1 (the venv's CLI)."""
    exe = shutil.which("dask", path=str(Path(sys.executable).parent))
    assert exe is not None, "the dask command comes with distributed"
    port = free_port()
    address = f"tcp://127.0.0.1:{port}"
    common = {"stdout": subprocess.DEVNULL, "stderr": subprocess.DEVNULL}
    procs = [
        subprocess.Popen([exe, "scheduler", "--host", "127.0.0.1", "--port", str(port),
                          "--dashboard-address", "127.0.0.1:0", "--no-show"], **common)  # type: ignore[call-overload]
    ]  # fmt: skip
    try:
        wait_for_port(port)
        for _ in range(2):
            procs.append(
                subprocess.Popen([exe, "worker", address, "--nthreads", "1", "--nworkers", "1",
                                  "--host", "127.0.0.1", "--no-dashboard"], **common)  # type: ignore[call-overload]
            )  # fmt: skip
        yield address
    finally:
        for proc in procs[::-1]:
            proc.terminate()
        for proc in procs:
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                proc.kill()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def wait_for_port(port: int) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.2)
    pytest.fail("the dask scheduler did not start")


def records(*args: str) -> list[dict[str, object]]:
    code, out, err = run("population", "compare", *args, "--format", "json")
    assert code == 0, err
    rows = json.loads(out)
    assert isinstance(rows, list)
    return rows


def test_json_records_against_the_reference_on_an_existing_scheduler(
    pop: Path, scheduler: str
) -> None:
    rows = records(str(pop), "--scale", "40", "--top", "0", "--scheduler", scheduler)
    assert list(rows[0]) == ["artist", "plays", "listeners", *MODEL_COLUMNS]
    plays = random_plays(listeners=800, plays=12_000, artists=150, seed=11)
    ref = reference(plays, PopulationParams(scale=40))
    assert len(rows) == len(ref)
    for row in rows:
        want = ref.loc[str(row["artist"])]
        assert row["plays"] == want["plays"] and row["listeners"] == want["listeners"]
        for column in MODEL_COLUMNS:
            assert row[column] == pytest.approx(want[column], rel=1e-9), column
    assert [r["pro_rata"] for r in rows] == sorted((r["pro_rata"] for r in rows), reverse=True)


def test_dask_scheduler_address_from_the_environment(
    pop: Path, scheduler: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DASK_SCHEDULER_ADDRESS", scheduler)
    rows = records(str(pop), "--model", "user-centric", "--top", "3")
    assert len(rows) == 3 and list(rows[0]) == ["artist", "plays", "listeners", "pro_rata",
                                                "user_centric"]  # fmt: skip


def test_table_names_population_models_sources_money_and_bands(pop: Path, scheduler: str) -> None:
    code, out, err = run("population", "compare", str(pop), "--scale", "40", "--top", "5",
                         "--scheduler", scheduler)  # fmt: skip
    assert code == 0, err
    assert "synthetic" in out
    assert "USD at the rights-holder level" in out
    for text in ("Deezer", "Spotify", "Thresholds as used (scale 40", "25 streams from 13"):
        assert text in out, text
    for text in ("Rank bands under pro-rata", "1–10", "11–100", "101–1,000", "Gini", "Median gain"):
        assert text in out, text
    table = out.split("Top 5 of ")[1].split("\n\n")[1].splitlines()
    assert len(table) == 2 + 5


def test_csv_and_markdown_and_meta(pop: Path, scheduler: str, tmp_path: Path) -> None:
    code, out, err = run("population", "compare", str(pop), "--format", "csv", "--top", "4",
                         "--scheduler", scheduler)  # fmt: skip
    assert code == 0, err
    rows = list(csv.DictReader(io.StringIO(out)))
    assert len(rows) == 4 and list(rows[0]) == ["artist", "plays", "listeners", *MODEL_COLUMNS]
    code, out, err = run("population", "compare", str(pop), "--format", "json", "--top", "4",
                         "--scheduler", scheduler)  # fmt: skip
    assert code == 0, err
    # CSV and JSON carry the same unrounded figures: every float reads back exactly
    for row, record in zip(rows, json.loads(out), strict=True):
        assert row["artist"] == record["artist"] and int(row["plays"]) == record["plays"]
        assert [float(row[c]) for c in MODEL_COLUMNS] == [record[c] for c in MODEL_COLUMNS]
    target = tmp_path / "meta.json"
    code, out, err = run("population", "compare", str(pop), "--format", "json", "--with-meta",
                         "--scale", "40", "--top", "0", "-o", str(target),
                         "--scheduler", scheduler)  # fmt: skip
    assert code == 0 and out == "", err
    doc = json.loads(target.read_text("utf-8"))
    assert doc["population"]["synthetic"] is True
    assert doc["parameters"]["currency"] == "USD" and "rights holders" in doc["parameters"]["level"]
    assert doc["parameters"]["artist_centric"]["professional_streams_a_month"] == 25
    assert [m["model"] for m in doc["models"]] == ["pro-rata", "user-centric", "artist-centric",
                                                   "threshold"]  # fmt: skip
    assert all(m["source"] for m in doc["models"])
    assert doc["bands"][0]["band"] == "1–10" and "user_centric_change" in doc["bands"][0]
    assert {c["model"] for c in doc["concentration"]} == {m["model"] for m in doc["models"]}
    assert len(doc["gains"]) == 3
    pool = sum(m["pool"] for m in doc["months"])
    assert sum(a["threshold"] for a in doc["artists"]) == pytest.approx(pool)
    code, out, err = run("population", "compare", str(pop), "--format", "markdown", "--top", "2",
                         "--scheduler", scheduler)  # fmt: skip
    assert code == 0 and "| Rank | Artist |" in out and "## Rank bands" in out, err


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["--scale", "0"], "--scale"),
        (["--scale", "-3"], "--scale"),
        (["--fee", "0"], "--fee"),
        (["--payout-ratio", "2"], "--payout-ratio"),
        (["--top", "-1"], "--top"),
        (["--with-meta"], "--with-meta"),
        (["--since", "2024-02-01", "--until", "2024-01-01"], "before"),
        (["--since", "yesterday"], "date"),
        (["--workers", "0"], "--workers"),
        (["--workers", "2", "--scheduler", "tcp://127.0.0.1:1"], "--workers"),
    ],
)
def test_bad_options_get_one_line_and_exit_1(pop: Path, args: list[str], says: str) -> None:
    code, out, err = run("population", "compare", str(pop), *args)
    assert code == 1 and out == ""
    assert err.startswith("Error: ") and len(err.splitlines()) == 1 and says in err


def test_not_a_dataset_gets_one_line(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("hello", "utf-8")
    for target in (tmp_path, tmp_path / "missing"):
        code, out, err = run("population", "compare", str(target))
        assert code == 1 and out == "" and err.startswith("Error: ")
        assert len(err.splitlines()) == 1


def test_unreachable_scheduler_gets_one_line(pop: Path) -> None:
    import dask

    with dask.config.set({"distributed.comm.timeouts.connect": "2s"}):
        code, out, err = run("population", "compare", str(pop), "--scheduler",
                             f"tcp://127.0.0.1:{free_port()}")  # fmt: skip
    assert code == 1 and out == ""
    assert err.startswith("Error: cannot reach the Dask scheduler") and len(err.splitlines()) == 1


def test_the_installed_command_runs_a_local_cluster(pop: Path, tmp_path: Path) -> None:
    exe = shutil.which("royalty", path=str(Path(sys.executable).parent))
    assert exe is not None
    env = {k: v for k, v in os.environ.items() if k != "DASK_SCHEDULER_ADDRESS"}
    proc = subprocess.run(
        [exe, "population", "compare", str(pop), "--workers", "2", "--format", "json",
         "--top", "2", "--model", "user-centric"],
        capture_output=True, text=True, check=False, env=env, cwd=tmp_path,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    assert len(json.loads(proc.stdout)) == 2
    assert "Traceback" not in proc.stderr and "[#" not in proc.stdout  # no progress bar off a tty


def test_since_and_until_pay_only_the_plays_of_those_days(pop: Path, scheduler: str) -> None:
    import pandas as pd

    rows = records(str(pop), "--since", "2023-04-01", "--until", "2023-08-31", "--top", "0",
                   "--model", "user-centric", "--scheduler", scheduler)  # fmt: skip
    plays = random_plays(listeners=800, plays=12_000, artists=150, seed=11)
    start, end = pd.Timestamp("2023-04-01", tz="UTC"), pd.Timestamp("2023-09-01", tz="UTC")
    inside = plays[(plays["played_at"] >= start) & (plays["played_at"] < end)]
    ref = reference(inside, PopulationParams())
    assert {str(r["artist"]) for r in rows} == set(ref.index)
    for row in rows:
        want = ref.loc[str(row["artist"])]
        assert row["plays"] == want["plays"]
        assert row["pro_rata"] == pytest.approx(want["pro_rata"], rel=1e-9)
        assert row["user_centric"] == pytest.approx(want["user_centric"], rel=1e-9)
