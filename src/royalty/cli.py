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
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, ParamSpec, TypeVar

import typer

from royalty.errors import RoyaltyError, UsageError

if TYPE_CHECKING:
    from royalty.history import History

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


@app.command()
@handle_errors
def compare(
    user: UserOpt = None,
    file: FileOpt = None,
    input_format: InputFormatOpt = None,
    tz: TzOpt = None,
    skip_bad_rows: SkipBadRowsOpt = False,
    rate: Annotated[
        float,
        typer.Option(
            help="US dollars that reach the artist per stream (the essay's third of a cent).",
            show_default="1/300, about 0.00333",
        ),
    ] = 1 / 300,
    cd_margin: Annotated[
        float, typer.Option(help="US dollars the artist keeps per CD album sold.")
    ] = 1.50,
    min_album_plays: Annotated[
        int, typer.Option(help="Plays of an album after which it counts as a bought CD.")
    ] = 10,
    min_seconds: Annotated[
        float, typer.Option(help="Shortest play, in seconds, that counts as a paid stream.")
    ] = 30.0,
    since: SinceOpt = None,
    until: UntilOpt = None,
    top: Annotated[int, typer.Option(help="Show this many artists; 0 shows every one.")] = 20,
    format: Annotated[CompareFormat, typer.Option("--format", "-f", help="Output format.")] = (
        CompareFormat.table
    ),
    output: Annotated[
        Path | None,
        typer.Option("--output", "-o", help="Write to this file instead of the terminal."),
    ] = None,
) -> None:
    """Compare what each artist earned from your plays as streams with what your CDs paid them.

    Amounts are in US dollars at the artist level: the rate is what reaches the
    artist per stream, and the CD margin is what the artist keeps per album.
    """
    from royalty.pricing import CompareParams
    from royalty.pricing import compare as run_compare

    if top < 0:
        raise UsageError(f"--top must be 0 (every artist) or more, got {top}")
    check_output(output)
    params = CompareParams(
        rate=rate, cd_margin=cd_margin, min_album_plays=min_album_plays, min_seconds=min_seconds
    )
    history = choose_history(
        user, file, input_format, tz, skip_bad_rows, since, until,
        columns=["played_at", "artist", "album", "duration_ms"],
    )  # fmt: skip
    result = run_compare(history.plays, params)
    shown = result if top == 0 else result.head(top)
    from royalty import report

    if format is CompareFormat.json:
        text = report.compare_json(shown)
    elif format is CompareFormat.csv:
        text = report.compare_csv(shown)
    else:
        plays = history.plays["played_at"]
        span = (
            (report.iso(plays.min()) or "", report.iso(plays.max()) or "") if len(plays) else None
        )
        text = report.compare_text(
            shown,
            params,
            label=history.label,
            period=period_text(since, until, span and (span[0][:10], span[1][:10])),
            all_artists=len(result),
            markdown=format is CompareFormat.markdown,
        )
    write_output(text, output)


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
