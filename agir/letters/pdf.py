"""The convocation letter as a PDF (issue 17 item 3): French on the left, the person's language on the right,
row by row — the engagement contract's machinery (agir.contract.pdf.BilingualPDF: fpdf2, HarfBuzz shaping,
Debian's Noto fonts embedded, text extracted in logical order). The day and the time are written by each
language's own rules (CLDR through babel: « lundi 14 décembre 2026 », « الاثنين، 14 ديسمبر 2026 »)."""
from dataclasses import dataclass
from datetime import date, datetime

import pycountry
from babel import Locale
from babel.dates import format_date, format_time

from agir import languages
from agir.contract.catalogue import Catalogue
from agir.contract.pdf import BODY, HEADING, TITLE, BilingualPDF
from agir.letters import texts

# Letter language (agir.contract.catalogue.LANGUAGES) -> the CLDR locale that writes its dates and names.
CLDR = {"fra": "fr_FR", "eng": "en_GB", "arb": "ar", "prs": "fa_AF", "pus": "ps", "tir": "ti"}
# ISO 639-3 -> the key of CLDR's language names (babel), where it is not the ISO 639-1 code.
CLDR_NAMES = {"prs": "fa_AF", "fas": "fa", "pes": "fa", "arb": "ar", "ara": "ar", "pus": "ps", "pbt": "ps",
              "pbu": "ps", "apc": "ar", "ary": "ar", "arz": "ar", "acm": "ar", "ajp": "ar", "ckb": "ckb",
              "kmr": "kmr"}

# Where CLDR's name reads oddly: Pashto's CLDR calls Dari « دری (افغانستان) » (Persian of Afghanistan).
NAME_OVERRIDES = {("prs", "pus"): "دري"}


@dataclass
class LetterData:
    """What the convocation shows, as plain values (agir.letters.letter_data reads them from the appointment)."""

    person_name: str
    start: datetime  # Paris wall-clock time
    minutes: int
    mode: str
    structure: str
    address: str | None
    phone: str | None
    referent: str
    interpreter: str | None  # ISO 639-3 code of the interpreter's language, or None
    issued_on: date


def language_name(code: str, letter_code: str) -> str:
    """The name of the language `code` (ISO 639-3) written in the letter language `letter_code` (CLDR; else
    the French name, never an empty box)."""
    if (code, letter_code) in NAME_OVERRIDES:
        return NAME_OVERRIDES[(code, letter_code)]
    key = CLDR_NAMES.get(code)
    if key is None:
        found = pycountry.languages.get(alpha_3=code)
        key = getattr(found, "alpha_2", None) or code
    names = Locale.parse(CLDR[letter_code]).languages
    return names.get(key) or names.get(key.split("_")[0]) or languages.name(code, "fr")


def day_text(day: date, letter_code: str) -> str:
    return format_date(day, "full", locale=CLDR[letter_code])


def time_text(moment: datetime, letter_code: str) -> str:
    return format_time(moment.time(), "short", locale=CLDR[letter_code])


class LetterPDF(BilingualPDF):
    """The letter: the contract's two columns, with values written differently in each language."""

    def isolated(self, value: str) -> str:
        """A phone number or a date kept left to right inside right-to-left text (Unicode isolates: without them
        the bidi algorithm lays « 05 56 00 00 00 » out as « 00 00 00 56 05 »)."""
        return f"\u2066{value}\u2069" if self.second.language.rtl else value

    def pair(self, msgid: str, french: dict, translated: dict, style: str = "", size: float = BODY,
             after: float = 1.5) -> None:
        """A text whose values (a day, a language's name) are written in each column's language."""
        self.row(msgid % french, self.second.gettext(msgid, **translated), style, size, after)


def render(data: LetterData, second: Catalogue, font_dir: str, language_name_fr: str) -> bytes:
    """The letter's bytes: French and `second` side by side."""
    code = second.language.code
    pdf = LetterPDF(font_dir, second, f"AGIR — {data.structure}")
    pdf.begin(texts.TITLE, data.person_name, data.structure)
    pdf.para(texts.TITLE, "B", TITLE, after=1)
    pdf.row(data.structure, data.structure, after=2)
    pdf.review_banner(texts.REVIEWED, texts.UNREVIEWED)
    pdf.pair(texts.LANGUAGE_NOTE, {"language": language_name_fr},
             {"language": second.gettext(texts.LANGUAGE_NAME)}, size=8)
    pdf.ln(2)
    pdf.para(texts.RECIPIENT, "B", name=data.person_name)
    pdf.para(texts.INTRO)

    pdf.ln(2)
    pdf.para(texts.SECTION_WHEN, "B", HEADING, after=2)
    pdf.pair(texts.DAY, {"day": day_text(data.start.date(), "fra")}, {"day": day_text(data.start.date(), code)},
             "B")
    pdf.pair(texts.TIME, {"time": time_text(data.start, "fra")}, {"time": time_text(data.start, code)}, "B")
    pdf.para(texts.LENGTH, minutes=data.minutes)
    if data.mode in texts.PLACES:
        msgid = texts.PLACES[data.mode]
        pdf.pair(texts.PLACE, {"place": msgid}, {"place": second.gettext(msgid)}, "B")
    else:
        place = ", ".join(x for x in (data.structure, data.address) if x)
        pdf.para(texts.PLACE, "B", place=place)
    pdf.para(texts.REFERENT, name=data.referent)
    if data.interpreter:
        pdf.pair(texts.INTERPRETER, {"language": language_name(data.interpreter, "fra")},
                 {"language": language_name(data.interpreter, code)})

    pdf.ln(2)
    pdf.para(texts.SECTION_BRING, "B", HEADING, after=2)
    for line in texts.BRING:
        pdf.row("• " + line, "• " + second.gettext(line))

    pdf.ln(2)
    pdf.para(texts.SECTION_CONTACT, "B", HEADING, after=2)
    if data.phone:
        pdf.pair(texts.CONTACT_PHONE, {"phone": data.phone}, {"phone": pdf.isolated(data.phone)}, "B")
    else:
        pdf.para(texts.CONTACT_NO_PHONE)
    pdf.ln(4)
    issued = f"{data.issued_on:%d/%m/%Y}"
    pdf.pair(texts.ISSUED, {"date": issued}, {"date": pdf.isolated(issued)})
    return bytes(pdf.output())
