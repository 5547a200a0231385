"""When one amount beats another: the tolerance every comparison of money uses.

Floating-point sums such as 2,700 × (1/300) land a hair below 9.00; the
break-even (:mod:`royalty.pricing.money`) and the verdicts treat amounts within
a relative 1e-9 of each other as equal.
"""

from __future__ import annotations

from typing import Final

import numpy as np
import numpy.typing as npt

REL_TOL: Final = 1e-9
"""Relative tolerance for "streams reach the CD income": floating-point
products such as 2,700 × (1/300) land a hair below 9.00, and should count."""

_MAX_PLAYS: Final = float(2**62)


def streams_win(streaming_payout: npt.ArrayLike, cd_payout: npt.ArrayLike) -> npt.NDArray[np.bool_]:
    """Where streams paid more than CDs, beyond the 1e-9 relative tolerance.

    At exactly the break-even (2,700 plays at 1/300 against 9.00 of CDs) the two
    are equal, not a win for streams, even if the float product is a hair above.

    Example:
        >>> streams_win([9.0, 9.0 + 1e-15, 9.01, 0.01], [9.0, 9.0, 9.0, 0.0]).tolist()
        [False, False, True, True]
    """
    s = np.asarray(streaming_payout, dtype=np.float64)
    c = np.asarray(cd_payout, dtype=np.float64)
    return np.asarray(s - c > REL_TOL * np.maximum(np.abs(s), np.abs(c)))
