"""Accessibility: axe-core, injected by Playwright, finds no serious or critical violation on the main pages of
each role (the demo department, as people see it).

axe-core comes from npm (`make vendor` copies it to agir/static/vendor/axe/axe.min.js). It is injected from
the file with add_script_tag(path=…), an inline script: the browser context bypasses the CSP for that
reason only. Rules: WCAG 2.0/2.1 A and AA plus axe's best practices; impacts "serious" and "critical" fail
the test, "minor" and "moderate" are printed. Nothing is excluded (see EXCLUDED, empty on purpose).
"""
import json
from pathlib import Path

import pytest
from sqlalchemy import exists, select

from agir import access
from agir.demo.demo import demo_password, load_demo
from agir.extensions import db
from models import Accompaniment, Person, Referral, User
from tests.e2e.conftest import pass_second_factor, shot, wait_bounds

AXE = Path(__file__).resolve().parents[2] / "agir" / "static" / "vendor" / "axe" / "axe.min.js"
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]
FAILING = ("serious", "critical")
# Rule ids not checked, with the reason; empty: every page passes every rule.
EXCLUDED: dict[str, str] = {}
EMAILS = {"social_worker": "referente.parcours@demo.example.org",
          "referral_officer": "charge.orientation@demo.example.org",
          "pilot": "pilote.gironde@demo.example.org", "admin": "admin@demo.example.org",
          "regional_pilot": "pilote.nouvelle-aquitaine@demo.example.org",
          "national_pilot": "pilote.national@demo.example.org"}
PAGES = {
    None: ["/login"],
    "social_worker": ["/persons/", "/persons/{file}", "/persons/new", "/persons/{file}/edit", "/alerts/",
                      "/referrals/", "/privacy/persons/{file}", "/account", "/persons/{file}/history",
                      "/persons/{file}/history?consultations=1", "/persons/{file}/accompaniments/{acc}/correct",
                      "/persons/{file}/accompaniments/{acc}/enrolment/cancel",
                      # The entry path (issue 16).
                      "/persons/orientations", "/persons/{file}/orientation", "/persons/{file}/languages",
                      "/persons/{file}/first-interview", "/persons/{file}/diagnostic",
                      "/persons/{file}/objectives/new"],
    "referral_officer": ["/referrals/", "/referrals/persons/{referred}", "/referrals/programmes", "/alerts/"],
    "pilot": ["/pilot/", "/pilot/programmes/", "/pilot/settings"],
    "admin": ["/admin/", "/admin/users/", "/admin/users/new", "/admin/users/{worker}/edit", "/admin/audit/",
              "/admin/structures/"],
    "regional_pilot": ["/pilot/scope", "/account"],
    "national_pilot": ["/pilot/scope"],
}


@pytest.fixture
def demo(app_ctx):
    """The demo department; ids of a rich file (open accompaniment, referrals) and of a referred person."""
    if not AXE.exists():
        pytest.fail(f"{AXE} manquant : lancez `make vendor` (axe-core vient de npm)")
    assert load_demo() is not None
    worker = db.session.scalar(select(User).where(User.email == EMAILS["social_worker"]))
    officer = db.session.scalar(select(User).where(User.email == EMAILS["referral_officer"]))
    is_open = exists().where(Accompaniment.person_id == Person.id, Accompaniment.exit_on.is_(None))
    referred = exists().where(Referral.person_id == Person.id)
    file_ = db.session.scalars(access.persons_visible_to(worker).where(is_open, referred).order_by(Person.id)).first()
    seen = db.session.scalars(access.persons_referred_to(officer).order_by(Person.id)).first()
    acc = db.session.scalar(select(Accompaniment.id).where(Accompaniment.person_id == file_.id,
                                                           Accompaniment.exit_on.is_(None)))
    return {"file": file_.id, "referred": seen.id, "worker": worker.id, "acc": acc}


@pytest.fixture
def axe_page(browser, live_server):
    context = browser.new_context(locale="fr-FR", viewport={"width": 1366, "height": 900}, bypass_csp=True)
    page = context.new_page()
    wait_bounds(page)
    page.base = live_server
    yield page
    context.close()


def violations(page) -> list[dict]:
    page.add_script_tag(path=str(AXE))
    options = {"runOnly": {"type": "tag", "values": TAGS}, "resultTypes": ["violations"],
               "rules": {rule: {"enabled": False} for rule in EXCLUDED}}
    result = page.evaluate("options => axe.run(document, options)", options)
    return result["violations"]


def describe(found: list[dict]) -> str:
    return "\n".join(f"  [{v['impact']}] {v['id']}: {v['help']} — "
                     + "; ".join(" ".join(n["target"]) for n in v["nodes"][:4]) for v in found)


@pytest.mark.parametrize("role", list(PAGES), ids=lambda r: r or "anonymous")
def test_axe_finds_no_serious_violation_on_the_main_pages(axe_page, demo, role):
    page = axe_page
    if role:
        page.goto(page.base + "/login")
        page.fill("input[name=email]", EMAILS[role])
        page.fill("input[name=password]", demo_password())
        page.click("button[type=submit]:has-text('Se connecter')")
        page.wait_for_load_state()
        pass_second_factor(page, EMAILS[role])  # the demo's admins and pilots enrol first (issue 20)
    failures, notes = [], []
    for path in PAGES[role]:
        url = path.format(**demo)
        response = page.goto(page.base + url)
        assert response.status == 200, f"{url} → {response.status}"
        page.wait_for_load_state("networkidle")
        found = violations(page)
        shot(page, f"a11y-{role or 'anonymous'}-{url.strip('/').replace('/', '-') or 'root'}")
        serious = [v for v in found if v["impact"] in FAILING]
        if serious:
            failures.append(f"{url}:\n{describe(serious)}")
        others = [v for v in found if v["impact"] not in FAILING]
        if others:
            notes.append(f"{url}:\n{describe(others)}")
    if notes:
        print("Violations mineures ou modérées (non bloquantes) :\n" + "\n".join(notes))
    assert not failures, "axe-core, violations graves :\n" + "\n".join(failures)


def test_axe_is_really_run_and_catches_a_violation(axe_page, demo):
    # The check can fail: an image without alternative text on the login page is reported as critical.
    page = axe_page
    page.goto(page.base + "/login")
    page.evaluate("document.querySelector('main').insertAdjacentHTML('beforeend', '<img src=\"/x.png\">')")
    found = violations(page)
    assert any(v["id"] == "image-alt" and v["impact"] == "critical" for v in found), json.dumps(
        [v["id"] for v in found])
