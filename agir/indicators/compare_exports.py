"""XLSX and CSV files of the comparison of departments (issue 19), with the habits of exports.py: French
documents whatever the reader's language, a title block with the scope (dates as dates), numbers as numbers,
shares as percentages, no cell ever a formula (agir.safe_files). A hidden figure is written « masqué »."""
import csv
import io
from datetime import date

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from agir.dates import format_fr
from agir.i18n import gettext
from agir.indicators.compare import COLUMNS, LABELS, TARGETS, value_of
from agir.indicators.exports import french
from agir.safe_files import neutralise_row, neutralise_workbook

HIDDEN = "masqué"
DATE_FORMAT = "DD/MM/YYYY"
FORMATS = {"share": "0.0%", "mean": "0.0", "count": "#,##0", "days": "0.0", "months": "0"}
BOLD = Font(bold=True)
HEADER_FILL = PatternFill("solid", fgColor="DDDDEE")


def column_labels() -> list[tuple[str, str, str]]:
    """(key, French label, kind) of every column, the targets written in the label (« cible 80 % »)."""
    labels = []
    for key in COLUMNS:
        text, kind = LABELS[key]
        text = gettext(text)
        if key in TARGETS:
            text += " " + gettext("(cible %(target)s %%)", target=int(TARGETS[key] * 100))
        labels.append((key, text, kind))
    return labels


def scope_lines(result: dict, region_name: str | None) -> list[tuple[str, object]]:
    """The scope: region (or France entière), period and as-of date (dates as dates)."""
    scope = result["scope"]
    place = f"{scope['region']} — {region_name}" if scope["region"] else gettext("France entière")
    return [(gettext("Périmètre"), place), (gettext("Du"), date.fromisoformat(scope["from"])),
            (gettext("Au"), date.fromisoformat(scope["to"])),
            (gettext("Situation des accompagnements au"), date.fromisoformat(scope["as_of"])),
            (gettext("Secret statistique"), gettext("effectifs de 1 à 4 et ce qui permettrait de les retrouver "
                                                    "masqués"))]


def _rows(result: dict) -> list[tuple[str, str, dict]]:
    rows = [(row["department"], row["name"], row) for row in result["departments"]]
    return [*rows, ("", gettext("Total du périmètre"), result["total"])]


def _csv_cell(row: dict, key: str, kind: str) -> str:
    value = value_of(row, key)
    if value is None:
        return HIDDEN if key in row["masked"] else ""
    if kind == "share":
        return f"{value:.4f}".replace(".", ",")
    if isinstance(value, float):
        return f"{value:.1f}".replace(".", ",")
    return str(value)


@french
def comparison_csv(result: dict, region_name: str | None = None) -> bytes:
    """UTF-8 with BOM, ';', decimal comma, dates dd/mm/yyyy, the scope as « Périmètre » lines first."""
    labels = column_labels()
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow(neutralise_row([gettext("Département"), gettext("Nom"), *(text for _, text, _ in labels)]))
    for name, value in scope_lines(result, region_name):
        writer.writerow(neutralise_row([gettext("Périmètre"), name,
                                        format_fr(value) if isinstance(value, date) else value]))
    for code, name, row in _rows(result):
        writer.writerow(neutralise_row([code, name, *(_csv_cell(row, key, kind) for key, _, kind in labels)]))
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


@french
def comparison_xlsx(result: dict, region_name: str | None = None) -> bytes:
    """One sheet: title block (dates as dates), header with the targets, one row per department, the total."""
    labels = column_labels()
    wb = Workbook()
    ws = wb.active
    ws.title = gettext("Comparaison")
    ws.append([gettext("AGIR — Comparaison des départements")])
    ws.cell(row=1, column=1).font = Font(bold=True, size=14)
    for name, value in scope_lines(result, region_name):
        ws.append([name, value])
        ws.cell(row=ws.max_row, column=1).font = BOLD
        if isinstance(value, date):
            ws.cell(row=ws.max_row, column=2).number_format = DATE_FORMAT
    ws.append([])
    ws.append([gettext("Département"), gettext("Nom"), *(text for _, text, _ in labels)])
    header = ws.max_row
    for col in range(1, len(labels) + 3):
        cell = ws.cell(row=header, column=col)
        cell.font, cell.fill = BOLD, HEADER_FILL
        cell.alignment = Alignment(wrap_text=True, vertical="bottom")
    ws.freeze_panes = f"C{header + 1}"
    for code, name, row in _rows(result):
        ws.append([code, name])
        line = ws.max_row
        for index, (key, _, kind) in enumerate(labels, start=3):
            cell = ws.cell(row=line, column=index)
            value = value_of(row, key)
            if value is None:
                cell.value = HIDDEN if key in row["masked"] else None
                cell.font = Font(italic=True)
                continue
            cell.value = value
            cell.number_format = FORMATS[kind]
        if not code:
            for col in range(1, len(labels) + 3):
                ws.cell(row=line, column=col).font = BOLD
    ws.column_dimensions["A"].width = 12
    ws.column_dimensions["B"].width = 26
    for index in range(3, len(labels) + 3):
        ws.column_dimensions[get_column_letter(index)].width = 16
    neutralise_workbook(wb)
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()

