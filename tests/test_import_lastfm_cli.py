"""``royalty import`` as a real process: kill -9 and resume, and a concurrent second import."""

from __future__ import annotations

import itertools
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from fake_lastfm import API_KEY, FakeLastfm, Play
from fake_lastfm_plays import expected_rows, make_plays, stored_rows
from royalty import store


def doubled_plays(n: int) -> list[Play]:
    """``n`` plays with same-second pairs, so that page boundaries split some of them."""
    plays: list[Play] = []
    for p in make_plays(n // 2, step=60):
        plays += [p, p]
    return plays


@pytest.fixture
def fake() -> Iterator[FakeLastfm]:
    with FakeLastfm(doubled_plays(4000), latency=0.04) as server:
        yield server


def command(fake: FakeLastfm, *extra: str) -> list[str]:
    return [sys.executable, "-m", "royalty", "import", "rj", "--api-url", fake.url, *extra]


def environment() -> dict[str, str]:
    # ROYALTY_HOME and XDG_CONFIG_HOME come from the autouse fixture in conftest
    return dict(os.environ, LASTFM_API_KEY=API_KEY)


def wait_for(predicate: object, deadline: float) -> bool:
    assert callable(predicate)
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.01)
    return False


def assert_complete_prefix(fake: FakeLastfm) -> list[tuple[object, ...]]:
    """The store holds every play up to its newest one, each once: a prefix, no hole."""
    stored = stored_rows("rj")
    if stored:
        newest = stored[-1][0].timestamp()  # type: ignore[attr-defined]
        assert stored == expected_rows(p for p in fake.plays if p.uts <= newest)
    return stored


@pytest.mark.parametrize("moment", ["after-first-commit", "early"])
def test_kill_9_mid_import_then_resume_ends_exactly_once(
    fake: FakeLastfm, royalty_home: Path, moment: str
) -> None:
    path = store.plays_path("rj", royalty_home)
    proc = subprocess.Popen(
        command(fake, "--max-rps", "8"),
        env=environment(),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    try:
        if moment == "early":  # a few requests in, before anything is committed
            assert wait_for(lambda: len(fake.requests) >= 3, time.monotonic() + 20)
        else:
            assert wait_for(path.exists, time.monotonic() + 20)
        proc.kill()  # SIGKILL: no clean-up, no finally blocks
    finally:
        proc.communicate(timeout=10)
    assert proc.returncode == -9
    stored = assert_complete_prefix(fake)
    assert len(stored) < len(fake.plays)  # it really was stopped mid-import
    if moment == "after-first-commit":
        assert stored
    before = len(fake.requests)
    done = subprocess.run(
        command(fake, "--max-rps", "8"), env=environment(), capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    assert stored_rows("rj") == expected_rows(fake.plays)
    assert f"{len(fake.plays) - len(stored):,} new plays" in done.stdout
    resumed = fake.requests[before:]
    if stored:  # the resume starts at the newest stored second, not at the beginning
        assert {int(r.params["from"]) for r in resumed} == {int(stored[-1][0].timestamp())}  # type: ignore[attr-defined]
    # each run keeps to the limit (two processes cannot share one limiter)
    assert fake.max_in_window(1.0, fake.requests[:before]) <= 8
    gaps = [round(b.t - a.t, 3) for a, b in itertools.pairwise(resumed)]
    assert fake.max_in_window(1.0, resumed) <= 8, gaps


def test_a_second_import_of_the_same_user_is_refused_at_once(
    fake: FakeLastfm, royalty_home: Path
) -> None:
    from royalty.cli_import import import_command

    fake.plays[:] = doubled_plays(1600)  # 8 pages at 3 a second: about 3 s of holding the lock
    fake.latency = 0.2
    env = environment()
    del env["LASTFM_API_KEY"]  # the first run gets the key on its command line
    first = subprocess.Popen(
        command(fake, "--max-rps", "3", "--api-key", API_KEY),
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    lock = store.user_dir("rj", royalty_home) / ".lock"
    try:
        assert wait_for(lambda: lock.exists() and lock.read_text(), time.monotonic() + 20)
        holder = lock.read_text()
        started = time.monotonic()
        import typer

        app = typer.Typer()
        app.command()(import_command)
        second = CliRunner().invoke(app, ["rj", "--api-key", API_KEY, "--api-url", fake.url])
        took = time.monotonic() - started
        out, err = first.communicate(timeout=60)
    finally:
        first.kill()
    assert second.exit_code == 1
    assert second.stderr.startswith("Error: rj's history is being written by another")
    assert took < 5
    assert first.returncode == 0, err
    assert stored_rows("rj") == expected_rows(fake.plays)  # the first run lost nothing
    assert API_KEY not in holder + second.stderr + second.stdout + out + err
    assert str(first.pid) in holder
