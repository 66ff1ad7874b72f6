"""The cohort as pilots read it, on their pages and in the indicators XLSX (issue 19): per milestone and month
since entry, the members observed, the share of those observed who reached the milestone (the raw observed
share), the Kaplan–Meier estimate and the share of the whole cohort — with the small counts masked.

Masking (statistical secrecy, agir.rules.masking: counts of 1 to 4 are shown « < 5 »):
- a count of 1 to 4 (members observed, events, the cohort's size) is masked;
- a share or estimate of a month whose members observed are 1 to 4 is masked (it would give the count of
  members who reached the milestone among them), and so is every share of the whole cohort when the cohort
  has 1 to 4 members;
- a median month that falls on a masked month is masked.
Zero is never masked (nobody to protect). Everything else is the cohort JSON's own figure, so the page and
the file equal `agir cohort` for the same scope and as-of date.
"""
from dataclasses import dataclass

from agir.i18n import N_, gettext
from agir.indicators.cohort import MILESTONES
from agir.indicators.layout import SHARE, format_value, small_count
from agir.rules.masking import THRESHOLD, is_small

MILESTONE_LABELS = {
    "health_insurance": N_("Assurance maladie ouverte"), "caf_benefits": N_("Prestations CAF ouvertes"),
    "bank_account": N_("Compte bancaire ouvert"), "permanent_housing": N_("Logement pérenne"),
    "job_or_training": N_("Premier emploi ou formation"), "language_referral": N_("Première orientation linguistique"),
}


@dataclass(frozen=True)
class Month:
    """One month of one milestone, as published (None: not computable or masked, see `masked`)."""

    month: int
    observed: int
    masked: bool                    # members observed 1 to 4: the month's shares are not published
    observed_share: float | None
    km: float | None
    cohort_share: float | None
    events: int | None = None       # members reaching the milestone that month while observed (XLSX)


@dataclass(frozen=True)
class Milestone:
    """One milestone's published curve."""

    key: str
    label: str
    months: list[Month]
    median: int | None
    median_masked: bool


def milestones(cohort: dict, series: dict | None = None) -> list[Milestone]:
    """The published curves of the cohort JSON (`series`: cohort.compute_with_counts's counts, for the events)."""
    cohort_masked = is_small(cohort["size"])
    out = []
    for key in MILESTONES:
        months = []
        for m in cohort["months"]:
            observed = cohort["observed"][m]
            masked = is_small(observed)
            months.append(Month(
                m, observed, masked,
                None if masked else cohort["observed_shares"][key][m],
                None if masked else cohort["km"][key][m],
                None if cohort_masked else cohort["milestones"][key][m],
                series[key][m]["events"] if series is not None else None))
        median = cohort["median_months"][key]
        median_masked = median is not None and months[median].masked
        out.append(Milestone(key, gettext(MILESTONE_LABELS[key]), months, None if median_masked else median,
                             median_masked))
    return out


def count_text(count: int | None) -> str:
    """A published count: « < 5 » for 1 to 4, else the French figure."""
    return "—" if count is None else small_count(count, THRESHOLD)


def share_text(value: float | None) -> str:
    """A published share in percent with one decimal (— when not computable)."""
    return format_value(value, SHARE, 1)


def chart_payload(cohort: dict, curves: list[Milestone]) -> dict:
    """What pilot.js draws: per milestone the observed share and the Kaplan–Meier estimate in percent (null where
    not computable or masked), and under the months the members observed (the « at risk » row), masked."""
    def percent(value):
        return None if value is None else round(value * 100, 2)

    return {
        "months": cohort["months"],
        "observed": [count_text(n) for n in cohort["observed"]],
        "labels": {"observed_share": gettext("Part des membres observés"),
                   "km": gettext("Estimation de Kaplan–Meier"),
                   "observed": gettext("membres observés"),
                   "y": gettext("Part ayant franchi l'étape (en pourcentage)"),
                   "x": gettext("Mois depuis l'entrée (en dessous : membres observés)")},
        "series": {c.key: {"label": c.label,
                           "observed_share": [percent(m.observed_share) for m in c.months],
                           "km": [percent(m.km) for m in c.months]} for c in curves},
    }
