"""Render a priced history (``royalty compare``): tables, Markdown, CSV and JSON.

This is the one renderer of :func:`royalty.pricing.price_details` results.
Every table names its level, side, dollars year and currency in its title,
then the parameters, the sources of the figures actually used, and the years
that borrowed another year's figure. Money is rounded here and only here;
CSV and JSON keep full precision.
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import pandas as pd

from royalty.pricing import MONEY_COLUMNS, VERDICTS, Scenario, result_columns, totals
from royalty.report import count, iso, json_rows, plural, rounding_note
from royalty.textfmt import ellipsize, render_markdown, render_table

if TYPE_CHECKING:
    from royalty.pricing import Pricing
    from royalty.pricing.book import Book
    from royalty.pricing.price import FeeShare

_NAME_WIDTH = 32
_DATES = ("crossover_date", "projected_crossover_date")
_INTS = ("plays", "streams", "streams_without_album", "albums", "breakeven_plays")

_LABELS = {
    "artist": "Artist",
    "plays": "Plays",
    "streams": "Paid streams",
    "albums": "CDs",
    "streaming_payout": "Streaming",
    "cd_payout": "CD income",
    "difference": "Difference",
    "verdict": "Verdict",
    "breakeven_plays": "Break-even streams",
    "crossover_date": "Crossover",
    "pro_rata_payout": "Pro-rata",
    "user_centric_payout": "User-centric",
    "download_payout": "Downloads",
    "projected_plays": "Projected streams",
    "projected_streaming_payout": "Projected streaming",
    "projected_crossover_date": "Projected crossover",
}
_TABLE_COLUMNS = tuple(_LABELS)
"""The columns the terminal table shows (the ranges go beside the two payouts)."""

SIDE_WORDS = {
    "master": "recording (master) money",
    "publishing": "publishing (songwriter) money",
    "both": "recording and publishing money",
}
_VERDICT_WORDS = {
    "streams": "streams ahead",
    "cds": "CDs ahead",
    "depends": "it depends on the figures",
    "no-cd": "no CD bought",
}


def amount(value: float, currency: str) -> str:
    """Two decimals; a dollar sign for USD (the currency is named in the headers)."""
    sign = "-" if value < 0 else ""
    mark = "$" if currency == "USD" else ""
    return f"{sign}{mark}{abs(value):,.2f}"


def _column(frame: pd.DataFrame, column: str) -> list[Any]:
    """One column as JSON-ready Python values: whole columns at a time, not cell by cell."""
    values = frame[column]
    if column in ("artist", "verdict"):
        return [str(v) for v in values.tolist()]
    if column in _DATES:
        stamps = pd.to_datetime(values, utc=True)
        text: Sequence[object] = stamps.dt.strftime("%Y-%m-%dT%H:%M:%SZ").tolist()
        return [v if isinstance(v, str) else None for v in text]  # NaT gives NaN
    if column in _INTS:
        return values.to_numpy(dtype="int64").tolist()
    numbers = values.to_numpy(dtype="float64").tolist()
    return [None if math.isnan(v) else v for v in numbers]


def records(frame: pd.DataFrame, columns: Sequence[str]) -> list[dict[str, Any]]:
    """Rows as JSON-ready dicts with exactly ``columns``, full precision."""
    data = [_column(frame, c) for c in columns]
    return [dict(zip(columns, row, strict=True)) for row in zip(*data, strict=True)]


def priced_json(frame: pd.DataFrame, scenario: Scenario) -> str:
    """A JSON array of artist objects with every result column."""
    return json_rows(records(frame, result_columns(scenario)))


def priced_csv(frame: pd.DataFrame, scenario: Scenario) -> str:
    """CSV with every result column, full precision, dates as ISO 8601 UTC."""
    out = frame.loc[:, list(result_columns(scenario))].copy()
    out["artist"] = out["artist"].astype(str)
    for column in _DATES:
        if column in out.columns:
            out[column] = [iso(v) for v in out[column]]
    text: str = out.to_csv(index=False, lineterminator="\n")
    return text


def currency_words(scenario: Scenario, book: Book) -> str:
    """``US dollars of 2013``, or ``NZD at your 1.25 per US dollar of 2013``."""
    if scenario.fx is None:
        return f"US dollars of {book.dollars}"
    return f"{scenario.currency} at your {scenario.fx:g} per US dollar of {book.dollars}"


def title(label: str, scenario: Scenario, book: Book) -> str:
    """The table's title: whose history, level, side, dollars."""
    return (
        f"Streaming against CD income for {label}: {scenario.level} level, "
        f"{SIDE_WORDS[scenario.side]}, {currency_words(scenario, book)}"
    )


def parameters(scenario: Scenario, book: Book) -> dict[str, Any]:
    """The parameters in use, as a JSON-ready dict."""
    s = scenario
    out: dict[str, Any] = {
        "model": s.model,
        "service": None if s.foundation else s.service_row().service,
        "deal": s.deal,
        "artist_share": s.artist_share,
        "side": s.side,
        "level": s.level,
        "rate": s.rate,
        "cd_margin": s.cd_margin,
        "min_album_plays": s.min_album_plays,
        "min_seconds": s.min_seconds,
        "dollars": book.dollars,
    }
    if s.model == "user-centric":
        out.update(market=s.market, fee=s.fee, payout_ratio=s.payout_ratio, vat=s.vat)
    if s.downloads:
        out.update(min_track_plays=s.min_track_plays, track_price=s.track_price)
    out["currency"] = s.currency
    out["fx"] = s.fx
    out["project_to"] = iso(s.project_to) if s.project_to else None
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


def priced_meta_json(pricing: Pricing, frame: pd.DataFrame, scenario: Scenario) -> str:
    """The ``--with-meta`` document: parameters, level, side, dollars, sources, artists."""
    book = pricing.book
    doc: dict[str, Any] = {
        "parameters": parameters(scenario, book),
        "level": scenario.level,
        "side": scenario.side,
        "dollars": book.dollars,
        "currency": scenario.currency,
        "sources": dict(book.sources),
        "borrowed": {what: sorted(years) for what, years in sorted(book.borrowed.items())},
        "verdicts": totals(pricing.table).verdicts,
        "artists": records(frame, result_columns(scenario)),
    }
    if pricing.fee_share is not None:
        f = pricing.fee_share
        doc["fee_share"] = {
            "months": f.months,
            "fees": f.fees,
            "pro_rata": f.pro_rata,
            "user_centric": f.user_centric,
        }
    if pricing.months is not None:
        doc["user_centric_months"] = months_records(pricing.months)
    return json.dumps(doc, ensure_ascii=False, indent=2) + "\n"


def header_lines(
    scenario: Scenario,
    book: Book,
    months: pd.DataFrame | None = None,
    fee_share: FeeShare | None = None,
) -> list[str]:
    """The block above a table: how the figures were used, then their sources."""
    s, cur = scenario, scenario.currency
    who = "the essay's figures" if s.foundation else f"{s.service_row().name}"
    if not s.foundation:
        deal = f"deal {s.deal}" if s.deal else "no deal"
        share = f", artist share {s.artist_share:g}" if s.artist_share is not None else ""
        who += f", {deal}{share}"
    lines = [
        f"Model {s.model}; {who}. Each paid stream is priced at the figures of its year, each CD "
        f"at those of the year its album reached {s.min_album_plays} paid streams; amounts in "
        f"{currency_words(s, book)} (CPI-U). Plays under {s.min_seconds:g} s are not paid.",
    ]
    if months is not None and len(months):
        rate = months["rate"]
        lines.append(
            f"User-centric: each month's fee net of sales tax × the share paid out, split by "
            f"that month's paid streams; rate per stream ({cur}) over "
            f"{plural(len(months), 'month')}: min {rate.min():.6g}, median {rate.median():.6g}, "
            f"max {rate.max():.6g}."
        )
    if fee_share is not None and fee_share.fees > 0:
        f = fee_share
        lines.append(
            f"Of your fees, {amount(f.fees, cur)} over {plural(f.months, 'month')} net of sales "
            f"tax, pro-rata rates paid the artists you played {amount(f.pro_rata, cur)} "
            f"({f.pro_rata / f.fees:.0%}) and the user-centric split {amount(f.user_centric, cur)} "
            f"({f.user_centric / f.fees:.0%}), rights-holder level, before any deal."
        )
    if s.downloads:
        lines.append(
            f"Downloads: each track played {s.min_track_plays}+ times is bought at its year's "
            "price; the store's cut and the mechanical royalty come off the master side."
        )
    if s.project_to is not None:
        lines.append(
            f"Projected to {str(iso(s.project_to))[:10]} at each artist's pace over the last 365 "
            "days of plays, at the last month's figures; CDs held fixed."
        )
    lines.extend(source_lines(book))
    return lines


def source_lines(book: Book, *, keys: bool = False) -> list[str]:
    """Where each figure comes from, then the years that borrowed another year's figure."""
    lines = ["Sources:"]
    lines += [f"  {key}: {text}" if keys else f"  {text}" for key, text in book.sources.items()]
    borrowed = book.borrowed_lines()
    if borrowed:
        lines += ["Years without a figure of their own:", *(f"  {b}" for b in borrowed)]
    return lines


def _range(low: float, high: float, currency: str) -> str:
    if math.isclose(low, high, rel_tol=1e-9, abs_tol=1e-12):
        return "-"
    return f"{amount(low, currency)}–{amount(high, currency)}"


def _cell(column: str, value: Any, currency: str) -> str:
    if column == "artist":
        return ellipsize(str(value), _NAME_WIDTH)
    if column == "verdict":
        return str(value)
    if column in _DATES:
        return (iso(value) or "-")[:10]
    if column in _INTS:
        return count(int(value))
    if column == "projected_plays":
        return count(round(float(value)))
    return amount(float(value), currency)


def _layout(scenario: Scenario) -> list[str]:
    """The terminal table's columns: the result's, with a range after each payout."""
    shown: list[str] = []
    for column in result_columns(scenario):
        if column not in _TABLE_COLUMNS:
            continue
        shown.append(column)
        if column in ("streaming_payout", "cd_payout"):
            shown.append(f"{column}_range")
    return shown


def priced_text(
    pricing: Pricing,
    frame: pd.DataFrame,
    scenario: Scenario,
    *,
    label: str,
    period: str,
    markdown: bool = False,
) -> str:
    """The table for the terminal or Markdown, with its header block and summary."""
    cur = scenario.currency
    columns = _layout(scenario)
    headers = []
    for c in columns:
        if c.endswith("_range"):
            headers.append("Range")
        else:
            headers.append(f"{_LABELS[c]} ({cur})" if c in MONEY_COLUMNS else _LABELS[c])
    right = [c not in ("artist", "verdict", *_DATES) for c in columns]
    rows = []
    for r in frame.to_dict("records"):
        row = []
        for c in columns:
            if c.endswith("_range"):
                base = c.removesuffix("_range")
                row.append(_range(float(r[f"{base}_low"]), float(r[f"{base}_high"]), cur))
            else:
                row.append(_cell(c, r[c], cur))
        rows.append(row)
    total = [f"Total ({plural(len(frame), 'artist')})"]
    for c in columns[1:]:
        if c.endswith("_range"):
            base = c.removesuffix("_range")
            low, high = float(frame[f"{base}_low"].sum()), float(frame[f"{base}_high"].sum())
            total.append(_range(low, high, cur))
        elif c in MONEY_COLUMNS:
            total.append(amount(float(frame[c].sum()), cur))
        elif c in ("plays", "streams", "albums"):
            total.append(count(int(frame[c].sum())))
        else:
            total.append("")
    head = "\n".join(header_lines(scenario, pricing.book, pricing.months, pricing.fee_share))
    money = [c for c in columns if c in MONEY_COLUMNS]
    note = rounding_note([(frame[c].astype(float).tolist(), float(frame[c].sum())) for c in money])
    reading = summary(pricing.table, frame, scenario, pricing.book)
    reading = f"{note}\n{reading}" if note else reading
    heading = title(label, scenario, pricing.book)
    if markdown:
        bold = [f"**{c}**" if c else "" for c in total]
        table = render_markdown(headers, [*rows, bold], right=right)
        return f"### {heading}\n\n```\n{head}\n```\n\n{period}\n\n{table}\n\n{reading}\n"
    table = render_table(headers, rows, right=right, footer=[total])
    return f"{heading}\n{head}\n{period}\n\n{table}\n\n{reading}\n"


def summary(everyone: pd.DataFrame, shown: pd.DataFrame, scenario: Scenario, book: Book) -> str:
    """The reading under the table: verdicts counted, totals with their ranges."""
    if len(everyone) == 0:
        return "No paid streams in this period, so nothing was paid."
    cur = scenario.currency
    all_t, t = totals(everyone), totals(shown)
    counts = ", ".join(
        f"{_VERDICT_WORDS[v]} for {all_t.verdicts[v]:,}" for v in VERDICTS if all_t.verdicts[v]
    )
    lines = [f"Verdict for all {plural(all_t.artists, 'artist')}: {counts}."]
    scope = (
        f"The {plural(t.artists, 'artist')} listed"
        if t.artists == all_t.artists
        else f"The top {t.artists:,} of {all_t.artists:,} artists"
    )
    lines.append(
        f"{scope} earned {amount(t.streaming_payout, cur)} "
        f"({_span(t.streaming_payout_low, t.streaming_payout_high, cur)}) from "
        f"{plural(t.streams, 'paid stream')} against {amount(t.cd_payout, cur)} "
        f"({_span(t.cd_payout_low, t.cd_payout_high, cur)}) from {plural(t.albums, 'CD')}"
        + (
            f", and downloads would have paid {amount(float(shown['download_payout'].sum()), cur)}"
            if scenario.downloads
            else ""
        )
        + f" ({scenario.level} level, {currency_words(scenario, book)})."
    )
    lost = int(everyone["streams_without_album"].sum())
    if lost:
        lines.append(
            f"{plural(lost, 'paid stream')} had no album name and buy no CD (royalty cannot "
            "tell which album they belong to)."
        )
    return "\n".join(lines)


def _span(low: float, high: float, currency: str) -> str:
    return f"{amount(low, currency)} to {amount(high, currency)}"
