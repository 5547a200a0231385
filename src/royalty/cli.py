"""The ``royalty`` command line: parse, call one library function, render or save.

Each command lives in a small module (``cli_compare``, ``cli_import``,
``cli_chart``, ``cli_users``, ``cli_population``; ``stats`` here) and is
registered on :data:`app` below; :mod:`royalty.cli_conventions` says how they
all behave (``-h``, metavars, exit codes). Nothing heavy is imported at start-up
(pandas, pyarrow, matplotlib and pylast load inside the commands that need
them), so ``royalty --help`` stays quick. Library errors
(:class:`royalty.errors.RoyaltyError`) become one line, ``Error: …``, on stderr
with exit code 1 (see :func:`royalty.cli_common.handle_errors`); mistakes the
parser catches exit 2 with a usage line, as click's do.
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
from royalty.cli_conventions import CONTEXT, Command
from royalty.cli_import import import_command
from royalty.cli_population import population_app
from royalty.cli_users import users_app
from royalty.errors import UsageError

app = typer.Typer(
    help=(
        "What did my listening pay the artists? Prices your listening history as "
        "streams and as CD purchases.\n\n"
        "Run `royalty COMMAND -h` for a command's options. Mistakes in the command line "
        "exit with code 2, anything else that goes wrong with code 1.\n\n"
        "Example:\n\n"
        "    royalty compare --rate 0.0033 --top 10\n\n"
        "    royalty import rj --file exports/"
    ),
    no_args_is_help=True,
    pretty_exceptions_show_locals=False,
    # --install-completion and --show-completion, as typer documents them.
    add_completion=True,
    # Plain help and usage errors: rendering them with rich costs ~0.3 s at start-up.
    rich_markup_mode=None,
    context_settings=CONTEXT,
)


def _show_version(value: bool) -> None:
    if value:
        from royalty import __version__

        typer.echo(f"royalty {__version__}")
        raise typer.Exit()


@app.callback()
def main(
    version: Annotated[
        bool,
        typer.Option(
            "--version",
            callback=_show_version,
            is_eager=True,
            help="Show the version and exit.",
        ),
    ] = False,
) -> None:
    """The app's own option, --version (the app's help is ``help=`` above)."""


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
    top: Annotated[int, typer.Option(help="List this many top artists; 0 lists every one.")] = 10,
    format: Annotated[
        SimpleFormat,
        typer.Option(
            "--format", "-f", help="Output format; csv gives the top artists (rank, artist, plays)."
        ),
    ] = SimpleFormat.table,
) -> None:
    """Summarise a listening history: plays, span, artists, albums, tracks, top artists.

    Example:

        royalty stats --top 25

        royalty stats --file scrobbles.csv --format csv --top 0 > artists.csv
    """
    import json

    from royalty import report
    from royalty.stats import summarize

    if top < 0:
        raise UsageError(f"--top must be 0 (every artist) or more, got {top}")
    history = choose_history(
        user, file, input_format, tz, skip_bad_rows, since, until,
        columns=["played_at", "artist", "album", "track"], max_file_size=max_file_size,
    )  # fmt: skip
    summary = summarize(history.plays, top=top or sys.maxsize)
    if format is SimpleFormat.json:
        typer.echo(json.dumps(report.stats_dict(summary), ensure_ascii=False, indent=2))
    elif format is SimpleFormat.csv:
        sys.stdout.write(report.stats_csv(summary))
    else:
        sys.stdout.write(report.stats_text(summary, label=history.label))


app.command("import", cls=Command)(import_command)
app.command(cls=Command)(compare)
app.command(cls=Command)(stats)
app.command("chart", cls=Command)(chart_command)
app.command(cls=Command)(rates)
app.add_typer(users_app, name="users")
app.add_typer(population_app, name="population")
