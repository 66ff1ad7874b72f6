"""The path part of the data generator: rights, housing, jobs, trainings, referrals, participations,
events and notes of one person, dated from an anchor day and never after `today` (see agir/demo/generator.py).
"""
from datetime import date, timedelta
from functools import lru_cache

from agir.dates import add_years
from agir.demo import generator_data as data
from agir.rules.path import check_job, check_participation, check_right, referral_state
from models.enums import BPI_STATUSES, LEVELS, RIGHT_KINDS

# kind: (share not applicable, request after anchor (days lo, hi), processing (days lo, hi), share refused)
RIGHTS = {
    "health_insurance": (0.0, (0, 20), (20, 90), 0.01),
    "complementary_health": (0.0, (10, 60), (20, 60), 0.06),
    "caf_benefits": (0.0, (0, 30), (30, 90), 0.05),
    "rsa": (0.1, (0, 30), (30, 60), 0.08),
    "employment_registration": (0.08, (0, 60), (1, 15), 0.0),
    "bank_account": (0.0, (0, 30), (7, 45), 0.03),
    "residence_permit": (0.0, (0, 30), (60, 180), 0.01),
    "civil_status": (0.1, (30, 90), (90, 300), 0.03),
    "driving_licence": (0.5, (60, 200), (60, 240), 0.25),
}
JOB_KINDS = ("cdd", "interim", "cdi", "subsidised", "apprenticeship", "self_employed")
JOB_WEIGHTS = (35, 20, 15, 12, 8, 10)
JOB_MONTHS = {"cdd": (3, 4, 6, 6, 8, 9, 12, 12, 18), "interim": (1, 2, 3, 4, 6), "apprenticeship": (12, 24, 36),
              "subsidised": (6, 9, 12), "self_employed": (None,), "cdi": (None,)}
HOUSING_KINDS = ("social_rental", "private_rental", "iml_mandate", "iml_sublet", "temporary")
HOUSING_WEIGHTS = (45, 15, 10, 18, 12)
PLANNED_HOURS = {"language": (100, 150, 200, 300, 400), "professional_french": (60, 90, 120, 150),
                 "digital": (12, 20, 30), "republic_values": (12, 24), "employment": (35, 70, 140)}
LONG_THEMES = ("language", "professional_french", "employment", "mentoring")
# Fates of a referral: below CANCELLED it is never answered, then cancelled, refused, accepted.
UNANSWERED, CANCELLED, REFUSED, ACCEPTED = 0.0, 0.03, 0.08, 0.18
years = lru_cache(maxsize=1 << 13)(add_years)


def _parse(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None


def event(kind: str, on: date, ref: str | None = None) -> dict:
    """An event line (sport and cultural events carry the id of the event attended)."""
    return {"kind": kind, "date": on.isoformat(), "event": ref}


def saturday(day: date) -> date:
    """The Saturday of the week of `day` (sport and cultural outings happen on Saturdays)."""
    return day + timedelta(days=5 - day.weekday())


class PathBuilder:
    """Adds the path of a person to its line, drawing from the generator's random stream."""

    def __init__(self, generator):
        self.gen = generator
        self.rng = generator.rng
        self.housing_seq = 0

    @property
    def today(self) -> date:
        return self.gen.today

    def anchor(self, person: dict) -> date:
        """When a person not enrolled first came: after protection (or first permit) and arrival."""
        reference = _parse(person["protection_date"] or person["first_permit_date"])
        start = max(reference, _parse(person["arrival_date"]))
        return min(self.today, start + timedelta(days=self.rng.randint(0, 60)))

    def job_kind(self) -> tuple[str, int | None]:
        """A contract kind and its length in months (none for a CDI or a self-employed activity)."""
        kind = self.rng.weighted(JOB_KINDS, JOB_WEIGHTS)
        return kind, self.rng.choice(JOB_MONTHS[kind])

    def fill(self, dept, person: dict, timelines: list, anchor: date, is_head: bool) -> None:
        """Rights, extra jobs and trainings, referrals with participations, events and notes."""
        rng = self.rng
        if timelines or rng.random() < 0.25:
            person["rights"] = self.rights(person, anchor, is_head)
        if anchor < self.today - timedelta(days=90) and rng.random() < (0.5 if person["status"] == "economic"
                                                                         else 0.2):
            kind, length = self.job_kind()
            check_job(kind, length)
            person["jobs"].append({"kind": kind, "start": (anchor + timedelta(days=rng.randint(
                60, min(600, (self.today - anchor).days)))).isoformat(), "months": length})
        if anchor < self.today - timedelta(days=120) and rng.random() < 0.1:
            person["trainings"].append({"level": rng.choice(("pre_qualifying", "qualifying", "certifying")),
                                        "start": (anchor + timedelta(days=rng.randint(
                                            90, min(500, (self.today - anchor).days)))).isoformat()})
        self.referrals(dept, person, anchor)
        self.random_events(dept, person, anchor)
        if timelines:
            self.notes(person, timelines)

    # ---------------------------------------------------------------- rights
    def rights(self, person: dict, anchor: date, is_head: bool) -> list[dict]:
        """One line per kind, in a state that follows from the time elapsed since the anchor."""
        rng, today = self.rng, self.today
        young = person["birth_date"] > years(anchor, -25).isoformat()
        lines = []
        for kind in RIGHT_KINDS:
            not_applicable, (r_lo, r_hi), (p_lo, p_hi), refused_share = RIGHTS[kind]
            state, requested, obtained, refused, reason = "todo", None, None, None, None
            household_right = kind in ("caf_benefits", "rsa") and not is_head
            if household_right or (kind == "rsa" and young) or rng.random() < not_applicable:
                state = "not_applicable"
            else:
                asked = anchor + timedelta(days=rng.randint(r_lo, r_hi))
                outcome = asked + timedelta(days=rng.randint(p_lo, p_hi))
                if asked <= today and rng.random() < 0.97:
                    state, requested = "requested", asked
                    if outcome <= today and rng.random() < 0.96:
                        if rng.random() < refused_share:
                            state, refused = "refused", outcome
                            reason = data.RIGHT_REFUSALS.get(kind, data.DEFAULT_REFUSAL)
                        else:
                            state, obtained = "obtained", outcome
            check_right(state, {"requested": requested, "obtained": obtained, "refused": refused}, reason)
            lines.append({"kind": kind, "state": state, "requested": requested and requested.isoformat(),
                          "obtained": obtained and obtained.isoformat(), "refused": refused and refused.isoformat(),
                          "reason": reason})
        return lines

    # ---------------------------------------------------------------- housing (shared by the household)
    def housing(self, dept, head: dict, anchor: date) -> tuple[list[dict], list[dict]]:
        """Housing applications and accesses of a household."""
        rng, today = self.rng, self.today
        steps, accesses = [], []
        if head["hosting"] == "own_housing" or anchor >= today:
            return steps, accesses
        if rng.random() < 0.7:
            on = min(today, anchor + timedelta(days=rng.randint(10, 120)))
            self.housing_seq += 1
            steps.append({"kind": "social_housing_application", "date": on.isoformat(),
                          "number": f"{dept.code.zfill(3)}-{on:%y}-{self.housing_seq:05d}"})
        for kind, share in (("siao_application", 0.5 if head["hosting"] in ("homeless", "general_shelter", "dna")
                             else 0.1), ("iml_application", 0.2), ("other", 0.05)):
            if rng.random() < share:
                steps.append({"kind": kind, "date": min(today, anchor + timedelta(days=rng.randint(0, 150)))
                              .isoformat(), "number": None})
        first = anchor + timedelta(days=rng.randint(60, 540))
        if first <= today:
            kind = rng.weighted(HOUSING_KINDS, HOUSING_WEIGHTS)
            accesses.append({"kind": kind, "date": first.isoformat()})
            later = first + timedelta(days=rng.randint(120, 400))
            if kind in ("iml_sublet", "temporary") and later <= today and rng.random() < 0.4:
                accesses.append({"kind": rng.choice(("social_rental", "private_rental")), "date": later.isoformat()})
        steps.sort(key=lambda s: s["date"])
        return steps, accesses

    # ---------------------------------------------------------------- referrals and participations
    def referrals(self, dept, person: dict, anchor: date) -> None:
        """Referrals to the department's programmes, each with its dated path; participations once started."""
        rng, today = self.rng, self.today
        span = (today - anchor).days
        if span < 3:
            return
        bpi = person["status"] in BPI_STATUSES
        count = rng.weighted((0, 1, 2, 3, 4), (15, 30, 30, 15, 10)) if bpi else rng.randint(1, 3)
        sent_days = sorted(rng.randint(3, min(span, 420)) for _ in range(count))
        themes, weights = dept.themes, dept.theme_weights
        level = person["language_level"]
        used = set()
        for n, offset in enumerate(sent_days):
            if n == 0 and LEVELS.index(level) <= 2 and "language" in dept.programmes and rng.random() < 0.8:
                theme = "language"
            else:
                theme = rng.weighted(themes, weights)
            if theme in used:
                continue
            used.add(theme)
            sent = anchor + timedelta(days=offset)
            programme = dept.programme_on(rng, theme, sent)
            if programme is None:
                continue
            # A primo-arrivant's first referral goes through: they come for the programmes.
            level = self.referral(person, programme, sent, level, fate=ACCEPTED if n == 0 and not bpi else None)

    def referral(self, person: dict, programme: dict, sent: date, level: str, fate: float | None = None) -> str:
        """One referral (and its participation when started); returns the language level reached.

        `fate` picks what happens to it (UNANSWERED, ACCEPTED …), at random when None; dates after
        today are cut, so a referral accepted in the future is still `sent` today.
        """
        rng, today = self.rng, self.today
        theme = programme["theme"]
        dates = dict.fromkeys(("sent", "accepted", "refused", "started", "completed", "dropped_out", "cancelled"))
        dates["sent"] = sent
        reason = None
        fate = rng.random() if fate is None else fate
        decision = sent + timedelta(days=rng.randint(2, 25))
        if fate < CANCELLED:  # never answered
            pass
        elif fate < REFUSED:
            dates["cancelled"] = sent + timedelta(days=rng.randint(2, 30))
        elif fate < ACCEPTED:
            dates["refused"] = decision
            reason = rng.choice(data.REFERRAL_REFUSALS)
        else:
            dates["accepted"] = decision
            started = min(programme["_end"], max(programme["_start"], decision + timedelta(days=rng.randint(3, 40))))
            dates["started"] = started
            length = rng.randint(60, 240) if theme in LONG_THEMES else rng.randint(14, 120)
            end = min(programme["_end"], started + timedelta(days=length))
            dates["dropped_out" if rng.random() < 0.15 else "completed"] = end
        for name in ("sent", "accepted", "refused", "started", "completed", "dropped_out", "cancelled"):
            if dates[name] is not None and dates[name] > today:
                dates[name] = None
                if name == "refused":
                    reason = None
        if dates["started"] is None:  # the end cannot come before the start
            dates["completed"] = dates["dropped_out"] = None
        referral_state(dates)
        iso = {k: v and v.isoformat() for k, v in dates.items()}
        person["referrals"].append({
            "programme": programme["ref"], "sent": iso["sent"], "accepted": iso["accepted"],
            "refused": iso["refused"], "refusal_reason": reason, "started": iso["started"],
            "completed": iso["completed"], "dropped_out": iso["dropped_out"], "cancelled": iso["cancelled"],
        })
        if dates["started"]:
            level = self.participation(person, programme, dates, level)
            self.programme_events(person, programme, dates)
        return level

    def participation(self, person: dict, programme: dict, dates: dict, level: str) -> str:
        """The participation of a started referral: hours, and CECRL levels for French programmes."""
        rng = self.rng
        theme = programme["theme"]
        start = dates["started"]
        end = dates["completed"] or dates["dropped_out"]
        planned = rng.choice(PLANNED_HOURS.get(theme, (6, 10, 20, 30)))
        if dates["completed"]:
            attended = round(planned * rng.uniform(0.7, 1.0))
        elif dates["dropped_out"]:
            attended = round(planned * rng.uniform(0.05, 0.5))
        else:
            attended = round(planned * rng.uniform(0.1, 0.8))
        level_start = level_end = None
        if theme in ("language", "professional_french"):
            level_start = level
            if dates["completed"]:
                rank = LEVELS.index(level)
                level_end = LEVELS[min(rank + 1, len(LEVELS) - 1)] if rng.random() < 0.6 else level
                level = level_end
            elif dates["dropped_out"] and rng.random() < 0.5:
                level_end = level
        check_participation(start, end, planned, attended, level_start, level_end)
        person["participations"].append({
            "programme": programme["ref"], "start": start.isoformat(), "end": end.isoformat() if end else None,
            "planned_hours": planned, "attended_hours": attended, "level_start": level_start,
            "level_end": level_end,
        })
        return level

    # ---------------------------------------------------------------- events and notes
    def programme_events(self, person: dict, programme: dict, dates: dict) -> None:
        """Events that come with a started referral (consultations, pairs, tools, outings)."""
        rng, today = self.rng, self.today
        theme = programme["theme"]
        start = dates["started"]
        end = min(today, dates["completed"] or dates["dropped_out"] or today)
        span = max(0, (end - start).days)
        events = person["events"]
        if theme in ("health", "mental_health"):
            for _ in range(rng.randint(1, 3)):
                events.append(event("medical_consultation", start + timedelta(days=rng.randint(0, span))))
        elif theme == "mentoring":
            events.append(event("mentoring_pair", start))
        elif theme == "digital":
            events.append(event("digital_tool", min(end, start + timedelta(days=rng.randint(0, 14)))))
        elif theme == "sport_culture":
            for _ in range(rng.randint(1, 4)):
                self.outing(person, start + timedelta(days=rng.randint(0, span)))

    def outing(self, person: dict, on: date) -> None:
        """A sport or cultural event, identified by department, kind and Saturday (shared by attendees)."""
        kind = self.rng.choice(("sport_event", "cultural_event"))
        on = saturday(on)
        if on > self.today:
            on -= timedelta(days=7)
        code = "SPO" if kind == "sport_event" else "CUL"
        person["events"].append(event(kind, on, f"EV{person['department']}-{code}-{on:%Y%m%d}"))

    def random_events(self, _dept, person: dict, anchor: date) -> None:
        """Events outside programmes: a consultation, a digital tool, an outing."""
        rng, today = self.rng, self.today
        span = (today - anchor).days
        if span <= 0:
            return
        if rng.random() < 0.12:
            person["events"].append(event("medical_consultation", anchor + timedelta(days=rng.randint(0, span))))
        if rng.random() < 0.05:
            person["events"].append(event("digital_tool", anchor + timedelta(days=rng.randint(0, span))))
        if rng.random() < 0.08:
            self.outing(person, anchor + timedelta(days=rng.randint(0, span)))

    def notes(self, person: dict, timelines: list) -> None:
        """A welcome note at enrolment and a few dated notes of the social worker."""
        rng, today = self.rng, self.today
        for t in timelines:
            person["notes"].append({"date": t.start.isoformat(), "text": data.NOTES[0]})
            end = min(today, t.exit[0] if t.exit else today)
            for _ in range(rng.randint(0, 2)):
                if end > t.start:
                    person["notes"].append({"date": (t.start + timedelta(days=rng.randint(1, (end - t.start).days)))
                                            .isoformat(), "text": rng.choice(data.NOTES[1:])})
