"""The 9-box SVG (``workflow.ninebox_svg``): well-formed, numbered as PermenPANRB 3/2020, accessible."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest

from workflow.ninebox_svg import GRID, NineBoxLabels, cell_position, render_ninebox

NS = "{http://www.w3.org/2000/svg}"


def parse(svg: str) -> ET.Element:
    return ET.fromstring(svg)


def cells(root: ET.Element) -> dict[int, ET.Element]:
    return {int(g.attrib["data-box"]): g for g in root.iter(f"{NS}g")}


def test_grid_rows_top_to_bottom_are_479_258_136() -> None:
    assert GRID == ((4, 7, 9), (2, 5, 8), (1, 3, 6))
    assert cell_position(9) == (0, 2) and cell_position(1) == (2, 0) and cell_position(5) == (1, 1)
    with pytest.raises(ValueError):
        cell_position(10)


def test_well_formed_with_the_counts_of_a_known_pool() -> None:
    pool_boxes = [9, 9, 8, 5, 5, 5, 1, 7]
    counts = {box: pool_boxes.count(box) for box in set(pool_boxes)}
    root = parse(render_ninebox(counts, unplaced=2))
    assert root.tag == f"{NS}svg"
    found = cells(root)
    assert set(found) == set(range(1, 10))
    for box, g in found.items():
        count_text = next(t for t in g.iter(f"{NS}text") if t.attrib.get("class") == "ninebox-count")
        assert int(count_text.text or "") == counts.get(box, 0) == int(g.attrib["data-count"])


def test_cells_are_placed_as_the_grid_reads() -> None:
    root = parse(render_ninebox({}))
    rects = {box: g.find(f"{NS}rect") for box, g in cells(root).items()}
    xy = {box: (float(r.attrib["x"]), float(r.attrib["y"])) for box, r in rects.items() if r is not None}
    for row in GRID:  # left to right within a row: same y, growing x
        assert len({xy[b][1] for b in row}) == 1
        assert [xy[b][0] for b in row] == sorted(xy[b][0] for b in row)
    # Top to bottom: the row of 9 above the row of 8 above the row of 6.
    assert xy[9][1] < xy[8][1] < xy[6][1]
    assert xy[4][0] == xy[2][0] == xy[1][0]


def test_accessible_title_desc_role_and_text_not_only_colour() -> None:
    svg = render_ninebox({9: 2, 3: 1}, unplaced=1)
    root = parse(svg)
    assert root.attrib["role"] == "img"
    title, desc = root.find(f"{NS}title"), root.find(f"{NS}desc")
    assert title is not None and desc is not None
    assert root.attrib["aria-labelledby"] == f"{title.attrib['id']} {desc.attrib['id']}"
    assert "Kotak 9" in (desc.text or "") and "2 kandidat" in (desc.text or "") and "1 belum" in (desc.text or "")
    # The succession-group boxes say "KRS" in text as well as by their fill.
    found = cells(root)
    for box in range(1, 10):
        texts = [t.text for t in found[box].iter(f"{NS}text")]
        assert ("KRS" in texts) == (box in {7, 8, 9})
        cell_title = found[box].find(f"{NS}title")
        assert cell_title is not None and f"Kotak {box}" in (cell_title.text or "")
    axis = [t.text for t in root.iter(f"{NS}text")]
    assert "Kinerja" in axis and "Potensial" in axis


def test_no_inline_style_and_no_external_reference() -> None:
    svg = render_ninebox({5: 3})
    assert "style=" not in svg and "<style" not in svg
    assert "href" not in svg and "http://" not in svg.replace('xmlns="http://www.w3.org/2000/svg"', "")
    assert "<script" not in svg


def test_labels_come_from_the_caller_and_are_escaped() -> None:
    labels = NineBoxLabels(
        title="Talent <grid> & pool", performance_axis="Performance", potential_axis="Potential",
        rows={"di_atas": "Above", "sesuai": "Meets", "di_bawah": "Below"},
        columns={"rendah": "Low", "menengah": "Medium", "tinggi": "High"},
        box_word="Box {box}", cell="Box {box} ({label}): {count} candidates.",
        cell_krs="Box {box} ({label}), succession group: {count} candidates.",
        summary="{total} placed; {unplaced} not placed.", box_labels={9: "top"},
    )
    root = parse(render_ninebox({9: 1}, labels=labels, krs_boxes={9}, id_prefix="pool-a"))
    title = root.find(f"{NS}title")
    assert title is not None and title.text == "Talent <grid> & pool" and title.attrib["id"] == "pool-a-title"
    texts = [t.text for t in root.iter(f"{NS}text")] + [s.text for s in root.iter(f"{NS}tspan")]
    assert {"Performance", "Potential", "Above", "High", "Box 9"} <= set(texts)
    assert "Box 9 (top), succession group: 1 candidates." in (root.find(f"{NS}desc").text or "")  # type: ignore[union-attr]
    assert [t.text for t in cells(root)[8].iter(f"{NS}text")].count("KRS") == 0  # only box 9 is KRS here


@pytest.mark.parametrize("counts, unplaced", [({0: 1}, 0), ({10: 1}, 0), ({5: -1}, 0), ({}, -1)])
def test_bad_counts_are_refused(counts: dict[int, int], unplaced: int) -> None:
    with pytest.raises(ValueError):
        render_ninebox(counts, unplaced=unplaced)
