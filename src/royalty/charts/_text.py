"""Text that every machine can draw: font fallback, undrawable characters, long names.

Matplotlib draws each character with the first font in ``font.family`` that
has it, and warns ("Glyph … missing from font(s)") and draws a box when none
has. A fresh machine may have only DejaVu Sans, so labels are cleaned before
they reach matplotlib: characters that no installed fallback font can draw are
dropped, long names are shortened with an ellipsis, and ``$`` is escaped so
that a name such as ``A$AP`` is not read as mathematics.
"""

from __future__ import annotations

import functools
import unicodedata
from typing import Final

from matplotlib import font_manager, ft2font

FALLBACK_FAMILIES: Final[tuple[str, ...]] = (
    "DejaVu Sans",
    "Noto Sans CJK JP",
    "Noto Sans CJK SC",
    "Noto Sans CJK KR",
    "Noto Sans CJK TC",
    "Noto Sans",
    "Noto Emoji",
    "Symbola",
)
"""Fonts tried in order; only those installed are used. DejaVu Sans ships with
matplotlib. Debian's ``fonts-noto-cjk`` adds the CJK faces. "Noto Emoji" is the
monochrome emoji face: colour-bitmap emoji fonts cannot be drawn by matplotlib."""

NO_FONT_NAME: Final = "(no font for this name)"
"""Shown instead of a name none of whose characters can be drawn."""

MAX_WIDTH: Final = 28
"""Longest label, in columns (a CJK character takes two)."""


@functools.cache
def families() -> tuple[str, ...]:
    """The fallback families installed here, in order (DejaVu Sans always first).

    Example:
        >>> families()[0]
        'DejaVu Sans'
    """
    installed = {entry.name for entry in font_manager.fontManager.ttflist}
    return tuple(f for f in FALLBACK_FAMILIES if f in installed or f == "DejaVu Sans")


@functools.cache
def _charmap() -> frozenset[int]:
    """Every code point that at least one of :func:`families` can draw."""
    points: set[int] = set()
    for family in families():
        try:
            path = font_manager.findfont(
                font_manager.FontProperties(family=family), fallback_to_default=False
            )
            points.update(ft2font.FT2Font(path).get_charmap())
        except (ValueError, RuntimeError, OSError):  # listed but unreadable: skip it
            continue
    return frozenset(points)


def drawable(char: str) -> bool:
    """Whether some installed fallback font has a glyph for ``char``.

    Example:
        >>> drawable("é"), drawable("\\U0010fffd")
        (True, False)
    """
    return char.isspace() or ord(char) in _charmap()


def _width(char: str) -> int:
    return 2 if unicodedata.east_asian_width(char) in ("W", "F") else 1


def ellipsize(text: str, width: int = MAX_WIDTH) -> str:
    """Shorten ``text`` to ``width`` columns, ending in "…" when cut.

    Example:
        >>> ellipsize("Pablo Whitcombe & the Backwards Submarines", 20)
        'Pablo Whitcombe & t…'
    """
    if sum(_width(c) for c in text) <= width:
        return text
    out, used = [], 0
    for char in text:
        if used + _width(char) > width - 1:
            break
        out.append(char)
        used += _width(char)
    return "".join(out).rstrip() + "…"


def clean(text: object, width: int | None = None) -> str:
    """A label matplotlib can draw here: undrawable characters dropped, ``$`` escaped.

    Runs of white space shrink to one space; line breaks stay (footers use them).

    Args:
        text: the label (an artist name, a title); not a string is converted.
        width: shorten to this many columns (see :func:`ellipsize`); None keeps
            the whole text.

    Returns:
        The cleaned text; :data:`NO_FONT_NAME` when nothing drawable is left of
        a non-empty name.

    Example:
        >>> clean("A$AP Rocky")
        'A\\\\$AP Rocky'
    """
    raw = unicodedata.normalize("NFC", str(text))
    kept = "".join(c for c in raw if c == "\n" or (drawable(c) and unicodedata.category(c) != "Cc"))
    kept = "\n".join(" ".join(line.split()) for line in kept.splitlines() if line.strip())
    if not kept and raw.strip():
        kept = NO_FONT_NAME
    if width is not None:
        kept = ellipsize(kept, width)
    return kept.replace("$", r"\$")
