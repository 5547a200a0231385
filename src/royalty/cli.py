"""The ``royalty`` command line: parse, call one library function, render or save.

Each command lives in a small module (``cli_compare``, ``cli_import``,
``cli_chart``; ``stats`` and ``users`` here) and is registered on :data:`app`
below. Nothing heavy is imported at start-up (pandas, pyarrow, matplotlib and
pylast load inside the commands that need them), so ``royalty --help`` stays
quick. Library errors (:class:`royalty.errors.RoyaltyError`) become one line,
``Error: …``, on stderr with exit code 1 (see :func:`royalty.cli_common.handle_errors`).
"""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from royalty.cli_chart import chart_command
from royalty.cli_common import (
    FileOpt,
    InputFormatOpt,
    MaxFileSizeOpt,
    SimpleFormat,
    SinceOpt,
    SkipBadRowsOpt,
    TzOpt,
    UntilOpt,
    UserOpt,
    choose_history,
    handle_errors,
)
from royalty.cli_compare import compare, rates
from royalty.cli_import import import_command
from royalty.cli_population import population_app

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


@handle_errors
def stats(
    user: UserOpt = None,
    file: FileOpt = None,
    input_format: InputFormatOpt = None,
    tz: TzOpt = None,
    skip_bad_rows: SkipBadRowsOpt = False,
    max_file_size: MaxFileSizeOpt = None,
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
        columns=["played_at", "artist", "album", "track"], max_file_size=max_file_size,
    )  # fmt: skip
    summary = summarize(history.plays)
    if format is SimpleFormat.json:
        typer.echo(json.dumps(report.stats_dict(summary), ensure_ascii=False, indent=2))
    else:
        sys.stdout.write(report.stats_text(summary, label=history.label))


@handle_errors
def users(
    format: Annotated[SimpleFormat, typer.Option("--format", "-f", help="Output format.")] = (
        SimpleFormat.table
    ),
) -> None:
    """List the stored users with their play counts, date ranges and last update.

    A user whose stored plays cannot be read (a damaged file) is listed as
    unreadable, with the reason, after the others.
    """
    from royalty import store
    from royalty.report import users_json, users_text

    listed = store.users()
    sys.stdout.write(users_json(listed) if format is SimpleFormat.json else users_text(listed))


app.command("import")(import_command)
app.command()(compare)
app.command()(stats)
app.command("chart")(chart_command)
app.command()(rates)
app.command()(users)
app.add_typer(population_app, name="population")
