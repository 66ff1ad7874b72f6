"""The data generator: deterministic, valid through the real importer, exact round trip, every state covered."""
import json
import time
from collections import Counter
from datetime import date, timedelta
from itertools import islice

import pytest
from sqlalchemy import func, select

from agir.dates import add_months
from agir.dates import today as paris_today
from agir.demo.generator import generate_lines
from agir.extensions import db
from agir.interchange.exporter import iter_export_lines
from agir.interchange.importer import import_lines
from agir.rules.path import referral_state
from models import Accompaniment, Participation, Person, Referral, enums

TODAY = date(2026, 11, 26)


def records(lines) -> dict:
    """Records by (type, ref), decoded."""
    out = {}
    for line in lines:
        record = json.loads(line)
        out[record["type"], record.get("ref") or record.get("code")] = record
    return out


def test_same_seed_and_today_give_the_same_bytes_and_another_seed_does_not():
    first = "\n".join(generate_lines(300, seed=7, today=TODAY))
    again = "\n".join(generate_lines(300, seed=7, today=TODAY))
    other = "\n".join(generate_lines(300, seed=8, today=TODAY))
    later = "\n".join(generate_lines(300, seed=7, today=date(2026, 12, 26)))
    assert first == again
    assert first not in (other, later)


def test_the_command_streams_the_same_utf8_lines_to_stdout(runner):
    args = ["agir", "generate", "--persons", "120", "--seed", "5", "--today", "2026-11-26", "--departments", "2"]
    result = runner.invoke(args=args)
    assert result.exit_code == 0, result.output
    assert result.stdout_bytes == runner.invoke(args=args).stdout_bytes
    lines = result.stdout_bytes.decode("utf-8").splitlines()
    assert lines == list(generate_lines(120, seed=5, departments=2, today=TODAY))
    kinds = Counter(json.loads(line)["type"] for line in lines)
    assert kinds["department"] == 2 and kinds["person"] == 120


def test_the_command_refuses_a_bad_number_of_departments(runner):
    result = runner.invoke(args=["agir", "generate", "--persons", "1", "--departments", "0"])
    assert result.exit_code == 2
    assert "departments" in result.output


@pytest.mark.parametrize("persons, seed, departments, today", [
    (400, 1, 4, TODAY),
    (120, 2, 16, date(2024, 2, 29)),   # a leap day, every department (2A, 974); waves not come yet
    (200, 3, 2, date(2022, 9, 15)),    # AGIR barely started in Gironde
    (150, 4, 3, date(2031, 12, 31)),
    (1, 5, 1, TODAY),
])
def test_every_generated_line_passes_the_importer(app_ctx, persons, seed, departments, today):
    lines = list(generate_lines(persons, seed=seed, departments=departments, today=today))
    result = import_lines(lines, today=max(today, paris_today()))  # facts up to the generator's today
    assert result.errors == []
    assert result.counts["person"] == persons and result.counts["department"] == departments
    assert db.session.scalar(select(func.count(Person.id))) == persons


def test_import_then_export_gives_back_exactly_the_generated_records(app_ctx):
    lines = list(generate_lines(500, seed=11, departments=4, today=TODAY))
    result = import_lines(lines)
    assert result.errors == []
    db.session.commit()
    generated, exported = records(lines), records(iter_export_lines())
    assert generated.keys() == exported.keys()
    differing = [key for key in generated if generated[key] != exported[key]]
    assert differing == []
    # The importer derived the same states the generator built.
    states = Counter(db.session.scalars(select(Referral.state)))
    assert set(states) == set(enums.REFERRAL_STATES)
    assert db.session.scalar(select(func.count(Accompaniment.id)).where(Accompaniment.is_eligible.is_(False))) == 0


def _coverage(lines, today):
    """What a file contains: every enum value seen, and the stages of accompaniments."""
    seen = Counter()
    for line in lines:
        r = json.loads(line)
        kind = r["type"]
        if kind == "department":
            seen["wave", r["agir_wave"]] += 1
            seen["max_months", r["max_months"]] += 1
            continue
        if kind == "structure":
            seen["structure_kind", r["kind"]] += 1
            continue
        if kind == "programme":
            seen["theme", r["theme"]] += 1
            seen["sessions"] += bool(r["sessions"])
            if r["theme"] in enums.LANGUAGE_THEMES:
                seen["language_programme", r["carif_oref_ref"] is not None] += 1
            continue
        for field in ("status", "hosting", "sex", "nationality"):
            seen[field, r[field]] += 1
        seen["level", r["language_level"]] += 1
        seen["household", r["household"]] += 1
        bpi = r["status"] in enums.BPI_STATUSES
        seen["bpi" if bpi else "non_bpi"] += 1
        seen["non_bpi_participating"] += (not bpi) and bool(r["participations"])
        seen["not_enrolled_bpi"] += bpi and not r["accompaniments"]
        for acc in r["accompaniments"]:
            seen["holder", acc["structure"]] += 1
            seen["extended"] += bool(acc["extensions"])
            start = date.fromisoformat(acc["start"])
            end = date.fromisoformat(acc["extensions"][-1]["planned_end"] if acc["extensions"] else acc["planned_end"])
            exit_ = acc["exit"]
            if exit_ is None:
                seen["open"] += 1
                seen["overdue"] += today > end
                seen["over_limit"] += today > add_months(start, 12)
                seen["end_soon"] += 0 <= (end - today).days <= 30
                continue
            seen["exit_reason", exit_["reason"]] += 1
            seen["early_exit"] += date.fromisoformat(exit_["date"]) < add_months(start, 6)
            if exit_["job"]:
                seen["exit_job", exit_["job"]["kind"]] += 1
            if exit_["training"]:
                seen["exit_training", exit_["training"]["level"]] += 1
            followup = exit_["followup"]
            seen["followup", None if followup is None else followup["positive"]] += 1
        for right in r["rights"]:
            seen["right_kind", right["kind"]] += 1
            seen["right_state", right["state"]] += 1
        for step in r["housing_steps"]:
            seen["housing_step", step["kind"]] += 1
        for access in r["housing"]:
            seen["housing", access["kind"]] += 1
        for job in r["jobs"]:
            seen["job", job["kind"]] += 1
        for training in r["trainings"]:
            seen["training", training["level"]] += 1
        for referral in r["referrals"]:
            dates = {k: referral[k] and date.fromisoformat(referral[k]) for k in
                     ("sent", "accepted", "refused", "started", "completed", "dropped_out", "cancelled")}
            seen["referral", referral_state(dates)] += 1
        for part in r["participations"]:
            seen["level", part["level_start"]] += 1
            seen["level", part["level_end"]] += 1
            seen["hours"] += part["attended_hours"] is not None
        for event in r["events"]:
            seen["event", event["kind"]] += 1
            seen["event_id"] += event["event"] is not None
        seen["notes"] += len(r["notes"])
    return seen


def test_a_2000_person_file_covers_every_state():
    seen = _coverage(generate_lines(2000, seed=1, today=TODAY), TODAY)
    expected = {
        "wave": (*enums.DEPARTMENT_WAVES, None), "structure_kind": enums.STRUCTURE_KINDS, "theme": enums.THEMES,
        "status": enums.STATUSES, "hosting": enums.HOSTINGS, "sex": enums.SEXES, "level": enums.LEVELS,
        "exit_reason": enums.EXIT_REASONS, "exit_job": enums.JOB_KINDS, "exit_training": enums.TRAINING_LEVELS,
        "followup": (True, False, None), "right_kind": enums.RIGHT_KINDS, "right_state": enums.RIGHT_STATES,
        "housing_step": enums.HOUSING_STEP_KINDS, "housing": enums.HOUSING_KINDS, "job": enums.JOB_KINDS,
        "training": enums.TRAINING_LEVELS, "referral": enums.REFERRAL_STATES, "event": enums.EVENT_KINDS,
        "max_months": (12, 18),
    }
    missing = [(name, value) for name, values in expected.items() for value in values if not seen[name, value]]
    assert missing == []
    for stage in ("open", "extended", "early_exit", "overdue", "over_limit", "end_soon", "not_enrolled_bpi",
                  "sessions", "event_id", "notes", "hours"):
        assert seen[stage] > 0, stage
    # Origins of refugees, families sharing a household, AGIR and structuring-project holders.
    assert {"AFG", "SYR", "ERI", "SDN", "UKR", "GIN", "CIV", "SOM"} <= {k[1] for k in seen if k[0] == "nationality"}
    assert any(n > 1 for k, n in seen.items() if k[0] == "household")
    holders = {k[1] for k in seen if k[0] == "holder"}
    assert {"S33-01", "S86-01"} <= holders  # an AGIR operator (Gironde), a project operator (Vienne)
    # About 30 % non-BPI primo-arrivants, nearly all with participations; most language programmes referenced.
    share = seen["non_bpi"] / (seen["bpi"] + seen["non_bpi"])
    assert 0.25 <= share <= 0.35
    assert seen["non_bpi_participating"] >= 0.8 * seen["non_bpi"]
    assert seen["language_programme", True] > 3 * seen["language_programme", False] > 0


def test_dates_are_relative_to_today_and_never_in_the_future_when_they_are_facts():
    today = date(2025, 3, 10)
    facts = []
    latest_protection = date.min
    for line in generate_lines(600, seed=9, today=today):
        r = json.loads(line)
        if r["type"] != "person":
            continue
        if r["protection_date"]:
            latest_protection = max(latest_protection, date.fromisoformat(r["protection_date"]))
        for acc in r["accompaniments"]:
            facts += [acc["start"]] + [e["date"] for e in acc["extensions"]]
            if acc["exit"]:
                facts.append(acc["exit"]["date"])
        facts += [x[k] for x in r["rights"] for k in ("requested", "obtained", "refused") if x[k]]
        facts += [x[k] for x in r["referrals"] for k in x if k not in ("programme", "refusal_reason") and x[k]]
        facts += [x["date"] for x in r["events"]] + [x["start"] for x in r["participations"]]
    assert max(date.fromisoformat(d) for d in facts) <= today
    assert (today - latest_protection).days < 30


def test_generation_streams_and_is_fast():
    started = time.process_time()
    first = list(islice(generate_lines(10**9, seed=1, today=TODAY), 500))  # no list of a billion persons
    assert len(first) == 500
    started = time.process_time()
    count = sum(1 for _ in generate_lines(10_000, seed=2, today=TODAY))
    elapsed = time.process_time() - started
    assert count > 10_000
    assert elapsed < 15, f"10,000 persons took {elapsed:.1f} s of CPU"


def test_participation_hours_and_levels_are_those_of_the_programmes(app_ctx):
    lines = list(generate_lines(300, seed=12, departments=1, today=TODAY))
    assert import_lines(lines).errors == []
    language = db.session.scalars(select(Participation).where(Participation.level_start.is_not(None))).all()
    assert language and all(p.programme.theme in enums.LANGUAGE_THEMES for p in language)
    assert all(p.attended_hours <= p.planned_hours for p in db.session.scalars(select(Participation)))


# ---------------------------------------------------------------- contract v2 (issue 15, item 6)

def _persons(lines):
    return [r for r in map(json.loads, lines) if r["type"] == "person"]


def test_v2_fields_are_realistic_and_cover_every_value():
    from agir import languages as iso
    persons = _persons(generate_lines(2000, seed=1, today=TODAY))
    seen = Counter()
    natives = {}
    for p in persons:
        assert p["languages"] and p["languages"][0]["level"] == "native"
        assert all(iso.is_iso639_3(x["code"]) for x in p["languages"])
        natives.setdefault(p["nationality"], set()).add(p["languages"][0]["code"])
        seen["interpreter", p["language_level"], p["interpreter"] is not None] += 1
        if p["interpreter"]:
            assert p["interpreter"] in {x["code"] for x in p["languages"]}
        for x in p["appointments"]:
            seen["appointment_kind", x["kind"]] += 1
            seen["appointment_mode", x["mode"]] += 1
            seen["appointment_status", x["status"]] += 1
            if x["start"][:10] > TODAY.isoformat():
                assert x["status"] in ("planned", "cancelled", "excused"), x  # nothing happened yet
        for d in p["documents"]:
            seen["document", d["kind"]] += 1
            seen["soon"] += d["expires"] is not None and TODAY.isoformat() <= d["expires"] <= \
                (TODAY + timedelta(days=90)).isoformat()
        if p["orientation"]:
            seen["source", p["orientation"]["source"]] += 1
        for a in p["accompaniments"]:
            if a["diagnostic"]:
                for area in a["diagnostic"]["areas"].values():
                    seen["need", area["need"]] += 1
            for o in a["plan"]:
                seen["objective", o["state"]] += 1
            if a["contract"]:
                within = a["contract"]["signed"] <= add_months(date.fromisoformat(a["start"]), 1).isoformat()
                seen["contract_within_month", within] += 1
                seen["contract_language", a["contract"]["language"]] += 1
    # Languages from the nationality.
    assert natives["AFG"] <= {"prs", "pus"} and natives["ERI"] <= {"tir", "tig"}
    assert natives["SDN"] <= {"apd", "fvr", "mls"} and "apd" in natives["SDN"]
    assert natives["SYR"] <= {"apc", "kmr"} and natives["UKR"] == {"ukr", "rus"}
    assert natives["GIN"] <= {"fuf", "sus", "emk"} and natives["COD"] <= {"lin", "swc", "lua"}
    # An interpreter for most of those who speak no French yet, for few of the others.
    beginners = seen["interpreter", "pre_A1", True] / (seen["interpreter", "pre_A1", True]
                                                       + seen["interpreter", "pre_A1", False])
    assert beginners > 0.6 and seen["interpreter", "B2", True] == 0
    expected = {"appointment_kind": enums.APPOINTMENT_KINDS, "appointment_mode": enums.APPOINTMENT_MODES,
                "appointment_status": enums.APPOINTMENT_STATUSES, "document": enums.DOCUMENT_KINDS,
                "source": enums.ORIENTATION_SOURCES, "need": enums.NEEDS, "objective": enums.OBJECTIVE_STATES,
                "contract_within_month": (True, False)}
    missing = [(name, value) for name, values in expected.items() for value in values if not seen[name, value]]
    assert missing == []
    assert seen["source", "ofii"] > sum(seen["source", s] for s in enums.ORIENTATION_SOURCES if s != "ofii")
    assert seen["soon"] > 0  # documents expiring within 90 days
    assert {"prs", "tir", "arb", "fra"} <= {k[1] for k in seen if k[0] == "contract_language"}


def test_the_entry_path_is_dated_as_it_happens():
    """Orientation before the first accompaniment; the first interview within a month for most, later for
    some; diagnostic, contract and closed objectives never before the start nor after today."""
    today = TODAY
    delays = []
    for p in _persons(generate_lines(1500, seed=4, today=today)):
        if p["orientation"]:
            assert p["orientation"]["date"] <= today.isoformat()
        honoured = sorted(x["start"][:10] for x in p["appointments"]
                          if x["kind"] == "first_interview" and x["status"] == "honoured")
        if p["accompaniments"]:
            first = p["accompaniments"][0]
            assert p["orientation"] and p["orientation"]["date"] <= first["start"]
            assert p["orientation"]["structure"] == first["structure"]
            oriented = date.fromisoformat(p["orientation"]["date"])
            delays.append(date.fromisoformat(honoured[0]) <= add_months(oriented, 1))
        for a in p["accompaniments"]:
            dated = [a["diagnostic"] and a["diagnostic"]["date"], a["contract"] and a["contract"]["signed"]]
            dated += [o["closed"] for o in a["plan"]]
            assert all(a["start"] <= d <= today.isoformat() for d in dated if d)
            assert all((o["state"] == "open") == (o["closed"] is None) for o in a["plan"])
        for d in p["documents"]:
            assert d["date"] <= today.isoformat() and (d["expires"] is None or d["expires"] >= d["date"])
    assert 0.5 < sum(delays) / len(delays) < 0.9  # on both sides of the one-month limit


def test_every_new_figure_and_alert_is_non_zero_on_generated_data(runner, app_ctx):
    lines = list(generate_lines(1500, seed=3, departments=2))
    assert import_lines(lines).errors == []
    db.session.commit()
    today = paris_today()
    result = runner.invoke(args=["agir", "indicators", "--from", add_months(today, -12).isoformat(),
                                 "--to", today.isoformat()])
    assert result.exit_code == 0, result.output
    figures = json.loads(result.stdout)
    for section in ("exit_outcomes", "entry", "appointments"):
        zero = [key for key, value in figures[section].items() if not value]
        assert zero == [], (section, zero)
    result = runner.invoke(args=["agir", "cohort", "--entry-from", add_months(today, -12).isoformat(),
                                 "--entry-to", today.isoformat()])
    assert result.exit_code == 0, result.output
    cohort = json.loads(result.stdout)
    assert cohort["observed"][0] == cohort["size"] > 0
    assert all(any(v for v in values if v) for values in cohort["observed_shares"].values())
    assert all(any(v for v in values if v) for values in cohort["km"].values())
    assert any(m is not None for m in cohort["median_months"].values())
    result = runner.invoke(args=["agir", "alerts"])
    kinds = Counter(alert["kind"] for alert in json.loads(result.stdout))
    assert kinds["first_interview_late"] and kinds["appointment_missed"] and kinds["document_expiry"], kinds
