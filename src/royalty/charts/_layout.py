"""Placing labels where they touch no other text and no line.

A chart first draws everything, then lays out (constrained layout) once, then
tries each label's candidate positions in turn and keeps the first whose box
overlaps no text already there, no other placed label, and none of the lines
to avoid. Positions are offsets in points from the labelled point, so they
hold when the figure is saved at another resolution.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.lines import Line2D
    from matplotlib.text import Annotation, Text
    from matplotlib.transforms import Bbox

MARGIN = 1.5
"""Pixels of clearance a label keeps from other boxes and lines."""


@dataclass(frozen=True)
class Spot:
    """One candidate position: an offset in points and the alignment that goes with it.

    ``y``, when given, also moves the labelled point's y (in the label's own
    coordinates, such as an axes fraction).
    """

    dx: float
    dy: float
    ha: Literal["left", "center", "right"]
    va: Literal["bottom", "center", "top"]
    y: float | None = None


def corners(near: float, far: float, steps: int = 3) -> list[Spot]:
    """Spots around a point: above left, above right, below left, below right, then further out.

    Example:
        >>> [(s.dx, s.dy) for s in corners(8, 14, 1)]
        [(-8, 8), (8, 8), (-8, -8), (8, -8)]
    """
    spots = []
    for k in range(steps):
        up = near + k * far
        spots += [Spot(-near, up, "right", "bottom"), Spot(near, up, "left", "bottom"),
                  Spot(-near, -up, "right", "top"), Spot(near, -up, "left", "top")]  # fmt: skip
    return spots


def _visible_texts(ax: Axes) -> list[Text]:
    """Texts drawn on ``ax`` and around it: ticks in view, labels, title, legend, annotations."""
    texts: list[Text] = [ax.title, ax.xaxis.label, ax.yaxis.label, *ax.texts]
    for axis, (low, high) in ((ax.xaxis, ax.get_xlim()), (ax.yaxis, ax.get_ylim())):
        low, high = min(low, high), max(low, high)
        for where, label in zip(axis.get_ticklocs(), axis.get_ticklabels(), strict=False):
            if low <= where <= high:
                texts.append(label)
    legend = ax.get_legend()
    if legend is not None:
        texts += legend.get_texts()
    return [t for t in texts if t.get_visible() and t.get_text()]


def _grown(box: Bbox) -> Bbox:
    from matplotlib.transforms import Bbox

    return Bbox.from_extents(box.x0 - MARGIN, box.y0 - MARGIN, box.x1 + MARGIN, box.y1 + MARGIN)


def _crosses(box: Bbox, lines: Iterable[Line2D]) -> bool:
    for line in lines:
        path = line.get_transform().transform_path(line.get_path())
        if path.intersects_bbox(box, filled=False):
            return True
    return False


def place(
    ax: Axes,
    labels: Sequence[tuple[Annotation, Sequence[Spot]]],
    avoid: Sequence[Line2D] = (),
    rather_not: Sequence[Line2D] = (),
) -> list[Annotation]:
    """Move each label to its first spot that is clear, in order; hide those with none.

    Args:
        ax: the Axes the labels belong to; its figure is laid out first.
        labels: each label with its candidate spots, best first.
        avoid: lines no label may touch.
        rather_not: lines a label keeps clear of when some spot allows; when
            none does, the first spot clear of texts and ``avoid`` is taken.

    Returns:
        The labels that found no clear spot (now hidden).
    """
    fig = ax.get_figure(root=True)
    if fig is None:
        return []
    for label, _ in labels:
        label.set_visible(False)
        label.set_in_layout(False)  # placing must not move the axes it is placed in
    fig.draw_without_rendering()  # constrained layout: the axes reach their final size
    inside = ax.get_window_extent()
    taken = [_grown(t.get_window_extent()) for t in _visible_texts(ax)]
    legend = ax.get_legend()
    if legend is not None:
        taken.append(_grown(legend.get_window_extent()))
    hidden = []
    for label, spots in labels:
        box = _first_clear(label, spots, inside, taken, [*avoid, *rather_not])
        if box is None and rather_not:
            box = _first_clear(label, spots, inside, taken, avoid)
        if box is None:
            label.set_visible(False)
            hidden.append(label)
        else:
            taken.append(box)
    return hidden


def _first_clear(
    label: Annotation,
    spots: Sequence[Spot],
    inside: Bbox,
    taken: list[Bbox],
    lines: Sequence[Line2D],
) -> Bbox | None:
    """Put ``label`` at its first spot inside the axes clear of ``taken`` and ``lines``."""
    for spot in spots:
        label.xyann = (spot.dx, spot.dy)
        if spot.y is not None:
            label.xy = (label.xy[0], spot.y)
        label.set_horizontalalignment(spot.ha)
        label.set_verticalalignment(spot.va)
        label.set_visible(True)
        box = _grown(label.get_window_extent())
        fits = inside.contains(box.x0, box.y0) and inside.contains(box.x1, box.y1)
        if fits and not any(box.overlaps(t) for t in taken) and not _crosses(box, lines):
            return box
    return None
