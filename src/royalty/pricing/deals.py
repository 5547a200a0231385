"""Deals: what share of a rights-holder payout reaches the artist, and per CD.

Service rates are paid to rights holders (see :mod:`royalty.pricing.rates`).
A deal turns that into the artist's money. The CD side must be at the same
level, so each deal also names what the artist nets per CD album sold; at the
rights-holder level (``none``) the CD side is the label's receipts per CD.
Figures and sources: PRICING-FACTS.md.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

RETAIL_CD_PRICE: Final = 16.98
"""USD retail price of a CD album (Google Answers 309632, a 2004 breakdown)."""

RETAILER_CUT_PER_CD: Final = 6.23
"""USD the retailer keeps of that price (Google Answers 309632, 2004)."""

LABEL_RECEIPTS_PER_CD: Final = RETAIL_CD_PRICE - RETAILER_CUT_PER_CD
"""USD the label (with its distributor) receives per CD sold: 16.98 retail less
the retailer's 6.23 = 10.75 (Google Answers 309632, 2004). This is the CD side
at the rights-holder level, the counterpart of a service's per-stream rate."""

LABEL_RECEIPTS_SOURCE: Final = (
    "label receipts per CD: $16.98 retail less the retailer's $6.23 "
    "(Google Answers 309632, 2004 breakdown)"
)

INDIE_CD_NET: Final = 0.50 * (0.59 + 1.99)
"""USD an artist on a 50/50 net-profit indie deal nets per CD: half of the
profit per CD before the artist's share. Under such deals profit is gross
receipts less expenses, and includes the mechanicals (Brabec, "Net Profit
Deals/Indie Labels", taxi.com 2008); the profit per CD is the label's $0.59
plus the artist's and songwriter's $1.99 in Google Answers 309632's 2004
breakdown, so 0.50 × 2.58 = $1.29. A net-profit split pays only after costs,
so per CD it comes close to a major-label royalty."""


@dataclass(frozen=True)
class Deal:
    """The artist's side of one kind of deal.

    Attributes:
        name: ``major``, ``indie``, ``diy`` or ``none``.
        share: the artist's share of a rights-holder payout (streams, downloads).
        share_source: where ``share`` comes from.
        cd_net: USD per CD album sold, at the same level as ``share``.
        cd_source: where ``cd_net`` comes from.
    """

    name: str
    share: float
    share_source: str
    cd_net: float
    cd_source: str


DEALS: Final[dict[str, Deal]] = {
    "major": Deal(
        "major",
        0.18,
        "major-label artist royalty 18% of receipts (Manatt 2016: 18.4¢ of each streaming "
        "dollar; Berklee Online 13–16%; songpact 20–25%)",
        1.40,
        "major-label artist net per CD $1.40 (Goldberg via Google Answers 309632: 14 points "
        "after packaging and free-goods deductions; Information is Beautiful 2010)",
    ),
    "indie": Deal(
        "indie",
        0.50,
        "indie 50/50 net-profit deal (Brabec via taxi.com, 2008; songpact: 0.425 after a 15% "
        "distribution fee)",
        INDIE_CD_NET,
        "indie artist net per CD $1.29: half of the $2.58 profit per CD before the artist's "
        "share (Brabec via taxi.com 2008, applied to Google Answers 309632's 2004 breakdown)",
    ),
    "diy": Deal(
        "diy",
        1.00,
        "DIY distributor passes on 100% (DistroKid, for a yearly fee; others 85–95%)",
        8.00,
        "self-released artist net per CD $8.00 (Information is Beautiful 2010: about $8 on a "
        "$9.99 self-pressed CD; the essay's $9–10)",
    ),
    "none": Deal(
        "none",
        1.00,
        "no deal: amounts at the rights-holder level, before any artist's contract",
        LABEL_RECEIPTS_PER_CD,
        LABEL_RECEIPTS_SOURCE,
    ),
}
"""The deals ``--deal`` accepts."""
