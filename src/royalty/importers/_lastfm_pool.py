"""The worker threads of the Last.fm importer, and how a wait is put in words."""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable

from royalty.importers._lastfm_wire import WirePage


class Stopped(Exception):
    """The run is over; a worker should drop what it was doing."""


class Pool:
    """Daemon worker threads fetching pages; results arrive on ``results`` as they finish.

    Pages are handed out from a counter, oldest (``oldest``) first down to page 2, not
    queued up front: the memory a run needs does not grow with the number of pages.
    """

    def __init__(
        self, fetch: Callable[[int, threading.Event], WirePage], oldest: int, workers: int
    ) -> None:
        self.fetch = fetch
        self._next, self._take = oldest, threading.Lock()
        self.results: queue.SimpleQueue[tuple[int, WirePage | BaseException]] = queue.SimpleQueue()
        self.stopped = threading.Event()
        for _ in range(min(workers, max(0, oldest - 1))):
            threading.Thread(target=self._work, daemon=True, name="lastfm-page").start()

    def _page(self) -> int | None:
        with self._take:
            page, self._next = self._next, self._next - 1
        return page if page >= 2 else None

    def _work(self) -> None:
        while not self.stopped.is_set():
            page = self._page()
            if page is None:
                return
            result: WirePage | BaseException
            try:
                result = self.fetch(page, self.stopped)
            except Stopped:
                return
            except BaseException as exc:  # handed to the main thread, which raises it
                result = exc
            self.results.put((page, result))

    def stop(self) -> None:
        self.stopped.set()


def duration(seconds: float) -> str:
    """``seconds`` in words a person reads at a glance: 45 s, 12 min, 27.8 hours."""
    if seconds < 120:
        return f"{seconds:.0f} s"
    if seconds < 7200:
        return f"{seconds / 60:.0f} min"
    return f"{seconds / 3600:,.1f} hours"
