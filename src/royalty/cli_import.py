"""``royalty import USER``: bring a listening history into the store.

Without ``--file`` it fetches USER's scrobbles from Last.fm
(:func:`royalty.importers.lastfm_api.import_user`), showing progress on stderr
when it is a terminal. With ``--file`` it reads export files, zips or folders
(:func:`royalty.importers.read_files`) and merges them. Either way it ends with
a one-line summary. pylast and pandas load only when it runs.
"""

from __future__ import annotations

import sys
import time
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, TextIO

import typer

from royalty.cli_common import (
    InputFormatOpt,
    MaxFileSizeOpt,
    TzOpt,
    UntilOpt,
    file_size_limit,
    handle_errors,
)
from royalty.errors import UsageError

if TYPE_CHECKING:
    from royalty.importers import FileImport
    from royalty.importers.lastfm_api import ImportSummary, Progress
    from royalty.store import MergeResult

_SECRET_OPTION = "--api-key"


@handle_errors
def import_command(
    user: Annotated[
        str,
        typer.Argument(
            help="Last.fm user name whose scrobbles to import, or, with --file, "
            "the name to store the files' plays under."
        ),
    ],
    file: Annotated[
        list[Path] | None,
        typer.Option(
            "--file",
            metavar="PATH",
            help="Import this listening-history file, zip or folder instead of fetching "
            "from Last.fm (repeat for several). Its plays are added to USER's store.",
            show_default=False,
        ),
    ] = None,
    input_format: InputFormatOpt = None,
    since: Annotated[
        str | None,
        typer.Option(
            "--since",
            metavar="DATE",
            help="Only plays from this date on (YYYY-MM-DD, UTC, or an ISO 8601 time); "
            "for Last.fm, on a first import.",
            show_default=False,
        ),
    ] = None,
    until: UntilOpt = None,
    tz: TzOpt = None,
    skip_bad_rows: Annotated[
        bool,
        typer.Option(
            help="Skip and count bad rows of files, or Last.fm plays dated before 2002 "
            "or in the future, instead of stopping."
        ),
    ] = False,
    max_file_size: MaxFileSizeOpt = None,
    match_window: Annotated[
        float,
        typer.Option(
            help="Seconds (0 to 3600) within which plays of the same track from two "
            "sources (say Spotify and Last.fm) count as one play.",
        ),
    ] = 90.0,
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
    """Import USER's Last.fm scrobbles, or history files with --file; reruns add only what is new.

    Plays are stored as they arrive: if a Last.fm import stops, run it again to
    resume. A file import is all or nothing: one bad file leaves the store as it was.

    Example:

        royalty import rj

        royalty import katarzynajanicka --file StreamingHistory0.json
    """
    from royalty.history import parse_period
    from royalty.importers.files import check_match_window
    from royalty.store import validate_user

    validate_user(user, lastfm=not file)  # a name made up for files needs only be safe
    start, stop = parse_period(since, until)
    check_match_window(match_window)
    limit = file_size_limit(max_file_size)
    if file:
        line = _import_files(
            user, file, input_format, start, stop, tz, skip_bad_rows, match_window, limit
        )
    else:
        for given, name in (
            (until, "--until"),
            (input_format, "--input-format"),
            (tz, "--tz"),
            (max_file_size, "--max-file-size"),
        ):
            if given is not None:
                raise UsageError(f"{name} only applies to files: add --file PATH")
        line = _import_lastfm(user, start, api_key, api_url, max_rps, skip_bad_rows)
    typer.echo(line)


def _import_lastfm(
    user: str,
    since: datetime | None,
    api_key: str | None,
    api_url: str | None,
    max_rps: float,
    skip_bad_rows: bool,
) -> str:
    from royalty.importers import lastfm_api

    key, url = lastfm_api.resolve_settings(api_key, api_url)
    bar = _ProgressBar(sys.stderr)
    try:
        summary = lastfm_api.import_user(
            user,
            api_key=key,
            api_url=url,
            since=since,
            max_rps=max_rps,
            progress=bar.update if bar.live else None,
            skip_bad_rows=skip_bad_rows,
        )
    finally:
        bar.clear()
    return summary_line(summary)


def _import_files(
    user: str,
    files: list[Path],
    input_format: str | None,
    since: datetime | None,
    until: datetime | None,
    tz: str | None,
    skip_bad_rows: bool,
    match_window: float,
    max_file_size: int | None,
) -> str:
    from royalty import store
    from royalty.importers import read_files

    # The lock covers the reading too, so a second import is refused at once.
    with store.lock(user):
        read = read_files(
            files,
            input_format=input_format,
            since=since,
            until=until,
            tz=tz,
            skip_bad_rows=skip_bad_rows,
            match_window=match_window,
            max_file_size=max_file_size,
        )
        merged = store.merge(user, read.plays, window=match_window)
    return file_summary_line(user, read, merged)


def file_summary_line(user: str, read: FileImport, merged: MergeResult) -> str:
    """The one line printed after a file import.

    Example:
        >>> file_summary_line("rj", read, merged)  # doctest: +SKIP
        'rj: 60,647 new plays from 1 file (60,950 rows); skipped 303 (303 now playing ...'
    """
    histories = [f for f in read.files if f.format is not None]
    rows = sum(f.rows for f in histories)
    parts = [
        f"{user.lower()}: {_count(merged.added, 'new play')} from "
        f"{_count(len(histories), 'file')} ({_count(rows, 'row')})"
    ]
    skipped = sum(read.skipped.values())
    if skipped:
        reasons = ", ".join(f"{n:,} {why}" for why, n in sorted(read.skipped.items()))
        parts.append(f"skipped {skipped:,} ({reasons})")
    parts.append(f"{read.matched + merged.matched:,} matched across sources")
    if read.overlapping:
        parts.append(f"{read.overlapping:,} already in another file")
    if read.passed_over:
        parts.append(f"{_count(len(read.passed_over), 'other file')} passed over")
    already = len(read.plays) - merged.added - merged.matched
    if already:
        parts.append(f"{already:,} already stored")
    parts.append(f"{merged.total:,} stored")
    return "; ".join(parts)


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
    skipped = ""
    if s.skipped:
        reasons = ", ".join(f"{n:,} {why}" for why, n in sorted(s.skipped.items()))
        skipped = f"skipped {sum(s.skipped.values()):,} ({reasons}); "
    return (
        f"{s.user}: {_count(s.new_plays, 'new play')}; {skipped}{s.total_plays:,} stored{span}; "
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
        if p.note:  # a wait: always shown, or the terminal looks hung for its length
            self.stream.write(f"\r\033[KWaiting: {p.note}")
            self.stream.flush()
            self._drawn = True
            self._shown = 0.0  # the next page redraws the bar at once
            return
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
            f"\r\033[K[{'#' * filled}{'.' * (width - filled)}] {p.pages_done}/{p.pages_total} pages"
            f"  {p.plays_done:,}/{p.plays_total:,} plays  {rate:.1f} req/s  ETA {eta} "
        )
        self.stream.flush()
        self._drawn = True

    def clear(self) -> None:
        if self._drawn:
            self.stream.write("\r\033[K")
            self.stream.flush()
