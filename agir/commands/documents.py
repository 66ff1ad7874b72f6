"""CLI commands `agir documents …`: scan the documents still pending, re-encrypt the store under a new key,
make a new key (docs/operations.md « Documents »)."""
import sys

import click
from flask import current_app

from agir.cli import agir_cli


@agir_cli.group("documents")
def documents_group() -> None:
    """Documents des dossiers : analyse antivirus, clé de chiffrement."""


@documents_group.command("scan")
@click.option("--limit", type=int, default=None, help="Au plus ce nombre de documents.")
def scan_command(limit: int | None) -> None:
    """Analyse les documents « en attente d'analyse » (l'antivirus ne répondait pas à leur dépôt)."""
    from agir.documents.scan import scanner_address
    from agir.operations.documents import scan_pending
    if scanner_address(current_app.config) is None:
        click.echo("Aucun antivirus configuré (AGIR_CLAMD_SOCKET ou AGIR_CLAMD_HOST) : rien analysé.", err=True)
        sys.exit(1)
    counts = scan_pending(current_app.config, limit)
    click.echo(f"{counts['clean']} document(s) sain(s), {counts['infected']} infecté(s) (octets supprimés), "
               f"{counts['pending']} encore en attente.")
    if counts["pending"]:
        click.echo("L'antivirus ne répond pas : les documents restants attendent la prochaine analyse.", err=True)
        sys.exit(2)


@documents_group.command("rotate-key")
def rotate_key_command() -> None:
    """Rechiffre avec AGIR_DOCUMENTS_KEY chaque document chiffré avec une clé de AGIR_DOCUMENTS_OLD_KEYS."""
    from agir.documents.store import StoreError, current_store
    try:
        counts = current_store().rotate()
    except StoreError as exc:
        click.echo(f"Rotation interrompue : {exc}", err=True)
        sys.exit(1)
    click.echo(f"{counts['rotated']} document(s) rechiffré(s) avec la nouvelle clé, {counts['current']} déjà à jour. "
               "Les anciennes clés peuvent maintenant être retirées de AGIR_DOCUMENTS_OLD_KEYS.")


@documents_group.command("new-key")
def new_key_command() -> None:
    """Affiche une nouvelle clé (32 octets aléatoires, base64) pour AGIR_DOCUMENTS_KEY."""
    from agir.documents.store import new_key_text
    click.echo(new_key_text())
