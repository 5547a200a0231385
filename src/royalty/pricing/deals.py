"""Deals: what share of master money reaches the artist, and what a CD pays them.

Service rates are paid to rights holders of the recording (see
:mod:`royalty.pricing.rates`). A deal turns that into the artist's money, on
the master side only: publishing money goes to the songwriter in full (a
songwriter's publishing deal is not modelled). The CD side stands at the same
level: each deal names the figure series (``figures.toml``) that gives what
the artist nets per CD album, without mechanical royalties. Figures and
sources: docs/pricing-sources.md.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

MECHANICAL_TRACKS_PER_CD: Final = 10
"""Tracks whose mechanical royalties a CD's receipts pay out: record contracts'
controlled-composition clauses commonly cap an album's mechanicals at 10
tracks (Passman, *All You Need to Know About the Music Business*). The master
side of a CD is its receipts less these mechanicals."""

INDIE_DISTRIBUTION_FEE: Final = 0.15
"""The distributor's fee under an indie deal (songpact: 0.425 after a 15% fee)."""


@dataclass(frozen=True)
class Deal:
    """The artist's side of one kind of deal.

    Attributes:
        name: ``major``, ``indie``, ``diy`` or ``none``.
        share: the artist's share of master money from streams and downloads.
        low: the lowest published share.
        high: the highest published share.
        share_source: where the share comes from.
        cd_series: the figures.toml series of the CD figure for this deal.
        cd_share: the share of that series the artist nets (indie: half the profit).
        cd_less_mechanicals: True when the series includes mechanical royalties,
            which the master side leaves out.
        cd_source: how the CD figure is made.
    """

    name: str
    share: float
    low: float
    high: float
    share_source: str
    cd_series: str
    cd_share: float
    cd_less_mechanicals: bool
    cd_source: str


DEALS: Final[dict[str, Deal]] = {
    "major": Deal(
        "major",
        0.18,
        0.13,
        0.25,
        "major-label artist royalty 18% of master receipts (Manatt 2016: 18.4¢ of each "
        "streaming dollar; Berklee Online 13–16%; songpact 20–25%)",
        "cd_artist_major",
        1.0,
        False,
        "major-label artist royalty per CD (Goldberg via Google Answers 309632, 2004)",
    ),
    "indie": Deal(
        "indie",
        0.50 * (1 - INDIE_DISTRIBUTION_FEE),
        0.50 * (1 - INDIE_DISTRIBUTION_FEE),
        0.50,
        "indie 50/50 of net: half of master receipts after a 15% distribution fee, 0.425 "
        "(Brabec via taxi.com, 2008; songpact); 0.50 with no fee",
        "cd_profit_indie",
        0.50,
        True,
        "half of the profit per CD less mechanicals (Google Answers 309632, 2004; Brabec via "
        "taxi.com, 2008)",
    ),
    "diy": Deal(
        "diy",
        1.00,
        0.85,
        1.00,
        "DIY distributor passes on 100% (DistroKid, for a yearly fee; others 85–95%)",
        "cd_artist_diy",
        1.0,
        True,
        "self-released net per CD less mechanicals (Information is Beautiful 2010)",
    ),
    "none": Deal(
        "none",
        1.00,
        1.00,
        1.00,
        "no deal: amounts at the rights-holder level, before any artist's contract",
        "cd_label_receipts",
        1.0,
        True,
        "label's receipts per CD less mechanicals (Google Answers 309632, 2004)",
    ),
}
"""The deals ``--deal`` accepts."""
