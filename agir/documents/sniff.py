"""The facts about a file's bytes that agir.rules.documents decides on: its type from its magic number (never
its name), other formats hidden inside (polyglots), active PDF content, and whether Pillow decodes the image
within a pixel budget (decompression bombs).

PDF names are read after their « #xx » escapes are decoded (« /J#61vaScript » is « /JavaScript ») and in the
raw bytes as well as in every Flate stream (object streams hide dictionaries there), each inflated with a
budget so that a compressed bomb cannot exhaust memory.
"""
from __future__ import annotations

import io
import re
import warnings
import zipfile
import zlib

from agir.rules.documents import ContentFacts

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
JPEG_MAGIC = b"\xff\xd8\xff"
PDF_MAGIC = b"%PDF-"
# Names that make a PDF act (run a script, launch a program, carry a file, play media, fill an XFA form).
# /OpenAction alone only opens a page; with a script it is caught by /JS or /JavaScript.
ACTIVE_PDF_NAMES = frozenset({"/JavaScript", "/JS", "/Launch", "/EmbeddedFile", "/EmbeddedFiles", "/AA",
                              "/RichMedia", "/XFA"})
# Markup a browser would render (five characters or more: shorter ones turn up by chance in compressed data).
HTML_MARKERS = (b"<html", b"<!doctype html", b"<script", b"<iframe", b"<object", b"<embed",
                b"<?xml-stylesheet", b"javascript:")
MAX_PIXELS = 50_000_000  # 50 Mpx: an A4 page at 600 dpi is 35 Mpx; a bomb claims billions
INFLATE_BUDGET = 64 * 1024 * 1024  # bytes inflated from all the streams of one PDF, at most

_NAME = re.compile(rb"/[^\s/<>\[\]()%{}]+")
_STREAM = re.compile(rb"stream\r?\n")


def magic_type(data: bytes) -> str | None:
    """The content type by magic number at offset 0: application/pdf, image/jpeg, image/png, or None."""
    if data.startswith(PDF_MAGIC):
        return "application/pdf"
    if data.startswith(JPEG_MAGIC):
        return "image/jpeg"
    if data.startswith(PNG_MAGIC):
        return "image/png"
    return None


def foreign_signatures(data: bytes, content_type: str | None) -> tuple[str, ...]:
    """Other formats a reader would also find in these bytes: ZIP (its end-of-directory record, read from
    the end as unzip does), HTML or script markup, and a PDF header inside an image."""
    found = []
    if zipfile.is_zipfile(io.BytesIO(data)):
        found.append("zip")
    lowered = data.lower()
    if any(marker in lowered for marker in HTML_MARKERS):
        found.append("html")
    if content_type != "application/pdf" and PDF_MAGIC in data:
        found.append("pdf")
    return tuple(found)


def _decoded_names(chunk: bytes) -> set[str]:
    names = set()
    for raw in _NAME.findall(chunk):
        text = re.sub(rb"#([0-9A-Fa-f]{2})", lambda m: bytes([int(m.group(1), 16)]), raw)
        names.add(text.decode("latin-1"))
    return names


def _inflated_streams(data: bytes):
    """Each stream's bytes inflated when they are Flate data, within INFLATE_BUDGET for the whole file."""
    budget = INFLATE_BUDGET
    for match in _STREAM.finditer(data):
        if budget <= 0:
            return
        inflater = zlib.decompressobj()
        try:
            plain = inflater.decompress(data[match.end():match.end() + 16 * 1024 * 1024], budget)
        except zlib.error:
            continue
        budget -= len(plain)
        yield plain


def active_pdf_names(data: bytes) -> tuple[str, ...]:
    """The active names of a PDF, in its raw bytes and in its Flate streams."""
    found = _decoded_names(data) & ACTIVE_PDF_NAMES
    for plain in _inflated_streams(data):
        found |= _decoded_names(plain) & ACTIVE_PDF_NAMES
    return tuple(sorted(found))


def image_problem(data: bytes, content_type: str) -> str | None:
    """None when Pillow reads the image whole as the type its magic number says, within MAX_PIXELS."""
    from PIL import Image
    expected = {"image/jpeg": "JPEG", "image/png": "PNG"}[content_type]
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data), formats=[expected]) as image:
                width, height = image.size
                if width * height > MAX_PIXELS:
                    return "too_many_pixels"
                image.verify()
            with Image.open(io.BytesIO(data), formats=[expected]) as image:
                image.load()
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        return "too_many_pixels"
    except Exception:  # Pillow raises many kinds for a broken file: each one means unreadable
        return "unreadable"
    return None


def sniff(data: bytes) -> ContentFacts:
    """Every fact agir.rules.documents.check_content needs about these bytes."""
    content_type = magic_type(data)
    if content_type is None:
        return ContentFacts(None)
    foreign = foreign_signatures(data, content_type)
    if content_type == "application/pdf":
        return ContentFacts(content_type, foreign, active_pdf_names(data))
    return ContentFacts(content_type, foreign, (), image_problem(data, content_type))
