"""Issue 18: what a document's file may be — size, name, type from the content, polyglots, active PDF content,
image bombs. The facts come from agir.documents.sniff on real bytes; agir.rules.documents decides."""
import pytest

from agir.documents.sniff import sniff
from agir.rules.documents import MAX_BYTES, check_file
from tests.documents import samples


def _codes(name, data):
    facts = sniff(data) if 0 < len(data) <= MAX_BYTES else None
    content_type, problems = check_file(name, len(data), facts)
    return content_type, [p.code for p in problems], " ".join(str(p.message) for p in problems)


@pytest.mark.parametrize("name,data,content_type", [
    ("attestation.pdf", samples.pdf(), "application/pdf"),
    ("Titre de séjour (recto).PDF", samples.pdf(b"/OpenAction [3 0 R /Fit] "), "application/pdf"),
    ("photo.jpg", samples.image("JPEG"), "image/jpeg"),
    ("photo.jpeg", samples.image("JPEG"), "image/jpeg"),
    ("rib.png", samples.image("PNG"), "image/png"),
])
def test_plain_files_are_accepted_with_their_type_from_the_content(name, data, content_type):
    assert _codes(name, data) == (content_type, [], "")


@pytest.mark.parametrize("name,data,code,words", [
    ("gros.pdf", samples.pdf() + b"%" * (MAX_BYTES + 1 - len(samples.pdf())), "document_too_large", "10 Mo"),
    ("vide.pdf", b"", "document_empty", "vide"),
    ("image.pdf", samples.image("PNG"), "document_name_type", "ne correspond pas à son contenu (PNG)"),
    ("script.pdf", samples.pdf_with_javascript(), "document_active_pdf", "/JS, /JavaScript"),
    ("cache.pdf", samples.pdf_with_hidden_javascript(), "document_active_pdf", "/JavaScript"),
    ("page.pdf", samples.HTML, "document_type", "ni un PDF, ni une image"),
    ("bombe.png", samples.zip_bomb(), "document_type", "ni un PDF, ni une image"),
    ("bombe.png", samples.png_bomb(), "document_image_bomb", "trop grande"),
    ("double.png", samples.png_with_zip(), "document_polyglot", "ZIP"),
    ("double.pdf", samples.pdf(body_comment=b"%<script>alert(1)</script>\n"), "document_polyglot", "HTML"),
    ("tronque.png", samples.image("PNG")[:60], "document_image_unreadable", "illisible"),
    ("../../etc/passwd.pdf", samples.pdf(), "document_name_path", "« .. »"),
    ("dossier/a.pdf", samples.pdf(), "document_name_path", "chemin"),
    ("a\0.pdf", samples.pdf(), "document_name_control", "caractère nul"),
    ("a\nb.pdf", samples.pdf(), "document_name_control", "contrôle"),
    ("sans-extension", samples.pdf(), "document_name_type", ".pdf"),
])
def test_bad_input_is_refused_with_a_french_message(name, data, code, words):
    content_type, codes, message = _codes(name, data)
    assert content_type is None and code in codes and words in message


def test_every_problem_at_once():
    _, codes, _ = _codes("../x\0.pdf", b"")
    assert set(codes) == {"document_name_control", "document_empty"}
    _, codes, _ = _codes("a/b.png", samples.pdf_with_javascript())
    assert set(codes) == {"document_name_path", "document_active_pdf"}


def test_exactly_ten_megabytes_is_accepted():
    data = samples.pdf()
    data += b"%" * (MAX_BYTES - len(data))
    assert len(data) == 10 * 1024 * 1024 and _codes("a.pdf", data)[0] == "application/pdf"
