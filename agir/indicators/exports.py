"""XLSX (openpyxl) and CSV files of the indicators and of the programmes' Annex sheets.

CSV for a French spreadsheet: UTF-8 with a byte-order mark, ';' between fields, decimal comma,
a French header row; no cell of either format is ever a formula (agir.safe_files).
XLSX: the same table under a title block, numbers kept as numbers with
French-looking formats, shares as percentages. The files are French documents whatever the reader's
language (french()); the Annex page shows sheet_identification and sheet_lines in the reader's language.
"""
import csv
import io
from collections.abc import Callable, Sequence
from datetime import date
from functools import wraps

from flask_babel import force_locale
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from agir.dates import format_fr
from agir.i18n import N_, format_date, gettext
from agir.indicators import cohort_table
from agir.indicators.layout import COUNT, HOURS, MEAN, MONEY, SHARE, rows, small_count, text
from agir.indicators.sheet import Sheet
from agir.labels import label
from agir.rules.masking import THRESHOLD, is_small
from agir.safe_files import neutralise_row, neutralise_workbook

INDICATOR_HEADER = ("Rubrique", "Indicateur", "Valeur", "Objectif", "Objectif atteint")
SHEET_HEADER = ("Rubrique", "Indicateur", "Cible", "Réalisé")
# Format codes: the reader's locale draws the separators (a space and a comma in French).
NUMBER_FORMATS = {COUNT: "#,##0", MEAN: "0.0", SHARE: "0.00%", MONEY: '#,##0.00 "€"', HOURS: "General"}
BOLD = Font(bold=True)
HEADER_FILL = PatternFill("solid", fgColor="DDDDEE")
NOT_COMPUTABLE = "non calculable"
DATE_FORMAT = "DD/MM/YYYY"
MASKED_SHARE = "s"  # statistical secrecy: a share computed on 1 to 4 members (agir.indicators.cohort_table)
COHORT_HEADER = ("Étape", "Mois depuis l'entrée", "Membres observés", "Ont franchi l'étape ce mois-là (événements)",
                 "Part des membres observés", "Estimation de Kaplan–Meier", "Part de toute la cohorte")


def french(build: Callable) -> Callable:
    """An export built in French, even for a reader of the English pages (labels come from gettext)."""
    @wraps(build)
    def in_french(*args, **kwargs):
        with force_locale("fr"):
            return build(*args, **kwargs)
    return in_french


def _csv_value(value, kind: str = COUNT) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "oui" if value else "non"
    if isinstance(value, float):
        text = f"{value:.4f}".rstrip("0").rstrip(".") if kind in (SHARE, MEAN, HOURS) else f"{value:.2f}"
        return text.replace(".", ",")
    if isinstance(value, date):
        return format_fr(value)
    return str(value)


def _csv(header, lines) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow(neutralise_row(header))
    writer.writerows(neutralise_row(line) for line in lines)
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def _met(row) -> str:
    return "" if row.met is None else ("oui" if row.met else "non")


def scope_lines(data: dict, department_name: str | None = None, as_text: bool = True) -> list[tuple[str, object]]:
    """The scope as (label, value) lines, in French; the dates as French text, or as dates (`as_text` false: the
    workbook stores them as date cells)."""
    scope = data["scope"]
    department = scope["department"]
    lines: list[tuple[str, object]] = [
        ("Département", f"{department} — {department_name}" if department and department_name
         else (department or "Tous"))]
    if scope.get("structure"):
        lines.append(("Structure", scope["structure"]))

    def day(key: str):
        value = date.fromisoformat(scope[key])
        return format_fr(value) if as_text else value

    lines += [("Du", day("from")), ("Au", day("to")), ("Situation des accompagnements au", day("as_of"))]
    return lines


@french
def indicators_csv(data: dict, department_name: str | None = None) -> bytes:
    """The indicators as a CSV table: Rubrique;Indicateur;Valeur;Objectif;Objectif atteint."""
    lines = [("Périmètre", name, value, "", "") for name, value in scope_lines(data, department_name)]
    lines += [(row.section_label, row.label, _csv_value(row.value, row.kind), row.objective or "", _met(row))
              for row in rows(data)]
    return _csv(INDICATOR_HEADER, lines)


def _title_block(ws, title: str, lines: Sequence[tuple[str, object]], width: int) -> int:
    ws.append([title])
    ws.cell(row=1, column=1).font = Font(bold=True, size=14)
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=width)
    for name, value in lines:
        ws.append([name, value])
        ws.cell(row=ws.max_row, column=1).font = BOLD
        if isinstance(value, date):  # a real date cell, shown as the French read it
            cell = ws.cell(row=ws.max_row, column=2)
            cell.number_format = DATE_FORMAT
            cell.alignment = Alignment(horizontal="left")
    ws.append([])
    return ws.max_row + 1


def _header(ws, header) -> None:
    ws.append(list(header))
    row = ws.max_row
    for col in range(1, len(header) + 1):
        cell = ws.cell(row=row, column=col)
        cell.font, cell.fill = BOLD, HEADER_FILL
    ws.freeze_panes = f"A{row + 1}"  # a reference, not ws.cell(): that would create an empty row there
    _printable(ws, row)


def _printable(ws, header_row: int) -> None:
    """Printed (or turned into PDF) as the Annex form: A4 landscape, every column on one page wide,
    the header row repeated on each page (spreadsheets otherwise split the columns over pages)."""
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.orientation = ws.ORIENTATION_LANDSCAPE
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0  # as many pages down as needed
    ws.print_title_rows = f"{header_row}:{header_row}"
    ws.print_options.horizontalCentered = True


def _value_cell(ws, row: int, column: int, value, kind: str) -> None:
    cell = ws.cell(row=row, column=column)
    if value is None:
        cell.value = NOT_COMPUTABLE
        cell.font = Font(italic=True)
        return
    cell.value = value
    cell.number_format = NUMBER_FORMATS.get(kind, "General")
    cell.alignment = Alignment(horizontal="right")


def _widths(ws, widths) -> None:
    for index, width in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(index)].width = width


def _save(wb: Workbook) -> bytes:
    neutralise_workbook(wb)  # a name typed as =HYPERLINK(…) stays text
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


@french
def indicators_xlsx(data: dict, department_name: str | None = None, cohort: tuple[dict, dict] | None = None,
                    breakdowns: tuple[list, list] | None = None) -> bytes:
    """The indicators as a workbook: one sheet laid out like the Annex tables, then (when given) the cohort sheet
    (`cohort`: cohort.compute_with_counts's JSON and counts) and the breakdown sheet (`breakdowns`: the
    dashboard's beneficiaries by nationality and by structure, pilot.by_nationality / period_breakdowns)."""
    wb = Workbook()
    ws = wb.active
    ws.title = "Indicateurs"
    _title_block(ws, "AGIR — Indicateurs de l'annexe", scope_lines(data, department_name, as_text=False),
                 len(INDICATOR_HEADER))
    _header(ws, INDICATOR_HEADER)
    for row in rows(data):
        ws.append([row.section_label, row.label, None, row.objective or "", _met(row)])
        _value_cell(ws, ws.max_row, 3, row.value, row.kind)
    _widths(ws, (48, 66, 18, 16, 16))
    if cohort is not None:
        _cohort_sheet(wb.create_sheet("Cohorte"), *cohort, department_name)
    if breakdowns is not None:
        _breakdown_sheet(wb.create_sheet("Répartitions"), data, department_name, *breakdowns)
    return _save(wb)


def _count_cell(ws, row: int, column: int, count: int | None) -> None:
    """A published count: a number, or « < 5 » (text) for 1 to 4 (statistical secrecy, as the pages)."""
    cell = ws.cell(row=row, column=column)
    cell.alignment = Alignment(horizontal="right")
    if count is None:
        cell.value = NOT_COMPUTABLE
    elif is_small(count):
        cell.value = small_count(count, THRESHOLD)
    else:
        cell.value = count
        cell.number_format = NUMBER_FORMATS[COUNT]


def _share_cell(ws, row: int, column: int, value: float | None, masked: bool) -> None:
    """A published share: a percentage, « s » when masked, « non calculable » when nobody is observed."""
    if masked:
        cell = ws.cell(row=row, column=column, value=MASKED_SHARE)
        cell.alignment = Alignment(horizontal="right")
    else:
        _value_cell(ws, row, column, value, SHARE)


def _cohort_sheet(ws, cohort: dict, series: dict, department_name: str | None) -> None:
    """Per milestone and month: members observed, events, the observed share, the Kaplan–Meier estimate and
    the share of the whole cohort — masked as on the pages (cohort_table)."""
    scope = cohort["scope"]
    lines: list[tuple[str, object]] = [
        ("Département", f"{scope['department']} — {department_name}" if scope["department"] and department_name
         else (scope["department"] or scope.get("region") or "Tous")),
        ("Entrées en accompagnement du", date.fromisoformat(scope["entry_from"])),
        ("Au", date.fromisoformat(scope["entry_to"])), ("Membres observés au", date.fromisoformat(scope["as_of"])),
        ("Taille de la cohorte", small_count(cohort["size"], THRESHOLD) if is_small(cohort["size"])
         else cohort["size"]),
        ("Secret statistique", "effectifs de 1 à 4 affichés « < 5 » ; parts d'un mois de moins de 5 membres "
                               "observés non diffusées (« s »)"),
    ]
    _title_block(ws, "AGIR — Progression de la cohorte", lines, len(COHORT_HEADER))
    _header(ws, COHORT_HEADER)
    for curve in cohort_table.milestones(cohort, series):
        for month in curve.months:
            ws.append([curve.label, month.month])
            row = ws.max_row
            _count_cell(ws, row, 3, month.observed)
            _count_cell(ws, row, 4, month.events)
            _share_cell(ws, row, 5, month.observed_share, month.masked)
            _share_cell(ws, row, 6, month.km, month.masked)
            _share_cell(ws, row, 7, month.cohort_share, month.cohort_share is None)
    ws.append([])
    ws.append(["Délai médian (mois) : premier mois où l'estimation de Kaplan–Meier atteint la moitié de la cohorte"])
    ws.cell(row=ws.max_row, column=1).font = BOLD
    for curve in cohort_table.milestones(cohort, series):
        ws.append([curve.label, MASKED_SHARE if curve.median_masked
                   else ("médiane non atteinte" if curve.median is None else curve.median)])
    _widths(ws, (36, 12, 14, 22, 16, 16, 16))


def _breakdown_sheet(ws, data: dict, department_name: str | None, nationalities: list, structures: list) -> None:
    """The dashboard's detailed breakdowns (finer than the Annex): beneficiaries by nationality, persons
    accompanied and programme participants by structure; counts of 1 to 4 shown « < 5 »."""
    lines = scope_lines(data, department_name, as_text=False)
    lines.append(("Secret statistique", "effectifs de 1 à 4 affichés « < 5 »"))
    _title_block(ws, "AGIR — Répartitions détaillées", lines, 4)
    _header(ws, ("Répartition", "Libellé", "Bénéficiaires", ""))
    for code, count in nationalities:
        ws.append(["Nationalité", label(code, "nationality")])
        _count_cell(ws, ws.max_row, 3, count)
    ws.append([])
    ws.append(["Répartition", "Structure", "Accompagnés", "En programme"])
    for col in range(1, 5):
        ws.cell(row=ws.max_row, column=col).font, ws.cell(row=ws.max_row, column=col).fill = BOLD, HEADER_FILL
    for name, kind, held, attended in structures:
        ws.append([label(kind, "structure_kind"), name])
        _count_cell(ws, ws.max_row, 3, held)
        _count_cell(ws, ws.max_row, 4, attended)
    _widths(ws, (26, 60, 16, 16))


def sheet_lines(sheet: Sheet) -> list[tuple[str, str, object, object, str]]:
    """(rubrique, indicateur, cible, réalisé, kind) lines of a programme's Annex sheet.

    The rubric stays French (the page picks its tables by it); the indicator is in the reader's language."""
    lines: list[tuple[str, str, object, object, str]] = [
        ("Public", text(name), target, achieved, COUNT) for name, target, achieved in sheet.public]
    lines.append(("Public", text(N_("Taux de réalisation de la cible")), None, sheet.achievement, SHARE))
    lines += [("Activité", text(name), None, value, kind) for name, value, kind in sheet.activity]
    lines += [("Financement", text(name), None, value, kind) for name, value, kind in sheet.finance]
    return lines


def sheet_identification(sheet: Sheet) -> list[tuple[str, str]]:
    """The identification block of the sheet, in the reader's language."""
    p = sheet.programme
    period = N_("du %(start)s au %(end)s")
    return [(gettext("Programme"), f"{p.name} ({p.ref})"), (gettext("Thématique"), label(p.theme, "theme")),
            (gettext("Opérateur"), p.structure.name),
            (gettext("Département"), f"{p.department.code} — {p.department.name}"),
            (gettext("Dates du programme"), gettext(period, start=format_date(p.start_on), end=format_date(p.end_on))),
            (gettext("Référence CARIF-OREF"), p.carif_oref_ref or gettext("aucune")),
            (gettext("Période évaluée"), gettext(period, start=format_date(sheet.start), end=format_date(sheet.end)))]


@french
def sheet_csv(sheet: Sheet) -> bytes:
    """A programme's Annex sheet as CSV: Rubrique;Indicateur;Cible;Réalisé."""
    lines = [("Identification", name, "", value) for name, value in sheet_identification(sheet)]
    lines += [(section, name, _csv_value(target), _csv_value(value, kind))
              for section, name, target, value, kind in sheet_lines(sheet)]
    return _csv(SHEET_HEADER, lines)


def _sheet_into(ws, sheet: Sheet) -> None:
    _title_block(ws, f"Fiche annexe — {sheet.programme.name}", sheet_identification(sheet), len(SHEET_HEADER))
    _header(ws, SHEET_HEADER)
    for section, name, target, value, kind in sheet_lines(sheet):
        ws.append([section, name])
        if target is not None:
            _value_cell(ws, ws.max_row, 3, target, COUNT)
        _value_cell(ws, ws.max_row, 4, value, kind)
    _widths(ws, (24, 60, 14, 18))


@french
def sheets_xlsx(sheets: list[Sheet]) -> bytes:
    """One worksheet per programme's Annex sheet."""
    wb = Workbook()
    wb.remove(wb.active)
    used: set[str] = set()
    for sheet in sheets:
        title = _sheet_title(sheet.programme.ref, used)
        _sheet_into(wb.create_sheet(title), sheet)
    if not sheets:
        wb.create_sheet("Aucun programme").append(["Aucun programme sur la période."])
    return _save(wb)


def _sheet_title(ref: str, used: set) -> str:
    """A worksheet title: at most 31 characters, none of []:*?/\\ and unique."""
    base = "".join("-" if c in "[]:*?/\\" else c for c in ref)[:28] or "Programme"
    title, n = base, 1
    while title in used:
        n += 1
        title = f"{base[:25]}-{n}"
    used.add(title)
    return title
