"""The second factor in a real browser (issue 20): a pilot without one enrols before anything else (QR code drawn by
the server, the key for manual entry, ten recovery codes), then signs in with password and code."""
import re

import pyotp

from agir.extensions import db
from tests import factories
from tests.e2e.conftest import shot
from tests.e2e.test_accessibility import FAILING, axe_page, describe, violations  # noqa: F401 (axe_page: fixture)


def test_a_pilot_enrols_then_signs_in_with_a_code(page, app_ctx):
    department = factories.make_department()
    factories.make_user("pilot", department=department, email="nouvelle.pilote@example.fr", totp=False)
    db.session.commit()
    page.goto(page.base + "/login")
    page.fill("input[name=email]", "nouvelle.pilote@example.fr")
    page.fill("input[name=password]", factories.PASSWORD)
    with page.expect_navigation():
        page.click("button[type=submit]:has-text('Se connecter')")
    page.wait_for_url(page.base + "/account/totp")  # the pilot's space waits for the second factor
    assert page.locator("h1").inner_text() == "Activer la double authentification"
    qr = page.get_by_test_id("totp-qr").locator("svg")
    assert qr.is_visible() and qr.bounding_box()["width"] >= 150
    page.screenshot(path="/tmp/shot-totp.png", full_page=True)
    shot(page, "totp-enrolment")
    secret = page.get_by_test_id("totp-secret").inner_text().replace(" ", "")
    page.get_by_label("Code à 6 chiffres affiché par l’application").fill("000000" if pyotp.TOTP(secret).now()
                                                                            != "000000" else "111111")
    with page.expect_navigation():
        page.get_by_role("button", name="Activer").click()
    assert "Code incorrect" in page.locator(".fr-error-text").first.inner_text()
    page.get_by_label("Code à 6 chiffres affiché par l’application").fill(pyotp.TOTP(secret).now())
    with page.expect_navigation():
        page.get_by_role("button", name="Activer").click()
    codes = page.get_by_test_id("recovery-codes").locator("li").all_inner_texts()
    assert len(codes) == 10 and all(re.fullmatch(r"[a-z2-9]{5}-[a-z2-9]{5}", c) for c in codes)
    shot(page, "totp-recovery-codes")
    with page.expect_navigation():
        page.get_by_role("link", name="J’ai noté mes codes, continuer").click()
    page.wait_for_url(page.base + "/pilot/")
    page.get_by_role("button", name="Se déconnecter").first.click()
    page.wait_for_url(page.base + "/login")
    # Next time: the password, then a code (a recovery code here: the application's code of this step is used)
    page.fill("input[name=email]", "nouvelle.pilote@example.fr")
    page.fill("input[name=password]", factories.PASSWORD)
    with page.expect_navigation():
        page.click("button[type=submit]:has-text('Se connecter')")
    page.wait_for_url(page.base + "/login/code")
    shot(page, "totp-code")
    page.get_by_label("Code de vérification").fill(codes[3])
    with page.expect_navigation():
        page.get_by_role("button", name="Valider le code").click()
    page.wait_for_url(page.base + "/pilot/")
    assert "il vous en reste 9" in page.locator(".fr-alert").first.inner_text()


def test_axe_finds_no_serious_violation_on_the_second_factor_pages(axe_page, app_ctx):  # noqa: F811
    """The enrolment page (QR code, key, code field), the recovery codes and the code page, checked by axe-core."""
    page = axe_page
    department = factories.make_department()
    factories.make_user("pilot", department=department, email="axe.pilote@example.fr", totp=False)
    db.session.commit()
    page.goto(page.base + "/login")
    page.fill("input[name=email]", "axe.pilote@example.fr")
    page.fill("input[name=password]", factories.PASSWORD)
    with page.expect_navigation():
        page.click("button[type=submit]:has-text('Se connecter')")
    page.wait_for_url(page.base + "/account/totp")
    serious = {"enrolment": [v for v in violations(page) if v["impact"] in FAILING]}
    secret = page.get_by_test_id("totp-secret").inner_text().replace(" ", "")
    page.get_by_label("Code à 6 chiffres affiché par l’application").fill(pyotp.TOTP(secret).now())
    with page.expect_navigation():
        page.get_by_role("button", name="Activer").click()
    serious["recovery codes"] = [v for v in violations(page) if v["impact"] in FAILING]
    page.goto(page.base + "/account/totp")
    serious["state"] = [v for v in violations(page) if v["impact"] in FAILING]
    page.get_by_role("button", name="Se déconnecter").first.click()
    page.wait_for_url(page.base + "/login")
    page.fill("input[name=email]", "axe.pilote@example.fr")
    page.fill("input[name=password]", factories.PASSWORD)
    with page.expect_navigation():
        page.click("button[type=submit]:has-text('Se connecter')")
    page.wait_for_url(page.base + "/login/code")
    serious["code"] = [v for v in violations(page) if v["impact"] in FAILING]
    assert not any(serious.values()), "\n".join(f"{name}:\n{describe(found)}" for name, found in serious.items()
                                                 if found)
