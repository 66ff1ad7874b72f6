"""Cohort JSON, second version (INTERCHANGE.md): observed, observed_shares, the Kaplan–Meier estimate km with
censoring at the as-of date, median_months; `cohort --as-of` and `--region`.

The small cohort of `hand_cohort` is computed by hand below, step by step; the property test compares the
SQL figures with a plain Python implementation of the definitions over random cohorts.
"""
import json
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from agir.dates import add_months
from agir.extensions import db
from agir.indicators import build_cohort_scope, compute_cohort
from models import Region
from tests import factories as f
from tests.indicators.helpers import accompaniment, housing, job, person, right, training

MILESTONES = ("health_insurance", "caf_benefits", "bank_account", "permanent_housing", "job_or_training",
              "language_referral")


def cohort(entry_from, entry_to, as_of, department=None, region=None) -> dict:
    """The cohort JSON (text arguments, as the command receives them)."""
    db.session.flush()
    return compute_cohort(build_cohort_scope(entry_from, entry_to, department, region, as_of))


def member(world, start, **rights):
    """A person whose accompaniment starts on `start`, with rights obtained on the given dates."""
    p = person(world)
    accompaniment(p, world.agir, start)
    for kind, obtained in rights.items():
        right(p, kind, obtained=obtained)
    return p


# The hand-computed cohort ----------------------------------------------------------------------------------
#
# as_of = 2023-04-15, department 33 (max_months 12: months 0..12), entries 2022-10-01..2023-06-30.
# c = the last month m with start + m months <= as_of (−1 when start > as_of);
# e = the first month m with reached <= start + m months (0 when reached before entry).
#
#   member start       health_insurance      e   bank_account          e   caf_benefits   e    c
#   A      2022-10-01  2022-11-10 (> 1 Nov)  2   2022-10-01            0   —              —    6  (1 Apr <= 15 Apr)
#   B      2022-10-01  —                     —   2022-10-20 (> 1 Oct)  1   —              —    6
#   C      2022-12-01  2023-03-01 (= 1 Mar)  3   2023-01-15 (> 1 Jan)  2   —              —    4  (1 Apr <= 15 Apr)
#   D      2023-02-01  —                     —   —                     —   2023-02-01     0    2
#   E      2023-02-01  2023-05-01 (> as_of)  3   —                     —   —              —    2  (censored before e)
#   F      2023-03-20  2023-01-05 (before)   0   —                     —   —              —    0  (20 Apr > 15 Apr)
#   G      2023-05-02  2023-05-10 (> 2 May)  1   —                     —   —              —   −1  (start > as_of)
#
# size 7; observed[m] = #{c >= m}: m0 6 (all but G), m1–m2 5 (not F), m3–m4 3 (A B C), m5–m6 2 (A B), m7+ 0.

def hand_cohort(world):
    member(world, date(2022, 10, 1), health_insurance=date(2022, 11, 10), bank_account=date(2022, 10, 1))   # A
    member(world, date(2022, 10, 1), bank_account=date(2022, 10, 20))                                       # B
    member(world, date(2022, 12, 1), health_insurance=date(2023, 3, 1), bank_account=date(2023, 1, 15))     # C
    member(world, date(2023, 2, 1), caf_benefits=date(2023, 2, 1))                                          # D
    member(world, date(2023, 2, 1), health_insurance=date(2023, 5, 1))                                      # E
    member(world, date(2023, 3, 20), health_insurance=date(2023, 1, 5))                                     # F
    member(world, date(2023, 5, 2), health_insurance=date(2023, 5, 10))                                     # G
    return cohort("2022-10-01", "2023-06-30", "2023-04-15", "33")


def test_observed_members_month_by_month(world):
    data = hand_cohort(world)
    assert data["scope"] == {"entry_from": "2022-10-01", "entry_to": "2023-06-30", "department": "33",
                             "region": None, "as_of": "2023-04-15"}
    assert data["size"] == 7
    assert data["observed"] == [6, 5, 5, 3, 3, 2, 2] + [0] * 6


def test_milestones_stay_the_uncensored_share_of_the_whole_cohort(world):
    # health_insurance, e over the 7 members: F 0, G 1, A 2, C 3, E 3 → 1/7, 2/7, 3/7, 5/7 from month 3.
    data = hand_cohort(world)
    assert data["milestones"]["health_insurance"] == [0.1429, 0.2857, 0.4286] + [0.7143] * 10


def test_observed_shares_among_the_members_observed_at_each_month(world):
    data = hand_cohort(world)
    # health_insurance, reached (e <= m) among the observed (c >= m):
    # m0 F of 6 = 0.1667; m1 none of A–E = 0; m2 A of 5 = 0.2; m3–m4 A, C of 3 = 0.6667; m5–m6 A of 2 = 0.5.
    assert data["observed_shares"]["health_insurance"] == [0.1667, 0.0, 0.2, 0.6667, 0.6667, 0.5, 0.5] + [None] * 6
    # bank_account: m0 A of 6; m1 A, B of 5; m2 A, B, C of 5; m3–m6 all the observed (3/3, 2/2).
    assert data["observed_shares"]["bank_account"] == [0.1667, 0.4, 0.6, 1.0, 1.0, 1.0, 1.0] + [None] * 6
    assert set(data["observed_shares"]) == set(MILESTONES)


def test_kaplan_meier_with_censoring(world):
    data = hand_cohort(world)
    # health_insurance: n_m = #{c >= m, e none or >= m}, d_m = #{e = m, c >= m}.
    # m0: n = 6 (A–F), d = 1 (F)              S = 5/6                  km = 0.1667
    # m1: n = 5 (A–E), d = 0 (G has c = −1)   S = 5/6                  km = 0.1667
    # m2: n = 5 (A–E), d = 1 (A)              S = 5/6 × 4/5 = 2/3      km = 0.3333
    # m3: n = 2 (B, C; A reached), d = 1 (C; E censored at c = 2)      S = 2/3 × 1/2 = 1/3   km = 0.6667
    # m4–m6: n = 1 (B), d = 0                 S = 1/3                  km = 0.6667
    # m7–m12: nobody observed → null.
    assert data["km"]["health_insurance"] == [0.1667, 0.1667, 0.3333, 0.6667, 0.6667, 0.6667, 0.6667] + [None] * 6
    # The raw observed share at m1 (0.0) is below the estimate (0.1667): F, reached at m0 then unobserved,
    # still counts in the estimate.
    assert data["median_months"]["health_insurance"] == 3


def test_at_risk_zero_keeps_the_estimate(world):
    data = hand_cohort(world)
    # bank_account: A e = 0, B e = 1, C e = 2, others never.
    # m0: n = 6, d = 1 (A)             S = 5/6                   km = 0.1667
    # m1: n = 4 (B C D E), d = 1 (B)   S = 5/6 × 3/4 = 5/8       km = 0.375
    # m2: n = 3 (C D E), d = 1 (C)     S = 5/8 × 2/3 = 5/12      km = 7/12 = 0.5833
    # m3: observed A B C have all reached: n = 0 → S(3) = S(2); km = 0.5833 (the raw share is 1.0) … m6.
    assert data["km"]["bank_account"] == [0.1667, 0.375, 0.5833, 0.5833, 0.5833, 0.5833, 0.5833] + [None] * 6
    assert data["median_months"]["bank_account"] == 2


def test_median_is_null_when_the_estimate_never_reaches_one_half(world):
    data = hand_cohort(world)
    # caf_benefits: D at m0 → S = 5/6 (km 0.1667); then n = 4 (A B C E) … no event: 0.1667 up to m6.
    assert data["km"]["caf_benefits"] == [0.1667] * 7 + [None] * 6
    assert data["median_months"]["caf_benefits"] is None
    # Nobody reached the other milestones: 0.0 while observed, null after; no median.
    for name in ("permanent_housing", "job_or_training", "language_referral"):
        assert data["km"][name] == [0.0] * 7 + [None] * 6, name
        assert data["observed_shares"][name] == [0.0] * 7 + [None] * 6, name
        assert data["median_months"][name] is None, name
    assert set(data["median_months"]) == set(MILESTONES)


def test_milestone_reached_before_entry_counts_at_month_zero(world):
    p = person(world)
    accompaniment(p, world.agir, date(2023, 3, 20))
    housing(p, "social_rental", date(2022, 12, 1))           # before entry: e = 0
    job(p, date(2023, 3, 21))                               # the day after entry: e = 1
    data = cohort("2023-03-01", "2023-03-31", "2023-03-25")  # c = 0 (20 Apr > 25 Mar)
    assert data["observed"] == [1] + [0] * 12
    assert data["observed_shares"]["permanent_housing"][0] == 1.0
    assert data["km"]["permanent_housing"][:2] == [1.0, None]
    assert data["median_months"]["permanent_housing"] == 0
    # The job, at month 1, is beyond what is observed: 0.0 at month 0, no median.
    assert data["km"]["job_or_training"][:2] == [0.0, None]
    assert data["median_months"]["job_or_training"] is None


@pytest.mark.parametrize(("start", "as_of", "months_observed"), [
    (date(2023, 1, 31), date(2023, 2, 28), 1),    # 31 Jan + 1 month = 28 Feb (clipped): observed at month 1
    (date(2023, 1, 31), date(2023, 2, 27), 0),
    (date(2023, 1, 30), date(2023, 2, 28), 1),    # 30 Jan + 1 month = 28 Feb too
    (date(2024, 1, 31), date(2024, 2, 28), 0),    # leap year: 31 Jan + 1 month = 29 Feb
    (date(2024, 1, 31), date(2024, 2, 29), 1),
    (date(2023, 1, 31), date(2023, 3, 30), 1),    # + 2 months = 31 Mar
    (date(2023, 1, 31), date(2023, 3, 31), 2),
    (date(2023, 1, 31), date(2023, 1, 31), 0),    # observed on its entry day
    (date(2023, 1, 31), date(2023, 1, 30), -1),   # not yet
    (date(2023, 1, 31), date(2025, 1, 31), 12),   # beyond the curve: every month
])
def test_observed_at_month_end_is_clipped(world, start, as_of, months_observed):
    accompaniment(person(world), world.agir, start)
    data = cohort("2023-01-01", "2024-12-31", as_of.isoformat())
    assert data["observed"] == [1] * (months_observed + 1) + [0] * (12 - months_observed)


def test_member_starting_after_as_of_counts_in_size_only(world):
    member(world, date(2023, 5, 2), health_insurance=date(2023, 5, 2))
    member(world, date(2023, 6, 1))
    data = cohort("2023-05-01", "2023-06-30", "2023-05-01")
    assert data["size"] == 2
    assert data["milestones"]["health_insurance"] == [0.5] * 13     # the uncensored share is unchanged
    assert data["observed"] == [0] * 13
    assert data["observed_shares"]["health_insurance"] == [None] * 13
    assert data["km"]["health_insurance"] == [None] * 13
    assert data["median_months"]["health_insurance"] is None


def test_empty_cohort(world):
    data = cohort("2023-01-01", "2023-01-31", "2023-12-31", "33")
    assert data["size"] == 0 and data["observed"] == [0] * 13
    assert data["observed_shares"] == {name: [None] * 13 for name in MILESTONES}
    assert data["km"] == {name: [None] * 13 for name in MILESTONES}
    assert data["median_months"] == dict.fromkeys(MILESTONES)


# --region and the command ---------------------------------------------------------------------------------

def put_in_region(code, name, *departments):
    """The region row (created when the schema has none) and the departments placed in it."""
    region = db.session.scalar(select(Region).where(Region.code == code))
    if region is None:
        region = Region(code=code, name=name)
        db.session.add(region)
        db.session.flush()
    for department in departments:
        department.region_id = region.id
    db.session.flush()
    return region


@pytest.fixture
def two_regions(world):
    """Gironde (max 12) and Dordogne (max 18) in Nouvelle-Aquitaine, Paris (max 24) in Île-de-France."""
    dordogne = f.make_department(code="24", name="Dordogne", wave=2023, max_months=18)
    paris = f.make_department(code="75", name="Paris", wave=2023, max_months=24)
    put_in_region("75", "Nouvelle-Aquitaine", world.department, dordogne)
    put_in_region("11", "Île-de-France", paris)
    for department in (world.department, dordogne, paris):
        s = f.make_structure(department, "agir_operator")
        p = person(world, department=department, structure=s)
        accompaniment(p, s, date(2023, 1, 10))
        right(p, "health_insurance", obtained=date(2023, 2, 10))     # month 1
    db.session.commit()
    return world


def test_region_counts_its_departments_and_runs_to_their_largest_max_months(two_regions):
    data = cohort("2023-01-01", "2023-01-31", "2024-12-31", region="75")
    assert data["scope"]["region"] == "75" and data["scope"]["department"] is None
    assert data["size"] == 2                                   # Gironde and Dordogne, not Paris
    assert data["months"] == list(range(19))                   # Dordogne's 18 months, not Paris's 24
    assert data["observed"] == [2] * 19
    assert data["km"]["health_insurance"] == [0.0] + [1.0] * 18
    assert data["median_months"]["health_insurance"] == 1
    national = cohort("2023-01-01", "2023-01-31", "2024-12-31")
    assert national["size"] == 3 and national["months"] == list(range(25))
    # 10 Jan 2023 + 23 months = 10 Dec 2024 <= 31 Dec; + 24 months = 10 Jan 2025 > 31 Dec.
    assert national["observed"] == [3] * 24 + [0]


def test_cohort_command_with_as_of_and_region(runner, two_regions):
    result = runner.invoke(args=["agir", "cohort", "--entry-from", "2023-01-01", "--entry-to", "2023-01-31",
                                 "--region", "75", "--as-of", "2023-03-09"])
    assert result.exit_code == 0, result.output
    printed = json.loads(result.stdout)
    assert printed["scope"] == {"entry_from": "2023-01-01", "entry_to": "2023-01-31", "department": None,
                                "region": "75", "as_of": "2023-03-09"}
    assert set(printed) == {"scope", "size", "months", "milestones", "observed", "observed_shares", "km",
                            "median_months"}
    # 10 Jan + 1 month = 10 Feb <= 9 Mar < 10 Mar = + 2 months: both members observed at months 0 and 1.
    assert printed["observed"] == [2, 2] + [0] * 17
    assert printed["km"]["health_insurance"] == [0.0, 1.0] + [None] * 17
    assert printed["observed_shares"]["health_insurance"] == [0.0, 1.0] + [None] * 17


@pytest.mark.parametrize(("args", "message"), [
    (["--as-of", "2023-02-30"], "Date invalide pour --as-of"),
    (["--region", "99"], "Région inconnue"),
    (["--region", "11", "--department", "33"], "n'appartient pas"),
])
def test_cohort_command_bad_as_of_or_region_exits_1(runner, two_regions, args, message):
    result = runner.invoke(args=["agir", "cohort", "--entry-from", "2023-01-01", "--entry-to", "2023-01-31", *args])
    assert result.exit_code == 1, result.output
    assert message in result.stderr
    assert result.stdout == ""


# Property: the SQL figures equal a plain Python computation of the definitions ------------------------------

def four(fraction: Fraction) -> float:
    """Four decimals, half away from zero (the figures are never negative)."""
    return float((Decimal(fraction.numerator) / Decimal(fraction.denominator)).quantize(
        Decimal("0.0001"), rounding=ROUND_HALF_UP))


def plain_cohort(starts, reached, as_of, last):
    """INTERCHANGE.md's definitions, member by member. `reached[k][i]`: the dates member i reached k."""
    def c_of(start):
        if start > as_of:
            return -1
        return max(m for m in range(last + 1) if add_months(start, m) <= as_of)

    def e_of(start, dates):
        first = min(dates, default=None)
        if first is None:
            return None
        return next((m for m in range(last + 1) if first <= add_months(start, m)), None)

    size = len(starts)
    c = [c_of(s) for s in starts]
    observed = [sum(1 for ci in c if ci >= m) for m in range(last + 1)]
    result = {"size": size, "observed": observed, "milestones": {}, "observed_shares": {}, "km": {},
              "median_months": {}}
    for k, per_member in reached.items():
        e = [e_of(s, dates) for s, dates in zip(starts, per_member, strict=True)]
        result["milestones"][k] = [four(Fraction(sum(1 for ei in e if ei is not None and ei <= m), size))
                                   if size else 0.0 for m in range(last + 1)]
        result["observed_shares"][k] = [
            four(Fraction(sum(1 for ei, ci in zip(e, c, strict=True) if ci >= m and ei is not None and ei <= m),
                          observed[m])) if observed[m] else None for m in range(last + 1)]
        survival, km = Fraction(1), []
        for m in range(last + 1):
            n = sum(1 for ei, ci in zip(e, c, strict=True) if ci >= m and (ei is None or ei >= m))
            d = sum(1 for ei, ci in zip(e, c, strict=True) if ei == m and ci >= m)
            if n:
                survival *= 1 - Fraction(d, n)
            km.append(four(1 - survival) if observed[m] else None)
        result["km"][k] = km
        result["median_months"][k] = next((m for m, v in enumerate(km) if v is not None and v >= 0.5), None)
    return result


BASE = date(2023, 1, 1)
OFFSET = st.integers(min_value=-90, max_value=560)           # days from the start: before entry … beyond 18 months
ONE = st.one_of(st.none(), OFFSET)
MEMBERS = st.lists(st.fixed_dictionaries({
    "start": st.integers(min_value=0, max_value=364), "health_insurance": ONE, "bank_account": ONE,
    "housing": st.lists(OFFSET, max_size=2), "job": ONE, "training": ONE}), max_size=9)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(members=MEMBERS, as_of_offset=st.integers(min_value=-40, max_value=800), last=st.sampled_from([3, 6, 12, 18]))
def test_sql_figures_equal_a_plain_computation_of_the_definitions(world, members, as_of_offset, last):
    try:
        world.department.max_months = last
        as_of = BASE + timedelta(days=as_of_offset)
        starts = []
        reached = {"health_insurance": [], "bank_account": [], "permanent_housing": [], "job_or_training": []}
        for drawn in members:
            start = BASE + timedelta(days=drawn["start"])
            p = person(world)
            accompaniment(p, world.agir, start)
            starts.append(start)

            def day(offset, start=start):
                return start + timedelta(days=offset)
            for kind in ("health_insurance", "bank_account"):     # one right step per kind and person
                if drawn[kind] is not None:
                    right(p, kind, obtained=day(drawn[kind]))
                reached[kind].append([] if drawn[kind] is None else [day(drawn[kind])])
            for offset in drawn["housing"]:
                housing(p, "private_rental", day(offset))
            reached["permanent_housing"].append([day(x) for x in drawn["housing"]])
            if drawn["job"] is not None:
                job(p, day(drawn["job"]))
            if drawn["training"] is not None:
                training(p, day(drawn["training"]))
            reached["job_or_training"].append([day(drawn[x]) for x in ("job", "training") if drawn[x] is not None])
        got = cohort("2023-01-01", "2023-12-31", as_of.isoformat(), "33")
        expected = plain_cohort(starts, reached, as_of, last)
        assert got["size"] == expected["size"]
        assert got["months"] == list(range(last + 1))
        assert got["observed"] == expected["observed"]
        for key in ("milestones", "observed_shares", "km", "median_months"):
            for k in reached:
                assert got[key][k] == expected[key][k], (key, k)
    finally:
        db.session.rollback()   # the next example starts from the committed world only


def test_estimate_is_exact_then_rounded_and_the_median_reads_the_published_figure():
    from agir.indicators.cohort import kaplan_meier, median_month
    # One month, 20,001 at risk, 10,000 events: 1 − S = 10000/20001 = 0.49997… → published 0.5 → median 0.
    assert kaplan_meier([{"at_risk": 20001, "events": 10000, "observed": 20001}]) == [0.5]
    assert median_month([0.5]) == 0 and median_month([0.4999, None]) is None
    # Three months of (n, d) = (3, 1): S = 2/3, 4/9, 8/27 → 1 − S = 0.3333…, 0.5555… → 0.5556, 0.7037….
    month = {"at_risk": 3, "events": 1, "observed": 3}
    assert kaplan_meier([month] * 3) == [0.3333, 0.5556, 0.7037]
    # n_m = 0 keeps S; nobody observed gives null.
    assert kaplan_meier([month, {"at_risk": 0, "events": 0, "observed": 2}, {"at_risk": 0, "events": 0,
                                                                            "observed": 0}]) == [0.3333, 0.3333, None]
