"""``royalty population import`` end to end: the summary, and bad input as one line."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cli_run import run
from population_files import (
    LASTFM_1K_LINES,
    write_lastfm_1k,
    write_mlhd,
    write_spark_folder,
)
from royalty import store
from royalty.errors import RoyaltyError
from royalty.population.importer import import_population
from test_population_import import snapshot

VALID_LINES = [
    *LASTFM_1K_LINES,
    "31435741\t2\t4\t4\t1385212958",
    "1200000000\ta74b1b7f-71a5-4011-9441-d0b5e4122711\t\t0b4ab1bb-c382-349e-af18-592e702c6bc6",
]


def test_summary_names_listeners_plays_skips_and_time(tmp_path: Path) -> None:
    src = write_lastfm_1k(tmp_path / "1k.tsv")
    code, out, err = run("population", "import", str(src), "--to", str(tmp_path / "pop"))
    assert code == 0, err
    assert out.startswith(f"Created {tmp_path / 'pop'}: 2 listeners, 3 plays, 3 artists, 1 bucket;")
    assert (
        "skipped 4 (1 malformed line, 1 no artist, 1 no or unreadable time, 1 before 2002)" in out
    )
    assert out.rstrip().endswith(" s.") and len(out.splitlines()) == 1
    code, out, _ = run("population", "import", str(src), "--to", str(tmp_path / "pop"))
    assert code == 0 and out.startswith("Unchanged:") and "0 new" in out


def test_mlhd_summary_says_artists_are_mbids(tmp_path: Path) -> None:
    code, out, err = run(
        "population", "import", str(write_mlhd(tmp_path / "m")), "--to", str(tmp_path / "pop")
    )
    assert code == 0, err
    assert "Artists are MusicBrainz ids" in out


def test_store_option_imports_royalty_home(tmp_path: Path) -> None:
    plays = pd.DataFrame(
        {
            "played_at": pd.date_range("2020-01-01", periods=4, freq="h", tz="UTC"),
            "artist": "Low",
            "track": "Words",
            "source": "lastfm-api",
        }
    )
    store.merge("ann", plays)
    code, out, err = run("population", "import", "--store", "--to", str(tmp_path / "pop"))
    assert code == 0, err
    assert "1 listener, 4 plays" in out


def bad_cases(tmp_path: Path) -> list[tuple[list[str], str]]:
    text = tmp_path / "notes.txt"
    text.write_text("hello\nworld\n")
    broken = tmp_path / "broken"
    broken.mkdir()
    (broken / "0.parquet").write_bytes(b"PAR1 not really")
    a_file = tmp_path / "a-file"
    a_file.write_text("x")
    spark = str(write_spark_folder(tmp_path / "dump"))
    return [
        ([str(tmp_path / "missing")], "no such file"),
        ([str(text)], "not a population dump"),
        ([str(broken), "--input-format", "listenbrainz-spark"], "cannot read"),
        ([spark, "--input-format", "nope"], "unknown input format"),
        ([spark, "--user-from", "street"], ""),  # not a choice: a usage error
        ([spark, "--buckets", "5"], "has 2 buckets"),
        (["--to-nothing"], ""),
        ([spark], "a file"),
    ]


def test_bad_input_is_one_line_and_the_dataset_is_untouched(tmp_path: Path) -> None:
    spark = write_spark_folder(tmp_path / "dump")
    import_population([spark], tmp_path / "pop", buckets=2)
    before = snapshot(tmp_path / "pop")
    for args, words in bad_cases(tmp_path):
        target = tmp_path / "a-file" if words == "a file" else tmp_path / "pop"
        code, out, err = run("population", "import", *args, "--to", str(target))
        if words == "":  # a usage error of the option parser: exit 2, as everywhere
            assert code == 2
            continue
        assert code == 1, (args, out, err)
        assert err.startswith("Error: ") and len(err.splitlines()) == 1, err
        assert words in err, (words, err)
        assert out == ""
        assert snapshot(tmp_path / "pop") == before


def test_no_source_and_no_destination(tmp_path: Path) -> None:
    code, _, err = run("population", "import", "--to", str(tmp_path / "pop"))
    assert code == 1 and "at least one source" in err
    code, _, err = run("population", "import", str(write_lastfm_1k(tmp_path / "x.tsv")))
    assert code == 1 and "--to DIR" in err


def test_a_failed_first_import_leaves_no_folder(tmp_path: Path) -> None:
    empty = tmp_path / "empty.tsv"
    empty.write_text("user_000001\t2001-01-01T00:00:00Z\t\tOld\t\tSong\n")
    code, _, err = run(
        "population", "import", str(empty), "--input-format", "lastfm-1k", "--to",
        str(tmp_path / "pop"),
    )  # fmt: skip
    assert code == 1 and "no plays to import" in err and "1 before 2002" in err
    assert not (tmp_path / "pop").exists()


def test_a_folder_of_other_things_is_not_written_into(tmp_path: Path) -> None:
    (tmp_path / "home").mkdir()
    (tmp_path / "home" / "thesis.tex").write_text("mine")
    code, _, err = run(
        "population", "import", str(write_lastfm_1k(tmp_path / "x.tsv")), "--to",
        str(tmp_path / "home"),
    )  # fmt: skip
    assert code == 1 and "not empty" in err
    assert [p.name for p in (tmp_path / "home").iterdir()] == ["thesis.tex"]


def test_installed_command_reports_bad_input_without_traceback(tmp_path: Path) -> None:
    exe = Path(os.environ.get("VIRTUAL_ENV", "")) / "bin" / "royalty"
    command = str(exe) if exe.is_file() else "royalty"
    proc = subprocess.run(
        [command, "population", "import", str(tmp_path / "nothing"), "--to", str(tmp_path / "p")],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert proc.returncode == 1
    assert proc.stderr.startswith("Error: ") and len(proc.stderr.splitlines()) == 1


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    data=st.one_of(
        st.binary(max_size=300),
        st.lists(st.sampled_from(VALID_LINES), max_size=6).map(
            lambda lines: "\n".join(lines).encode()
        ),
    ),
    cut=st.integers(0, 400),
    flip=st.integers(0, 255),
    kind=st.sampled_from(["lastfm-1k", "mlhd", "lfm-1b", "listenbrainz-spark", None]),
)
def test_fuzzed_sources_give_plays_or_our_error(
    tmp_path_factory: pytest.TempPathFactory, data: bytes, cut: int, flip: int, kind: str | None
) -> None:
    folder = tmp_path_factory.mktemp("fuzz")
    src = folder / "LFM-1b_LEs.txt"
    mutated = bytearray(data)
    if mutated:
        mutated[cut % len(mutated)] ^= flip  # one byte of a valid file changed
    src.write_bytes(bytes(mutated))
    (folder / "LFM-1b_artists.txt").write_bytes(data[: cut // 2])
    try:
        import_population([src], folder / "pop", input_format=kind)
    except RoyaltyError:
        return
