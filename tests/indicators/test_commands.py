"""The `indicators` and `cohort` commands print the JSON of INTERCHANGE.md, exit 1 on a bad argument."""
import json
from datetime import date

import pytest

from agir.dates import today
from agir.extensions import db
from tests.indicators.helpers import accompaniment, person, right

INDICATOR_KEYS = {
    "scope": {"from", "to", "department", "structure", "as_of", "region"},
    "public": {"beneficiaries", "men", "women", "under_25", "bpi", "bpi_men", "bpi_women", "bpi_under_25"},
    "employment": {"exits", "average_duration_months", "positive_exits", "in_training", "durable_employment",
                   "positive_at_6_months", "followup_missing"},
    "housing": {"households_permanent_housing"},
    "language": {"training_hours", "assiduous_participants", "progressed_one_level"},
    "health": {"medical_consultations"},
    "digital": {"tools_provided", "training_hours"},
    "mentoring": {"pairs"},
    "sport_culture": {"sport_events", "cultural_events"},
    "republic_values": {"training_hours"},
    "finance": {"total_cost", "p104_subsidy"},
    "compliance": {"non_bpi_share", "employment_subsidy_share", "language_programmes_unreferenced", "overdue",
                   "over_limit"},
    "exit_outcomes": {"exits", "permanent_housing", "employment_or_training", "agir_positive", "housing_share",
                      "employment_share", "agir_positive_share"},
    "entry": {"orientations", "first_interview_within_month", "median_days_to_first_interview", "contracts_signed",
              "contract_within_month"},
    "appointments": {"honoured", "missed", "missed_share"},
}


@pytest.fixture
def data(world):
    p = person(world)
    accompaniment(p, world.agir, date(2022, 9, 1), planned_end=date(2023, 3, 1))
    right(p, "bank_account", obtained=date(2022, 9, 1))
    db.session.commit()
    return world


def test_indicators_prints_every_key_of_the_contract(runner, data):
    result = runner.invoke(args=["agir", "indicators", "--from", "2022-01-01", "--to", "2022-12-31",
                                 "--department", "33", "--as-of", "2023-04-01"])
    assert result.exit_code == 0, result.output
    printed = json.loads(result.stdout)
    for section, keys in INDICATOR_KEYS.items():
        assert keys <= set(printed[section]), section
    assert set(printed) == set(INDICATOR_KEYS)
    assert printed["scope"] == {"from": "2022-01-01", "to": "2022-12-31", "department": "33", "structure": None,
                                "as_of": "2023-04-01", "region": None}
    assert printed["public"]["beneficiaries"] == 1
    assert printed["compliance"]["overdue"] == 1 and printed["compliance"]["over_limit"] == 0
    assert printed["employment"]["average_duration_months"] is None


def test_indicators_as_of_defaults_to_today(runner, data):
    result = runner.invoke(args=["agir", "indicators", "--from", "2022-01-01", "--to", "2022-12-31"])
    assert json.loads(result.stdout)["scope"]["as_of"] == date.today().isoformat()


BAD_INDICATORS = [
    (["--from", "2022-01-32", "--to", "2022-12-31"], "Date invalide pour --from"),
    (["--from", "2022-12-31", "--to", "2022-01-01"], "postérieure"),
    (["--from", "2022-01-01", "--to", "2022-12-31", "--department", "99"], "Département inconnu"),
    (["--from", "2022-01-01", "--to", "2022-12-31", "--structure", "NOPE"], "Structure inconnue"),
    (["--to", "2022-12-31"], "obligatoire"),
    (["--from", "2022-01-01", "--to", "2022-12-31", "--colour", "bleu"], "No such option"),
    (["--from", "2022-01-01", "--to"], "requires an argument"),
]


def test_indicators_bad_arguments_exit_1_with_a_french_message(runner, data):
    for args, message in BAD_INDICATORS:
        result = runner.invoke(args=["agir", "indicators", *args])
        assert result.exit_code == 1, args
        assert message in result.stderr, args
        assert result.stdout == ""


def test_cohort_prints_the_contract(runner, data):
    result = runner.invoke(args=["agir", "cohort", "--entry-from", "2022-07-01", "--entry-to", "2022-09-30",
                                 "--department", "33"])
    assert result.exit_code == 0, result.output
    printed = json.loads(result.stdout)
    assert printed["scope"] == {"entry_from": "2022-07-01", "entry_to": "2022-09-30", "department": "33",
                                "region": None, "as_of": today().isoformat()}
    assert printed["size"] == 1 and printed["months"] == list(range(13))
    assert printed["milestones"]["bank_account"] == [1.0] * 13
    assert printed["milestones"]["health_insurance"] == [0.0] * 13


def test_cohort_bad_arguments_exit_1(runner, data):
    for args in (["--entry-from", "2022-09-30", "--entry-to", "2022-07-01"],
                 ["--entry-from", "2022-07-01", "--entry-to", "juillet"],
                 ["--entry-from", "2022-07-01", "--entry-to", "2022-09-30", "--department", "99"],
                 ["--entry-to", "2022-09-30"]):
        result = runner.invoke(args=["agir", "cohort", *args])
        assert result.exit_code == 1 and "Erreur" in result.stderr, args
