"""Letters printed for people without phone or e-mail (issue 17 item 3): the convocation to an appointment, in
French and the person's language side by side, with the engagement contract's machinery (agir.contract: the
languages, their catalogues — gettext domain `letters` — the fonts and the two-column PDF).
agir.operations.letters generates it (audited)."""
from agir.contract.catalogue import LANGUAGES, catalogue, choose_language, french_name
from agir.contract.fonts import PACKAGE, font_dir, missing
from agir.letters.pdf import LetterData, render

DOMAIN = "letters"


class FontsMissing(Exception):
    """The fonts of a language are not installed: no PDF (never one with empty boxes)."""

    def __init__(self, files: list[str]):
        super().__init__(", ".join(files))
        self.files = files
        self.package = PACKAGE


def letter_language(appointment) -> str:
    """The second column: the interpreter's language when the letter has it, else the person's (natively, then
    fluently, then at all), else English."""
    spoken = [(x.code, x.level) for x in appointment.person.languages]
    return choose_language(appointment.interpreter, spoken)


def letter_data(appointment, issued_on) -> LetterData:
    person, structure, referent = appointment.person, appointment.structure, appointment.referent
    who = (getattr(referent, "display_name", None) or getattr(referent, "email", None)) if referent else None
    return LetterData(person_name=person.full_name, start=appointment.start_at, minutes=appointment.minutes,
                      mode=appointment.mode, structure=structure.name, address=structure.address,
                      phone=structure.phone, referent=who or "—", interpreter=appointment.interpreter,
                      issued_on=issued_on)


def generate(appointment, issued_on, fonts: str | None = None, code: str | None = None) -> tuple[bytes, str]:
    """The convocation's PDF and its second language; FontsMissing when the fonts are not installed."""
    code = code or letter_language(appointment)
    directory = font_dir(fonts)
    absent = missing(directory, (LANGUAGES[code].font,))
    if absent:
        raise FontsMissing(absent)
    return render(letter_data(appointment, issued_on), catalogue(code, DOMAIN), directory, french_name(code)), code


def missing_translations(code: str) -> list[str]:
    """The letter texts a catalogue does not translate (checked by the tests)."""
    from agir.letters import texts
    messages = catalogue(code, DOMAIN).messages
    return [m for m in texts.all_msgids() if not messages.get(m)]
