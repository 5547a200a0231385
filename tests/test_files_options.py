"""The file options out of range, on every command that takes --file: one line, or read right."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest

from cli_run import run
from royalty import store
from royalty.errors import UsageError
from royalty.history import parse_period
from royalty.importers import read_files

CSV = "Biome,Kora,Let Me,20 Nov 2020 09:35\nSJD,Dandelion,I Love You,20 Nov 2021 09:40\n"


@pytest.fixture
def export(tmp_path: Path) -> Path:
    path = tmp_path / "scrobbles.csv"
    path.write_text(CSV)
    return path


def command(name: str, export: Path, tmp_path: Path) -> list[str]:
    """A command reading ``export``; a chart writes into tmp_path."""
    if name == "import":
        return ["import", "listener", "--file", str(export)]
    if name == "chart":
        return ["chart", "timeline", "--file", str(export), "--output", str(tmp_path / "c.png")]
    return [name, "--file", str(export)]


COMMANDS = ["import", "compare", "stats", "chart"]


@pytest.mark.parametrize("name", COMMANDS)
@pytest.mark.parametrize(
    "dates",
    [("--until", "9999-12-31"), ("--since", "0001-01-01"),
     ("--since", "0001-01-01T00:00+05:00", "--until", "9999-12-31T23:59-05:00")],
)  # fmt: skip
def test_dates_far_from_any_play_mean_no_bound(
    name: str, dates: tuple[str, ...], export: Path, tmp_path: Path
) -> None:
    code, out, err = run(*command(name, export, tmp_path), *dates)
    assert code == 0, err
    if name == "import":
        assert out.startswith("listener: 2 new plays")
    if name == "stats":
        assert "plays           2" in out


@pytest.mark.parametrize("name", COMMANDS)
def test_a_period_beyond_the_last_date_pandas_holds_has_no_plays(
    name: str, export: Path, tmp_path: Path
) -> None:
    code, out, err = run(*command(name, export, tmp_path), "--since", "9999-01-01")
    if name == "import":
        assert code == 0 and "0 new plays" in out and "2 outside since/until" in out
    elif name == "chart":
        assert (code, err) == (1, "Error: no plays to chart: choose a longer period or another "
                                  "history\n")  # fmt: skip
    else:
        assert code == 0, err
        assert "0 artists" in out or "plays           0" in out


def test_parse_period_clamps_to_what_the_store_can_filter_on() -> None:
    start, stop = parse_period("0001-01-01", "9999-12-31")
    assert (start.year if start else None, stop) == (1970, None)
    start, stop = parse_period("3000-01-01", None)
    assert start is not None and start.year == 2262
    with pytest.raises(UsageError, match="after --until"):
        parse_period("9999-12-31", "0001-01-01")


@pytest.mark.parametrize(
    ("since", "until", "plays"),
    [("0001-01-01", None, 2), (None, datetime.max, 2), (datetime.min, "9999-12-31T23:59", 2),
     ("3000-01-01", None, 0), (None, "1900-01-01", 0), ("2021-01-01", datetime.max, 1)],
)  # fmt: skip
def test_the_library_takes_any_date_python_holds(
    since: object, until: object, plays: int, export: Path
) -> None:
    result = read_files(export, since=since, until=until)  # type: ignore[arg-type]
    assert len(result.plays) == plays
    assert result.skipped.get("outside since/until", 0) == 2 - plays


@pytest.mark.parametrize("window", ["nan", "inf", "-inf", "1e300", "-1", "3601"])
def test_a_match_window_out_of_range_is_one_line(window: str, export: Path) -> None:
    code, out, err = run("import", "listener", "--file", str(export), "--match-window", window)
    assert code == 1 and out == ""
    assert err.startswith("Error: --match-window must be from 0 to 3,600 seconds")
    assert err.count("\n") == 1
    assert not store.has_user("listener")


@pytest.mark.parametrize("window", [0.0, 3600.0])
def test_match_windows_at_the_ends_of_the_range_are_read(window: float, export: Path) -> None:
    assert len(read_files(export, match_window=window).plays) == 2
    with pytest.raises(UsageError, match="--match-window"):
        read_files(export, match_window=float("nan"))


@pytest.mark.parametrize("name", COMMANDS)
@pytest.mark.parametrize("zone", ["x" * 300, "/etc/passwd", "", "UTC\0"])
def test_an_impossible_time_zone_is_one_line(
    name: str, zone: str, export: Path, tmp_path: Path
) -> None:
    if "\0" in zone:  # a command line cannot hold a NUL byte; the library can
        with pytest.raises(UsageError, match="unknown time zone"):
            read_files(export, tz=zone)
        return
    code, _, err = run(*command(name, export, tmp_path), "--tz", zone)
    assert code == 1 and err.startswith("Error: unknown time zone") and err.count("\n") == 1
