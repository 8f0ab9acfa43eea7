"""The household check's two paths: `check_rows` (a block of rows, a column at a time) must give exactly
what `check` (one row at a time) gives: the same errors with their rows and columns, the same staging lines."""

import pytest
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from canvassing.importing import COLUMN_ALIASES, RowChecker

FIELDS = list(COLUMN_ALIASES)
ANY_TEXT = st.text(alphabet=st.sampled_from("aZ 1９.-'\\\t\n\r\x01\x7f#号Ｂ楼ß\u0301;|、"), max_size=8)
PLAIN = st.sampled_from(["", "A", " b ", "Ｂ楼 ", "No. 7", "ß", "x" * 60, "=1+1", "+5", "  "])
CELLS = {
    "external_id": st.sampled_from(["", "E1", "E2", " E1 ", "E3"]),
    "street": st.sampled_from(["", "Java Road", " java  road ", "英皇道", "x" * 201, "Ｊａｖａ Road"]),
    "house_number": st.sampled_from(["", "1", "2", " 12A ", "No. 7", "１２", "9" * 12, "x" * 21]),
    "building": st.sampled_from(["", "Block A", "北角大厦", "=SUM(A1)"]),
    "latitude": st.sampled_from(["", "22.3", " 22.29 ", "91", "-90", "nan", "inf", "２２.３", "1_0", "abc", "1e1"]),
    "longitude": st.sampled_from(["", "114.2", "181", "-180", "NaN", "-inf", "１１４", "1e2", "x"]),
    "resident_name": st.sampled_from(["", "Ada Lovelace", "陈大文;李小明", "Bo", "x" * 120, " ; "]),
    "resident_phone": st.sampled_from(
        ["", "+852 9123 4567", "'+85291234567", "not a phone", "+85291234567;+85291234568"]
    ),
    "resident_age_band": st.sampled_from(["", "30-44", "65+;18-29", "elderly", "18至29", " U18 "]),
}


@st.composite
def files(draw):
    layout = draw(st.permutations([*FIELDS, None, None]))[: draw(st.integers(min_value=1, max_value=len(FIELDS) + 2))]
    mapping, seen = {}, set()
    for index, name in enumerate(layout):
        if name and name not in seen:
            mapping[str(index)] = name
            seen.add(name)
    width = len(layout)
    fields = [mapping.get(str(index)) for index in range(width)]
    rows = []
    for number in range(2, 2 + draw(st.integers(min_value=0, max_value=40))):
        cells = [draw(CELLS.get(name, PLAIN) if draw(st.integers(0, 9)) else ANY_TEXT) for name in fields]
        shape = draw(st.integers(0, 19))
        if shape == 0:
            cells = cells[: draw(st.integers(0, width))]  # a short row
        elif shape == 1:
            cells += [draw(ANY_TEXT) for _ in range(draw(st.integers(1, 2)))]  # cells past the header
        rows.append((number, cells))
    blocks = draw(st.lists(st.integers(min_value=1, max_value=15), min_size=1, max_size=6))
    return mapping, width, rows, blocks


def _one_at_a_time(mapping, width, rows):
    checker = RowChecker(mapping, width)
    errors, households, residents = [], [], []
    for number, cells in rows:
        found, household, people = checker.check(number, list(cells))
        errors += found
        households += [household] if household is not None else []
        residents += people
    return [e.as_dict() for e in errors], households, residents


def _in_blocks(mapping, width, rows, sizes):
    checker = RowChecker(mapping, width)
    errors, households, residents = [], [], []
    start, turn = 0, 0
    while start < len(rows):
        size = sizes[turn % len(sizes)]
        found, household_lines, resident_lines = checker.check_rows(
            [(n, list(c)) for n, c in rows[start : start + size]]
        )
        errors += found
        households += household_lines
        residents += resident_lines
        start, turn = start + size, turn + 1
    return [e.as_dict() for e in errors], households, residents


@given(file=files())
@hypothesis_settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_check_rows_gives_what_check_gives(file):
    mapping, width, rows, blocks = file
    assert _in_blocks(mapping, width, rows, blocks) == _one_at_a_time(mapping, width, rows)


@pytest.mark.parametrize(
    "cells",
    [
        ["Java Road", "1", "22.3", "114.2"],
        ["Java Road", "2", "", ""],
        ["Java Road", "3", "nan", "114.2"],
        ["Java Road", "4", "22.3", ""],
        ["Java Road", "5", "91", "114"],
        ["Java Road", "6", "２２.３", "114"],
        ["Java\\Road", "7", "22", "114"],
    ],
)
def test_coordinates_of_a_block_match_one_row(cells):
    """The whole-column fast path and its row-by-row fallback, each beside plain rows."""
    mapping = {"0": "street", "1": "house_number", "2": "latitude", "3": "longitude"}
    plain = [(n, [f"Road {n}", str(n), "22.1", "114.1"]) for n in range(2, 6)]
    rows = [*plain, (6, cells), (7, ["Java Road", "8", "22.29", "114.2"])]
    assert _in_blocks(mapping, 4, rows, [100]) == _one_at_a_time(mapping, 4, rows)
