"""The bundled sample: a synthetic listening history modelled on the essay's listener.

It is 60,000 Last.fm scrobbles from May 2006 to April 2013 by a made-up New
Zealand listener: Radiohead has exactly 2,800 plays and SJD exactly 1,500, so
at a third of a cent a stream they earn the essay's $9.33 and $5.00. The rest
is a long tail of about 1,500 artists, most of them invented. The file is a
gzip-compressed Last.fm CSV export made by ``scripts/make_sample.py`` from a
fixed seed (see ``data/sample/README.md``), and it is read by the same parser
as a user's own export.

An installed wheel ships the file as ``royalty/_sample/plays.csv.gz``; a source
checkout (or an editable install) reads ``data/sample/plays.csv.gz``.
"""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path
from typing import TYPE_CHECKING, Final

from royalty.errors import RoyaltyError

if TYPE_CHECKING:
    import pandas as pd

SAMPLE_LABEL: Final = "the bundled sample"
"""How commands and charts name the sample's plays."""

SAMPLE_DESCRIPTION: Final = (
    "synthetic: 60,000 plays by a New Zealand listener, May 2006 to April 2013"
)
"""One line saying what the sample is."""

SAMPLE_PLAYS: Final = 60_000
SAMPLE_FIRST_MONTH: Final = "2006-05"
SAMPLE_LAST_MONTH: Final = "2013-04"
SAMPLE_ARTIST_PLAYS: Final[dict[str, int]] = {"Radiohead": 2_800, "SJD": 1_500}
"""The essay's two artists and their exact play counts in the sample."""

_FILE_NAME: Final = "plays.csv.gz"
# src/royalty/sample.py -> the repository root, for source checkouts.
_SOURCE_TREE_FILE: Final = Path(__file__).resolve().parents[2] / "data" / "sample" / _FILE_NAME


def sample_path() -> Path:
    """Where the sample file is: inside the installed package, else in the source tree.

    Raises:
        RoyaltyError: neither copy exists or it is empty (a broken install).

    Example:
        >>> sample_path().name
        'plays.csv.gz'
    """
    packaged = files("royalty") / "_sample" / _FILE_NAME
    # The wheel installs into a plain directory, so the resource is a real Path.
    candidates = [Path(str(packaged))] if packaged.is_file() else []
    candidates.append(_SOURCE_TREE_FILE)
    for path in candidates:
        if path.is_file() and path.stat().st_size > 0:
            return path
    raise RoyaltyError(
        "the bundled sample file is missing or empty; reinstall royalty "
        "(pip install .) or, in a source checkout, run `python scripts/make_sample.py`"
    )


def load_sample() -> pd.DataFrame:
    """The bundled sample's plays, in the plays schema, newest first as in the file.

    Parsed on every call by :func:`royalty.importers.lastfm_csv.read_lastfm_csv`
    (about a second); nothing is cached on disk.

    Example:
        >>> plays = load_sample()
        >>> len(plays), int((plays["artist"] == "Radiohead").sum())
        (60000, 2800)
    """
    from royalty.importers.lastfm_csv import read_lastfm_csv

    return read_lastfm_csv(sample_path())
