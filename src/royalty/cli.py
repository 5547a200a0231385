"""The royalty command line (placeholder until the commands land)."""

import typer

app = typer.Typer(help="What did my listening pay the artists?", no_args_is_help=True)


@app.command()
def version() -> None:
    """Print royalty's version."""
    from royalty import __version__

    typer.echo(__version__)
