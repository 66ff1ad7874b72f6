"""The checklist of expected proofs (SPEC §4.7, issue 18 item 1) as a pure rule: which document kind proves
which right, housing or employment step, and the state of what the file holds."""
from datetime import date, timedelta

import pytest

from agir.rules import documents_checklist as rules
from models.enums import DOCUMENT_KINDS, HOUSING_KINDS, HOUSING_STEP_KINDS, JOB_KINDS, RIGHT_KINDS

TODAY = date(2024, 3, 15)


def held(i, kind, expires=None, on=date(2023, 1, 1), current=True, usable=True, scanning=False):
    return rules.Held(id=i, kind=kind, document_on=on, expires_on=expires, current=current, usable=usable,
                      scanning=scanning)


def test_the_tables_cover_every_step_kind_and_name_only_document_kinds_of_the_contract():
    assert set(rules.RIGHT_PROOFS) == set(RIGHT_KINDS)
    assert set(rules.HOUSING_STEP_PROOFS) == set(HOUSING_STEP_KINDS)
    assert set(rules.HOUSING_PROOFS) == set(HOUSING_KINDS)
    assert set(rules.JOB_PROOFS) == set(JOB_KINDS)
    named = {k for table in (rules.RIGHT_PROOFS, rules.HOUSING_STEP_PROOFS, rules.HOUSING_PROOFS, rules.JOB_PROOFS)
             for kinds in table.values() for k in kinds}
    assert named <= set(DOCUMENT_KINDS)
    assert not named & set(rules.NEVER_EXPECTED)


@pytest.mark.parametrize("right, kind", [
    ("residence_permit", "residence_permit"), ("civil_status", "identity"), ("caf_benefits", "caf"),
    ("rsa", "caf"), ("health_insurance", "health_insurance"), ("complementary_health", "health_insurance"),
    ("bank_account", "bank_details"),
])
def test_an_obtained_right_asks_for_its_certificate(right, kind):
    expected = rules.expected_proofs(rights=[(right, "obtained")])
    assert [(e.kind, e.reasons) for e in expected] == [(kind, [rules.Reason("right", right)])]


@pytest.mark.parametrize("state", ["todo", "requested", "refused", "not_applicable"])
def test_a_right_not_obtained_asks_for_nothing(state):
    assert rules.expected_proofs(rights=[("caf_benefits", state), ("bank_account", state)]) == []


def test_housing_and_employment_steps():
    expected = rules.expected_proofs(housing_steps=["social_housing_application", "siao_application"],
                                     housing=["temporary", "social_rental", "iml_sublet"],
                                     jobs=["self_employed", "cdd", "cdi"])
    assert [(e.kind, [(r.area, r.kind) for r in e.reasons]) for e in expected] == [
        ("residence_permit", [("housing_step", "social_housing_application")]),
        ("lease", [("housing", "social_rental"), ("housing", "iml_sublet")]),
        ("employment_contract", [("job", "cdd"), ("job", "cdi")]),
    ]


def test_one_line_per_kind_with_every_step_asking_for_it_in_the_order_of_the_kinds():
    expected = rules.expected_proofs(rights=[("bank_account", "obtained"), ("residence_permit", "obtained")],
                                     housing_steps=["social_housing_application", "social_housing_application"],
                                     permit_recorded=True)
    assert [e.kind for e in expected] == ["residence_permit", "bank_details"]
    assert [r.area for r in expected[0].reasons] == ["permit", "right", "housing_step"]


@pytest.mark.parametrize("expires, state", [
    (None, "valid"), (TODAY + timedelta(days=91), "valid"), (TODAY + timedelta(days=90), "expiring"),
    (TODAY, "expiring"), (TODAY - timedelta(days=1), "expired"),
])
def test_proof_state_uses_the_ninety_days_of_the_alert(expires, state):
    assert rules.proof_state(expires, TODAY) == state


def test_checklist_present_expiring_expired_missing():
    expected = rules.expected_proofs(rights=[("caf_benefits", "obtained"), ("bank_account", "obtained"),
                                             ("health_insurance", "obtained")], jobs=["cdi"])
    docs = [held(1, "caf", TODAY + timedelta(days=30)), held(2, "bank_details"),
            held(3, "health_insurance", TODAY - timedelta(days=3)), held(4, "lease")]
    lines = rules.checklist(expected, docs, TODAY)
    assert [(line.kind, line.state, line.document.id if line.document else None) for line in lines] == [
        ("caf", "expiring", 1), ("health_insurance", "expired", 3), ("bank_details", "valid", 2),
        ("employment_contract", "missing", None)]
    assert rules.missing_count(lines) == 1


def test_a_replaced_or_infected_document_is_not_present():
    expected = rules.expected_proofs(rights=[("residence_permit", "obtained")])
    replaced = held(1, "residence_permit", date(2030, 1, 1), current=False)
    infected = held(2, "residence_permit", date(2031, 1, 1), usable=False)
    assert rules.checklist(expected, [replaced, infected], TODAY)[0].state == "missing"
    renewed = held(3, "residence_permit", TODAY + timedelta(days=10))
    line = rules.checklist(expected, [replaced, infected, renewed], TODAY)[0]
    assert (line.state, line.document.id) == ("expiring", 3)


def test_a_document_waiting_for_its_scan_is_not_yet_a_proof_nor_missing():
    """Nobody can open a document no scanner has answered for: it proves nothing yet, but the référent who added it
    must not read « Manquant » either (docs/rules.md, « Scan states »)."""
    expected = rules.expected_proofs(rights=[("residence_permit", "obtained")])
    waiting = held(1, "residence_permit", date(2030, 1, 1), on=date(2024, 3, 1), scanning=True)
    line = rules.checklist(expected, [waiting], TODAY)[0]
    assert (line.state, line.document.id) == ("pending", 1)
    assert rules.missing_count([line]) == 0
    older_clean = held(2, "residence_permit", TODAY + timedelta(days=20), on=date(2023, 1, 1))
    line = rules.checklist(expected, [waiting, older_clean], TODAY)[0]
    assert (line.state, line.document.id) == ("expiring", 2)  # the clean one proves; the waiting one does not yet
    assert rules.checklist(expected, [held(3, "residence_permit", scanning=True, current=False)], TODAY)[0].state \
        == "missing"


def test_the_best_proof_is_the_one_that_proves_longest():
    docs = [held(1, "identity", date(2030, 1, 1)), held(2, "identity", date(2029, 1, 1), on=date(2024, 1, 1))]
    assert rules.best_proof(docs, "identity").id == 1
    assert rules.best_proof(docs + [held(3, "identity", None, on=date(2020, 1, 1))], "identity").id == 3
