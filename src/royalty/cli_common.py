"""What every royalty command shares: error handling, common options, output.

Nothing heavy is imported here (pandas and friends load inside the commands),
so ``royalty --help`` stays quick.
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
