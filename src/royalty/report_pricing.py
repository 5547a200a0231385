"""Render issue 5's pricing: scenario tables with their parameters and sources,
JSON with or without metadata, CSV, and the rates table.

Money is rounded here and only here; CSV and JSON keep full precision.
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from typing import Any

import pandas as pd

from royalty.pricing import MONEY_COLUMNS, Scenario, ServiceRate, result_columns
from royalty.pricing.scenario import STORE_CUT
from royalty.pricing.streaming import streams_win
from royalty.report import count, iso, plural, rounding_note
from royalty.textfmt import ellipsize, render_markdown, render_table

_NAME_WIDTH = 32
_DATES = ("crossover_date", "projected_crossover_date")
_INTS = ("plays", "albums", "breakeven_plays")

_LABELS = {
    "artist": "Artist",
    "plays": "Plays",
    "albums": "CDs",
    "streaming_payout": "Streaming",
    "cd_payout": "CD income",
    "difference": "Difference",
    "breakeven_plays": "Break-even plays",
    "crossover_date": "Crossover",
    "pro_rata_payout": "Pro-rata",
    "user_centric_payout": "User-centric",
    "download_payout": "Downloads",
    "projected_plays": "Projected plays",
    "projected_streaming_payout": "Projected streaming",
    "projected_crossover_date": "Projected crossover",
}


def amount(value: float, currency: str) -> str:
    """Two decimals; a dollar sign for USD (the currency is named in the headers)."""
    sign = "-" if value < 0 else ""
    mark = "$" if currency == "USD" else ""
    return f"{sign}{mark}{abs(value):,.2f}"


def _value(column: str, value: Any) -> Any:
    if column == "artist":
        return str(value)
    if column in _DATES:
        return iso(value)
    if column in _INTS:
        return int(value)
    number = float(value)
    return None if math.isnan(number) else number


def records(frame: pd.DataFrame, columns: Sequence[str]) -> list[dict[str, Any]]:
    """Rows as JSON-ready dicts with exactly ``columns``, full precision."""
    return [{c: _value(c, row[c]) for c in columns} for row in frame.to_dict("records")]


def priced_json(frame: pd.DataFrame, scenario: Scenario) -> str:
    """A JSON array of artist objects: the foundation columns plus the scenario's."""
    data = records(frame, result_columns(scenario))
    return json.dumps(data, ensure_ascii=False, indent=2) + "\n"


def priced_csv(frame: pd.DataFrame, scenario: Scenario) -> str:
    """CSV with the scenario's columns, full precision, dates as ISO 8601 UTC."""
    out = frame.loc[:, list(result_columns(scenario))].copy()
    out["artist"] = out["artist"].astype(str)
    for column in _DATES:
        if column in out.columns:
            out[column] = [iso(v) for v in out[column]]
    text: str = out.to_csv(index=False, lineterminator="\n")
    return text


def parameters(scenario: Scenario) -> dict[str, Any]:
    """The parameters in use, as a JSON-ready dict."""
    p = scenario.params
    out: dict[str, Any] = {
        "model": scenario.model,
        "service": scenario.service,
        "deal": scenario.deal,
        "artist_share": scenario.share,
        "rate": p.rate,
        "cd_margin": p.cd_margin,
        "min_album_plays": p.min_album_plays,
        "min_seconds": p.min_seconds,
    }
    if scenario.model == "user-centric":
        out.update(fee=scenario.fee, payout_ratio=scenario.payout_ratio, vat=scenario.vat)
    if scenario.downloads:
        out.update(
            min_track_plays=scenario.min_track_plays,
            track_price=scenario.track_price,
            store_cut=STORE_CUT,
        )
    out["fx"] = scenario.fx
    out["project_to"] = iso(scenario.project_to) if scenario.project_to else None
    return out


def months_records(months: pd.DataFrame) -> list[dict[str, Any]]:
    """The user-centric months as JSON-ready dicts."""
    return [
        {
            "month": str(iso(r["month"]))[:7],
            "plays": int(r["plays"]),
            "payout": float(r["payout"]),
            "rate": float(r["rate"]),
        }
        for r in months.to_dict("records")
    ]


def priced_meta_json(
    frame: pd.DataFrame, scenario: Scenario, months: pd.DataFrame | None = None
) -> str:
    """The ``--with-meta`` document: parameters, level, currency, sources, artists."""
    doc: dict[str, Any] = {
        "parameters": parameters(scenario),
        "level": scenario.level,
        "currency": scenario.currency,
        "sources": dict(scenario.sources),
        "artists": records(frame, result_columns(scenario)),
    }
    if months is not None:
        doc["user_centric_months"] = months_records(months)
    return json.dumps(doc, ensure_ascii=False, indent=2) + "\n"


def header_lines(scenario: Scenario, months: pd.DataFrame | None = None) -> list[str]:
    """The block above the table: parameters in use, then where each comes from."""
    p, cur, level = scenario.params, scenario.currency, scenario.level
    who = f" ({scenario.service}" if scenario.service else ""
    if who:
        share = f", artist share {scenario.share:g}" if scenario.level == "artist" else ""
        who += f", deal {scenario.deal}{share})" if scenario.deal else f"{share})"
    lines = [
        f"Model {scenario.model}; {level} level{who}; amounts in {cur}"
        + (f" at the rate you gave ({scenario.fx:g} {cur} per USD)" if scenario.fx else "")
        + ".",
        f"Rate USD {p.rate:.6g} per stream to the {level}; CD USD {p.cd_margin:,.2f} per "
        f"album to the {level}; an album counts as bought once played {p.min_album_plays} "
        f"times; plays under {p.min_seconds:g} s are not paid.",
    ]
    if scenario.model == "user-centric":
        lines.append(
            f"User-centric: fee USD {scenario.fee:g} a month / (1 + VAT {scenario.vat:g}) × "
            f"payout ratio {scenario.payout_ratio:g} × share {scenario.share:g}, split each "
            "month by plays."
        )
        if months is not None and len(months):
            rate = months["rate"]
            lines.append(
                f"Implied rate per stream ({cur}), over {plural(len(months), 'month')}: "
                f"min {rate.min():.6g}, median {rate.median():.6g}, max {rate.max():.6g}."
            )
    if scenario.downloads:
        lines.append(
            f"Downloads: each track played {scenario.min_track_plays}+ times bought at USD "
            f"{scenario.track_price:g}; the label gets {1 - STORE_CUT:.0%}, the artist share "
            "of that."
        )
    if scenario.project_to is not None:
        lines.append(
            f"Projected to {str(iso(scenario.project_to))[:10]} at each artist's pace over "
            "the last 365 days of plays; CDs held fixed."
        )
    lines.append("Sources:")
    lines.extend(f"  {key}: {text}" for key, text in scenario.sources.items())
    return lines


def _cell(column: str, value: Any, currency: str) -> str:
    if column == "artist":
        return ellipsize(str(value), _NAME_WIDTH)
    if column in _DATES:
        return (iso(value) or "-")[:10]
    if column in _INTS:
        return count(int(value))
    if column == "projected_plays":
        return count(round(float(value)))
    return amount(float(value), currency)


def priced_text(
    frame: pd.DataFrame,
    scenario: Scenario,
    *,
    label: str,
    period: str,
    all_artists: int,
    months: pd.DataFrame | None = None,
    markdown: bool = False,
) -> str:
    """The scenario's table for the terminal or Markdown, with its header block."""
    columns = result_columns(scenario)
    cur = scenario.currency
    headers = [f"{_LABELS[c]} ({cur})" if c in MONEY_COLUMNS else _LABELS[c] for c in columns]
    right = [c not in ("artist", *_DATES) for c in columns]
    rows = [[_cell(c, r[c], cur) for c in columns] for r in frame.to_dict("records")]
    total = [f"Total ({plural(len(frame), 'artist')})"]
    for c in columns[1:]:
        if c in MONEY_COLUMNS:
            total.append(amount(float(frame[c].sum()), cur))
        elif c in ("plays", "albums"):
            total.append(count(int(frame[c].sum())))
        else:
            total.append("")
    title = f"Streaming against CD income for {label}, {scenario.level} level, {cur}"
    head = "\n".join(header_lines(scenario, months))
    reading = _reading(frame, scenario, all_artists)
    money = [c for c in columns if c in MONEY_COLUMNS]
    note = rounding_note([(frame[c].astype(float).tolist(), float(frame[c].sum())) for c in money])
    reading = f"{note}\n{reading}" if note else reading
    if markdown:
        bold = [f"**{c}**" if c else "" for c in total]
        table = render_markdown(headers, [*rows, bold], right=right)
        return f"### {title}\n\n```\n{head}\n```\n\n{period}\n\n{table}\n\n{reading}\n"
    table = render_table(headers, rows, right=right, footer=[total])
    return f"{title}\n{head}\n{period}\n\n{table}\n\n{reading}\n"


def _reading(frame: pd.DataFrame, scenario: Scenario, all_artists: int) -> str:
    if len(frame) == 0:
        return "No qualifying plays in this period, so nothing was paid."
    cur = scenario.currency
    wins = int(streams_win(frame["streaming_payout"], frame["cd_payout"]).sum())
    scope = (
        f"the {plural(len(frame), 'artist')} listed"
        if len(frame) == all_artists
        else f"the top {len(frame):,} of {all_artists:,} artists"
    )
    text = (
        f"Streams ({scenario.model}) paid more than CD sales would have for {wins:,} of "
        f"{scope}; together they earned {amount(frame['streaming_payout'].sum(), cur)} "
        f"from {plural(int(frame['plays'].sum()), 'stream')} against "
        f"{amount(frame['cd_payout'].sum(), cur)} from {plural(int(frame['albums'].sum()), 'CD')}"
    )
    if scenario.downloads:
        text += f", and downloads would have paid {amount(frame['download_payout'].sum(), cur)}"
    return text + f" ({scenario.level} level, {cur})."


# --- the rates table ---------------------------------------------------------

_RATE_HEADERS = ("Service", "Name", "Rate", "Low", "High", "Year", "Source")


def rates_json(rows: Sequence[ServiceRate]) -> str:
    """The rates as a JSON array of objects (service, rate, low, high, level, currency,
    year, source)."""
    return json.dumps([r.to_dict() for r in rows], ensure_ascii=False, indent=2) + "\n"


def rates_csv(rows: Sequence[ServiceRate]) -> str:
    """The rates as CSV with the JSON keys as columns."""
    frame = pd.DataFrame([r.to_dict() for r in rows])
    text: str = frame.to_csv(index=False, lineterminator="\n")
    return text


def rates_text(rows: Sequence[ServiceRate], *, markdown: bool = False) -> str:
    """The rates as a terminal or Markdown table, with their level and currency."""
    title = "Per-stream rates paid to rights holders (rights-holder level, USD)"
    note = (
        "Before the artist's deal: see --deal and --artist-share. "
        "Add or override rows in royalty.toml under [rates.<service>]."
    )
    cells = [
        [
            r.service,
            r.name,
            f"{r.rate:.5g}",
            f"{r.low:.5g}",
            f"{r.high:.5g}",
            str(r.year),
            r.source if markdown else ellipsize(r.source, 60),
        ]
        for r in rows
    ]
    right = (False, False, True, True, True, True, False)
    if markdown:
        return f"### {title}\n\n{note}\n\n{render_markdown(_RATE_HEADERS, cells, right=right)}\n"
    return f"{title}\n{note}\n\n{render_table(_RATE_HEADERS, cells, right=right)}\n"
