"""The language of a request (Flask-Babel's locale selector)."""
from flask import request, session


def select_locale() -> str:
    """French unless the user chose English (session) or the browser asks only for English."""
    chosen = session.get("locale")
    if chosen in ("fr", "en"):
        return chosen
    return request.accept_languages.best_match(["fr", "en"], default="fr") if request else "fr"
