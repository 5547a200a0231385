"""The engine on Dask: each model equals the pandas reference, every month pays its pool."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

from population_helpers import dataset, random_plays, reference
from royalty.errors import DataFormatError, UsageError
from royalty.population.compare import compare_population
from royalty.population.params import COLUMN, MODELS, PopulationParams

PARAMS = PopulationParams(scale=50, listener_cap=40)  # thresholds that bite at this size


@pytest.fixture(scope="module")
def population(tmp_path_factory: pytest.TempPathFactory) -> tuple[pd.DataFrame, Path]:
    plays = random_plays(listeners=3000, plays=60_000, artists=400, seed=7)
    path = tmp_path_factory.mktemp("pop") / "pop"
    dataset(plays, path, buckets=6)
    return plays, path


@pytest.fixture(scope="session")
def client() -> Iterator[Any]:
    """One LocalCluster of two worker processes for every test that needs one."""
    from distributed import Client, LocalCluster

    with (
        LocalCluster(
            n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
        ) as c,
        Client(c, set_as_default=False) as cl,
    ):
        yield cl


def check_against_reference(result: Any, plays: pd.DataFrame, params: PopulationParams) -> None:
    ref = reference(plays, params)
    got = result.artists.set_index("artist")
    assert sorted(got.index) == sorted(ref.index)
    got = got.loc[ref.index]
    assert got["plays"].tolist() == ref["plays"].tolist()
    assert got["listeners"].tolist() == ref["listeners"].tolist()
    for model in result.models:
        col = COLUMN[model]
        np.testing.assert_allclose(got[col], ref[col], rtol=1e-9, atol=1e-9, err_msg=model)


def test_every_model_equals_the_pandas_reference_on_a_cluster(
    population: tuple[pd.DataFrame, Path], client: Any
) -> None:
    plays, path = population
    result = compare_population(path, MODELS, PARAMS, scheduler=client)
    assert result.models == MODELS
    check_against_reference(result, plays, PARAMS)
    assert result.run is not None and result.run.workers == 2
    assert result.professional_artist_months > 0  # the artist-centric rule did something
    assert (result.artists["threshold"] == 0).any()  # and the floor too


def test_every_month_pays_out_its_pool_exactly(
    population: tuple[pd.DataFrame, Path], client: Any
) -> None:
    _, path = population
    result = compare_population(path, MODELS, PARAMS, scheduler=client)
    pool = result.months["pool"].sum()
    assert pool == pytest.approx(result.months["payers"].sum() * PARAMS.pool_per_listener)
    for column in result.columns:
        assert result.artists[column].sum() == pytest.approx(pool, rel=1e-12), column


def test_in_process_gives_the_same_numbers(
    population: tuple[pd.DataFrame, Path], client: Any
) -> None:
    _, path = population
    on_dask = compare_population(path, MODELS, PARAMS, scheduler=client).artists
    local = compare_population(path, MODELS, PARAMS, scheduler="in-process").artists
    pd.testing.assert_frame_equal(on_dask, local, rtol=1e-12)


def test_a_period_pays_only_its_plays(population: tuple[pd.DataFrame, Path]) -> None:
    plays, path = population
    since, until = datetime(2023, 4, 1, tzinfo=UTC), datetime(2023, 9, 1, tzinfo=UTC)
    params = PopulationParams(scale=50, listener_cap=40)
    result = compare_population(
        path, ("pro-rata", "user-centric"), params, since=since, until=until,
        scheduler="in-process",
    )  # fmt: skip
    inside = plays[(plays["played_at"] >= since) & (plays["played_at"] < until)]
    ref = reference(inside, params)
    got = result.artists.set_index("artist").loc[ref.index]
    np.testing.assert_allclose(got["pro_rata"], ref["pro_rata"], rtol=1e-9)
    np.testing.assert_allclose(got["user_centric"], ref["user_centric"], rtol=1e-9)
    assert result.months["month"].tolist() == [f"2023-0{m}" for m in range(4, 9)]


def test_only_chosen_models_and_pro_rata_always(population: tuple[pd.DataFrame, Path]) -> None:
    _, path = population
    result = compare_population(path, ["threshold"], PARAMS, scheduler="in-process")
    assert result.models == ("pro-rata", "threshold")
    assert list(result.artists.columns) == ["artist", "plays", "listeners", "pro_rata", "threshold"]


def test_bad_input_is_a_royalty_error(tmp_path: Path) -> None:
    with pytest.raises(DataFormatError):
        compare_population(tmp_path, scheduler="in-process")
    with pytest.raises(UsageError, match="payout model"):
        compare_population(tmp_path, ["market"], scheduler="in-process")
    later = datetime(2024, 1, 1, tzinfo=UTC)
    with pytest.raises(UsageError, match="before"):
        compare_population(tmp_path, since=later, until=later, scheduler="in-process")
