"""The 9-box talent matrix of a candidate pool as an accessible, self-contained SVG string.

Pure (standard library and ``workflow.merit`` only): no Flask, no database, no external
asset, and no ``style=`` attribute (the CSP allows presentation attributes such as ``fill`` and
the stylesheet's classes, never inline styles). Callers pass the texts in the reader's language
(:class:`NineBoxLabels`), so the web layer translates them with ``gettext`` and this module stays
usable offline.

Layout (PermenPANRB 3/2020, domain.md §2): performance (Kinerja) on the vertical axis, potential
(Potensial) on the horizontal one, rows top to bottom::

    di atas ekspektasi     4 7 9
    sesuai ekspektasi      2 5 8
    di bawah ekspektasi    1 3 6
                       rendah menengah tinggi

Each cell shows its box number, the count of candidates and, for the succession-group boxes
(KRS, 7–9 by default), a fill, a thicker border *and* the word "KRS", so the highlight is not
carried by colour alone. ``<title>`` and ``<desc>`` give screen readers the whole grid as text.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from typing import Final
from xml.sax.saxutils import escape, quoteattr

from workflow.merit.messages import render
from workflow.merit.ninebox import BOX

PERFORMANCE_ROWS: Final = ("di_atas", "sesuai", "di_bawah")  # top to bottom
POTENTIAL_COLUMNS: Final = ("rendah", "menengah", "tinggi")  # left to right
# The grid as drawn: GRID[row][column] is the box number (4 7 9 / 2 5 8 / 1 3 6).
GRID: Final[tuple[tuple[int, ...], ...]] = tuple(
    tuple(BOX[(row, column)] for column in POTENTIAL_COLUMNS) for row in PERFORMANCE_ROWS
)
DEFAULT_KRS: Final = frozenset({7, 8, 9})

# Geometry of the viewBox (user units). Wide enough for two-line row labels at 360 px.
_AXIS = 26  # the rotated "Kinerja" label
_ROW_LABEL = 92
_CELL_W = 104
_CELL_H = 92
_TOP = 8
_LEFT = _AXIS + _ROW_LABEL
_WIDTH = _LEFT + 3 * _CELL_W + 8
_GRID_BOTTOM = _TOP + 3 * _CELL_H
_HEIGHT = _GRID_BOTTOM + 58

# Colours as presentation attributes; contrast of text on every fill is at least 4.5:1.
_INK = "#1b1f23"
_MUTED = "#4a5560"
_LINE = "#8c959f"
_PLAIN_FILL = "#ffffff"
_KRS_FILL = "#dbe9f6"
_KRS_LINE = "#0b5394"
_FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, 'Noto Sans', sans-serif"


@dataclass(frozen=True, slots=True)
class NineBoxLabels:
    """Every text the graphic shows, in one language.

    ``cell`` and ``cell_krs`` describe one cell for ``<title>``/``<desc>`` and take the
    placeholders ``{box}``, ``{count}`` and ``{label}`` (the box's official label, from
    ``box_labels``). The defaults are the Indonesian source texts; the web layer passes gettext's.
    """

    title: str = "Sebaran kandidat dalam kotak manajemen talenta (9-box)"
    summary: str = "{total} kandidat dipetakan; {unplaced} belum dapat dipetakan."
    performance_axis: str = "Kinerja"
    potential_axis: str = "Potensial"
    rows: Mapping[str, str] = field(
        default_factory=lambda: {"di_atas": "Di atas ekspektasi", "sesuai": "Sesuai ekspektasi",
                                 "di_bawah": "Di bawah ekspektasi"}
    )
    columns: Mapping[str, str] = field(
        default_factory=lambda: {"rendah": "Rendah", "menengah": "Menengah", "tinggi": "Tinggi"}
    )
    box_word: str = "Kotak {box}"
    krs_tag: str = "KRS"
    cell: str = "Kotak {box} ({label}): {count} kandidat."
    cell_krs: str = "Kotak {box} ({label}), kelompok rencana suksesi: {count} kandidat."
    box_labels: Mapping[int, str] = field(
        default_factory=lambda: {n: render(f"box.{n}.label", None, "id") for n in range(1, 10)}
    )


def _attrs(**values: object) -> str:
    # Keyword names use _ for - (font_size -> font-size) and a trailing _ for Python keywords
    # (class_ -> class); values are quoted and escaped.
    return "".join(
        f" {name.rstrip('_').replace('_', '-')}={quoteattr(str(value))}" for name, value in values.items()
    )


def _wrap(label: str) -> list[str]:
    """Split a row label into at most two lines at the space nearest the middle."""
    if len(label) <= 12 or " " not in label:
        return [label]
    middle = len(label) // 2
    cut = min((i for i, ch in enumerate(label) if ch == " "), key=lambda i: abs(i - middle))
    return [label[:cut], label[cut + 1:]]


def cell_position(box: int) -> tuple[int, int]:
    """The (row, column) of ``box`` in :data:`GRID` (row 0 is the top row)."""
    for row, boxes in enumerate(GRID):
        if box in boxes:
            return row, boxes.index(box)
    raise ValueError(f"no box {box} in the 9-box grid")


def render_ninebox(
    counts: Mapping[int, int],
    *,
    labels: NineBoxLabels | None = None,
    krs_boxes: Collection[int] = DEFAULT_KRS,
    unplaced: int = 0,
    id_prefix: str = "ninebox",
) -> str:
    """Return the SVG document (a string, no XML declaration) of the pool's 9-box.

    Args:
        counts: candidates per box (1–9); missing boxes count 0.
        labels: the texts in the reader's language (default: Indonesian).
        krs_boxes: the succession-group boxes to highlight (the pinned rule set's).
        unplaced: candidates without a box (no assessment, missing SKP), named in the summary.
        id_prefix: prefix of the element ids, unique per page when several grids are shown.

    Raises:
        ValueError: a box outside 1–9 or a negative count.
    """
    labels = labels or NineBoxLabels()
    for box, count in counts.items():
        if box not in range(1, 10) or count < 0:
            raise ValueError(f"bad 9-box count: box {box!r}, count {count!r}")
    if unplaced < 0:
        raise ValueError("unplaced must not be negative")
    krs = frozenset(krs_boxes)
    total = sum(counts.values())

    def describe(box: int) -> str:
        template = labels.cell_krs if box in krs else labels.cell
        return template.format(box=box, count=counts.get(box, 0), label=labels.box_labels.get(box, ""))

    title_id, desc_id = f"{id_prefix}-title", f"{id_prefix}-desc"
    # The description reads the grid row by row, top to bottom, as a sighted reader would.
    desc = " ".join(
        [labels.summary.format(total=total, unplaced=unplaced)]
        + [describe(box) for row in GRID for box in row]
    )
    out = [
        "<svg" + _attrs(xmlns="http://www.w3.org/2000/svg", viewBox=f"0 0 {_WIDTH} {_HEIGHT}", role="img",
                        aria_labelledby=f"{title_id} {desc_id}", font_family=_FONT, fill=_INK)
        + ' class="ninebox-svg">',
        f"<title id={quoteattr(title_id)}>{escape(labels.title)}</title>",
        f"<desc id={quoteattr(desc_id)}>{escape(desc)}</desc>",
    ]
    # Axis titles: performance rotated along the left edge, potential centred under the grid.
    mid_y = _TOP + 3 * _CELL_H // 2
    out.append(
        "<text" + _attrs(x=14, y=mid_y, text_anchor="middle", font_size=14, font_weight=700,
                         transform=f"rotate(-90 14 {mid_y})") + f">{escape(labels.performance_axis)}</text>"
    )
    out.append(
        "<text" + _attrs(x=_LEFT + 3 * _CELL_W // 2, y=_GRID_BOTTOM + 48, text_anchor="middle", font_size=14,
                         font_weight=700) + f">{escape(labels.potential_axis)}</text>"
    )
    for row, name in enumerate(PERFORMANCE_ROWS):
        lines = _wrap(labels.rows.get(name, name))
        centre = _TOP + row * _CELL_H + _CELL_H // 2
        first = centre - (len(lines) - 1) * 8 + 4
        spans = "".join(
            "<tspan" + _attrs(x=_LEFT - 6, y=first + i * 16) + f">{escape(line)}</tspan>"
            for i, line in enumerate(lines)
        )
        out.append("<text" + _attrs(text_anchor="end", font_size=13) + f">{spans}</text>")
    for column, name in enumerate(POTENTIAL_COLUMNS):
        out.append(
            "<text" + _attrs(x=_LEFT + column * _CELL_W + _CELL_W // 2, y=_GRID_BOTTOM + 22, text_anchor="middle",
                             font_size=13) + f">{escape(labels.columns.get(name, name))}</text>"
        )
    for row, boxes in enumerate(GRID):
        for column, box in enumerate(boxes):
            out.append(_cell(box, counts.get(box, 0), row, column, box in krs, labels, describe(box)))
    out.append("</svg>")
    return "\n".join(out)


def _cell(box: int, count: int, row: int, column: int, is_krs: bool, labels: NineBoxLabels, text: str) -> str:
    x, y = _LEFT + column * _CELL_W, _TOP + row * _CELL_H
    klass = "ninebox-cell ninebox-cell--krs" if is_krs else "ninebox-cell"
    parts = [
        "<g" + _attrs(class_=klass, data_box=box, data_count=count) + ">",
        f"<title>{escape(text)}</title>",
        "<rect" + _attrs(
            x=x + 2, y=y + 2, width=_CELL_W - 4, height=_CELL_H - 4, rx=3,
            fill=_KRS_FILL if is_krs else _PLAIN_FILL, stroke=_KRS_LINE if is_krs else _LINE,
            stroke_width=3 if is_krs else 1,
        ) + "/>",
        "<text" + _attrs(x=x + 9, y=y + 20, font_size=12, fill=_MUTED)
        + f">{escape(labels.box_word.format(box=box))}</text>",
        "<text" + _attrs(class_="ninebox-count", x=x + _CELL_W // 2, y=y + _CELL_H // 2 + 14, text_anchor="middle",
                         font_size=30, font_weight=700, fill=_INK if count else _MUTED)
        + f">{count}</text>",
    ]
    if is_krs:
        parts.append(
            "<text" + _attrs(x=x + _CELL_W - 9, y=y + _CELL_H - 10, text_anchor="end", font_size=11, font_weight=700,
                             fill=_KRS_LINE) + f">{escape(labels.krs_tag)}</text>"
        )
    parts.append("</g>")
    return "".join(parts)
