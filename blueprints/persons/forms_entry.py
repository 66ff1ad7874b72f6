"""Forms of the entry path (SPEC §4.5): orientation, languages and interpreter, first interview, diagnostic,
plan objective. Shapes of input only: the rules are agir.operations.entry's (and agir.rules.entry's)."""
import re
from datetime import time

from flask_wtf import FlaskForm
from wtforms import FieldList, Form, FormField, SelectField, StringField, TextAreaField
from wtforms.validators import Length, Optional, ValidationError

from agir.i18n import lazy_gettext as _l
from agir.labels import choices, lazy_label
from agir.rules.corrections import REASON_MAX
from agir.rules.text import MAX_LENGTHS
from blueprints._fields import FrenchDateField
from blueprints.persons.forms import VersionedForm
from models.enums import AREAS

TIME_RE = re.compile(r"^([01]?\d|2[0-3])[:h]([0-5]\d)$")


def _date(label):
    return FrenchDateField(label, validators=[Optional()])


class OrientationForm(VersionedForm):
    """The orientation that brought the person: date, source, structure oriented to."""

    oriented_on = _date(_l("Date d'orientation"))
    orientation_source = SelectField(_l("Orienté·e par"), choices=choices("orientation_source", _l("Choisir")),
                                     default="")
    orientation_structure = SelectField(_l("Structure vers laquelle la personne est orientée"), choices=[],
                                        default="", validate_choice=False)


class LanguageRow(Form):
    """One language: its code (typed or chosen by its name) and the level."""

    code = StringField(_l("Langue"), render_kw={"list": "agir-languages", "autocomplete": "off",
                                                "data-agir-language": "1"})
    level = SelectField(_l("Niveau"), choices=choices("language_level", _l("Choisir")), default="")


class LanguagesForm(VersionedForm):
    """The languages spoken (up to six) and the interpreter's language."""

    languages = FieldList(FormField(LanguageRow), min_entries=6, max_entries=6)
    interpreter = StringField(_l("Langue de l'interprète nécessaire"),
                              render_kw={"list": "agir-languages", "autocomplete": "off", "data-agir-language": "1"})


class FirstInterviewForm(FlaskForm):
    """« Premier entretien réalisé le … »: date and time."""

    day = _date(_l("Date du premier entretien"))
    at = StringField(_l("Heure (HH:MM)"), default="09:00", render_kw={"inputmode": "numeric", "maxlength": 5})

    def validate_at(self, field):
        if field.data and not TIME_RE.match(field.data.strip()):
            raise ValidationError(_l("Heure au format HH:MM (par exemple 14:30)."))

    @property
    def at_value(self) -> time | None:
        match = TIME_RE.match((self.at.data or "").strip())
        return time(int(match[1]), int(match[2])) if match else None


class CorrectionMixin:
    correction_reason = TextAreaField(_l("Motif de la correction"), validators=[Length(max=REASON_MAX)],
                                      render_kw={"rows": 2})


def diagnostic_form_class():
    """The diagnostic's form: its date, and for each of the six areas the need and a short text."""
    attrs = {"diagnostic_on": _date(_l("Date du diagnostic"))}
    for area in AREAS:
        # The area in every label: the error summary and screen readers name the field without its fieldset.
        attrs[f"{area}_need"] = SelectField(_l("%(area)s : besoin", area=lazy_label(area, "area")),
                                            choices=choices("need", _l("Choisir")), default="")
        attrs[f"{area}_text"] = TextAreaField(_l("%(area)s : situation", area=lazy_label(area, "area")),
                                              validators=[Length(max=MAX_LENGTHS["diagnostic.text"])],
                                              render_kw={"rows": 2})
    attrs["correction_reason"] = CorrectionMixin.correction_reason
    return type("DiagnosticForm", (VersionedForm,), attrs)


DiagnosticForm = diagnostic_form_class()


class ObjectiveForm(VersionedForm):
    """An objective of the action plan."""

    area = SelectField(_l("Domaine"), choices=choices("area", _l("Choisir")), default="")
    objective = TextAreaField(_l("Objectif"), validators=[Length(max=MAX_LENGTHS["plan.objective"])],
                              render_kw={"rows": 2})
    due_on = _date(_l("Échéance"))
    state = SelectField(_l("État"), choices=choices("objective_state"), default="open")
    closed_on = _date(_l("Date d'atteinte ou d'abandon"))
    link = SelectField(_l("Démarche qui le réalise"), choices=[], default="")
    correction_reason = CorrectionMixin.correction_reason

    def values(self) -> dict:
        return {"area": self.area.data, "objective": self.objective.data, "due_on": self.due_on.data,
                "state": self.state.data, "closed_on": self.closed_on.data, "link": self.link.data}
