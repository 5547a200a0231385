"""Turn pricing and stats results into text: terminal tables, Markdown, CSV, JSON.

Money is rounded here and only here (2 decimals, with the currency). CSV and
JSON keep full precision.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

import pandas as pd

from royalty.stats import Stats
from royalty.store import UserInfo
from royalty.textfmt import ellipsize, render_table

_NAME_WIDTH = 32


def iso(value: Any) -> str | None:
    """ISO 8601 UTC text (``2010-05-03T12:34:56Z``) for a timestamp, None for a missing one."""
    if value is None or value is pd.NaT or (isinstance(value, float) and math.isnan(value)):
        return None
    stamp = pd.Timestamp(value)
    if stamp.tzinfo is None:
        stamp = stamp.tz_localize("UTC")
    return stamp.tz_convert("UTC").strftime("%Y-%m-%dT%H:%M:%SZ")


def money(value: float) -> str:
    """``$1,234.57`` style: two decimals with a dollar sign (the currency is named in headers)."""
    sign = "-" if value < 0 else ""
    return f"{sign}${abs(value):,.2f}"


ROUNDED_NOTE = (
    "Amounts are rounded to the cent; each total adds the unrounded amounts, "
    "so it can differ by a cent or so from the sum of the rounded rows."
)


def rounding_note(columns: Sequence[tuple[Sequence[float], float]]) -> str:
    """:data:`ROUNDED_NOTE` when a column's rounded rows do not add up to its rounded total.

    ``columns`` holds (the rows' amounts, the total) per money column; amounts
    that are not numbers (NaN) are not shown as money and are left out. Returns
    an empty string when every column adds up as shown.

    Example:
        >>> rounding_note([([0.004, 0.004, 0.004], 0.012)]) == ROUNDED_NOTE
        True
    """

    def cents(value: float) -> int:
        return round(float(f"{value:.2f}") * 100)  # as the table shows it

    for values, total in columns:
        shown = [v for v in values if not math.isnan(v)]
        if math.isnan(total) or len(shown) != len(values):
            continue
        if sum(cents(v) for v in shown) != cents(total):
            return ROUNDED_NOTE
    return ""


def json_rows(rows: Sequence[Mapping[str, Any]]) -> str:
    """A JSON array with one object a line: readable, and written by the fast C encoder.

    Example:
        >>> print(json_rows([{"a": 1}, {"a": 2}]), end="")
        [
          {"a": 1},
          {"a": 2}
        ]
    """
    if not rows:
        return "[]\n"
    body = ",\n".join("  " + json.dumps(row, ensure_ascii=False) for row in rows)
    return f"[\n{body}\n]\n"


def count(value: int) -> str:
    """Whole numbers with thousands separators."""
    return f"{value:,}"


def plural(value: int, noun: str) -> str:
    """``1 artist``, ``2 artists``, ``1,514 artists``."""
    return f"{value:,} {noun}" if value == 1 else f"{value:,} {noun}s"


def stats_dict(stats: Stats) -> dict[str, Any]:
    """The stats as a JSON-ready dict with the documented keys."""
    return {
        "plays": stats.plays,
        "first_play": iso(stats.first_play),
        "last_play": iso(stats.last_play),
        "artists": stats.artists,
        "albums": stats.albums,
        "tracks": stats.tracks,
        "plays_per_week": stats.plays_per_week,
        "top_artists": [
            {"artist": str(a), "plays": int(p)}
            for a, p in zip(stats.top_artists["artist"], stats.top_artists["plays"], strict=True)
        ],
    }


def stats_text(stats: Stats, *, label: str) -> str:
    """The stats summary for the terminal."""
    d = stats_dict(stats)
    lines = [
        f"Listening history of {label}",
        f"  plays           {stats.plays:,}",
        f"  first play      {d['first_play'] or '-'}",
        f"  last play       {d['last_play'] or '-'}",
        f"  artists         {stats.artists:,}",
        f"  albums          {stats.albums:,}",
        f"  tracks          {stats.tracks:,}",
        f"  plays per week  {stats.plays_per_week:,.1f}",
        "",
        f"Top {len(stats.top_artists):,} artists",
    ]
    rows = [
        [str(i + 1), ellipsize(str(a), _NAME_WIDTH), count(int(p))]
        for i, (a, p) in enumerate(
            zip(stats.top_artists["artist"], stats.top_artists["plays"], strict=True)
        )
    ]
    lines.append(render_table(("#", "Artist", "Plays"), rows, right=(True, False, True)))
    return "\n".join(lines) + "\n"


def _when(value: datetime | None) -> str | None:
    return iso(value) if value is not None else None


def users_json(listed: Sequence[UserInfo]) -> str:
    """Stored users as a JSON array; ``problem`` says why a user's plays cannot be read."""
    data = [
        {
            "user": u.user,
            "plays": None if u.problem else u.plays,
            "first_play": _when(u.first_play),
            "last_play": _when(u.last_play),
            "updated_at": _when(u.updated_at),
            "problem": u.problem,
        }
        for u in listed
    ]
    return json.dumps(data, indent=2) + "\n"


def users_csv(listed: Sequence[UserInfo]) -> str:
    """Stored users as CSV with the columns of :func:`users_json`, times in ISO 8601 UTC."""
    import csv
    import io

    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["user", "plays", "first_play", "last_play", "updated_at", "problem"])
    for u in listed:
        times = [_when(t) or "" for t in (u.first_play, u.last_play, u.updated_at)]
        writer.writerow([u.user, "" if u.problem else u.plays, *times, u.problem or ""])
    return out.getvalue()


def stats_csv(stats: Stats) -> str:
    """The top artists as CSV: ``rank``, ``artist``, ``plays``."""
    frame = stats.top_artists.loc[:, ["artist", "plays"]].copy()
    frame["artist"] = frame["artist"].astype(str)
    frame.insert(0, "rank", range(1, len(frame) + 1))
    text: str = frame.to_csv(index=False, lineterminator="\n")
    return text


def users_text(listed: Sequence[UserInfo]) -> str:
    """Stored users as a terminal table, then why any of them cannot be read."""
    if not listed:
        return "No listening history is stored yet. Run `royalty import USER` to add one.\n"
    rows = [
        [
            u.user,
            "unreadable" if u.problem else count(u.plays),
            (_when(u.first_play) or "-")[:10],
            (_when(u.last_play) or "-")[:10],
            (_when(u.updated_at) or "-").replace("T", " ").rstrip("Z") + " UTC",
        ]
        for u in listed
    ]
    headers = ("User", "Plays", "First play", "Last play", "Updated")
    table = render_table(headers, rows, right=(False, True, False, False, False)) + "\n"
    notes = "".join(f"\n{u.user}: {u.problem}\n" for u in listed if u.problem)
    return table + notes
