"""Price a history under a :class:`Scenario`: the foundation columns and more.

:func:`price` starts from the foundation's :func:`~royalty.pricing.compare`
(plays, CDs, break-even, crossover) at the scenario's level, then adds what
the scenario asks for: the user-centric model, downloads, a projection, and
a currency. With a default scenario it returns exactly what ``compare`` does.
"""

from __future__ import annotations

from typing import Final

import numpy as np
import pandas as pd

from royalty.errors import DataFormatError, UsageError
from royalty.pricing import _columns
from royalty.pricing.cd import albums_bought
from royalty.pricing.compare import RESULT_COLUMNS, Prepared, prepare, priced, sort_result, utc
from royalty.pricing.crossover import nth_play_ticks
from royalty.pricing.projection import project, projected_crossover
from royalty.pricing.scenario import STORE_CUT, Scenario
from royalty.pricing.user_centric import breakeven_at, user_centric_split

MONEY_COLUMNS: Final = (
    "streaming_payout",
    "cd_payout",
    "difference",
    "pro_rata_payout",
    "user_centric_payout",
    "download_payout",
    "projected_streaming_payout",
)
"""Columns holding money (in the scenario's currency)."""


def result_columns(scenario: Scenario) -> tuple[str, ...]:
    """The columns :func:`price` returns for ``scenario``, in order.

    Example:
        >>> from royalty.pricing import make_scenario
        >>> result_columns(make_scenario(deal="major", model="user-centric"))[-2:]
        ('pro_rata_payout', 'user_centric_payout')
    """
    extra: list[str] = []
    if scenario.model == "user-centric":
        extra += ["pro_rata_payout", "user_centric_payout"]
    if scenario.downloads:
        extra.append("download_payout")
    if scenario.project_to is not None:
        extra += ["projected_plays", "projected_streaming_payout", "projected_crossover_date"]
    return (*RESULT_COLUMNS, *extra)


def price(plays: pd.DataFrame, scenario: Scenario | None = None) -> pd.DataFrame:
    """Price each artist's plays under ``scenario`` (its level and currency).

    The foundation columns keep their meaning, at the scenario's level: with
    ``model="user-centric"``, ``streaming_payout`` is the user-centric payout,
    and ``breakeven_plays`` and ``crossover_date`` use the artist's average
    user-centric rate per stream. Columns the scenario adds:

    - ``pro_rata_payout``, ``user_centric_payout`` (user-centric model): see
      :mod:`royalty.pricing.user_centric`;
    - ``download_payout`` (downloads): tracks played at least
      ``min_track_plays`` times × ``track_price`` × the label's 70 % × share;
      plays with no track title count together as one track;
    - ``projected_plays`` (float), ``projected_streaming_payout`` and
      ``projected_crossover_date`` (projection): see
      :mod:`royalty.pricing.projection`.

    Money is multiplied by ``scenario.fx`` when a currency rate is given.

    Args:
        plays: plays in the schema of :mod:`royalty.schema` (``track`` is
            needed only for downloads).
        scenario: what to price; default the foundation's parameters.

    Raises:
        DataFormatError: a needed column is missing.
        UsageError: the projection date is not after the last play.

    Example:
        >>> from royalty import load_sample
        >>> from royalty.pricing import make_scenario
        >>> s = make_scenario(service="spotify", deal="major", model="user-centric")
        >>> table = price(load_sample(), s)
        >>> bool((table["user_centric_payout"] > table["pro_rata_payout"]).iloc[0])
        True
    """
    scenario = scenario or Scenario()
    base = prepare(plays, scenario.params.min_seconds)
    out, played = priced(base, scenario.params, crossover=scenario.model == "pro-rata")
    n_artists = len(base.names)
    plays_per = np.bincount(base.artist, minlength=n_artists).astype(np.int64)
    if scenario.model == "user-centric":
        _add_user_centric(out, base, played, plays_per, scenario)
    if scenario.downloads:
        out["download_payout"] = _download_payouts(plays, base, scenario)[played]
    if scenario.project_to is not None:
        _add_projection(out, base, played, scenario)
    if scenario.fx is not None:
        for column in MONEY_COLUMNS:
            if column in out.columns:
                out[column] = out[column] * scenario.fx
    return sort_result(out.loc[:, list(result_columns(scenario))])


def _add_user_centric(
    out: pd.DataFrame,
    base: Prepared,
    played: np.ndarray,
    plays_per: np.ndarray,
    scenario: Scenario,
) -> None:
    assert scenario.share is not None  # Scenario checks this for the user-centric model
    split = user_centric_split(
        base.artist, base.ticks, base.unit, len(base.names), scenario.pool * scenario.share
    )
    uc = split.payout[played]
    cd = out["cd_payout"].to_numpy(dtype=np.float64)
    nth = np.zeros(len(base.names), dtype=np.int64)
    nth[played] = breakeven_at(cd, uc / plays_per[played])
    crossover = nth_play_ticks(base.artist, base.ticks, nth, plays_per)
    out["pro_rata_payout"] = out["streaming_payout"]
    out["user_centric_payout"] = uc
    out["streaming_payout"] = uc
    out["difference"] = uc - cd
    out["breakeven_plays"] = nth[played]
    out["crossover_date"] = utc(crossover[played], base.unit)


def _download_payouts(plays: pd.DataFrame, base: Prepared, scenario: Scenario) -> np.ndarray:
    """Per artist code: tracks bought × price × the label's 70 % × share."""
    assert scenario.share is not None  # Scenario checks this when downloads are on
    if "track" not in plays.columns:
        raise DataFormatError(
            "pricing downloads needs the plays' track column; load it with the others"
        )
    tracks = _columns.codes(plays["track"])
    track_codes = tracks.codes if base.keep is None else tracks.codes[base.keep]
    bought = albums_bought(
        base.artist, track_codes, len(base.names), len(tracks.names), scenario.min_track_plays
    )
    return bought * (scenario.track_price * (1.0 - STORE_CUT) * scenario.share)


def _add_projection(
    out: pd.DataFrame, base: Prepared, played: np.ndarray, scenario: Scenario
) -> None:
    assert scenario.project_to is not None
    horizon = pd.Timestamp(scenario.project_to).tz_convert("UTC")
    stamp = np.array([horizon.tz_convert(None).to_datetime64()])
    tick = int(stamp.astype(f"datetime64[{base.unit}]").view(np.int64)[0])
    forward = project(base.artist, base.ticks, base.unit, len(base.names), tick)
    if len(base.ticks) and tick <= forward.as_of:
        last = utc(np.array([forward.as_of], dtype=np.int64), base.unit).iloc[0]
        raise UsageError(
            f"the projection date {horizon.isoformat()} must be after the last play "
            f"({last.isoformat()})"
        )
    plays = out["plays"].to_numpy()
    per_stream = out["streaming_payout"].to_numpy(dtype=np.float64) / plays
    projected = forward.plays[played]
    crossover = out["crossover_date"].dt.tz_convert(None).to_numpy()
    ticks = crossover.astype(f"datetime64[{base.unit}]").view(np.int64)
    when = projected_crossover(
        plays,
        out["breakeven_plays"].to_numpy(),
        ticks,
        forward.pace[played],
        forward.as_of,
        base.unit,
    )
    out["projected_plays"] = projected
    out["projected_streaming_payout"] = projected * per_stream
    out["projected_crossover_date"] = utc(when, base.unit)


def monthly_rates(plays: pd.DataFrame, scenario: Scenario) -> pd.DataFrame:
    """The user-centric month by month: the money split and the implied rate per stream.

    Args:
        plays: plays in the schema of :mod:`royalty.schema`.
        scenario: a scenario with an artist share (a deal, a share or a
            service); its fee, payout ratio and VAT set the monthly pool.

    Returns:
        One row per UTC calendar month with at least one qualifying play:
        ``month`` (datetime, UTC, the first instant of the month), ``plays``
        (qualifying plays), ``payout`` (``F / (1 + V) × R × share``, in the
        scenario's currency) and ``rate`` (payout per play).

    Raises:
        UsageError: the scenario has no artist share (a bare artist-level rate).

    Example:
        >>> from royalty import load_sample
        >>> from royalty.pricing import make_scenario
        >>> months = monthly_rates(load_sample(), make_scenario(deal="none"))
        >>> round(float(months["payout"].iloc[0]), 4)  # 11.99 × 0.67
        8.0333
    """
    if scenario.share is None:
        raise UsageError(
            "the user-centric split starts from rights-holder money: choose a deal, "
            "a share or a service"
        )
    base = prepare(plays, scenario.params.min_seconds)
    split = user_centric_split(
        base.artist, base.ticks, base.unit, len(base.names), scenario.pool * scenario.share
    )
    per_month = split.plays
    used = per_month > 0
    payout = scenario.pool * scenario.share * scenario.factor
    starts = split.starts[used].astype("datetime64[s]")
    return pd.DataFrame(
        {
            "month": pd.Series(starts).dt.tz_localize("UTC"),
            "plays": per_month[used],
            "payout": np.full(int(used.sum()), payout),
            "rate": payout / per_month[used],
        }
    )
