"""Forms of the admin space. Select fields only accept the values they offer (anything else is refused)."""
from flask_wtf import FlaskForm
from sqlalchemy import select
from wtforms import EmailField, HiddenField, IntegerField, SelectChoice, SelectField, StringField
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from agir import labels
from agir.extensions import db
from agir.i18n import lazy_gettext as _l
from agir.rules.text import MAX_LENGTHS
from blueprints._fields import FrenchDateField
from blueprints._helpers import DB_INT_MAX
from models import Department, Region, Structure
from models.enums import STRUCTURE_KINDS

# Administrator accounts are created on the server only (`flask agir create-user … --role admin`).
WEB_ROLES = ("social_worker", "referral_officer", "pilot", "regional_pilot", "national_pilot")


REFUSED = _l("Valeur non autorisée : choisissez dans la liste.")


def options(pairs) -> list[SelectChoice]:
    """(value, label) pairs as WTForms select choices."""
    return [SelectChoice(str(value), label) for value, label in pairs]


class StrictSelectField(SelectField):
    """A select that refuses, in French, any value it does not offer."""

    def __init__(self, label=None, validators=None, choices=(), **kwargs):
        kwargs.setdefault("invalid_choice_message", REFUSED)
        super().__init__(label, validators, choices=options(choices), **kwargs)


def structure_choices(blank: str = _l("— Aucune —")) -> list[SelectChoice]:
    """Every structure, by department then name."""
    rows = db.session.execute(select(Structure.id, Structure.name, Structure.ref, Department.code)
                              .join(Department).order_by(Department.code, Structure.name))
    return options([("", blank)] + [(i, f"{code} — {name} ({ref})") for i, name, ref, code in rows])


def department_choices(blank: str = _l("— Aucun —")) -> list[SelectChoice]:
    """Every department, by code."""
    rows = db.session.execute(select(Department.id, Department.code, Department.name).order_by(Department.code))
    return options([("", blank)] + [(i, f"{code} — {name}") for i, code, name in rows])


def region_choices(blank: str = _l("— Aucune —")) -> list[SelectChoice]:
    """Every INSEE region, by code (a regional pilot's attachment)."""
    rows = db.session.execute(select(Region.id, Region.code, Region.name).order_by(Region.code))
    return options([("", blank)] + [(i, f"{code} — {name}") for i, code, name in rows])


ROLE_CHOICES = [(r, labels.lazy_label(r, "role")) for r in WEB_ROLES]


class UserAttachmentForm(FlaskForm):
    """An existing account's role and attachment (the e-mail never changes: it is the account's name)."""

    role = StrictSelectField(_l("Rôle"), choices=ROLE_CHOICES, validators=[DataRequired(_l("Choisissez le rôle."))])
    # Shown in the files' history instead of the e-mail (checked by agir.operations.users.check_display_name).
    display_name = StringField(_l("Nom affiché"), render_kw={"autocomplete": "off"})
    structure = StrictSelectField(_l("Structure de rattachement"), choices=[])
    department = StrictSelectField(_l("Département (pilote)"), choices=[])
    region = StrictSelectField(_l("Région (pilote régional)"), choices=[], default="")  # absent: none

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.structure.choices = structure_choices()
        self.department.choices = department_choices()
        self.region.choices = region_choices()


class UserCreateForm(UserAttachmentForm):
    """A new account: e-mail, role and attachment (structure, or department for a pilot)."""

    email = EmailField(_l("Adresse électronique professionnelle"), validators=[
        DataRequired(_l("Saisissez l'adresse électronique.")), Length(max=200)])
    role = StrictSelectField(_l("Rôle"), choices=[("", _l("— Choisir —")), *ROLE_CHOICES],
                             validators=[DataRequired(_l("Choisissez le rôle."))])


class DepartmentForm(FlaskForm):
    """A department and its AGIR settings."""

    code = StringField(_l("Code INSEE"), validators=[Optional(), Length(max=MAX_LENGTHS["department.code"])])
    name = StringField(_l("Nom"), validators=[DataRequired(_l("Saisissez le nom du département.")),
                                              Length(max=MAX_LENGTHS["department.name"])])
    agir_start_on = FrenchDateField(_l("Date de déploiement d'AGIR"), validators=[Optional()])
    agir_wave = StrictSelectField(_l("Vague AGIR"), choices=[("", _l("— Aucune —")), ("2022", "2022"),
                                                              ("2023", "2023"), ("2024", "2024")])
    max_months = IntegerField(_l("Durée maximale d'accompagnement (mois)"), validators=[
        Optional(), NumberRange(6, 18, _l("La durée maximale doit être comprise entre 6 et 18 mois."))])
    version_id = HiddenField()


class StructureForm(FlaskForm):
    """A structure of a department."""

    ref = StringField(_l("Référence"), validators=[DataRequired(_l("Saisissez la référence.")),
                                                   Length(max=MAX_LENGTHS["structure.ref"])])
    name = StringField(_l("Nom"), validators=[DataRequired(_l("Saisissez le nom de la structure.")),
                                              Length(max=MAX_LENGTHS["structure.name"])])
    department = StrictSelectField(_l("Département"), choices=[],
                                   validators=[DataRequired(_l("Choisissez le département."))])
    kind = StrictSelectField(_l("Type de structure"), choices=[("", _l("— Choisir —"))] + [
        (k, labels.lazy_label(k, "structure_kind")) for k in STRUCTURE_KINDS], validators=[
        DataRequired(_l("Choisissez le type de structure."))])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.department.choices = department_choices(_l("— Choisir —"))


class ActionForm(FlaskForm):
    """A bare form (CSRF token only) for the buttons that post an action."""


class FilterForm(FlaskForm):
    """Filters read from the query string (GET, no CSRF: they change nothing); French messages as FlaskForm."""

    class Meta:
        csrf = False


class AuditFilterForm(FilterForm):
    """Filters of the audit view."""

    person = IntegerField(_l("N° de personne"),
                          validators=[Optional(), NumberRange(1, DB_INT_MAX, _l("Numéro invalide."))])
    user = StringField(_l("Utilisateur (adresse)"), validators=[Optional(), Length(max=200)])
    action = SelectField(_l("Action"), choices=[], validate_choice=False)
    date_from = FrenchDateField(_l("Du"), validators=[Optional()])
    date_to = FrenchDateField(_l("Au"), validators=[Optional()])


class UserFilterForm(FilterForm):
    """Filters of the accounts list."""

    q = StringField(_l("Adresse contient"), validators=[Optional(), Length(max=200)])
    role = SelectField(_l("Rôle"), choices=options([("", _l("Tous les rôles"))] + labels.choices("role")),
                       validate_choice=False)
    structure = SelectField(_l("Structure"), choices=[], validate_choice=False)
    department = SelectField(_l("Département"), choices=[], validate_choice=False)
    state = SelectField(_l("État"), choices=options([("", _l("Tous")), ("enabled", _l("Actifs")),
                                                     ("disabled", _l("Désactivés"))]), validate_choice=False)


class StructureFilterForm(FilterForm):
    """Filters of the structures list."""

    q = StringField(_l("Nom ou référence contient"), validators=[Optional(), Length(max=200)])
    department = SelectField(_l("Département"), choices=[], validate_choice=False)
    kind = SelectField(_l("Type"), choices=options([("", _l("Tous les types"))] + labels.choices("structure_kind")),
                       validate_choice=False)
