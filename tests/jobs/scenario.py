"""A department where every alert of SPEC §4.4 holds once on AS_OF, plus look-alikes that must not."""
from datetime import date
from types import SimpleNamespace

from agir.extensions import db
from models import Exit, FollowUp, Note, Referral
from tests import factories as f

AS_OF = date(2023, 6, 15)

# The JSON `agir alerts --as-of 2023-06-15` must print, in its order (date, kind, person, structure).
EXPECTED = [
    {"kind": "inactive", "person": "P-F", "structure": "S-AGIR", "date": "2023-03-03"},
    {"kind": "overdue", "person": "P-B", "structure": "S-AGIR", "date": "2023-05-01"},
    {"kind": "over_limit", "person": "P-B", "structure": "S-AGIR", "date": "2023-05-02"},
    {"kind": "permit_expiry", "person": "P-C", "structure": "S-AGIR", "date": "2023-05-03"},
    {"kind": "followup_due", "person": "P-E", "structure": "S-AGIR", "date": "2023-05-30"},
    {"kind": "eligibility_closing", "person": "P-G", "structure": "S-AGIR", "date": "2023-06-01"},
    {"kind": "referral_unanswered", "person": "P-D", "structure": "S-AGIR", "date": "2023-06-05"},
    {"kind": "referral_unanswered", "person": "P-D", "structure": "S-LANG", "date": "2023-06-05"},
    {"kind": "end_soon", "person": "P-A", "structure": "S-AGIR", "date": "2023-06-10"},
    {"kind": "eligibility_closing", "person": "P-H", "structure": None, "date": "2023-06-10"},
    {"kind": "inactive", "person": "P-X", "structure": "S-OTHER", "date": "2023-06-14"},
]


def note(person, day):
    db.session.add(Note(person=person, noted_on=day, text="Entretien"))


def exit_(acc, day, reason="goals_reached", followup_on=None):
    acc.exit_on = day
    ex = Exit(accompaniment=acc, exit_on=day, reason=reason)
    if followup_on:
        ex.followup = FollowUp(followup_on=followup_on, is_positive=True)
    db.session.add(ex)


def referral(person, programme, sent, sender=None, **dates):
    state = "sent"
    for name in ("accepted", "refused", "cancelled"):
        if dates.get(f"{name}_on"):
            state = name
    r = Referral(person=person, programme=programme, sender_structure=sender, sent_on=sent, state=state, **dates)
    db.session.add(r)
    return r


def build(world):
    """Persons P-A … P-H each with one alert on AS_OF, and look-alikes with none."""
    dep, agir, other = world.department, world.agir, world.other
    p = SimpleNamespace()
    p.a = f.make_person(dep, agir, ref="P-A", last_name="Alpha")
    f.make_accompaniment(p.a, agir, start=date(2022, 9, 1), planned_end=date(2023, 7, 10))
    note(p.a, date(2023, 6, 1))
    p.b = f.make_person(dep, agir, ref="P-B", last_name="Bravo")
    f.make_accompaniment(p.b, agir, start=date(2022, 5, 1), planned_end=date(2023, 4, 30))
    note(p.b, date(2023, 6, 10))
    p.c = f.make_person(dep, agir, ref="P-C", last_name="Charlie", permit_expiry_on=date(2023, 8, 1))
    f.make_accompaniment(p.c, agir, start=date(2023, 1, 1), planned_end=date(2023, 12, 31))
    note(p.c, date(2023, 6, 1))
    p.d = f.make_person(dep, agir, ref="P-D", last_name="Delta")
    p.d_referral = referral(p.d, world.programme, date(2023, 5, 20), sender=agir)
    p.e = f.make_person(dep, agir, ref="P-E", last_name="Echo")
    p.e_acc = f.make_accompaniment(p.e, agir, start=date(2022, 7, 1), planned_end=date(2023, 6, 30))
    exit_(p.e_acc, date(2022, 11, 30), reason="moved_away")
    p.f = f.make_person(dep, agir, ref="P-F", last_name="Foxtrot")
    f.make_accompaniment(p.f, agir, start=date(2023, 1, 2), planned_end=date(2023, 12, 31))
    p.g = f.make_person(dep, agir, ref="P-G", last_name="Golf", protection_on=date(2021, 7, 1))
    p.h = f.make_person(dep, None, ref="P-H", last_name="Hotel", protection_on=date(2021, 7, 10))
    # Another structure's person: inactive for S-OTHER only.
    p.x = f.make_person(dep, other, ref="P-X", last_name="Xray")
    f.make_accompaniment(p.x, other, start=date(2023, 4, 15), planned_end=date(2024, 4, 14))

    # Look-alikes: nothing holds for them on AS_OF.
    quiet = f.make_person(dep, agir, ref="P-Q1", permit_expiry_on=date(2023, 9, 14))  # 91 days ahead
    f.make_accompaniment(quiet, agir, start=date(2023, 4, 17), planned_end=date(2023, 7, 16))  # 31 days ahead
    answered = f.make_person(dep, agir, ref="P-Q2")
    # Accepted, to another programme: one open referral per person and programme (issue 13).
    other_programme = f.make_programme(dep, world.school, ref="PR-LANG-2", name="Français à l'oral")
    referral(answered, other_programme, date(2023, 5, 1), sender=agir, accepted_on=date(2023, 5, 10))
    referral(answered, world.programme, date(2023, 5, 31), sender=agir)  # 15 days only
    f.make_person(dep, agir, ref="P-Q7", protection_on=date(2021, 7, 16))  # two years end in 31 days
    followed = f.make_person(dep, agir, ref="P-Q3")
    acc = f.make_accompaniment(followed, agir, start=date(2022, 7, 1), planned_end=date(2023, 6, 30))
    exit_(acc, date(2022, 11, 30), followup_on=date(2023, 6, 1))
    closed = f.make_person(dep, agir, ref="P-Q4", permit_expiry_on=date(2023, 6, 1))  # exited: not followed
    acc = f.make_accompaniment(closed, agir, start=date(2022, 7, 1), planned_end=date(2023, 6, 30))
    exit_(acc, date(2023, 6, 15), followup_on=None)
    enrolled = f.make_person(dep, agir, ref="P-Q5", protection_on=date(2021, 7, 1))
    f.make_accompaniment(enrolled, agir, start=date(2023, 6, 1), planned_end=date(2024, 5, 31))
    future = f.make_person(dep, agir, ref="P-Q6")
    f.make_accompaniment(future, agir, start=date(2023, 6, 16), planned_end=date(2023, 7, 1))
    db.session.commit()
    return p
