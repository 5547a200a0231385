"""Paths that are not plain files: unreadable ones, devices, pipes, binary files.

The tests run as root here, and root reads a file whatever its mode, so
``chmod 000`` proves nothing. Unreadable paths are made two ways that fail
for root too: a dangling symbolic link (a real failure of the operating
system), and ``os.open`` / ``os.scandir`` replaced in-process by functions
that raise the ``PermissionError`` a normal user would get.
"""

from __future__ import annotations

import os
import signal
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from cli_run import run
from royalty import store
from royalty.errors import RoyaltyError
from royalty.importers import _containers, read_files

CSV = "Biome,Kora,Let Me,20 Nov 2020 09:35\nSJD,Dandelion,I Love You,20 Nov 2020 09:40\n"


@pytest.fixture
def no_hang() -> Iterator[None]:
    """Fail a test that blocks (on a pipe) instead of hanging the suite."""

    def stop(*_: Any) -> None:
        raise TimeoutError("blocked for 10 s")

    previous = signal.signal(signal.SIGALRM, stop)
    signal.alarm(10)
    yield
    signal.alarm(0)
    signal.signal(signal.SIGALRM, previous)


def folder_with(tmp_path: Path, **files: str) -> Path:
    folder = tmp_path / "exports"
    folder.mkdir()
    (folder / "good.csv").write_text(CSV)
    for name, text in files.items():
        (folder / name).write_text(text)
    return folder


def deny(monkeypatch: pytest.MonkeyPatch, function: str, target: Path) -> None:
    """Make ``os.<function>(target)`` fail with EACCES, as it would for a normal user."""
    real = getattr(os, function)

    def denied(path: Any, *args: Any, **kwargs: Any) -> Any:
        if os.fspath(path) == os.fspath(target):
            raise PermissionError(13, "Permission denied", os.fspath(path))
        return real(path, *args, **kwargs)

    monkeypatch.setattr(os, function, denied)


def test_a_dangling_link_given_directly_is_an_error_line(tmp_path: Path) -> None:
    link = tmp_path / "scrobbles.csv"
    link.symlink_to(tmp_path / "gone.csv")
    code, _, err = run("stats", "--file", str(link))
    assert (code, err) == (1, f"Error: {link}: a link to something that does not exist\n")


def test_a_dangling_link_inside_a_folder_stops_the_import(tmp_path: Path) -> None:
    folder = folder_with(tmp_path)
    (folder / "old.csv").symlink_to(tmp_path / "gone.csv")
    with pytest.raises(RoyaltyError, match=f"^{folder / 'old.csv'}: a link to something"):
        read_files(folder)


def test_an_unreadable_file_given_directly_is_an_error_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "scrobbles.csv"
    path.write_text(CSV)
    deny(monkeypatch, "open", path)
    code, _, err = run("stats", "--file", str(path))
    assert (code, err) == (1, f"Error: {path}: cannot read it: permission denied\n")


def test_an_unreadable_file_inside_a_folder_stops_the_import_and_the_store_stays(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert run("import", "listener", "--file", str(folder_with(tmp_path)))[0] == 0
    before = store.plays_path("listener").read_bytes()
    more = tmp_path / "more"
    more.mkdir()
    (more / "a.csv").write_text(CSV)
    (more / "b.csv").write_text(CSV.replace("2020", "2021"))
    deny(monkeypatch, "open", more / "b.csv")
    code, _, err = run("import", "listener", "--file", str(more))
    assert (code, err) == (1, f"Error: {more / 'b.csv'}: cannot read it: permission denied\n")
    assert store.plays_path("listener").read_bytes() == before


def test_an_unreadable_folder_inside_a_folder_stops_the_import(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = folder_with(tmp_path)
    (folder / "2019").mkdir()
    deny(monkeypatch, "scandir", folder / "2019")
    with pytest.raises(RoyaltyError, match=f"^{folder / '2019'}: cannot read this folder: perm"):
        read_files(folder)


def test_an_unreadable_folder_given_directly_is_an_error_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = folder_with(tmp_path)
    deny(monkeypatch, "scandir", folder)
    code, _, err = run("compare", "--file", str(folder))
    assert (code, err) == (1, f"Error: {folder}: cannot read this folder: permission denied\n")


@pytest.mark.parametrize("device", ["/dev/zero", "/dev/urandom", "/dev/null"])
def test_a_device_is_refused_without_reading_it(device: str, no_hang: None) -> None:
    code, _, err = run("stats", "--file", device)
    assert (code, err) == (1, f"Error: {device}: a device, not a file, zip or folder; "
                              "give an export file\n")  # fmt: skip


def test_a_pipe_is_refused_without_waiting_on_it(tmp_path: Path, no_hang: None) -> None:
    fifo = tmp_path / "scrobbles.csv"
    os.mkfifo(fifo)
    code, _, err = run("import", "listener", "--file", str(fifo))
    assert code == 1
    assert err == f"Error: {fifo}: a pipe (FIFO), not a file, zip or folder; give an export file\n"
    assert not store.has_user("listener")


def test_a_pipe_inside_a_folder_is_passed_over_and_listed(tmp_path: Path, no_hang: None) -> None:
    folder = folder_with(tmp_path)
    os.mkfifo(folder / "pipe.csv")
    result = read_files(folder)
    assert len(result.plays) == 2
    assert [(f.name, f.note) for f in result.passed_over] == [
        (str(folder / "pipe.csv"), "a pipe (FIFO), not a file")
    ]


def test_a_file_that_turns_into_a_pipe_after_the_check_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, no_hang: None
) -> None:
    # The check (stat) and the open are two steps; the open must not wait either.
    path = tmp_path / "scrobbles.csv"
    os.mkfifo(path)
    monkeypatch.setattr(_containers, "_mode", lambda name: 0o100644)  # "a regular file"
    with pytest.raises(RoyaltyError, match=r"a pipe \(FIFO\), not a file"):
        read_files(path)


def test_a_binary_file_inside_a_folder_is_passed_over_even_with_a_history_name(
    tmp_path: Path,
) -> None:
    folder = folder_with(tmp_path)
    (folder / "scrobbles.csv").write_bytes(b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR" * 10)
    (folder / "song.flac").write_bytes(b"fLaC\0\0\0\x22" + bytes(200_000))
    result = read_files(folder, max_file_size=100_000)  # the FLAC is not read whole
    assert len(result.plays) == 2
    assert {f.name: f.note for f in result.passed_over} == {
        str(folder / "scrobbles.csv"): "a binary file, not a listening history",
        str(folder / "song.flac"): "a binary file, not a listening history",
    }
    code, _, err = run("stats", "--file", str(folder / "scrobbles.csv"))  # given directly
    assert code == 1 and err.startswith(f"Error: {folder / 'scrobbles.csv'}: line 3: NUL byte")


def test_a_folder_linked_into_itself_is_listed_once(tmp_path: Path) -> None:
    folder = folder_with(tmp_path)
    (folder / "loop").symlink_to(folder)
    result = read_files(folder)
    assert [f.name for f in result.files] == [str(folder / "good.csv")]


@pytest.mark.parametrize(
    "data",
    [b"\x7fELF\x02\x01\x01\0\0\0", b'x,"a\rb\nc\0d', b"ID3\x04\0\0\0\0\0#TIT2", bytes(range(256))],
)
def test_a_binary_file_given_directly_is_one_line_naming_its_first_nul(
    tmp_path: Path, data: bytes
) -> None:
    import gzip

    path = tmp_path / "scrobbles.csv"
    path.write_bytes(data + bytes(300_000))
    code, _, err = run("stats", "--file", str(path), "--max-file-size", "0.1")  # never read whole
    line = data[: data.index(b"\0")].count(b"\n") + 1
    assert (code, err) == (1, f"Error: {path}: line {line}: NUL byte: this is a binary "
                              "file, not text\n")  # fmt: skip
    path.write_bytes(gzip.compress(b"\0\1\2" * 1000))  # binary inside gzip, given directly
    code, _, err = run("stats", "--file", str(path))
    assert (code, err) == (1, f"Error: {path}: line 1: NUL byte: this is a binary file, not text\n")


def test_a_stray_nul_byte_in_a_text_export_is_a_bad_row_not_a_binary_file(tmp_path: Path) -> None:
    folder = folder_with(
        tmp_path, **{"old.csv": CSV.replace("2020", "2019") + "A\0,B,C,21 Nov 2019 09:30\n"}
    )
    with pytest.raises(RoyaltyError, match=r"old\.csv: line 3: NUL byte"):
        read_files(folder)
    assert len(read_files(folder, skip_bad_rows=True).plays) == 4
