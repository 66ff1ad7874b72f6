"""Forms of the pilot: department settings (with the record's version) and a new API token.

The 6..18 months range is a rule (agir.rules.durations.check_max_months), checked by the
operation; the form only owns the shape of the input.
"""
from flask_wtf import FlaskForm
from wtforms import HiddenField, IntegerField, SelectField, StringField
from wtforms.validators import InputRequired, Length, Optional

from agir.i18n import lazy_gettext as _l
from blueprints._fields import FrenchDateField
from models.enums import DEPARTMENT_WAVES

BAD_NUMBER = _l("Saisissez un nombre entier de mois.")
WAVES = [("", _l("Aucune"))] + [(str(w), str(w)) for w in DEPARTMENT_WAVES]


class DepartmentSettingsForm(FlaskForm):
    """AGIR start date, wave and maximum accompaniment length of the pilot's department."""

    agir_start_on = FrenchDateField(_l("Date de déploiement d'AGIR"), validators=[Optional()])
    agir_wave = SelectField(_l("Vague de déploiement"), choices=WAVES)
    max_months = IntegerField(_l("Durée maximale d'accompagnement (en mois)"),
                              validators=[InputRequired(_l("Indiquez une durée en mois."))])
    version_id = HiddenField()

    def validate(self, extra_validators=None):
        """An unreadable number gets a French message (dates: FrenchDateField)."""
        ok = super().validate(extra_validators)
        if self.max_months.errors and self.max_months.raw_data and self.max_months.raw_data[0]:
            self.max_months.errors[:] = [BAD_NUMBER]
        return ok


class TokenForm(FlaskForm):
    """A named personal API token."""

    name = StringField(_l("Nom du jeton"), validators=[InputRequired(_l("Donnez un nom à ce jeton.")),
                                                       Length(max=100, message=_l("100 caractères au plus."))])


class PeriodForm(FlaskForm):
    """The custom period of the dashboard (GET: no CSRF token); the query keeps ?from=…&to=…."""

    class Meta:
        csrf = False

    start = FrenchDateField(_l("Du"), name="from", validators=[Optional()])
    end = FrenchDateField(_l("Au"), name="to", validators=[Optional()])
