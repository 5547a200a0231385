"""``royalty import USER``: fetch a listener's scrobbles from Last.fm into the store.

Registered on the app by ``cli.py``. Parses the options, calls
:func:`royalty.importers.lastfm_api.import_user`, shows progress on stderr when it is a
terminal, and prints a one-line summary. pylast and pandas load only when it runs.
"""

from __future__ import annotations

import sys
import time
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Annotated, TextIO

import typer

from royalty.errors import RoyaltyError, UsageError

if TYPE_CHECKING:
    from royalty.importers.lastfm_api import ImportSummary, Progress

_SECRET_OPTION = "--api-key"


def import_command(
    user: Annotated[str, typer.Argument(help="Last.fm user name whose scrobbles to import.")],
    since: Annotated[
        str | None,
        typer.Option(
            "--since",
            metavar="DATE",
            help="On a first import, only plays from this date on (YYYY-MM-DD, UTC, "
            "or an ISO 8601 time).",
            show_default=False,
        ),
    ] = None,
    api_key: Annotated[
        str | None,
        typer.Option(
            _SECRET_OPTION,
            metavar="KEY",
            help="Last.fm API key. Default: $LASTFM_API_KEY, then lastfm.api_key in "
            "royalty.toml in the config directory. Get one at "
            "https://www.last.fm/api/account/create",
            show_default=False,
        ),
    ] = None,
    api_url: Annotated[
        str | None,
        typer.Option(
            "--api-url",
            metavar="URL",
            help="Root of a Last.fm-compatible 2.0 API, e.g. https://libre.fm/2.0/. "
            "Default: $LASTFM_API_URL, then lastfm.api_url in royalty.toml, then Last.fm.",
            show_default=False,
        ),
    ] = None,
    max_rps: Annotated[
        float,
        typer.Option(
            "--max-rps",
            metavar="N",
            help="Never more than N requests in any one second (Last.fm allows 5).",
        ),
    ] = 5.0,
) -> None:
    """Import USER's Last.fm scrobbles; later runs fetch only what is new.

    Plays are stored as they arrive: if a run stops, run it again to resume.
    """
    try:
        from royalty.importers import lastfm_api

        key, url = lastfm_api.resolve_settings(api_key, api_url)
        bar = _ProgressBar(sys.stderr)
        try:
            summary = lastfm_api.import_user(
                user,
                api_key=key,
                api_url=url,
                since=parse_since(since),
                max_rps=max_rps,
                progress=bar.update if bar.live else None,
            )
        finally:
            bar.clear()
    except RoyaltyError as exc:
        typer.echo(f"Error: {' '.join(str(exc).split())}", err=True)
        raise typer.Exit(1) from None
    typer.echo(summary_line(summary))


def parse_since(text: str | None) -> datetime | None:
    """``--since`` as an aware datetime: a date is midnight UTC, a naive time is UTC.

    Example:
        >>> parse_since("2024-01-31")
        datetime.datetime(2024, 1, 31, 0, 0, tzinfo=datetime.timezone.utc)
    """
    if text is None:
        return None
    try:
        when = datetime.fromisoformat(text.strip())
    except ValueError:
        raise UsageError(
            f"--since {text!r} is not a date; use YYYY-MM-DD, e.g. 2024-01-31"
        ) from None
    return when if when.tzinfo else when.replace(tzinfo=UTC)


def summary_line(s: ImportSummary) -> str:
    """The one line printed after an import.

    Example:
        >>> summary_line(summary)  # doctest: +SKIP
        'rj: 20,000 new plays; 20,000 stored, 2017-07-14 to 2024-01-02; 101 requests, ...'
    """
    span = (
        f", {s.first_play:%Y-%m-%d} to {s.last_play:%Y-%m-%d}"
        if s.first_play and s.last_play
        else ""
    )
    return (
        f"{s.user}: {_count(s.new_plays, 'new play')}; {s.total_plays:,} stored{span}; "
        f"{_count(s.requests, 'request')}, {_count(s.retries, 'retry', 'retries')}, "
        f"{s.seconds:.1f} s"
    )


def _count(n: int, one: str, many: str | None = None) -> str:
    return f"{n:,} {one if n == 1 else (many or one + 's')}"


class _ProgressBar:
    """A one-line progress display on a terminal; does nothing when ``stream`` is not one."""

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream
        self.live = stream.isatty()
        self._shown = 0.0
        self._drawn = False

    def update(self, p: Progress) -> None:
        now = time.monotonic()
        if now - self._shown < 0.1 and p.pages_done < p.pages_total:
            return  # at most ten redraws a second
        self._shown = now
        width = 24
        frac = p.pages_done / p.pages_total if p.pages_total else 1.0
        filled = int(frac * width)
        rate = p.requests / p.elapsed if p.elapsed > 0 else 0.0
        left = (p.pages_total - p.pages_done) / rate if rate > 0 else 0.0
        eta = f"{int(left // 60)}:{int(left % 60):02d}"
        self.stream.write(
            f"\r[{'#' * filled}{'.' * (width - filled)}] {p.pages_done}/{p.pages_total} pages"
            f"  {p.plays_done:,}/{p.plays_total:,} plays  {rate:.1f} req/s  ETA {eta} "
        )
        self.stream.flush()
        self._drawn = True

    def clear(self) -> None:
        if self._drawn:
            self.stream.write("\r\033[K")
            self.stream.flush()
