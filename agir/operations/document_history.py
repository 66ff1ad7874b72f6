"""Replacing a document keeps the history (SPEC §4.7, issue 18 item 5).

The old document is not deleted: it gets `replaced_by_id` (the new one) and stays in the file as history,
but it proves nothing any more (the checklist's « present » and the document_expiry alert look only at
current documents). Audited (action replace_document, the field replaced_by_id; never a value).
"""
from agir.audit import record
from agir.errors import RuleViolation, StaleRecord
from agir.i18n import lazy_gettext as _l
from models import Document, Person


def replace_violations(person: Person, old: Document, new: Document | None) -> list[RuleViolation]:
    """Every reason the replacement is refused (empty: allowed)."""
    found = []
    if new is None or new.person_id != person.id:
        return [RuleViolation("document", _l("Choisissez le nouveau document parmi ceux du dossier."), "by")]
    if old.person_id != person.id:
        found.append(RuleViolation("document", _l("Ce document n'appartient pas au dossier."), "by"))
    if new.id == old.id:
        found.append(RuleViolation("document", _l("Un document ne peut pas se remplacer lui-même."), "by"))
    if new.kind != old.kind:
        found.append(RuleViolation("document", _l("Le nouveau document doit être de la même nature que l'ancien."),
                                   "by"))
    if old.replaced_by_id is not None:
        found.append(RuleViolation("document", _l("Ce document a déjà été remplacé."), "by"))
    if new.replaced_by_id is not None:
        found.append(RuleViolation("document", _l("Le nouveau document a lui-même été remplacé : "
                                                  "choisissez le document actuel."), "by"))
    return found


def replace_document(actor, person: Person, old: Document, new: Document | None,
                     version: int | None = None) -> Document:
    """Mark `old` as replaced by `new` (same person, same kind, both current). Flushes nothing, commits
    nothing: the caller's unit of work."""
    if version is not None and version != old.version_id:
        raise StaleRecord()
    found = replace_violations(person, old, new)
    if found or new is None:
        first = found[0]
        first.violations = found
        raise first
    old.replaced_by_id = new.id
    record(actor, "replace_document", person=person, fields=["documents.replaced_by_id"],
           detail=f"document:{old.id} -> document:{new.id}")
    return old
