"""The engagement contract (SPEC §4.5, issue 16 item 4): the PDF in French and the person's language side by
side, its text extracted in logical order (pdftotext, Debian's poppler-utils), fonts embedded, shaped by
HarfBuzz; the untranslated-review banner; access as the file; every generation audited; the signature form
(every bad input at once, next to its field), its correction and cancellation with a reason."""
import io
import re
import shutil
import subprocess
from datetime import date, timedelta

import pytest
from babel.messages.pofile import read_po
from fontTools.ttLib import TTFont
from pypdf import PdfReader
from sqlalchemy import select

from agir.contract import catalogue as cat
from agir.contract import texts
from agir.contract.fonts import DEFAULT_DIR
from agir.contract.pdf import ContractData, Objective, render
from agir.extensions import db
from models import Accompaniment, AuditEntry
from tests import factories

TODAY = date.today()
BIDI_CONTROLS = re.compile("[\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def html(response):
    return response.get_data(as_text=True)


def pdftotext(data: bytes) -> str:
    """The PDF's text as poppler extracts it (logical order), without the bidi embedding marks it adds."""
    assert shutil.which("pdftotext"), "pdftotext missing: apt-get install poppler-utils (make fonts installs it)"
    out = subprocess.run(["pdftotext", "-enc", "UTF-8", "-", "-"], input=data, capture_output=True, check=True)
    return " ".join(BIDI_CONTROLS.sub("", out.stdout.decode("utf-8")).split())


def embedded_fonts(data: bytes) -> dict:
    """Base font name -> the embedded TrueType program (bytes) of every font of every page."""
    found = {}
    for page in PdfReader(io.BytesIO(data)).pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            descriptor = font["/DescendantFonts"][0].get_object()["/FontDescriptor"].get_object()
            program = descriptor.get("/FontFile2")
            found[str(font["/BaseFont"])] = program.get_object().get_data() if program else None
    return found


@pytest.fixture
def sw(client, world):
    factories.login(client, "sw@example.fr")
    return world


def enrolled(world, language=None, level="native", objectives=True):
    start = TODAY - timedelta(days=20)
    person = factories.make_person(world.department, world.agir, last_name="Karimi", first_name="Ahmad",
                                   protection_on=start - timedelta(days=30))
    if language:
        factories.add_language(person, language, level)
    acc = factories.make_accompaniment(person, world.agir, start=start, planned_end=start + timedelta(days=365))
    if objectives:
        factories.add_objective(acc, "housing", "Déposer une demande de logement social",
                                due=start + timedelta(days=90))
        factories.add_objective(acc, "language", "Suivre 200 heures de français")
    db.session.commit()
    return person, acc


def pdf_url(person, acc, lang=None):
    return f"/persons/{person.id}/accompaniments/{acc.id}/contract.pdf" + (f"?lang={lang}" if lang else "")


def page_url(person, acc):
    return f"/persons/{person.id}/accompaniments/{acc.id}/contract"


# Words of each language's column that must come out of the PDF in logical (reading) order.
EXPECTED = {
    "arb": ("عقد التزام متبادل", "الاسم الكامل", "خطة العمل", "ترجمة غير مراجعة", "اللغة الفرنسية", "السكن"),
    "prs": ("قرارداد تعهد متقابل", "نام و تخلص", "برنامه عمل", "ترجمه بررسی نشده"),
    "pus": ("د دوه اړخیزې ژمنې تړون", "بشپړ نوم", "د عمل پلان", "نه کتل شوې ژباړه"),
    "tir": ("ውዕል ክልተኣዊ ተወፋይነት", "ምሉእ ስም", "መደብ ስራሕ", "ዘይተረጋገጸ ትርጉም"),
    "eng": ("Mutual engagement contract", "Full name: KARIMI Ahmad", "Action plan",
            "Translation not checked"),
}


@pytest.mark.parametrize("code", list(EXPECTED))
def test_the_pdf_has_french_and_the_persons_language_side_by_side_in_logical_order(client, sw, code):
    person, acc = enrolled(sw, code)
    response = client.get(pdf_url(person, acc))
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    disposition = response.headers["Content-Disposition"]
    assert disposition.startswith("attachment;") and f"-fra-{code}.pdf" in disposition and "\n" not in disposition
    text = pdftotext(response.data)
    for french in ("Contrat d'engagement", "Nom et prénom : KARIMI Ahmad", "Opérateur AGIR Bordeaux",
                   "Déposer une demande de logement social", "La personne accompagnée s'engage à",
                   "La structure s'engage à", "Signatures", "Traduction non vérifiée"):
        assert french in text, french
    for words in EXPECTED[code]:
        assert words in text, (code, words)
    if code == "tir":
        assert len(re.findall("[\u1200-\u137f]", text)) > 300  # Ethiopic syllables, not boxes or Latin


def test_the_fonts_are_embedded_and_arabic_letters_are_shaped(client, sw):
    person, acc = enrolled(sw, "arb")
    data = client.get(pdf_url(person, acc)).data
    fonts = embedded_fonts(data)
    assert any("NotoNaskhArabic" in name for name in fonts) and any("NotoSans" in name for name in fonts)
    assert all(program for program in fonts.values()), "every font is embedded"
    # Shaped by HarfBuzz: the Arabic subset holds joining forms (initial, medial, final), so it has many more
    # glyphs than the distinct Arabic letters of the text; unshaped text would use one isolated glyph per letter.
    naskh = next(program for name, program in fonts.items() if name.endswith("NotoNaskhArabic"))
    glyphs = TTFont(io.BytesIO(naskh))["maxp"].numGlyphs
    letters = set(re.findall("[\u0621-\u064a\u067e\u0686\u06a9\u06af\u06cc]", pdftotext(data)))
    assert glyphs > len(letters) + 25, (glyphs, len(letters))


def test_tigrinya_is_written_with_the_ethiopic_font(client, sw):
    person, acc = enrolled(sw, "tir")
    fonts = embedded_fonts(client.get(pdf_url(person, acc)).data)
    assert any("NotoSansEthiopic" in name for name in fonts)


def test_an_unsupported_language_gets_french_and_english(client, sw):
    person, acc = enrolled(sw, "som")
    response = client.get(pdf_url(person, acc))
    assert "-fra-eng.pdf" in response.headers["Content-Disposition"]
    text = pdftotext(response.data)
    assert "Contrat d'engagement" in text and "Mutual engagement contract" in text


def test_an_arabic_variety_reads_the_arabic_contract_and_lang_chooses_the_column(client, sw):
    person, acc = enrolled(sw, "apc")  # North Levantine Arabic
    assert "-fra-arb.pdf" in client.get(pdf_url(person, acc)).headers["Content-Disposition"]
    assert "-fra-tir.pdf" in client.get(pdf_url(person, acc, "tir")).headers["Content-Disposition"]
    assert client.get(pdf_url(person, acc, "xyz")).status_code == 404


def test_the_recorded_language_of_the_signature_wins(client, sw):
    person, acc = enrolled(sw, "tir")
    factories.sign_contract(acc, TODAY - timedelta(days=2), "pus")
    db.session.commit()
    response = client.get(pdf_url(person, acc))
    assert "-fra-pus.pdf" in response.headers["Content-Disposition"]
    text = pdftotext(response.data)
    assert f"Contrat signé le : {TODAY - timedelta(days=2):%d/%m/%Y}" in text
    assert "Ce contrat est rédigé en français et en pachto." in text


def test_every_generation_is_audited(client, sw):
    person, acc = enrolled(sw, "prs")
    client.get(pdf_url(person, acc))
    client.get(pdf_url(person, acc, "eng"))
    entries = db.session.scalars(select(AuditEntry).where(AuditEntry.person_id == person.id,
                                                          AuditEntry.action == "contract_pdf")
                                   .order_by(AuditEntry.id)).all()
    assert [e.detail for e in entries] == [f"accompaniment {acc.id}, fra+prs", f"accompaniment {acc.id}, fra+eng"]
    assert all(e.user_email == "sw@example.fr" and e.ip for e in entries)


def test_access_is_the_files(client, world):
    person, acc = enrolled(world, "arb")
    factories.login(client, "sw-other@example.fr")
    assert client.get(pdf_url(person, acc)).status_code == 404
    assert client.get(page_url(person, acc)).status_code == 404
    other_person, other_acc = enrolled(world, "arb")
    mine = client.application.test_client()
    factories.login(mine, "sw@example.fr")
    assert mine.get(f"/persons/{person.id}/accompaniments/{other_acc.id}/contract.pdf").status_code == 404
    pilot = client.application.test_client()
    factories.login(pilot, "pilot@example.fr")
    assert pilot.get(pdf_url(person, acc)).status_code in (403, 404)


def test_missing_fonts_give_a_french_page_naming_the_package_never_a_pdf(client, sw, tmp_path, app):
    person, acc = enrolled(sw, "tir")
    app.config["CONTRACT_FONT_DIR"] = str(tmp_path)
    try:
        response = client.get(pdf_url(person, acc))
    finally:
        app.config.pop("CONTRACT_FONT_DIR")
    assert response.status_code == 503 and response.mimetype == "text/html"
    page = html(response)
    assert "fonts-noto-core" in page and "NotoSansEthiopic-Regular.ttf" in page
    assert "Les polices du contrat ne sont pas installées" in page


def test_a_reviewed_translation_is_printed_as_reviewed():
    reviewed = cat.Catalogue(cat.LANGUAGES["arb"], cat.catalogue("arb").messages, "Samira B. (2026-11-30)")
    data = ContractData("KARIMI Ahmad", date(1990, 3, 4), "Structure", "Claire Martin", date(2026, 9, 1),
                        date(2027, 9, 1), None, [Objective("housing", "Logement social", None)])
    text = pdftotext(render(data, reviewed, DEFAULT_DIR, "arabe"))
    assert "Traduction relue par : Samira B. (2026-11-30)" in text and "راجع الترجمة" in text
    assert "Traduction non vérifiée" not in text


@pytest.mark.parametrize("code", list(cat.LANGUAGES))
def test_each_catalogue_translates_every_text_and_keeps_a_review_record(code):
    assert cat.missing_translations(code) == []
    with open(cat.po_path(cat.LANGUAGES[code].locale), "rb") as f:
        catalog = read_po(f)
    with open(cat.po_path(cat.LANGUAGES[code].locale), encoding="utf-8") as f:
        assert re.search(r'^"X-Reviewed-By:.*\\n"$', f.read(), re.MULTILINE)
    for message in catalog:
        if message.id:
            assert sorted(re.findall(r"%\(\w+\)s", message.id)) == sorted(re.findall(r"%\(\w+\)s", message.string))
    assert {m.id for m in catalog if m.id} == set(texts.all_msgids())


# ---- The signature: record, bad input, correction and cancellation ----------------------------------------

def form_post(client, url, data, action=None):
    page = html(client.get(url))
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
    versions = re.findall(r'name="(\w+-)?version"[^>]*value="([^"]*)"', page)
    payload = {"csrf_token": token, **{f"{prefix}version": value for prefix, value in versions}, **data}
    return client.post(action or url, data=payload)


def test_the_file_links_to_the_contract_page(client, sw):
    person, acc = enrolled(sw, "arb")
    assert page_url(person, acc) in html(client.get(f"/persons/{person.id}"))
    page = html(client.get(page_url(person, acc)))
    assert "Enregistrer la signature" in page and pdf_url(person, acc) in page
    assert 'selected value="arb"' in page  # the person's language proposed


def test_bad_input_on_the_signature_form_is_all_shown_at_once(client, sw):
    person, acc = enrolled(sw, "arb")
    response = form_post(client, page_url(person, acc), {"contract-signed_on": "", "contract-language": ""})
    page = html(response)
    assert response.status_code == 200
    assert "La date de signature est obligatoire." in page and "Indiquez la langue du contrat signé." in page
    response = form_post(client, page_url(person, acc), {"contract-signed_on": "31/02/2026",
                                                         "contract-language": "xyz"})
    page = html(response)
    assert "existe pas dans cette langue." in page
    assert 'value="31/02/2026"' in page  # what was typed is kept
    before_start = acc.start_on - timedelta(days=1)
    page = html(form_post(client, page_url(person, acc), {"contract-signed_on": f"{before_start:%d/%m/%Y}",
                                                          "contract-language": "arb"}))
    assert "La date de signature ne peut précéder l" in page
    page = html(form_post(client, page_url(person, acc), {"contract-signed_on": f"{TODAY + timedelta(days=1):%d/%m/%Y}",
                                                          "contract-language": "arb"}))
    assert "La date de signature ne peut pas être postérieure à aujourd" in page
    db.session.expire_all()
    assert db.session.get(Accompaniment, acc.id).contract_signed_on is None  # nothing half-written


def test_the_signature_is_recorded_corrected_with_a_reason_and_cancelled(client, sw):
    person, acc = enrolled(sw, "arb")
    day = TODAY - timedelta(days=3)
    response = form_post(client, page_url(person, acc), {"contract-signed_on": f"{day:%d/%m/%Y}",
                                                         "contract-language": "arb"})
    assert response.status_code == 302
    db.session.expire_all()
    acc = db.session.get(Accompaniment, acc.id)
    assert (acc.contract_signed_on, acc.contract_language) == (day, "arb")
    page = html(client.get(page_url(person, acc)))
    assert "Enregistrer la correction" in page and "data-contract-signed" in page
    # a correction without a reason is refused, with the other errors at once
    page = html(form_post(client, page_url(person, acc), {"contract-signed_on": "", "contract-language": "arb",
                                                          "contract-correction_reason": ""}))
    assert "La date de signature est obligatoire." in page and "Indiquez le motif de la correction." in page
    response = form_post(client, page_url(person, acc), {"contract-signed_on": f"{day:%d/%m/%Y}",
                                                         "contract-language": "prs",
                                                         "contract-correction_reason": "Version dari signée"})
    assert response.status_code == 302
    entry = db.session.scalars(select(AuditEntry).where(AuditEntry.person_id == person.id,
                                                        AuditEntry.action == "correct_record")).one()
    assert entry.changes["before"]["contract_language"] == "arb"
    assert entry.changes["after"]["contract_language"] == "prs" and entry.reason == "Version dari signée"
    # cancelling needs a reason too
    page = html(form_post(client, page_url(person, acc), {"cancel-correction_reason": ""},
                          action=page_url(person, acc) + "/cancel"))
    assert "Indiquez le motif de l" in page
    response = form_post(client, page_url(person, acc), {"cancel-correction_reason": "Saisie sur le mauvais dossier"},
                         action=page_url(person, acc) + "/cancel")
    assert response.status_code == 302
    db.session.expire_all()
    acc = db.session.get(Accompaniment, acc.id)
    assert acc.contract_signed_on is None and acc.contract_language is None


def test_another_structure_cannot_record_the_signature(client, world):
    person, acc = enrolled(world, "arb")
    factories.login(client, "sw-other@example.fr")
    response = client.post(page_url(person, acc), data={"contract-signed_on": f"{TODAY:%d/%m/%Y}",
                                                        "contract-language": "arb"})
    assert response.status_code in (400, 404)


def test_the_contract_page_and_its_errors_in_english(client, world):
    person, acc = enrolled(world, "tir")
    token = factories.csrf_token(client, "/login")
    client.post("/langue", data={"locale": "en", "csrf_token": token})
    factories.login(client, "sw@example.fr")
    page = html(client.get(page_url(person, acc)))
    assert "Print the contract" in page and "Record the signature" in page and "Tigrinya" in page
    page = html(form_post(client, page_url(person, acc), {"contract-signed_on": "", "contract-language": ""}))
    assert "The signature date is required." in page and "Give the language of the signed contract." in page
