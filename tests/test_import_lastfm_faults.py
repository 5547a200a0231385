"""Faults: every transient kind is retried, permanent errors stop at once, nothing is lost."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from typing import Any

import pytest
import typer
from typer.testing import CliRunner

from fake_lastfm import API_KEY, FakeLastfm, Fault
from fake_lastfm_plays import expected_rows, make_plays, stored_rows
from royalty import store
from royalty.cli_import import import_command
from royalty.importers import _lastfm_pages, lastfm_api

TRANSIENT = [
    Fault("error", 8),
    Fault("error", 11),
    Fault("error", 16),
    Fault("error", 29),
    Fault("http", 500),
    Fault("http", 502),
    Fault("http", 503),
    Fault("http", 504),
    Fault("malformed"),
    Fault("truncated"),
    Fault("short"),
    Fault("drop"),
    Fault("timeout", delay=1.0),
]


@pytest.fixture
def fake() -> Iterator[FakeLastfm]:
    with FakeLastfm(make_plays(450), latency=0.002) as server:
        yield server


@pytest.fixture(autouse=True)
def _quick(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(_lastfm_pages, "BACKOFF_BASE", 0.01)


def run(fake: FakeLastfm, **kw: Any) -> lastfm_api.ImportSummary:
    kw.setdefault("timeout", 1.0)
    return lastfm_api.import_user(
        "rj", api_key=kw.pop("api_key", API_KEY), api_url=fake.url, max_rps=50, **kw
    )


def cli(*args: str) -> Any:
    app = typer.Typer()
    app.command()(import_command)
    return CliRunner().invoke(app, list(args))


def kinds(faults: list[Fault]) -> list[str]:
    return [f"{f.kind}-{f.code}" if f.code else f.kind for f in faults]


@pytest.mark.parametrize("times", [1, 3])
@pytest.mark.parametrize("fault", TRANSIENT, ids=kinds(TRANSIENT))
def test_transient_faults_are_retried(fake: FakeLastfm, fault: Fault, times: int) -> None:
    fault.times = times
    fault.page = 2  # the middle page of three, fetched concurrently with the oldest
    fake.inject(fault)
    summary = run(fake, timeout=0.4 if fault.kind == "timeout" else 1.0)
    assert stored_rows("rj") == expected_rows(fake.plays)
    assert fault.times == 0  # every injected fault was met…
    assert summary.retries >= times  # …and retried (a loaded machine may add retries)
    assert [r.params["page"] for r in fake.requests].count("2") >= times + 1


def test_a_fault_on_the_first_page_is_retried_too(fake: FakeLastfm) -> None:
    fake.inject(Fault("http", 503, page=1, times=2))
    summary = run(fake)
    assert summary.retries == 2
    assert stored_rows("rj") == expected_rows(fake.plays)


@pytest.mark.parametrize(
    ("fault", "least"),
    [
        (Fault("error", 29, page=1, retry_after="0.4"), 0.4),
        (Fault("http", 503, page=1, retry_after="0.4"), 0.4),
        (Fault("error", 29, page=1, retry_after_date=2.0), 1.0),  # whole seconds: 1 to 2 s
    ],
)
def test_retry_after_is_honoured(fake: FakeLastfm, fault: Fault, least: float) -> None:
    fake.inject(fault)
    run(fake)
    first, second = fake.requests[0], fake.requests[1]
    assert first.outcome == fault.kind
    assert second.t - first.t >= least


def test_retries_exhausted_keep_a_complete_prefix_and_resume(
    fake: FakeLastfm, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(_lastfm_pages, "COMMIT_SECONDS", 0.0)
    monkeypatch.setattr(_lastfm_pages, "MAX_RETRIES", 2)
    fake.inject(Fault("http", 502, page=2, times=100, wait=0.1))
    with pytest.raises(lastfm_api.LastfmError, match="run the same command again") as info:
        run(fake)
    assert info.value.code == 502
    stored = stored_rows("rj")
    assert stored  # page 3 (the oldest) arrived and was committed
    newest = stored[-1][0].timestamp()
    assert stored == expected_rows(p for p in fake.plays if p.uts <= newest)  # no hole
    fake.clear_faults()
    run(fake)
    assert stored_rows("rj") == expected_rows(fake.plays)


PERMANENT = {6: "no user", 10: "rejected the API key", 17: "private", 26: "suspended"}


@pytest.mark.parametrize("code", sorted(PERMANENT))
def test_permanent_errors_stop_at_once_with_one_line(fake: FakeLastfm, code: int) -> None:
    user, key = "rj", API_KEY
    if code == 6:
        user = "nobody"
    elif code == 10:
        key = "0" * 32
    elif code == 17:
        fake.private_users = ("rj",)
    else:
        fake.suspended_keys = (key,)
    result = cli(user, "--api-key", key, "--api-url", fake.url)
    assert result.exit_code == 1
    lines = result.stderr.splitlines()
    assert len(lines) == 1
    assert lines[0].startswith("Error: ")
    assert PERMANENT[code] in lines[0]
    assert len(fake.requests) == 1  # not retried
    assert not store.has_user(user)


def test_a_permanent_error_mid_import_keeps_the_prefix(
    fake: FakeLastfm, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(_lastfm_pages, "COMMIT_SECONDS", 0.0)
    fake.inject(Fault("error", 26, page=2, wait=0.5))  # the oldest page arrives first
    with pytest.raises(lastfm_api.LastfmError) as info:
        run(fake)
    assert info.value.code == 26
    stored = stored_rows("rj")
    newest = stored[-1][0].timestamp()
    assert stored == expected_rows(p for p in fake.plays if p.uts <= newest)


def test_a_wrong_api_url_is_not_retried(fake: FakeLastfm) -> None:
    fake.inject(Fault("http", 404))  # an HTML 404 page, as from a wrong path
    result = cli("rj", "--api-key", API_KEY, "--api-url", fake.url)
    assert result.exit_code == 1
    assert len(fake.requests) == 1
    assert "HTTP 404" in result.stderr
    assert "--api-url" in result.stderr


def test_missing_key_says_where_to_get_one(fake: FakeLastfm) -> None:
    result = cli("rj", "--api-url", fake.url)
    assert result.exit_code == 1
    assert result.stderr.startswith("Error: no Last.fm API key")
    assert "https://www.last.fm/api/account/create" in result.stderr
    assert "LASTFM_API_KEY" in result.stderr
    assert fake.requests == []


def test_key_from_environment_then_config_file(
    fake: FakeLastfm, monkeypatch: pytest.MonkeyPatch
) -> None:
    from royalty.config import config_path

    path = config_path()
    path.parent.mkdir(parents=True)
    path.write_text(f'[lastfm]\napi_key = "{API_KEY}"\napi_url = "{fake.url}"\n')
    result = cli("rj")
    assert result.exit_code == 0, result.stderr
    assert stored_rows("rj") == expected_rows(fake.plays)
    monkeypatch.setenv("LASTFM_API_KEY", "0" * 32)  # the environment beats the file
    result = cli("rj")
    assert result.exit_code == 1
    assert "rejected the API key" in result.stderr


def test_key_and_url_from_the_environment(
    fake: FakeLastfm, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LASTFM_API_KEY", API_KEY)
    monkeypatch.setenv("LASTFM_API_URL", fake.url)
    result = cli("rj")
    assert result.exit_code == 0, result.stderr
    assert stored_rows("rj") == expected_rows(fake.plays)
    result = cli("rj", "--api-key", "0" * 32)  # the option beats the environment
    assert result.exit_code == 1
    assert "rejected the API key" in result.stderr


def test_the_key_never_appears_in_output_logs_or_store(
    fake: FakeLastfm, caplog: pytest.LogCaptureFixture, royalty_home: Any
) -> None:
    caplog.set_level(logging.DEBUG)
    echo = Fault("error", 16, page=2, times=2, message=f"backend choked on key {API_KEY}")
    fake.inject(echo)
    fake.inject(Fault("drop", page=3))  # and a network error
    ok = cli("rj", "--api-key", API_KEY, "--api-url", fake.url)
    assert ok.exit_code == 0, ok.stderr
    fake.inject(Fault("error", 16, times=100, message=f"?api_key={API_KEY} failed"))
    failed = cli("rj", "--api-key", API_KEY, "--api-url", fake.url + "?api_key=" + API_KEY)
    failed_b = cli("bob", "--api-key", API_KEY, "--api-url", fake.url)
    assert failed.exit_code == failed_b.exit_code == 1
    seen = ok.stdout + ok.stderr + failed.stdout + failed.stderr + failed_b.stderr
    seen += caplog.text
    assert "rj:" in ok.stdout
    assert API_KEY not in seen
    for path in royalty_home.rglob("*"):
        if path.is_file():
            assert API_KEY.encode() not in path.read_bytes(), path


def test_progress_is_quiet_when_stderr_is_not_a_terminal(fake: FakeLastfm) -> None:
    result = cli("rj", "--api-key", API_KEY, "--api-url", fake.url, "--max-rps", "50")
    assert result.exit_code == 0
    assert result.stderr == ""
    assert result.stdout.count("\n") == 1
    assert result.stdout.startswith("rj: 450 new plays; 450 stored, 2017-07-14 to")
