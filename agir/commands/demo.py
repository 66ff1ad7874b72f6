"""CLI commands: `generate` (a realistic interchange file on stdout) and `demo` (a demo department)."""
import sys

import click

from agir.cli import agir_cli
from agir.dates import today as paris_today
from agir.demo.generator import DEFAULT_DEPARTMENTS, MAX_DEPARTMENTS, generate_lines

BATCH = 1000  # lines written at once


@agir_cli.command("generate")
@click.option("--persons", type=click.IntRange(0), default=1000, show_default=True,
              help="Nombre de personnes à générer.")
@click.option("--seed", type=int, default=0, show_default=True, help="Graine : même graine, même fichier.")
@click.option("--departments", type=click.IntRange(1, MAX_DEPARTMENTS), default=DEFAULT_DEPARTMENTS,
              show_default=True, help="Nombre de départements.")
@click.option("--today", type=click.DateTime(formats=["%Y-%m-%d"]), default=None,
              help="Date du jour des données (AAAA-MM-JJ ; par défaut aujourd'hui).")
def generate_command(persons: int, seed: int, departments: int, today) -> None:
    """Écrit sur la sortie standard un fichier JSON Lines réaliste et valide (format d'échange)."""
    sys.stdout.flush()
    out = sys.stdout.buffer  # UTF-8 bytes whatever the locale
    day = today.date() if today else paris_today()
    batch: list[str] = []
    for line in generate_lines(persons, seed=seed, departments=departments, today=day):
        batch.append(line)
        if len(batch) >= BATCH:
            out.write(("\n".join(batch) + "\n").encode("utf-8"))
            batch.clear()
    if batch:
        out.write(("\n".join(batch) + "\n").encode("utf-8"))
    out.flush()


@agir_cli.command("demo")
@click.option("--if-empty", is_flag=True, help="Ne fait rien si la base contient déjà des personnes ou des comptes.")
def demo_command(if_empty: bool) -> None:
    """Charge un département de démonstration (Gironde) et crée un compte par rôle."""
    from agir.demo.demo import DemoNotLoaded, load_demo
    try:
        accounts = load_demo(if_empty=if_empty)
    except DemoNotLoaded as exc:
        click.echo(str(exc), err=True)
        raise SystemExit(1) from None
    if accounts is None:
        click.echo("La base contient déjà des données (personnes, comptes ou département 33) : "
                   "démo non chargée (--if-empty).")
        return
    click.echo("Démo chargée : département 33 Gironde. Comptes de démonstration :")
    width = max(len(account.email) for account in accounts)
    for account in accounts:
        click.echo(f"  {account.label:<22} {account.email:<{width}}  mot de passe : {account.password}")
    click.echo("À la première connexion, l'administratrice et les pilotes enregistrent un second facteur "
               "(application d'authentification : code à 6 chiffres), comme l'exige leur rôle.")
