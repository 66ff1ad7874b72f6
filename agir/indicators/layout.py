"""The Annex tables as people read them: labels (French msgids), order, kind of figure and objectives.

One layout serves the dashboard, the CSV and the XLSX, so the three always agree.
"""
from dataclasses import dataclass
from decimal import Decimal

from agir.i18n import N_, gettext

COUNT, MEAN, SHARE, MONEY, HOURS = "count", "mean", "share", "money", "hours"

SECTIONS: tuple[tuple[str, str, tuple[tuple[str, str, str], ...]], ...] = (
    ("public", N_("Public accompagné"), (
        ("beneficiaries", N_("Bénéficiaires (accompagnement ou programme sur la période)"), COUNT),
        ("men", N_("dont hommes"), COUNT),
        ("women", N_("dont femmes"), COUNT),
        ("under_25", N_("dont moins de 25 ans à l'entrée"), COUNT),
        ("bpi", N_("dont bénéficiaires de la protection internationale (BPI)"), COUNT),
        ("bpi_men", N_("dont BPI hommes"), COUNT),
        ("bpi_women", N_("dont BPI femmes"), COUNT),
        ("bpi_under_25", N_("dont BPI de moins de 25 ans à l'entrée"), COUNT),
    )),
    ("employment", N_("Emploi (3.2) — sorties d'accompagnement de la période"), (
        ("exits", N_("Sorties d'accompagnement"), COUNT),
        ("average_duration_months", N_("Durée moyenne d'accompagnement (mois)"), MEAN),
        ("positive_exits", N_("Sorties positives (emploi ou formation)"), COUNT),
        ("in_training", N_("dont sorties en formation"), COUNT),
        ("durable_employment", N_("Sorties en emploi durable (CDI ou contrat de plus de 6 mois)"), COUNT),
        ("positive_at_6_months", N_("Situation positive au suivi à 6 mois"), COUNT),
        ("followup_missing", N_("Suivi à 6 mois non renseigné"), COUNT),
    )),
    ("housing", N_("Logement (3.4)"), (
        ("households_permanent_housing", N_("Ménages ayant accédé à un logement pérenne"), COUNT),
    )),
    ("language", N_("Apprentissage du français (3.1)"), (
        ("training_hours", N_("Heures de formation linguistique dispensées"), HOURS),
        ("assiduous_participants", N_("Participants assidus (au moins 80 %% des heures prévues)"), COUNT),
        ("progressed_one_level", N_("Participants ayant progressé d'au moins un niveau CECRL"), COUNT),
    )),
    ("health", N_("Santé (3.5)"), (
        ("medical_consultations", N_("Consultations médicales"), COUNT),
    )),
    ("digital", N_("Numérique (3.6)"), (
        ("tools_provided", N_("Équipements numériques fournis"), COUNT),
        ("training_hours", N_("Heures de formation au numérique"), HOURS),
    )),
    ("mentoring", N_("Parrainage (3.7)"), (
        ("pairs", N_("Binômes de parrainage formés"), COUNT),
    )),
    ("sport_culture", N_("Sport et culture (3.8)"), (
        ("sport_events", N_("Événements sportifs distincts"), COUNT),
        ("cultural_events", N_("Événements culturels distincts"), COUNT),
    )),
    ("republic_values", N_("Valeurs de la République (3.3)"), (
        ("training_hours", N_("Heures de formation aux valeurs de la République"), HOURS),
    )),
    ("finance", N_("Financement (2) — programmes de la période"), (
        ("total_cost", N_("Coût total des programmes (€)"), MONEY),
        ("p104_subsidy", N_("Subvention P104 (€)"), MONEY),
    )),
    ("compliance", N_("Conformité (§3.4, §3.5, §4.1)"), (
        ("non_bpi_share", N_("Part de participants aux programmes non BPI"), SHARE),
        ("employment_subsidy_share", N_("Part de la subvention P104 consacrée à l'emploi"), SHARE),
        ("language_programmes_unreferenced", N_("Programmes linguistiques sans référence CARIF-OREF"), COUNT),
        ("overdue", N_("Accompagnements en cours au-delà de leur fin prévue"), COUNT),
        ("over_limit", N_("Accompagnements en cours au-delà de la durée maximale"), COUNT),
        ("ineligible_enrolments", N_("Entrées en accompagnement non éligibles"), COUNT),
    )),
    # The AGIR results (SPEC §5, beyond the Annex): exits, the entry path, appointments.
    ("exit_outcomes", N_("Résultats AGIR — situation à la sortie"), (
        ("exits", N_("Sorties d'accompagnement"), COUNT),
        ("permanent_housing", N_("Sorties avec un logement pérenne"), COUNT),
        ("employment_or_training", N_("Sorties en emploi ou en formation"), COUNT),
        # (short: the tables' labels do not wrap; the definition is in docs/rules.md)
        ("agir_positive", N_("Sorties positives AGIR : logement et emploi ou formation"), COUNT),
        ("housing_share", N_("Part des sorties avec un logement pérenne"), SHARE),
        ("employment_share", N_("Part des sorties en emploi ou en formation"), SHARE),
        ("agir_positive_share", N_("Part des sorties positives AGIR"), SHARE),
    )),
    ("entry", N_("Résultats AGIR — entrée dans le parcours"), (
        ("orientations", N_("Personnes orientées sur la période"), COUNT),
        ("first_interview_within_month", N_("dont premier entretien dans le mois suivant l'orientation"), COUNT),
        ("median_days_to_first_interview", N_("Délai médian de l'orientation au premier entretien (jours)"), MEAN),
        ("contracts_signed", N_("Contrats d'engagement signés"), COUNT),
        ("contract_within_month", N_("dont signés dans le mois suivant l'entrée"), COUNT),
    )),
    ("appointments", N_("Rendez-vous de la période"), (
        ("honoured", N_("Rendez-vous honorés"), COUNT),
        ("missed", N_("Rendez-vous manqués"), COUNT),
        ("missed_share", N_("Part des rendez-vous manqués (parmi les honorés et manqués)"), SHARE),
    )),
)

# (section, key): (comparison, threshold, text) — the objectives of the instruction.
OBJECTIVES = {
    ("compliance", "non_bpi_share"): (">=", Decimal("0.30"), N_("au moins 30 %%")),
    ("compliance", "employment_subsidy_share"): (">=", Decimal("0.60"), N_("au moins 60 %%")),
    ("compliance", "language_programmes_unreferenced"): ("==", 0, N_("aucun")),
    ("compliance", "overdue"): ("==", 0, N_("aucun")),
    ("compliance", "over_limit"): ("==", 0, N_("aucun")),
    ("compliance", "ineligible_enrolments"): ("==", 0, N_("aucune")),
    # The national targets of the AGIR results (SPEC §5).
    ("exit_outcomes", "housing_share"): (">=", Decimal("0.80"), N_("au moins 80 %%")),
    ("exit_outcomes", "employment_share"): (">=", Decimal("0.60"), N_("au moins 60 %%")),
}


def text(msgid: str) -> str:
    """A label in the reader's language; labels are written like format strings ("80 %%" reads "80 %")."""
    return gettext(msgid) % {}


@dataclass(frozen=True)
class Row:
    """One line of an Annex table."""

    section: str
    section_label: str
    key: str
    label: str
    kind: str
    value: object
    objective: str | None = None
    met: bool | None = None  # None: no objective, or nothing to measure


def objective_met(section: str, key: str, value) -> bool | None:
    """True / False against the instruction's objective; None without objective or without a value."""
    objective = OBJECTIVES.get((section, key))
    if objective is None or value is None:
        return None
    comparison, threshold, _ = objective
    value = Decimal(repr(value)) if isinstance(value, float) else Decimal(value)
    return value >= threshold if comparison == ">=" else value == threshold


def rows(data: dict) -> list[Row]:
    """The indicators JSON as the ordered lines of the Annex tables, labelled in the reader's language."""
    out = []
    for section, section_label, figures in SECTIONS:
        for key, label, kind in figures:
            value = data.get(section, {}).get(key)
            objective = OBJECTIVES.get((section, key))
            out.append(Row(section, text(section_label), key, text(label), kind, value,
                           text(objective[2]) if objective else None, objective_met(section, key, value)))
    return out


def grouped(data: dict) -> list[tuple[str, str, list[Row]]]:
    """Rows grouped by section, for the dashboard's tables."""
    by_section: dict[str, list[Row]] = {}
    for row in rows(data):
        by_section.setdefault(row.section, []).append(row)
    return [(section, text(label), by_section[section]) for section, label, _ in SECTIONS]


def _group_thousands(text: str) -> str:
    head, _, tail = text.partition(".")
    sign = "-" if head.startswith("-") else ""
    head = head.lstrip("-")
    groups: list[str] = []
    while len(head) > 3:
        groups.insert(0, head[-3:])
        head = head[:-3]
    groups.insert(0, head)
    return sign + "\u202f".join(groups) + ("," + tail if tail else "")


def format_value(value, kind: str = COUNT, decimals: int = 2) -> str:
    """A figure in French: 1 234 ; 9,0 ; 33,33 % ; 13 000,30 € ; 6,5 h ; — when not computable."""
    if value is None:
        return "—"
    if kind == SHARE:
        return _group_thousands(f"{Decimal(repr(float(value))) * 100:.{decimals}f}") + " %"
    if kind == MEAN:
        return _group_thousands(f"{float(value):.1f}")
    if kind == MONEY:
        return _group_thousands(f"{float(value):.2f}") + " €"
    if kind == HOURS:
        text = f"{float(value):.2f}".rstrip("0").rstrip(".")
        return _group_thousands(text) + " h"
    return _group_thousands(str(int(value)))


def small_count(value: int, threshold: int = 5) -> str:
    """Statistical secrecy for breakdowns finer than the Annex: 1 to 4 shown as "< 5"."""
    return f"< {threshold}" if 0 < value < threshold else format_value(value)
