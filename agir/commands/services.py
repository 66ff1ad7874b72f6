"""`agir services`: what each outside service does on this server, said before `make run` serves (a newcomer sees
at once what degrades, and how: nothing is lost silently)."""
import click
from flask import current_app

from agir import oidc, sms
from agir.cli import agir_cli
from agir.documents import scan


def service_lines(config) -> list[tuple[bool, str]]:
    """(working, sentence) for the e-mail, the SMS, ProConnect and the virus scanner, in French."""
    lines = []
    if config.get("SMTP_HOST"):
        lines.append((True, f"E-mails : serveur SMTP {config['SMTP_HOST']}."))
    else:
        lines.append((False, "E-mails : aucun serveur SMTP (AGIR_SMTP_HOST) — les e-mails sont écrits dans le "
                             "journal du serveur et gardés dans la boîte d'envoi (Agenda → Rappels)."))
    if sms.configured(config):
        lines.append((True, f"SMS : fournisseur {config['SMS_PROVIDER']}."))
    else:
        lines.append((False, "SMS : aucun fournisseur (AGIR_SMS_PROVIDER, AGIR_SMS_API_KEY) — les rappels SMS sont "
                             "écrits dans le journal et gardés avec l'état « journalisé »."))
    if oidc.configured(config):
        lines.append((True, "ProConnect : configuré."))
    else:
        lines.append((False, "ProConnect : non configuré — le bouton n'est pas proposé, connexion par mot de passe "
                             "(et second facteur pour l'administration et les pilotes)."))
    if scan.ping(config):
        lines.append((True, "Antivirus : clamd répond."))
    else:
        lines.append((False, "Antivirus : aucun clamd ne répond — les documents déposés restent « en attente "
                             "d'analyse » et ne peuvent pas être ouverts."))
    return lines


@agir_cli.command("services")
def services_command() -> None:
    """Dit l'état des services extérieurs (e-mail, SMS, ProConnect, antivirus) et ce qui se passe sans eux."""
    click.echo("Services extérieurs :")
    for working, sentence in service_lines(current_app.config):
        click.echo(f"  {'✓' if working else '!'} {sentence}")
