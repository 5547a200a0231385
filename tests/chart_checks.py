"""Checks that any royalty chart must pass, read off the drawn figure.

Used by the chart tests over every kind: tick labels present and distinct,
no two texts overlapping and none off the figure, and a colour (with its
line style and marker) for each legend entry that no other entry has.
"""

from __future__ import annotations

from typing import Any

from matplotlib.axes import Axes
from matplotlib.axis import Axis
from matplotlib.colors import to_hex
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from matplotlib.text import Text


def _draw(ax: Axes) -> Any:
    """Draw the figure of ``ax`` unless it is drawn already (ticks and layout settle then)."""
    fig = ax.get_figure(root=True)
    if fig.stale:
        fig.canvas.draw()
    return fig


def ticks_in_view(axis: Axis, limits: tuple[float, float]) -> list[Text]:
    """The tick labels matplotlib draws: those whose tick lies inside the axis limits."""
    low, high = min(limits), max(limits)
    span = (high - low) * 1e-9
    return [
        label
        for where, label in zip(axis.get_ticklocs(), axis.get_ticklabels(), strict=False)
        if low - span <= where <= high + span and label.get_visible()
    ]


def tick_labels(ax: Axes, which: str) -> list[str]:
    """The texts of the drawn tick labels of the ``x`` or ``y`` axis."""
    _draw(ax)
    axis, limits = (ax.xaxis, ax.get_xlim()) if which == "x" else (ax.yaxis, ax.get_ylim())
    return [t.get_text() for t in ticks_in_view(axis, limits)]


def drawn_texts(ax: Axes) -> list[Text]:
    """Every visible, non-empty text of the chart: title, axis and tick labels, legend, notes."""
    texts: list[Text] = [ax.title, ax.xaxis.label, ax.yaxis.label, *ax.texts]
    texts += ticks_in_view(ax.xaxis, ax.get_xlim()) + ticks_in_view(ax.yaxis, ax.get_ylim())
    legend = ax.get_legend()
    if legend is not None:
        texts += legend.get_texts()
    return [t for t in texts if t.get_visible() and t.get_text().strip()]


def overlapping_texts(ax: Axes) -> list[tuple[str, str]]:
    """Pairs of drawn texts whose boxes overlap, after the figure is drawn."""
    fig = _draw(ax)
    renderer = fig.canvas.get_renderer()  # type: ignore[attr-defined]
    boxes = [(t.get_text(), t.get_window_extent(renderer)) for t in drawn_texts(ax)]
    return [
        (a, b)
        for i, (a, box_a) in enumerate(boxes)
        for b, box_b in boxes[i + 1 :]
        if box_a.overlaps(box_b)
    ]


def texts_off_the_figure(ax: Axes) -> list[str]:
    """Drawn texts that reach past the edge of the figure (cut off in the saved file)."""
    fig = _draw(ax)
    renderer = fig.canvas.get_renderer()  # type: ignore[attr-defined]
    edge = fig.bbox
    out = []
    for text in drawn_texts(ax):
        box = text.get_window_extent(renderer)
        inside = edge.x0 - 1 <= box.x0 and box.x1 <= edge.x1 + 1
        if not (inside and edge.y0 - 1 <= box.y0 and box.y1 <= edge.y1 + 1):
            out.append(text.get_text())
    return out


def _look(handle: Any) -> tuple[str, ...]:
    if isinstance(handle, Line2D):
        return (to_hex(handle.get_color()), str(handle.get_linestyle()), str(handle.get_marker()))
    if isinstance(handle, Patch):
        return (to_hex(handle.get_facecolor()),)
    raise AssertionError(f"unexpected legend handle {handle!r}")


def repeated_legend_looks(ax: Axes) -> list[tuple[str, ...]]:
    """Looks (colour, line style, marker) that two legend entries share."""
    legend = ax.get_legend()
    if legend is None:
        return []
    looks = [_look(h) for h in legend.legend_handles]
    return sorted({look for look in looks if looks.count(look) > 1})


def check_chart(ax: Axes, *, min_x_ticks: int = 2, min_y_ticks: int = 2) -> None:
    """Assert everything a chart must hold on any history (see the module docstring)."""
    for which, least in (("x", min_x_ticks), ("y", min_y_ticks)):
        labels = tick_labels(ax, which)
        assert len(labels) >= least, (which, labels)
        assert all(label.strip() for label in labels), (which, labels)
        assert len(set(labels)) == len(labels), (which, labels)
    assert not overlapping_texts(ax)
    assert not texts_off_the_figure(ax)
    assert not repeated_legend_looks(ax)
