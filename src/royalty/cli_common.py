"""What every royalty command shares: error handling, common options, output.

Nothing heavy is imported here (pandas and friends load inside the commands),
so ``royalty --help`` stays quick.
"""

from __future__ import annotations

import functools
import math
import re
import sys
from collections.abc import Callable, Mapping, Sequence
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Final, ParamSpec, TypeVar

import typer

from royalty.errors import RoyaltyError, UsageError
from royalty.fileio import os_reason, output_target, write_atomic

if TYPE_CHECKING:
    from royalty.history import History
    from royalty.pricing import ServiceRate

P = ParamSpec("P")
R = TypeVar("R")


def handle_errors(func: Callable[P, R]) -> Callable[P, R]:
    """Turn library errors into ``Error: …`` on stderr and exit code 1.

    The library names a parameter as Python does (``min_album_plays must be …``);
    when that is one of the command's options, the message names it as the user
    typed it (``--min-album-plays must be …``).
    """

    @functools.wraps(func)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return func(*args, **kwargs)
        except RoyaltyError as exc:
            message = as_typed(" ".join(str(exc).split()), kwargs)
            typer.echo(f"Error: {message}", err=True)
            raise typer.Exit(1) from None
        except KeyboardInterrupt:
            typer.echo("Error: interrupted; nothing was left half-written", err=True)
            raise typer.Exit(130) from None

    return wrapper


_LEADING_NAME: Final = re.compile(r"([a-z][a-z0-9_]*)(?= must | \()")


def as_typed(message: str, options: Mapping[str, object]) -> str:
    """``message`` with a leading parameter name spelt as its option (``--cd-margin``).

    Example:
        >>> as_typed("cd_margin must be zero or more, got -1", {"cd_margin": -1.0})
        '--cd-margin must be zero or more, got -1'
    """
    found = _LEADING_NAME.match(message)
    if found is None or found.group(1) not in options:
        return message
    return "--" + found.group(1).replace("_", "-") + message[found.end() :]


class CompareFormat(StrEnum):
    """Output formats of ``royalty compare``."""

    table = "table"
    csv = "csv"
    json = "json"
    markdown = "markdown"


class SimpleFormat(StrEnum):
    """Output formats of ``royalty stats`` and ``royalty users``."""

    table = "table"
    csv = "csv"
    json = "json"


UserOpt = Annotated[
    str | None,
    typer.Option(
        "--user",
        "-u",
        metavar="USER",
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
        metavar="FORMAT",
        help="With --file: the files' format, instead of recognising it "
        "(lastfm-csv, lastfm-json, spotify-account, spotify-extended, listenbrainz, "
        "scrobbler-log, maloja, koito, pano-scrobbler, spinitron).",
        show_default=False,
    ),
]
TzOpt = Annotated[
    str | None,
    typer.Option(
        metavar="ZONE",
        help="With --file: the time zone of local times, e.g. Pacific/Auckland "
        "(needed for a .scrobbler.log marked #TZ/UNKNOWN).",
        show_default=False,
    ),
]
SkipBadRowsOpt = Annotated[
    bool,
    typer.Option(help="With --file: skip and count bad rows instead of stopping."),
]
MaxFileSizeOpt = Annotated[
    float | None,
    typer.Option(
        "--max-file-size",
        metavar="MB",
        help="With --file: the most one file, zip member or unzipped .gz may hold, in MB "
        "(1 MB = 1,000,000 bytes); a guard against zip bombs. Real exports are far smaller.",
        show_default="1000",
    ),
]
SinceOpt = Annotated[
    str | None,
    typer.Option(
        metavar="DATE", help="Only plays from this date on (YYYY-MM-DD, UTC).", show_default=False
    ),
]
UntilOpt = Annotated[
    str | None,
    typer.Option(
        metavar="DATE",
        help="Only plays up to and including this date (YYYY-MM-DD, UTC).",
        show_default=False,
    ),
]


class DealChoice(StrEnum):
    """Deals of ``--deal``."""

    major = "major"
    indie = "indie"
    diy = "diy"
    none = "none"


# The pricing options of `royalty compare`, shared with `royalty chart` so that each is
# defined once: the same names, defaults and help wherever they appear.
RateOpt = Annotated[
    float | None,
    typer.Option(
        metavar="USD",
        help="US dollars that reach the artist per stream, used in every year as given "
        "(default: the essay's third of a cent, a 2013 figure).",
        show_default="1/300, about 0.00333",
    ),
]
ServiceOpt = Annotated[
    str | None,
    typer.Option(
        metavar="NAME",
        help="Price at this service's rights-holder rates, year by year (see `royalty "
        "rates`), e.g. spotify, apple-music, tidal.",
        show_default=False,
    ),
]
_DEAL = typer.Option(
    help="The artist's deal on master money: major (18%), indie (50% of net), diy (100%), "
    "or none for the rights-holder level. Sets the CD side to match.",
    show_default="none with --service",
)
DealOpt = Annotated[DealChoice | None, _DEAL]
ArtistShareOpt = Annotated[
    float | None,
    typer.Option(help="The artist's share of master money (0-1).", show_default=False),
]
CdMarginOpt = Annotated[
    float | None,
    typer.Option(
        help="US dollars per CD album, at the same level as the streams, used in every "
        "year as given.",
        show_default="the essay's 1.50, or the deal's yearly figure",
    ),
]
MinAlbumPlaysOpt = Annotated[
    int, typer.Option(help="Plays of an album after which it counts as a bought CD.")
]
MinSecondsOpt = Annotated[
    float, typer.Option(help="Shortest play, in seconds, that counts as a paid stream.")
]
FeeOpt = Annotated[
    float | None,
    typer.Option(
        help="User-centric: monthly fee in USD, used in every month as given.",
        show_default="the market's price of each month",
    ),
]
PayoutRatioOpt = Annotated[
    float | None,
    typer.Option(
        help="User-centric: share of the fee paid to the side priced.",
        show_default="recording 0.586; publishing by year",
    ),
]
VatOpt = Annotated[
    float | None,
    typer.Option(
        help="User-centric: VAT/GST in the fee, as a fraction (0.15 for 15%).",
        show_default="the market's",
    ),
]


class SideChoice(StrEnum):
    """Sides of ``--side``."""

    master = "master"
    publishing = "publishing"
    both = "both"


class MarketChoice(StrEnum):
    """Markets of ``--market``."""

    us = "us"
    nz = "nz"


SideOpt = Annotated[
    SideChoice,
    typer.Option(
        help="master (recording money), publishing (songwriter money) or both (an artist "
        "who writes their own songs)."
    ),
]
MarketOpt = Annotated[
    MarketChoice | None,
    typer.Option(
        help="User-centric: whose subscription prices set the fee: us (USD) or nz (NZD, "
        "needs --currency NZD --fx).",
        show_default="us",
    ),
]
DollarsOpt = Annotated[
    int | None,
    typer.Option(
        metavar="YEAR",
        help="State every amount in US dollars of this year (by CPI-U).",
        show_default="the year of the last play",
    ),
]
CurrencyOpt = Annotated[
    str | None,
    typer.Option(
        metavar="CODE", help="Show amounts in this currency (needs --fx).", show_default="USD"
    ),
]
FxOpt = Annotated[
    float | None,
    typer.Option(
        metavar="RATE",
        help="Units of --currency per US dollar: the rate you choose.",
        show_default=False,
    ),
]


def configured_rates(*choices: object) -> tuple[ServiceRate, ...] | None:
    """The rates table with royalty.toml's rows, when a service, deal or share was chosen.

    Without one of them the foundation prices and no rate is read, so a bad
    config file does not stop a command that would not use it.
    """
    if all(choice is None for choice in choices):
        return None
    from royalty.config import read_config
    from royalty.pricing import rates_table

    return rates_table(read_config())


def check_output(output: Path | None, inputs: Sequence[Path] | None = None) -> None:
    """Refuse an ``--output`` path that cannot be written, before any work is done.

    See :func:`royalty.fileio.output_target`: a folder, a device, a FIFO, a
    missing folder, an unusable name, one of the ``inputs`` (``--file``) or a
    file in the store is a one-line error.
    """
    if output is not None:
        output_target(output, inputs=inputs or ())


def write_output(text: str, output: Path | None) -> None:
    """Print ``text``, or write it to ``output`` atomically (never a half-written file).

    A symbolic link is written through: the file it points at gets the text.
    """
    if output is None:
        sys.stdout.write(text)
        return
    target = output_target(output)
    data = text.encode("utf-8")
    try:
        write_atomic(target, lambda fh: fh.write(data))
    except OSError as exc:
        raise UsageError(f"cannot write {output}: {os_reason(exc)}") from None
    typer.echo(f"Wrote {output}", err=True)


def note_sample(is_sample: bool) -> None:
    """Say on stderr when a command fell back to the bundled sample."""
    if is_sample:
        typer.echo(
            "Using the bundled sample (synthetic, 60,000 plays); "
            "run `royalty import USER` to use your own history.",
            err=True,
        )


def file_size_limit(megabytes: float | None) -> int | None:
    """``--max-file-size`` in bytes (None: the library's default).

    Raises:
        UsageError: not a finite number of at least 0.001 MB (1,000 bytes).
    """
    if megabytes is None:
        return None
    if not math.isfinite(megabytes) or megabytes < 0.001:
        raise UsageError(
            f"--max-file-size must be a number of MB, at least 0.001, got {megabytes:g}"
        )
    return round(megabytes * 1_000_000)


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
    max_file_size: float | None = None,
) -> History:
    """The plays an analysis command works on, chosen the same way by every command.

    ``max_file_size`` is ``--max-file-size``, in MB.
    """
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
        max_file_size=file_size_limit(max_file_size),
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
