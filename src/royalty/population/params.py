"""The parameters of a population comparison, with their sources.

Money is in **US dollars** at the **rights-holder** level: a month's pool is
what the service pays out to rights holders (labels, distributors and
publishers together), before any artist's contract. The fee, payout ratio,
VAT and the 30-second rule are the one-listener defaults of
:mod:`royalty.pricing` (docs/pricing-sources.md), not copies of them.

The two whole-service rules count streams across a whole service. A dataset
that holds 1/F of a service's listeners sees about 1/F of each artist's or
track's streams and listeners, so ``scale=F`` divides those thresholds by F
(rounded up, at least 1) before they are applied. The listener's monthly cap
of the artist-centric model is a rule about one listener and is never scaled.
"""

from __future__ import annotations

import math
import numbers
from dataclasses import dataclass
from typing import Final

from royalty.errors import UsageError
from royalty.population.models import MODELS as MODELS
from royalty.pricing.defaults import (
    DEFAULT_FEE,
    DEFAULT_MIN_SECONDS,
    DEFAULT_PAYOUT_RATIO,
    DEFAULT_VAT,
    SOURCES,
)

COLUMN: Final[dict[str, str]] = {m: m.replace("-", "_") for m in MODELS}
"""The payout column of each model in tables, CSV and JSON (``pro_rata`` …)."""

PRO_STREAMS: Final = 1000
"""Deezer's artist-centric model (with Universal, 2023): a "professional artist"
has at least 1,000 streams a month…"""
PRO_LISTENERS: Final = 500
"""…from at least 500 unique listeners (Deezer, 2023; docs/pricing-sources.md)."""
LISTENER_CAP: Final = 1000
"""Monetised streams per listener per month under Deezer's model (docs/pricing-sources.md)."""
TRACK_FLOOR: Final = 1000
"""Spotify from April 2024: a track earns nothing until it has at least 1,000
streams in the previous 12 months ("Modernizing our royalty system", Spotify for
Artists, November 2023)."""
WINDOW_MONTHS: Final = 12
"""The threshold's look-back, in calendar months (the paid month and the 11 before it)."""

MODEL_SOURCES: Final[dict[str, str]] = {
    "pro-rata": "market-centric: each month's pool split by stream share (how services pay today)",
    "user-centric": "each listener's own monthly payment split by their plays "
    "(CNM/Deloitte 2021; Bourreau et al., Deezer France)",
    "artist-centric": "Deezer with Universal Music, 2023: professional artists' streams count "
    "double, at most 1,000 monetised streams per listener a month",
    "threshold": "Spotify from April 2024: tracks under 1,000 streams in 12 months earn "
    "nothing ('Modernizing our royalty system', Spotify for Artists, Nov 2023)",
}
"""Where each model comes from, shown in headers and in ``--with-meta``."""


def _positive(value: object, name: str, *, at_most_one: bool = False) -> float:
    """A finite number above 0 (and at most 1), or a :class:`UsageError` naming ``name``."""
    ok = not isinstance(value, bool) and isinstance(value, numbers.Real)
    number = float(value) if ok else math.nan  # type: ignore[arg-type]
    if not (math.isfinite(number) and number > 0 and (number <= 1 or not at_most_one)):
        bound = "above 0 and at most 1" if at_most_one else "a number above 0"
        raise UsageError(f"{name} must be {bound}, got {value}")
    return number


@dataclass(frozen=True)
class PopulationParams:
    """What a listener pays, what counts as a stream, and the rules' thresholds.

    Attributes:
        fee: USD a month each listener pays. Default 11.99, Spotify Premium
            Individual in the US from mid-2024 (as ``royalty compare``).
        payout_ratio: share of the fee, net of VAT, paid to rights holders.
            Default 0.67 (Variety 2021; DiMA 58.6 % + 15.1 %).
        vat: VAT or GST included in the fee (0.15 for 15 %). Default 0.
        min_seconds: a play of known duration counts as a stream only when it
            lasted at least this long. Default 30 (the 30-second rule).
        scale: the dataset is 1/scale of the service: whole-service
            thresholds are divided by it. Default 1 (the dataset is the service).
        listener_cap: artist-centric: monetised streams per listener a month,
            never scaled. Default 1,000 (Deezer, 2023).

    Raises:
        UsageError: a value out of range.

    Example:
        >>> p = PopulationParams(scale=100)
        >>> p.pro_streams, p.pro_listeners, p.track_floor, round(p.pool_per_listener, 4)
        (10, 5, 10, 8.0333)
    """

    fee: float = DEFAULT_FEE
    payout_ratio: float = DEFAULT_PAYOUT_RATIO
    vat: float = DEFAULT_VAT
    min_seconds: float = DEFAULT_MIN_SECONDS
    scale: float = 1.0
    listener_cap: int = LISTENER_CAP

    def __post_init__(self) -> None:
        object.__setattr__(self, "fee", _positive(self.fee, "--fee (USD a month)"))
        ratio = _positive(self.payout_ratio, "--payout-ratio", at_most_one=True)
        object.__setattr__(self, "payout_ratio", ratio)
        vat: object = self.vat
        seconds: object = self.min_seconds
        for value, name in ((vat, "--vat (0.15 for 15%)"), (seconds, "--min-seconds")):
            if value != 0:
                _positive(value, name + " (or 0)")
        object.__setattr__(self, "vat", float(vat))  # type: ignore[arg-type]
        object.__setattr__(self, "min_seconds", float(seconds))  # type: ignore[arg-type]
        scale = _positive(self.scale, "--scale (the dataset is 1/F of the service)")
        object.__setattr__(self, "scale", scale)
        cap: object = self.listener_cap
        if isinstance(cap, bool) or not isinstance(cap, numbers.Integral) or int(cap) < 1:
            raise UsageError(
                f"listener_cap must be a whole number of streams, at least 1, got {cap}"
            )
        object.__setattr__(self, "listener_cap", int(cap))

    @property
    def pool_per_listener(self) -> float:
        """USD a month one paying listener adds to the pool: ``fee / (1 + vat) × ratio``."""
        return self.fee / (1.0 + self.vat) * self.payout_ratio

    def _scaled(self, threshold: int) -> int:
        return max(1, math.ceil(threshold / self.scale - 1e-9))

    @property
    def pro_streams(self) -> int:
        """Streams a month that make an artist professional, as used (scaled)."""
        return self._scaled(PRO_STREAMS)

    @property
    def pro_listeners(self) -> int:
        """Unique listeners a month that make an artist professional, as used (scaled)."""
        return self._scaled(PRO_LISTENERS)

    @property
    def track_floor(self) -> int:
        """Streams in the look-back window a track needs to earn, as used (scaled)."""
        return self._scaled(TRACK_FLOOR)

    def meta(self) -> dict[str, object]:
        """The parameters as used, with their sources, for headers and ``--with-meta``."""
        return {
            "currency": "USD",
            "level": "rights holders (the pool is what the service pays out to rights holders)",
            "fee": self.fee,
            "payout_ratio": self.payout_ratio,
            "vat": self.vat,
            "pool_per_listener_month": self.pool_per_listener,
            "min_seconds": self.min_seconds,
            "scale": self.scale,
            "artist_centric": {
                "professional_streams_a_month": self.pro_streams,
                "professional_listeners_a_month": self.pro_listeners,
                "listener_cap_a_month": self.listener_cap,
            },
            "threshold": {"track_streams": self.track_floor, "window_months": WINDOW_MONTHS},
            "sources": {
                "fee": SOURCES["fee"],
                "payout_ratio": SOURCES["payout_ratio"],
                "vat": SOURCES["vat"],
                "min_seconds": SOURCES["min_seconds"],
                **{f"model {m}": MODEL_SOURCES[m] for m in MODELS},
            },
        }
