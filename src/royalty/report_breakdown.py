"""Render ``compare --by year`` and ``compare --by album`` in every format of ``compare``.

The table and Markdown name the dollars, level and side in the title, then
the parameters, the sources and the years that borrowed a figure (all from
the :class:`~royalty.pricing.book.Book` that priced the rows) and a note on
how the rows are counted. CSV and JSON keep every column at full precision;
``--with-meta`` JSON carries the parameters, dollars, sources and borrowed
years. Money is rounded only here.
"""

from __future__ import annotations

import json
import math
from dataclasses import fields
from typing import Any, Final

import pandas as pd

from royalty.pricing import Scenario
from royalty.pricing.breakdown import RUNNING_COLUMNS, SPAN_COLUMNS, Breakdown
from royalty.report import count, iso, plural, rounding_note
from royalty.report_pricing import SIDE_WORDS, amount, source_lines
from royalty.textfmt import ellipsize, render_markdown, render_table

NO_ALBUM_LABEL: Final = "(no album)"
"""How the table names an artist's streams without an album name."""

_NAME_WIDTH: Final = 32
_INTS: Final = ("year", "artists", "plays", "streams", "albums", "tracks", "cd_year")
_MONEY: Final = (
    *SPAN_COLUMNS,
    "pro_rata_payout",
    "user_centric_payout",
    "download_payout",
    *RUNNING_COLUMNS,
)
_RANGES: Final = {"streaming_payout": "Streaming low-high", "cd_payout": "CD income low-high"}
_LABELS: Final = {
    "artist": "Artist",
    "album": "Album",
    "year": "Year",
    "artists": "Artists",
    "plays": "Plays",
    "streams": "Paid streams",
    "albums": "CDs bought",
    "tracks": "Tracks played",
    "bought": "CD bought",
    "bought_on": "Bought on",
    "cd_year": "CD priced at",
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
_PER: Final = {"year": "per artist and year", "year-total": "per year", "album": "per album"}


def _value(column: str, value: Any) -> Any:
    """One cell for JSON: ints, bools, ISO dates, full-precision floats, None."""
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if column in ("artist", "album"):
        return str(value)
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


def parameters(scenario: Scenario, dollars: int) -> dict[str, Any]:
    """The scenario's choices as a JSON-ready dict, with the dollars actually used."""
    skip = ("rates", "project_to")
    out = {f.name: getattr(scenario, f.name) for f in fields(scenario) if f.name not in skip}
    out["dollars"] = dollars
    return out


def breakdown_json(found: Breakdown, *, with_meta: bool = False) -> str:
    """A JSON array of rows; with ``with_meta``, a document with what priced them.

    The document holds ``parameters``, ``level``, ``side``, ``dollars``,
    ``currency``, ``sources``, ``borrowed`` (one line per figure that used
    another year's), ``by``, ``artists_kept``, ``artists_played`` and ``rows``.
    """
    rows = breakdown_records(found.table)
    if not with_meta:
        return json.dumps(rows, ensure_ascii=False, indent=2) + "\n"
    book, scenario = found.book, found.book.scenario
    doc = {
        "parameters": parameters(scenario, book.dollars),
        "level": scenario.level,
        "side": scenario.side,
        "dollars": book.dollars,
        "currency": scenario.currency,
        "sources": dict(book.sources),
        "borrowed": book.borrowed_lines(),
        "by": found.by,
        "artists_kept": found.artists_kept,
        "artists_played": found.artists_played,
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


def _cell(column: str, row: dict[Any, Any], currency: str, *, span: bool = False) -> str:
    """One table cell; ``span`` shows the column's low-high range instead of its value."""
    value = row[column]
    if column == "artist":
        return ellipsize(str(value), _NAME_WIDTH)
    if column == "album":
        return NO_ALBUM_LABEL if value is None else ellipsize(str(value), _NAME_WIDTH)
    if value is None or value is pd.NA or value is pd.NaT:
        return "-"
    if column in ("year", "cd_year"):
        return str(int(value))
    if column in _INTS:
        return count(int(value))
    if column == "bought":
        return "yes" if value else "no"
    if column == "bought_on":
        return str(iso(value))[:10]
    if span:
        low, high = float(row[f"{column}_low"]), float(row[f"{column}_high"])
        return f"{amount(low, currency)}-{amount(high, currency)}"
    return amount(float(value), currency)


def _shown(frame: pd.DataFrame) -> list[tuple[str, str]]:
    """(column, header key) pairs of the table: each low and high as one range column."""
    out: list[tuple[str, str]] = []
    for column in frame.columns:
        if column.endswith(("_low", "_high")):
            continue
        out.append((column, column))
        if column in _RANGES:
            out.append((column, f"{column}:range"))
    return out


def _total_row(
    frame: pd.DataFrame, shown: list[tuple[str, str]], what: str, currency: str
) -> list[str]:
    """Sums of the counts and of each row's money; running totals and dates left blank."""
    cells = [f"Total ({what})"]
    for column, key in shown[1:]:
        if key.endswith(":range"):
            low, high = frame[f"{column}_low"].sum(), frame[f"{column}_high"].sum()
            cells.append(f"{amount(float(low), currency)}-{amount(float(high), currency)}")
        elif column in ("plays", "streams", "albums", "bought") or (
            column in _MONEY and column not in RUNNING_COLUMNS
        ):
            total = frame[column].sum()
            cells.append(count(int(total)) if column not in _MONEY else amount(total, currency))
        else:
            cells.append("")
    return cells


def header_lines(found: Breakdown) -> list[str]:
    """The block above the table: what was priced, then the sources and borrowed years."""
    book, s = found.book, found.book.scenario
    who = "the essay's figures" if s.foundation else (s.service or "spotify")
    if s.deal:
        who += f", deal {s.deal}"
    if s.artist_share is not None:
        who += f", artist share {s.artist_share:g}"
    shown = f"; shown in {s.currency} at {s.fx:g} per USD (the rate you gave)" if s.fx else ""
    return [
        f"Model {s.model} ({who}); {s.level} level, {SIDE_WORDS[s.side]}; amounts in US dollars "
        f"of {book.dollars} (CPI-U){shown}.",
        "Each stream is priced at the figures of its year (user-centric: its month), each "
        f"CD at those of the year its album reached {s.min_album_plays} paid streams; plays "
        f"under {s.min_seconds:g} s are not paid.",
        *source_lines(book, keys=True),
    ]


def _note(found: Breakdown) -> str:
    frame, s, by = found.table, found.book.scenario, found.by
    when = "on the day" if by == "album" else "in the year"
    text = (
        f"A CD counts as bought {when} its album reached {s.min_album_plays} paid streams; "
        "streams with no album name buy no CD"
        + (f" (shown as {NO_ALBUM_LABEL}). " if by == "album" else ". ")
    )
    kept, played = found.artists_kept, found.artists_played
    if kept < played:
        verb = "adds up" if by == "year-total" else "shows"
        text += (
            f"This table {verb} the top {kept:,} of {played:,} artists by paid streams "
            f"(--top 0 {verb} every artist). "
        )
    if by == "year":
        text += "Years are calendar years in UTC; the 'so far' columns add up each artist's years. "
    elif by == "year-total":
        text += "Years are calendar years in UTC; the 'so far' columns add up the years. "
    if found.plays_without_time:
        text += f"{plural(found.plays_without_time, 'play')} without a time fit in no year. "
    if s.model == "user-centric":
        text += "User-centric: each stream earns its month's share of your fee. "
    if s.downloads:
        text += "A download counts where its track reached the streams needed. "
    if len(frame) == 0:
        text += "No paid streams in this period, so nothing was paid. "
    money = [c for c in frame.columns if c in _MONEY and c not in RUNNING_COLUMNS]
    note = rounding_note([(frame[c].astype(float).tolist(), float(frame[c].sum())) for c in money])
    return (text + note).strip()


def breakdown_title(found: Breakdown, label: str) -> str:
    """``Streaming against CD income per … for LABEL: level, side, dollars[, currency]``."""
    book, s = found.book, found.book.scenario
    shown = f", shown in {s.currency}" if s.currency != "USD" else ""
    return (
        f"Streaming against CD income {_PER[found.by]} for {label}: {s.level} level, "
        f"{SIDE_WORDS[s.side]}, US dollars of {book.dollars}{shown}"
    )


def breakdown_text(found: Breakdown, *, label: str, period: str, markdown: bool = False) -> str:
    """The breakdown as a terminal or Markdown table, under its header block.

    Args:
        found: a result of :func:`~royalty.pricing.breakdown.year_breakdown` or
            :func:`~royalty.pricing.breakdown.album_breakdown`.
        label: whose plays (a user or files), for the title.
        period: the sentence naming the period covered.
        markdown: Markdown instead of a boxed terminal table.
    """
    frame, cur = found.table, found.book.scenario.currency
    shown = _shown(frame)
    headers = []
    for column, key in shown:
        name = _RANGES[column] if key.endswith(":range") else _LABELS[column]
        headers.append(f"{name} ({cur})" if column in _MONEY else name)
    left = ("artist", "album", "bought", "bought_on")
    right = [column not in left for column, _ in shown]
    records = frame.to_dict("records")
    rows = [[_cell(c, r, cur, span=k.endswith(":range")) for c, k in shown] for r in records]
    if found.by == "year":
        what = plural(int(frame["artist"].nunique()), "artist")
    else:
        what = plural(len(frame), "year" if found.by == "year-total" else "album")
    total = _total_row(frame, shown, what, cur)
    title = breakdown_title(found, label)
    head = "\n".join(header_lines(found))
    note = _note(found)
    if markdown:
        bold = [f"**{c}**" if c else "" for c in total]
        table = render_markdown(headers, [*rows, bold], right=right)
        return f"### {title}\n\n```\n{head}\n```\n\n{period}\n\n{table}\n\n{note}\n"
    table = render_table(headers, rows, right=right, footer=[total])
    return f"{title}\n{head}\n{period}\n\n{table}\n\n{note}\n"
