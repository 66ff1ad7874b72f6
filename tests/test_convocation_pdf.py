"""The convocation letter (issue 17 item 3): a PDF in French and the person's language side by side, with the
engagement contract's machinery (fonts embedded, HarfBuzz shaping, text extracted in logical order by pdftotext);
the day written in each language; access as the file (404 for another structure), refused for a cancelled or
past appointment, every generation audited, an attachment with a safe file name."""
import re
from datetime import datetime, timedelta

import pytest
from babel.messages.pofile import read_po
from sqlalchemy import select

from agir import letters
from agir.contract import catalogue as cat
from agir.extensions import db
from agir.letters import texts
from agir.operations.appointments import paris_now
from models import AuditEntry
from tests import factories
from tests.test_contract_pdf import embedded_fonts, pdftotext


def _start(days=5) -> datetime:
    """A Monday at 09:30 at least `days` ahead (the weekday's name is checked in every language)."""
    day = (paris_now() + timedelta(days=days)).date()
    day += timedelta(days=(7 - day.weekday()) % 7)
    return datetime(day.year, day.month, day.day, 9, 30)


@pytest.fixture
def booked(world, client):
    world.agir.address, world.agir.phone = "12 rue Sainte-Catherine, 33000 Bordeaux", "05 56 00 00 00"
    person = factories.make_person(world.department, world.agir, last_name="Karimi", first_name="Ahmad",
                                   phone=None, email=None)
    db.session.commit()

    def book(language=None, interpreter=None, mode="on_site", status="planned", start=None):
        if language:
            factories.add_language(person, language)
        appointment = factories.make_appointment(person, world.agir, start=start or _start(), minutes=45,
                                                 kind="diagnostic", mode=mode, status=status,
                                                 interpreter=interpreter, referent=world.users.social_worker)
        db.session.commit()
        return appointment
    factories.login(client, "sw@example.fr")
    return person, book


def url(appointment, lang=None):
    return f"/agenda/appointments/{appointment.id}/convocation.pdf" + (f"?lang={lang}" if lang else "")


# The day, the time and the place as each language writes them (Monday 09:30; December's name is not checked:
# the month varies with the day the test runs).
MONDAY = {"arb": "الاثنين", "prs": "دوشنبه", "pus": "دوشنبه", "tir": "ሰኑይ", "eng": "Monday"}
WORDS = {  # (pdftotext puts a colon before or after an Arabic-script word as it lays it out: words alone)
    "arb": ("استدعاء إلى موعد", "اليوم", "الساعة", "المكان", "ترجمة غير مراجعة", "ما يجب إحضاره",
            "أبلغ الجهة على الرقم"),
    "prs": ("دعوتنامه برای ملاقات", "روز", "ساعت", "مکان", "ترجمه بررسی نشده", "با خود بیاورید"),
    "pus": ("د لیدنې بلنلیک", "ورځ", "وخت", "ځای", "نه کتل شوې ژباړه", "له ځانه سره یې راوړئ"),
    "tir": ("ጻውዒት ናብ ቆጸራ", "መዓልቲ፦", "ሰዓት፦", "ቦታ፦", "ዘይተረጋገጸ ትርጉም", "ሒዝኩም ምጹ"),
    "eng": ("Appointment letter", "Day: Monday", "Time: 09:30", "Place: Opérateur AGIR Bordeaux",
            "Translation not checked", "Tell the organisation on 05 56 00 00 00."),
}


@pytest.mark.parametrize("code", list(WORDS))
def test_the_letter_has_the_day_time_and_place_in_french_and_in_the_persons_language(client, world, booked, code):
    person, book = booked
    appointment = book(code)
    response = client.get(url(appointment))
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    disposition = response.headers["Content-Disposition"]
    assert disposition.startswith("attachment;") and f"-fra-{code}.pdf" in disposition
    assert f"convocation-Karimi-Ahmad-{appointment.start_at:%Y-%m-%d}-fra-{code}.pdf" in disposition
    text = pdftotext(response.data)
    for french in ("Convocation à un rendez-vous", "Destinataire : KARIMI Ahmad", "Jour : lundi",
                   "Heure : 09:30", "Durée : 45 minutes",
                   "Lieu : Opérateur AGIR Bordeaux, 12 rue", "Sainte-Catherine, 33000 Bordeaux",
                   "Prévenez la structure au 05 56 00 00 00.", "Traduction non vérifiée"):
        assert french in text, french
    assert f"{appointment.start_at.day} " in text and str(appointment.start_at.year) in text
    assert MONDAY[code] in text, code
    for words in WORDS[code]:
        assert words in text, (code, words)
    # the phone number left to right in both columns (an isolate inside right-to-left text), the time in both
    assert text.count("05 56 00 00 00") == 2 and "00 00 00 56 05" not in text
    assert "9:30" in text  # the time written in the second column too (« 9:30 ص », « 9:30 ቅ.ቀ. », « 09:30 »)
    # nothing sensitive: not the kind of appointment (a diagnostic), not the status
    assert "iagnostic" not in text and "réfugié" not in text.lower()


def test_arabic_is_shaped_with_the_embedded_naskh_font(client, booked):
    _, book = booked
    data = client.get(url(book("arb"))).data
    fonts = embedded_fonts(data)
    assert any("NotoNaskhArabic" in name for name in fonts) and all(fonts.values())
    from io import BytesIO

    from fontTools.ttLib import TTFont
    naskh = next(program for name, program in fonts.items() if name.endswith("NotoNaskhArabic"))
    letters_used = set(re.findall("[\u0621-\u064a]", pdftotext(data)))
    assert TTFont(BytesIO(naskh))["maxp"].numGlyphs > len(letters_used) + 10  # joining forms: shaped


def test_tigrinya_in_ethiopic_and_the_interpreter_language_chooses_the_column(client, booked):
    _, book = booked
    appointment = book("som", interpreter="tir")  # the person's Somali has no letter; the interpreter's Tigrinya
    response = client.get(url(appointment))
    assert "-fra-tir.pdf" in response.headers["Content-Disposition"]
    text = pdftotext(response.data)
    assert "Un ou une interprète en tigrigna sera présent·e." in text
    assert "ትግርኛ" in text and len(re.findall("[\u1200-\u137f]", text)) > 150
    assert any("NotoSansEthiopic" in name for name in embedded_fonts(response.data))


def test_lang_chooses_the_column_unknown_is_404_and_a_home_visit_gives_no_address(client, booked):
    _, book = booked
    appointment = book("prs", mode="home_visit")
    response = client.get(url(appointment, "eng"))
    text = pdftotext(response.data)
    assert "-fra-eng.pdf" in response.headers["Content-Disposition"]
    assert "Lieu : à votre domicile" in text and "Place: at your home" in text and "Sainte-Catherine" not in text
    assert client.get(url(appointment, "xyz")).status_code == 404


def test_every_generation_is_audited(client, booked):
    person, book = booked
    appointment = book("prs")
    client.get(url(appointment))
    client.get(url(appointment, "arb"))
    entries = db.session.scalars(select(AuditEntry).where(AuditEntry.person_id == person.id,
                                                          AuditEntry.action == "convocation_pdf")
                                 .order_by(AuditEntry.id)).all()
    assert [e.detail for e in entries] == [f"appointment {appointment.id}, fra+prs",
                                           f"appointment {appointment.id}, fra+arb"]
    assert all(e.user_email == "sw@example.fr" and e.ip for e in entries)


def test_a_cancelled_or_past_appointment_has_no_convocation(client, booked):
    person, book = booked
    cancelled = book("arb", status="cancelled")
    response = client.get(url(cancelled))
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/agenda/persons/{person.id}")
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Ce rendez-vous est annulé : il n&#39;a pas de convocation." in page or \
        "Ce rendez-vous est annulé : il n'a pas de convocation." in page
    past = book(start=(paris_now() - timedelta(days=1)).replace(second=0, microsecond=0))
    assert client.get(url(past)).status_code == 302
    honoured = book(status="honoured", start=_start(1))
    assert client.get(url(honoured)).status_code == 302
    assert db.session.scalar(select(AuditEntry.id).where(AuditEntry.action == "convocation_pdf")) is None


def test_another_structures_referent_gets_404(client, world, booked):
    _, book = booked
    appointment = book("arb")
    other = client.application.test_client()
    factories.login(other, "sw-other@example.fr")
    assert other.get(url(appointment)).status_code == 404
    assert other.get(f"/agenda/appointments/{appointment.id + 999}/convocation.pdf").status_code == 404
    pilot = client.application.test_client()
    factories.login(pilot, "pilot@example.fr")
    assert pilot.get(url(appointment)).status_code in (403, 404)


def test_the_button_is_on_planned_appointments_of_the_agenda_and_the_persons_page(client, booked):
    person, book = booked
    planned = book("arb")
    cancelled = book(status="cancelled", start=_start(12))
    page = client.get(f"/agenda/persons/{person.id}").get_data(as_text=True)
    assert url(planned) in page and url(cancelled) not in page and "Convocation (PDF)" in page
    week = client.get(f"/agenda/?view=week&day={planned.start_at.date().isoformat()}").get_data(as_text=True)
    assert url(planned) in week
    listing = client.get(f"/agenda/?view=list&day={paris_now().date().isoformat()}").get_data(as_text=True)
    assert url(planned) in listing


def test_missing_fonts_give_a_french_page_never_a_pdf(client, booked, app, tmp_path):
    _, book = booked
    appointment = book("tir")
    app.config["CONTRACT_FONT_DIR"] = str(tmp_path)
    try:
        response = client.get(url(appointment))
    finally:
        app.config.pop("CONTRACT_FONT_DIR")
    assert response.status_code == 503 and "fonts-noto-core" in response.get_data(as_text=True)


@pytest.mark.parametrize("code", list(cat.LANGUAGES))
def test_each_letters_catalogue_translates_every_text_and_keeps_a_review_record(code):
    assert letters.missing_translations(code) == []
    path = cat.po_path(cat.LANGUAGES[code].locale, letters.DOMAIN)
    with open(path, "rb") as f:
        catalog = read_po(f)
    with open(path, encoding="utf-8") as f:
        assert re.search(r'^"X-Reviewed-By: \\n"$', f.read(), re.MULTILINE)  # a draft: nobody reviewed it yet
    for message in catalog:
        if message.id:
            assert sorted(re.findall(r"%\(\w+\)s", message.id)) == sorted(re.findall(r"%\(\w+\)s", message.string))
    assert {m.id for m in catalog if m.id} == set(texts.all_msgids())


def test_the_file_links_the_convocation_of_a_planned_appointment_ahead(client, booked):
    person, book = booked
    planned = book("arb")
    past = book(start=(paris_now() - timedelta(days=2)).replace(second=0, microsecond=0))
    page = client.get(f"/persons/{person.id}").get_data(as_text=True)
    assert url(planned) in page and url(past) not in page
