"""``royalty chart KIND``: draw one of royalty's charts to a PNG, SVG or PDF file.

Registered on the app by ``cli.py``. Parses the options, chooses the history
as every analysis command does, calls one ``royalty.charts.plot_*`` function
and saves the figure. pandas and matplotlib load only when it runs, and
matplotlib draws with Agg (no window is ever opened).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Final

import typer

from royalty.errors import UsageError

if TYPE_CHECKING:
    from matplotlib.axes import Axes

    from royalty.history import History
    from royalty.pricing import Scenario

KINDS: Final[dict[str, str]] = {
    "compare": "streaming beside CD income for the top artists",
    "cumulative": "streaming income adding up over time against each artist's CDs",
    "timeline": "plays per week with a 4-week rolling mean",
    "sensitivity": "share of artists and plays whose streams beat their CDs, by rate",
    "user-centric": "pro-rata beside user-centric payout for the top artists",
}
"""The chart kinds this version draws, with what each shows."""

DEFAULT_TOP: Final[dict[str, int]] = {"compare": 15, "cumulative": 6, "user-centric": 15}
FORMATS: Final = (".png", ".svg", ".pdf")
_COLUMNS: Final[dict[str, list[str]]] = {
    "compare": ["played_at", "artist", "album", "duration_ms"],
    "cumulative": ["played_at", "artist", "album", "duration_ms"],
    "timeline": ["played_at"],
    "sensitivity": ["played_at", "artist", "album", "duration_ms"],
    "user-centric": ["played_at", "artist", "album", "duration_ms"],
}


def chart_command(
    kind: Annotated[
        str,
        typer.Argument(
            help="Which chart: compare (streams beside CDs for the top artists), cumulative "
            "(streaming income over time against the CDs, with crossover dates), timeline "
            "(plays per week), sensitivity (share of artists and plays whose streams beat "
            "their CDs, for rates from 0.0003 to 0.02 USD) or user-centric (pro-rata beside "
            "user-centric payout for the top artists).",
            show_default=False,
        ),
    ],
    user: Annotated[
        str | None,
        typer.Option(
            "--user",
            "-u",
            help="Whose history to use. Default: the user imported most recently, "
            "or the bundled sample when nothing has been imported.",
            show_default=False,
        ),
    ] = None,
    file: Annotated[
        list[Path] | None,
        typer.Option(
            "--file",
            help="Use this listening-history file, zip or folder instead of the store "
            "(repeat for several). Nothing is imported.",
            show_default=False,
        ),
    ] = None,
    input_format: Annotated[
        str | None,
        typer.Option(
            help="With --file: the files' format, instead of recognising it.", show_default=False
        ),
    ] = None,
    tz: Annotated[
        str | None,
        typer.Option(
            help="With --file: the time zone of local times, e.g. Pacific/Auckland.",
            show_default=False,
        ),
    ] = None,
    skip_bad_rows: Annotated[
        bool, typer.Option(help="With --file: skip and count bad rows instead of stopping.")
    ] = False,
    rate: Annotated[
        float | None,
        typer.Option(
            help="US dollars that reach the artist per stream (the essay's third of a cent). "
            "With --deal none: the rights holders' rate.",
            show_default="1/300, about 0.00333",
        ),
    ] = None,
    cd_margin: Annotated[
        float | None,
        typer.Option(
            help="US dollars per CD album sold, at the same level as the streams.",
            show_default="1.50",
        ),
    ] = None,
    min_album_plays: Annotated[
        int, typer.Option(help="Plays of an album after which it counts as a bought CD.")
    ] = 10,
    min_seconds: Annotated[
        float, typer.Option(help="Shortest play, in seconds, that counts as a paid stream.")
    ] = 30.0,
    since: Annotated[
        str | None,
        typer.Option(help="Only plays from this date on (YYYY-MM-DD, UTC).", show_default=False),
    ] = None,
    until: Annotated[
        str | None,
        typer.Option(
            help="Only plays up to and including this date (YYYY-MM-DD, UTC).", show_default=False
        ),
    ] = None,
    service: Annotated[
        str | None,
        typer.Option(
            help="User-centric chart: price pro-rata at this service's rights-holder rate "
            "(see `royalty rates`).",
            show_default="spotify",
        ),
    ] = None,
    deal: Annotated[
        str | None,
        typer.Option(
            help="User-centric chart: the artist's deal, major (18%), indie (50%), diy "
            "(100%) or none for the rights-holder level.",
            show_default="none",
        ),
    ] = None,
    artist_share: Annotated[
        float | None,
        typer.Option(
            help="User-centric chart: the artist's share of rights-holder money (0-1).",
            show_default=False,
        ),
    ] = None,
    fee: Annotated[
        float | None,
        typer.Option(
            help="User-centric chart: monthly fee in USD.",
            show_default="11.99 (Spotify US, 2024)",
        ),
    ] = None,
    payout_ratio: Annotated[
        float | None,
        typer.Option(help="User-centric chart: share of the fee paid out.", show_default="0.67"),
    ] = None,
    vat: Annotated[
        float | None,
        typer.Option(
            help="User-centric chart: VAT/GST in the fee (0.15 for 15%).", show_default="0"
        ),
    ] = None,
    currency: Annotated[
        str | None,
        typer.Option(
            help="User-centric chart: show amounts in this currency (needs --fx).",
            show_default="USD",
        ),
    ] = None,
    fx: Annotated[
        float | None,
        typer.Option(
            help="User-centric chart: units of --currency per US dollar, the rate you choose.",
            show_default=False,
        ),
    ] = None,
    top: Annotated[
        int | None,
        typer.Option(
            help="How many artists to draw (default 15 for compare and user-centric, "
            "6 for cumulative).",
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
) -> None:
    """Draw a chart (compare, cumulative, timeline, sensitivity, user-centric) to a file.

    PNG, SVG or PDF. Amounts are US dollars at the artist level, priced as in
    `royalty compare`. The user-centric chart prices as `royalty compare --model
    user-centric` does, with its options; without --service, --deal, --artist-share
    or --rate it prices Spotify at the rights-holder level (--deal none).
    The path of the file written is printed.
    """
    from royalty.cli import handle_errors

    def run() -> None:
        target = _target(kind, output)
        scenario = _scenario(
            kind, rate=rate, service=service, deal=deal, artist_share=artist_share,
            cd_margin=cd_margin, min_album_plays=min_album_plays, min_seconds=min_seconds,
            fee=fee, payout_ratio=payout_ratio, vat=vat, currency=currency, fx=fx,
        )  # fmt: skip
        if top is not None and top < 1:
            raise UsageError(f"--top must be at least 1, got {top}")
        from royalty.cli import choose_history

        history = choose_history(
            user, file, input_format, tz, skip_bad_rows, since, until, columns=_COLUMNS[kind]
        )
        ax = draw(kind, history, scenario, top or DEFAULT_TOP.get(kind, 1))
        save(ax, target)
        typer.echo(str(target.resolve()))

    handle_errors(run)()


def _scenario(kind: str, **options: Any) -> Scenario:
    """The pricing scenario, built by ``make_scenario`` as ``royalty compare`` builds it."""
    from royalty.pricing import make_scenario

    scenario_only = ("service", "deal", "artist_share", "fee", "payout_ratio", "vat", "currency")
    given = [k for k in (*scenario_only, "fx") if options[k] is not None]
    if kind != "user-centric":
        if given:
            flags = ", ".join("--" + k.replace("_", "-") for k in given)
            verb = "apply" if len(given) > 1 else "applies"
            raise UsageError(f"{flags} only {verb} to the user-centric chart in this version")
        return make_scenario(**options)
    if all(options[k] is None for k in ("rate", "service", "deal", "artist_share")):
        options["deal"] = "none"  # the split starts from rights-holder money: Spotify's, here
    rates = None
    if any(options[k] is not None for k in ("service", "deal", "artist_share")):
        from royalty.config import read_config
        from royalty.pricing import rates_table

        rates = rates_table(read_config())
    return make_scenario(**options, model="user-centric", rates=rates)


def _target(kind: str, output: Path | None) -> Path:
    """The file to write, after checking the kind, the extension and the folder."""
    if kind not in KINDS:
        raise UsageError(f"no chart called {kind!r}; choose one of {', '.join(KINDS)}")
    target = (output or Path(f"royalty-{kind}.png")).expanduser()
    if target.suffix.lower() not in FORMATS:
        raise UsageError(
            f"cannot tell the format of {str(target)!r}: end the --output name "
            f"in {', '.join(FORMATS)}"
        )
    from royalty.cli import check_output

    check_output(target)
    return target


def draw(kind: str, history: History, scenario: Scenario, top: int) -> Axes:
    """Draw one chart kind of a history with Agg; returns the Axes (not saved)."""
    import matplotlib

    matplotlib.use("Agg")  # files only: never open a window, whatever the environment says
    from royalty import charts
    from royalty.charts._style import plays_span
    from royalty.pricing import compare

    plays, who, params = history.plays, history.label, scenario.params
    if kind == "user-centric":
        from royalty.pricing import price

        return charts.plot_user_centric(
            price(plays, scenario), top=top, scenario=scenario, who=who, span=plays_span(plays)
        )
    if kind == "timeline":
        return charts.plot_timeline(plays, who=who)
    if kind == "sensitivity":
        from royalty.pricing import builtin_rates, sensitivity

        table = sensitivity(plays, params, charts.sensitivity_rates())
        return charts.plot_sensitivity(
            table, services=builtin_rates(), params=params, who=who, span=plays_span(plays)
        )
    result = compare(plays, params)
    if kind == "cumulative":
        return charts.plot_cumulative(plays, result, params=params, top=top, who=who)
    return charts.plot_compare(result, top=top, params=params, who=who, span=plays_span(plays))


def save(ax: Axes, target: Path) -> None:
    """Save the figure of ``ax`` to ``target`` atomically, then close it."""
    import matplotlib.pyplot as plt
    from matplotlib.figure import Figure

    from royalty.charts._style import SAVE_DPI

    fig = ax.figure
    while not isinstance(fig, Figure):  # a subfigure: save the whole figure
        fig = fig.figure
    tmp = target.with_name(f".{target.stem}.{os.getpid()}.tmp{target.suffix}")
    try:
        fig.savefig(tmp, format=target.suffix.lower()[1:], dpi=SAVE_DPI)
        os.replace(tmp, target)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise UsageError(f"cannot write {target}: {exc.strerror or exc}") from None
    finally:
        plt.close(fig)
