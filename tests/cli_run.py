"""Running the royalty CLI in-process for tests: exit code, stdout and stderr apart."""

from __future__ import annotations

from typer.testing import CliRunner

from royalty.cli import app

_runner = CliRunner()


def run(*args: str) -> tuple[int, str, str]:
    """Invoke ``royalty ARGS…`` and return (exit code, stdout, stderr)."""
    result = _runner.invoke(app, list(args))
    return result.exit_code, result.stdout, result.stderr
