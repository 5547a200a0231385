"""How every royalty command looks and behaves, in one place.

* ``-h`` and ``--help`` on every command (:data:`CONTEXT`), ``--version`` on the app.
* Help names values the way ``git`` or ``pip`` do (``USER``, ``PATH``, ``N``,
  ``[table|csv|json]``), never as Python types: recent typer writes ``user
  <str>`` and ``{user}``, so :class:`Command` draws the usage line and the
  arguments itself, and every option carries a metavar.
* Exit codes: a mistake the command line parser catches (an unknown option, a
  word where a number goes, a value outside an option's choices, a missing
  argument) is click's usual: a short usage line, then ``Error: …``, exit code 2.
  A value the command reads but cannot use, and any problem with the data, the
  files or the network, is one line ``Error: …`` with exit code 1
  (:func:`royalty.cli_common.handle_errors`).

Only typer and the standard library are imported here: ``royalty --help``
must stay quick.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import PurePath
from typing import Any, Final

import typer
from typer.core import TyperCommand, TyperGroup

CONTEXT: Final[dict[str, Any]] = {"help_option_names": ["-h", "--help"]}
"""Context settings of the app and its groups; commands inherit them."""


class _Plain:
    """What commands and groups share: metavars filled in, plain parse errors."""

    params: list[Any]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _fill_metavars(self.params)

    def parse_args(self, ctx: Any, args: list[str]) -> list[str]:
        """Parse as typer does, with its validator's wording made plain."""
        with _plain_errors():
            parsed: list[str] = super().parse_args(ctx, args)  # type: ignore[misc]
            return parsed


class Command(_Plain, TyperCommand):
    """A typer command whose help shows metavars, not Python types.

    Arguments are shown by their metavar (``USER``, or ``SRC...`` for several):
    without brackets when required, in ``[…]`` when optional, as click and
    most Unix tools write them.
    Any option left without a metavar gets one from its type: ``N`` for whole
    numbers, ``NUMBER``, ``PATH``, ``TEXT``, or its values for a choice.
    """

    def collect_usage_pieces(self, ctx: Any) -> list[str]:
        """``[OPTIONS] USER`` rather than typer's ``[OPTIONS] {user}``."""
        pieces = [self.options_metavar] if self.options_metavar else []
        for param in self.get_params(ctx):
            if param.param_type_name == "argument":
                pieces.append(_argument_usage(param))
        return pieces

    def format_options(self, ctx: Any, formatter: Any) -> None:
        """The Arguments and Options sections, arguments without their Python type."""
        arguments: list[tuple[str, str]] = []
        options: list[tuple[str, str]] = []
        for param in self.get_params(ctx):
            if param.param_type_name == "argument":
                arguments.append((_argument_name(param), getattr(param, "help", None) or ""))
            else:
                record = param.get_help_record(ctx)
                if record is not None:
                    options.append(record)
        if arguments:
            with formatter.section("Arguments"):
                formatter.write_dl(arguments)
        if options:
            with formatter.section("Options"):
                formatter.write_dl(options)


_PLAIN: Final = (
    ("Value error, ", ""),
    ("Input should be a valid integer, unable to parse string as an integer", "not a whole number"),
    ("Input should be a valid number, unable to parse string as a number", "not a number"),
)


def _fill_metavars(params: list[Any]) -> None:
    for param in params:
        if param.metavar is None and not getattr(param, "is_flag", False):
            param.metavar = _metavar(param)


@contextlib.contextmanager
def _plain_errors() -> Iterator[None]:
    """Typer's validator says ``Value error, …``: say it plainly instead."""
    try:
        yield
    except typer.BadParameter as exc:
        exc.message = _plain(exc.message)
        raise


def _plain(message: str) -> str:
    """``Value error, 'x' is not one of …`` as ``'x' is not one of …``."""
    for said, plain in _PLAIN:
        message = message.replace(said, plain)
    return message


_TYPE_NAMES: Final = {int: "N", float: "NUMBER", str: "TEXT"}


class Group(_Plain, TyperGroup):
    """A typer group whose own options (``royalty users --format``) show metavars too."""


def _metavar(param: Any) -> str | None:
    """A metavar from the parameter's type (None: leave it to typer)."""
    if param.param_type_name == "argument":
        return str(param.name).upper()
    described = getattr(param, "type_descriptor", None)  # typer >= 0.25; older ones use click's
    if described is None:
        return None
    if described.is_choice:
        return "[" + "|".join(str(getattr(c, "value", c)) for c in described.choices or ()) + "]"
    annotation = described.annotation
    inner = getattr(annotation, "__args__", (annotation,))[0]  # list[Path] -> Path
    if isinstance(inner, type) and issubclass(inner, PurePath):
        return "PATH"
    return _TYPE_NAMES.get(inner, "VALUE")


def _argument_name(param: Any) -> str:
    name = str(param.metavar or param.name.upper())
    return name if param.nargs == 1 or name.endswith("...") else name + "..."


def _argument_usage(param: Any) -> str:
    name = _argument_name(param)
    return name if param.required else f"[{name}]"
