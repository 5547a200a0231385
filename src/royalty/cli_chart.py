"""``royalty chart KIND``: draw one of royalty's charts to a PNG, SVG or PDF file.

Registered on the app by ``cli.py``. Parses the options, chooses the history
as every analysis command does, calls one ``royalty.charts.plot_*`` function
and saves the figure. pandas and matplotlib load only when it runs, and
matplotlib draws with Agg (no window is ever opened).
"""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Final

import typer

from royalty.cli_common import (
    ArtistShareOpt,
    CdMarginOpt,
    CurrencyOpt,
    DealOpt,
    DollarsOpt,
    FeeOpt,
    FileOpt,
    FxOpt,
    InputFormatOpt,
    MarketOpt,
    MaxFileSizeOpt,
    MinAlbumPlaysOpt,
    MinSecondsOpt,
    PayoutRatioOpt,
    RateOpt,
    ServiceOpt,
    SideChoice,
    SideOpt,
    SinceOpt,
    SkipBadRowsOpt,
    TzOpt,
    UntilOpt,
    UserOpt,
    VatOpt,
    check_output,
    choose_history,
    configured_rates,
    handle_errors,
)
from royalty.errors import UsageError
from royalty.fileio import os_reason, output_target, write_atomic

if TYPE_CHECKING:
    from matplotlib.axes import Axes

    from royalty.history import History
    from royalty.pricing import Scenario

KINDS: Final[dict[str, str]] = {
    "compare": "streaming beside CD income for the top artists",
    "cumulative": "streaming income adding up over time against each artist's CDs",
    "timeline": "plays per week with a 4-week rolling mean",
    "sensitivity": (
        "share of the artists with a CD, and of their plays, whose streams beat their CDs, by rate"
    ),
    "user-centric": "pro-rata beside user-centric payout for the top artists",
    "population-bands": "a population's rank bands: each band's share under each payout model",
    "population-lorenz": "Lorenz curves of a population's payouts under each model, with Gini",
}
"""The chart kinds this version draws, with what each shows."""


class ChartKind(StrEnum):
    """``KIND``'s choices (the keys of :data:`KINDS`): any other is a usage mistake."""

    compare = "compare"
    cumulative = "cumulative"
    timeline = "timeline"
    sensitivity = "sensitivity"
    user_centric = "user-centric"
    population_bands = "population-bands"
    population_lorenz = "population-lorenz"


DEFAULT_TOP: Final[dict[str, int]] = {"compare": 15, "cumulative": 6, "user-centric": 15}
FORMATS: Final = (".png", ".svg", ".pdf")
_PRICED: Final = ["played_at", "artist", "album", "duration_ms"]
"""Columns a money chart reads; publishing money also needs the track (tracks played)."""
_COLUMNS: Final[dict[str, list[str]]] = {
    "compare": _PRICED,
    "cumulative": _PRICED,
    "timeline": ["played_at"],
    "sensitivity": _PRICED,
    "user-centric": _PRICED,
}


@handle_errors
def chart_command(
    kind: Annotated[
        ChartKind,
        typer.Argument(
            help="Which chart: compare (streams beside CDs for the top artists), cumulative "
            "(streaming income over time against the CDs, with crossover dates), timeline "
            "(plays per week), sensitivity (share of the artists with a CD, and of plays, "
            "whose streams beat their CDs, for rates from 0.0003 to 0.02 USD), user-centric "
            "(pro-rata beside user-centric payout for the top artists), population-bands or "
            "population-lorenz (a population's payouts under each model: needs --population DIR).",
            show_default=False,
        ),
    ],
    user: UserOpt = None,
    file: FileOpt = None,
    input_format: InputFormatOpt = None,
    tz: TzOpt = None,
    skip_bad_rows: SkipBadRowsOpt = False,
    max_file_size: MaxFileSizeOpt = None,
    rate: RateOpt = None,
    service: ServiceOpt = None,
    deal: DealOpt = None,
    artist_share: ArtistShareOpt = None,
    cd_margin: CdMarginOpt = None,
    side: SideOpt = SideChoice.master,
    min_album_plays: MinAlbumPlaysOpt = 10,
    min_seconds: MinSecondsOpt = 30.0,
    fee: FeeOpt = None,
    payout_ratio: PayoutRatioOpt = None,
    vat: VatOpt = None,
    market: MarketOpt = None,
    dollars: DollarsOpt = None,
    currency: CurrencyOpt = None,
    fx: FxOpt = None,
    since: SinceOpt = None,
    until: UntilOpt = None,
    top: Annotated[
        int | None,
        typer.Option(
            help="How many artists to draw, 0 for every one (default 15 for compare and "
            "user-centric, 6 for cumulative). Not for timeline or sensitivity, which draw "
            "every play.",
            show_default=False,
        ),
    ] = None,
    output: Annotated[
        Path | None,
        typer.Option(
            "--output",
            "-o",
            help="Write the chart here; .png, .svg or .pdf sets the format. "
            "Default: royalty-KIND.png in the current folder.",
            show_default=False,
        ),
    ] = None,
    population: Annotated[
        Path | None,
        typer.Option(
            help="population-bands and population-lorenz: the population dataset to price "
            "(as `royalty population compare DIR`, with --fee, --payout-ratio, --vat, "
            "--since, --until).",
            show_default=False,
        ),
    ] = None,
    scale: Annotated[
        float,
        typer.Option(help="Population charts: the dataset is 1/F of the service.", metavar="F"),
    ] = 1.0,
    scheduler: Annotated[
        str | None,
        typer.Option(
            help="Population charts: run on this Dask scheduler (tcp://HOST:8786).",
            show_default=False,
        ),
    ] = None,
) -> None:
    """Draw a chart (compare, cumulative, timeline, sensitivity, user-centric, population-bands,
    population-lorenz) to a file.

    PNG, SVG or PDF. The money charts price as `royalty compare` does, with its
    options: each stream at the figures of its year, each CD at those of the
    year it was bought, every amount in US dollars of one year (--dollars,
    default the year of the last play); by default the essay's figures at the
    artist level. --service, --deal and --artist-share set the level, --side
    the money (master, publishing or both) and --currency/--fx the currency.
    The axis names the dollars, level and side; the footer the sources used
    and the years that borrowed a figure. The sensitivity chart sweeps the
    rate at that level and side. The user-centric chart prices as `royalty
    compare --model user-centric` (--market, --fee, --vat, --payout-ratio);
    without --service, --deal, --artist-share or --rate it prices Spotify at
    the rights-holder level (--deal none). The population charts price a population
    dataset (--population DIR) under every payout model, in USD at the
    rights-holder level. The path of the file written is printed.

    Example:

        royalty chart cumulative --top 8 -o cumulative.svg

        royalty chart compare --service spotify --deal indie --top 0

        royalty chart cumulative --service spotify --deal indie --side both --dollars 2013
    """
    target = _target(kind, output, file)
    if top is not None and kind not in DEFAULT_TOP:
        raise UsageError(f"--top only applies to the {', '.join(DEFAULT_TOP)} charts, not {kind}")
    if top is not None and top < 0:
        raise UsageError(f"--top must be 0 (every artist) or more, got {top}")
    if kind.startswith("population-") or population is not None:
        given = {"--side": side is not SideChoice.master, "--dollars": dollars is not None,
                 "--market": market is not None}  # fmt: skip
        if any(given.values()):
            named = [flag for flag, on in given.items() if on]
            verb = "apply" if len(named) > 1 else "applies"
            raise UsageError(
                f"{', '.join(named)} only {verb} to the money charts of a history, not {kind}"
            )
        from royalty.cli_population_compare import population_chart

        ax = population_chart(kind, population, fee=fee, payout_ratio=payout_ratio, vat=vat,
                              min_seconds=min_seconds, scale=scale, since=since, until=until,
                              scheduler=scheduler)  # fmt: skip
        save(ax, target)
        typer.echo(str(target.resolve()))
        return
    scenario = _scenario(
        kind, rate=rate, service=service, deal=None if deal is None else deal.value,
        artist_share=artist_share, cd_margin=cd_margin, min_album_plays=min_album_plays,
        min_seconds=min_seconds, side=None if side is SideChoice.master else side.value,
        fee=fee, payout_ratio=payout_ratio, vat=vat,
        market=None if market is None else market.value, dollars=dollars,
        currency=currency, fx=fx,
    )  # fmt: skip
    columns = _COLUMNS[kind]
    if kind != "timeline" and scenario.side != "master":
        columns = [*columns, "track"]  # a CD's publishing money counts its tracks played
    history = choose_history(
        user, file, input_format, tz, skip_bad_rows, since, until, columns=columns,
        max_file_size=max_file_size,
    )  # fmt: skip
    ax = draw(kind, history, scenario, _top(kind, top, history))
    save(ax, target)
    typer.echo(str(target.resolve()))


def _top(kind: str, top: int | None, history: History) -> int:
    """Artists to draw: the kind's default, or every artist for ``--top 0``."""
    if top is None:
        return DEFAULT_TOP.get(kind, 1)
    return top or max(1, int(history.plays["artist"].nunique()))


_USER_CENTRIC: Final = ("fee", "payout_ratio", "vat", "market")
"""Options of the user-centric model: only the user-centric chart splits a fee."""
_SCENARIO: Final = ("service", "deal", "artist_share", "side", "dollars", "currency", "fx")
"""Options of the money charts (the timeline counts plays)."""


def _scenario(kind: str, **options: Any) -> Scenario:
    """The pricing scenario, built by ``make_scenario`` as ``royalty compare`` builds it."""
    from royalty.pricing import make_scenario

    _refuse(kind, [k for k in _USER_CENTRIC if options[k] is not None], "user-centric")
    if kind == "timeline":
        _refuse(kind, [k for k in _SCENARIO if options[k] is not None], "money")
    model = "pro-rata"
    if kind == "user-centric":
        model = "user-centric"
        if all(options[k] is None for k in ("rate", "service", "deal", "artist_share")):
            options["deal"] = "none"  # the split starts from rights-holder money: Spotify's
    rates = configured_rates(options["service"], options["deal"], options["artist_share"])
    if options["side"] is None:
        options["side"] = "master"
    return make_scenario(**options, model=model, rates=rates)


def _refuse(kind: str, given: list[str], charts: str) -> None:
    """A one-line error naming the options ``kind`` does not take."""
    if not given or (charts == "user-centric" and kind == "user-centric"):
        return
    flags = ", ".join("--" + k.replace("_", "-") for k in given)
    verb = "apply" if len(given) > 1 else "applies"
    where = "the user-centric chart" if charts == "user-centric" else "charts of money"
    raise UsageError(f"{flags} only {verb} to {where}, not the {kind} chart")


def _target(kind: str, output: Path | None, inputs: list[Path] | None = None) -> Path:
    """The file to write, after checking the kind, the extension and the folder."""
    if kind not in KINDS:
        raise UsageError(f"no chart called {kind!r}; choose one of {', '.join(KINDS)}")
    target = (output or Path(f"royalty-{kind}.png")).expanduser()
    check_output(target, inputs)  # first: `-o /tmp` is a folder, whatever its name ends in
    if target.suffix.lower() not in FORMATS:
        raise UsageError(
            f"cannot tell the format of {str(target)!r}: end the --output name "
            f"in {', '.join(FORMATS)}"
        )
    return target


def draw(kind: str, history: History, scenario: Scenario, top: int) -> Axes:
    """Draw one chart kind of a history with Agg; returns the Axes (not saved).

    Every money chart prices the plays with ``scenario`` as ``royalty
    compare`` does (:func:`royalty.pricing.price_details`); the sensitivity
    chart sweeps rates at the scenario's level and side against its CD side,
    and marks every service of the built-in rates table.
    """
    import matplotlib

    matplotlib.use("Agg")  # files only: never open a window, whatever the environment says
    from royalty import charts

    plays, who = history.plays, history.label
    if kind == "timeline":
        return charts.plot_timeline(plays, who=who)
    if kind == "user-centric":
        return charts.plot_user_centric(plays, scenario, top=top, who=who)
    if kind == "sensitivity":
        from royalty.pricing import builtin_rates

        services = scenario.rates if scenario.rates is not None else builtin_rates()
        return charts.plot_sensitivity(plays, scenario, services=services, who=who)
    if kind == "cumulative":
        return charts.plot_cumulative(plays, scenario, top=top, who=who)
    return charts.plot_compare(plays, scenario, top=top, who=who)


def save(ax: Axes, target: Path) -> None:
    """Save the figure of ``ax`` to ``target`` atomically, then close it.

    ``target`` is checked as ``--output`` is (a symbolic link is written
    through, a folder or a device refused).
    """
    import matplotlib.pyplot as plt
    from matplotlib.figure import Figure

    from royalty.charts._style import SAVE_DPI

    fig = ax.figure
    while not isinstance(fig, Figure):  # a subfigure: save the whole figure
        fig = fig.figure
    try:
        real = output_target(target)
        write_atomic(
            real, lambda fh: fig.savefig(fh, format=target.suffix.lower()[1:], dpi=SAVE_DPI)
        )
    except OSError as exc:
        raise UsageError(f"cannot write {target}: {os_reason(exc)}") from None
    finally:
        plt.close(fig)
