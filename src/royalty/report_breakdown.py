"""Render ``compare --by year`` and ``compare --by album`` in every format of ``compare``.

The table and Markdown carry the same header as the scenario's compare
(level, currency, parameters, sources) and a note on how the rows are
counted; CSV and JSON keep full precision. Money is rounded only here.
"""

from __future__ import annotations

import json
import math
from typing import Any, Final

import pandas as pd

from royalty.pricing import MONEY_COLUMNS, Scenario
from royalty.report import count, iso, plural
from royalty.report_pricing import amount, header_lines, parameters
from royalty.textfmt import ellipsize, render_markdown, render_table

NO_ALBUM_LABEL: Final = "(no album)"
"""How the table names an artist's plays without an album name."""

_NAME_WIDTH: Final = 32
_INTS: Final = ("year", "artists", "plays", "albums")
_RUNNING: Final = (
    "cumulative_streaming_payout",
    "cumulative_cd_payout",
    "cumulative_difference",
)
_MONEY: Final = (*MONEY_COLUMNS, *_RUNNING)
_LABELS: Final = {
    "artist": "Artist",
    "album": "Album",
    "year": "Year",
    "artists": "Artists",
    "plays": "Plays",
    "albums": "CDs bought",
    "bought": "CD bought",
    "bought_on": "Bought on",
    "streaming_payout": "Streaming",
    "cd_payout": "CD income",
    "difference": "Difference",
    "pro_rata_payout": "Pro-rata",
    "user_centric_payout": "User-centric",
    "download_payout": "Downloads",
    "cumulative_streaming_payout": "Streaming so far",
    "cumulative_cd_payout": "CD income so far",
    "cumulative_difference": "Difference so far",
}


def _value(column: str, value: Any) -> Any:
    """One cell for JSON: ints, bools, ISO dates, full-precision floats, None."""
    if column in ("artist", "album"):
        return None if value is None or value is pd.NA else str(value)
    if column in _INTS:
        return int(value)
    if column == "bought":
        return bool(value)
    if column == "bought_on":
        return iso(value)
    number = float(value)
    return None if math.isnan(number) else number


def breakdown_records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """Rows as JSON-ready dicts, every column, full precision."""
    columns = list(frame.columns)
    return [{c: _value(c, row[c]) for c in columns} for row in frame.to_dict("records")]


def breakdown_json(
    frame: pd.DataFrame, scenario: Scenario, *, by: str, with_meta: bool = False
) -> str:
    """A JSON array of rows; with ``with_meta``, a document with the parameters around it.

    Args:
        frame: a result of :func:`~royalty.pricing.breakdown.by_year` or
            :func:`~royalty.pricing.breakdown.by_album`.
        scenario: the scenario it was priced with.
        by: ``"year"``, ``"year-total"`` or ``"album"`` (named in the document).
        with_meta: wrap the rows with parameters, level, currency and sources.
    """
    rows = breakdown_records(frame)
    if not with_meta:
        return json.dumps(rows, ensure_ascii=False, indent=2) + "\n"
    doc = {
        "parameters": parameters(scenario),
        "level": scenario.level,
        "currency": scenario.currency,
        "sources": dict(scenario.sources),
        "by": by,
        "rows": rows,
    }
    return json.dumps(doc, ensure_ascii=False, indent=2) + "\n"


def breakdown_csv(frame: pd.DataFrame) -> str:
    """CSV with every column, full precision, dates as ISO 8601 UTC, no album as empty."""
    out = frame.copy()
    if "bought_on" in out.columns:
        out["bought_on"] = [iso(v) for v in out["bought_on"]]
    text: str = out.to_csv(index=False, lineterminator="\n")
    return text


def _cell(column: str, value: Any, currency: str) -> str:
    if column == "artist":
        return ellipsize(str(value), _NAME_WIDTH)
    if column == "album":
        return NO_ALBUM_LABEL if value is None else ellipsize(str(value), _NAME_WIDTH)
    if column == "year":
        return str(int(value))
    if column in _INTS:
        return count(int(value))
    if column == "bought":
        return "yes" if value else "no"
    if column == "bought_on":
        return (iso(value) or "-")[:10]
    return amount(float(value), currency)


def _total_row(frame: pd.DataFrame, columns: list[str], what: str, currency: str) -> list[str]:
    """Sums of plays, CDs and each year's or album's money; running totals left blank."""
    cells = [f"Total ({what})"]
    for c in columns[1:]:
        if c in ("plays", "albums", "bought"):
            cells.append(count(int(frame[c].sum())))
        elif c in MONEY_COLUMNS:
            cells.append(amount(float(frame[c].sum()), currency))
        else:
            cells.append("")
    return cells


def _note(frame: pd.DataFrame, scenario: Scenario, by: str) -> str:
    p = scenario.params
    cd = (
        f"A CD counts as bought in the year its album reached {p.min_album_plays} plays"
        if by != "album"
        else f"A CD counts as bought on the day its album reached {p.min_album_plays} plays"
    )
    shown = f", shown as {NO_ALBUM_LABEL}" if by == "album" else ""
    text = f"{cd}; an artist's plays with no album name count together as one album{shown}. "
    kept, played = frame.attrs.get("artists_kept"), frame.attrs.get("artists_played")
    if kept is not None and played is not None and kept < played:
        verb = "adds up" if by == "year-total" else "shows"
        text += (
            f"This table {verb} the top {kept:,} of {played:,} artists by plays "
            f"(--top 0 {verb} every artist). "
        )
    if by == "year":
        text += "Years are calendar years in UTC; the 'so far' columns add up each artist's years. "
    elif by == "year-total":
        text += "Years are calendar years in UTC; the 'so far' columns add up the years. "
    if scenario.model == "user-centric":
        text += "User-centric: each play earns its month's share of your fee. "
    if scenario.downloads:
        text += "A download counts where its track reached the plays needed. "
    if len(frame) == 0:
        text += "No qualifying plays in this period, so nothing was paid."
    return text + "Amounts are rounded to cents; totals add the unrounded amounts."


def breakdown_text(
    frame: pd.DataFrame,
    scenario: Scenario,
    *,
    by: str,
    label: str,
    period: str,
    markdown: bool = False,
) -> str:
    """The breakdown as a terminal or Markdown table, under compare's header block.

    Args:
        frame: a result of :func:`~royalty.pricing.breakdown.by_year` or
            :func:`~royalty.pricing.breakdown.by_album`.
        scenario: the scenario it was priced with.
        by: ``"year"``, ``"year-total"`` or ``"album"``.
        label: whose plays (a user or files), for the title.
        period: the sentence naming the period covered.
        markdown: Markdown instead of a boxed terminal table.
    """
    columns = list(frame.columns)
    cur = scenario.currency
    headers = [f"{_LABELS[c]} ({cur})" if c in _MONEY else _LABELS[c] for c in columns]
    right = [c not in ("artist", "album", "bought", "bought_on") for c in columns]
    rows = [[_cell(c, r[c], cur) for c in columns] for r in frame.to_dict("records")]
    if by == "year":
        what = plural(int(frame["artist"].nunique()), "artist")
    else:
        what = plural(len(frame), "year" if by == "year-total" else "album")
    total = _total_row(frame, columns, what, cur)
    per = {"year": "per artist and year", "year-total": "per year", "album": "per album"}[by]
    title = f"Streaming against CD income {per} for {label}, {scenario.level} level, {cur}"
    head = "\n".join(header_lines(scenario))
    note = _note(frame, scenario, by)
    if markdown:
        bold = [f"**{c}**" if c else "" for c in total]
        table = render_markdown(headers, [*rows, bold], right=right)
        return f"### {title}\n\n```\n{head}\n```\n\n{period}\n\n{table}\n\n{note}\n"
    table = render_table(headers, rows, right=right, footer=[total])
    return f"{title}\n{head}\n{period}\n\n{table}\n\n{note}\n"
