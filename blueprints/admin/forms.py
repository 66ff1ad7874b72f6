"""Forms of the admin space. Select fields only accept the values they offer (anything else is refused)."""
from flask_wtf import FlaskForm
from sqlalchemy import select
from wtforms import DateField, EmailField, HiddenField, IntegerField, SelectChoice, SelectField, StringField
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from agir import labels
from agir.extensions import db
from models import Department, Structure
from models.enums import STRUCTURE_KINDS

# Administrator accounts are created on the server only (`flask agir create-user … --role admin`).
WEB_ROLES = ("social_worker", "referral_officer", "pilot")


REFUSED = "Valeur non autorisée : choisissez dans la liste."


def options(pairs) -> list[SelectChoice]:
    """(value, label) pairs as WTForms select choices."""
    return [SelectChoice(str(value), label) for value, label in pairs]


class StrictSelectField(SelectField):
    """A select that refuses, in French, any value it does not offer."""

    def __init__(self, label=None, validators=None, choices=(), **kwargs):
        kwargs.setdefault("invalid_choice_message", REFUSED)
        super().__init__(label, validators, choices=options(choices), **kwargs)


def structure_choices(blank: str = "— Aucune —") -> list[SelectChoice]:
    """Every structure, by department then name."""
    rows = db.session.execute(select(Structure.id, Structure.name, Structure.ref, Department.code)
                              .join(Department).order_by(Department.code, Structure.name))
    return options([("", blank)] + [(i, f"{code} — {name} ({ref})") for i, name, ref, code in rows])


def department_choices(blank: str = "— Aucun —") -> list[SelectChoice]:
    """Every department, by code."""
    rows = db.session.execute(select(Department.id, Department.code, Department.name).order_by(Department.code))
    return options([("", blank)] + [(i, f"{code} — {name}") for i, code, name in rows])


class UserCreateForm(FlaskForm):
    """A new account: e-mail, role and attachment (structure, or department for a pilot)."""

    email = EmailField("Adresse électronique professionnelle", validators=[
        DataRequired("Saisissez l'adresse électronique."), Length(max=200)])
    role = StrictSelectField("Rôle", choices=[("", "— Choisir —")] + [(r, labels.label(r, "role")) for r in WEB_ROLES],
                             validators=[DataRequired("Choisissez le rôle.")])
    structure = StrictSelectField("Structure de rattachement", choices=[])
    department = StrictSelectField("Département (pilote)", choices=[])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.structure.choices = structure_choices()
        self.department.choices = department_choices()


class DepartmentForm(FlaskForm):
    """A department and its AGIR settings."""

    code = StringField("Code INSEE", validators=[Optional(), Length(max=3)])
    name = StringField("Nom", validators=[DataRequired("Saisissez le nom du département."), Length(max=120)])
    agir_start_on = DateField("Date de déploiement d'AGIR", validators=[Optional()])
    agir_wave = StrictSelectField("Vague AGIR", choices=[("", "— Aucune —"), ("2022", "2022"), ("2023", "2023"),
                                                          ("2024", "2024")])
    max_months = IntegerField("Durée maximale d'accompagnement (mois)", validators=[
        Optional(), NumberRange(6, 18, "La durée maximale doit être comprise entre 6 et 18 mois.")])
    version_id = HiddenField()


class StructureForm(FlaskForm):
    """A structure of a department."""

    ref = StringField("Référence", validators=[DataRequired("Saisissez la référence."), Length(max=64)])
    name = StringField("Nom", validators=[DataRequired("Saisissez le nom de la structure."), Length(max=200)])
    department = StrictSelectField("Département", choices=[], validators=[DataRequired("Choisissez le département.")])
    kind = StrictSelectField("Type de structure", choices=[("", "— Choisir —")] + [
        (k, labels.label(k, "structure_kind")) for k in STRUCTURE_KINDS], validators=[
        DataRequired("Choisissez le type de structure.")])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.department.choices = department_choices("— Choisir —")


class ActionForm(FlaskForm):
    """A bare form (CSRF token only) for the buttons that post an action."""


class FilterForm(FlaskForm):
    """Filters read from the query string (GET, no CSRF: they change nothing); French messages as FlaskForm."""

    class Meta:
        csrf = False


class AuditFilterForm(FilterForm):
    """Filters of the audit view."""

    person = IntegerField("N° de personne", validators=[Optional(), NumberRange(1, None, "Numéro invalide.")])
    user = StringField("Utilisateur (adresse)", validators=[Optional(), Length(max=200)])
    action = SelectField("Action", choices=[], validate_choice=False)
    date_from = DateField("Du", validators=[Optional()])
    date_to = DateField("Au", validators=[Optional()])


class UserFilterForm(FilterForm):
    """Filters of the accounts list."""

    q = StringField("Adresse contient", validators=[Optional(), Length(max=200)])
    role = SelectField("Rôle", choices=options([("", "Tous les rôles")] + labels.choices("role")),
                       validate_choice=False)
    structure = SelectField("Structure", choices=[], validate_choice=False)
    department = SelectField("Département", choices=[], validate_choice=False)
    state = SelectField("État", choices=options([("", "Tous"), ("enabled", "Actifs"), ("disabled", "Désactivés")]),
                        validate_choice=False)


class StructureFilterForm(FilterForm):
    """Filters of the structures list."""

    q = StringField("Nom ou référence contient", validators=[Optional(), Length(max=200)])
    department = SelectField("Département", choices=[], validate_choice=False)
    kind = SelectField("Type", choices=options([("", "Tous les types")] + labels.choices("structure_kind")),
                       validate_choice=False)
