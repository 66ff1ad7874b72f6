"""Forms of the social worker's file. They own the shape of input; the rules live in agir/.

Field names follow the `field` of the RuleViolation the operations raise, so that an error
lands next to the field that caused it. Edit forms carry the record's version (optimistic locking).
"""
from datetime import date

from flask_wtf import FlaskForm
from wtforms import (
    DateField,
    EmailField,
    HiddenField,
    IntegerField,
    RadioField,
    SelectField,
    StringField,
    TelField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from agir.labels import choices
from models.enums import EARLY_EXIT_REASONS, EXIT_REASONS

# Nationalities most often met (ISO 3166 alpha-3): suggested while typing, any 3-letter code is accepted.
NATIONALITIES = {
    "AFG": "Afghanistan", "ALB": "Albanie", "DZA": "Algérie", "ARM": "Arménie", "AZE": "Azerbaïdjan",
    "BGD": "Bangladesh", "BDI": "Burundi", "MMR": "Birmanie (Myanmar)", "CMR": "Cameroun", "CAF": "Centrafrique",
    "TCD": "Tchad", "CHN": "Chine", "COL": "Colombie", "COG": "Congo", "COD": "Congo (RD)",
    "CIV": "Côte d'Ivoire", "ERI": "Érythrée", "ETH": "Éthiopie", "GEO": "Géorgie", "GIN": "Guinée",
    "HTI": "Haïti", "IRN": "Iran", "IRQ": "Irak", "LBN": "Liban", "LBY": "Libye", "MLI": "Mali",
    "MAR": "Maroc", "MRT": "Mauritanie", "NGA": "Nigeria", "PAK": "Pakistan", "PSE": "Palestine",
    "RUS": "Russie", "RWA": "Rwanda", "SEN": "Sénégal", "SOM": "Somalie", "SDN": "Soudan",
    "SSD": "Soudan du Sud", "LKA": "Sri Lanka", "SYR": "Syrie", "TUN": "Tunisie", "TUR": "Turquie",
    "UKR": "Ukraine", "VEN": "Venezuela", "YEM": "Yémen", "XXA": "Apatride (code ICAO)",
}
BAD_DATE = "Date invalide : utilisez le format jj/mm/aaaa."
BAD_NUMBER = "Saisissez un nombre entier."


def _date(label: str, required: str | None = None, **kw) -> DateField:
    validators = [InputRequired(required)] if required else [Optional()]
    return DateField(label, validators=validators, **kw)


class _Dated(FlaskForm):
    """Dates in French: an unreadable date gets a French message."""

    def validate(self, extra_validators=None):
        ok = super().validate(extra_validators)
        for f in self:
            if isinstance(f, DateField) and f.errors and f.raw_data and f.raw_data[0]:
                f.errors[:] = [BAD_DATE]
            if isinstance(f, IntegerField) and f.errors and f.raw_data and f.raw_data[0]:
                f.errors[:] = [e if "entre" in e else BAD_NUMBER for e in f.errors]
        return ok


class VersionedForm(_Dated):
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

    last_name = StringField("Nom *", validators=[DataRequired("Le nom est obligatoire."), Length(max=120)],
                            render_kw={"autocomplete": "family-name"})
    first_name = StringField("Prénom *", validators=[DataRequired("Le prénom est obligatoire."), Length(max=120)],
                             render_kw={"autocomplete": "given-name"})
    sex = SelectField("Sexe *", choices=choices("sex", "Choisir"),
                      validators=[DataRequired("Le sexe est obligatoire.")])
    birth_on = _date("Date de naissance *", "La date de naissance est obligatoire.")
    nationality = StringField("Nationalité *", validators=[DataRequired("La nationalité est obligatoire."),
                                                         Length(min=3, max=3, message="Code à trois lettres.")],
                              render_kw={"list": "nationalities", "autocomplete": "off", "maxlength": 3,
                                         "class": "agir-upper"})
    status = SelectField("Statut *", choices=choices("status", "Choisir"),
                         validators=[DataRequired("Le statut est obligatoire.")])
    protection_on = _date("Date d'obtention de la protection")
    first_permit_on = _date("Date du premier titre de séjour")
    arrival_on = _date("Date d'arrivée dans le département")
    cir_on = _date("Date de signature du CIR")
    permit_expiry_on = _date("Date d'expiration du titre de séjour")
    hosting = SelectField("Hébergement à l'entrée", choices=choices("hosting", "Non renseigné"), default="")
    language_level = SelectField("Niveau de français au positionnement (CECRL)",
                                 choices=choices("level", "Non évalué"), default="")
    prior_programme = StringField("Programme d'accompagnement antérieur", validators=[Length(max=200)])
    phone = TelField("Téléphone", validators=[Length(max=40)], render_kw={"autocomplete": "off"})
    email = EmailField("Adresse électronique", validators=[Length(max=200)], render_kw={"autocomplete": "off"})

    def values(self) -> dict:
        """The person's fields as the operations take them."""
        from agir.operations.persons import PERSON_FIELDS
        return {name: getattr(self, name).data for name in PERSON_FIELDS}


class NewPersonForm(PersonForm):
    """A new file: the person and their household (a new one, or one of my persons' households)."""

    household_choice = RadioField("Rattachement", choices=[("new", "Nouveau ménage"),
                                                     ("join", "Rejoindre le ménage d'une personne déjà suivie")],
                                  default="new")
    household_ref = StringField("Ménage à rejoindre", render_kw={"list": "households", "autocomplete": "off"})


class HouseholdForm(VersionedForm):
    """Move the person into another household or into a household of their own."""

    household_choice = RadioField("Rattachement", choices=[("join", "Rejoindre le ménage d'une personne déjà suivie"),
                                                     ("new", "Former un ménage à part")], default="join")
    household_ref = StringField("Ménage à rejoindre", render_kw={"list": "households", "autocomplete": "off"})


class EnrolForm(_Dated):
    """Enrolment: entry date and planned end (proposed at the department's usual length)."""

    start = _date("Date d'entrée", "La date d'entrée est obligatoire.", default=date.today)
    planned_end = _date("Fin prévue")


class ExtensionForm(VersionedForm):
    """Extension: decision date, new planned end, reason."""

    date = _date("Date de la décision", "La date de décision est obligatoire.", default=date.today)
    planned_end = _date("Nouvelle fin prévue", "La nouvelle fin prévue est obligatoire.")
    reason = TextAreaField("Motif de la prolongation",
                           validators=[DataRequired("Le motif de la prolongation est obligatoire."),
                                       Length(max=2000)], render_kw={"rows": 3})


def _exit_reasons() -> list:
    labels = dict(choices("exit_reason"))
    early = [(r, f"{labels[r]}") for r in EARLY_EXIT_REASONS]
    others = [(r, labels[r]) for r in EXIT_REASONS if r not in EARLY_EXIT_REASONS]
    return [("", "Choisir")] + others + early


class ExitForm(VersionedForm):
    """Exit: date, reason, situation at exit (job and/or training)."""

    date = _date("Date de sortie", "La date de sortie est obligatoire.", default=date.today)
    reason = SelectField("Motif de sortie", choices=_exit_reasons(),
                         validators=[DataRequired("Le motif de sortie est obligatoire.")])
    job_kind = SelectField("Emploi à la sortie", choices=choices("job_kind", "Aucun emploi"), default="")
    months = IntegerField("Durée du contrat (mois)", validators=[Optional(), NumberRange(min=1, max=120,
                          message="Une durée entre 1 et 120 mois.")])
    training_level = SelectField("Formation à la sortie", choices=choices("training_level", "Aucune formation"),
                                 default="")


class FollowUpForm(VersionedForm):
    """The 6-month follow-up: date and whether the situation is positive."""

    date = _date("Date du suivi", "La date du suivi est obligatoire.", default=date.today)
    positive = RadioField("Situation six mois après la sortie",
                          choices=[("yes", "Positive (en emploi ou en formation)"),
                                   ("no", "Non positive")],
                          validators=[InputRequired("Indiquez si la situation est positive.")])


class RightForm(VersionedForm):
    """One right: state and its dates."""

    state = SelectField("État", choices=choices("right_state"))
    requested = _date("Date de demande")
    obtained = _date("Date d'obtention")
    refused = _date("Date de refus")
    reason = StringField("Motif du refus", validators=[Length(max=500)])


class HousingStepForm(_Dated):
    """A housing application."""

    kind = SelectField("Démarche", choices=choices("housing_step_kind", "Choisir"),
                       validators=[DataRequired("Choisissez le type de démarche.")])
    date = _date("Date", "La date est obligatoire.", default=date.today)
    number = StringField("Numéro de la demande", validators=[Length(max=64)])


class HousingForm(_Dated):
    """Access to a dwelling."""

    kind = SelectField("Logement", choices=choices("housing_kind", "Choisir"),
                       validators=[DataRequired("Choisissez le type de logement.")])
    date = _date("Date d'entrée dans le logement", "La date est obligatoire.")


class JobForm(_Dated):
    """A job."""

    kind = SelectField("Contrat", choices=choices("job_kind", "Choisir"),
                       validators=[DataRequired("Choisissez le type de contrat.")])
    date = _date("Date de début", "La date de début est obligatoire.")
    months = IntegerField("Durée (mois)", validators=[Optional(), NumberRange(min=1, max=120,
                          message="Une durée entre 1 et 120 mois.")])


class TrainingForm(_Dated):
    """A training."""

    level = SelectField("Niveau", choices=choices("training_level", "Choisir"),
                        validators=[DataRequired("Choisissez le niveau de la formation.")])
    date = _date("Date de début", "La date de début est obligatoire.")


class EventForm(_Dated):
    """A dated event."""

    kind = SelectField("Événement", choices=choices("event_kind", "Choisir"),
                       validators=[DataRequired("Choisissez le type d'événement.")])
    date = _date("Date", "La date est obligatoire.", default=date.today)
    event_ref = StringField("Identifiant de l'événement", validators=[Length(max=64)])


class NoteForm(_Dated):
    """A dated note."""

    date = _date("Date", "La date est obligatoire.", default=date.today)
    text = TextAreaField("Note", validators=[DataRequired("Le texte de la note est obligatoire."),
                                             Length(max=5000)], render_kw={"rows": 4})


class FilterForm(FlaskForm):
    """Search, filters and sort of the persons list (GET: no CSRF token)."""

    class Meta:
        csrf = False

    q = StringField("Rechercher un nom", render_kw={"type": "search", "autocomplete": "off"})
    accompaniment = SelectField("Accompagnement", choices=[("", "Tous"), ("open", "En cours"),
                                                           ("closed", "Terminé"), ("none", "Pas encore inscrit·e")])
    alert = SelectField("Alertes", choices=[("", "Toutes les personnes"), ("any", "Avec une alerte")]
                        + choices("alert_kind"))
    priority = SelectField("Public", choices=[("", "Tous"), ("1", "Prioritaire")])
    end_before = DateField("Fin prévue avant le", validators=[Optional()])
    sort = SelectField("Trier par", choices=[("name", "Nom"), ("end", "Fin prévue"), ("start", "Date d'entrée"),
                                              ("protection", "Date de protection"), ("created", "Date de création")])
    dir = SelectField("Ordre", choices=[("asc", "Croissant"), ("desc", "Décroissant")])


# Fields shown for each kind of dated line, with their hint.
ITEM_FIELDS = {
    "housing_step": (("kind", None), ("date", None),
                     ("number", "Numéro unique de la demande de logement social, s'il est connu")),
    "housing": (("kind", "Logement social, location privée et IML en mandat de gestion sont des logements pérennes"),
                ("date", None)),
    "job": (("kind", None), ("date", None), ("months", "Laisser vide pour un CDI")),
    "training": (("level", None), ("date", None)),
    "event": (("kind", None), ("date", None),
              ("event_ref", "Événement sportif ou culturel : le même identifiant pour toutes les personnes présentes")),
}
# The forms of the dated lines of the path, by kind of item (see agir.operations.path.ITEMS).
ITEM_FORMS = {"housing_step": HousingStepForm, "housing": HousingForm, "job": JobForm,
              "training": TrainingForm, "event": EventForm}
