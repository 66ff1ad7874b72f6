"""The engagement contract (SPEC §4.5): its texts (texts.py), their catalogues per language (catalogue.py),
the fonts (fonts.py) and the PDF (pdf.py). `contract_for` gathers what the contract shows from an
accompaniment; agir.operations.contract generates it (audited) and records its signature."""
from sqlalchemy import select

from agir.contract import catalogue as catalogues
from agir.contract.catalogue import LANGUAGES, choose_language, french_name
from agir.contract.fonts import PACKAGE, font_dir, missing
from agir.contract.pdf import ContractData, Objective, render
from agir.extensions import db
from models import Appointment


class FontsMissing(Exception):
    """The fonts of a language are not installed: no PDF (never one with empty boxes)."""

    def __init__(self, files: list[str]):
        super().__init__(", ".join(files))
        self.files = files
        self.package = PACKAGE


def referent_name(accompaniment, actor) -> str:
    """The référent named on the contract: the référent of the person's latest appointment at the holding
    structure (the contract's signature first), else the social worker who prints the contract."""
    kinds = ("contract_signature", "diagnostic", "first_interview", "follow_up")
    rows = db.session.execute(
        select(Appointment.kind, Appointment.referent_id).where(
            Appointment.person_id == accompaniment.person_id,
            Appointment.structure_id == accompaniment.structure_id,
            Appointment.referent_id.is_not(None), Appointment.status != "cancelled")
        .order_by(Appointment.start_at.desc())).all()
    chosen = None
    for kind in kinds:
        chosen = next((r.referent_id for r in rows if r.kind == kind), None)
        if chosen:
            break
    user = None
    if chosen:
        from models import User
        user = db.session.get(User, chosen)
    user = user or actor
    return getattr(user, "display_name", None) or getattr(user, "email", "") or "—"


def contract_language(accompaniment) -> str:
    """The second column: the language recorded at signature, else the person's (English when the PDF has not
    the person's language)."""
    spoken = [(x.code, x.level) for x in accompaniment.person.languages]
    return choose_language(accompaniment.contract_language, spoken)


def contract_data(accompaniment, actor) -> ContractData:
    person = accompaniment.person
    objectives = [Objective(o.area, o.objective, o.due_on) for o in accompaniment.plan if o.state != "dropped"]
    return ContractData(person_name=person.full_name, birth_date=person.birth_on,
                        structure=accompaniment.structure.name, referent=referent_name(accompaniment, actor),
                        start=accompaniment.start_on, planned_end=accompaniment.current_end_on,
                        signed_on=accompaniment.contract_signed_on, objectives=objectives)


def generate(accompaniment, actor, fonts: str | None = None, code: str | None = None) -> tuple[bytes, str]:
    """The contract's PDF and its second language; FontsMissing when the fonts are not installed."""
    code = code or contract_language(accompaniment)
    directory = font_dir(fonts)
    absent = missing(directory, (LANGUAGES[code].font,))
    if absent:
        raise FontsMissing(absent)
    data = contract_data(accompaniment, actor)
    return render(data, catalogues.catalogue(code), directory, french_name(code)), code
