"""The admin space and "Mon compte" in a real browser, in French, as the roles that use them."""
from agir import audit
from agir.extensions import db
from tests import factories
from tests.e2e.conftest import browser_login, shot, wait_bounds


def test_admin_creates_an_account_and_the_newcomer_changes_the_password(page, world, browser, live_server):
    person = factories.make_person(world.department, world.agir)
    audit.record(world.users.social_worker, "read", person=person, ip="10.0.0.8")
    db.session.commit()
    browser_login(page, "admin@example.fr", factories.PASSWORD)
    assert page.url.endswith("/admin/")
    assert page.locator("h1").inner_text() == "Administration"
    shot(page, "admin-index")

    page.click("text=Créer un compte")
    page.fill("input[name=email]", "nouvelle.referente@example.fr")
    page.select_option("select[name=role]", "social_worker")
    page.select_option("select[name=structure]", str(world.agir.id))
    shot(page, "admin-user-new")
    page.click("button:has-text('Créer le compte')")
    password = page.locator("[data-testid=provisional-password]").inner_text()
    assert len(password) >= 12
    shot(page, "admin-user-created")

    page.click("text=Voir le compte")
    assert "Référent·e de parcours" in page.content()
    shot(page, "admin-user")
    page.click("text=Modifier le rôle ou le rattachement")
    page.select_option("select[name=role]", "pilot")
    page.select_option("select[name=structure]", "")
    page.click("button:has-text('Enregistrer')")
    assert "Un pilote est rattaché à un département." in page.locator(".fr-error-text").inner_text()
    shot(page, "admin-user-edit-error")
    page.select_option("select[name=role]", "social_worker")
    page.select_option("select[name=structure]", str(world.other.id))
    page.click("button:has-text('Enregistrer')")
    assert "ses sessions ont été fermées" in page.locator(".fr-alert").first.inner_text()
    page.click("text=Modifier le rôle ou le rattachement")
    page.select_option("select[name=structure]", str(world.agir.id))
    page.click("button:has-text('Enregistrer')")
    page.goto(page.base + "/admin/users/")
    shot(page, "admin-users")
    page.goto(page.base + "/admin/structures/")
    shot(page, "admin-structures")
    page.goto(page.base + f"/admin/departments/{world.department.id}/edit")
    page.fill("input[name=max_months]", "19")
    page.click("button:has-text('Enregistrer')")
    assert "entre 6 et 18 mois" in page.locator(".fr-error-text").inner_text()
    shot(page, "admin-department-error")
    page.goto(page.base + f"/admin/audit/?person={person.id}")
    assert page.locator("text=Exporter le journal de la personne").count() == 1
    shot(page, "admin-audit")

    newcomer = browser.new_context(locale="fr-FR", viewport={"width": 1366, "height": 900}).new_page()
    wait_bounds(newcomer)
    newcomer.base = live_server
    browser_login(newcomer, "nouvelle.referente@example.fr", password)
    # A provisional password opens "Mon compte" only: any other page leads back there.
    assert newcomer.locator("h1").inner_text() == "Mon compte"
    assert "Votre mot de passe est provisoire" in newcomer.locator(".fr-alert").first.inner_text()
    newcomer.goto(newcomer.base + "/persons/")
    assert newcomer.url.endswith("/account") and newcomer.locator("h1").inner_text() == "Mon compte"
    shot(newcomer, "account-provisional")
    newcomer.fill("input[name=current_password]", password)
    newcomer.fill("input[name=new_password]", "ma phrase de passe secrète")
    newcomer.fill("input[name=confirmation]", "ma phrase de passe secrète")
    newcomer.click("button:has-text('Changer le mot de passe')")
    assert "Votre mot de passe a été modifié" in newcomer.locator(".fr-alert").first.inner_text()
    shot(newcomer, "account")
    newcomer.goto(newcomer.base + "/persons/")
    assert newcomer.locator("h1").inner_text() == "Mes personnes"
    newcomer.context.close()


def test_throttled_login_page(page, world):
    for _ in range(5):
        browser_login(page, "sw@example.fr", "pas le bon mot de passe")
    browser_login(page, "sw@example.fr", factories.PASSWORD)
    assert "Connexion temporairement suspendue" in page.locator(".fr-alert").first.inner_text()
    shot(page, "login-throttled")
