"""The `flask --app wsgi agir …` command group; each command lives in agir/commands/."""
from flask.cli import AppGroup

agir_cli = AppGroup("agir", help="Commandes AGIR : import, export, indicateurs, comptes, démo, tâches.")

# Importing the command modules registers their commands on the group.
from agir.commands import alerts, demo, duplicates, indicators, interchange, retention, users  # noqa: E402,F401
