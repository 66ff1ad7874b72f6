"""Domain errors: a broken rule carries its code, its message and the field it concerns.

The message is lazy (agir.i18n.lazy_gettext, French msgid): shown in a page it is in the reader's language;
outside a request — the importer's `line N: field: message`, the CLI, the jobs — it is French, by design.
"""
from agir.i18n import lazy_gettext as _l


class RuleViolation(Exception):
    """A rule of SPEC §4 refused an operation."""

    # Set (never by default) on the first violation when a check found several: the form shows them all.
    violations: list["RuleViolation"]

    def __init__(self, code: str, message, field: str | None = None):
        super().__init__(message)
        self.code = code
        self.message = message
        self.field = field

    def __str__(self) -> str:
        return str(self.message)


class StaleRecord(RuleViolation):
    """Someone else saved the record since it was loaded (optimistic locking)."""

    def __init__(self):
        super().__init__(
            "stale",
            _l("Ce dossier a été modifié par quelqu'un d'autre pendant votre saisie. "
               "Rechargez la page pour voir la dernière version, puis recommencez."),
        )


class StaleLine(StaleRecord):
    """A line of the path (job, housing step, note, participation…) saved by someone else meanwhile."""

    def __init__(self):
        super().__init__()
        self.message = _l("Cette fiche a été modifiée par quelqu'un d'autre pendant que vous la corrigiez : rien "
                          "n'a été enregistré, votre saisie est conservée ci-dessous. Rechargez la fiche pour voir "
                          "sa dernière version, puis reportez-y votre correction.")
        self.args = (self.message,)
