"""Forms of the referrals blueprint: the shape of input only (rules live in agir/)."""
import math

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    Form,
    HiddenField,
    IntegerField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
    TimeField,
)
from wtforms.fields import FloatField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional
from wtforms.widgets import CheckboxInput, ListWidget, TextInput

from agir.dates import today as paris_today
from agir.i18n import lazy_gettext as _l
from agir.i18n import reader_is_english
from agir.interchange.schema import INT32_MAX
from agir.interchange.validation import MAX_NUMBER
from agir.labels import choices
from agir.rules.text import MAX_LENGTHS, NEED_MAX
from blueprints._fields import BAD_DATE, FrenchDateField
from blueprints._helpers import db_int

NUMBER_INVALID = _l("Nombre invalide (exemple : 12,5).")
NEGATIVE = _l("La valeur ne peut être négative.")
TOO_LARGE = _l("Nombre trop grand.")


class FrenchFloatField(FloatField):
    """A number typed the French way: a decimal comma and spaces between thousands are accepted.
    "NaN", "inf" and numbers beyond 10^15 (hours or euros: typing errors) are refused, as by the importer."""

    def process_formdata(self, valuelist):
        if valuelist:
            valuelist = [v.replace("\u202f", "").replace("\xa0", "").replace(" ", "").replace(",", ".")
                         for v in valuelist]
        super().process_formdata(valuelist)
        if self.data is not None and (not math.isfinite(self.data) or abs(self.data) > MAX_NUMBER):
            self.data = None
            raise ValueError(str(NUMBER_INVALID))


def _date(label, required=True, **kw):
    validators = [InputRequired(BAD_DATE) if required else Optional()]
    return FrenchDateField(label, validators=validators, **kw)


def _number(label, **kw):
    return FrenchFloatField(label, validators=[Optional(), NumberRange(min=0, message=NEGATIVE)],
                            invalid_value_message=NUMBER_INVALID, **kw)


class ProgrammeForm(FlaskForm):
    """A programme of the catalogue."""

    name = StringField(_l("Nom du programme"), validators=[DataRequired(_l("Le nom du programme est requis.")),
                                                        Length(max=MAX_LENGTHS["programme.name"])])
    theme = SelectField(_l("Thématique"), choices=choices("theme"))
    structure_id = SelectField(_l("Structure opératrice"), coerce=db_int,
                               invalid_choice_message=_l("Choisissez une structure de la liste."))
    start_on = _date(_l("Date de début"))
    end_on = _date(_l("Date de fin"), required=False)
    target_beneficiaries = IntegerField(_l("Nombre de bénéficiaires visé"), invalid_value_message=NUMBER_INVALID,
                                        validators=[Optional(), NumberRange(min=0, message=NEGATIVE),
                                                    NumberRange(max=INT32_MAX, message=TOO_LARGE)])
    total_cost = _number(_l("Coût total (€)"))
    p104_subsidy = _number(_l("Subvention P104 (€)"))
    carif_oref_ref = StringField(_l("Référence CARIF-OREF"),
                                 validators=[Optional(), Length(max=MAX_LENGTHS["programme.carif_oref_ref"])])
    version_id = HiddenField()


class SessionForm(FlaskForm):
    """One session of a programme."""

    held_on = _date(_l("Date de la séance"))
    hours = FrenchFloatField(_l("Durée (heures)"), validators=[InputRequired(_l("Indiquez la durée en heures."))],
                             invalid_value_message=NUMBER_INVALID)


PROGRAMME_REQUIRED = _l("Choisissez le programme vers lequel orienter la personne.")
NO_PROGRAMME = _l("Choisir un programme")


def blank_or_db_int(value) -> int | None:
    """A programme id from a select whose first option is empty (None: nothing chosen yet)."""
    return None if value in (None, "") else db_int(value)


class ReferralForm(FlaskForm):
    """Refer a person to a programme."""

    # Starts on « Choisir un programme » (empty): a programme is never chosen for the user (issue 13).
    programme_id = SelectField(_l("Programme"), coerce=blank_or_db_int,
                               validators=[InputRequired(PROGRAMME_REQUIRED)],
                               invalid_value_message=_l("Choisissez un programme de la liste."),
                               invalid_choice_message=_l("Choisissez un programme de la liste."))
    need = TextAreaField(_l("Besoin, en une phrase"), validators=[
        DataRequired(_l("Décrivez le besoin en une phrase.")),
        Length(max=NEED_MAX, message=_l("Le besoin tient en %(max)s caractères au plus.", max=NEED_MAX))],
        render_kw={"maxlength": NEED_MAX, "rows": 3, "data-counter": NEED_MAX})
    sent_on = _date(_l("Date d'envoi"), default=paris_today)


class StepForm(FlaskForm):
    """One dated step of a referral (the step is in the URL; the form is prefixed by it)."""

    on = _date(_l("Date"), default=paris_today)
    reason = TextAreaField(_l("Motif du refus"),
                           validators=[Optional(), Length(max=MAX_LENGTHS["referral.refusal_reason"])],
                           render_kw={"rows": 2})
    version_id = HiddenField()


class ParticipationForm(FlaskForm):
    """Hours, dates and CECRL levels of a participation."""

    programme_id = SelectField(_l("Programme"), coerce=db_int, validators=[Optional()], validate_choice=False)
    start_on = _date(_l("Début"))
    end_on = _date(_l("Fin"), required=False)
    planned_hours = _number(_l("Heures prévues"))
    attended_hours = _number(_l("Heures suivies"))
    level_start = SelectField(_l("Niveau CECRL au début"), choices=choices("level", blank="—"), validators=[Optional()])
    level_end = SelectField(_l("Niveau CECRL à la fin"), choices=choices("level", blank="—"), validators=[Optional()])
    correction_reason = TextAreaField(_l("Motif de la correction"), render_kw={"rows": 2, "maxlength": 500})
    version_id = HiddenField()


class EventForm(FlaskForm):
    """An event recorded by the programme."""

    programme_id = SelectField(_l("Programme"), coerce=db_int,
                               invalid_choice_message=_l("Choisissez un programme de la liste."))
    kind = SelectField(_l("Type d'événement"), choices=choices("event_kind"))
    event_on = _date(_l("Date"), default=paris_today)
    event_ref = StringField(_l("Identifiant de l'événement"),
                            validators=[Optional(), Length(max=MAX_LENGTHS["event.event"])])


class QueueFilterForm(Form):
    """Filters of the queue, read from the query string (a GET form: no CSRF token)."""

    direction = SelectField(_l("Sens"), choices=[("", _l("Reçues et envoyées")), ("in", _l("Reçues")),
                                                 ("out", _l("Envoyées"))], validate_choice=False)
    state = SelectField(_l("État"), choices=choices("referral_state", blank=_l("Tous")), validate_choice=False)
    theme = SelectField(_l("Thématique"), choices=choices("theme", blank=_l("Toutes")), validate_choice=False)
    programme = SelectField(_l("Programme"), validate_choice=False)


class CatalogueFilterForm(Form):
    """Filters of the programme catalogue (GET)."""

    theme = SelectField(_l("Thématique"), choices=choices("theme", blank=_l("Toutes")), validate_choice=False)
    department = SelectField(_l("Département"), validate_choice=False)
    unreferenced = SelectField(_l("CARIF-OREF"), choices=[("", _l("Tous")), ("1", _l("Sans référence (à compléter)"))],
                               validate_choice=False)



# ---- Corrections (SPEC §4.8): the reason is checked by the operation (agir.rules.corrections).

class UndoStepForm(FlaskForm):
    """Take back the latest step of a referral, recorded by mistake."""

    correction_reason = TextAreaField(_l("Motif"), render_kw={"rows": 2, "maxlength": 500})
    version_id = HiddenField()


class StepDateForm(FlaskForm):
    """Correct the date of one recorded step (the step is in the URL; the form is prefixed by it)."""

    on = _date(_l("Date corrigée"))
    correction_reason = TextAreaField(_l("Motif de la correction"), render_kw={"rows": 2, "maxlength": 500})
    version_id = HiddenField()


class CancelForm(FlaskForm):
    """Cancel a participation or an event recorded by mistake."""

    correction_reason = TextAreaField(_l("Motif de l'annulation"), render_kw={"rows": 2, "maxlength": 500})
    version_id = HiddenField()


class EventCorrectionForm(FlaskForm):
    """Correct an event recorded by the programme: its kind, day, id, and why."""

    kind = SelectField(_l("Type d'événement"), choices=choices("event_kind"))
    event_on = _date(_l("Date"))
    event_ref = StringField(_l("Identifiant de l'événement"), validators=[Optional(), Length(max=64)])
    correction_reason = TextAreaField(_l("Motif de la correction"), render_kw={"rows": 2, "maxlength": 500})
    version_id = HiddenField()


# ---- Session series and attendance (issue 17, item 5): the rules are in agir.rules.series.

WEEKDAY_CHOICES = [(0, _l("Lundi")), (1, _l("Mardi")), (2, _l("Mercredi")), (3, _l("Jeudi")), (4, _l("Vendredi")),
                   (5, _l("Samedi"))]


class SeriesForm(FlaskForm):
    """A recurring series of sessions: weekdays between two dates, with exceptions."""

    first_on = _date(_l("Première date"))
    last_on = _date(_l("Dernière date"))
    weekdays = SelectMultipleField(_l("Jours de la semaine"), choices=WEEKDAY_CHOICES, coerce=int,
                                   widget=ListWidget(prefix_label=False), option_widget=CheckboxInput(),
                                   validate_choice=False)
    starts_at = TimeField(_l("Heure de début"), validators=[Optional()],
                          invalid_value_message=_l("Heure invalide : utilisez le format hh:mm."))
    hours = FrenchFloatField(_l("Durée de chaque séance (heures)"),
                             validators=[InputRequired(_l("Indiquez la durée en heures."))],
                             invalid_value_message=NUMBER_INVALID, widget=TextInput(),
                             render_kw={"inputmode": "decimal"})  # « 2,5 » typed the French way
    skip_holidays = BooleanField(_l("Sauter les jours fériés"), default=True)
    exceptions = TextAreaField(_l("Autres dates à sauter"), validators=[Optional(), Length(max=4000)],
                               render_kw={"rows": 4})


SCOPE_CHOICES = [("one", _l("Cette séance seulement")), ("rest", _l("Cette séance et les suivantes de la série"))]


class HoursField(FrenchFloatField):
    """Hours shown as the reader writes them (2,5 in French, 2.5 in English); typed either way."""

    def _value(self):
        if self.raw_data or self.data is None:
            return super()._value()
        shown = f"{self.data:g}"
        return shown if reader_is_english() else shown.replace(".", ",")


class OccurrenceForm(FlaskForm):
    """Change one occurrence, or the rest of its series."""

    scope = RadioField(_l("Appliquer à"), choices=SCOPE_CHOICES, default="one")
    held_on = _date(_l("Date de la séance"), required=False)
    starts_at = TimeField(_l("Heure de début"), validators=[Optional()],
                          invalid_value_message=_l("Heure invalide : utilisez le format hh:mm."))
    hours = HoursField(_l("Durée (heures)"), validators=[InputRequired(_l("Indiquez la durée en heures."))],
                       invalid_value_message=NUMBER_INVALID, widget=TextInput(), render_kw={"inputmode": "decimal"})


class OccurrenceCancelForm(FlaskForm):
    """Cancel one occurrence, or the rest of its series."""

    scope = RadioField(_l("Séances à annuler"), choices=SCOPE_CHOICES, default="one")


class AttendanceForm(FlaskForm):
    """The attendance grid of a session: its rows are read from the POST by participation (present-N, hours-N,
    was-N); the form itself carries the CSRF token."""
