"""`royalty users` (list, delete), `stats --top/--format csv`, user names, rounding, dir()."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

import royalty
from cli_run import run
from royalty import schema, store
from royalty.cli import app
from royalty.errors import UserNameError


def plays(artists: list[str], start: str = "2012-01-01T10:00:00Z") -> pd.DataFrame:
    """One play per artist named, a minute apart, each on its own album."""
    when = pd.date_range(start, periods=len(artists), freq="min")
    frame = pd.DataFrame(
        {
            "played_at": when,
            "artist": artists,
            "track": [f"t{i}" for i in range(len(artists))],
            "album": artists,
        }
    )
    return schema.normalize(frame, source="test")


def ghan(path: Path, artists: list[str]) -> Path:
    """A Last.fm CSV export with one play per artist named, five minutes apart."""
    lines = ["uts,utc_time,artist,artist_mbid,album,album_mbid,track,track_mbid"]
    lines += [
        f'"{1_300_000_000 + 300 * i}","","{a}","","{a}","","t{i}",""' for i, a in enumerate(artists)
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def ask(*args: str, answer: str) -> tuple[int, str, str]:
    """Run with ``answer`` typed in; stdout without the typed answer CliRunner echoes there."""
    result = CliRunner().invoke(app, list(args), input=answer)
    out = result.stdout
    typed = f" {answer}"  # after the prompt's space, as a terminal would echo it
    assert out.startswith(typed)
    return result.exit_code, out[len(typed) :], result.stderr


# --- users delete ------------------------------------------------------------


def test_delete_asks_and_a_no_keeps_everything(royalty_home: Path) -> None:
    store.merge("rj", plays(["A", "B", "C"]))
    before = store.plays_path("rj").read_bytes()
    for answer in ("n\n", ""):  # "no", and no answer at all
        code, out, err = ask("users", "delete", "rj", answer=answer)
        assert code == 1 and out == ""
        assert "Delete rj's 3 plays, 2012-01-01 to 2012-01-01?" in err
        assert "Nothing was deleted." in err
    assert store.plays_path("rj").read_bytes() == before


def test_delete_after_yes_says_what_it_deleted_and_leaves_no_trace(royalty_home: Path) -> None:
    store.merge("rj", plays(["A", "B"]))
    store.merge("other", plays(["C"]))
    code, out, err = ask("users", "delete", "RJ", answer="y\n")
    assert code == 0, err
    assert out == "Deleted rj's 2 plays, 2012-01-01 to 2012-01-01.\n"
    assert not (royalty_home / "users" / "rj").exists()
    assert [u.user for u in store.users()] == ["other"]
    code, out, _ = run("users", "delete", "other", "--yes")
    assert code == 0 and out.startswith("Deleted other's 1 play,")
    assert list((royalty_home / "users").iterdir()) == []


@pytest.mark.parametrize(
    ("user", "message"),
    [("nobody", "no plays are stored for 'nobody'"), ("../x", "not a valid user name")],
)
def test_delete_of_no_one_is_one_error_line(user: str, message: str) -> None:
    for args in (["users", "delete", user], ["users", "delete", user, "--yes"]):
        code, out, err = run(*args)
        assert code == 1 and out == ""
        assert err.startswith("Error: ") and message in err and len(err.splitlines()) == 1


def test_delete_takes_the_users_lock() -> None:
    import fcntl
    import os

    store.merge("rj", plays(["A"]))
    lock = store.user_dir("rj") / ".lock"
    fd = os.open(lock, os.O_RDWR)  # another process's lock: a second description conflicts
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        code, out, err = run("users", "delete", "rj", "--yes")
    finally:
        os.close(fd)
    assert code == 1 and out == ""
    assert err.startswith("Error: ") and "being written by another royalty process" in err
    assert len(store.load("rj")) == 1


# --- users --format, stats --top and --format csv ----------------------------


def test_users_csv_and_json_agree() -> None:
    store.merge("rj", plays(["A", "B"]))
    code, out, err = run("users", "--format", "csv")
    assert code == 0, err
    (row,) = list(csv.DictReader(io.StringIO(out)))
    (entry,) = json.loads(run("users", "--format", "json")[1])
    assert list(row) == list(entry)
    assert row["user"] == "rj" and row["plays"] == "2" and row["problem"] == ""
    assert row["first_play"] == entry["first_play"] == "2012-01-01T10:00:00Z"


def test_stats_top_and_csv(tmp_path: Path) -> None:
    names = [f"Artist {i}" for i in range(12) for _ in range(12 - i)]  # Artist 0 most played
    path = ghan(tmp_path / "p.csv", names)
    code, out, err = run("stats", "--file", str(path), "--format", "csv", "--top", "3")
    assert code == 0, err
    rows = list(csv.DictReader(io.StringIO(out)))
    assert [(r["rank"], r["artist"], r["plays"]) for r in rows] == [
        ("1", "Artist 0", "12"),
        ("2", "Artist 1", "11"),
        ("3", "Artist 2", "10"),
    ]
    every = run("stats", "--file", str(path), "--format", "json", "--top", "0")[1]
    assert len(json.loads(every)["top_artists"]) == 12
    text = run("stats", "--file", str(path), "--top", "5")[1]
    assert "Top 5 artists" in text and "Artist 4" in text and "Artist 5" not in text
    code, out, err = run("stats", "--top", "-1")
    assert code == 1 and err.startswith("Error: --top must be 0")


# --- user names --------------------------------------------------------------


def test_a_long_safe_name_for_files_but_the_lastfm_rule_for_lastfm(tmp_path: Path) -> None:
    path = ghan(tmp_path / "p.csv", ["A", "B"])
    code, out, err = run("import", "katarzynajanicka", "--file", str(path))
    assert code == 0, err
    assert out.startswith("katarzynajanicka: 2 new plays")
    assert run("stats", "--user", "katarzynajanicka", "--format", "json")[0] == 0
    long_name = "j.doe_" + "x" * 58  # 64 characters
    assert run("import", long_name, "--file", str(path))[0] == 0
    assert {u.user for u in store.users()} == {"katarzynajanicka", long_name}
    code, out, err = run("import", "katarzynajanicka", "--api-key", "k")  # from Last.fm
    assert code == 1 and out == ""
    assert err.startswith("Error: 'katarzynajanicka' is not a valid Last.fm user name")


@pytest.mark.parametrize("name", ["../etc", "..", ".hidden", "-rf", "a/b", "x" * 65, "a b"])
def test_names_that_could_escape_the_store_are_refused(name: str, tmp_path: Path) -> None:
    path = ghan(tmp_path / "p.csv", ["A"])
    code, out, err = run("import", "--file", str(path), "--", name)
    assert code == 1 and out == "" and "not a valid user name" in err
    with pytest.raises(UserNameError):
        store.user_dir(name)


# --- rounding, dir() -------------------------------------------------------


def test_a_footer_says_when_rounded_rows_do_not_add_up(tmp_path: Path) -> None:
    path = ghan(tmp_path / "p.csv", ["A", "B", "C"])
    # 0.004 a stream: each artist $0.00 as shown, together $0.012, shown $0.01.
    for extra in ([], ["--currency", "NZD", "--fx", "1"]):  # the foundation's table, a scenario's
        code, out, err = run("compare", "--file", str(path), "--rate", "0.004", *extra)
        assert code == 0, err
        assert "Amounts are rounded to the cent" in out
    code, out, _ = run("compare", "--file", str(path), "--rate", "0.01")
    assert code == 0 and "rounded" not in out  # 3 × $0.01 adds up
    rows = json.loads(run("compare", "--file", str(path), "--rate", "0.004", "-f", "json")[1])
    assert [r["streaming_payout"] for r in rows] == [pytest.approx(0.004)] * 3


def test_dir_lists_the_public_api_once() -> None:
    royalty.compare  # noqa: B018 -- a loaded name must not be listed twice
    assert dir(royalty) == sorted(royalty.__all__)
    for leak in ("Any", "TYPE_CHECKING", "importlib", "annotations"):
        assert not hasattr(royalty, leak), leak


def test_a_damaged_user_can_be_deleted(royalty_home: Path) -> None:
    store.merge("rj", plays(["A"]))
    path = store.plays_path("rj")
    path.write_bytes(b"not parquet at all")
    code, out, err = ask("users", "delete", "rj", answer="y\n")
    assert code == 0, err
    assert "unreadable" in err  # the question says what it is about to delete
    assert out == "Deleted the stored plays of rj (unreadable: a damaged file).\n"
    assert not path.exists() and store.users() == []
