"""Forms of the referrals blueprint: the shape of input only (rules live in agir/)."""
from datetime import date

from flask_wtf import FlaskForm
from wtforms import DateField, Form, HiddenField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.fields import FloatField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from agir.labels import choices
from agir.operations.referrals import NEED_MAX

DATE_INVALID = "Date invalide (format attendu : jj/mm/aaaa)."
NUMBER_INVALID = "Nombre invalide (exemple : 12,5)."
NEGATIVE = "La valeur ne peut être négative."


class FrenchFloatField(FloatField):
    """A number typed the French way: a decimal comma and spaces between thousands are accepted."""

    def process_formdata(self, valuelist):
        if valuelist:
            valuelist = [v.replace("\u202f", "").replace("\xa0", "").replace(" ", "").replace(",", ".")
                         for v in valuelist]
        super().process_formdata(valuelist)


def _date(label, required=True, **kw):
    validators = [InputRequired(DATE_INVALID) if required else Optional()]
    return DateField(label, validators=validators, format=["%Y-%m-%d", "%d/%m/%Y"],
                     invalid_value_message=DATE_INVALID, **kw)


def _number(label, **kw):
    return FrenchFloatField(label, validators=[Optional(), NumberRange(min=0, message=NEGATIVE)],
                            invalid_value_message=NUMBER_INVALID, **kw)


class ProgrammeForm(FlaskForm):
    """A programme of the catalogue."""

    name = StringField("Nom du programme", validators=[DataRequired("Le nom du programme est requis."),
                                                        Length(max=200)])
    theme = SelectField("Thématique", choices=choices("theme"))
    structure_id = SelectField("Structure opératrice", coerce=int,
                               invalid_choice_message="Choisissez une structure de la liste.")
    start_on = _date("Date de début")
    end_on = _date("Date de fin", required=False)
    target_beneficiaries = IntegerField("Nombre de bénéficiaires visé", invalid_value_message=NUMBER_INVALID,
                                        validators=[Optional(), NumberRange(min=0, message=NEGATIVE)])
    total_cost = _number("Coût total (€)")
    p104_subsidy = _number("Subvention P104 (€)")
    carif_oref_ref = StringField("Référence CARIF-OREF", validators=[Optional(), Length(max=64)])
    version_id = HiddenField()


class SessionForm(FlaskForm):
    """One session of a programme."""

    held_on = _date("Date de la séance")
    hours = FrenchFloatField("Durée (heures)", validators=[InputRequired("Indiquez la durée en heures.")],
                             invalid_value_message=NUMBER_INVALID)


class ReferralForm(FlaskForm):
    """Refer a person to a programme."""

    programme_id = SelectField("Programme", coerce=int, invalid_choice_message="Choisissez un programme de la liste.")
    need = TextAreaField("Besoin, en une phrase", validators=[
        DataRequired("Décrivez le besoin en une phrase."),
        Length(max=NEED_MAX, message=f"Le besoin tient en {NEED_MAX} caractères au plus.")],
        render_kw={"maxlength": NEED_MAX, "rows": 3, "data-counter": NEED_MAX})
    sent_on = _date("Date d'envoi", default=date.today)


class StepForm(FlaskForm):
    """One dated step of a referral (the step is in the URL; the form is prefixed by it)."""

    on = _date("Date", default=date.today)
    reason = TextAreaField("Motif du refus", validators=[Optional(), Length(max=1000)], render_kw={"rows": 2})
    version_id = HiddenField()


class ParticipationForm(FlaskForm):
    """Hours, dates and CECRL levels of a participation."""

    programme_id = SelectField("Programme", coerce=int, validators=[Optional()], validate_choice=False)
    start_on = _date("Début")
    end_on = _date("Fin", required=False)
    planned_hours = _number("Heures prévues")
    attended_hours = _number("Heures suivies")
    level_start = SelectField("Niveau CECRL au début", choices=choices("level", blank="—"), validators=[Optional()])
    level_end = SelectField("Niveau CECRL à la fin", choices=choices("level", blank="—"), validators=[Optional()])
    version_id = HiddenField()


class EventForm(FlaskForm):
    """An event recorded by the programme."""

    programme_id = SelectField("Programme", coerce=int, invalid_choice_message="Choisissez un programme de la liste.")
    kind = SelectField("Type d'événement", choices=choices("event_kind"))
    event_on = _date("Date", default=date.today)
    event_ref = StringField("Identifiant de l'événement", validators=[Optional(), Length(max=64)])


class QueueFilterForm(Form):
    """Filters of the queue, read from the query string (a GET form: no CSRF token)."""

    direction = SelectField("Sens", choices=[("", "Reçues et envoyées"), ("in", "Reçues"), ("out", "Envoyées")],
                            validate_choice=False)
    state = SelectField("État", choices=choices("referral_state", blank="Tous"), validate_choice=False)
    theme = SelectField("Thématique", choices=choices("theme", blank="Toutes"), validate_choice=False)
    programme = SelectField("Programme", validate_choice=False)


class CatalogueFilterForm(Form):
    """Filters of the programme catalogue (GET)."""

    theme = SelectField("Thématique", choices=choices("theme", blank="Toutes"), validate_choice=False)
    department = SelectField("Département", validate_choice=False)
    unreferenced = SelectField("CARIF-OREF", choices=[("", "Tous"), ("1", "Sans référence (à compléter)")],
                               validate_choice=False)

