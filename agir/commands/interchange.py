"""CLI commands: interchange (see INTERCHANGE.md)."""
from agir.cli import agir_cli  # noqa: F401
