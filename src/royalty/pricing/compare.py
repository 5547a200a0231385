"""The foundation's names for pricing: :func:`compare` and :func:`totals`.

:func:`compare` is a thin alias of :func:`royalty.pricing.price` for the
foundation's flat figures (:class:`CompareParams`: a rate per stream and a
margin per CD, both reaching the artist and used in every year as given).
It keeps the README's first example short. :func:`totals` adds up any
:func:`~royalty.pricing.price` result.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

import numpy as np
import pandas as pd

from royalty.errors import DataFormatError
from royalty.pricing.params import DEFAULT_PARAMS, CompareParams
from royalty.pricing.price import RESULT_COLUMNS, price
from royalty.pricing.scenario import Scenario

VERDICTS = ("streams", "cds", "depends", "no-cd")
"""The verdicts of :func:`~royalty.pricing.price`, in the order the summary names them."""


def compare(plays: pd.DataFrame, params: CompareParams = DEFAULT_PARAMS) -> pd.DataFrame:
    """Price ``plays`` at flat artist-level figures: ``price`` with ``params``.

    Example:
        >>> from royalty import load_sample
        >>> table = compare(load_sample(), CompareParams(rate=1 / 300))
        >>> round(float(table.set_index("artist").loc["Radiohead", "streaming_payout"]), 2)
        9.33
    """
    return price(plays, foundation(params))


def foundation(params: CompareParams) -> Scenario:
    """The scenario of the foundation's flat figures."""
    return Scenario(
        rate=params.rate,
        cd_margin=params.cd_margin,
        min_album_plays=params.min_album_plays,
        min_seconds=params.min_seconds,
    )


@dataclass(frozen=True)
class Totals:
    """Sums over the rows of a :func:`~royalty.pricing.price` result.

    Attributes:
        artists: number of rows (artists).
        plays: every play of those artists.
        streams: their paid streams.
        albums: CDs bought.
        streaming_payout: sum of the streaming payouts (``_low``, ``_high``).
        cd_payout: sum of the CD payouts (``_low``, ``_high``).
        difference: sum of the differences.
        verdicts: artists per verdict (``streams``, ``cds``, ``depends``, ``no-cd``).
    """

    artists: int
    plays: int
    streams: int
    albums: int
    streaming_payout: float
    streaming_payout_low: float
    streaming_payout_high: float
    cd_payout: float
    cd_payout_low: float
    cd_payout_high: float
    difference: float
    verdicts: dict[str, int] = field(default_factory=dict)

    def to_dict(self) -> dict[str, object]:
        """The totals as a plain dict, ready for JSON."""
        return asdict(self)


def totals(result: pd.DataFrame) -> Totals:
    """Add up the rows of a :func:`~royalty.pricing.price` result (all, or a top slice).

    Raises:
        DataFormatError: ``result`` lacks one of the price columns.

    Example:
        >>> from royalty import load_sample
        >>> totals(price(load_sample()).head(20)).artists
        20
    """
    missing = [c for c in RESULT_COLUMNS if c not in result.columns]
    if missing:
        raise DataFormatError(f"not a price result: missing column(s) {', '.join(missing)}")

    def add(column: str) -> float:
        return float(result[column].to_numpy(dtype=np.float64).sum())

    counts = result["verdict"].value_counts()
    return Totals(
        artists=len(result),
        plays=int(result["plays"].sum()),
        streams=int(result["streams"].sum()),
        albums=int(result["albums"].sum()),
        streaming_payout=add("streaming_payout"),
        streaming_payout_low=add("streaming_payout_low"),
        streaming_payout_high=add("streaming_payout_high"),
        cd_payout=add("cd_payout"),
        cd_payout_low=add("cd_payout_low"),
        cd_payout_high=add("cd_payout_high"),
        difference=add("difference"),
        verdicts={v: int(counts.get(v, 0)) for v in VERDICTS},
    )
