"""The checklist of expected proofs of one file (SPEC §4.7, issue 18): one query for the file's documents.

The steps (rights, housing, jobs) come from the file as the page already loaded it (the file page's
load_file: one query per relationship); the documents are read here in ONE select, replaced ones included
(they are the history shown under the checklist). The decision is agir.rules.documents_checklist's.
"""
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm.attributes import set_committed_value

from agir.extensions import db
from agir.rules import documents_checklist as rules
from models import Document, Person


@dataclass
class Proofs:
    """What the file page shows: the checklist lines, every document (current first), counts."""

    lines: list[rules.Line]
    documents: list[Document]
    missing: int
    expired: int
    expiring: int
    pending: int = 0

    @property
    def history(self) -> list[Document]:
        """The replaced documents (by kind, latest first)."""
        return [d for d in self.documents if d.replaced_by_id is not None]

    @property
    def older_current(self) -> list[Document]:
        """Current documents that a better one of their kind outproves (not yet marked as replaced)."""
        values = [held(d) for d in self.documents]
        best_ids = {}
        for kind in {d.kind for d in self.documents}:
            proof = rules.best_proof(values, kind)
            if proof is not None:
                best_ids[kind] = proof.id
        return [d for d in self.documents if d.replaced_by_id is None and d.kind in best_ids
                and best_ids[d.kind] != d.id]

    def by_id(self, document_id: int) -> Document | None:
        """A document of the file (the history names the one that replaced another)."""
        return next((d for d in self.documents if d.id == document_id), None)


def file_documents(person_id: int) -> list[Document]:
    """Every document of the file, current and replaced, in one query (by kind, latest first)."""
    return list(db.session.scalars(
        select(Document).where(Document.person_id == person_id)
        .order_by(Document.kind, Document.document_on.desc(), Document.id.desc())))


def held(document: Document) -> rules.Held:
    """A document row as the pure rule sees it."""
    return rules.Held(id=document.id, kind=document.kind, document_on=document.document_on,
                      expires_on=document.expires_on, current=document.replaced_by_id is None,
                      usable=document.scan_status != "infected", scanning=document.scan_status == "pending")


def expected_for(person: Person) -> list[rules.Expected]:
    """The proofs expected for the steps recorded in a loaded file."""
    return rules.expected_proofs(
        rights=[(step.kind, step.state) for step in person.rights],
        housing_steps=[step.kind for step in person.housing_steps],
        housing=[access.kind for access in person.housing],
        jobs=[job.kind for job in person.jobs],
        permit_recorded=person.permit_expiry_on is not None)


def proofs_of(person: Person, today: date) -> Proofs:
    """The checklist of a loaded file on `today`."""
    documents = file_documents(person.id)
    # The same rows fill person.documents (the Documents section reads it): no second query for the page.
    set_committed_value(person, "documents", sorted(documents, key=lambda d: (d.document_on, d.id)))
    lines = rules.checklist(expected_for(person), [held(d) for d in documents], today)
    return Proofs(lines=lines, documents=documents, missing=rules.missing_count(lines),
                  expired=sum(1 for line in lines if line.state == "expired"),
                  expiring=sum(1 for line in lines if line.state == "expiring"),
                  pending=sum(1 for line in lines if line.state == rules.PENDING))
