"""Paging, retries and crash-safe commits of the Last.fm importer (no pylast here).

:class:`PageImporter` runs one import given a function that makes one request for one page
(:mod:`royalty.importers.lastfm_api` supplies it, through pylast). See that module for the
design; the invariant kept here is that the store always holds a complete prefix of the
user's history, cut between two distinct timestamps.
"""

from __future__ import annotations

import contextlib
import math
import random
import threading
import time
from collections import Counter
from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Final

from royalty import store
from royalty.importers._lastfm_plays import EARLIEST_UTS, SOURCE, BadPlay, frame, sort_rows
from royalty.importers._lastfm_pool import Pool, Stopped, duration
from royalty.importers._lastfm_results import (
    ImportSummary,
    IncompleteImportError,
    LastfmError,
    Progress,
)
from royalty.importers._lastfm_wire import PageRow, RateLimiter, WirePage, WireProblem

__all__ = [
    "PAGE_SIZE",
    "SOURCE",
    "ImportSummary",
    "IncompleteImportError",
    "LastfmError",
    "PageImporter",
    "Progress",
]

PAGE_SIZE: Final = 200
"""Plays per request: the documented maximum of ``user.getRecentTracks``."""

MAX_RETRIES = 5
BACKOFF_BASE = 1.0
"""Seconds before the first retry; doubled each time, with jitter (tests shrink it)."""
BACKOFF_CAP = 60.0
RETRY_AFTER_CAP = 120.0
"""The longest wait a server may ask for (``Retry-After``); asked for more, the run stops."""
COMMIT_SECONDS = 1.0
"""Commit the completed prefix at most this often (more seldom when commits are slow)."""
WINDOW_TRIES = 3

Request = Callable[[dict[str, Any], int], WirePage]
"""Makes one request for one page: (parameters, page number) -> the parsed page."""


class _WindowChanged(Exception):
    """A page disagrees with page 1: plays were added or removed inside the window."""


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
        progress: called after every page and before every wait; calls are never
            concurrent, but a wait of a worker thread is reported from that thread.
        skip_bad: skip and count plays dated before 2002 or in the future, instead of
            stopping the import at the first.
        lock: takes the user's store lock (default :func:`royalty.store.lock`); held from
            page 1 on to the end of the run.
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
        skip_bad: bool = False,
        lock: Callable[[], AbstractContextManager[None]] | None = None,
    ) -> None:
        self.user, self.home, self.progress, self.skip_bad = user, home, progress, skip_bad
        self.request, self.limiter, self.requests = request, limiter, requests
        self.workers = workers
        self.lock = lock or (lambda: store.lock(user, home))
        self.started = time.monotonic()
        self.retries = self.added = 0
        self.pages_done = self.pages_total = self.plays_done = self.plays_total = 0
        self.last_commit, self.commit_cost = time.monotonic(), 0.0
        self.skipped: Counter[str] = Counter()
        self.to_uts = int(time.time())
        self._lock = threading.Lock()
        self._report_lock = threading.Lock()

    # -- the run ---------------------------------------------------------------------------
    def run(self, since: datetime | None) -> ImportSummary:
        """Import from max(since, newest API play stored) to now, under the user's lock.

        Raises:
            LastfmError: its message ends by saying whether plays fetched were stored.
        """
        try:
            return self._run(since)
        except LastfmError as exc:
            if not self.added:
                exc.ending("; nothing new was stored")
            else:
                again = ": run the same command again to resume" if exc.resume else ""
                exc.ending(f"; {self.added:,} new plays fetched before this are stored{again}")
            raise

    def _run(self, since: datetime | None) -> ImportSummary:
        to_uts = self.to_uts = int(time.time())
        from_uts = self._from(since)
        first: WirePage | None = None
        if from_uts is None or from_uts < to_uts:
            # Page 1 comes before the lock, which makes the user's folder: a refused key, a
            # wrong user name, an unreachable server or a bad first page leave nothing
            # behind in the store.
            first = self._fetch(1, from_uts, to_uts, None)
            if first.total == 0:
                return self._summary(self._window(from_uts, to_uts, first))
            self._check_counts(first, from_uts, to_uts)  # a bad page 1 leaves no trace either
            self._plays(first)
        with self.lock():
            if self._from(since) != from_uts:  # another import stored plays meanwhile
                from_uts, first = self._from(since), None
            total = 0
            for _attempt in range(WINDOW_TRIES):
                try:
                    total = self._window(from_uts, to_uts, first)
                    break
                except _WindowChanged:
                    first = None
                    continue
            else:
                raise LastfmError(
                    f"{self.user}'s history kept changing while it was imported", resume=True
                )
            self._check_complete(from_uts, to_uts, total)
        return self._summary(total)

    def _from(self, since: datetime | None) -> int | None:
        """Where the run starts: the newest play this importer stored, or ``since``."""
        # Only this importer's own plays say how far Last.fm has been read: a
        # later play from a Spotify file must not make it skip scrobbles.
        newest = store.newest_play(self.user, self.home, source=SOURCE)
        starts = [math.ceil(t.timestamp()) for t in (since, newest) if t is not None]
        return max(starts) if starts else None

    def _window(self, from_uts: int | None, to_uts: int, first: WirePage | None) -> int:
        """Import the plays in [from_uts, to_uts); return Last.fm's count of them.

        ``first`` is page 1 if it was fetched already.
        """
        if from_uts is not None and from_uts >= to_uts:
            return 0
        self.skipped = Counter()
        first = first or self._fetch(1, from_uts, to_uts, None)
        self._check_counts(first, from_uts, to_uts)
        self.pages_total, self.plays_total = first.total_pages, first.total
        self.pages_done, self.plays_done = 1, len(first.rows)
        self._report()
        if first.total == 0:
            return 0
        self._check(first, first)
        done: dict[int, WirePage] = {1: self._plays(first)}
        pending: list[PageRow] = []
        cursor = first.total_pages
        pool = Pool(
            lambda page, stopped: self._fetch(page, from_uts, to_uts, stopped), cursor, self.workers
        )
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
                done[number] = self._plays(result)
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

    def _check_counts(self, first: WirePage, from_uts: int | None, to_uts: int) -> None:
        """Refuse page counts the plays cannot justify, before any page is queued.

        Every page but the last holds ``perPage`` plays, so ``totalPages`` follows from
        ``total``; and a listener scrobbles at most about one play a second, so ``total``
        cannot exceed the seconds in the window asked for.
        """
        seconds = max(0, to_uts - max(from_uts or EARLIEST_UTS, EARLIEST_UTS))
        per_page, pages, total = first.per_page, first.total_pages, first.total
        expected = math.ceil(total / per_page) if 1 <= per_page <= PAGE_SIZE else None
        if (
            expected is None
            or not 0 <= total <= seconds + PAGE_SIZE
            or (pages != expected and not (total == 0 and pages in (0, 1)))
        ):
            raise LastfmError(
                f"Last.fm's reply does not add up: {total:,} plays in {pages:,} pages of "
                f"{per_page:,} for {self.user}; check --api-url, or try again later"
            )

    def _plays(self, page: WirePage) -> WirePage:
        """``page`` with only the plays worth storing; counts the others."""
        try:
            rows, skipped = sort_rows(page.rows, started=self.to_uts, skip_bad=self.skip_bad)
        except BadPlay as bad:
            raise LastfmError(
                f"Last.fm page {page.number}, {bad}; pass --skip-bad-rows to skip and "
                "count such plays"
            ) from None
        self.skipped.update(skipped)
        return replace(page, rows=rows)

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
            self.added += store.merge(self.user, frame(pending), home=self.home).added
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
        skipped = sum(self.skipped.values())
        if stored + skipped < total:
            span = f"from {since:%Y-%m-%d %H:%M:%S} " if since else ""
            also = f" ({skipped:,} skipped)" if skipped else ""
            raise IncompleteImportError(
                f"Last.fm reported {total} plays {span}before {until:%Y-%m-%d %H:%M:%S} UTC "
                f"but only {stored} are stored{also}"
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
            skipped=dict(self.skipped),
        )

    def _report(self, note: str = "") -> None:
        if self.progress is not None:
            with self._report_lock:
                self.progress(
                    Progress(
                        self.pages_done,
                        self.pages_total,
                        self.plays_done,
                        self.plays_total,
                        self.requests(),
                        self.retries,
                        time.monotonic() - self.started,
                        note,
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
                        f"{problem}, {attempt} times for page {page}; giving up",
                        problem.code,
                        resume=True,
                    ) from None
                asked = problem.retry_after
                if asked is not None and asked > RETRY_AFTER_CAP:
                    raise LastfmError(
                        f"{problem}, and the server asks to wait {duration(asked)} before "
                        "the next request; try again then",
                        problem.code,
                    ) from None
                with self._lock:
                    self.retries += 1
                delay = _backoff(attempt, asked)
                if problem.code == 29 or asked is not None:
                    self.limiter.pause(delay)  # the server asked everyone to slow down
                why = f"the server asked to wait {duration(asked)}" if asked else str(problem)
                self._report(
                    f"page {page}: {why}; retry {attempt} of {MAX_RETRIES} in {delay:.0f} s"
                )
                if stopped is not None and stopped.wait(delay):
                    raise Stopped from None
                if stopped is None:
                    time.sleep(delay)


def _backoff(attempt: int, retry_after: float | None) -> float:
    """Seconds to wait before retry number ``attempt``: Retry-After, else exponential + jitter."""
    if retry_after is not None:
        return min(retry_after, RETRY_AFTER_CAP) + random.uniform(0, 0.05 * BACKOFF_BASE)
    return min(BACKOFF_CAP, BACKOFF_BASE * 2.0 ** (attempt - 1)) * random.uniform(0.5, 1.0)
