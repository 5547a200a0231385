"""``python -m royalty``: the same CLI as the ``royalty`` command."""

from royalty.cli import app

app(prog_name="royalty")
