"""A pricing scenario: which figures price a history, at which level and side.

:func:`make_scenario` turns ``royalty compare``'s choices into a checked
:class:`Scenario`. Nothing here depends on the plays: the figures of each
year are looked up when :func:`royalty.pricing.price` knows which years the
plays cover.

- **Level.** ``artist`` (what reaches the performer after the deal) or
  ``rights holder`` (the label or distributor, and the publisher, before any
  artist's contract: ``--deal none``).
- **Side.** ``master`` (recording money: the service's per-stream rate, the
  label's receipts per CD without mechanical royalties), ``publishing``
  (songwriter money: the service's publishing share per stream, the
  mechanical royalty per track on a CD) or ``both``, for an artist who writes
  their own songs. A deal's share applies to master money only; publishing
  money is shown in full (a songwriter's publishing deal is not modelled).
- **The foundation** (no service, deal or share): the essay's figures, a
  third of a cent per stream and $1.50 per CD to the artist, both of 2013;
  ``--rate`` and ``--cd-margin`` replace them with flat values that apply to
  every year as given.

Defaults and sources: ``figures.toml``, ``rates.toml`` and
:mod:`royalty.pricing.deals` (from docs/pricing-sources.md).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from datetime import datetime
from typing import Final

from royalty.errors import UsageError
from royalty.pricing.deals import DEALS
from royalty.pricing.figures import MARKETS
from royalty.pricing.params import DEFAULT_MIN_ALBUM_PLAYS, DEFAULT_MIN_SECONDS
from royalty.pricing.rates import ARTIST, DEFAULT_SERVICE, RIGHTS_HOLDER, ServiceRate, service_rate

MODELS: Final = ("pro-rata", "user-centric")
"""Streaming models: pool-and-split by stream share, or each listener's own fee."""

SIDES: Final = ("master", "publishing", "both")
"""Recording money, songwriter money, or both (an artist who writes their songs)."""

DEFAULT_MIN_TRACK_PLAYS: Final = 3
"""Plays of a track after which the listener is taken to have bought the download."""

GIVEN: Final = "the value you gave"
"""How the sources name a figure the user typed."""


def _finite(value: object) -> bool:
    return not isinstance(value, bool) and isinstance(value, int | float) and math.isfinite(value)


@dataclass(frozen=True)
class Scenario:
    """Everything that prices a history, beyond the plays themselves.

    Attributes:
        service: the service whose yearly rates price a stream (a row of
            ``rates``); None for the foundation (the essay's rate or ``rate``).
        rates: the rates table the service comes from (None: the built-in one).
        deal: ``major``, ``indie``, ``diy`` or ``none``; None for the
            foundation or a bare ``artist_share``.
        artist_share: a share of master money the user gave (replaces the deal's).
        rate: a flat USD per stream the user gave (the foundation only), at the
            artist level, used in every year as given.
        cd_margin: a flat USD per CD album the user gave, used in every year.
        side: ``master``, ``publishing`` or ``both``.
        model: ``pro-rata`` or ``user-centric``.
        market: whose subscription price sets the user-centric pool (``us``, ``nz``).
        fee: a flat monthly fee the user gave (USD), instead of the market's.
        payout_ratio: the share of the fee paid to the side(s) priced, if given.
        vat: the sales tax included in the fee, if given (instead of the market's).
        downloads: also price track downloads.
        min_album_plays: plays of an album at which its CD counts as bought.
        min_seconds: shortest play that counts as a paid stream.
        min_track_plays: plays of a track at which its download counts as bought.
        track_price: a flat USD per track the user gave.
        dollars: state every amount in US dollars of this year (None: the
            year of the last play).
        currency: the currency shown; ``fx`` converts USD into it.
        fx: units of ``currency`` per US dollar, given by the user.
        project_to: carry plays forward to this time (timezone-aware), or None.

    Example:
        >>> make_scenario(service="spotify", deal="major").level
        'artist'
    """

    service: str | None = None
    rates: tuple[ServiceRate, ...] | None = None
    deal: str | None = None
    artist_share: float | None = None
    rate: float | None = None
    cd_margin: float | None = None
    side: str = "master"
    model: str = "pro-rata"
    market: str = "us"
    fee: float | None = None
    payout_ratio: float | None = None
    vat: float | None = None
    downloads: bool = False
    min_album_plays: int = DEFAULT_MIN_ALBUM_PLAYS
    min_seconds: float = DEFAULT_MIN_SECONDS
    min_track_plays: int = DEFAULT_MIN_TRACK_PLAYS
    track_price: float | None = None
    dollars: int | None = None
    currency: str = "USD"
    fx: float | None = None
    project_to: datetime | None = None

    def __post_init__(self) -> None:
        _check(self)

    @property
    def foundation(self) -> bool:
        """True without a service, deal or share: the essay's artist-level figures."""
        return self.service is None and self.deal is None and self.artist_share is None

    @property
    def level(self) -> str:
        """``artist``, or ``rights holder`` under ``--deal none``."""
        return RIGHTS_HOLDER if self.deal == "none" else ARTIST

    @property
    def factor(self) -> float:
        """What one USD is shown as: ``fx``, or 1 without a conversion."""
        return 1.0 if self.fx is None else self.fx

    def service_row(self) -> ServiceRate:
        """The rates row priced (the default service when only a deal was given)."""
        return service_rate(self.service or DEFAULT_SERVICE, self.rates)


def _check(s: Scenario) -> None:
    if s.model not in MODELS:
        raise UsageError(f"unknown model {s.model!r}; choose {' or '.join(MODELS)}")
    if s.side not in SIDES:
        raise UsageError(f"unknown side {s.side!r}; choose {', '.join(SIDES)}")
    if s.market not in MARKETS:
        raise UsageError(f"unknown market {s.market!r}; choose {', '.join(MARKETS)}")
    if s.deal is not None and s.deal not in DEALS:
        raise UsageError(f"unknown deal {s.deal!r}; choose one of {', '.join(DEALS)}")
    if s.rate is not None and not s.foundation:
        raise UsageError(
            "a bare --rate already reaches the artist: drop --deal/--artist-share, or price "
            "a service's rights-holder rates with --service NAME"
        )
    if s.rate is not None and not (_finite(s.rate) and s.rate > 0):
        raise UsageError(f"rate must be a positive number of dollars per stream, got {s.rate}")
    if s.deal == "none" and s.artist_share is not None:
        raise UsageError("--deal none means the rights-holder level; it takes no --artist-share")
    if s.artist_share is not None and not (_finite(s.artist_share) and 0 < s.artist_share <= 1):
        raise UsageError(f"--artist-share must be above 0 and at most 1, got {s.artist_share}")
    if s.cd_margin is not None and not (_finite(s.cd_margin) and s.cd_margin >= 0):
        raise UsageError(f"cd_margin must be zero or more dollars per CD album, got {s.cd_margin}")
    if s.foundation and (s.model == "user-centric" or s.downloads or s.side != "master"):
        raise UsageError(
            "user-centric payouts, downloads and publishing money start from rights-holder "
            "money: say what reaches the artist with --deal major|indie|diy|none, "
            "--artist-share X or --service NAME (instead of a bare --rate)"
        )
    if s.fee is not None and not (_finite(s.fee) and s.fee > 0):
        raise UsageError(f"--fee must be a positive monthly price, got {s.fee}")
    if s.payout_ratio is not None and not (_finite(s.payout_ratio) and 0 < s.payout_ratio <= 1):
        raise UsageError(f"--payout-ratio must be above 0 and at most 1, got {s.payout_ratio}")
    if s.vat is not None and not (_finite(s.vat) and 0 <= s.vat <= 1):
        hint = f"; did you mean {s.vat / 100:g}?" if _finite(s.vat) and 1 < s.vat <= 100 else ""
        raise UsageError(f"--vat is a fraction (0.15 for 15%), got {s.vat}{hint}")
    if isinstance(s.min_album_plays, bool) or not (
        isinstance(s.min_album_plays, int) and s.min_album_plays >= 1
    ):
        raise UsageError(
            f"min_album_plays must be a whole number of plays, at least 1, got {s.min_album_plays}"
        )
    if not (_finite(s.min_seconds) and s.min_seconds >= 0):
        raise UsageError(f"min_seconds must be zero or more seconds, got {s.min_seconds}")
    if isinstance(s.min_track_plays, bool) or not (
        isinstance(s.min_track_plays, int) and s.min_track_plays >= 1
    ):
        raise UsageError(f"--min-track-plays must be 1 or more, got {s.min_track_plays}")
    if s.track_price is not None and not (_finite(s.track_price) and s.track_price >= 0):
        raise UsageError(f"--track-price must be 0 or more, got {s.track_price}")
    if s.dollars is not None and (
        isinstance(s.dollars, bool)
        or not isinstance(s.dollars, int)
        or not 1900 <= s.dollars <= 2100
    ):
        raise UsageError(f"--dollars must be a year such as 2024, got {s.dollars}")
    if not re.fullmatch(r"[A-Z]{3}", s.currency):
        raise UsageError(f"--currency must be a three-letter code such as NZD, got {s.currency!r}")
    if s.fx is not None and not (_finite(s.fx) and s.fx > 0):
        raise UsageError(f"--fx must be a positive exchange rate, got {s.fx}")
    if s.fx is None and s.currency != "USD":
        raise UsageError(
            f"showing amounts in {s.currency} needs the exchange rate: give --fx "
            f"(units of {s.currency} per US dollar); royalty does not guess rates"
        )
    if s.model == "user-centric" and s.market != "us" and s.fee is None and s.fx is None:
        raise UsageError(
            f"the {s.market} market's fee is not in US dollars: give --currency and --fx "
            "(units of that currency per US dollar), or --fee in US dollars"
        )
    if s.project_to is not None and s.project_to.tzinfo is None:
        raise UsageError("project_to must be a timezone-aware time")


def make_scenario(
    *,
    rate: float | None = None,
    service: str | None = None,
    deal: str | None = None,
    artist_share: float | None = None,
    cd_margin: float | None = None,
    side: str = "master",
    min_album_plays: int = DEFAULT_MIN_ALBUM_PLAYS,
    min_seconds: float = DEFAULT_MIN_SECONDS,
    model: str = "pro-rata",
    market: str | None = None,
    fee: float | None = None,
    payout_ratio: float | None = None,
    vat: float | None = None,
    downloads: bool = False,
    min_track_plays: int | None = None,
    track_price: float | None = None,
    dollars: int | None = None,
    currency: str | None = None,
    fx: float | None = None,
    project_to: datetime | None = None,
    rates: tuple[ServiceRate, ...] | None = None,
) -> Scenario:
    """Build a :class:`Scenario` from the choices ``royalty compare`` offers.

    - With none of ``service``, ``deal`` and ``artist_share``, this is the
      foundation: the essay's rate and CD margin (2013 figures), or the flat
      ``rate`` and ``cd_margin`` given, at the artist level.
    - ``service`` prices that service's yearly rights-holder rates; ``rate``
      and ``service`` together are an error. A deal without a service prices
      Spotify (the essay's service).
    - ``deal`` sets the artist's share of master money and the matching CD
      figures; ``none`` keeps every amount at the rights-holder level.
    - ``artist_share`` replaces the deal's share; ``cd_margin`` replaces the
      CD figures with one flat amount.

    Raises:
        UsageError: options that contradict each other, or a value out of range.

    Example:
        >>> s = make_scenario(service="spotify", deal="indie", side="both")
        >>> s.level, s.side, s.deal
        ('artist', 'both', 'indie')
    """
    if rate is not None and service is not None:
        raise UsageError("give --rate or --service, not both: a service sets the rate")
    _only_with(
        model == "user-centric",
        "--model user-centric",
        fee=fee,
        payout_ratio=payout_ratio,
        market=market,
        vat=vat,
    )
    _only_with(
        downloads, "--model downloads", min_track_plays=min_track_plays, track_price=track_price
    )
    if fx is not None and (currency is None or currency.strip().upper() == "USD"):
        raise UsageError("--fx converts US dollars into another currency: give --currency CODE")
    if service is not None:
        service = service_rate(service, rates).service
    if deal is None and service is not None and artist_share is None:
        deal = "none"
    return Scenario(
        service=service,
        rates=rates,
        deal=deal,
        artist_share=artist_share,
        rate=rate,
        cd_margin=cd_margin,
        side=side,
        model=model,
        market="us" if market is None else market.strip().lower(),
        fee=fee,
        payout_ratio=payout_ratio,
        vat=vat,
        downloads=downloads,
        min_album_plays=min_album_plays,
        min_seconds=min_seconds,
        min_track_plays=DEFAULT_MIN_TRACK_PLAYS if min_track_plays is None else min_track_plays,
        track_price=track_price,
        dollars=dollars,
        currency="USD" if currency is None else currency.strip().upper(),
        fx=fx,
        project_to=project_to,
    )


def _only_with(active: bool, what: str, **values: object) -> None:
    given = [name for name, value in values.items() if value is not None]
    if given and not active:
        flags = ", ".join("--" + name.replace("_", "-") for name in given)
        raise UsageError(f"{flags} only apply with {what}")
