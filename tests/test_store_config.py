"""A config file that is not a small regular TOML file: one Error line, never a hang."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pytest

from cli_run import run
from royalty.config import config_path, read_config
from royalty.errors import UsageError


def fifo(path: Path) -> None:
    os.mkfifo(path)


def folder(path: Path) -> None:
    path.mkdir()


def endless(path: Path) -> None:
    path.symlink_to("/dev/zero")


def huge(path: Path) -> None:
    path.write_text("# a comment\n" * 200_000)


def latin1(path: Path) -> None:
    path.write_bytes(b'[lastfm]\napi_url = "http://caf\xe9/"\n')


@pytest.mark.parametrize(
    ("make", "reason"),
    [
        (fifo, "not a regular file"),
        (folder, "not a regular file"),
        (endless, "not a regular file"),
        (huge, "larger than 1 MB"),
        (latin1, "utf-8"),
    ],
)
def test_a_config_file_that_cannot_be_used_is_one_error_line(
    make: Callable[[Path], None], reason: str
) -> None:
    path = config_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    make(path)
    with pytest.raises(UsageError, match=reason):
        read_config()
    code, out, err = run("rates")
    assert code == 1 and out == ""
    assert err.startswith("Error: cannot read the config file") and reason in err
    assert len(err.strip().splitlines()) == 1


def test_a_good_config_file_is_still_read() -> None:
    path = config_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text('[lastfm]\napi_url = "http://127.0.0.1:1/"\n', encoding="utf-8")
    assert read_config() == {"lastfm": {"api_url": "http://127.0.0.1:1/"}}
