"""``royalty compare --by year|album``: run a breakdown and render it.

Kept apart from ``cli_compare`` so that the compare command only gains an
option and one call; pandas loads only when a breakdown runs.
"""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING

from royalty.cli_common import CompareFormat, write_output

if TYPE_CHECKING:
    from royalty.history import History
    from royalty.pricing import Scenario


class ByChoice(StrEnum):
    """Breakdowns of ``royalty compare --by``."""

    year = "year"
    album = "album"


def breakdown_compare(
    history: History,
    scenario: Scenario,
    by: ByChoice,
    total: bool,
    top: int,
    format: CompareFormat,
    with_meta: bool,
    output: Path | None,
    period: str,
) -> None:
    """Price ``history`` under ``scenario`` cut by year or album, and print or save it.

    Args:
        history: the plays chosen by the command's data options (load
            :data:`royalty.pricing.NEEDED_COLUMNS`: the album table counts tracks).
        scenario: the scenario ``compare`` built from its options.
        by: year or album.
        total: with year, one row per year for all the artists shown.
        top: keep this many artists (price's order); 0 keeps every one.
        format: table, csv, json or markdown.
        with_meta: with json, wrap the rows with the parameters, dollars and sources.
        output: a file to write instead of the terminal.
        period: the sentence naming the period covered.
    """
    from royalty import report_breakdown as rb
    from royalty.pricing.breakdown import album_breakdown, year_breakdown

    if by is ByChoice.album:
        found = album_breakdown(history.plays, scenario, top=top)
    else:
        found = year_breakdown(history.plays, scenario, top=top, total=total)
    if format is CompareFormat.json:
        text = rb.breakdown_json(found, with_meta=with_meta)
    elif format is CompareFormat.csv:
        text = rb.breakdown_csv(found.table)
    else:
        markdown = format is CompareFormat.markdown
        text = rb.breakdown_text(found, label=history.label, period=period, markdown=markdown)
    write_output(text, output)
