"""Masking of small counts (issue 19), tested the way an auditor would: publish a column for the whole country
(every department, every region's total as its regional page shows it, the national total), then try every
subtraction — every linear combination of the equations the published cells obey — and check that no hidden
cell's value comes back."""
from fractions import Fraction

from hypothesis import given, settings
from hypothesis import strategies as st

from agir.rules.masking import THRESHOLD, is_small, mask_column, mask_derived

VALUES = st.sampled_from([0, 0, 1, 2, 3, 4, 5, 6, 9, 40])


@st.composite
def countries(draw):
    """{department: (region, count)}: 1 to 5 regions of 1 to 5 departments."""
    country = {}
    for region in range(draw(st.integers(1, 5))):
        for n in range(draw(st.integers(1, 5))):
            country[f"d{region}{n}"] = (f"r{region}", draw(VALUES))
    return country


def rank(rows: list[list[Fraction]]) -> int:
    """Rank of a matrix by Gaussian elimination on exact fractions."""
    rows = [list(row) for row in rows if any(row)]
    r = 0
    width = len(rows[0]) if rows else 0
    for col in range(width):
        pivot = next((i for i in range(r, len(rows)) if rows[i][col] != 0), None)
        if pivot is None:
            continue
        rows[r], rows[pivot] = rows[pivot], rows[r]
        for i in range(len(rows)):
            if i != r and rows[i][col] != 0:
                factor = rows[i][col] / rows[r][col]
                rows[i] = [a - factor * b for a, b in zip(rows[i], rows[r], strict=True)]
        r += 1
    return r


def published(country: dict):
    """Every cell (department, region total, national total) with its value, and the hidden ones."""
    values = {code: value for code, (_, value) in country.items()}
    groups = {code: region for code, (region, _) in country.items()}
    masked = mask_column(values, groups)
    cells = dict(values)
    for region in set(groups.values()):
        cells[("total", region)] = sum(v for code, v in values.items() if groups[code] == region)
    cells["national"] = sum(values.values())
    hidden = set(masked.cells) | {("total", region) for region in masked.groups}
    if masked.total:
        hidden.add("national")
    equations = [[("total", region), *[code for code in values if groups[code] == region]]
                 for region in set(groups.values())]
    equations.append(["national", *[("total", region) for region in set(groups.values())]])
    return cells, hidden, equations


def recoverable(cells: dict, hidden: set, equations: list) -> set:
    """The hidden cells whose value follows from the published ones: x is recovered when its unit vector is a
    combination of the equations (each `first − Σ others = 0`) restricted to the hidden unknowns."""
    unknowns = sorted(hidden, key=str)
    index = {cell: i for i, cell in enumerate(unknowns)}
    matrix = []
    for first, *others in equations:
        row = [Fraction(0)] * len(unknowns)
        for cell, sign in [(first, 1), *((other, -1) for other in others)]:
            if cell in index:
                row[index[cell]] += sign
        matrix.append(row)
    base = rank(matrix)
    found = set()
    for cell in unknowns:
        unit = [Fraction(1 if i == index[cell] else 0) for i in range(len(unknowns))]
        if rank([*matrix, unit]) == base:
            found.add(cell)
    return found


@settings(max_examples=400, deadline=None)
@given(countries())
def test_no_subtraction_between_published_cells_gives_a_hidden_count_back(country):
    cells, hidden, equations = published(country)
    assert {cell for cell, value in cells.items() if is_small(value)} <= hidden  # every count 1..4 is hidden
    assert not recoverable(cells, hidden, equations)


@settings(max_examples=200, deadline=None)
@given(countries())
def test_a_regional_page_hides_what_the_national_page_hides(country):
    values = {code: value for code, (_, value) in country.items()}
    groups = {code: region for code, (region, _) in country.items()}
    national = mask_column(values, groups)
    for region in set(groups.values()):
        mine = {code: v for code, v in values.items() if groups[code] == region}
        regional = mask_column(mine, {code: region for code in mine})
        assert regional.cells == {code for code in national.cells if code in mine}
        assert (region in regional.groups) == (region in national.groups)


def test_the_auditor_finds_the_leak_of_a_mask_without_complement():
    """The test itself catches a naive masking (only the small counts hidden)."""
    cells = {"a": 3, "b": 10, ("total", "r"): 13, "national": 13}
    equations = [[("total", "r"), "a", "b"], ["national", ("total", "r")]]
    assert recoverable(cells, {"a"}, equations) == {"a"}
    assert recoverable(cells, {"a", "b"}, equations) == set()


def test_a_lone_department_hides_its_region_and_the_national_total():
    masked = mask_column({"974": 2, "33": 40, "86": 12}, {"974": "04", "33": "75", "86": "75"})
    assert masked.cells == {"974"} and masked.groups == {"04"} and masked.total
    masked = mask_column({"33": 3, "86": 12, "87": 0}, {"33": "75", "86": "75", "87": "75"})
    assert masked.cells == {"33", "86"} and not masked.groups and not masked.total  # a non-zero complement first
    assert THRESHOLD == 5 and not is_small(0) and is_small(4) and not is_small(5)


def test_derived_figures_follow_their_counts():
    derived = {"housing_share": ("permanent_housing", "exits"), "average_duration_months": ("exits",)}
    assert mask_derived({"exits"}, derived) == {"housing_share", "average_duration_months"}
    assert mask_derived({"permanent_housing"}, derived) == {"housing_share"}
    assert mask_derived(set(), derived) == set()
