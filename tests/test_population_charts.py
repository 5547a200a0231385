"""The population charts: bars per band and model, Lorenz curves with Gini, and the CLI kinds."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import pytest

import royalty
from cli_run import run
from population_helpers import dataset, random_plays
from royalty.errors import UsageError


@pytest.fixture(autouse=True)
def _close_figures() -> Iterator[None]:
    yield
    plt.close("all")


@pytest.fixture(scope="module")
def pop(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("charts") / "pop"
    # 1,500 artists: four rank bands (1–10 … 1,001–10,000)
    dataset(random_plays(listeners=1500, plays=30_000, artists=1500, seed=5), path, buckets=3)
    return path


@pytest.fixture(scope="module")
def result(pop: Path) -> Any:
    params = royalty.PopulationParams(scale=50)
    return royalty.compare_population(pop, params=params, scheduler="in-process")


def texts_overlap(ax: Any) -> list[tuple[str, str]]:
    """Pairs of visible, non-empty texts (ticks, labels, legend, title) whose boxes overlap."""
    fig = ax.figure
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    items = [*ax.get_xticklabels(), *ax.get_yticklabels(), ax.title, ax.xaxis.label,
             ax.yaxis.label]  # fmt: skip
    legend = ax.get_legend()
    if legend is not None:
        items += legend.get_texts()
    boxes = [(t.get_text(), t.get_window_extent(renderer)) for t in items
             if t.get_visible() and t.get_text()]  # fmt: skip
    return [
        (a, b)
        for i, (a, box_a) in enumerate(boxes)
        for b, box_b in boxes[i + 1 :]
        if box_a.overlaps(box_b)
    ]


def test_bands_chart_has_one_bar_per_band_and_model_with_change_labels(result: Any) -> None:
    ax = royalty.plot_population_bands(result)
    table = royalty.population_bands(result)
    assert len(table) == 4
    assert len(ax.containers) == 4  # one per model
    assert all(len(c) == 4 for c in ax.containers)
    assert [t.get_text() for t in ax.get_xticklabels()] == [f"ranks {b}" for b in table["band"]]
    heights = [bar.get_height() for bar in ax.containers[1]]
    assert heights == pytest.approx((table["user_centric_share"] * 100).tolist())
    labels = [t.get_text() for t in ax.texts if t.get_text().endswith("%")]
    change = table.loc[0, "user_centric_change"]
    assert f"{change:+.1f}%" in labels
    assert [t.get_text() for t in ax.get_legend().get_texts()] == list(result.models)
    assert "Share of all payouts (%)" in ax.get_ylabel()
    assert not texts_overlap(ax)


def test_lorenz_chart_has_one_curve_per_model_and_gini_in_the_legend(result: Any) -> None:
    ax = royalty.plot_population_lorenz(result)
    assert len(ax.lines) == 1 + len(result.models)  # the line of equality, then the models
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    ginis = royalty.population_concentration(result).set_index("model")["gini"]
    for model in result.models:
        assert f"{model} (Gini {ginis[model]:.3f})" in legend
    for line in ax.lines[1:]:
        x, y = line.get_data()
        assert x[0] == 0 and y[0] == 0 and x[-1] == 100 and y[-1] == pytest.approx(100)
    assert not texts_overlap(ax)


def test_draws_into_a_given_axes(result: Any) -> None:
    _fig, (left, right) = plt.subplots(1, 2)
    assert royalty.plot_population_bands(result, ax=left) is left
    assert royalty.plot_population_lorenz(result, ax=right) is right


@pytest.mark.parametrize("kind", ["population-bands", "population-lorenz"])
def test_chart_command_writes_the_population_charts(pop: Path, tmp_path: Path, kind: str) -> None:
    target = tmp_path / f"{kind}.png"
    code, out, err = run("chart", kind, "--population", str(pop), "--scale", "50",
                         "--scheduler", "in-process", "-o", str(target))  # fmt: skip
    assert code == 0, err
    assert out.strip() == str(target.resolve())
    assert target.stat().st_size > 10_000


def test_population_charts_need_a_population(tmp_path: Path) -> None:
    code, out, err = run("chart", "population-lorenz", "-o", str(tmp_path / "x.png"))
    assert code == 1 and out == "" and err.startswith("Error: ") and "--population" in err
    code, out, err = run("chart", "timeline", "--population", str(tmp_path))
    assert code == 1 and out == "" and "--population only applies" in err
    with pytest.raises(UsageError):
        royalty.PopulationParams(scale=-1)
