"""INSEE regions (SPEC §2, issue 15 item 1): the official region of all 101 departments, seeded by migration
0011 and given to every department, whichever way it is written; and the ISO 639-3 languages of agir/languages.py."""

import pytest
from flask_migrate import upgrade
from sqlalchemy import create_engine, select, text

from agir import languages
from agir.extensions import db
from agir.reference_geo import DEPARTMENT_REGIONS, REGIONS, departments_of, region_of
from models import Region
from tests import factories
from tests.test_migrations import _fresh_url, app_on

# Every department's INSEE code: 01–95 without 20 (Corsica is 2A and 2B), and the five overseas ones.
ALL_DEPARTMENTS = ({f"{n:02d}" for n in range(1, 96) if n != 20} | {"2A", "2B"}
                   | {"971", "972", "973", "974", "976"})


def test_all_101_departments_have_a_region_and_only_they():
    assert len(ALL_DEPARTMENTS) == 101
    assert set(DEPARTMENT_REGIONS) == ALL_DEPARTMENTS
    assert set(DEPARTMENT_REGIONS.values()) == set(REGIONS)
    assert len(REGIONS) == 18
    assert region_of("975") is None and region_of("20") is None and region_of("977") is None


@pytest.mark.parametrize(("department", "region"), [
    ("2A", "94"), ("2B", "94"), ("971", "01"), ("972", "02"), ("973", "03"), ("974", "04"), ("976", "06"),
    ("75", "11"), ("93", "11"), ("33", "75"), ("64", "75"), ("87", "75"), ("69", "84"), ("01", "84"),
    ("13", "93"), ("06", "93"), ("59", "32"), ("02", "32"), ("67", "44"), ("08", "44"), ("31", "76"),
    ("48", "76"), ("35", "53"), ("44", "52"), ("85", "52"), ("14", "28"), ("76", "28"), ("21", "27"),
    ("90", "27"), ("37", "24"), ("45", "24"),
])
def test_a_department_belongs_to_its_official_region(department, region):
    assert region_of(department) == region
    assert department in departments_of(region)


def test_regions_group_the_expected_number_of_departments():
    sizes = {code: len(departments_of(code)) for code in REGIONS}
    assert sizes == {"01": 1, "02": 1, "03": 1, "04": 1, "06": 1, "11": 8, "24": 6, "27": 8, "28": 5, "32": 5,
                     "44": 10, "52": 5, "53": 4, "75": 12, "76": 13, "84": 12, "93": 6, "94": 2}
    assert REGIONS["04"] == "La Réunion" and REGIONS["94"] == "Corse" and REGIONS["84"] == "Auvergne-Rhône-Alpes"


def test_a_department_written_through_the_orm_gets_its_region_and_follows_its_code(app_ctx):
    gironde = factories.make_department("33", "Gironde")
    reunion = factories.make_department("974", "La Réunion", agir_start=None, wave=None)
    db.session.commit()
    assert (gironde.region.code, gironde.region.name) == ("75", "Nouvelle-Aquitaine")
    assert reunion.region.code == "04"
    gironde.code = "2A"
    db.session.commit()
    db.session.refresh(gironde)
    assert gironde.region.code == "94"
    # One row per region met (the tests' schema is not seeded): a row is created when first needed, never twice.
    factories.make_department("64", "Pyrénées-Atlantiques")
    db.session.commit()
    assert db.session.scalars(select(Region.code).order_by(Region.code)).all() == ["04", "75", "94"]


def test_the_migration_seeds_the_regions_and_gives_existing_departments_theirs():
    url = _fresh_url("regions")
    application = app_on(url)
    with application.app_context():
        upgrade(revision="0007")
        engine = create_engine(url)
        with engine.begin() as conn:
            conn.execute(text("INSERT INTO departments (code, name, max_months, version_id) VALUES "
                              "('33', 'Gironde', 12, 1), ('2B', 'Haute-Corse', 12, 1), ('976', 'Mayotte', 12, 1)"))
        upgrade(revision="0011")
        with engine.connect() as conn:
            regions = dict(conn.execute(text("SELECT code, name FROM regions")).all())
            mapped = dict(conn.execute(text("SELECT d.code, r.code FROM departments d JOIN regions r "
                                            "ON r.id = d.region_id")).all())
        engine.dispose()
        db.engine.dispose()
    assert regions == REGIONS
    assert mapped == {"33": "75", "2B": "94", "976": "06"}


# ISO 639-3 ------------------------------------------------------------------------------------

@pytest.mark.parametrize("code", ["fra", "eng", "arb", "prs", "pus", "tir", "som", "ukr", "rus", "tur", "kmr", "fuf",
                                  "sus", "ara", "fas", "ckb", "amh", "lin", "bam", "wol", "snk", "mnk", "hye", "kat"])
def test_the_codes_of_the_contract_and_the_whole_standard_are_iso639_3(code):
    assert languages.is_iso639_3(code)


@pytest.mark.parametrize("code", ["fr", "FRA", "Prs", "fra ", "", "xyq", "zzzz", None, 123, "en-GB"])
def test_anything_else_is_not(code):
    assert not languages.is_iso639_3(code)


def test_the_list_is_the_maintained_standard_not_a_short_list():
    # ISO 639-3 holds about 7,900 codes; a list typed by hand would hold a few dozen.
    assert sum(1 for _ in languages.pycountry.languages) > 7000


def test_names_in_french_and_in_english():
    assert languages.name("prs") == "Dari"
    assert languages.name("arb", "fr") == "Arabe standard"
    assert languages.name("arb", "en") == "Standard Arabic"
    assert languages.name("fra", "fr") == "Français"
    assert languages.name("tir", "en") == "Tigrinya"
    assert languages.name("xyq") == "xyq"  # unknown: the code itself
