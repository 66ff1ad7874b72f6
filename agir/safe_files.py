"""What every file the application hands out goes through: spreadsheet cells that never run as formulas
(CSV and XLSX), and a `Content-Disposition` header that survives any name (RFC 6266).

One function for each, used by every CSV writer (agir.indicators.exports, agir.audit.trail), every
workbook (agir.indicators.exports) and every download (pilot exports, Annex sheets, the audit trail CSV,
the right-of-access JSON).
"""
import re
import unicodedata
from urllib.parse import quote

# OWASP "CSV injection": a cell starting with one of these is a formula for Excel or LibreOffice.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# A number written as text (a negative amount, French or English decimal mark, grouped thousands): not a formula.
_PLAIN_NUMBER = re.compile(r"-?\d[\d \u00a0\u202f]*(?:[.,]\d+)?")


def is_formula_like(text: str) -> bool:
    """True when a spreadsheet would evaluate this text (a plain negative number is not)."""
    return text[:1] in FORMULA_STARTS and not _PLAIN_NUMBER.fullmatch(text)


def neutralise(value):
    """A cell value safe for a spreadsheet: text that would be a formula gets a leading single quote;
    numbers, dates, None and every other text stay as they are."""
    if isinstance(value, str) and is_formula_like(value):
        return "'" + value
    return value


def neutralise_row(row) -> list:
    """Every cell of a CSV row through neutralise()."""
    return [neutralise(value) for value in row]


def neutralise_workbook(workbook) -> None:
    """Before saving: no cell of any worksheet is a formula. The application never writes one, but openpyxl
    turns any text starting with '=' into one: such a cell becomes a text cell (shown as typed, never run),
    and a text cell starting with another formula character is marked as text for the spreadsheet too."""
    for sheet in workbook.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                if cell.data_type == "f" or (isinstance(cell.value, str) and is_formula_like(cell.value)):
                    cell.data_type = "s"
                    cell.quotePrefix = True


def _ascii_fallback(filename: str) -> str:
    """The file name for old clients: ASCII letters, digits, '.', '-' and '_' only (accents dropped)."""
    plain = unicodedata.normalize("NFKD", filename).encode("ascii", "ignore").decode("ascii")
    plain = re.sub(r"[^A-Za-z0-9._-]+", "_", plain).strip("._") or "fichier"
    return plain[-150:]


def _clean(filename: str) -> str:
    """The name itself: no control character, no path separator, no quote, at most 200 characters."""
    text = "".join("_" if unicodedata.category(c)[0] == "C" or c in '/\\"' else c for c in filename)
    return text.strip().strip(".")[-200:] or "fichier"


def content_disposition(filename: str, inline: bool = False) -> str:
    """An RFC 6266 header value: `attachment; filename="ascii"; filename*=UTF-8''percent-encoded`, whatever
    the name holds (line breaks, en dashes, quotes, accents, slashes)."""
    name = _clean(filename)
    kind = "inline" if inline else "attachment"
    return f"{kind}; filename=\"{_ascii_fallback(name)}\"; filename*=UTF-8''{quote(name, safe='')}"
