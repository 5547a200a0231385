"""The one plays schema that every importer returns and the store keeps.

One row is one play. Columns, in order:

=============  =========================  ==========================================
column         dtype                      meaning
=============  =========================  ==========================================
played_at      datetime64[ms, UTC]        when the play *started*, in UTC
artist         text                       artist name as the source spells it
track          text                       track title
album          text (nullable)            album title; missing when the source has none
artist_mbid    text (nullable)            MusicBrainz artist id
album_mbid     text (nullable)            MusicBrainz release id
track_mbid     text (nullable)            MusicBrainz recording id
duration_ms    Int64 (nullable)           how long it was played, where the source knows
source         text                       where the row came from, e.g. ``lastfm-api``
=============  =========================  ==========================================

Text columns are categoricals in the store, so ten million plays of a
typical history (tens of thousands of distinct names) take a few hundred
megabytes, and grouping by artist or album reads integer codes. A Last.fm
CSV file read with :func:`royalty.importers.read_files` gives its names as
pandas' Arrow-backed ``str`` instead: encoding a million titles into
categories costs more than reading the file, and a command that prices the
file encodes only the columns it groups by. Both forms are the schema;
:func:`categorize` turns one into the other and :func:`concat` joins them.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Final

from royalty.errors import DataFormatError

if TYPE_CHECKING:
    import pandas as pd

TIME_DTYPE: Final = "datetime64[ms, UTC]"

COLUMNS: Final[tuple[str, ...]] = (
    "played_at",
    "artist",
    "track",
    "album",
    "artist_mbid",
    "album_mbid",
    "track_mbid",
    "duration_ms",
    "source",
)
TEXT_COLUMNS: Final[tuple[str, ...]] = (
    "artist",
    "track",
    "album",
    "artist_mbid",
    "album_mbid",
    "track_mbid",
    "source",
)
REQUIRED: Final[tuple[str, ...]] = ("played_at", "artist", "track", "source")
"""Columns that may never be missing."""

EARLIEST_PLAY: Final = datetime(2002, 1, 1, tzinfo=UTC)
"""No play can predate Last.fm (founded 2002): an earlier time is corrupt, whatever the source."""
FUTURE_SLACK: Final = timedelta(days=1)
"""How far past the moment of import a play's time may lie (clock skew) before it is corrupt."""

KEY: Final[tuple[str, str, str]] = ("played_at", "artist", "track")
"""What identifies a play for the store's multiset merge."""


def dtypes() -> dict[str, object]:
    """The dtype of each column, in schema order."""
    out: dict[str, object] = dict.fromkeys(TEXT_COLUMNS, "category")
    out["played_at"] = TIME_DTYPE
    out["duration_ms"] = "Int64"
    return {c: out[c] for c in COLUMNS}


def is_text(dtype: object) -> bool:
    """Whether ``dtype`` is one the schema allows for a text column: categorical or string."""
    import pandas as pd

    return isinstance(dtype, (pd.CategoricalDtype, pd.StringDtype))


def categorize(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` with every string text column turned into a categorical (the store's form).

    Example:
        >>> categorize(empty())["artist"].dtype
        CategoricalDtype(categories=[], ordered=False, categories_dtype=str)
    """
    import pandas as pd

    strings = [c for c in TEXT_COLUMNS if isinstance(frame[c].dtype, pd.StringDtype)]
    if not strings:
        return frame
    out = frame.copy(deep=False)
    for col in strings:
        out[col] = as_category(frame[col])
    return out


def empty() -> pd.DataFrame:
    """A plays frame with no rows and the schema's columns and dtypes.

    Example:
        >>> empty().columns.tolist()[:3]
        ['played_at', 'artist', 'track']
    """
    import pandas as pd

    data = {c: pd.Series([], dtype=d) for c, d in dtypes().items()}  # type: ignore[call-overload]
    for col in TEXT_COLUMNS:
        data[col] = as_category(data[col])
    return pd.DataFrame(data)


def as_category(series: pd.Series) -> pd.Series:
    """``series`` as a categorical whose categories have the default text dtype.

    Keeping one categories dtype lets frames from any source be concatenated
    without falling back to slow object columns.
    """
    import pandas as pd

    if not isinstance(series.dtype, pd.CategoricalDtype):
        series = series.astype("category")
    cats = series.cat.categories
    text = pd.Index(["x"]).dtype
    if cats.dtype != text:
        new_cats = pd.Index(cats.astype(str), dtype=text)
        series = pd.Series(
            pd.Categorical.from_codes(series.cat.codes, categories=new_cats),
            index=series.index,
            name=series.name,
        )
    return series


def normalize(frame: pd.DataFrame, *, source: str | None = None) -> pd.DataFrame:
    """Return ``frame`` in the schema: columns in order, dtypes coerced.

    Missing optional columns are added empty. ``source`` fills the source
    column when the frame has none. Text columns become categoricals, except
    those that are pandas strings already, which stay so. Empty strings in
    text columns become missing values, and text that was neither categorical
    nor string loses its surrounding whitespace. ``played_at`` must already be
    timezone-aware or be UTC.

    Raises:
        DataFormatError: a required column is missing or holds missing values.
    """
    import pandas as pd

    df = frame.copy()
    if source is not None and "source" not in df.columns:
        df["source"] = source
    missing = [c for c in REQUIRED if c not in df.columns]
    if missing:
        raise DataFormatError(f"plays are missing the column(s) {', '.join(missing)}")
    for col in COLUMNS:
        if col not in df.columns:
            df[col] = pd.NA
    df = df[list(COLUMNS)]
    times = pd.to_datetime(df["played_at"], utc=True)
    df["played_at"] = times.astype(TIME_DTYPE)
    for col in TEXT_COLUMNS:
        series = df[col]
        if isinstance(series.dtype, pd.StringDtype):
            if (series == "").any():
                df[col] = series.mask(series == "")
            continue
        if not isinstance(series.dtype, pd.CategoricalDtype):
            text_values = series.astype("string").str.strip()
            series = text_values.mask(text_values == "")
        series = as_category(series)
        if (series.cat.categories == "").any():
            series = series.cat.remove_categories([""])
        df[col] = series
    df["duration_ms"] = df["duration_ms"].astype("Int64")
    validate(df)
    return df.reset_index(drop=True)


def validate(frame: pd.DataFrame) -> None:
    """Check that ``frame`` follows the schema exactly.

    Raises:
        DataFormatError: wrong columns, wrong dtypes, or missing required values.
    """

    if tuple(frame.columns) != COLUMNS:
        raise DataFormatError(f"plays have columns {list(frame.columns)}, expected {list(COLUMNS)}")
    for col, dtype in dtypes().items():
        actual = frame[col].dtype
        ok = is_text(actual) if dtype == "category" else str(actual) == str(dtype)
        if not ok:
            expected = "category or str" if dtype == "category" else dtype
            raise DataFormatError(f"plays column {col!r} has dtype {actual}, expected {expected}")
    for col in REQUIRED:
        if frame[col].isna().any():
            raise DataFormatError(f"plays column {col!r} has missing values")


def concat(frames: Iterable[pd.DataFrame]) -> pd.DataFrame:
    """Concatenate plays frames; a text column stays string only if it is string in every frame."""
    import pandas as pd
    from pandas.api.types import union_categoricals

    parts = list(frames)
    if not parts:
        return empty()
    if len(parts) == 1:
        return parts[0].reset_index(drop=True)
    data: dict[str, object] = {}
    for col in COLUMNS:
        if col in TEXT_COLUMNS and all(isinstance(p[col].dtype, pd.StringDtype) for p in parts):
            data[col] = pd.concat([p[col] for p in parts], ignore_index=True)
        elif col in TEXT_COLUMNS:
            data[col] = union_categoricals([as_category(p[col]) for p in parts])
        else:
            data[col] = pd.concat([p[col] for p in parts], ignore_index=True)
    out = pd.DataFrame(data)
    return out[list(COLUMNS)]
