"""``royalty population``: many listeners at once (import, generate, compare).

``import`` streams population sources into a dataset
(:func:`royalty.population.importer.import_population`); ``generate`` makes a
synthetic one (:func:`royalty.population.generate.generate_population`);
``compare`` lives in :mod:`royalty.cli_population_compare`. pandas, pyarrow and
Dask load only when a command runs.
"""

from __future__ import annotations

import sys
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from royalty.cli_common import handle_errors
from royalty.cli_conventions import CONTEXT, Command
from royalty.cli_population_compare import compare_command

if TYPE_CHECKING:
    from royalty.population.importer import ImportResult

population_app = typer.Typer(
    help="Who wins and who loses under each payout system, across many listeners: "
    "import a population (or generate one), then compare the models.\n\n"
    "Example:\n\n"
    "    royalty population generate --listeners 2000 --listens 100000 --to pop\n\n"
    "    royalty population compare pop --top 10",
    no_args_is_help=True,
    rich_markup_mode=None,
    context_settings=CONTEXT,
)


class UserFrom(StrEnum):
    """Choices of ``population import --user-from``."""

    file_name = "name"
    folder = "folder"


ToOpt = Annotated[
    Path | None,
    typer.Option(
        "--to",
        metavar="DIR",
        help="The dataset folder (created if missing).",
        show_default=False,
    ),
]


class _Progress:
    """A progress line on stderr, rewritten in place; only on a terminal."""

    def __init__(self) -> None:
        self.shown = False
        self.last = 0.0

    def __call__(self, stage: str, count: int) -> None:
        import time

        now = time.monotonic()
        if now - self.last < 0.2:
            return
        self.last = now
        text = f"read {count:,} plays" if stage == "read" else f"wrote {count:,} buckets"
        sys.stderr.write(f"\r{text}…\033[K")
        sys.stderr.flush()
        self.shown = True

    def done(self) -> None:
        if self.shown:
            sys.stderr.write("\r\033[K")
            sys.stderr.flush()


def _count(n: int, word: str) -> str:
    return f"{n:,} {word}{'' if n == 1 else 's'}"


def import_summary(result: ImportResult) -> str:
    """The one-line summary of an import."""
    info = result.dataset
    skipped = sum(result.skipped.values())
    reasons = ", ".join(
        f"{n:,} {r}" for r, n in sorted(result.skipped.items(), key=lambda x: -x[1])
    )
    action = "Created" if result.created else "Updated" if result.added else "Unchanged:"
    line = (
        f"{action} {info.path}: {_count(info.listeners, 'listener')}, "
        f"{_count(info.plays, 'play')}, {_count(info.artists, 'artist')}, "
        f"{_count(info.buckets, 'bucket')}; {_count(result.read, 'play')} read, "
        f"{result.added:,} new; "
        f"skipped {skipped:,}{f' ({reasons})' if reasons else ''}; {result.seconds:.1f} s."
    )
    if info.artist_names == "mbid":
        line += " Artists are MusicBrainz ids: MLHD has no names."
    return line + "\n"


@handle_errors
def import_command(
    sources: Annotated[
        list[Path] | None,
        typer.Argument(
            metavar="SRC...",
            help="Population sources: a ListenBrainz Spark dump (.tar or folder of "
            "N.parquet), Last.fm-1K's .tsv, LFM-1b's LFM-1b_LEs.txt (or its folder), "
            "MLHD files (a folder, a .tar or one file), a royalty store folder, or "
            "export files that `royalty import --file` reads (with --user or --user-from).",
            show_default=False,
        ),
    ] = None,
    to: ToOpt = None,
    input_format: Annotated[
        str | None,
        typer.Option(
            help="The sources' format instead of recognising it: listenbrainz-spark, "
            "lastfm-1k, lfm-1b, mlhd, royalty-store, or an export format of "
            "`royalty import --input-format`.",
            show_default=False,
        ),
    ] = None,
    buckets: Annotated[
        int | None,
        typer.Option(
            min=1,
            help="Bucket files of a new dataset. Default: about one per 128 MB of dataset, "
            "estimated from the sources' size. An existing dataset keeps its own.",
            show_default=False,
        ),
    ] = None,
    user: Annotated[
        str | None,
        typer.Option(help="Export files: whose history they are.", show_default=False),
    ] = None,
    user_from: Annotated[
        UserFrom | None,
        typer.Option(
            help="Export files: each file's listener is its name without extension (name) "
            "or the name of the folder it is in (folder).",
            show_default=False,
        ),
    ] = None,
    store: Annotated[
        bool,
        typer.Option(
            "--store",
            help="Also import royalty's own store (ROYALTY_HOME): every stored user "
            "becomes a listener.",
        ),
    ] = False,
) -> None:
    """Import population sources into a user-bucketed Parquet dataset.

    Streams: memory stays bounded whatever the sources' size. Re-running it on
    the same sources changes nothing; a run that is stopped leaves the dataset
    as it was. Plays before 2002, in the future, or without an artist or track
    are skipped and counted. ListenBrainz and LFM-1b have no user names: a
    listener is named by its id. MLHD has no names at all: artists and tracks
    are MusicBrainz ids.

    Example:

        royalty population import listenbrainz-spark-dump.tar --to pop

        royalty population import exports/ --user-from folder --to friends
    """
    from royalty.config import royalty_home
    from royalty.errors import UsageError
    from royalty.population.importer import import_population

    paths: list[str | Path] = list(sources or [])
    if store:
        paths.append(royalty_home())
    if not paths:
        raise UsageError("name at least one source (or --store for royalty's own store)")
    if to is None:
        raise UsageError("say where the dataset goes with --to DIR")
    progress = _Progress() if sys.stderr.isatty() else None
    try:
        result = import_population(
            paths,
            to,
            input_format=input_format,
            buckets=buckets,
            user=user,
            user_from=None if user_from is None else user_from.value,
            progress=progress,
        )
    finally:
        if progress is not None:
            progress.done()
    sys.stdout.write(import_summary(result))


@handle_errors
def generate_command(
    listeners: Annotated[int, typer.Option(help="How many listeners.", show_default=False)],
    listens: Annotated[
        int,
        typer.Option(help="How many plays in all (at least one a listener).", show_default=False),
    ],
    to: ToOpt = None,
    seed: Annotated[int, typer.Option(help="Random seed: the same seed gives the same data.")] = 0,
    months: Annotated[int, typer.Option(help="Months of listening, ending 2026-01-01 (UTC).")] = 12,
    artists: Annotated[
        int | None,
        typer.Option(help="How many artists.", show_default="listens / 200, 500 to 100,000"),
    ] = None,
    buckets: Annotated[
        int | None,
        typer.Option(min=1, help="Bucket files.", show_default="one per 2.5 million plays"),
    ] = None,
    replace: Annotated[
        bool, typer.Option("--replace", help="Overwrite a dataset already in DIR.")
    ] = False,
) -> None:
    """Generate a synthetic population to try the models on (it says it is synthetic).

    Artist popularity is Zipf-like, listening heavy-tailed (the top 1 % of
    listeners play about 20 times the median) and tastes clustered in genres,
    heavy listeners leaning to niche ones. Every parameter is recorded in the
    dataset's population.json; see royalty.population.generate for the rest.

    Example:

        royalty population generate --listeners 100000 --listens 20000000 --to synth

        royalty population generate --listeners 2000 --listens 100000 --seed 7 --to small
    """
    import time

    from royalty.errors import UsageError
    from royalty.population.generate import GeneratorParams, generate_population

    if to is None:
        raise UsageError("say where the dataset goes with --to DIR")
    started = time.perf_counter()
    params = GeneratorParams(
        listeners=listeners, listens=listens, seed=seed, months=months, artists=artists,
        buckets=buckets,
    )  # fmt: skip
    info = generate_population(params, to, replace=replace)
    sys.stdout.write(
        f"Generated {info.path} (synthetic, seed {seed}): {_count(info.listeners, 'listener')}, "
        f"{_count(info.plays, 'play')}, {_count(info.artists, 'artist')}, "
        f"{_count(info.tracks, 'track')}, {_count(info.buckets, 'bucket')}; "
        f"{time.perf_counter() - started:.1f} s.\n"
    )


population_app.command("import", cls=Command)(import_command)
population_app.command("generate", cls=Command)(generate_command)
population_app.command("compare", cls=Command)(compare_command)
