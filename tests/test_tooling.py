"""The project's own hygiene: lint, format, types, start-up cost, docs."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def tool(name: str) -> str:
    found = shutil.which(name, path=str(Path(sys.executable).parent)) or shutil.which(name)
    if found is None:
        pytest.fail(f"{name} is not installed: pip install '.[test]'")
    return found


def check(cmd: list[str]) -> None:
    proc = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, check=False)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_ruff_lint() -> None:
    check([tool("ruff"), "check", "."])


def test_ruff_format() -> None:
    check([tool("ruff"), "format", "--check", "."])


def test_mypy_strict_on_src() -> None:
    check([tool("mypy"), "--no-incremental" if os.environ.get("CI") else "--incremental"])


@pytest.mark.parametrize("module", ["royalty", "royalty.cli"])
def test_start_up_imports_nothing_heavy(module: str) -> None:
    code = (
        f"import sys, {module}\n"
        "heavy = {'pandas', 'pyarrow', 'matplotlib', 'pylast', 'numpy'}\n"
        "print(','.join(sorted(heavy & set(sys.modules))))"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert proc.stdout.strip() == ""


def test_public_names_resolve() -> None:
    import royalty

    for name in royalty.__all__:
        assert getattr(royalty, name) is not None


def commands() -> list[str]:
    from typer.main import get_command

    from royalty.cli import app

    group = get_command(app)
    return sorted(group.commands)  # type: ignore[attr-defined]


def test_every_command_has_help_and_is_in_the_readme() -> None:
    from typer.main import get_command

    from royalty.cli import app

    readme = (ROOT / "README.md").read_text("utf-8")
    group = get_command(app)
    for name, command in group.commands.items():  # type: ignore[attr-defined]
        assert (command.help or "").strip(), f"royalty {name} has no help text"
        assert f"royalty {name}" in readme, f"royalty {name} is missing from the README"
        for param in command.params:
            if param.param_type_name == "option" and param.name != "help":
                assert (param.help or "").strip(), f"royalty {name} {param.opts} has no help"


def test_readme_quick_start_has_the_two_commands() -> None:
    readme = (ROOT / "README.md").read_text("utf-8")
    block = re.search(r"## Quick start.*?```bash\n(.*?)```", readme, re.S)
    assert block is not None
    lines = [line for line in block.group(1).splitlines() if line.strip()]
    assert "pip install . && royalty compare --rate 0.0033" in lines
    assert "pip install '.[test]' && pytest" in lines
    ci = (ROOT / ".ci" / "run").read_text("utf-8")
    assert "pip install '.[test]' && pytest" in ci


def test_installed_entry_point_runs_from_anywhere(tmp_path: Path) -> None:
    exe = tool("royalty")
    env = {**os.environ, "ROYALTY_HOME": str(tmp_path / "home")}
    proc = subprocess.run(
        [exe, "compare", "--format", "json", "--top", "3"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    assert "bundled sample" in proc.stderr
    assert '"Radiohead"' in proc.stdout


def test_python_dash_m(tmp_path: Path) -> None:
    env = {**os.environ, "ROYALTY_HOME": str(tmp_path / "home")}
    proc = subprocess.run(
        [sys.executable, "-m", "royalty", "--help"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 0
    for name in commands():
        assert name in proc.stdout


def test_bad_input_through_the_real_process_has_no_traceback(tmp_path: Path) -> None:
    env = {**os.environ, "ROYALTY_HOME": str(tmp_path / "home")}
    proc = subprocess.run(
        [tool("royalty"), "compare", "--rate", "-1"],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 1
    assert proc.stderr.startswith("Error: ") and len(proc.stderr.splitlines()) == 1
    assert proc.stdout == ""


def test_all_lists_every_lazy_name() -> None:
    import royalty

    assert sorted(royalty.__all__) == sorted([*royalty._LAZY, "__version__"])
