"""What a Last.fm import reports: its errors, its progress and its summary."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from royalty.errors import RoyaltyError


class LastfmError(RoyaltyError):
    """The Last.fm API refused or failed; ``code`` is its error code or HTTP status, if any.

    Example:
        >>> LastfmError("Last.fm has no user 'x'", 6).code
        6
    """

    def __init__(self, message: str, code: int | None = None, *, resume: bool = False) -> None:
        super().__init__(message)
        self.code = code
        self.resume = resume
        """Whether running the same command again may get past this (a transient failure)."""

    def ending(self, text: str) -> None:
        """Add ``text`` to the message (what happened to the plays fetched)."""
        self.args = (f"{self.args[0]}{text}",)


class IncompleteImportError(LastfmError):
    """Fewer plays are stored for the window than Last.fm reported."""

    def __init__(self, message: str) -> None:
        super().__init__(message, resume=True)


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
    note: str = ""
    """What the import is waiting for, if anything (a retry, a server that asked to wait)."""


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
    skipped: dict[str, int] = field(default_factory=dict)
    """Plays not stored, by reason (``no artist``, ``bad rows``...)."""
