"""A store that cannot be written or read: one Error line, exit 1, the store unchanged.

Also: one user's broken store never hides the others, symbolic links in the
data folder work, and killed or failed writes leave nothing behind.
"""

from __future__ import annotations

import errno
import json
import os
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from cli_run import run
from royalty import schema, store
from royalty.errors import StoreError, UserNameError


def plays(*times: str, artist: str = "Radiohead") -> pd.DataFrame:
    """Plays of one track at the given UTC times."""
    frame = pd.DataFrame({"played_at": pd.to_datetime(list(times), utc=True)})
    frame["artist"], frame["track"] = artist, "Airbag"
    return schema.normalize(frame, source="test")


def lastfm_csv(path: Path, *minutes: int) -> Path:
    """A small Last.fm CSV export (artist, album, track, time), plays at 10:MM."""
    path.write_text(
        "".join(f"SJD,Dandelion,I Love You,01 Jul 2024 10:{m:02d}\n" for m in minutes),
        encoding="utf-8",
    )
    return path


def one_error_line(result: tuple[int, str, str], *words: str) -> str:
    """The command failed with exit 1 and one ``Error:`` line holding ``words``."""
    code, out, err = result
    assert code == 1, err
    assert out == ""
    assert err.startswith("Error: ") and len(err.strip().splitlines()) == 1, err
    for word in words:
        assert word in err
    return err


def snapshot(root: Path) -> dict[str, bytes | None]:
    """Every path under ``root`` with its bytes (None for a folder).

    A user's empty ``.lock`` file is left out: taking the lock may create it
    beside stored plays, which changes nothing stored.
    """
    if not root.exists():
        return {}
    return {
        str(p.relative_to(root)): None if p.is_dir() else p.read_bytes()
        for p in sorted(root.rglob("*"))
        if not (p.name == ".lock" and p.is_file() and p.stat().st_size == 0)
    }


# -- a store that cannot be written ------------------------------------------------


def test_a_data_folder_that_cannot_be_made_is_one_error_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the data folder should be")
    monkeypatch.setenv("ROYALTY_HOME", str(blocker / "royalty"))
    csv = lastfm_csv(tmp_path / "plays.csv", 1, 5)
    one_error_line(run("import", "listener", "--file", str(csv)), "cannot write to the data folder")
    assert blocker.read_text() == "a file where the data folder should be"
    with pytest.raises(StoreError, match="ROYALTY_HOME"):
        store.merge("listener", plays("2024-07-01T10:00:00"))


@pytest.mark.parametrize("code", [errno.ENOSPC, errno.EROFS, errno.EACCES])
@pytest.mark.parametrize("first", [True, False])
def test_a_full_disk_is_one_error_line_and_changes_nothing(
    tmp_path: Path, royalty_home: Path, monkeypatch: pytest.MonkeyPatch, first: bool, code: int
) -> None:
    if not first:
        store.merge("listener", plays("2024-01-01T10:00:00"))
    before = snapshot(royalty_home)

    def full(table: object, where: object, **kwargs: object) -> None:
        where.write(b"PAR1 and then the disk was full")  # type: ignore[attr-defined]
        raise OSError(code, os.strerror(code))

    monkeypatch.setattr(pq, "write_table", full)
    csv = lastfm_csv(tmp_path / "plays.csv", 1, 5)
    one_error_line(run("import", "listener", "--file", str(csv)), os.strerror(code))
    # A failed first import leaves no folder and no lock file; a later one, the old store.
    assert snapshot(royalty_home) == before


def test_a_lock_file_that_is_a_folder_is_one_error_line(tmp_path: Path, royalty_home: Path) -> None:
    store.merge("listener", plays("2024-01-01T10:00:00"))
    lock = store.user_dir("listener") / ".lock"
    lock.unlink(missing_ok=True)
    lock.mkdir()
    before = snapshot(royalty_home)
    csv = lastfm_csv(tmp_path / "plays.csv", 1)
    one_error_line(run("import", "listener", "--file", str(csv)), ".lock", "is a folder")
    assert snapshot(royalty_home) == before


def test_plays_that_are_a_folder_are_refused_everywhere(tmp_path: Path, royalty_home: Path) -> None:
    store.merge("other", plays("2024-01-01T10:00:00"))
    folder = store.plays_path("listener")
    folder.mkdir(parents=True)
    before = snapshot(royalty_home)
    csv = lastfm_csv(tmp_path / "plays.csv", 1)
    one_error_line(run("import", "listener", "--file", str(csv)), "not a regular file")
    one_error_line(run("compare", "--user", "listener"), "not a regular file")
    assert snapshot(royalty_home) == before
    listed = json.loads(run("users", "--format", "json")[1])
    assert [(u["user"], u["problem"] is None) for u in listed] == [
        ("other", True),
        ("listener", False),
    ]


def write_foreign(path: Path, metadata: dict[bytes, bytes] | None = None) -> None:
    """A Parquet file that royalty did not write."""
    path.parent.mkdir(parents=True, exist_ok=True)
    table = pa.table({"when": [1, 2], "what": ["a", "b"]})
    pq.write_table(table.replace_schema_metadata(metadata), path)


def test_a_parquet_file_of_another_schema_is_damaged_not_read(
    tmp_path: Path, royalty_home: Path
) -> None:
    write_foreign(store.plays_path("listener"))
    before = snapshot(royalty_home)
    err = one_error_line(run("compare", "--user", "listener"), "the stored plays of listener")
    assert "columns when, what" in err and "import them again" in err
    csv = lastfm_csv(tmp_path / "plays.csv", 1)
    one_error_line(run("import", "listener", "--file", str(csv)), "damaged")
    assert snapshot(royalty_home) == before


def legacy_store(user: str, **meta: str) -> Path:
    """A store file as royalty wrote it before checksums, with footer values replaced."""
    frame = schema.categorize(plays("2024-01-01T10:00:00", "2024-01-02T10:00:00"))
    table = pa.Table.from_pandas(frame, preserve_index=False)
    values = {
        "updated_at": "2024-01-03T00:00:00+00:00",
        "plays": "2",
        "first_play": "2024-01-01T10:00:00+00:00",
        "last_play": "2024-01-02T10:00:00+00:00",
        **meta,
    }
    keys = {f"royalty.{k}".encode(): v.encode() for k, v in values.items()}
    path = store.plays_path(user)
    path.parent.mkdir(parents=True, exist_ok=True)
    pq.write_table(table.replace_schema_metadata({**table.schema.metadata, **keys}), path)
    return path


def test_a_store_written_before_checksums_is_still_read() -> None:
    legacy_store("listener")
    assert len(store.load("listener")) == 2
    assert store.users()[0].plays == 2
    assert store.merge("listener", plays("2024-01-05T10:00:00")).total == 3
    assert b"royalty.checksum" in (pq.read_metadata(store.plays_path("listener")).metadata or {})


@pytest.mark.parametrize(
    ("meta", "reason"),
    [
        ({"updated_at": "yesterday"}, "bad metadata"),
        ({"updated_at": "2024-01-03T00:00:00"}, "has no time zone"),
        ({"last_play": "2024-13-01"}, "bad metadata"),
        ({"plays": "many"}, "bad metadata"),
        ({"plays": "3"}, "3 plays listed, 2 in the file"),
    ],
)
def test_bad_footer_metadata_is_one_error_line(
    tmp_path: Path, royalty_home: Path, meta: dict[str, str], reason: str
) -> None:
    legacy_store("listener", **meta)
    store.merge("other", plays("2024-01-01T10:00:00"))
    before = snapshot(royalty_home)
    csv = lastfm_csv(tmp_path / "plays.csv", 1)
    one_error_line(run("import", "listener", "--file", str(csv)), "damaged", reason)
    assert snapshot(royalty_home) == before
    code, out, err = run("users")
    assert code == 0, err
    assert "listener" in out and reason in out and "other" in out


def test_changed_metadata_of_a_new_store_fails_its_checksum() -> None:
    store.merge("listener", plays("2024-01-01T10:00:00"))
    path = store.plays_path("listener")
    table = pq.read_table(path)
    meta = {**(table.schema.metadata or {}), b"royalty.last_play": b"2030-01-01T00:00:00+00:00"}
    pq.write_table(table.replace_schema_metadata(meta), path, write_page_checksum=True)
    with pytest.raises(StoreError, match="does not match its checksum"):
        store.load("listener")
    with pytest.raises(StoreError, match="damaged"):
        store.newest_play("listener")  # an import would start from 2030 and miss plays


# -- one broken user never hides the others ----------------------------------------


def test_users_lists_a_broken_store_with_its_reason_and_the_others_still_work(
    royalty_home: Path,
) -> None:
    store.merge("good", plays("2024-01-01T10:00:00"))
    write_foreign(store.plays_path("broken"))  # written last: the most recent
    code, out, err = run("users")
    assert code == 0, err
    assert "good" in out and "broken" in out and "unreadable" in out
    assert "not a file of royalty's plays" in out
    listed = json.loads(run("users", "--format", "json")[1])
    assert listed[0]["user"] == "good" and listed[0]["problem"] is None
    assert listed[1]["user"] == "broken" and listed[1]["plays"] is None
    assert "not a file of royalty's plays" in listed[1]["problem"]
    assert store.most_recent_user() == "good"
    code, out, err = run("compare", "--format", "json")  # the default user: the good one
    assert code == 0, err
    assert [r["artist"] for r in json.loads(out)] == ["Radiohead"]
    assert run("stats", "--user", "good")[0] == 0


# -- symbolic links in the data folder ---------------------------------------------


def test_a_symlinked_users_folder_works(tmp_path: Path, royalty_home: Path) -> None:
    elsewhere = tmp_path / "other-disk" / "users"
    elsewhere.mkdir(parents=True)
    royalty_home.mkdir()
    (royalty_home / "users").symlink_to(elsewhere)
    assert store.merge("listener", plays("2024-01-01T10:00:00")).added == 1
    assert (elsewhere / "listener" / "plays.parquet").is_file()
    assert len(store.load("listener")) == 1
    assert [u.user for u in store.users()] == ["listener"]
    for name in ("../x", "..", "a/b"):
        with pytest.raises(UserNameError):
            store.user_dir(name)


def test_a_symlinked_user_folder_works(tmp_path: Path, royalty_home: Path) -> None:
    elsewhere = tmp_path / "other-disk" / "rj"
    elsewhere.mkdir(parents=True)
    (royalty_home / "users").mkdir(parents=True)
    (royalty_home / "users" / "listener").symlink_to(elsewhere)
    csv = lastfm_csv(tmp_path / "plays.csv", 1, 5)
    code, _, err = run("import", "listener", "--file", str(csv))
    assert code == 0, err
    assert (elsewhere / "plays.parquet").is_file()
    assert store.merge("listener", plays("2024-01-01T10:00:00")).total == 3
    assert [(u.user, u.plays) for u in store.users()] == [("listener", 3)]
    assert (royalty_home / "users" / "listener").is_symlink()


# -- what killed and failed writes leave behind ------------------------------------


def dead_pid() -> int:
    """The id of a process that has ended."""
    proc = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True, check=True)  # fmt: skip
    return int(proc.stdout)


@pytest.mark.parametrize("adds", [True, False])
def test_temporary_files_of_killed_writes_are_removed_by_the_next_write(adds: bool) -> None:
    store.merge("listener", plays("2024-01-01T10:00:00"))
    folder = store.user_dir("listener")
    # Under the lock every writer of this user is gone: even a live pid's file is stale.
    left = [folder / f".plays.parquet.{pid}.tmp" for pid in (dead_pid(), os.getppid())]
    for path in left:
        path.write_bytes(b"PAR1 torn")
    keep = folder / "notes.txt"
    keep.write_text("mine")
    store.merge("listener", plays("2024-01-02T10:00:00" if adds else "2024-01-01T10:00:00"))
    assert sorted(p.name for p in folder.iterdir()) == [".lock", "notes.txt", "plays.parquet"]


def test_a_failed_first_write_leaves_no_folder_or_lock(royalty_home: Path) -> None:
    with pytest.raises(RuntimeError), store.lock("listener"):
        raise RuntimeError("the import failed")
    assert not royalty_home.exists()
    royalty_home.mkdir()
    (royalty_home / "mine.txt").write_text("kept")
    with pytest.raises(RuntimeError), store.lock("listener"):
        raise RuntimeError("the import failed")
    assert sorted(p.name for p in royalty_home.iterdir()) == ["mine.txt"]
    with store.lock("listener"):  # and the lock still works afterwards
        assert store.merge("listener", plays("2024-01-01T10:00:00")).added == 1
    assert store.has_user("listener")


def test_a_failed_first_lastfm_import_leaves_nothing(
    royalty_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from fake_lastfm import API_KEY, FakeLastfm

    monkeypatch.setenv("LASTFM_API_KEY", API_KEY)
    store.merge("other", plays("2024-01-01T10:00:00"))
    before = snapshot(royalty_home)
    with FakeLastfm(user="rj") as fake:  # knows only rj: "User not found" for anyone else
        one_error_line(run("import", "nobody", "--api-url", fake.url), "no user")
    assert snapshot(royalty_home) == before
    assert not (royalty_home / "users" / "nobody").exists()


def test_a_symlinked_plays_file_is_written_through(tmp_path: Path) -> None:
    elsewhere = tmp_path / "other-disk" / "rj.parquet"
    elsewhere.parent.mkdir()
    store.merge("listener", plays("2024-01-01T10:00:00"))
    path = store.plays_path("listener")
    path.rename(elsewhere)
    path.symlink_to(elsewhere)
    assert store.merge("listener", plays("2024-01-02T10:00:00")).total == 2
    assert path.is_symlink() and len(store.load("listener")) == 2
    assert sorted(p.name for p in elsewhere.parent.iterdir()) == ["rj.parquet"]
