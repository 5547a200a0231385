"""``royalty population compare DIR``: who wins and who loses under each payout model.

Registered on ``population_app`` by ``cli_population.py``. Parses the
options, calls :func:`royalty.population.compare.compare_population` once
and renders the result; Dask, pandas and pyarrow load only when it runs.
"""

from __future__ import annotations

import os
import sys
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from royalty.cli_common import (
    CompareFormat,
    MinSecondsOpt,
    SinceOpt,
    UntilOpt,
    check_output,
    handle_errors,
    write_output,
)
from royalty.errors import UsageError

if TYPE_CHECKING:
    from matplotlib.axes import Axes

    from royalty.population.compare import PopulationResult


class PopulationModel(StrEnum):
    """Models of ``royalty population compare --model``."""

    pro_rata = "pro-rata"
    user_centric = "user-centric"
    artist_centric = "artist-centric"
    threshold = "threshold"


DirArg = Annotated[
    Path,
    typer.Argument(
        metavar="DIR",
        help="The population dataset (made by `royalty population import` or `generate`).",
        show_default=False,
    ),
]
ModelOpt = Annotated[
    list[PopulationModel] | None,
    typer.Option(
        "--model",
        "-m",
        help="Payout model, repeatable: pro-rata, user-centric, artist-centric, threshold. "
        "Default: all four; pro-rata is always shown, as the baseline of every change.",
        show_default=False,
    ),
]
PopFeeOpt = Annotated[
    float | None,
    typer.Option(
        help="Monthly fee each listener pays, in USD.", show_default="11.99 (Spotify US, 2024)"
    ),
]
PopRatioOpt = Annotated[
    float | None,
    typer.Option(help="Share of the fee, net of VAT, paid to rights holders.", show_default="0.67"),
]
PopVatOpt = Annotated[
    float | None, typer.Option(help="VAT/GST included in the fee (0.15 for 15%).", show_default="0")
]
ScaleOpt = Annotated[
    float,
    typer.Option(
        help="This population is 1/F of the service: divide the artist-centric and threshold "
        "stream and listener thresholds by F (shown as used).",
        metavar="F",
    ),
]
SchedulerOpt = Annotated[
    str | None,
    typer.Option(
        help="Run on this Dask scheduler (tcp://HOST:8786) instead of a local cluster. "
        "Default: $DASK_SCHEDULER_ADDRESS, else a local cluster.",
        show_default=False,
    ),
]
WorkersOpt = Annotated[
    int | None,
    typer.Option(help="Worker processes of the local cluster.", show_default="one per core"),
]


@handle_errors
def compare_command(
    dataset: DirArg,
    model: ModelOpt = None,
    since: SinceOpt = None,
    until: UntilOpt = None,
    fee: PopFeeOpt = None,
    payout_ratio: PopRatioOpt = None,
    vat: PopVatOpt = None,
    min_seconds: MinSecondsOpt = 30.0,
    scale: ScaleOpt = 1.0,
    top: Annotated[int, typer.Option(help="Show this many artists; 0 shows every one.")] = 20,
    format: Annotated[CompareFormat, typer.Option("--format", "-f", help="Output format.")] = (
        CompareFormat.table
    ),
    with_meta: Annotated[
        bool,
        typer.Option(
            help="With --format json: a document with the population, models and sources, "
            "parameters, months, rank bands, concentration and gains around the artists."
        ),
    ] = False,
    output: Annotated[
        Path | None,
        typer.Option("--output", "-o", help="Write to this file instead of the terminal."),
    ] = None,
    scheduler: SchedulerOpt = None,
    workers: WorkersOpt = None,
) -> None:
    """Price a population's streams under each payout model: who gains, who loses.

    Per artist: paid streams, listeners, each model's payout in USD at the
    rights-holder level and its change from pro-rata; then artists by rank
    band under pro-rata with each band's share under each model (the table
    CNM/Deloitte 2021 published), the top-10 and top-1 % shares and the Gini
    coefficient, and how many artists gain and lose. Runs on Dask: a local
    cluster, or --scheduler. A progress bar shows on a terminal.

    Example:

        royalty population compare pop/ --model user-centric --top 10

        royalty population compare pop/ --scale 100 --format json --with-meta -o out.json
    """
    from royalty.population import report

    if top < 0:
        raise UsageError(f"--top must be 0 (every artist) or more, got {top}")
    if with_meta and format is not CompareFormat.json:
        raise UsageError("--with-meta only applies with --format json")
    if workers is not None and (scheduler or os.environ.get("DASK_SCHEDULER_ADDRESS")):
        raise UsageError("--workers sizes a local cluster; a scheduler's workers are its own")
    check_output(output)
    models = [m.value for m in model] if model else None
    result = _compare(dataset, models, since, until, fee, payout_ratio, vat, min_seconds, scale,
                      scheduler, workers)  # fmt: skip
    if format is CompareFormat.json:
        text = report.to_json(result, top, with_meta=with_meta)
    elif format is CompareFormat.csv:
        text = report.to_csv(result, top)
    else:
        text = report.to_text(result, top, markdown=format is CompareFormat.markdown)
    write_output(text, output)


def _compare(
    dataset: Path,
    models: list[str] | None,
    since: str | None,
    until: str | None,
    fee: float | None,
    payout_ratio: float | None,
    vat: float | None,
    min_seconds: float,
    scale: float,
    scheduler: str | None,
    workers: int | None,
) -> PopulationResult:
    """Parameters from the options, then one call of ``compare_population``."""
    from royalty.history import parse_date
    from royalty.population.compare import compare_population
    from royalty.population.params import PopulationParams
    from royalty.pricing.defaults import DEFAULT_FEE, DEFAULT_PAYOUT_RATIO, DEFAULT_VAT

    params = PopulationParams(
        fee=DEFAULT_FEE if fee is None else fee,
        payout_ratio=DEFAULT_PAYOUT_RATIO if payout_ratio is None else payout_ratio,
        vat=DEFAULT_VAT if vat is None else vat,
        min_seconds=min_seconds,
        scale=scale,
    )
    return compare_population(
        dataset,
        models,
        params,
        since=None if since is None else parse_date(since),
        until=None if until is None else parse_date(until, end=True),
        scheduler=scheduler,
        workers=workers,
        progress=sys.stderr.isatty(),
    )


def population_chart(
    kind: str,
    dataset: Path | None,
    *,
    fee: float | None,
    payout_ratio: float | None,
    vat: float | None,
    min_seconds: float,
    scale: float,
    since: str | None,
    until: str | None,
    scheduler: str | None,
) -> Axes:
    """``royalty chart population-bands|population-lorenz --population DIR``: price, then draw."""
    if not kind.startswith("population-"):
        raise UsageError(f"--population only applies to the population charts, not {kind}")
    if dataset is None:
        raise UsageError(f"the {kind} chart needs --population DIR (a population dataset)")
    import matplotlib

    matplotlib.use("Agg")  # files only: never open a window
    from royalty.charts.population import plot_population_bands, plot_population_lorenz

    result = _compare(dataset, None, since, until, fee, payout_ratio, vat, min_seconds, scale,
                      scheduler, None)  # fmt: skip
    if kind == "population-bands":
        return plot_population_bands(result)
    return plot_population_lorenz(result)
