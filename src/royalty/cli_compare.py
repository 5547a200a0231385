"""``royalty compare`` and ``royalty rates``: the pricing commands."""

from __future__ import annotations

import sys
from datetime import datetime
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from royalty.errors import UsageError

if TYPE_CHECKING:
    from royalty.history import History
    from royalty.pricing import Scenario

from royalty.cli_breakdown import ByChoice, breakdown_compare
from royalty.cli_common import (
    ArtistShareOpt,
    CdMarginOpt,
    CompareFormat,
    CurrencyOpt,
    DealOpt,
    DollarsOpt,
    FeeOpt,
    FileOpt,
    FxOpt,
    InputFormatOpt,
    MarketOpt,
    MaxFileSizeOpt,
    MinAlbumPlaysOpt,
    MinSecondsOpt,
    PayoutRatioOpt,
    RateOpt,
    ServiceOpt,
    SideChoice,
    SideOpt,
    SinceOpt,
    SkipBadRowsOpt,
    TzOpt,
    UntilOpt,
    UserOpt,
    VatOpt,
    check_output,
    choose_history,
    configured_rates,
    handle_errors,
    period_text,
    write_output,
)


class ModelChoice(StrEnum):
    """Models of ``royalty compare --model``."""

    pro_rata = "pro-rata"
    user_centric = "user-centric"
    downloads = "downloads"


@handle_errors
def compare(
    user: UserOpt = None,
    file: FileOpt = None,
    input_format: InputFormatOpt = None,
    tz: TzOpt = None,
    skip_bad_rows: SkipBadRowsOpt = False,
    max_file_size: MaxFileSizeOpt = None,
    rate: RateOpt = None,
    service: ServiceOpt = None,
    deal: DealOpt = None,
    artist_share: ArtistShareOpt = None,
    cd_margin: CdMarginOpt = None,
    side: SideOpt = SideChoice.master,
    dollars: DollarsOpt = None,
    min_album_plays: MinAlbumPlaysOpt = 10,
    min_seconds: MinSecondsOpt = 30.0,
    model: Annotated[
        list[ModelChoice] | None,
        typer.Option(
            "--model",
            help="pro-rata (the default), user-centric (your fee split among your "
            "artists each month) and/or downloads (adds download income); repeatable.",
            show_default=False,
        ),
    ] = None,
    market: MarketOpt = None,
    fee: FeeOpt = None,
    payout_ratio: PayoutRatioOpt = None,
    vat: VatOpt = None,
    min_track_plays: Annotated[
        int | None,
        typer.Option(
            help="Downloads: plays of a track before it counts as bought.", show_default="3"
        ),
    ] = None,
    track_price: Annotated[
        float | None,
        typer.Option(help="Downloads: USD per track.", show_default="0.99"),
    ] = None,
    currency: CurrencyOpt = None,
    fx: FxOpt = None,
    project_to: Annotated[
        str | None,
        typer.Option(
            help="Project each artist's plays to this date (YYYY-MM-DD, after the last play) "
            "at their pace over the last 365 days.",
            show_default=False,
        ),
    ] = None,
    since: SinceOpt = None,
    until: UntilOpt = None,
    by: Annotated[
        ByChoice | None,
        typer.Option(
            "--by",
            help="Break the figures down: year (each artist's calendar years, UTC, with "
            "running totals) or album (each album's plays and whether its CD was bought).",
            show_default=False,
        ),
    ] = None,
    total: Annotated[
        bool,
        typer.Option(
            help="With --by year: one row per year, adding up every artist (or the --top N)."
        ),
    ] = False,
    top: Annotated[
        int | None,
        typer.Option(
            help="Show this many artists (default 20; every one with --total); 0 shows every one.",
            show_default=False,
        ),
    ] = None,
    format: Annotated[CompareFormat, typer.Option("--format", "-f", help="Output format.")] = (
        CompareFormat.table
    ),
    with_meta: Annotated[
        bool,
        typer.Option(
            help="With --format json: wrap the artists in a document with the parameters, "
            "level, currency and sources."
        ),
    ] = False,
    output: Annotated[
        Path | None,
        typer.Option("--output", "-o", help="Write to this file instead of the terminal."),
    ] = None,
) -> None:
    """Compare what each artist earned from your plays as streams with what your CDs paid them.

    Each paid stream is priced at the figures of its own year and each CD at
    those of the year you would have bought it, all in US dollars of one year
    (--dollars; default the year of your last play). By default: the essay's
    figures at the artist level. --service, --deal, --side and --model change
    the figures, the level and the side; the output names them, with every
    figure's source, its low and high, and a verdict per artist.

    Example:

        royalty compare --rate 0.0033 --top 10

        royalty compare --service spotify --deal indie --format csv -o artists.csv
    """
    from royalty.pricing import make_scenario

    if top is None:
        top = 0 if total else 20  # a year's total adds up every artist unless asked otherwise
    if top < 0:
        raise UsageError(f"--top must be 0 (every artist) or more, got {top}")
    if with_meta and format is not CompareFormat.json:
        raise UsageError("--with-meta only applies with --format json")
    check_output(output, file)
    if total and by is not ByChoice.year:
        raise UsageError("--total only applies with --by year")
    if by is not None and project_to is not None:
        raise UsageError("--project-to does not apply with --by: a breakdown covers past plays")
    models = set(model or [])
    streaming = {m for m in models if m is not ModelChoice.downloads}
    if len(streaming) > 1:
        raise UsageError("choose one streaming model: --model pro-rata or --model user-centric")
    rates = configured_rates(service, deal, artist_share)
    scenario = make_scenario(
        rate=rate,
        service=service,
        deal=None if deal is None else deal.value,
        artist_share=artist_share,
        cd_margin=cd_margin,
        side=side.value,
        min_album_plays=min_album_plays,
        min_seconds=min_seconds,
        model="user-centric" if ModelChoice.user_centric in models else "pro-rata",
        market=None if market is None else market.value,
        fee=fee,
        payout_ratio=payout_ratio,
        vat=vat,
        downloads=ModelChoice.downloads in models,
        min_track_plays=min_track_plays,
        track_price=track_price,
        currency=currency,
        fx=fx,
        dollars=dollars,
        project_to=None if project_to is None else _date(project_to),
        rates=rates,
    )
    columns = ["played_at", "artist", "album", "duration_ms"]
    # Tracks: downloads, publishing money and the album breakdown's tracks played need them.
    tracks = scenario.downloads or scenario.side != "master" or by is ByChoice.album
    history = choose_history(
        user, file, input_format, tz, skip_bad_rows, since, until,
        columns=[*columns, "track"] if tracks else columns,
        max_file_size=max_file_size,
    )  # fmt: skip
    if by is not None:
        period = _span(history, since, until)
        breakdown_compare(history, scenario, by, total, top, format, with_meta, output, period)
        return
    _scenario_compare(history, scenario, since, until, top, format, with_meta, output)


def _date(text: str) -> datetime:
    """``--project-to``: a date (checked against the last play when pricing)."""
    from royalty.history import parse_date

    return parse_date(text)


def _span(history: History, since: str | None, until: str | None) -> str:
    from royalty import report

    plays = history.plays["played_at"]
    span = (report.iso(plays.min()) or "", report.iso(plays.max()) or "") if len(plays) else None
    return period_text(since, until, span and (span[0][:10], span[1][:10]))


def _scenario_compare(
    history: History,
    scenario: Scenario,
    since: str | None,
    until: str | None,
    top: int,
    format: CompareFormat,
    with_meta: bool,
    output: Path | None,
) -> None:
    """Price the history under the scenario and write it in the chosen format."""
    from royalty import report_pricing as rp
    from royalty.pricing import price_details

    pricing = price_details(history.plays, scenario)
    result = pricing.table
    shown = result if top == 0 else result.head(top)
    if format is CompareFormat.json:
        text = (
            rp.priced_meta_json(pricing, shown, scenario)
            if with_meta
            else rp.priced_json(shown, scenario)
        )
    elif format is CompareFormat.csv:
        text = rp.priced_csv(shown, scenario)
    else:
        text = rp.priced_text(
            pricing,
            shown,
            scenario,
            label=history.label,
            period=_span(history, since, until),
            markdown=format is CompareFormat.markdown,
        )
    write_output(text, output)


@handle_errors
def rates(
    year: Annotated[
        int | None,
        typer.Option(
            metavar="YEAR",
            help="Only the figures this year uses (its own, or the nearest cited year's).",
            show_default=False,
        ),
    ] = None,
    format: Annotated[CompareFormat, typer.Option("--format", "-f", help="Output format.")] = (
        CompareFormat.table
    ),
) -> None:
    """Show the cited figures by year: per-stream rates by service, CD, download and
    publishing figures, subscription prices and CPI-U, each with its source.

    Per-stream rates are what services pay rights holders for the recording, in
    US dollars of each year. Rates from the config file (royalty.toml,
    [rates.<service>]) are included.

    Example:

        royalty rates --year 2013

        royalty rates --format markdown
    """
    from royalty import report_rates as rr
    from royalty.config import read_config
    from royalty.pricing import rates_table

    if year is not None and not 1900 <= year <= 2100:
        raise UsageError(f"--year must be a year such as 2013, got {year}")
    rows = rr.rates_rows(rates_table(read_config()), year)
    if format is CompareFormat.json:
        text = rr.rates_json(rows)
    elif format is CompareFormat.csv:
        text = rr.rates_csv(rows)
    else:
        text = rr.rates_text(rows, year, markdown=format is CompareFormat.markdown)
    sys.stdout.write(text)
