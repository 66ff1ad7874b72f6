"""The engagement contract as a PDF (SPEC §4.5): French on the left, the person's language on the right,
row by row, so that each paragraph faces its translation.

fpdf2 writes the PDF; its text shaping runs HarfBuzz (uharfbuzz) on every run of text, so Arabic, Dari and
Pashto come out joined and right to left (the Unicode bidi algorithm orders mixed runs such as a Latin name
inside Arabic text), Tigrinya in Ethiopic syllables. Fonts are embedded as subsets with their ToUnicode
maps: the text extracted from the PDF is the text written, in logical order.
"""
import os
from dataclasses import dataclass, field
from datetime import date
from typing import cast

from fpdf import FPDF

from agir.contract import texts
from agir.contract.catalogue import Catalogue
from agir.contract.fonts import FAMILIES

PAGE_MARGIN = 15
GAP = 6
BODY = 9.5
HEADING = 11
TITLE = 15
ARABIC_SCALE = 1.15


@dataclass
class Objective:
    area: str
    text: str
    due: date | None


@dataclass
class ContractData:
    """What the contract shows, as plain values (agir.contract.build reads them from the accompaniment)."""

    person_name: str
    birth_date: date | None
    structure: str
    referent: str
    start: date
    planned_end: date
    signed_on: date | None
    objectives: list[Objective] = field(default_factory=list)


def _day(day: date | None) -> str:
    return f"{day:%d/%m/%Y}" if day else "—"


class BilingualPDF(FPDF):
    """Two facing columns, French on the left and `second`'s language on the right; a page break never splits a
    row. Shared by the engagement contract and the convocation letter (agir.letters)."""

    def __init__(self, font_dir: str, second: Catalogue, footer_text: str):
        super().__init__(format="A4")
        self.second = second
        self.footer_text = footer_text
        self.set_margins(PAGE_MARGIN, PAGE_MARGIN, PAGE_MARGIN)
        self.set_auto_page_break(False)
        for family, (regular, bold) in FAMILIES.items():
            self.add_font(family, "", os.path.join(font_dir, regular))
            self.add_font(family, "B", os.path.join(font_dir, bold))
        # A Latin name or a date inside Arabic or Ethiopic text is drawn by the Latin font.
        self.set_fallback_fonts(["latin"], exact_match=False)
        self.column = (self.w - 2 * PAGE_MARGIN - GAP) / 2

    def begin(self, title: str, person_name: str, author: str) -> None:
        """The document's metadata (French title with the person's name, author, language) and its first page."""
        self.set_title(f"{title} — {person_name}")
        self.set_author(author)
        self.set_creator("AGIR")
        self.set_lang("fr-FR")
        self.alias_nb_pages()
        self.add_page()

    def footer(self):
        self.set_y(-12)
        self._shape(False)
        self.set_font("latin", "", 7.5)
        self.set_text_color(90, 90, 90)
        self.cell(0, 5, f"{self.footer_text} — {self.page_no()}/{{nb}}", align="C")
        self.set_text_color(0, 0, 0)

    def _scale(self, second: bool) -> float:
        """Naskh's letters are small for their body: the Arabic-script column is set a little larger."""
        return ARABIC_SCALE if second and self.second.language.font == "arabic" else 1.0

    def _font_on_page(self) -> None:
        """Write the column's own font to the page before its paragraph. fpdf2 2.8.9 otherwise promotes the
        fallback (Latin) font when a paragraph starts with a character only the fallback has (the bullet, a
        digit in Ethiopic text): the next wrapped line was drawn with Ethiopic glyph ids in the Latin font."""
        if not self.current_font_is_set_on_page and self.current_font is not None:
            self._out(self._set_font_for_page(self.current_font, self.font_size_pt))

    def _shape(self, second: bool) -> None:
        language = self.second.language
        if second and language.rtl:
            self.set_text_shaping(True, direction="rtl", script=language.script, language=language.hb_language)
        elif second and language.script:
            self.set_text_shaping(True, direction="ltr", script=language.script, language=language.hb_language)
        else:
            self.set_text_shaping(True, direction="ltr")

    def _cell(self, x: float, y: float, text: str, second: bool, style: str, size: float, dry: bool) -> float:
        """One column's paragraph at (x, y); returns its height."""
        self._shape(second)
        self.set_font(self.second.language.font if second else "latin", style, size * self._scale(second))
        self.set_xy(x, y)
        align = "R" if second and self.second.language.rtl else "L"
        line = size * 0.55
        if dry:
            return cast(float, self.multi_cell(self.column, line, text, align=align, dry_run=True, output="HEIGHT"))
        self._font_on_page()
        self.multi_cell(self.column, line, text, align=align)
        return self.get_y() - y

    def row(self, french: str, translated: str, style: str = "", size: float = BODY, after: float = 1.5,
            fill: tuple | None = None) -> None:
        """A paragraph and its translation side by side."""
        left, right = PAGE_MARGIN, PAGE_MARGIN + self.column + GAP
        y = self.get_y()
        height = max(self._cell(left, y, french, False, style, size, True),
                     self._cell(right, y, translated, True, style, size, True))
        if y + height > self.h - 18:
            self.add_page()
        y = self.get_y()
        if fill:
            self.set_fill_color(*fill)
            self.rect(left - 1.5, y - 1, self.w - 2 * PAGE_MARGIN + 3, height + 2, style="F")
        self._cell(left, y, french, False, style, size, False)
        self._cell(right, y, translated, True, style, size, False)
        self.set_xy(left, y + height + after)

    def para(self, msgid: str, style: str = "", size: float = BODY, after: float = 1.5, fill=None, **values):
        self.row(msgid % values if values else msgid, self.second.gettext(msgid, **values), style, size, after, fill)

    def heading(self, msgid: str) -> None:
        self.ln(2)
        self.para(msgid, "B", HEADING, after=2)

    def review_banner(self, reviewed: str, unreviewed: str) -> None:
        """Who reviewed the translation, or the « Traduction non vérifiée » banner in both languages."""
        if self.second.reviewed:
            self.para(reviewed, size=8, who=self.second.reviewed_by)
        else:
            self.para(unreviewed, "B", BODY, after=3, fill=(255, 233, 190))


class ContractPDF(BilingualPDF):
    """The engagement contract: the two columns, then the signature boxes."""

    def signature_boxes(self) -> None:
        box = 30
        labels = (texts.SIGN_PERSON, texts.SIGN_REFERENT)
        height = 3 * BODY * 0.55 * 2 + box + 4
        if self.get_y() + height > self.h - 18:
            self.add_page()
        self.para(texts.SIGN_PLACE)
        y = self.get_y() + 2
        width = (self.w - 2 * PAGE_MARGIN - GAP) / 2
        for i, msgid in enumerate(labels):
            x = PAGE_MARGIN + i * (width + GAP)
            self._shape(False)
            self.set_font("latin", "B", BODY)
            self.set_xy(x, y)
            self.multi_cell(width, BODY * 0.55, msgid, align="L")
            language = self.second.language
            self._shape(True)
            self.set_font(language.font, "", BODY * self._scale(True))
            self.set_x(x)
            self._font_on_page()
            self.multi_cell(width, BODY * 0.55, self.second.gettext(msgid), align="R" if language.rtl else "L")
            self.rect(x, self.get_y() + 1, width, box)
        self.set_y(self.get_y() + box + 4)


def render(data: ContractData, second: Catalogue, font_dir: str, language_name_fr: str) -> bytes:
    """The contract's bytes: French and `second` side by side."""
    pdf = ContractPDF(font_dir, second, f"AGIR — {data.structure}")
    pdf.begin(texts.TITLE, data.person_name, data.structure)
    pdf.para(texts.TITLE, "B", TITLE, after=1)
    pdf.para(texts.SUBTITLE, after=2)
    pdf.review_banner(texts.REVIEWED, texts.UNREVIEWED)
    own_name = second.gettext(texts.LANGUAGE_NAME)
    pdf.row(texts.LANGUAGE_NOTE % {"language": language_name_fr},
            second.gettext(texts.LANGUAGE_NOTE, language=own_name), size=8)

    pdf.heading(texts.SECTION_PARTIES)
    pdf.para(texts.PERSON, "B")
    pdf.para(texts.NAME, name=data.person_name)
    pdf.para(texts.BIRTH, date=_day(data.birth_date))
    pdf.para(texts.STRUCTURE, name=data.structure)
    pdf.para(texts.REFERENT, name=data.referent)

    pdf.heading(texts.SECTION_DATES)
    pdf.para(texts.START, date=_day(data.start))
    pdf.para(texts.PLANNED_END, date=_day(data.planned_end))
    if data.signed_on:
        pdf.para(texts.SIGNED, date=_day(data.signed_on))
    else:
        pdf.para(texts.NOT_SIGNED)

    pdf.heading(texts.SECTION_PLAN)
    if not data.objectives:
        pdf.para(texts.NO_OBJECTIVE)
    for number, objective in enumerate(data.objectives, 1):
        area = texts.AREAS.get(objective.area, objective.area)
        due = ""
        due_translated = ""
        if objective.due:
            due = " — " + texts.OBJECTIVE_DUE % {"date": _day(objective.due)}
            due_translated = " — " + second.gettext(texts.OBJECTIVE_DUE, date=_day(objective.due))
        # The objective's own words are the référent's, written in French: the same on both sides.
        pdf.row(f"{number}. {area}{due}", f"{number}. {second.gettext(area)}{due_translated}", "B", after=0.5)
        pdf.row(objective.text, objective.text, after=2)

    pdf.heading(texts.SECTION_PERSON_COMMITS)
    for line in texts.PERSON_COMMITS:
        pdf.row("• " + line, "• " + second.gettext(line))
    pdf.heading(texts.SECTION_STRUCTURE_COMMITS)
    for line in texts.STRUCTURE_COMMITS:
        pdf.row("• " + line, "• " + second.gettext(line))
    pdf.ln(1)
    pdf.para(texts.DURATION)

    pdf.heading(texts.SECTION_SIGNATURES)
    pdf.signature_boxes()
    return bytes(pdf.output())
