"""Running the royalty CLI in-process for tests: exit code, stdout and stderr apart."""

from __future__ import annotations

import json
from typing import Any

from typer.testing import CliRunner

from royalty.cli import app

_runner = CliRunner()


def run(*args: str) -> tuple[int, str, str]:
    """Invoke ``royalty ARGS…`` and return (exit code, stdout, stderr)."""
    result = _runner.invoke(app, list(args))
    return result.exit_code, result.stdout, result.stderr


COMPARE_COLUMNS = [
    "artist",
    "plays",
    "streams",
    "streams_without_album",
    "albums",
    "streaming_payout",
    "streaming_payout_low",
    "streaming_payout_high",
    "cd_payout",
    "cd_payout_low",
    "cd_payout_high",
    "difference",
    "verdict",
    "breakeven_plays",
    "crossover_date",
]
"""The columns of ``royalty compare``'s table, in order (written out, not read from the code)."""


def run_json(*args: str) -> Any:
    """``royalty ARGS… --format json``, which must succeed, parsed."""
    code, out, err = run(*args, "--format", "json")
    assert code == 0, err
    return json.loads(out)


def run_rows(*args: str) -> list[dict[str, object]]:
    """Like :func:`run_json`, for output that must be a list of rows."""
    data = run_json(*args)
    assert isinstance(data, list)
    return data


def by_artist(rows: object) -> dict[str, dict[str, object]]:
    """Rows keyed by their artist."""
    assert isinstance(rows, list)
    return {str(r["artist"]): r for r in rows}
