"""Forms of the social worker's file. They own the shape of input; the rules live in agir/.

Field names follow the `field` of the RuleViolation the operations raise, so that an error
lands next to the field that caused it. Edit forms carry the record's version (optimistic locking).
"""

from flask_wtf import FlaskForm
from wtforms import (
    EmailField,
    HiddenField,
    IntegerField,
    RadioField,
    SelectField,
    StringField,
    TelField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional, ValidationError

from agir.dates import today as paris_today
from agir.errors import RuleViolation
from agir.i18n import lazy_gettext as _l
from agir.labels import LABELS, choices, lazy_label
from agir.rules.person import check_email
from agir.rules.text import MAX_LENGTHS
from blueprints._fields import FrenchDateField
from models.enums import EARLY_EXIT_REASONS, EXIT_REASONS

# Nationalities suggested while typing (agir.labels), names resolved when shown.
NATIONALITIES = {code: lazy_label(code, "nationality") for code in LABELS["nationality"]}
BAD_NUMBER = _l("Saisissez un nombre entier.")
MONTHS_RANGE = _l("Une durée entre 1 et 120 mois.")


class RuleCheck:
    """A field validator that calls a rule of agir/rules on the field's value (a RuleViolation becomes the
    field's error, its French message as the rules write it): one rule, one place, and the error comes
    with the other field errors."""

    def __init__(self, rule):
        self.rule = rule

    def __call__(self, form, field):
        value = field.data.strip() if isinstance(field.data, str) else field.data
        if value in (None, ""):
            return
        try:
            self.rule(value)
        except RuleViolation as exc:
            raise ValidationError(exc.message) from None


def _date(label: str, required: str | None = None, **kw) -> FrenchDateField:
    validators = [InputRequired(required)] if required else [Optional()]
    return FrenchDateField(label, validators=validators, **kw)


class _FrenchNumbers(FlaskForm):
    """Numbers in French: an unreadable number gets a French message (dates: FrenchDateField)."""

    def validate(self, extra_validators=None):
        ok = super().validate(extra_validators)
        for f in self:
            if isinstance(f, IntegerField) and f.errors and f.raw_data and f.raw_data[0]:
                f.errors[:] = [e if e == MONTHS_RANGE else BAD_NUMBER for e in f.errors]
        return ok


class VersionedForm(_FrenchNumbers):
    """An edit form: the record's version when the form was loaded."""

    version = HiddenField()

    @property
    def version_value(self) -> int | None:
        """The version the user saw (None when the form did not carry one)."""
        try:
            return int(self.version.data)
        except (TypeError, ValueError):
            return None


class PersonForm(VersionedForm):
    """Identity, status, dates, hosting, language level, prior programme, contact (SPEC §3)."""

    last_name = StringField(_l("Nom *"), validators=[DataRequired(_l("Le nom est obligatoire.")),
                                                      Length(max=MAX_LENGTHS["person.last_name"])],
                            render_kw={"autocomplete": "family-name"})
    first_name = StringField(_l("Prénom *"), validators=[DataRequired(_l("Le prénom est obligatoire.")),
                                                          Length(max=MAX_LENGTHS["person.first_name"])],
                            render_kw={"autocomplete": "given-name"})
    sex = SelectField(_l("Sexe *"), choices=choices("sex", _l("Choisir")),
                      validators=[DataRequired(_l("Le sexe est obligatoire."))])
    birth_on = _date(_l("Date de naissance *"), _l("La date de naissance est obligatoire."))
    nationality = StringField(_l("Nationalité *"), validators=[
        DataRequired(_l("La nationalité est obligatoire.")), Length(min=3, max=3, message=_l("Code à trois lettres."))],
                              render_kw={"list": "nationalities", "autocomplete": "off", "maxlength": 3,
                                         "class": "agir-upper"})
    status = SelectField(_l("Statut *"), choices=choices("status", _l("Choisir")),
                         validators=[DataRequired(_l("Le statut est obligatoire."))])
    protection_on = _date(_l("Date d'obtention de la protection"))
    first_permit_on = _date(_l("Date du premier titre de séjour"))
    arrival_on = _date(_l("Date d'arrivée dans le département"))
    cir_on = _date(_l("Date de signature du CIR"))
    permit_expiry_on = _date(_l("Date d'expiration du titre de séjour"))
    hosting = SelectField(_l("Hébergement à l'entrée"), choices=choices("hosting", _l("Non renseigné")), default="")
    language_level = SelectField(_l("Niveau de français au positionnement (CECRL)"),
                                 choices=choices("level", _l("Non évalué")), default="")
    prior_programme = StringField(_l("Programme d'accompagnement antérieur"),
                                  validators=[Length(max=MAX_LENGTHS["person.prior_programme"])])
    phone = TelField(_l("Téléphone"), validators=[Length(max=MAX_LENGTHS["person.phone"])],
                     render_kw={"autocomplete": "off"})
    # The same rule as agir import (agir.rules.person.check_email), next to the field with the other field errors.
    email = EmailField(_l("Adresse électronique"), validators=[Length(max=MAX_LENGTHS["person.email"]),
                                                               RuleCheck(check_email)],
                       render_kw={"autocomplete": "off"})

    def values(self) -> dict:
        """The person's fields as the operations take them."""
        from agir.operations.persons import PERSON_FIELDS
        return {name: getattr(self, name).data for name in PERSON_FIELDS}


class NewPersonForm(PersonForm):
    """A new file: the person and their household (a new one, or one of my persons' households)."""

    household_choice = RadioField(_l("Rattachement"), choices=[
        ("new", _l("Nouveau ménage")), ("join", _l("Rejoindre le ménage d'une personne déjà suivie"))], default="new")
    household_ref = StringField(_l("Ménage à rejoindre"), render_kw={"list": "households", "autocomplete": "off"})
    # The orientation that brought the person (SPEC §3, §4.5; blueprints/persons/routes_entry.py): the
    # structures are the department's holding ones, set by the view and checked by agir.operations.entry.
    oriented_on = FrenchDateField(_l("Date d'orientation"), validators=[Optional()])
    orientation_source = SelectField(_l("Orienté·e par"), choices=choices("orientation_source", _l("Non orienté·e")),
                                     default="")
    orientation_structure = SelectField(_l("Structure vers laquelle la personne est orientée"), choices=[],
                                        default="", validate_choice=False)

    def orientation(self) -> tuple:
        """(date, source, structure id) as agir.operations.entry takes them."""
        try:
            structure_id = int(self.orientation_structure.data) if self.orientation_structure.data else None
        except (TypeError, ValueError):
            structure_id = -1  # not one of the list: refused by the operation
        return (self.oriented_on.data, self.orientation_source.data or None, structure_id)


class HouseholdForm(VersionedForm):
    """Move the person into another household or into a household of their own."""

    household_choice = RadioField(_l("Rattachement"), choices=[
        ("join", _l("Rejoindre le ménage d'une personne déjà suivie")), ("new", _l("Former un ménage à part"))],
        default="join")
    household_ref = StringField(_l("Ménage à rejoindre"), render_kw={"list": "households", "autocomplete": "off"})


class EnrolForm(_FrenchNumbers):
    """Enrolment: entry date and planned end (proposed at the department's usual length)."""

    start = _date(_l("Date d'entrée"), _l("La date d'entrée est obligatoire."), default=paris_today)
    planned_end = _date(_l("Fin prévue"))


class ExtensionForm(VersionedForm):
    """Extension: decision date, new planned end, reason."""

    date = _date(_l("Date de la décision"), _l("La date de décision est obligatoire."), default=paris_today)
    planned_end = _date(_l("Nouvelle fin prévue"), _l("La nouvelle fin prévue est obligatoire."))
    reason = TextAreaField(_l("Motif de la prolongation"),
                           validators=[DataRequired(_l("Le motif de la prolongation est obligatoire.")),
                                       Length(max=MAX_LENGTHS["extension.reason"])], render_kw={"rows": 3})


def _exit_reasons() -> list:
    labels = dict(choices("exit_reason"))
    early = [(r, labels[r]) for r in EARLY_EXIT_REASONS]
    others = [(r, labels[r]) for r in EXIT_REASONS if r not in EARLY_EXIT_REASONS]
    return [("", _l("Choisir"))] + others + early


class ExitForm(VersionedForm):
    """Exit: date, reason, situation at exit (job and/or training)."""

    date = _date(_l("Date de sortie"), _l("La date de sortie est obligatoire."), default=paris_today)
    reason = SelectField(_l("Motif de sortie"), choices=_exit_reasons(),
                         validators=[DataRequired(_l("Le motif de sortie est obligatoire."))])
    job_kind = SelectField(_l("Emploi à la sortie"), choices=choices("job_kind", _l("Aucun emploi")), default="")
    months = IntegerField(_l("Durée du contrat (mois)"), validators=[Optional(), NumberRange(min=1, max=120,
                          message=MONTHS_RANGE)])
    training_level = SelectField(_l("Formation à la sortie"),
                                 choices=choices("training_level", _l("Aucune formation")),
                                 default="")


class FollowUpForm(VersionedForm):
    """The 6-month follow-up: date and whether the situation is positive."""

    date = _date(_l("Date du suivi"), _l("La date du suivi est obligatoire."), default=paris_today)
    positive = RadioField(_l("Situation six mois après la sortie"),
                          choices=[("yes", _l("Positive (en emploi ou en formation)")),
                                   ("no", _l("Non positive"))],
                          validators=[InputRequired(_l("Indiquez si la situation est positive."))])


class RightForm(VersionedForm):
    """One right: state and its dates."""

    state = SelectField(_l("État"), choices=choices("right_state"))
    requested = _date(_l("Date de demande"))
    obtained = _date(_l("Date d'obtention"))
    refused = _date(_l("Date de refus"))
    reason = StringField(_l("Motif du refus"), validators=[Length(max=MAX_LENGTHS["right.reason"])])


class HousingStepForm(_FrenchNumbers):
    """A housing application."""

    kind = SelectField(_l("Démarche"), choices=choices("housing_step_kind", _l("Choisir")),
                       validators=[DataRequired(_l("Choisissez le type de démarche."))])
    date = _date(_l("Date"), _l("La date est obligatoire."), default=paris_today)
    number = StringField(_l("Numéro de la demande"), validators=[Length(max=MAX_LENGTHS["housing_step.number"])])


class HousingForm(_FrenchNumbers):
    """Access to a dwelling."""

    kind = SelectField(_l("Logement"), choices=choices("housing_kind", _l("Choisir")),
                       validators=[DataRequired(_l("Choisissez le type de logement."))])
    date = _date(_l("Date d'entrée dans le logement"), _l("La date est obligatoire."))


class JobForm(_FrenchNumbers):
    """A job."""

    kind = SelectField(_l("Contrat"), choices=choices("job_kind", _l("Choisir")),
                       validators=[DataRequired(_l("Choisissez le type de contrat."))])
    date = _date(_l("Date de début"), _l("La date de début est obligatoire."))
    months = IntegerField(_l("Durée (mois)"), validators=[Optional(), NumberRange(min=1, max=120,
                          message=MONTHS_RANGE)])


class TrainingForm(_FrenchNumbers):
    """A training."""

    level = SelectField(_l("Niveau"), choices=choices("training_level", _l("Choisir")),
                        validators=[DataRequired(_l("Choisissez le niveau de la formation."))])
    date = _date(_l("Date de début"), _l("La date de début est obligatoire."))


class EventForm(_FrenchNumbers):
    """A dated event."""

    kind = SelectField(_l("Événement"), choices=choices("event_kind", _l("Choisir")),
                       validators=[DataRequired(_l("Choisissez le type d'événement."))])
    date = _date(_l("Date"), _l("La date est obligatoire."), default=paris_today)
    event_ref = StringField(_l("Identifiant de l'événement"), validators=[Length(max=MAX_LENGTHS["event.event"])])


class NoteForm(_FrenchNumbers):
    """A dated note."""

    date = _date(_l("Date"), _l("La date est obligatoire."), default=paris_today)
    text = TextAreaField(_l("Note"), validators=[DataRequired(_l("Le texte de la note est obligatoire.")),
                                             Length(max=MAX_LENGTHS["note.text"])], render_kw={"rows": 4})


class FilterForm(FlaskForm):
    """Search, filters and sort of the persons list (GET: no CSRF token)."""

    class Meta:
        csrf = False

    q = StringField(_l("Rechercher un nom"), render_kw={"type": "search", "autocomplete": "off"})
    accompaniment = SelectField(_l("Accompagnement"), choices=[
        ("", _l("Tous")), ("open", _l("En cours")), ("closed", _l("Terminé")), ("none", _l("Pas encore inscrit·e"))])
    alert = SelectField(_l("Alertes"), choices=[("", _l("Toutes les personnes")), ("any", _l("Avec une alerte"))]
                        + choices("alert_kind"))
    priority = SelectField(_l("Public"), choices=[("", _l("Tous")), ("1", _l("Prioritaire"))])
    end_before = FrenchDateField(_l("Fin prévue avant le"), validators=[Optional()])
    sort = SelectField(_l("Trier par"), choices=[
        ("name", _l("Nom")), ("end", _l("Fin prévue")), ("start", _l("Date d'entrée")),
        ("protection", _l("Date de protection")), ("created", _l("Date de création"))])
    dir = SelectField(_l("Ordre"), choices=[("asc", _l("Croissant")), ("desc", _l("Décroissant"))])


# Fields shown for each kind of dated line, with their hint.
ITEM_FIELDS = {
    "housing_step": (("kind", None), ("date", None),
                     ("number", _l("Numéro unique de la demande de logement social, s'il est connu"))),
    "housing": (("kind", _l("Logement social, location privée et IML en mandat de gestion "
                            "sont des logements pérennes")),
                ("date", None)),
    "job": (("kind", None), ("date", None), ("months", _l("Laisser vide pour un CDI"))),
    "training": (("level", None), ("date", None)),
    "event": (("kind", None), ("date", None),
              ("event_ref", _l("Événement sportif ou culturel : le même identifiant pour toutes les personnes "
                               "présentes"))),
}
# The forms of the dated lines of the path, by kind of item (see agir.operations.path.ITEMS).
ITEM_FORMS = {"housing_step": HousingStepForm, "housing": HousingForm, "job": JobForm,
              "training": TrainingForm, "event": EventForm}


# ---- Corrections and cancellations (SPEC §4.8): the reason is checked by the operation, with every rule.

def _correction_reason(text=None) -> TextAreaField:
    return TextAreaField(text or _l("Motif de la correction"), validators=[Length(max=2000)], render_kw={"rows": 3})


class EnrolmentCorrectionForm(VersionedForm):
    """Correct an enrolment: entry date, planned end, and why."""

    start = _date(_l("Date d'entrée"))
    planned_end = _date(_l("Fin prévue"))
    correction_reason = _correction_reason()


class ExtensionCorrectionForm(VersionedForm):
    """Correct an extension: decision date, new planned end, its motive, and why."""

    date = _date(_l("Date de la décision"))
    planned_end = _date(_l("Nouvelle fin prévue"))
    reason = TextAreaField(_l("Motif de la prolongation"), validators=[Length(max=2000)], render_kw={"rows": 3})
    correction_reason = _correction_reason()


class ExitCorrectionForm(ExitForm):
    """Correct an exit: date, reason, situation at exit, and why."""

    date = _date(_l("Date de sortie"))
    reason = SelectField(_l("Motif de sortie"), choices=_exit_reasons())
    correction_reason = _correction_reason()


class FollowUpCorrectionForm(VersionedForm):
    """Correct the 6-month follow-up, and why."""

    date = _date(_l("Date du suivi"))
    positive = RadioField(_l("Situation six mois après la sortie"),
                          choices=[("yes", _l("Positive (en emploi ou en formation)")),
                                   ("no", _l("Non positive"))], validators=[Optional()])
    correction_reason = _correction_reason()


class CancelRecordForm(VersionedForm):
    """Cancel a recorded fact: only the reason."""

    correction_reason = _correction_reason(_l("Motif de l'annulation"))


class DeletePersonForm(VersionedForm):
    """Delete a file created by mistake: only the reason."""

    correction_reason = _correction_reason(_l("Motif de la suppression"))


# ---- Corrections of the path (rights, housing, jobs, trainings, events, notes): version and reason.

def _path_reason() -> TextAreaField:
    return TextAreaField(_l("Motif de la correction"), render_kw={"rows": 2, "maxlength": 500})


def _correction_form(form_class):
    """The add form of a line, plus the version it was read at and the reason of the correction."""
    return type(f"{form_class.__name__}Correction", (form_class, VersionedForm),
                {"correction_reason": _path_reason()})


# The correction forms of the dated lines, by kind of item.
ITEM_CORRECTION_FORMS = {kind: _correction_form(form_class) for kind, form_class in ITEM_FORMS.items()}
NoteCorrectionForm = _correction_form(NoteForm)


class RightCorrectionForm(VersionedForm):
    """Correct a right recorded wrongly: any state (even an earlier one), its dates, and why."""

    state = SelectField(_l("État"), choices=choices("right_state"))
    requested = _date(_l("Date de demande"))
    obtained = _date(_l("Date d'obtention"))
    refused = _date(_l("Date de refus"))
    reason = StringField(_l("Motif du refus"), validators=[Length(max=500)])
    correction_reason = _path_reason()


class CancelLineForm(VersionedForm):
    """Cancel a line of the path recorded by mistake: only the reason."""

    correction_reason = TextAreaField(_l("Motif de l'annulation"), render_kw={"rows": 2, "maxlength": 500})
