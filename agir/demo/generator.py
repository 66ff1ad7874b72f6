"""Realistic, valid JSON-Lines data in the interchange format (INTERCHANGE.md), built with agir/rules.

`generate_lines(persons, seed, departments, today)` yields one line per record: departments,
structures, programmes, then persons household by household (memory stays flat). Every record is
built with the rules of SPEC §4 (eligibility, planned-end bounds, extensions, exits, non-overlap,
rights, referral paths, participations, jobs), and dates are relative to `today` so the data
looks current. The same seed and `today` give the same bytes. The demo (agir/demo/demo.py) uses the
same building blocks with fixed scenarios.
"""
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import lru_cache

from agir.dates import add_months, add_years
from agir.dates import today as paris_today
from agir.demo import generator_data as data
from agir.demo.generator_entry import EntryBuilder
from agir.demo.generator_path import PathBuilder
from agir.demo.generator_reference import Dept, FastRandom, ReferenceBuilder, day, iso
from agir.rules.durations import (
    check_exit,
    check_extension,
    check_followup,
    check_no_overlap,
    check_planned_end,
    default_planned_end,
    is_early_exit,
)
from agir.rules.eligibility import check_eligibility
from agir.rules.path import check_job
from models.enums import BPI_STATUSES, EARLY_EXIT_REASONS

DEFAULT_DEPARTMENTS = 4
MAX_DEPARTMENTS = len(data.DEPARTMENTS)
NON_BPI_SHARE = 0.30
# Pure date steps and rules are called millions of times for large files: memoised (same results;
# a violation is raised, never cached). Bounded caches keep the memory flat however many persons.
CACHE = 1 << 13
months = lru_cache(maxsize=CACHE)(add_months)
years = lru_cache(maxsize=CACHE)(add_years)
_eligibility = lru_cache(maxsize=CACHE)(check_eligibility)
_check_planned_end = lru_cache(maxsize=CACHE)(check_planned_end)
_check_exit = lru_cache(maxsize=CACHE)(check_exit)
_is_early_exit = lru_cache(maxsize=CACHE)(is_early_exit)


@dataclass
class Timeline:
    """One accompaniment's dates: holder, start, planned end, extensions, exit (date, reason) or None."""

    holder: dict
    start: date
    planned_end: date
    extensions: list[tuple[date, date, str]] = field(default_factory=list)
    exit: tuple[date, str] | None = None
    # The situation at exit when chosen (demo scenarios): {"job": (kind, months) | None,
    # "training": level | None, "followup": (date, positive) | None}; drawn at random otherwise.
    outcome: dict | None = None
    # The entry path when chosen (demo scenarios): {"delay": days from the orientation to the first interview,
    # "signed": days from the start to the contract's signature}; drawn at random otherwise.
    entry: dict | None = None

    @property
    def current_end(self) -> date:
        """Planned end after the latest extension."""
        return self.extensions[-1][1] if self.extensions else self.planned_end


class Generator:
    """Builds departments, structures, programmes and persons from one random stream."""

    def __init__(self, seed: int = 0, today: date | None = None, years_back: int = 6):
        self.rng = FastRandom(seed)
        self.today = today or paris_today()
        # Protection (or first permit) dates go back this many years; programmes one year less.
        self.years_back = years_back
        self.person_seq = 0
        self.household_seq = 0
        self.reference = ReferenceBuilder(self)
        self.path = PathBuilder(self)
        self.entry = EntryBuilder(self)

    def new_household(self) -> str:
        """The ref of a new household."""
        self.household_seq += 1
        return f"H{self.household_seq:07d}"

    def department(self, row: tuple) -> Dept:
        """A department from a row of generator_data.DEPARTMENTS, with structures and programmes."""
        return self.reference.department(row)

    # ---------------------------------------------------------------- persons
    def household(self, dept: Dept) -> list[dict]:
        """The persons of one household (one to four adults sharing status, origin and housing)."""
        rng = self.rng
        href = self.new_household()
        r = rng.random()
        size = 1 if r < 0.55 else 2 if r < 0.85 else 3 if r < 0.95 else 4
        bpi = rng.random() >= NON_BPI_SHARE
        nationality, status = self.origin(bpi)
        # Protection (or first permit) within six years, more often recent: the data looks current.
        reference = self.today - timedelta(days=2 + int(self.years_back * 365 * rng.random() ** 1.4))
        head = self.identity(dept, href, nationality, status, reference)
        members = [head] + [self.identity(dept, href, nationality, status, reference, relative_of=head, rank=k)
                            for k in range(1, size)]
        timelines = self.timelines(dept, head) if head["status"] in BPI_STATUSES else []
        anchor = timelines[0].start if timelines else self.path.anchor(head)
        housing = self.path.housing(dept, head, anchor)
        for person in members:
            self.fill(dept, person, timelines, anchor, housing, is_head=person is head)
        return members

    def origin(self, bpi: bool) -> tuple[str, str]:
        """Nationality and status of a household."""
        rng = self.rng
        if bpi:
            if rng.random() < 0.015:
                return rng.choice(data.STATELESS_ORIGINS), "stateless"
            nationality = rng.weighted(_BPI_CODES, _BPI_WEIGHTS)
            subsidiary = rng.random() < data.BPI_ORIGINS[nationality][1]
            return nationality, "subsidiary_protection" if subsidiary else "refugee"
        nationality = rng.weighted(_OTHER_CODES, _OTHER_WEIGHTS)
        return nationality, rng.choice(data.OTHER_ORIGINS[nationality][1])

    def identity(self, dept: Dept, household: str, nationality: str, status: str, reference: date,
                 relative_of: dict | None = None, rank: int = 0, **overrides) -> dict:
        """A person line with identity fields and empty path lists (overrides win)."""
        rng = self.rng
        self.person_seq += 1
        last_names, men, women = data.NAMES[nationality]
        if relative_of is None:
            sex = "M" if rng.random() < 0.62 else "F"
            age = rng.randint(19, 52)
            last = rng.choice(last_names)
        else:
            spouse = rank == 1 and rng.random() < 0.8
            sex = ("F" if relative_of["sex"] == "M" else "M") if spouse else rng.choice("FM")
            head_age = (reference - date.fromisoformat(relative_of["birth_date"])).days // 365
            age = max(18, head_age + rng.randint(-8, 5)) if spouse else rng.randint(18, 24)
            last = relative_of["last_name"] if rng.random() < 0.6 else rng.choice(last_names)
        bpi = status in BPI_STATUSES
        birth = reference - timedelta(days=age * 365 + rng.randint(0, 364))
        arrival = reference - timedelta(days=rng.randint(30, 540)) if rng.random() < 0.6 else \
            min(self.today, reference + timedelta(days=rng.randint(0, 120)))
        if relative_of is not None:  # a household arrives together
            arrival = date.fromisoformat(relative_of["arrival_date"])
        cir = reference + timedelta(days=rng.randint(10, 120))
        first = rng.choice(men if sex == "M" else women)
        person = {
            "type": "person", "ref": f"P{self.person_seq:07d}", "department": dept.code, "household": household,
            "last_name": last, "first_name": first, "sex": sex, "birth_date": iso(birth),
            "nationality": nationality, "status": status,
            "protection_date": iso(reference) if bpi else None, "first_permit_date": None if bpi else iso(reference),
            "arrival_date": iso(arrival), "cir_date": iso(cir) if cir <= self.today and rng.random() < 0.95 else None,
            "permit_expiry": iso(self.permit_expiry(status, reference)) if rng.random() < 0.96 else None,
            "hosting": relative_of["hosting"] if relative_of else rng.weighted(_HOSTINGS, _HOSTING_WEIGHTS),
            "language_level": rng.weighted(_LEVELS, _LEVEL_WEIGHTS),
            "prior_programme": rng.choice(data.PRIOR_PROGRAMMES) if rng.random() < 0.04 else None,
            "phone": f"06 39 98 {rng.randint(0, 99):02d} {rng.randint(0, 99):02d}" if rng.random() < 0.8 else None,
            "email": None,
        }
        if rng.random() < 0.4:
            person["email"] = f"{_ascii(first)}.{_ascii(last)}.{self.person_seq}@example.org"
        person.update(overrides)
        for key in ("accompaniments", "rights", "housing_steps", "housing", "jobs", "trainings", "referrals",
                    "participations", "events", "notes", "languages", "appointments", "documents"):
            person.setdefault(key, [])
        person.setdefault("interpreter", None)  # contract v2: always exported (filled by a later change)
        person.setdefault("orientation", None)
        return person

    def permit_expiry(self, status: str, reference: date) -> date:
        """Resident card (10 years), multi-year card (4 years) or yearly permits, renewed up to today."""
        step = {"refugee": 10, "stateless": 4, "subsidiary_protection": 4}.get(status, 1)
        issued = reference + timedelta(days=45 if step > 1 else 0)
        expiry = years(issued, step)
        while expiry <= self.today:
            expiry = years(expiry, step)
        return expiry

    # ---------------------------------------------------------------- accompaniments
    def holder_on(self, dept: Dept, person: dict, on: date) -> dict | None:
        """The structure that can enrol the person on `on` (AGIR operator first), or None."""
        protection = date.fromisoformat(person["protection_date"])
        candidates = []
        if dept.agir_start and on >= dept.agir_start:
            candidates = dept.agir_ops
        elif dept.project_ops:
            candidates = dept.project_ops
        eligible = [holder for holder in candidates
                    if _eligibility(status=person["status"], protection_on=protection, on=on,
                                    structure_kind=holder["kind"], agir_start=dept.agir_start).eligible]
        return self.rng.choice(eligible) if eligible else None

    def timelines(self, dept: Dept, person: dict) -> list[Timeline]:
        """Zero, one or two accompaniments of a BPI, obeying eligibility and durations."""
        rng = self.rng
        protection = date.fromisoformat(person["protection_date"])
        if rng.random() < 0.15:  # never reached by an operator
            return []
        start = protection + timedelta(days=min(int(rng.expovariate(1 / 70)) + 7, 400))
        start = max(start, date.fromisoformat(person["arrival_date"]))
        if dept.agir_start and start < dept.agir_start and not dept.project_ops:
            start = day(rng, dept.agir_start, 0, 120)
        holder = self.holder_on(dept, person, start) if start <= self.today else None
        if holder is None:
            return []
        first = self.timeline(dept, holder, start)
        result = [first]
        if first.exit and first.exit[1] in ("dropped_out", "other") and rng.random() < 0.3:
            again = day(rng, first.exit[0], 30, 200)
            holder = self.holder_on(dept, person, again) if again <= self.today else None
            if holder is not None:
                result.append(self.timeline(dept, holder, again))
        check_no_overlap([(t.start, t.exit[0] if t.exit else None) for t in result])
        return result

    def timeline(self, dept: Dept, holder: dict, start: date, planned_months: int | None = None) -> Timeline:
        """Planned end, extensions and exit of an accompaniment starting on `start`, cut at today."""
        rng = self.rng
        limit = months(start, dept.max_months)
        wanted = planned_months or rng.weighted((6, 9, dept.max_months, 12), (12, 25, 48, 15))
        planned = default_planned_end(start, wanted, dept.max_months)
        t = Timeline(holder, start, planned)
        if rng.random() < 0.12:  # early exit
            exit_on = day(rng, start, 15, 170)
            reason = rng.weighted(EARLY_EXIT_REASONS, (35, 30, 20, 4, 11))
        else:
            while t.current_end < limit and len(t.extensions) < 2 and rng.random() < 0.45:
                previous = t.extensions[-1][0] if t.extensions else start
                decided = max(previous, t.current_end - timedelta(days=rng.randint(10, 60)))
                t.extensions.append((decided, min(limit, months(t.current_end, rng.randint(1, 6))),
                                     rng.choice(data.EXTENSION_REASONS)))
            # Most exits come close to the planned end; a few are recorded late.
            exit_on = t.current_end - timedelta(days=int(45 * rng.random() ** 2)) if rng.random() < 0.9 else \
                day(rng, t.current_end, 1, 25)
            exit_on = max(exit_on, t.extensions[-1][0] if t.extensions else start)
            if t.current_end >= limit and rng.random() < 0.3:
                reason = "max_duration"
            else:
                reason = rng.weighted(("goals_reached", "autonomous", "moved_away", "dropped_out", "other"),
                                      (75, 8, 7, 5, 5))
        if _is_early_exit(start, exit_on) and reason not in EARLY_EXIT_REASONS:
            reason = "autonomous"
        # An exit not yet reached stays open; a few reached exits were never recorded (overdue files).
        recorded = exit_on <= self.today and rng.random() >= 0.02
        t.exit = (exit_on, reason) if recorded else None
        t.extensions = [e for e in t.extensions if e[0] <= self.today]
        self.check_timeline(dept, t)
        return t

    @staticmethod
    def check_timeline(dept: Dept, t: Timeline) -> None:
        """Every duration rule of SPEC §4.2 on one timeline (raises RuleViolation on a generator bug)."""
        _check_planned_end(t.start, t.planned_end, dept.max_months)
        current = t.planned_end
        exit_on = t.exit[0] if t.exit else None
        for decided, new_end, reason in t.extensions:
            check_extension(start=t.start, current_end=current, decided_on=decided, new_end=new_end,
                            max_months=dept.max_months, reason=reason, exit_on=exit_on)
            current = new_end
        if t.exit:
            _check_exit(t.start, *t.exit)

    def accompaniment(self, person: dict, t: Timeline) -> dict:
        """The accompaniment line of one timeline, with the person's situation at exit and follow-up."""
        record = {"structure": t.holder["ref"], "start": iso(t.start), "planned_end": iso(t.planned_end),
                  "extensions": [{"date": iso(d), "planned_end": iso(e), "reason": r} for d, e, r in t.extensions],
                  "exit": None, "diagnostic": None, "plan": [], "contract": None}
        if t.exit is None:
            return record
        exit_on, reason = t.exit
        outcome = t.outcome if t.outcome is not None else self.outcome(t)
        job = training = followup = None
        if outcome.get("job"):
            kind, length = outcome["job"]
            check_job(kind, length)
            job = {"kind": kind, "months": length}
            person["jobs"].append({"kind": kind, "start": iso(max(t.start, exit_on - timedelta(
                days=self.rng.randint(0, 60)))), "months": length})
        if outcome.get("training"):
            training = {"level": outcome["training"]}
            person["trainings"].append({"level": outcome["training"], "start": iso(max(t.start, exit_on - timedelta(
                days=self.rng.randint(0, 90))))})
        if outcome.get("followup"):
            followup_on, positive = outcome["followup"]
            check_followup(exit_on, followup_on)
            followup = {"date": iso(followup_on), "positive": positive}
        record["exit"] = {"date": iso(exit_on), "reason": reason, "job": job, "training": training,
                          "followup": followup}
        return record

    def outcome(self, t: Timeline) -> dict:
        """A situation at exit drawn at random: job and/or training, and the 6-month follow-up once due."""
        rng = self.rng
        exit_on, reason = t.exit
        good = reason in ("goals_reached", "max_duration", "autonomous")
        outcome = {"job": None, "training": None, "followup": None}
        if reason == "deceased":
            return outcome
        if rng.random() < (0.55 if good else 0.1):
            outcome["job"] = self.path.job_kind()
        if rng.random() < (0.2 if good else 0.03):
            outcome["training"] = rng.choice(("pre_qualifying", "qualifying", "qualifying", "certifying", "diploma"))
        due = months(exit_on, 6)
        if due <= self.today and rng.random() < 0.85:
            positive = rng.random() < (0.75 if outcome["job"] or outcome["training"] else 0.3)
            outcome["followup"] = (min(self.today, due + timedelta(days=rng.randint(0, 21))), positive)
        return outcome

    def fill(self, dept: Dept, person: dict, timelines: list[Timeline], anchor: date,
             housing: tuple[list, list], is_head: bool = True) -> dict:
        """Accompaniments and the whole path of a person (rights, housing, jobs, referrals, events, notes).

        `anchor` is the day the path starts: the first enrolment, or when the person first came.
        """
        person["accompaniments"] = [self.accompaniment(person, t) for t in timelines]
        self.path.fill(dept, person, timelines, anchor, is_head)
        person["housing_steps"], person["housing"] = housing
        for key in ("jobs", "trainings", "participations", "events", "notes"):
            person[key].sort(key=lambda item: item.get("start") or item.get("date"))
        # Contract v2: languages, orientation, appointments, documents, diagnostic, plan and contract.
        self.entry.fill(dept, person, timelines)
        return person

    # ---------------------------------------------------------------- a whole file
    def departments(self, count: int) -> list[Dept]:
        """The first `count` departments of the catalogue: 33 Gironde (wave 2022), 86 Vienne (structuring
        projects only), 31 Haute-Garonne (wave 2024, 18 months), 67 Bas-Rhin (wave 2023) …"""
        return [self.department(row) for row in data.DEPARTMENTS[:count]]

    def records(self, persons: int, departments: int = DEFAULT_DEPARTMENTS) -> Iterator[dict]:
        """Every record of a file: reference data first, then persons household by household."""
        depts = self.departments(departments)
        for dept in depts:
            yield dept.record()
        for dept in depts:
            yield from dept.structures
        for dept in depts:
            for programmes in dept.programmes.values():
                yield from programmes
        weights = tuple(d.weight for d in depts)
        left = persons
        while left > 0:
            dept = self.rng.weighted(depts, weights)
            for person in self.household(dept)[:left]:
                left -= 1
                yield person


_ENCODE = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode  # one encoder for every line


def to_line(record: dict) -> str:
    """One JSON line (private keys starting with "_" are dropped)."""
    if record.get("type") == "programme":
        record = {k: v for k, v in record.items() if not k.startswith("_")}
    return _ENCODE(record)


def generate_lines(persons: int, seed: int = 0, departments: int = DEFAULT_DEPARTMENTS,
                   today: date | None = None) -> Iterator[str]:
    """The lines of a generated file (without newlines), deterministic for a seed and a today."""
    if not 1 <= departments <= MAX_DEPARTMENTS:
        raise ValueError(f"departments must be within 1..{MAX_DEPARTMENTS}")
    for record in Generator(seed, today).records(persons, departments):
        yield to_line(record)


def _ascii(text: str) -> str:
    import unicodedata
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return "".join(c for c in plain.lower() if c.isalnum() or c == "-")


_BPI_CODES = tuple(data.BPI_ORIGINS)
_BPI_WEIGHTS = tuple(w for w, _ in data.BPI_ORIGINS.values())
_OTHER_CODES = tuple(data.OTHER_ORIGINS)
_OTHER_WEIGHTS = tuple(w for w, _ in data.OTHER_ORIGINS.values())
_HOSTINGS = ("dna", "cph", "general_shelter", "third_party", "homeless", "own_housing")
_HOSTING_WEIGHTS = (40, 10, 15, 20, 5, 10)
_LEVELS = ("pre_A1", "A1", "A2", "B1", "B2", "C1")
_LEVEL_WEIGHTS = (15, 35, 25, 15, 7, 3)
