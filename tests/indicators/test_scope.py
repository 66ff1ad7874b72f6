"""Scope by department and by structure: which persons and which programmes count (INTERCHANGE.md)."""
from datetime import date

import pytest

from agir.indicators import ScopeError, build_scope
from tests import factories as f
from tests.indicators.helpers import accompaniment, housing, indicators, participation, person


@pytest.fixture
def scoped(world):
    """p1 held by S-AGIR; p2 held by S-OTHER and in PR-LANG; p3 only in PR-LANG; p4 held by S-OTHER;
    p5 in a programme of another school; a programme of department 2A."""
    other_school = f.make_structure(world.department, "programme_operator", ref="S-LANG2")
    other_lang = f.make_programme(world.department, other_school, ref="PR-LANG2", total_cost=500.0, p104_subsidy=500.0,
                                  sessions=((date(2022, 3, 1), 2.0),))
    corse = f.make_department(code="2A", name="Corse-du-Sud")
    corse_school = f.make_structure(corse, "programme_operator", ref="S-2A")
    f.make_programme(corse, corse_school, theme="employment", ref="PR-2A", total_cost=7000.0, p104_subsidy=7000.0)
    p1 = person(world, sex="M")
    accompaniment(p1, world.agir, date(2022, 1, 3), exit_on=date(2022, 9, 1), job="cdi")
    housing(p1, "social_rental", date(2022, 5, 1))
    p2 = person(world, structure=world.other)
    accompaniment(p2, world.other, date(2022, 2, 1))
    participation(p2, world.programme, date(2022, 3, 1), date(2022, 6, 1), planned=10, attended=10)
    p3 = person(world, structure=None, status="family", protection_on=None, first_permit_on=date(2021, 1, 1))
    participation(p3, world.programme, date(2022, 3, 1), date(2022, 6, 1), planned=10, attended=2)
    p4 = person(world, structure=world.other)
    accompaniment(p4, world.other, date(2022, 2, 1))
    p5 = person(world, structure=None)
    participation(p5, other_lang, date(2022, 3, 1), date(2022, 6, 1), planned=10, attended=10)
    return world


def test_structure_scope_holding_structure_counts_its_persons_and_no_programme(scoped):
    data = indicators(structure="S-AGIR")
    assert data["scope"]["structure"] == "S-AGIR"
    assert data["public"]["beneficiaries"] == 1 and data["public"]["men"] == 1
    assert data["employment"]["exits"] == 1 and data["employment"]["durable_employment"] == 1
    assert data["housing"]["households_permanent_housing"] == 1
    assert data["language"] == {"training_hours": 0, "assiduous_participants": 0, "progressed_one_level": 0}
    assert data["finance"] == {"total_cost": 0, "p104_subsidy": 0}
    assert data["compliance"]["employment_subsidy_share"] is None
    assert data["compliance"]["non_bpi_share"] is None


def test_structure_scope_programme_operator_counts_its_participants_and_its_programmes(scoped):
    data = indicators(structure="S-LANG")
    assert data["public"]["beneficiaries"] == 2          # p2 and p3
    assert data["language"]["training_hours"] == 3       # sessions of PR-LANG only
    assert data["language"]["assiduous_participants"] == 1
    assert data["finance"] == {"total_cost": 10000, "p104_subsidy": 8000}
    assert data["compliance"]["non_bpi_share"] == 0.5


def test_structure_scope_person_figures_follow_the_persons_wherever_they_attend(scoped):
    # p2 is held by S-OTHER and assiduous in PR-LANG (operated by S-LANG): a person figure of S-OTHER.
    data = indicators(structure="S-OTHER")
    assert data["public"]["beneficiaries"] == 2
    assert data["language"]["assiduous_participants"] == 1
    assert data["language"]["training_hours"] == 0


def test_department_scope_counts_its_programmes_only(scoped):
    gironde = indicators(department="33")
    assert gironde["finance"] == {"total_cost": 10500, "p104_subsidy": 8500}
    assert gironde["public"]["beneficiaries"] == 5
    assert gironde["language"]["training_hours"] == 5
    corse = indicators(department="2A")
    assert corse["finance"] == {"total_cost": 7000, "p104_subsidy": 7000}
    assert corse["compliance"]["employment_subsidy_share"] == 1.0
    assert corse["public"]["beneficiaries"] == 0
    everything = indicators()
    assert everything["finance"] == {"total_cost": 17500, "p104_subsidy": 15500}


def test_department_and_structure_together_intersect(scoped):
    assert indicators(department="33", structure="S-LANG")["public"]["beneficiaries"] == 2
    assert indicators(department="2A", structure="S-LANG")["public"]["beneficiaries"] == 0
    assert indicators(department="2A", structure="S-LANG")["finance"] == {"total_cost": 0, "p104_subsidy": 0}


BAD_ARGUMENTS = [
    (("2022-13-01", "2022-12-31"), "Date invalide pour --from"),
    (("2022-01-01", "31/12/2022"), "Date invalide pour --to"),
    (("2022-02-01", "2022-01-31"), "postérieure à la date de fin"),
    ((None, "2022-01-31"), "--from est obligatoire"),
    (("2022-01-01", "2022-12-31", "99"), "Département inconnu"),
    (("2022-01-01", "2022-12-31", None, "NOPE"), "Structure inconnue"),
    (("2022-01-01", "2022-12-31", None, None, "2022-02-30"), "Date invalide pour --as-of"),
]


def test_bad_arguments_raise_a_french_message(world):
    for args, message in BAD_ARGUMENTS:
        with pytest.raises(ScopeError) as error:
            build_scope(*args)
        assert message in error.value.message, args


def test_as_of_defaults_to_today(world):
    scope = build_scope("2022-01-01", "2022-12-31", today=date(2024, 5, 6))
    assert scope.as_of == date(2024, 5, 6)
    assert build_scope("2022-01-01", "2022-01-01").as_of == date.today()
