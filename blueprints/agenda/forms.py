"""Forms of the agenda. They own the shape of input; the rules (agir/rules/appointments.py) say what is refused.
Field names follow the `field` of the rules' RuleViolation, so that each error lands next to its field."""
from datetime import datetime

from flask_wtf import FlaskForm
from wtforms import HiddenField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.fields import DateTimeLocalField

from agir.i18n import N_
from agir.i18n import lazy_gettext as _l

KIND_LABELS = {"first_interview": N_("Premier entretien"), "diagnostic": N_("Diagnostic"),
               "follow_up": N_("Entretien de suivi"), "contract_signature": N_("Signature du contrat"),
               "exit_interview": N_("Entretien de sortie"), "other": N_("Autre")}
MODE_LABELS = {"on_site": N_("Sur place"), "phone": N_("Par téléphone"), "video": N_("En visio"),
               "home_visit": N_("Visite à domicile")}
STATUS_LABELS = {"planned": N_("Prévu"), "honoured": N_("Honoré"), "missed": N_("Manqué"),
                 "excused": N_("Excusé"), "cancelled": N_("Annulé")}
BAD_START = _l("Date et heure invalides : utilisez le format jj/mm/aaaa hh:mm.")
BAD_MINUTES = _l("Saisissez une durée en minutes (un nombre entier).")


class StartField(DateTimeLocalField):
    """Date and time of the appointment: the browser's widget (AAAA-MM-JJTHH:MM) or typed jj/mm/aaaa hh:mm."""

    def __init__(self, label=None, validators=None, **kwargs):
        super().__init__(label, validators, format=["%Y-%m-%dT%H:%M", "%d/%m/%Y %H:%M", "%Y-%m-%d %H:%M"], **kwargs)

    def process_formdata(self, valuelist):
        text = " ".join(valuelist).strip() if valuelist else ""
        if not text:
            self.data = None
            return
        for fmt in self.strptime_format:
            try:
                self.data = datetime.strptime(text, fmt)
                return
            except ValueError:
                continue
        self.data = None
        raise ValueError(str(BAD_START))


class _Minutes(IntegerField):
    def process_formdata(self, valuelist):
        text = valuelist[0].strip() if valuelist else ""
        if not text:
            self.data = None
            return
        if not (text.isascii() and text.isdigit()) or len(text) > 6:
            self.data = None
            raise ValueError(str(BAD_MINUTES))
        self.data = int(text)


class AppointmentForm(FlaskForm):
    """A new appointment: when, how long, what, how, with whom, interpreter."""

    start = StartField(_l("Date et heure"))
    minutes = _Minutes(_l("Durée (minutes)"), default=60, render_kw={"inputmode": "numeric"})
    kind = SelectField(_l("Type de rendez-vous"), choices=[(k, _l(v)) for k, v in KIND_LABELS.items()],
                       validate_choice=False)
    mode = SelectField(_l("Mode"), choices=[(k, _l(v)) for k, v in MODE_LABELS.items()], validate_choice=False)
    referent = SelectField(_l("Référent·e"), choices=[], validate_choice=False)
    interpreter = StringField(_l("Interprète (langue)"), render_kw={"list": "agir-languages", "autocomplete": "off",
                                                                    "maxlength": 3})


class MoveForm(FlaskForm):
    """Move a planned appointment: new date, time, length or référent, and why."""

    version = HiddenField()
    start = StartField(_l("Nouvelle date et heure"))
    minutes = _Minutes(_l("Durée (minutes)"), render_kw={"inputmode": "numeric"})
    referent = SelectField(_l("Référent·e"), choices=[], validate_choice=False)
    correction_reason = TextAreaField(_l("Motif du déplacement"), render_kw={"rows": 2, "maxlength": 500})


class CancelForm(FlaskForm):
    """Cancel a planned appointment, with the reason."""

    version = HiddenField()
    correction_reason = TextAreaField(_l("Motif de l'annulation"), render_kw={"rows": 2, "maxlength": 500})


class OutcomeForm(FlaskForm):
    """The outcome in one click (honoured / missed / excused): only the CSRF token and the button pressed."""

    outcome = HiddenField()
    next = HiddenField()


class ContactForm(FlaskForm):
    """The structure's phone number and address, as the reminders give them."""

    phone = StringField(_l("Téléphone de la structure"), render_kw={"maxlength": 40, "autocomplete": "off"})
    address = StringField(_l("Adresse des rendez-vous sur place"), render_kw={"maxlength": 300})


class OptOutForm(FlaskForm):
    """The person refuses, or accepts again, the reminders."""

    opt_out = HiddenField()
