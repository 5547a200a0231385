"""The parameters of the streaming-versus-CD comparison, with their sources.

Both sides of the comparison are priced at the same level, the **artist's**
(what reaches the performer after the label's and the service's cuts), and in
the same currency, **US dollars**. The figures come from the seed essay and
from ``docs/pricing-sources.md`` (the project's table of published figures).
"""

from __future__ import annotations

import math
import numbers
from dataclasses import dataclass
from typing import Final, TypeGuard

from royalty.errors import UsageError

DEFAULT_RATE: Final = 1 / 300
"""USD per stream reaching the artist: the essay's "about a third of a cent per
stream" (Nick O'Byrne, AIR, quoted by ABC News, 2013), which also reproduces the
essay's Radiohead figure (2,800 plays × $1/300 = $9.33)."""

DEFAULT_CD_MARGIN: Final = 1.50
"""USD the artist nets per CD album sold: the middle of the essay's "$1 or $2";
docs/pricing-sources.md gives 1.40 (range 0.30–2.00) for a major-label deal."""

DEFAULT_MIN_ALBUM_PLAYS: Final = 10
"""Plays of an album after which the listener is taken to have bought the CD."""

DEFAULT_MIN_SECONDS: Final = 30.0
"""Seconds a play must last to count as a royalty-bearing stream: Spotify's and
Apple's 30-second rule (docs/pricing-sources.md, "qualifying stream")."""


MIN_SECONDS_SOURCE: Final = (
    "the 30-second rule of Spotify and Apple (RouteNote; Apple Sales and Trends)"
)
"""Where :data:`DEFAULT_MIN_SECONDS` comes from, as sources name it."""


def _is_number(value: object, *, positive: bool = False) -> TypeGuard[float]:
    """A finite real number (not a bool), at least 0, or above 0 if ``positive``."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        return False
    number = float(value)
    return math.isfinite(number) and (number > 0 if positive else number >= 0)


def _is_count(value: object) -> TypeGuard[int]:
    """A whole number (an int or numpy integer, not a bool) of at least 1."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        return False
    return int(value) >= 1


@dataclass(frozen=True)
class CompareParams:
    """What a play and a CD are worth to an artist, in USD, at the artist level.

    Attributes:
        rate: USD per qualifying stream that reaches the artist. Default 1/300
            (0.00333…), the essay's "a third of a cent per stream". Service
            rate tables (docs/pricing-sources.md) quote the rights-holder level, which
            is higher; multiply by the artist's share to use one of them here.
        cd_margin: USD the artist nets per CD album bought. Default 1.50, the
            middle of the essay's "$1 or $2" (docs/pricing-sources.md: 1.40 for a
            major-label deal, about 8.00 self-released).
        min_album_plays: plays of one album (by one artist) at which the
            listener is taken to have bought that CD. Default 10.
        min_seconds: a play with a known duration counts as a stream only when
            it lasted at least this many seconds; plays of unknown duration
            always count. Default 30, the 30-second rule of Spotify and Apple
            (docs/pricing-sources.md).

    Raises:
        UsageError: a value out of range (rate not positive, negative margin
            or seconds, fewer than one album play, or a value that is not a
            finite number).

    Example:
        >>> CompareParams(rate=0.0033).cd_margin
        1.5
    """

    rate: float = DEFAULT_RATE
    cd_margin: float = DEFAULT_CD_MARGIN
    min_album_plays: int = DEFAULT_MIN_ALBUM_PLAYS
    min_seconds: float = DEFAULT_MIN_SECONDS

    def __post_init__(self) -> None:
        # Typed as object: callers (the CLI, notebooks) may pass anything.
        rate: object = self.rate
        margin: object = self.cd_margin
        plays: object = self.min_album_plays
        seconds: object = self.min_seconds
        if not _is_number(rate, positive=True):
            raise UsageError(f"rate must be a positive number of dollars per stream, got {rate}")
        if not _is_number(margin):
            raise UsageError(
                f"cd_margin must be zero or a positive number of dollars per CD album, got {margin}"
            )
        if not _is_count(plays):
            raise UsageError(
                f"min_album_plays must be a whole number of plays, at least 1, got {plays}"
            )
        if not _is_number(seconds):
            raise UsageError(
                f"min_seconds must be zero or a positive number of seconds, got {seconds}"
            )
        # Store plain Python numbers so that numpy scalars or ints passed in do
        # not leak into the frames' dtypes or the repr.
        object.__setattr__(self, "rate", float(rate))
        object.__setattr__(self, "cd_margin", float(margin))
        object.__setattr__(self, "min_album_plays", int(plays))
        object.__setattr__(self, "min_seconds", float(seconds))


DEFAULT_PARAMS: Final = CompareParams()
"""The defaults above, as one value."""
