"""Plain-text tables for the terminal: display widths, ellipsis, alignment."""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence


def display_width(text: str) -> int:
    """Columns ``text`` takes in a terminal: wide (CJK) characters take two, marks none.

    Example:
        >>> display_width("東京") , display_width("abc")
        (4, 3)
    """
    width = 0
    for ch in text:
        if unicodedata.combining(ch) or unicodedata.category(ch) in ("Mn", "Me", "Cf"):
            continue
        width += 2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1
    return width


def ellipsize(text: str, limit: int) -> str:
    """Cut ``text`` to at most ``limit`` display columns, ending with "…" when cut.

    Example:
        >>> ellipsize("Godspeed You! Black Emperor", 12)
        'Godspeed Yo…'
    """
    if display_width(text) <= limit:
        return text
    out = ""
    for ch in text:
        if display_width(out + ch) > limit - 1:
            break
        out += ch
    return out + "…"


def _pad(text: str, width: int, right: bool) -> str:
    gap = " " * max(width - display_width(text), 0)
    return gap + text if right else text + gap


def render_table(
    headers: Sequence[str],
    rows: Sequence[Sequence[str]],
    *,
    right: Sequence[bool],
    footer: Sequence[Sequence[str]] = (),
) -> str:
    """Align ``rows`` under ``headers``; ``right`` says which columns are numeric.

    ``footer`` rows (such as a totals line) come after a rule.
    """
    everything = [list(headers), *map(list, rows), *map(list, footer)]
    widths = [max(display_width(r[i]) for r in everything) for i in range(len(headers))]

    def line(cells: Sequence[str]) -> str:
        return "  ".join(_pad(c, w, r) for c, w, r in zip(cells, widths, right, strict=True))

    rule = "  ".join("-" * w for w in widths)
    out = [line(headers), rule, *(line(r) for r in rows)]
    if footer:
        out.append(rule)
        out.extend(line(r) for r in footer)
    return "\n".join(s.rstrip() for s in out)


def render_markdown(
    headers: Sequence[str], rows: Sequence[Sequence[str]], *, right: Sequence[bool]
) -> str:
    """A GitHub-flavoured Markdown table; ``|`` in cells is escaped."""

    def cell(text: str) -> str:
        return text.replace("|", "\\|")

    head = "| " + " | ".join(cell(h) for h in headers) + " |"
    align = "|" + "|".join("---:" if r else ":---" for r in right) + "|"
    body = ["| " + " | ".join(cell(c) for c in row) + " |" for row in rows]
    return "\n".join([head, align, *body])
