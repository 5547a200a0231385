"""What every command shares: -h, --version, help without Python types, exit codes, completion."""

from __future__ import annotations

import os
import re
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from typer.main import get_command

import royalty
from cli_run import run
from royalty.cli import app
from test_tooling import tool


def every_command() -> Iterator[list[str]]:
    """The words that name each command: ``["compare"]``, ``["population", "import"]``."""

    def walk(command: Any, words: list[str]) -> Iterator[list[str]]:
        subs = getattr(command, "commands", None)
        if subs:
            yield words
            for name, sub in subs.items():
                yield from walk(sub, [*words, name])
        else:
            yield words

    yield from walk(get_command(app), [])


COMMANDS = list(every_command())


def installed(*args: str, home: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "ROYALTY_HOME": str(home)}
    return subprocess.run(
        [tool("royalty"), *args], env=env, capture_output=True, text=True, check=False
    )


def test_every_command_is_walked() -> None:
    names = {" ".join(words) for words in COMMANDS}
    assert {"", "compare", "chart", "population", "population compare", "users"} <= names


@pytest.mark.parametrize("words", COMMANDS, ids=lambda w: " ".join(w) or "royalty")
def test_dash_h_is_help_on_every_command(words: list[str]) -> None:
    code, out, err = run(*words, "-h")
    assert code == 0, err
    assert out.startswith("Usage: ") and out.split()[2 : 2 + len(words)] == words
    assert run(*words, "--help")[1] == out


@pytest.mark.parametrize("words", COMMANDS, ids=lambda w: " ".join(w) or "royalty")
def test_help_shows_no_python_types(words: list[str]) -> None:
    out = run(*words, "-h")[1]
    assert not re.search(r"-[\w-]+ <", out), out  # an option's value shown as <type>
    for python_type in (
        r"<(?:str|int|float|bool|Path|path|list)",
        r"\{\w+\}",
        r"list\[",
        r"\bstr\b",
        r"\bfloat\b",
        r"\bint\b",
    ):
        assert not re.search(python_type, out), (python_type, out)


def test_choices_list_their_values() -> None:
    chart = run("chart", "-h")[1]
    assert "--deal [major|indie|diy|none]" in chart
    for kind in ("compare", "cumulative", "timeline", "sensitivity", "user-centric"):
        assert kind in chart
    assert "--model [pro-rata|user-centric|downloads]" in run("compare", "-h")[1]
    assert "--format [table|csv|json]" in run("stats", "-h")[1]
    assert "--user-from [name|folder]" in run("population", "import", "-h")[1]


def test_import_help_says_file_imports() -> None:
    out = " ".join(run("import", "-h")[1].split())
    assert "Nothing is imported" not in out
    assert "--file PATH Import this listening-history file" in out


def test_version_and_dash_h_through_the_installed_entry_point(tmp_path: Path) -> None:
    proc = installed("--version", home=tmp_path)
    assert proc.returncode == 0 and proc.stdout == f"royalty {royalty.__version__}\n"
    for words in (["-h"], ["compare", "-h"], ["population", "compare", "-h"]):
        proc = installed(*words, home=tmp_path)
        assert proc.returncode == 0, proc.stderr
        assert proc.stdout.startswith("Usage: royalty")


@pytest.mark.parametrize(
    "args",
    [
        ["compare", "--rat", "0.003"],
        ["compare", "--format", "bogus"],
        ["compare", "--rate", "abc"],
        ["compare", "--deal", "foo"],
        ["chart", "compare", "--deal", "foo"],
        ["chart", "bogus"],
        ["stats", "--top", "x"],
        ["users", "--format", "xml"],
        ["population", "import", "src", "--to", "d", "--user-from", "parent"],
        ["population", "compare"],
        ["import"],
    ],
)
def test_usage_mistakes_are_exit_2_with_a_usage_line(args: list[str]) -> None:
    code, out, err = run(*args)
    assert code == 2, err
    assert out == ""
    lines = err.strip().splitlines()
    assert lines[0].startswith("Usage: ") and lines[0].split()[2] == args[0]
    assert lines[-1].startswith("Error: ")
    assert "Value error" not in err and "Input should be" not in err  # the validator's words


def test_the_same_convention_through_the_installed_entry_point(tmp_path: Path) -> None:
    for args in (["compare", "--rat", "0.003"], ["chart", "compare", "--deal", "foo"]):
        proc = installed(*args, home=tmp_path)
        assert proc.returncode == 2, proc.stderr
        assert proc.stderr.startswith("Usage: royalty ") and "Error: " in proc.stderr
        assert "Traceback" not in proc.stderr
    proc = installed("chart", "compare", "--rate", "-1", home=tmp_path)
    assert proc.returncode == 1
    assert proc.stderr.startswith("Error: ") and len(proc.stderr.splitlines()) == 1


@pytest.mark.parametrize(
    ("args", "typed"),
    [
        (["compare", "--min-album-plays", "0"], "--min-album-plays"),
        (["compare", "--cd-margin", "-1"], "--cd-margin"),
        (["compare", "--min-seconds", "-1"], "--min-seconds"),
        (["compare", "--rate", "nan"], "--rate"),
        (["chart", "cumulative", "--min-album-plays", "0"], "--min-album-plays"),
    ],
)
def test_errors_name_options_as_typed(args: list[str], typed: str) -> None:
    code, out, err = run(*args)
    assert code == 1 and out == ""
    assert err.startswith(f"Error: {typed} must be")
    assert "_" not in err.split(" must ")[0]


def test_chart_output_to_a_folder_says_it_is_a_folder(tmp_path: Path) -> None:
    code, _, err = run("chart", "compare", "-o", str(tmp_path))
    assert code == 1
    assert err.startswith("Error: ") and "is a folder" in err


def test_shell_completion_as_typer_documents_it(tmp_path: Path) -> None:
    assert "--install-completion" in run("-h")[1]
    proc = installed("--show-completion", "bash", home=tmp_path)
    assert proc.returncode == 0 and "_ROYALTY_COMPLETE" in proc.stdout
    env = {
        **os.environ,
        "ROYALTY_HOME": str(tmp_path),
        "_ROYALTY_COMPLETE": "complete_bash",
        "COMP_WORDS": "royalty chart cu",
        "COMP_CWORD": "2",
    }
    proc = subprocess.run([tool("royalty")], env=env, capture_output=True, text=True, check=False)
    assert proc.stdout.split() == ["cumulative"]


def test_chart_top_0_draws_every_artist(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from royalty import cli_chart

    drawn: list[int] = []
    real = cli_chart.draw

    def keep(kind: str, history: Any, scenario: Any, top: int) -> Any:
        drawn.append(top)
        return real(kind, history, scenario, top)

    monkeypatch.setattr(cli_chart, "draw", keep)
    path = tmp_path / "plays.csv"
    rows = [
        f'"{1_300_000_000 + 600 * i}","","Artist {i % 23}","","A","","t{i}",""' for i in range(99)
    ]
    path.write_text(
        "uts,utc_time,artist,artist_mbid,album,album_mbid,track,track_mbid\n" + "\n".join(rows),
        encoding="utf-8",
    )
    for kind in ("compare", "cumulative"):
        code, _, err = run(
            "chart", kind, "--file", str(path), "--top", "0", "-o", str(tmp_path / "c.png")
        )
        assert code == 0, err
    assert drawn == [23, 23]


@pytest.mark.parametrize("kind", ["timeline", "sensitivity", "population-lorenz"])
def test_chart_top_is_refused_where_it_means_nothing(kind: str, tmp_path: Path) -> None:
    code, out, err = run("chart", kind, "--top", "5", "-o", str(tmp_path / "c.png"))
    assert code == 1 and out == ""
    assert err.startswith("Error: --top only applies to the compare, cumulative")
    assert not list(tmp_path.iterdir())


@pytest.mark.parametrize("words", COMMANDS, ids=lambda w: " ".join(w) or "royalty")
def test_every_command_help_ends_with_an_example(words: list[str]) -> None:
    out = run(*words, "-h")[1]
    assert "Example:" in out
    assert f"royalty {' '.join(words)}" in out.split("Example:")[1]


def test_the_readme_says_what_the_conventions_are() -> None:
    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text("utf-8")
    section = readme.split("### Using the command line")[1].split("\n## ")[0]
    for said in ("-h", "--version", "**2**", "**1**", "--install-completion", "--show-completion"):
        assert said in section, said
