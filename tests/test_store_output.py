"""``--output`` and ``chart -o`` write regular files only, atomically, through symlinks."""

from __future__ import annotations

import errno
import os
import stat
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from cli_run import run
from royalty import fileio, schema, store


def one_error_line(code: int, out: str, err: str, *words: str) -> None:
    """The command failed with exit 1 and one ``Error:`` line holding ``words``.

    The only other line allowed is the note that the bundled sample was used.
    """
    assert code == 1
    assert out == ""
    *notes, last = err.strip().splitlines()
    assert last.startswith("Error: ")
    assert all(note.startswith("Using the bundled sample") for note in notes), err
    for word in words:
        assert word in last


def test_compare_refuses_a_fifo_and_leaves_it_alone(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    one_error_line(*run("compare", "--top", "1", "--output", str(fifo)), "FIFO", "not a file")
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["pipe"]


def test_compare_refuses_a_device(tmp_path: Path) -> None:
    device = tmp_path / "null"
    try:  # a device of our own (tests run as root), so a bug cannot replace /dev/null
        os.mknod(device, 0o666 | stat.S_IFCHR, os.makedev(1, 3))
    except PermissionError:
        pytest.skip("cannot create a device here")
    one_error_line(*run("compare", "--top", "1", "--output", str(device)), "a device")
    assert stat.S_ISCHR(os.lstat(device).st_mode)


def test_a_link_to_a_device_is_refused_and_stays_a_link(tmp_path: Path) -> None:
    link = tmp_path / "out.csv"
    link.symlink_to("/dev/null")
    one_error_line(*run("compare", "--top", "1", "--output", str(link)), "a device")
    assert link.is_symlink() and os.readlink(link) == "/dev/null"


@pytest.mark.parametrize("exists", [True, False])
def test_output_is_written_through_a_symlink(tmp_path: Path, exists: bool) -> None:
    real = tmp_path / "real.csv"
    if exists:
        real.write_text("old\n")
    link = tmp_path / "link.csv"
    link.symlink_to(real)
    code, _, err = run("compare", "--top", "1", "--format", "csv", "--output", str(link))
    assert code == 0, err
    assert link.is_symlink() and os.readlink(link) == str(real)
    assert real.read_text("utf-8").startswith("artist,")
    code, expected, _ = run("compare", "--top", "1", "--format", "csv")
    assert real.read_text("utf-8") == expected


def test_an_output_name_too_long_is_one_error_line(tmp_path: Path) -> None:
    long_name = tmp_path / ("x" * 300 + ".csv")
    one_error_line(*run("compare", "--output", str(long_name)), "too long")
    one_error_line(*run("chart", "compare", "-o", str(tmp_path / ("y" * 300 + ".png"))), "too long")


def test_a_name_near_the_limit_is_written(tmp_path: Path) -> None:
    # 250 characters fit the file system; the temporary file's name must fit too.
    target = tmp_path / ("z" * 246 + ".csv")
    code, _, err = run("compare", "--top", "1", "--format", "csv", "--output", str(target))
    assert code == 0, err
    assert target.read_text("utf-8").startswith("artist,")


def test_chart_to_a_folder_says_it_is_a_folder(tmp_path: Path) -> None:
    one_error_line(*run("chart", "compare", "-o", str(tmp_path)), "is a folder")


def test_chart_refuses_a_fifo_and_writes_through_a_link(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe.png"
    os.mkfifo(fifo)
    one_error_line(*run("chart", "timeline", "-o", str(fifo)), "FIFO")
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode)
    real, link = tmp_path / "real.png", tmp_path / "link.png"
    link.symlink_to(real)
    code, _, err = run("chart", "timeline", "-o", str(link))
    assert code == 0, err
    assert link.is_symlink() and real.read_bytes().startswith(b"\x89PNG")


def test_a_replaced_file_keeps_its_permissions(tmp_path: Path) -> None:
    target = tmp_path / "private.csv"
    target.write_text("old\n")
    target.chmod(0o600)
    code, _, err = run("compare", "--top", "1", "--format", "csv", "--output", str(target))
    assert code == 0, err
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    assert target.read_text("utf-8") != "old\n"


def test_a_full_disk_leaves_the_old_output(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "out.csv"
    target.write_text("old\n")

    def full(fd: int) -> None:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(fileio.os, "fsync", full)
    one_error_line(
        *run("compare", "--format", "csv", "--output", str(target)), "No space left on device"
    )
    assert target.read_text() == "old\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.csv"]


def test_a_failed_chart_leaves_the_old_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "chart.png"
    target.write_bytes(b"old")

    def full(fd: int) -> None:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(fileio.os, "fsync", full)
    one_error_line(*run("chart", "timeline", "-o", str(target)), "No space left on device")
    assert target.read_bytes() == b"old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["chart.png"]


def dead_pid() -> int:
    """The id of a process that has ended."""
    proc = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True, check=True)  # fmt: skip
    return int(proc.stdout)


def test_temporary_files_of_killed_writers_are_removed_not_those_of_live_ones(
    tmp_path: Path,
) -> None:
    target = tmp_path / "out.csv"
    stale = fileio.tmp_path(target, dead_pid())
    live = fileio.tmp_path(target, os.getppid())  # a process that runs: maybe writing now
    other = tmp_path / ".other.csv.123.tmp"
    for path in (stale, live, other):
        path.write_text("partial")
    code, _, err = run("compare", "--top", "1", "--format", "csv", "--output", str(target))
    assert code == 0, err
    assert not stale.exists()
    assert live.exists() and other.exists()


def test_the_output_is_never_an_input_file(tmp_path: Path) -> None:
    export = tmp_path / "scrobbles.csv"
    export.write_text("SJD,Dandelion,I Love You,01 Jul 2024 10:01\n", encoding="utf-8")
    before = export.read_bytes()
    link = tmp_path / "out.csv"
    link.symlink_to(export)
    for output in (export, link):
        one_error_line(
            *run("compare", "--file", str(export), "--format", "csv", "--output", str(output)),
            "a file this command reads",
        )
    assert export.read_bytes() == before
    code, _, err = run("compare", "--file", str(export), "-o", str(tmp_path / "result.txt"))
    assert code == 0, err


def test_the_output_is_never_inside_the_store(royalty_home: Path) -> None:
    frame = pd.DataFrame({"played_at": pd.to_datetime(["2024-07-01T10:00:00"], utc=True)})
    frame["artist"], frame["track"] = "SJD", "I Love You"
    store.merge("listener", schema.normalize(frame, source="test"))
    path = store.plays_path("listener")
    before = path.read_bytes()
    one_error_line(*run("compare", "--output", str(path)), "inside royalty's store")
    one_error_line(
        *run("chart", "timeline", "-o", str(path.with_name("chart.png"))), "inside royalty's store"
    )
    assert path.read_bytes() == before
    assert sorted(p.name for p in path.parent.iterdir()) == [".lock", "plays.parquet"]
