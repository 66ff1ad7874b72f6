"""Reference data of the data generator: departments, their structures, programmes and sessions.

Also the generator's random stream (FastRandom) and the Dept record shared by agir/demo/generator.py,
agir/demo/generator_path.py and agir/demo/demo.py.
"""
import random
from bisect import bisect
from dataclasses import dataclass, field
from datetime import date, timedelta
from itertools import accumulate

from agir.demo import generator_data as data
from agir.reference_geo import region_of


class FastRandom(random.Random):
    """random.Random with cheaper randint and choice (same seed, same stream, fewer calls)."""

    def randint(self, a: int, b: int) -> int:
        return a + int(self.random() * (b - a + 1))

    def choice(self, seq):
        return seq[int(self.random() * len(seq))]

    def weighted(self, population, weights: tuple):
        """One element drawn with weights (as choices(...)[0], with the cumulated weights kept)."""
        cumulated = _CUMULATED.get(weights)
        if cumulated is None:
            cumulated = _CUMULATED[weights] = list(accumulate(weights))
        return population[bisect(cumulated, self.random() * cumulated[-1])]


_CUMULATED: dict[tuple, list] = {}


def day(rng: random.Random, start: date, low: int, high: int) -> date:
    """A date between start + low and start + high days."""
    return start + timedelta(days=rng.randint(low, high))


def iso(value: date | None) -> str | None:
    """ISO date, or None."""
    return value.isoformat() if value else None


@dataclass
class Dept:
    """A generated department with its structures and programmes."""

    code: str
    name: str
    city: str
    agir_start: date | None
    wave: int | None
    max_months: int
    weight: int = 1
    structures: list[dict] = field(default_factory=list)
    agir_ops: list[dict] = field(default_factory=list)
    project_ops: list[dict] = field(default_factory=list)
    programmes: dict[str, list[dict]] = field(default_factory=dict)
    operators: dict[str, dict] = field(default_factory=dict)
    by_year: dict[tuple[str, int], list[dict]] = field(default_factory=dict)
    themes: tuple[str, ...] = ()
    theme_weights: tuple[int, ...] = ()

    def record(self) -> dict:
        """The department line."""
        return {"type": "department", "code": self.code, "name": self.name, "agir_start": iso(self.agir_start),
                "agir_wave": self.wave, "max_months": self.max_months, "region": region_of(self.code)}

    def programme_on(self, rng: random.Random, theme: str, on: date) -> dict | None:
        """A programme of the theme running on `on` (programmes run for a calendar year), or next
        year's when this one ends within 60 days."""
        year = on.year + 1 if (date(on.year, 12, 31) - on).days < 60 else on.year
        running = self.by_year.get((theme, year)) or self.by_year.get((theme, on.year))
        return rng.choice(running) if running else None

    def index(self) -> None:
        """Programmes by (theme, year), and the referral weights of the department's themes."""
        self.by_year = {}
        for theme, programmes in self.programmes.items():
            for p in programmes:
                self.by_year.setdefault((theme, p["_start"].year), []).append(p)
        self.themes = tuple(self.programmes)
        self.theme_weights = tuple(data.THEMES[t][2] for t in self.themes)


class ReferenceBuilder:
    """Departments with their structures of every kind and their programmes of every year."""

    def __init__(self, generator):
        self.gen = generator
        self.carif_seq = 0

    def department(self, row: tuple, structures_per_kind: int | None = None) -> Dept:
        """A department from a row of generator_data.DEPARTMENTS, with structures and programmes."""
        code, name, city, wave, month, weight = row
        agir_start = date(wave, month, 1) if wave else None
        dept = Dept(code, name, city, agir_start, wave, 18 if wave == 2024 else 12, weight)
        self._structures(dept, structures_per_kind)
        self._programmes(dept)
        dept.index()
        return dept

    def _structure(self, dept: Dept, kind: str, name: str) -> dict:
        ref = f"S{dept.code}-{len(dept.structures) + 1:02d}"
        record = {"type": "structure", "ref": ref, "name": name.format(city=dept.city, dep=dept.name),
                  "department": dept.code, "kind": kind}
        dept.structures.append(record)
        return record

    def _structures(self, dept: Dept, count: int | None) -> None:
        if dept.agir_start:
            n = count or (2 if dept.weight >= 5 else 1)
            dept.agir_ops = [self._structure(dept, "agir_operator", n_) for n_ in data.AGIR_OPERATORS[:n]]
        # Structuring projects where AGIR is absent, comes later, or came after 2022.
        if dept.agir_start is None or dept.agir_start > self.gen.today or (dept.wave or 0) >= 2023:
            dept.project_ops = [self._structure(dept, "project_operator", data.PROJECT_OPERATORS[0])]
        dept.operators = {key: self._structure(dept, "programme_operator", pattern)
                          for key, pattern in data.PROGRAMME_OPERATORS.items()}
        for pattern in data.STATE_SERVICES:
            self._structure(dept, "state_service", pattern)

    def _programmes(self, dept: Dept) -> None:
        rng = self.gen.rng
        themes = list(data.THEMES)
        if dept.weight < 4:  # smaller departments fund fewer themes
            optional = themes[4:]
            rng.shuffle(optional)
            themes = themes[:4] + sorted(optional[:6], key=themes.index)
        holder = (dept.agir_ops or dept.project_ops)[0]
        for theme in themes:
            operator_key, names, _ = data.THEMES[theme]
            operator = holder if operator_key == "holder" else dept.operators[operator_key]
            dept.programmes[theme] = [
                self._programme(dept, theme, operator, name, year, k)
                for year in range(self.gen.today.year - self.gen.years_back + 1, self.gen.today.year + 2)
                for k, name in enumerate(names, 1)
            ]

    def _programme(self, dept: Dept, theme: str, operator: dict, name: str, year: int, k: int) -> dict:
        rng = self.gen.rng
        start, end = date(year, 1, 1), date(year, 12, 31)
        language = theme in ("language", "professional_french")
        # Employment-related actions weigh most in the P104 budget (objective: 60 % of it, §3.5).
        employment = theme in ("employment", "global_support")
        target = rng.randrange(60, 160, 10) if language or employment else rng.randrange(20, 90, 5)
        unit = rng.randint(10, 25) * 100 if employment else rng.randint(8, 15) * 100 if language else \
            rng.randint(3, 9) * 100
        cost = float(target * unit)
        share = rng.uniform(0.8, 1.0) if theme in ("employment", "professional_french", "global_support") \
            else rng.uniform(0.4, 0.8)
        carif = None
        if language and rng.random() < 0.85:
            self.carif_seq += 1
            carif = f"{dept.code.zfill(2)}_AF_{self.carif_seq:07d}"
        return {
            "type": "programme", "ref": f"PR{dept.code}-{year}-{data.THEME_CODES[theme]}{k}",
            "name": f"{name} – {dept.city} {year}", "theme": theme, "structure": operator["ref"],
            "department": dept.code, "start": iso(start), "end": iso(end), "target_beneficiaries": target,
            "total_cost": cost, "p104_subsidy": float(round(cost * share / 100) * 100), "carif_oref_ref": carif,
            "sessions": self._sessions(theme, start, min(end, self.gen.today)),
            "_start": start, "_end": end,
        }

    def _sessions(self, theme: str, start: date, end: date) -> list[dict]:
        """Held sessions: twice a week for French (no August), weekly for digital, monthly otherwise."""
        if end < start:
            return []
        if theme in ("language", "professional_french", "digital"):
            weekdays, hours = ((1, 3), 3.0) if theme != "digital" else ((2,), 2.0)
            first = start + timedelta(days=(weekdays[0] - start.weekday()) % 7)
            days = (first + timedelta(days=7 * w + d - weekdays[0])
                    for w in range((end - first).days // 7 + 1) for d in weekdays)
            return [{"date": iso(d), "hours": hours} for d in days if start <= d <= end and d.month != 8]
        hours = {"republic_values": 6.0, "sport_culture": 4.0, "employment": 3.5}.get(theme, 2.0)
        step = 3 if theme == "mentoring" else 1
        return [{"date": iso(date(start.year, m, 15)), "hours": hours}
                for m in range(1, 13, step) if date(start.year, m, 15) <= end]
