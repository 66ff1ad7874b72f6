"""Files of the documents' tests, made here: a clean PDF, images, and each kind of bad input of issue 18."""
import io
import struct
import zipfile
import zlib

EICAR = rb"X5O!P%@AP[4\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*"


def pdf(extra_catalog: bytes = b"", body_comment: bytes = b"") -> bytes:
    """A one-page PDF with a correct cross-reference table; extra_catalog goes into the catalogue."""
    objects = [b"<< /Type /Catalog /Pages 2 0 R " + extra_catalog + b">>",
               b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
               b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>"]
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n" + body_comment)
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def pdf_with_javascript() -> bytes:
    return pdf(b"/OpenAction << /S /JavaScript /JS (app.alert('x')) >> ")


def pdf_with_hidden_javascript() -> bytes:
    """The script's name escaped (#61 is « a ») and inside a Flate stream, as an object stream hides it."""
    stream = zlib.compress(b"<< /S /J#61vaScript /JS (app.alert(1)) >>")
    return pdf(body_comment=b"9 0 obj\n<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(stream)
               + stream + b"\nendstream\nendobj\n")


def image(fmt: str = "PNG", size=(40, 30)) -> bytes:
    from PIL import Image
    buffer = io.BytesIO()
    Image.new("RGB", size, (0, 90, 160)).save(buffer, fmt)
    return buffer.getvalue()


def _png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)


def png_bomb() -> bytes:
    """A PNG that claims 100 000 × 100 000 pixels in a few hundred bytes (a decompression bomb)."""
    header = struct.pack(">IIBBBBB", 100_000, 100_000, 8, 0, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + _png_chunk(b"IHDR", header)
            + _png_chunk(b"IDAT", zlib.compress(b"\0" * 100_001 * 10)) + _png_chunk(b"IEND", b""))


def zip_bomb() -> bytes:
    """A ZIP of 200 MB of zeros in a few hundred kilobytes."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("zeros.bin", b"\0" * (200 * 1024 * 1024))
    return buffer.getvalue()


def png_with_zip() -> bytes:
    """A valid PNG followed by a ZIP archive: both readers open it (a polyglot)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("a.html", "<p>x</p>")
    return image() + buffer.getvalue()


HTML = b"<!DOCTYPE html><html><body><script>alert(document.cookie)</script></body></html>"
