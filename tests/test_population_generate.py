"""The synthetic population: reproducible, and shaped like real listening data."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from royalty.cli import app
from royalty.errors import UsageError
from royalty.population.dataset import read_bucket, read_table
from royalty.population.generate import GeneratorParams, artist_genres, generate_population
from royalty.population.ids import bucket_of

PARAMS = GeneratorParams(listeners=2_000, listens=200_000, seed=11, buckets=3)


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> tuple[object, pd.DataFrame]:
    info = generate_population(PARAMS, tmp_path_factory.mktemp("gen") / "pop")
    plays = pd.concat([read_bucket(p) for p in info.bucket_paths], ignore_index=True)
    return info, plays


def test_counts_ids_buckets_and_order(generated: tuple[object, pd.DataFrame]) -> None:
    info, plays = generated
    assert (info.plays, info.listeners, info.buckets) == (200_000, 2_000, 3)  # type: ignore[attr-defined]
    assert len(plays) == 200_000 and plays["user_id"].nunique() == 2_000  # everyone plays
    users = read_table(info.users_path)  # type: ignore[attr-defined]
    assert users["user_id"].tolist() == list(range(2_000))
    assert (users["bucket"] == bucket_of(users["user"].tolist(), 3)).all()
    for index, path in enumerate(info.bucket_paths):  # type: ignore[attr-defined]
        frame = read_bucket(path, columns=["user_id", "played_at", "user"])
        assert (users.set_index("user_id").loc[frame["user_id"], "bucket"] == index).all()
        key = frame["user_id"].astype("int64") * 10**13 + frame["played_at"].astype("int64")
        assert key.is_monotonic_increasing
    artists = read_table(info.artists_path).set_index("artist_id")["artist"]  # type: ignore[attr-defined]
    sample = plays.sample(2_000, random_state=0)
    assert (sample["artist_id"].map(artists) == sample["artist"].astype(str)).all()
    tracks = read_table(info.tracks_path).set_index("track_id")  # type: ignore[attr-defined]
    assert (sample["track_id"].map(tracks["track"]) == sample["track"].astype(str)).all()
    assert (sample["track_id"].map(tracks["artist_id"]) == sample["artist_id"]).all()


def test_span_is_the_documented_twelve_months(generated: tuple[object, pd.DataFrame]) -> None:
    _, plays = generated
    assert plays["played_at"].min() >= pd.Timestamp("2025-01-01", tz="UTC")
    assert plays["played_at"].max() < pd.Timestamp("2026-01-01", tz="UTC")
    months = plays["played_at"].dt.month.value_counts()
    assert len(months) == 12 and months.min() > 0.06 * len(plays)  # spread over the year


def test_it_says_it_is_synthetic_with_its_parameters(
    generated: tuple[object, pd.DataFrame],
) -> None:
    info, plays = generated
    meta = json.loads((info.path / "population.json").read_text())  # type: ignore[attr-defined]
    assert meta["synthetic"] is True
    assert meta["generator"]["seed"] == 11 and meta["generator"]["activity_sigma"] == 1.3
    assert meta["generator"]["artists"] == PARAMS.artist_count
    assert set(plays["source"].astype(str)) == {"royalty-generate"}


def test_listening_is_heavy_tailed(generated: tuple[object, pd.DataFrame]) -> None:
    _, plays = generated
    per_listener = plays.groupby("user_id").size()
    # A few listeners play 20 times the median: the top 1 % at least 12 x, the busiest far more.
    assert per_listener.quantile(0.99) / per_listener.median() > 12
    assert per_listener.max() / per_listener.median() > 20


def test_artist_popularity_is_zipf_like(generated: tuple[object, pd.DataFrame]) -> None:
    _, plays = generated
    counts = np.sort(plays.groupby("artist_id").size().to_numpy())[::-1][:300]
    slope = np.polyfit(np.log(np.arange(1, len(counts) + 1)), np.log(counts), 1)[0]
    assert -1.4 < slope < -0.6


def test_tastes_cluster_by_genre_and_heavy_listeners_lean_niche(
    generated: tuple[object, pd.DataFrame],
) -> None:
    _, plays = generated
    genre = artist_genres(PARAMS)[plays["artist_id"].to_numpy()]
    frame = pd.DataFrame({"user": plays["user_id"].to_numpy(), "genre": genre})
    top_share = frame.groupby("user")["genre"].agg(lambda g: g.value_counts(normalize=True).iloc[0])
    # Shuffling genres across plays keeps popularity but removes each listener's taste.
    shuffled = frame.assign(genre=np.random.default_rng(0).permutation(genre))
    base = shuffled.groupby("user")["genre"].agg(lambda g: g.value_counts(normalize=True).iloc[0])
    busy = frame.groupby("user").size() >= 20
    assert top_share[busy].mean() > base[busy].mean() + 0.3
    # Heavy listeners play more of the small genres than light ones do.
    size = frame.groupby("user").size()
    heavy, light = size >= size.quantile(0.9), size <= size.quantile(0.5)
    niche = frame.assign(niche=frame["genre"] >= PARAMS.genres // 2).groupby("user")["niche"].mean()
    assert niche[heavy].mean() > niche[light].mean() + 0.1


def test_most_plays_last_beyond_thirty_seconds(generated: tuple[object, pd.DataFrame]) -> None:
    _, plays = generated
    short = (plays["duration_ms"] < 30_000).mean()
    assert 0.06 < short < 0.10
    assert plays["duration_ms"].notna().all() and plays["duration_ms"].min() >= 1_000


def test_same_seed_same_data_other_seed_other_data(tmp_path: Path) -> None:
    small = GeneratorParams(listeners=300, listens=6_000, seed=5)
    a = generate_population(small, tmp_path / "a")
    b = generate_population(small, tmp_path / "b")
    c = generate_population(GeneratorParams(listeners=300, listens=6_000, seed=6), tmp_path / "c")
    frames = [read_bucket(i.bucket_paths[0]) for i in (a, b, c)]
    pd.testing.assert_frame_equal(frames[0], frames[1])
    assert not frames[0]["artist_id"].equals(frames[2]["artist_id"])


def test_bad_parameters_and_existing_dataset(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="at least --listeners"):
        GeneratorParams(listeners=10, listens=5)
    with pytest.raises(UsageError, match="1 or more"):
        GeneratorParams(listeners=0, listens=5)
    generate_population(GeneratorParams(listeners=10, listens=50), tmp_path / "pop")
    with pytest.raises(UsageError, match="--replace"):
        generate_population(GeneratorParams(listeners=10, listens=60), tmp_path / "pop")
    again = generate_population(
        GeneratorParams(listeners=10, listens=60), tmp_path / "pop", replace=True
    )
    assert again.plays == 60


def test_cli_generate_says_synthetic_and_errors_are_one_line(tmp_path: Path) -> None:
    runner = CliRunner()
    out = runner.invoke(
        app, ["population", "generate", "--listeners", "50", "--listens", "500",
              "--to", str(tmp_path / "pop"), "--seed", "2"],
    )  # fmt: skip
    assert out.exit_code == 0, out.output
    assert "synthetic" in out.stdout and "50 listeners" in out.stdout and "500 plays" in out.stdout
    bad = runner.invoke(
        app, ["population", "generate", "--listeners", "50", "--listens", "500",
              "--to", str(tmp_path / "pop")],
    )  # fmt: skip
    assert bad.exit_code == 1
    assert bad.stderr.startswith("Error: ") and len(bad.stderr.splitlines()) == 1
    assert "Traceback" not in bad.output
