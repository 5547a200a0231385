"""``royalty users``: list the stored users, and ``royalty users delete USER``."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Annotated

import typer

from royalty.cli_common import SimpleFormat, handle_errors
from royalty.cli_conventions import CONTEXT, Command, Group
from royalty.errors import UnknownUserError

if TYPE_CHECKING:
    from royalty.store import UserInfo

users_app = typer.Typer(
    cls=Group,
    rich_markup_mode=None,
    context_settings=CONTEXT,
    invoke_without_command=True,
)


@users_app.callback()
@handle_errors
def users(
    ctx: typer.Context,
    format: Annotated[SimpleFormat, typer.Option("--format", "-f", help="Output format.")] = (
        SimpleFormat.table
    ),
) -> None:
    """List the stored users with their play counts, date ranges and last update.

    A user whose stored plays cannot be read (a damaged file) is listed as
    unreadable, with the reason, after the others. `royalty users delete USER`
    deletes one.

    Example:

        royalty users --format csv
    """
    if ctx.invoked_subcommand is not None:
        return
    from royalty import report, store

    listed = store.users()
    if format is SimpleFormat.json:
        sys.stdout.write(report.users_json(listed))
    elif format is SimpleFormat.csv:
        sys.stdout.write(report.users_csv(listed))
    else:
        sys.stdout.write(report.users_text(listed))


@handle_errors
def delete_command(
    user: Annotated[str, typer.Argument(help="The stored user whose plays to delete.")],
    yes: Annotated[bool, typer.Option("--yes", "-y", help="Delete without asking first.")] = False,
) -> None:
    """Delete a stored user's plays from this machine (asks first unless --yes).

    Only royalty's copy goes: your export files and your Last.fm account are not
    touched. Waits for no one: if another royalty command is writing this user,
    nothing is deleted.

    Example:

        royalty users delete rj

        royalty users delete old-export --yes
    """
    from royalty import store

    if not yes:
        shown = _describe(user)
        try:
            sure = typer.confirm(f"Delete {shown}?", default=False, err=True)
        except typer.Abort:  # end of input: no answer is no
            typer.echo("", err=True)
            sure = False
        if not sure:
            typer.echo("Nothing was deleted.", err=True)
            raise typer.Exit(1)
    gone = store.delete(user)
    typer.echo(f"Deleted {_what(gone)}.")


def _describe(user: str) -> str:
    """What ``delete`` would remove, for the question (the store is only read)."""
    from royalty import store

    name = store.validate_user(user).lower()
    for info in store.users():
        if info.user == name:
            return _what(info)
    raise UnknownUserError(
        f"no plays are stored for {user!r}, so there is nothing to delete "
        "(`royalty users` lists who is stored)"
    )


def _what(info: UserInfo) -> str:
    if info.problem:
        return f"the stored plays of {info.user} (unreadable: a damaged file)"
    span = ""
    if info.first_play and info.last_play:
        span = f", {info.first_play:%Y-%m-%d} to {info.last_play:%Y-%m-%d}"
    plays = f"{info.plays:,} play{'' if info.plays == 1 else 's'}"
    return f"{info.user}'s {plays}{span}"


users_app.command("delete", cls=Command)(delete_command)
