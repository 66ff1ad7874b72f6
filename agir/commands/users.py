"""CLI commands: users (see INTERCHANGE.md).

    flask --app wsgi agir create-user EMAIL --role ROLE [--structure REF] [--department CODE] [--region CODE]
                                      [--password-stdin] [--display-name NAME]

Exit 0 when the account is created (and committed), 1 with a French message on stderr otherwise.
"""
import sys

import click
from sqlalchemy.exc import IntegrityError

from agir.cli import agir_cli
from agir.errors import RuleViolation
from agir.extensions import db
from agir.operations.users import create_user
from models.enums import ROLES

OPTION_HINTS = {"structure_required": " (--structure REF)", "department_required": " (--department CODE)",
                "structure_unknown": " (--structure)", "department_unknown": " (--department)",
                "region_required": " (--region CODE)", "region_unknown": " (--region)",
                "region_not_allowed": " (--region)", "structure_not_allowed": " (--structure)",
                "department_not_allowed": " (--department)"}


def _fail(message: str) -> None:
    click.echo(f"Erreur : {message}", err=True)
    sys.exit(1)


def _read_password(from_stdin: bool) -> str:
    """From stdin (the trailing newline stripped), else prompted twice without echo."""
    if from_stdin:
        text = sys.stdin.read()
        if text.endswith("\n"):
            text = text[:-1]
        if text.endswith("\r"):
            text = text[:-1]
        return text
    try:
        return click.prompt("Mot de passe (12 caractères au moins)", hide_input=True,
                            confirmation_prompt="Confirmez le mot de passe", err=True)
    except click.Abort:
        _fail("Aucun mot de passe saisi.")


@agir_cli.command("create-user")
@click.argument("email")
@click.option("--role", help=f"Rôle du compte : {', '.join(ROLES)}.")
@click.option("--structure", "structure_ref", help="Référence de la structure (référent·e, chargé·e d'orientation).")
@click.option("--department", "department_code", help="Code du département (pilote).")
@click.option("--region", "region_code", help="Code INSEE de la région (pilote régional).")
@click.option("--password-stdin", is_flag=True, help="Lire le mot de passe sur l'entrée standard.")
@click.option("--display-name", "display_name", help="Nom affiché dans l'historique des dossiers (facultatif).")
def create_user_command(email, role, structure_ref, department_code, password_stdin, display_name=None,
                        region_code=None):
    """Create an account (social_worker, referral_officer, pilot, regional_pilot, national_pilot, admin)."""
    if not role:
        _fail(f"L'option --role est obligatoire ({', '.join(ROLES)}).")
    if role not in ROLES:
        _fail(f"Rôle inconnu : {role} (attendu : {', '.join(ROLES)}).")
    password = _read_password(password_stdin)
    try:
        user = create_user(email, role, password, structure_ref=structure_ref, department_code=department_code,
                           display_name=display_name, region_code=region_code)
        db.session.commit()
    except RuleViolation as exc:
        db.session.rollback()
        messages = []
        for violation in getattr(exc, "violations", None) or [exc]:  # every broken rule at once
            hint = OPTION_HINTS.get(violation.code)
            messages.append(f"{violation.message.rstrip('.')}{hint}." if hint else str(violation.message))
        _fail("\nErreur : ".join(messages))
    except IntegrityError:  # created by someone else meanwhile
        db.session.rollback()
        _fail("Un compte existe déjà avec cette adresse.")
    click.echo(f"Compte créé : {user.email} ({role}).")
