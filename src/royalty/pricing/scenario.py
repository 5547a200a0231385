"""A pricing scenario: which service, deal, model, currency and horizon.

:class:`CompareParams` is the foundation's comparison (one artist-level rate
against one CD margin). A :class:`Scenario` wraps it with everything issue 5
adds: the level of the money (rights holder or artist), the artist's share,
the streaming model (pro-rata or user-centric), downloads, a currency shown
at a rate the user gives, and a projection date. :func:`make_scenario` turns
command-line style choices into one, checking that they fit together.

Defaults and their sources (PRICING-FACTS.md):

- fee 11.99 USD a month: Spotify Premium Individual's US price from mid-2024
  (9.99 in 2011–2023, 10.99 from July 2023; Spotify's announced price changes);
- payout ratio 0.67: the share of service revenue paid to rights holders
  (Variety 2021, Spotify pays about two-thirds; DiMA 58.6 % recording + 15.1 %
  publishing);
- VAT 0: the US price is quoted before sales tax;
- a download bought after 3 plays of a track, at 0.99 USD (iTunes store
  price), of which the store keeps 30 % (iTunes 70/30) and the label 70 %.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Final

from royalty.errors import UsageError
from royalty.pricing.deals import DEALS, LABEL_RECEIPTS_PER_CD, LABEL_RECEIPTS_SOURCE
from royalty.pricing.params import (
    DEFAULT_CD_MARGIN,
    DEFAULT_MIN_ALBUM_PLAYS,
    DEFAULT_MIN_SECONDS,
    DEFAULT_RATE,
    CompareParams,
)
from royalty.pricing.rates import ARTIST, DEFAULT_SERVICE, RIGHTS_HOLDER, ServiceRate, service_rate

MODELS: Final = ("pro-rata", "user-centric")
"""Streaming models: pool-and-split by stream share, or each listener's own fee."""

DEFAULT_FEE: Final = 11.99
"""USD a month: Spotify Premium Individual, US, from mid-2024 (Spotify's price changes)."""
DEFAULT_PAYOUT_RATIO: Final = 0.67
"""Share of revenue paid to rights holders (Variety 2021; DiMA 58.6 % + 15.1 %)."""
DEFAULT_VAT: Final = 0.0
"""VAT or GST included in the fee: none in a US price."""
DEFAULT_MIN_TRACK_PLAYS: Final = 3
"""Plays of a track after which the listener is taken to have bought the download."""
DEFAULT_TRACK_PRICE: Final = 0.99
"""USD per track download (iTunes store price)."""
STORE_CUT: Final = 0.30
"""The download store's share (iTunes 70/30); the label receives the other 70 %."""

SOURCES: Final[dict[str, str]] = {
    "rate": "the essay's 'a third of a cent per stream' (Nick O'Byrne, AIR, via ABC News 2013)",
    "cd_margin": "the middle of the essay's '$1 or $2' per CD album to the artist",
    "min_seconds": "the 30-second rule of Spotify and Apple (RouteNote; Apple Sales and Trends)",
    "fee": "Spotify Premium Individual, US, 11.99 USD a month from mid-2024",
    "payout_ratio": "Variety 2021 (Spotify pays about two-thirds); DiMA (58.6% + 15.1%)",
    "vat": "none: a US price is quoted before sales tax",
    "track_price": "iTunes store price, 0.99 USD a track",
    "store_cut": "iTunes 70/30: the store keeps 30%",
}


@dataclass(frozen=True)
class Scenario:
    """Everything that prices a history, beyond the plays themselves.

    Attributes:
        params: the per-stream rate and the CD margin **at** ``level`` (the
            rate already includes the artist's share), plus the thresholds.
        level: ``"artist"`` or ``"rights holder"``: the level of every amount.
        share: the artist's share of rights-holder money (1.0 at the
            rights-holder level); None when the rate was given at the artist
            level directly, as in the foundation. The user-centric model and
            downloads start from rights-holder money, so they need a share.
        service: the service slug priced, if any.
        deal: ``major``, ``indie``, ``diy`` or ``none``, if chosen.
        model: ``"pro-rata"`` or ``"user-centric"``.
        fee: monthly subscription fee (USD), user-centric only.
        payout_ratio: share of the fee paid to rights holders, user-centric only.
        vat: VAT or GST rate included in the fee, user-centric only.
        downloads: whether to price downloads (adds ``download_payout``).
        min_track_plays: plays of a track at which its download counts as bought.
        track_price: USD per track download.
        currency: the currency amounts are shown in.
        fx: units of ``currency`` per USD, given by the user; None for USD.
        project_to: carry plays forward to this time (timezone-aware), or None.
        sources: where each figure in use comes from, by parameter name.

    Example:
        >>> Scenario(CompareParams(rate=0.0033)).level
        'artist'
    """

    params: CompareParams = field(default_factory=CompareParams)
    level: str = ARTIST
    share: float | None = None
    service: str | None = None
    deal: str | None = None
    model: str = "pro-rata"
    fee: float = DEFAULT_FEE
    payout_ratio: float = DEFAULT_PAYOUT_RATIO
    vat: float = DEFAULT_VAT
    downloads: bool = False
    min_track_plays: int = DEFAULT_MIN_TRACK_PLAYS
    track_price: float = DEFAULT_TRACK_PRICE
    currency: str = "USD"
    fx: float | None = None
    project_to: datetime | None = None
    sources: Mapping[str, str] = field(default_factory=dict, compare=False, hash=False)

    def __post_init__(self) -> None:
        if self.level not in (ARTIST, RIGHTS_HOLDER):
            raise UsageError(f"level must be {ARTIST!r} or {RIGHTS_HOLDER!r}, got {self.level!r}")
        if self.model not in MODELS:
            raise UsageError(f"unknown model {self.model!r}; choose {' or '.join(MODELS)}")
        if self.share is not None and not (_finite(self.share) and 0 < self.share <= 1):
            raise UsageError(f"the artist's share must be above 0 and at most 1, got {self.share}")
        if self.share is None and (self.model == "user-centric" or self.downloads):
            raise UsageError(
                "user-centric payouts and downloads start from rights-holder money: say what "
                "reaches the artist with --deal major|indie|diy|none, --artist-share X or "
                "--service NAME (instead of a bare --rate)"
            )
        if not (_finite(self.fee) and self.fee > 0):
            raise UsageError(f"--fee must be a positive monthly price, got {self.fee}")
        if not (_finite(self.payout_ratio) and 0 < self.payout_ratio <= 1):
            raise UsageError(
                f"--payout-ratio must be above 0 and at most 1, got {self.payout_ratio}"
            )
        if not (_finite(self.vat) and self.vat >= 0):
            raise UsageError(f"--vat must be 0 or more (0.15 for 15%), got {self.vat}")
        if isinstance(self.min_track_plays, bool) or not (
            isinstance(self.min_track_plays, int) and self.min_track_plays >= 1
        ):
            raise UsageError(f"--min-track-plays must be 1 or more, got {self.min_track_plays}")
        if not (_finite(self.track_price) and self.track_price >= 0):
            raise UsageError(f"--track-price must be 0 or more, got {self.track_price}")
        if not re.fullmatch(r"[A-Z]{3}", self.currency):
            raise UsageError(
                f"--currency must be a three-letter code such as NZD, got {self.currency!r}"
            )
        if self.fx is not None and not (_finite(self.fx) and self.fx > 0):
            raise UsageError(f"--fx must be a positive exchange rate, got {self.fx}")
        if self.fx is None and self.currency != "USD":
            raise UsageError(
                f"showing amounts in {self.currency} needs the exchange rate: give --fx "
                f"(units of {self.currency} per US dollar); royalty does not guess rates"
            )
        if self.project_to is not None and self.project_to.tzinfo is None:
            raise UsageError("project_to must be a timezone-aware time")

    @property
    def factor(self) -> float:
        """What one USD is shown as: ``fx``, or 1 without a conversion."""
        return 1.0 if self.fx is None else self.fx

    @property
    def pool(self) -> float:
        """USD a month of one subscription paid to rights holders: ``fee / (1 + vat) × ratio``."""
        return self.fee / (1.0 + self.vat) * self.payout_ratio


def _finite(value: object) -> bool:
    return not isinstance(value, bool) and isinstance(value, int | float) and math.isfinite(value)


def make_scenario(
    *,
    rate: float | None = None,
    service: str | None = None,
    deal: str | None = None,
    artist_share: float | None = None,
    cd_margin: float | None = None,
    min_album_plays: int = DEFAULT_MIN_ALBUM_PLAYS,
    min_seconds: float = DEFAULT_MIN_SECONDS,
    model: str = "pro-rata",
    fee: float | None = None,
    payout_ratio: float | None = None,
    vat: float | None = None,
    downloads: bool = False,
    min_track_plays: int | None = None,
    track_price: float | None = None,
    currency: str | None = None,
    fx: float | None = None,
    project_to: datetime | None = None,
    rates: tuple[ServiceRate, ...] | None = None,
) -> Scenario:
    """Build a :class:`Scenario` from the choices ``royalty compare`` offers.

    The rules (issue 5):

    - With none of ``service``, ``deal`` and ``artist_share``, this is the
      foundation: ``rate`` (default 1/300) reaches the artist, the CD margin
      defaults to 1.50, and amounts are at the artist level.
    - ``service`` prices at that service's rights-holder rate; ``rate`` and
      ``service`` together are an error. A deal without a service or rate
      prices Spotify (the essay's service).
    - ``deal`` sets the artist's share (major 0.18, indie 0.50, diy 1.00) and
      the matching CD net per album; ``none`` (the default with a service)
      keeps both sides at the rights-holder level, where the CD side is the
      label's receipts per CD (10.75 USD). A deal other than ``none``, or an
      ``artist_share``, with a bare ``rate`` is an error: that rate already
      reaches the artist.
    - ``artist_share`` overrides the deal's share; without a deal, the CD side
      is that share of the label's receipts per CD. ``cd_margin`` always wins.

    Raises:
        UsageError: options that contradict each other, or a value out of range.

    Example:
        >>> s = make_scenario(service="spotify", deal="major")
        >>> round(s.params.rate, 6), s.params.cd_margin, s.level
        (0.00054, 1.4, 'artist')
    """
    if rate is not None and service is not None:
        raise UsageError("give --rate or --service, not both: a service sets the rate")
    if deal is not None and deal not in DEALS:
        raise UsageError(f"unknown deal {deal!r}; choose one of {', '.join(DEALS)}")
    if rate is not None and (artist_share is not None or deal not in (None, "none")):
        raise UsageError(
            "a bare --rate already reaches the artist: drop --deal/--artist-share, or price "
            "a service's rights-holder rate with --service NAME"
        )
    if deal == "none" and artist_share is not None:
        raise UsageError("--deal none means the rights-holder level; it takes no --artist-share")
    if artist_share is not None and not (_finite(artist_share) and 0 < artist_share <= 1):
        raise UsageError(f"--artist-share must be above 0 and at most 1, got {artist_share}")
    _only_with(
        model == "user-centric", "--model user-centric", fee=fee, payout_ratio=payout_ratio, vat=vat
    )
    _only_with(
        downloads, "--model downloads", min_track_plays=min_track_plays, track_price=track_price
    )

    if fx is not None and (currency is None or currency.strip().upper() == "USD"):
        raise UsageError("--fx converts US dollars into another currency: give --currency CODE")
    sources = {k: SOURCES[k] for k in ("min_seconds",)}
    if model == "user-centric":
        sources.update({k: SOURCES[k] for k in ("fee", "payout_ratio", "vat")})
    if downloads:
        sources.update({k: SOURCES[k] for k in ("track_price", "store_cut")})
    if fx is not None:
        sources["fx"] = "the rate you gave"
    if service is None and deal is None and artist_share is None:
        level, share, per_stream = ARTIST, None, DEFAULT_RATE if rate is None else rate
        margin = DEFAULT_CD_MARGIN if cd_margin is None else cd_margin
        sources["rate"] = SOURCES["rate"] if rate is None else "the rate you gave"
        sources["cd_margin"] = SOURCES["cd_margin"] if cd_margin is None else "the margin you gave"
    else:
        if rate is None:
            row = service_rate(service or DEFAULT_SERVICE, rates)
            service, holder_rate = row.service, row.rate
            sources["rate"] = f"{row.name}, {row.year}: {row.source}"
        else:
            holder_rate = rate
            sources["rate"] = "the rights-holder rate you gave"
        terms = DEALS[deal or "none"]
        if artist_share is not None:
            share = artist_share
            sources["artist_share"] = "the share you gave"
            default_cd = terms.cd_net if deal else artist_share * LABEL_RECEIPTS_PER_CD
            cd_source = terms.cd_source if deal else f"your share × {LABEL_RECEIPTS_SOURCE}"
        else:
            share, default_cd, cd_source = terms.share, terms.cd_net, terms.cd_source
            sources["artist_share"] = terms.share_source
        level = RIGHTS_HOLDER if terms.name == "none" and artist_share is None else ARTIST
        per_stream = holder_rate * share
        margin = default_cd if cd_margin is None else cd_margin
        sources["cd_margin"] = cd_source if cd_margin is None else "the margin you gave"
        deal = terms.name if deal is not None or artist_share is None else None
    params = CompareParams(
        rate=per_stream, cd_margin=margin, min_album_plays=min_album_plays, min_seconds=min_seconds
    )
    first = ("rate", "artist_share", "cd_margin")
    ordered = {k: sources[k] for k in first if k in sources}
    ordered.update({k: v for k, v in sources.items() if k not in first})
    return Scenario(
        params=params,
        level=level,
        share=share,
        service=service,
        deal=deal,
        model=model,
        fee=DEFAULT_FEE if fee is None else fee,
        payout_ratio=DEFAULT_PAYOUT_RATIO if payout_ratio is None else payout_ratio,
        vat=DEFAULT_VAT if vat is None else vat,
        downloads=downloads,
        min_track_plays=DEFAULT_MIN_TRACK_PLAYS if min_track_plays is None else min_track_plays,
        track_price=DEFAULT_TRACK_PRICE if track_price is None else track_price,
        currency="USD" if currency is None else currency.strip().upper(),
        fx=fx,
        project_to=project_to,
        sources=ordered,
    )


def _only_with(active: bool, what: str, **values: object) -> None:
    given = [name for name, value in values.items() if value is not None]
    if given and not active:
        flags = ", ".join("--" + name.replace("_", "-") for name in given)
        raise UsageError(f"{flags} only apply with {what}")
