"""JSON API (v1)."""
from blueprints.api import bp  # noqa: F401
