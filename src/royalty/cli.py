"""The ``royalty`` command line: parse, call one library function, render or save.

Nothing heavy is imported at start-up (pandas, pyarrow, matplotlib and pylast
load inside the commands that need them), so ``royalty --help`` stays quick.
Library errors (:class:`royalty.errors.RoyaltyError`) become one line,
``Error: …``, on stderr with exit code 1.
"""

from __future__ import annotations

import functools
import os
import sys
from collections.abc import Callable
from datetime import UTC, datetime
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, ParamSpec, TypeVar

import typer

from royalty.errors import RoyaltyError, UsageError

if TYPE_CHECKING:
    from royalty.history import History
    from royalty.pricing import CompareParams, Scenario

app = typer.Typer(
    help=(
        "What did my listening pay the artists? Prices your listening history as "
        "streams and as CD purchases."
    ),
    no_args_is_help=True,
    pretty_exceptions_show_locals=False,
    add_completion=False,
    # Plain help and usage errors: rendering them with rich costs ~0.3 s at start-up.
    rich_markup_mode=None,
)

P = ParamSpec("P")
R = TypeVar("R")


def handle_errors(func: Callable[P, R]) -> Callable[P, R]:
    """Turn library errors into ``Error: …`` on stderr and exit code 1."""

    @functools.wraps(func)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return func(*args, **kwargs)
        except RoyaltyError as exc:
            message = " ".join(str(exc).split())
            typer.echo(f"Error: {message}", err=True)
            raise typer.Exit(1) from None
        except KeyboardInterrupt:
            typer.echo("Error: interrupted; nothing was left half-written", err=True)
            raise typer.Exit(130) from None

    return wrapper


class CompareFormat(StrEnum):
    """Output formats of ``royalty compare``."""

    table = "table"
    csv = "csv"
    json = "json"
    markdown = "markdown"


class SimpleFormat(StrEnum):
    """Output formats of ``royalty stats`` and ``royalty users``."""

    table = "table"
    json = "json"


UserOpt = Annotated[
    str | None,
    typer.Option(
        "--user",
        "-u",
        help="Whose history to use. Default: the user imported most recently, "
        "or the bundled sample when nothing has been imported.",
        show_default=False,
    ),
]
FileOpt = Annotated[
    list[Path] | None,
    typer.Option(
        "--file",
        help="Use this listening-history file, zip or folder instead of the store "
        "(repeat for several). Nothing is imported.",
        show_default=False,
    ),
]
InputFormatOpt = Annotated[
    str | None,
    typer.Option(
        help="With --file: the files' format, instead of recognising it "
        "(lastfm-csv, lastfm-json, spotify-account, spotify-extended, listenbrainz, "
        "scrobbler-log).",
        show_default=False,
    ),
]
TzOpt = Annotated[
    str | None,
    typer.Option(
        help="With --file: the time zone of local times, e.g. Pacific/Auckland "
        "(needed for a .scrobbler.log marked #TZ/UNKNOWN).",
        show_default=False,
    ),
]
SkipBadRowsOpt = Annotated[
    bool,
    typer.Option(help="With --file: skip and count bad rows instead of stopping."),
]
SinceOpt = Annotated[
    str | None,
    typer.Option(help="Only plays from this date on (YYYY-MM-DD, UTC).", show_default=False),
]
UntilOpt = Annotated[
    str | None,
    typer.Option(
        help="Only plays up to and including this date (YYYY-MM-DD, UTC).", show_default=False
    ),
]


def check_output(output: Path | None) -> None:
    """Refuse an ``--output`` path that cannot be written, before any work is done."""
    if output is None:
        return
    target = output.expanduser()
    if target.is_dir():
        raise UsageError(f"--output {output} is a folder; give a file name")
    if not target.parent.is_dir():
        raise UsageError(f"cannot write {output}: the folder {target.parent} does not exist")


def write_output(text: str, output: Path | None) -> None:
    """Print ``text``, or write it to ``output`` atomically (never a half-written file)."""
    if output is None:
        sys.stdout.write(text)
        return
    check_output(output)
    target = output.expanduser()
    tmp = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    try:
        with open(tmp, "w", encoding="utf-8", newline="") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, target)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise UsageError(f"cannot write {output}: {exc.strerror or exc}") from None
    typer.echo(f"Wrote {target}", err=True)


def note_sample(is_sample: bool) -> None:
    """Say on stderr when a command fell back to the bundled sample."""
    if is_sample:
        typer.echo(
            "Using the bundled sample (synthetic, 60,000 plays); "
            "run `royalty import USER` to use your own history.",
            err=True,
        )


def choose_history(
    user: str | None,
    files: list[Path] | None,
    input_format: str | None,
    tz: str | None,
    skip_bad_rows: bool,
    since: str | None,
    until: str | None,
    *,
    columns: list[str],
) -> History:
    """The plays an analysis command works on, chosen the same way by every command."""
    from royalty.history import load_history, parse_period

    start, stop = parse_period(since, until)
    history = load_history(
        user,
        files=files or (),
        input_format=input_format,
        tz=tz,
        skip_bad_rows=skip_bad_rows,
        columns=columns,
        since=start,
        until=stop,
    )
    note_sample(history.is_sample)
    return history


def period_text(since: str | None, until: str | None, plays_span: tuple[str, str] | None) -> str:
    """Describe the period a result covers."""
    if plays_span is None:
        return "No plays in this period."
    first, last = plays_span
    limits = []
    if since:
        limits.append(f"from {since}")
    if until:
        limits.append(f"up to {until}")
    chosen = f" (chosen: {' '.join(limits)})" if limits else ""
    return f"Plays from {first} to {last}{chosen}."


class ModelChoice(StrEnum):
    """Models of ``royalty compare --model``."""

    pro_rata = "pro-rata"
    user_centric = "user-centric"
    downloads = "downloads"


class DealChoice(StrEnum):
    """Deals of ``royalty compare --deal``."""

    major = "major"
    indie = "indie"
    diy = "diy"
    none = "none"


@app.command()
@handle_errors
def compare(
    user: UserOpt = None,
    file: FileOpt = None,
    input_format: InputFormatOpt = None,
    tz: TzOpt = None,
    skip_bad_rows: SkipBadRowsOpt = False,
    rate: Annotated[
        float | None,
        typer.Option(
            help="US dollars that reach the artist per stream (the essay's third of a cent). "
            "With --deal none: the rights holders' rate.",
            show_default="1/300, about 0.00333",
        ),
    ] = None,
    service: Annotated[
        str | None,
        typer.Option(
            help="Price at this service's rights-holder rate (see `royalty rates`), "
            "e.g. spotify, apple-music, tidal.",
            show_default=False,
        ),
    ] = None,
    deal: Annotated[
        DealChoice | None,
        typer.Option(
            help="The artist's deal: major (18%), indie (50%), diy (100%), or none for "
            "the rights-holder level. Sets the CD side to match.",
            show_default="none with --service",
        ),
    ] = None,
    artist_share: Annotated[
        float | None,
        typer.Option(help="The artist's share of rights-holder money (0-1).", show_default=False),
    ] = None,
    cd_margin: Annotated[
        float | None,
        typer.Option(
            help="US dollars per CD album sold, at the same level as the streams.",
            show_default="1.50, or the deal's figure",
        ),
    ] = None,
    min_album_plays: Annotated[
        int, typer.Option(help="Plays of an album after which it counts as a bought CD.")
    ] = 10,
    min_seconds: Annotated[
        float, typer.Option(help="Shortest play, in seconds, that counts as a paid stream.")
    ] = 30.0,
    model: Annotated[
        list[ModelChoice] | None,
        typer.Option(
            "--model",
            help="pro-rata (the default), user-centric (your fee split among your "
            "artists each month) and/or downloads (adds download income); repeatable.",
            show_default=False,
        ),
    ] = None,
    fee: Annotated[
        float | None,
        typer.Option(
            help="User-centric: monthly fee in USD.", show_default="11.99 (Spotify US, 2024)"
        ),
    ] = None,
    payout_ratio: Annotated[
        float | None,
        typer.Option(help="User-centric: share of the fee paid out.", show_default="0.67"),
    ] = None,
    vat: Annotated[
        float | None,
        typer.Option(help="User-centric: VAT/GST in the fee (0.15 for 15%).", show_default="0"),
    ] = None,
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
    currency: Annotated[
        str | None,
        typer.Option(help="Show amounts in this currency (needs --fx).", show_default="USD"),
    ] = None,
    fx: Annotated[
        float | None,
        typer.Option(
            help="Units of --currency per US dollar: the rate you choose.", show_default=False
        ),
    ] = None,
    project_to: Annotated[
        str | None,
        typer.Option(
            help="Project each artist's plays to this future date (YYYY-MM-DD) at their "
            "pace over the last 365 days.",
            show_default=False,
        ),
    ] = None,
    since: SinceOpt = None,
    until: UntilOpt = None,
    top: Annotated[int, typer.Option(help="Show this many artists; 0 shows every one.")] = 20,
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

    By default amounts are in US dollars at the artist level: the rate is what
    reaches the artist per stream, and the CD margin is what the artist keeps
    per album. --service, --deal and --model change the level and the model;
    the output always names its level and currency.
    """
    from royalty.pricing import make_scenario

    if top < 0:
        raise UsageError(f"--top must be 0 (every artist) or more, got {top}")
    if with_meta and format is not CompareFormat.json:
        raise UsageError("--with-meta only applies with --format json")
    check_output(output)
    models = set(model or [])
    streaming = {m for m in models if m is not ModelChoice.downloads}
    if len(streaming) > 1:
        raise UsageError("choose one streaming model: --model pro-rata or --model user-centric")
    rates = None
    if service is not None or deal is not None or artist_share is not None:
        from royalty.config import read_config
        from royalty.pricing import rates_table

        rates = rates_table(read_config())
    scenario = make_scenario(
        rate=rate,
        service=service,
        deal=None if deal is None else deal.value,
        artist_share=artist_share,
        cd_margin=cd_margin,
        min_album_plays=min_album_plays,
        min_seconds=min_seconds,
        model="user-centric" if ModelChoice.user_centric in models else "pro-rata",
        fee=fee,
        payout_ratio=payout_ratio,
        vat=vat,
        downloads=ModelChoice.downloads in models,
        min_track_plays=min_track_plays,
        track_price=track_price,
        currency=currency,
        fx=fx,
        project_to=_future_date(project_to),
        rates=rates,
    )
    # No service, deal or share (so no share at all), no currency, no projection:
    # the foundation's output, unchanged.
    foundation = (
        scenario.share is None
        and scenario.fx is None
        and scenario.project_to is None
        and scenario.currency == "USD"
        and not with_meta
    )
    columns = ["played_at", "artist", "album", "duration_ms"]
    history = choose_history(
        user, file, input_format, tz, skip_bad_rows, since, until,
        columns=[*columns, "track"] if scenario.downloads else columns,
    )  # fmt: skip
    if foundation:
        _foundation_compare(history, scenario.params, since, until, top, format, output)
        return
    _scenario_compare(history, scenario, since, until, top, format, with_meta, output)


def _future_date(text: str | None) -> datetime | None:
    """``--project-to``: a date after today (UTC)."""
    if text is None:
        return None
    from royalty.history import parse_date

    when = parse_date(text)
    if when <= datetime.now(UTC):
        raise UsageError(f"--project-to {text} is in the past; give a future date")
    return when


def _span(history: History, since: str | None, until: str | None) -> str:
    from royalty import report

    plays = history.plays["played_at"]
    span = (report.iso(plays.min()) or "", report.iso(plays.max()) or "") if len(plays) else None
    return period_text(since, until, span and (span[0][:10], span[1][:10]))


def _foundation_compare(
    history: History,
    params: CompareParams,
    since: str | None,
    until: str | None,
    top: int,
    format: CompareFormat,
    output: Path | None,
) -> None:
    """The foundation's compare: artist level, USD, exactly as issue 2 specified."""
    from royalty import report
    from royalty.pricing import compare as run_compare

    result = run_compare(history.plays, params)
    shown = result if top == 0 else result.head(top)
    if format is CompareFormat.json:
        text = report.compare_json(shown)
    elif format is CompareFormat.csv:
        text = report.compare_csv(shown)
    else:
        text = report.compare_text(
            shown,
            params,
            label=history.label,
            period=_span(history, since, until),
            all_artists=len(result),
            markdown=format is CompareFormat.markdown,
        )
    write_output(text, output)


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
    """Compare under a scenario (service, deal, model, currency, projection)."""
    from royalty import report_pricing as rp
    from royalty.pricing import monthly_rates, price

    result = price(history.plays, scenario)
    shown = result if top == 0 else result.head(top)
    months = monthly_rates(history.plays, scenario) if scenario.model == "user-centric" else None
    if format is CompareFormat.json:
        text = (
            rp.priced_meta_json(shown, scenario, months)
            if with_meta
            else rp.priced_json(shown, scenario)
        )
    elif format is CompareFormat.csv:
        text = rp.priced_csv(shown, scenario)
    else:
        text = rp.priced_text(
            shown,
            scenario,
            label=history.label,
            period=_span(history, since, until),
            all_artists=len(result),
            months=months,
            markdown=format is CompareFormat.markdown,
        )
    write_output(text, output)


@app.command()
@handle_errors
def rates(
    format: Annotated[CompareFormat, typer.Option("--format", "-f", help="Output format.")] = (
        CompareFormat.table
    ),
) -> None:
    """Show the per-stream rates by service (rights-holder level, USD) with year and source.

    Rows from the config file (royalty.toml, [rates.<service>]) are included.
    """
    from royalty import report_pricing as rp
    from royalty.config import read_config
    from royalty.pricing import rates_table

    rows = rates_table(read_config())
    if format is CompareFormat.json:
        text = rp.rates_json(rows)
    elif format is CompareFormat.csv:
        text = rp.rates_csv(rows)
    else:
        text = rp.rates_text(rows, markdown=format is CompareFormat.markdown)
    sys.stdout.write(text)


@app.command()
@handle_errors
def stats(
    user: UserOpt = None,
    file: FileOpt = None,
    input_format: InputFormatOpt = None,
    tz: TzOpt = None,
    skip_bad_rows: SkipBadRowsOpt = False,
    since: SinceOpt = None,
    until: UntilOpt = None,
    format: Annotated[SimpleFormat, typer.Option("--format", "-f", help="Output format.")] = (
        SimpleFormat.table
    ),
) -> None:
    """Summarise a listening history: plays, span, artists, albums, tracks, top artists."""
    import json

    from royalty import report
    from royalty.stats import summarize

    history = choose_history(
        user, file, input_format, tz, skip_bad_rows, since, until,
        columns=["played_at", "artist", "album", "track"],
    )  # fmt: skip
    summary = summarize(history.plays)
    if format is SimpleFormat.json:
        typer.echo(json.dumps(report.stats_dict(summary), ensure_ascii=False, indent=2))
    else:
        sys.stdout.write(report.stats_text(summary, label=history.label))


@app.command()
@handle_errors
def users(
    format: Annotated[SimpleFormat, typer.Option("--format", "-f", help="Output format.")] = (
        SimpleFormat.table
    ),
) -> None:
    """List the stored users with their play counts, date ranges and last update."""
    from royalty import store
    from royalty.report import users_json, users_text

    listed = store.users()
    sys.stdout.write(users_json(listed) if format is SimpleFormat.json else users_text(listed))


from royalty.cli_import import import_command  # noqa: E402

app.command("import")(import_command)

from royalty.cli_chart import chart_command  # noqa: E402

app.command("chart")(chart_command)
