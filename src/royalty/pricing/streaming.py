"""The streaming side: what qualifying plays pay, and when they catch up with CDs.

A stream pays ``rate`` dollars to the artist (see :class:`CompareParams`), so an
artist's streaming payout is linear in their qualifying plays. The break-even
is the number of plays at which that payout first reaches the CD income.
"""

from __future__ import annotations

from typing import Final

import numpy as np
import numpy.typing as npt

from royalty.errors import UsageError

REL_TOL: Final = 1e-9
"""Relative tolerance for "streams reach the CD income": floating-point
products such as 2,700 × (1/300) land a hair below 9.00, and should count."""

_MAX_PLAYS: Final = float(2**62)


def breakeven_plays(cd_payout: npt.ArrayLike, rate: float) -> npt.NDArray[np.int64]:
    """The smallest whole ``n`` with ``n × rate ≥ cd_payout`` (relative tolerance 1e-9).

    ``n × rate`` counts as reaching ``cd`` when ``n × rate ≥ cd × (1 − 1e-9)``,
    which is :func:`math.isclose`'s test with ``rel_tol=1e-9`` for values below
    ``cd``. A ``cd_payout`` of 0 gives 0.

    Raises:
        UsageError: the rate is so small that the break-even would not fit in
            a 64-bit count.

    Example:
        >>> breakeven_plays([9.0, 0.0, 1.5], 1 / 300).tolist()
        [2700, 0, 450]
    """
    cd = np.asarray(cd_payout, dtype=np.float64)
    target = cd * (1.0 - REL_TOL)
    n = np.ceil(target / rate)
    if n.size and not np.all(n < _MAX_PLAYS):
        raise UsageError(
            f"rate {rate} is too small: streams would need more than 2**62 plays "
            "to match the CD income; use a larger rate"
        )
    n = np.maximum(n, 0.0)
    # The division can be off by one in the last bit either way: step once.
    n = np.where((n > 0) & ((n - 1.0) * rate >= target), n - 1.0, n)
    n = np.where(n * rate < target, n + 1.0, n)
    return n.astype(np.int64)


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
