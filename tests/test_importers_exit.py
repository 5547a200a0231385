"""A failed file import exits 1 every time: no reader thread is left to abort the process."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

RUNS = 40
AT_ONCE = 4


def test_failed_import_never_aborts_at_exit(tmp_path: Path, royalty_home: Path) -> None:
    """``import --file good.csv --file ancient.csv`` once exited 134 ("terminate called
    without an active exception") in about 1 run in 30: pyarrow's CSV reader threads were
    still starting when the interpreter exited after the error."""
    good = tmp_path / "good.csv"
    good.write_text("Biome,Kora,Let Me,20 Nov 2020 09:35\nA,B,C,21 Nov 2020 09:35\n")
    ancient = tmp_path / "ancient.csv"
    ancient.write_text("Biome,Kora,Let Me,20 Nov 2020 09:35\nA,B,C,21 Nov 1999 09:35\n")
    exe = shutil.which("royalty", path=str(Path(sys.executable).parent)) or "royalty"
    command = [exe, "import", "listener", "--file", str(good), "--file", str(ancient)]
    # One home per process running at once: they would otherwise wait on one lock.
    homes = [royalty_home / str(slot) for slot in range(AT_ONCE)]
    codes: list[int] = []
    errors: set[str] = set()
    for _ in range(RUNS // AT_ONCE):
        procs = [
            subprocess.Popen(
                command,
                env={**os.environ, "ROYALTY_HOME": str(home)},
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
            )
            for home in homes
        ]
        for proc in procs:
            _, err = proc.communicate(timeout=120)
            codes.append(proc.returncode)
            errors.add(err.decode("utf-8", "replace"))
    assert codes == [1] * RUNS, errors
    assert errors == {
        f"Error: {ancient}: line 2: time 1999-11-21 09:35:00 UTC is before 2002, "
        "when Last.fm began\n"
    }
    assert not any((home / "users" / "listener" / "plays.parquet").exists() for home in homes)
