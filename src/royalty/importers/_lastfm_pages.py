"""Paging, retries and crash-safe commits of the Last.fm importer (no pylast here).

:class:`PageImporter` runs one import given a function that makes one request for one page
(:mod:`royalty.importers.lastfm_api` supplies it, through pylast). See that module for the
design; the invariant kept here is that the store always holds a complete prefix of the
user's history, cut between two distinct timestamps.
"""

from __future__ import annotations

import contextlib
import math
import queue
import random
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

from royalty import store
from royalty.errors import RoyaltyError
from royalty.importers._lastfm_wire import PageRow, RateLimiter, WirePage, WireProblem

if TYPE_CHECKING:
    import pandas as pd

SOURCE: Final = "lastfm-api"
PAGE_SIZE: Final = 200
"""Plays per request: the documented maximum of ``user.getRecentTracks``."""

MAX_RETRIES = 5
BACKOFF_BASE = 1.0
"""Seconds before the first retry; doubled each time, with jitter (tests shrink it)."""
BACKOFF_CAP = 60.0
RETRY_AFTER_CAP = 300.0
COMMIT_SECONDS = 1.0
"""Commit the completed prefix at most this often (more seldom when commits are slow)."""
WINDOW_TRIES = 3

Request = Callable[[dict[str, Any], int], WirePage]
"""Makes one request for one page: (parameters, page number) -> the parsed page."""


class LastfmError(RoyaltyError):
    """The Last.fm API refused or failed; ``code`` is its error code or HTTP status, if any.

    Example:
        >>> LastfmError("Last.fm has no user 'x'", 6).code
        6
    """

    def __init__(self, message: str, code: int | None = None) -> None:
        super().__init__(message)
        self.code = code


class IncompleteImportError(LastfmError):
    """Fewer plays are stored for the window than Last.fm reported."""


@dataclass(frozen=True)
class Progress:
    """Where a running import is, for a progress display."""

    pages_done: int
    pages_total: int
    plays_done: int
    plays_total: int
    requests: int
    retries: int
    elapsed: float


@dataclass(frozen=True)
class ImportSummary:
    """What an import did and what the store holds afterwards."""

    user: str
    new_plays: int
    total_plays: int
    first_play: datetime | None
    last_play: datetime | None
    window_plays: int
    requests: int
    retries: int
    seconds: float


class _WindowChanged(Exception):
    """A page disagrees with page 1: plays were added or removed inside the window."""


class _Stopped(Exception):
    """The run is over; a worker should drop what it was doing."""


class PageImporter:
    """One import: pages fetched concurrently, folded in oldest first, committed safely.

    Args:
        user: the (validated) user name.
        request: makes one request; raises :class:`WireProblem` for what a retry may fix
            and :class:`LastfmError` for what it cannot.
        limiter: the rate limiter the requests pass (paused when the server asks).
        requests: how many requests have been sent so far.
        workers: how many pages may be in flight at once.
        home: the store folder.
        progress: called from the calling thread after every page.
    """

    def __init__(
        self,
        user: str,
        request: Request,
        limiter: RateLimiter,
        requests: Callable[[], int],
        *,
        workers: int,
        home: Path | None = None,
        progress: Callable[[Progress], None] | None = None,
    ) -> None:
        self.user, self.home, self.progress = user, home, progress
        self.request, self.limiter, self.requests = request, limiter, requests
        self.workers = workers
        self.started = time.monotonic()
        self.retries = self.added = 0
        self.pages_done = self.pages_total = self.plays_done = self.plays_total = 0
        self.last_commit, self.commit_cost = time.monotonic(), 0.0
        self._lock = threading.Lock()

    # -- the run ---------------------------------------------------------------------------
    def run(self, since: datetime | None) -> ImportSummary:
        """Import from max(since, newest API play stored) to now; the caller holds the lock."""
        to_uts = int(time.time())
        # Only this importer's own plays say how far Last.fm has been read: a
        # later play from a Spotify file must not make it skip scrobbles.
        newest = store.newest_play(self.user, self.home, source=SOURCE)
        starts = [math.ceil(t.timestamp()) for t in (since, newest) if t is not None]
        from_uts = max(starts) if starts else None
        total = 0
        for _attempt in range(WINDOW_TRIES):
            try:
                total = self._window(from_uts, to_uts)
                break
            except _WindowChanged:
                continue
        else:
            raise LastfmError(
                f"{self.user}'s history kept changing while it was imported; what was "
                "fetched is kept: run the same command again"
            )
        self._check_complete(from_uts, to_uts, total)
        return self._summary(total)

    def _window(self, from_uts: int | None, to_uts: int) -> int:
        """Import the plays in [from_uts, to_uts); return Last.fm's count of them."""
        if from_uts is not None and from_uts >= to_uts:
            return 0
        first = self._fetch(1, from_uts, to_uts, None)
        self.pages_total, self.plays_total = first.total_pages, first.total
        self.pages_done, self.plays_done = 1, len(first.rows)
        self._report()
        if first.total == 0:
            return 0
        self._check(first, first)
        done: dict[int, WirePage] = {1: first}
        pending: list[PageRow] = []
        cursor = first.total_pages
        pool = _Pool(self, range(cursor, 1, -1), from_uts, to_uts)
        try:
            while True:
                while cursor in done:  # fold pages into the prefix, oldest first
                    pending.extend(done.pop(cursor).rows)
                    cursor -= 1
                if cursor == 0:
                    break
                if pending and time.monotonic() - self.last_commit >= max(
                    COMMIT_SECONDS, 20 * self.commit_cost
                ):
                    pending = self._commit(pending, final=False)
                number, result = pool.results.get()
                if isinstance(result, BaseException):
                    raise result
                self._check(result, first)
                done[number] = result
                self.pages_done += 1
                self.plays_done += len(result.rows)
                self._report()
            self._commit(pending, final=True)
        except BaseException:
            pool.stop()
            with contextlib.suppress(Exception):  # keep the complete prefix; raise the cause
                self._commit(pending, final=False)
            raise
        pool.stop()
        return first.total

    @staticmethod
    def _check(page: WirePage, first: WirePage) -> None:
        if page.total != first.total or page.total_pages != first.total_pages:
            raise _WindowChanged
        last = first.total - first.per_page * (first.total_pages - 1)
        expected = first.per_page if page.number < first.total_pages else last
        if len(page.rows) != expected:
            raise _WindowChanged

    def _commit(self, pending: list[PageRow], *, final: bool) -> list[PageRow]:
        """Store ``pending`` up to its newest second (all of it when ``final``); return the rest."""
        if not pending:
            return pending
        keep: list[PageRow] = []
        if not final:  # plays of the newest second may continue on the next page: hold them
            newest = max(row[0] for row in pending)
            keep = [row for row in pending if row[0] == newest]
            pending = [row for row in pending if row[0] < newest]
        if pending:
            began = time.monotonic()
            self.added += store.merge(self.user, _frame(pending), home=self.home).added
            self.commit_cost = time.monotonic() - began
        self.last_commit = time.monotonic()
        return keep

    def _check_complete(self, from_uts: int | None, to_uts: int, total: int) -> None:
        if total == 0:
            return
        since = datetime.fromtimestamp(from_uts, UTC) if from_uts is not None else None
        until = datetime.fromtimestamp(to_uts, UTC)
        stored = len(
            store.load(self.user, columns=["played_at"], since=since, until=until, home=self.home)
        )
        if stored < total:
            span = f"from {since:%Y-%m-%d %H:%M:%S} " if since else ""
            raise IncompleteImportError(
                f"Last.fm reported {total} plays {span}before {until:%Y-%m-%d %H:%M:%S} UTC "
                f"but only {stored} are stored; what was fetched is kept: run the same "
                "command again"
            )

    def _summary(self, total: int) -> ImportSummary:
        info = next((u for u in store.users(self.home) if u.user == self.user.lower()), None)
        return ImportSummary(
            user=self.user,
            new_plays=self.added,
            total_plays=info.plays if info else 0,
            first_play=info.first_play if info else None,
            last_play=info.last_play if info else None,
            window_plays=total,
            requests=self.requests(),
            retries=self.retries,
            seconds=time.monotonic() - self.started,
        )

    def _report(self) -> None:
        if self.progress is not None:
            self.progress(
                Progress(
                    self.pages_done,
                    self.pages_total,
                    self.plays_done,
                    self.plays_total,
                    self.requests(),
                    self.retries,
                    time.monotonic() - self.started,
                )
            )

    # -- one page, with retries ------------------------------------------------------------
    def _fetch(
        self, page: int, from_uts: int | None, to_uts: int, stopped: threading.Event | None
    ) -> WirePage:
        params: dict[str, Any] = {"user": self.user, "limit": PAGE_SIZE, "page": page, "to": to_uts}
        if from_uts is not None:
            params["from"] = from_uts
        attempt = 0
        while True:
            try:
                return self.request(params, page)
            except WireProblem as problem:
                attempt += 1
                if attempt > MAX_RETRIES:
                    raise LastfmError(
                        f"{problem}, {attempt} times for page {page}; giving up. What was "
                        "fetched is kept: run the same command again to resume",
                        problem.code,
                    ) from None
                with self._lock:
                    self.retries += 1
                delay = _backoff(attempt, problem.retry_after)
                if problem.code == 29 or problem.retry_after is not None:
                    self.limiter.pause(delay)  # the server asked everyone to slow down
                if stopped is not None and stopped.wait(delay):
                    raise _Stopped from None
                if stopped is None:
                    time.sleep(delay)


class _Pool:
    """Daemon worker threads fetching pages; results arrive on ``results`` as they finish."""

    def __init__(
        self, run: PageImporter, pages: Iterable[int], from_uts: int | None, to_uts: int
    ) -> None:
        self.run, self.window = run, (from_uts, to_uts)
        self.tasks: queue.SimpleQueue[int] = queue.SimpleQueue()
        for page in pages:
            self.tasks.put(page)
        self.results: queue.SimpleQueue[tuple[int, WirePage | BaseException]] = queue.SimpleQueue()
        self.stopped = threading.Event()
        for _ in range(min(run.workers, self.tasks.qsize())):
            threading.Thread(target=self._work, daemon=True, name="lastfm-page").start()

    def _work(self) -> None:
        while not self.stopped.is_set():
            try:
                page = self.tasks.get_nowait()
            except queue.Empty:
                return
            result: WirePage | BaseException
            try:
                result = self.run._fetch(page, *self.window, self.stopped)
            except _Stopped:
                return
            except BaseException as exc:  # handed to the main thread, which raises it
                result = exc
            self.results.put((page, result))

    def stop(self) -> None:
        self.stopped.set()


def _backoff(attempt: int, retry_after: float | None) -> float:
    """Seconds to wait before retry number ``attempt``: Retry-After, else exponential + jitter."""
    if retry_after is not None:
        return min(retry_after, RETRY_AFTER_CAP) + random.uniform(0, 0.05 * BACKOFF_BASE)
    return min(BACKOFF_CAP, BACKOFF_BASE * 2.0 ** (attempt - 1)) * random.uniform(0.5, 1.0)


def _frame(rows: list[PageRow]) -> pd.DataFrame:
    """Rows as a plays frame in the schema.

    Text is stripped, and blanks made missing, here in Python, and the columns built as
    categoricals: :func:`schema.normalize` then has no string conversion left to do, which
    is most of its cost on a frame of plain strings.
    """
    import pandas as pd

    from royalty import schema

    names = ("artist", "track", "album", "artist_mbid", "album_mbid", "track_mbid")
    columns = list(zip(*rows, strict=True)) if rows else [()] * (len(names) + 1)
    data: dict[str, object] = {
        "played_at": pd.to_datetime(pd.Series(columns[0], dtype="int64"), unit="s", utc=True)
    }
    for name, values in zip(names, columns[1:], strict=True):
        data[name] = pd.Categorical([(v.strip() or None) if v else None for v in values])
    data["source"] = pd.Categorical([SOURCE] * len(rows))
    return schema.normalize(pd.DataFrame(data))
